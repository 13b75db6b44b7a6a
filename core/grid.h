/* The two grids mfh's states live on: positions (mfh_xgrid: wave functions
 * and density matrices of the Hartree, semiclassical and N-body Schroedinger
 * engines) and 1D1V phase space (mfh_phase_grid: Vlasov densities, Wigner
 * and Husimi functions).  Every engine, metric and observable that samples a
 * function on a uniform grid describes the grid with one of these two. */
#ifndef MFH_CORE_GRID_H
#define MFH_CORE_GRID_H

#include <stddef.h>

#include "core/status.h"

/* A uniform grid of positions: dim = 1 or 2 axes, n nodes per axis, the same
 * on every axis, x_j = xmin + j dx (j < n), covering the box
 * [xmin, xmin + n dx)^dim.  A function on it is an array of n^dim values,
 * row-major in 2D (u[j0 * n + j1] = u(x_{j0}, x_{j1})); integrals are grid
 * sums times the cell volume dx^dim.  Whether the box is periodic is the
 * engine's convention (the split-step solvers are), not the grid's. */
typedef struct mfh_xgrid {
  int dim;
  size_t n;
  double xmin, dx;
} mfh_xgrid;

/* n^dim, the number of nodes. */
static inline size_t mfh_xgrid_points(const mfh_xgrid *g) {
  return g->dim == 2 ? g->n * g->n : g->n;
}
/* dx^dim, the cell volume. */
static inline double mfh_xgrid_cell(const mfh_xgrid *g) {
  return g->dim == 2 ? g->dx * g->dx : g->dx;
}
/* xmin + j dx, the coordinate of node j on any axis. */
static inline double mfh_xgrid_node(const mfh_xgrid *g, size_t j) {
  return g->xmin + (double)j * g->dx;
}

/* The signed wave number 2 pi m / (n dx) of DFT index l on an axis of n
 * nodes, m = l for l < n/2, else l - n (the Nyquist index n/2 counts as
 * -n/2): the frequency FFTW's index l stands for. */
static inline double mfh_dft_wave(size_t l, size_t n, double dx) {
  double m = l < n / 2 ? (double)l : (double)l - (double)n;
  return 2.0 * 3.14159265358979323846 * m / ((double)n * dx);
}

/* A real function f(x_i, v_j) on a 1D1V phase-space grid:
 * x_i = xmin + i dx (i < nx), v_j = vmin + j dv (j < nv), stored
 * f[i * nv + j] (row i = the v profile at x_i).  v is the velocity of the
 * Vlasov engines and the momentum xi of the Wigner and Husimi transforms
 * (mass 1: the same coordinate).  Cell (i, j) carries mass f dx dv.
 * period > 0: x is periodic with this period (nx dx), and distances in x
 * wrap around; 0: x is on the line.
 * f belongs to whoever set it: a grid filled by mfh_phase_grid_alloc owns
 * its values (mfh_phase_grid_free); a grid whose f points into an engine's
 * array is a borrowed view and is never freed through the grid. */
typedef struct mfh_phase_grid {
  size_t nx, nv;
  double xmin, dx, vmin, dv;
  double period;
  double *f;
} mfh_phase_grid;

/* Zero g, then allocate g->f (nx * nv zeros, nx, nv >= 1) and set the
 * sizes; the geometry (xmin, dx, vmin, dv, period) is left 0 for the caller.
 * 0, MFH_EINPUT (sizes) or MFH_ENOMEM. */
int mfh_phase_grid_alloc(mfh_phase_grid *g, size_t nx, size_t nv, mfh_err *err);
/* Free g->f and zero the struct; accepts NULL and a zeroed struct. */
void mfh_phase_grid_free(mfh_phase_grid *g);

/* Mass int f, mean (x, v) and covariance [[xx, xv], [xv, vv]] (row-major,
 * normalised by the mass) of a grid function of any sign (grid sums times
 * dx dv; x is taken on the line, whatever the period).  mass, mean and cov
 * may be NULL.  0 or MFH_EINPUT (NULL or empty grid; zero or non-finite
 * mass when mean or cov is asked). */
int mfh_phase_grid_moments(const mfh_phase_grid *g, double *mass, double mean[2], double cov[4],
                           mfh_err *err);

/* xmin + i dx and vmin + j dv, the coordinates of node (i, j). */
static inline double mfh_phase_grid_x(const mfh_phase_grid *g, size_t i) {
  return g->xmin + (double)i * g->dx;
}
static inline double mfh_phase_grid_v(const mfh_phase_grid *g, size_t j) {
  return g->vmin + (double)j * g->dv;
}

#endif
