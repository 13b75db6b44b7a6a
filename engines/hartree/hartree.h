/* Hartree equation (pure and mixed states), 1D and 2D: Strang split-step
 * Fourier solver.
 *
 * Model (THEOREMS.md section 1: eps plays hbar, mass 1).  A mixed state
 * R = sum_k w_k |psi_k><psi_k| (M orbitals, w_k >= 0, sum w_k = 1; M = 1,
 * w_0 = 1 is a pure state) evolves by
 *   i eps d_t R = [H(t), R],   H = -(eps^2/2) Lap + U,
 *   U = lambda V * rho + U_ext,   rho(x) = R(x, x) = sum_k w_k |psi_k(x)|^2,
 * i.e. every orbital obeys i eps d_t psi_k = H psi_k with the same mean
 * field (for M = 1: i eps d_t psi = -(eps^2/2) Lap psi + (V * |psi|^2) psi).
 * lambda is a constant coupling factor (default 1), U_ext an optional
 * external potential (e.g. the harmonic oscillator |x|^2/2 of the tests).
 *
 * Grid: the periodic box [xmin, xmax)^d (d = 1 or 2), n points per
 * dimension, dx = (xmax - xmin)/n, x_i = xmin + i dx.  An orbital is an array
 * of n^d double complex values: 1D psi[i] = psi(x_i); 2D row-major,
 * psi[i1 * n + i2] = psi(x_{i1}, y_{i2}).  Orbital k starts at k n^d.
 * Every x-integral is the grid sum times dx^d (spectrally accurate for
 * smooth data negligible at the box edge).  The wave functions are periodic
 * on the box: the kinetic step is exact for the periodic Laplacian, so a
 * state on R^d is represented only while it stays negligible at the edge
 * (mfh_hartree_diag.edge_max monitors this).
 *
 * Mean field U_int = lambda V * rho (trapezoidal rule, summed exactly by FFT):
 *   - MFH_HARTREE_NONE:     no interaction (linear Schroedinger; U = U_ext);
 *   - MFH_HARTREE_PERIODIC: the problem on the torus: V periodised,
 *       U_int(x_i) = lambda dx^d sum_j Vper(x_i - x_j) rho_j, Vper = sum of V
 *       over the shifts m L, m in [-images, images]^d (the Gaussian chooses
 *       its own count; at the offset -L/2 the images are taken symmetric);
 *   - MFH_HARTREE_FREE:     the problem on R^d: linear convolution,
 *       U_int(x_i) = lambda dx^d sum_{j in box} V(x_i - x_j) rho_j,
 *       computed exactly (to round-off) by zero padding to 2n per dimension
 *       with V sampled at all offsets (d_1, .., d_d) dx, |d_l| <= n - 1.
 *       This is the mean field on R^d of a density supported in the box, so
 *       it needs no decay of V: the 1D Coulomb kernel V(x) = -|x|/2 (not
 *       integrable; -V'' = delta) is exact here for compactly supported rho,
 *       and only V on [-(L - dx), L - dx]^d is ever used.
 * V is the Gaussian a exp(-|x|^2/(2 s^2)) (V == NULL) or a callback V(x, ctx)
 * with x[0..d-1].
 *
 * Method (Bao, Jin & Markowich, J. Comput. Phys. 175 (2002) 487; for the
 * Hartree/Schroedinger-Poisson case Bao, Mauser & Stimming, Commun. Math.
 * Sci. 1 (2003) 809).  One step of length dt:
 *   1. psi_k <- exp(-i dt U[rho] / (2 eps)) psi_k, rho the density now;
 *   2. psi_k <- F^-1 exp(-i dt eps |k|^2 / 2) F psi_k   (exact, spectral);
 *   3. psi_k <- exp(-i dt U[rho'] / (2 eps)) psi_k, rho' the density after 2.
 * The potential sub-flow i eps d_t psi = U[rho] psi leaves |psi_k| and hence
 * rho and U unchanged, so 1 and 3 are its exact flows; the step is the
 * symmetric Strang composition of three exact flows: order 2 in dt,
 * unitary for every orbital (mass conserved to round-off) and
 * time-reversible (step(-dt) inverts step(dt)).  The U of sub-step 3 is the
 * U of the next step's sub-step 1 (same density), so it is kept: one
 * convolution per step.  The Nyquist mode of an even n gets |k| = pi/dx.
 *
 * Threads: orbitals are distributed over p.threads OpenMP threads (default
 * 1: the harness parallelises over tasks); every orbital is computed in the
 * same way by whichever thread owns it and every sum over orbitals or grid
 * points runs in a fixed order, so results are bit-identical for any thread
 * count.  FFTW plans (FFTW_ESTIMATE, reproducible) are made once in create
 * under the OpenMP critical section mfh_fftw_planner and executed with the
 * new-array interface.  One object must not be used by two threads at once
 * (it owns scratch buffers); distinct objects are independent. */
#ifndef MFH_ENGINES_HARTREE_HARTREE_H
#define MFH_ENGINES_HARTREE_HARTREE_H

#include "core/cplx.h"
#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"

/* A real function of x[0..d-1] with a caller context (V, U_ext). */
typedef double (*mfh_hartree_fn)(const double *x, void *ctx);
/* A wave function psi(x[0..d-1]) with a caller context. */
typedef double complex (*mfh_hartree_wave_fn)(const double *x, void *ctx);

enum mfh_hartree_interaction {
  MFH_HARTREE_NONE = 0,     /* no pair interaction */
  MFH_HARTREE_PERIODIC = 1, /* V periodised on the torus */
  MFH_HARTREE_FREE = 2      /* V on R^d, zero-padded (linear) convolution */
};

typedef struct mfh_hartree_params {
  int dim;           /* 1 or 2 */
  int n;             /* points per dimension: >= 8 (1D <= 2^24, 2D <= 2^13);
                        products of 2, 3, 5 are fastest */
  double xmin, xmax; /* the box [xmin, xmax)^dim */
  double eps;        /* semiclassical parameter (hbar), > 0 */
  int norb;          /* M >= 1 orbitals */
  /* M weights w_k >= 0 summing to 1 within 1e-12 (copied at create); NULL
   * means w_k = 1/M. */
  const double *weights;
  int interaction; /* enum mfh_hartree_interaction */
  /* Pair potential V(x, V_ctx) (not owned), or the Gaussian
   * a exp(-|x|^2/(2 s^2)) when V == NULL. */
  mfh_hartree_fn V;
  void *V_ctx;
  double a, s;     /* Gaussian amplitude (finite) and width (> 0) */
  double coupling; /* lambda (finite), default 1 */
  int images;      /* periodic mode, callback V: shifts per dimension, 0..1000 */
  /* External potential U_ext(x, ext_ctx) (not owned), sampled once at
   * create; NULL = none. */
  mfh_hartree_fn ext;
  void *ext_ctx;
  int threads; /* OpenMP threads over orbitals: default 1; 0 = omp default */
} mfh_hartree_params;

typedef struct mfh_hartree mfh_hartree;

/* Diagnostics of the current state.  tr(A R) = sum_k w_k <psi_k|A|psi_k>;
 * "mean" and "var" are normalised by the mass (<A> = tr(A R)/tr R).
 * Components beyond dim are 0. */
typedef struct mfh_hartree_diag {
  double time;
  double mass;        /* tr R */
  double kinetic;     /* tr(-(eps^2/2) Lap R), spectral */
  double interaction; /* (1/2) int int lambda V(x - y) rho(x) rho(y) */
  double external;    /* int U_ext rho */
  double energy;      /* kinetic + interaction + external (conserved) */
  double x2;          /* tr(|x - c|^2 R), c = centre (box centre): for any
                         origin o, tr(|x - o|^2 R) = sum_j var_x[j] mass
                         + mass |mean_x - o|^2 */
  double p2;          /* tr(|P|^2 R) = 2 kinetic, P = -i eps grad */
  double centre;      /* c */
  double mean_x[2];   /* <x_j> (absolute coordinates) */
  double mean_p[2];   /* <P_j> (Nyquist mode counted as k = 0) */
  double var_x[2];    /* <x_j^2> - <x_j>^2 */
  double var_p[2];    /* <P_j^2> - <P_j>^2 (Nyquist |k| = pi/dx) */
  double edge_max;    /* max_k max |psi_k| on the box edge (first and last
                         grid line in every direction): should be ~0 */
  double psi_max;     /* max_k max |psi_k| */
  double tail;        /* fraction of the spectral power sum_k w_k |F psi_k|^2
                         in the top 10% of the grid momenta, i.e. in the modes
                         with max_j |k_j| > 0.9 pi/dx: should be ~0 */
} mfh_hartree_diag;

/* Fill p with defaults: dim 1, n 256, box [-8, 8), eps 1, one orbital
 * (weights NULL), no interaction, Gaussian a = 1, s = 1, coupling 1,
 * images 3, no external potential, threads 1. */
void mfh_hartree_params_init(mfh_hartree_params *p);

/* Validate p, allocate the state (all orbitals 0, time 0), sample U_ext and
 * the kernel, make the FFTW plans.  Returns MFH_OK and *out (caller frees
 * with mfh_hartree_destroy), MFH_EINPUT naming the bad parameter (eps <= 0,
 * n < 8, weights negative or not summing to 1, V or U_ext not finite at a
 * grid offset, ...) or MFH_ENOMEM.  Callbacks and contexts must outlive the
 * object; p->weights is copied. */
int mfh_hartree_create(const mfh_hartree_params *p, mfh_hartree **out, mfh_err *err);

/* Free everything; accepts NULL. */
void mfh_hartree_destroy(mfh_hartree *h);

/* Orbital k (n^dim values, layout above), owned by h, for writing initial
 * data.  Calling it marks the cached mean field stale: call it again (or
 * any mfh_hartree_set_*) after every write made between steps.  NULL for a
 * bad k. */
double complex *mfh_hartree_orbital(mfh_hartree *h, int k);
/* Read-only orbital k (does not touch the cache); NULL for a bad k. */
const double complex *mfh_hartree_orbital_const(const mfh_hartree *h, int k);

/* The weights w_0..w_{M-1} (owned by h). */
const double *mfh_hartree_weights(const mfh_hartree *h);

/* psi_k(x) = psi0(x, ctx) on every grid point.  MFH_EINPUT for a bad k or
 * NULL psi0, MFH_ENUMERIC for a non-finite value. */
int mfh_hartree_set_orbital(mfh_hartree *h, int k, mfh_hartree_wave_fn psi0, void *ctx,
                            mfh_err *err);

/* psi_k = the coherent state |z>, z = (q, p) (q[0..d-1], p[0..d-1]):
 * (pi eps)^(-d/4) exp(-|x - q|^2/(2 eps) + i p.x/eps) (THEOREMS.md, not
 * renormalised on the grid).  MFH_EINPUT for a bad k or non-finite z. */
int mfh_hartree_set_coherent(mfh_hartree *h, int k, const double *q, const double *p, mfh_err *err);

/* Scale every orbital to grid norm dx^d sum |psi_k|^2 = 1 (so tr R = 1).
 * MFH_EINPUT if an orbital is zero or not finite. */
int mfh_hartree_normalize(mfh_hartree *h, mfh_err *err);

/* One Strang step of length dt (finite, nonzero; dt < 0 steps backwards;
 * dt may change between steps, the phase tables follow).  Allocates
 * nothing.  MFH_EINPUT for a bad dt, MFH_ENUMERIC if the mean field is not
 * finite (the state is then undefined). */
int mfh_hartree_step(mfh_hartree *h, double dt, mfh_err *err);

/* nsteps >= 0 steps of length dt: bit-identical to nsteps calls of
 * mfh_hartree_step, but faster (the closing half phase of a step and the
 * opening one of the next share one pass over the orbitals).  Same errors,
 * plus MFH_EINPUT for nsteps < 0. */
int mfh_hartree_run(mfh_hartree *h, double dt, long nsteps, mfh_err *err);

/* Time reached: the sum of the dt of all steps. */
double mfh_hartree_time(const mfh_hartree *h);

/* The grid (core/grid.h): dim, n, xmin, dx = (xmax - xmin)/n; an orbital
 * holds mfh_xgrid_points(g) = n^dim values. */
void mfh_hartree_get_grid(const mfh_hartree *h, mfh_xgrid *g);

/* M, the number of orbitals. */
int mfh_hartree_norb(const mfh_hartree *h);

/* rho = sum_k w_k |psi_k|^2 on the grid into rho[0..n^dim - 1]
 * (caller-owned). */
int mfh_hartree_density(const mfh_hartree *h, double *rho, mfh_err *err);

/* The mean field lambda V * rho of the current state (without U_ext) into
 * u[0..n^dim - 1] (caller-owned); 0 for MFH_HARTREE_NONE.  Uses h's
 * scratch buffers, not the step's cache.  MFH_ENUMERIC if not finite. */
int mfh_hartree_mean_field(mfh_hartree *h, double *u, mfh_err *err);

/* Mass, energies, moments and resolution monitors (mfh_hartree_diag) of
 * the current state; a pure function of the orbitals (the step's cache is
 * not touched, so calling it never changes a trajectory). */
int mfh_hartree_diagnostics(mfh_hartree *h, mfh_hartree_diag *d, mfh_err *err);

/* ---- resolution ---------------------------------------------------------
 * The grid carries the momenta P = eps k with |k_j| <= pi/dx, so the largest
 * momentum on the grid is p_grid = pi eps / dx; positions live in the box of
 * half-width L/2 around its centre c.  A state is resolved when, for every
 * orbital k (with w_k > 0) and every axis j,
 *   |<P_j>_k| + nsigma sd(P_j)_k <= pi eps / dx   (momentum well inside),
 *   |<x_j>_k - c| + nsigma sd(x_j)_k <= L / 2     (inside the box),
 * i.e. dx <= dx_max = pi eps / p_need with p_need the largest left side of
 * the first line (default nsigma = 6: a Gaussian of that spread has relative
 * amplitude exp(-nsigma^2/4) ~ 1.2e-4 at the grid's largest momentum and at
 * the box edge; coherent states have sd(x) = sd(P) = sqrt(eps/2)). */
typedef struct mfh_hartree_extent {
  double p_max;   /* max over orbitals and axes of |<P_j>_k| */
  double sigma_p; /* max over orbitals and axes of sd(P_j)_k */
  double x_max;   /* max over orbitals and axes of |<x_j>_k - c| */
  double sigma_x; /* max over orbitals and axes of sd(x_j)_k */
} mfh_hartree_extent;

typedef struct mfh_hartree_resolution {
  int resolved;      /* 1 when every criterion holds */
  double nsigma;     /* the number of standard deviations used */
  double dx, dx_max; /* grid spacing and the largest that resolves */
  int n_min;         /* smallest n with dx <= dx_max on this box */
  double p_grid;     /* pi eps / dx */
  double p_need;     /* p_max + nsigma sigma_p */
  double x_need;     /* x_max + nsigma sigma_x */
  double half_width; /* L / 2 */
  double edge_rel;   /* measured: edge_max / psi_max (NAN if not measured) */
  double edge_limit; /* 10 exp(-nsigma^2/4): the edge_rel accepted */
  double tail;       /* measured spectral tail (mfh_hartree_diag.tail) or NAN */
} mfh_hartree_resolution;

/* The extent of a mixture of coherent states |q_i, p_i> (q, p: m points of
 * dim coordinates each, q[i * dim + j]) measured from the centre c:
 * sigma_x = sigma_p = sqrt(eps/2).  MFH_EINPUT for bad arguments. */
int mfh_hartree_coherent_extent(int dim, double eps, double centre, size_t m, const double *q,
                                const double *p, mfh_hartree_extent *ext, mfh_err *err);

/* A priori check (no solver needed; e.g. at study validation): does the grid
 * (eps, box [xmin, xmax)^d, n points per axis) resolve a state of extent
 * *ext (criterion above; nsigma = 0 means 6)?  Fills *res (may be NULL) and
 * returns MFH_OK when resolved, otherwise MFH_EINPUT with a message such as
 *   "under-resolved: eps = 0.01 needs dx <= 0.0031 (n >= 1024 on a box of
 *    width 3.2), got n = 256"
 * or "box too small: ...".  MFH_EINPUT also for bad arguments. */
int mfh_hartree_check_extent(double eps, double xmin, double xmax, int n,
                             const mfh_hartree_extent *ext, double nsigma,
                             mfh_hartree_resolution *res, mfh_err *err);

/* The same check for the current state of h, with per-orbital moments
 * measured on the grid, plus a measured edge test: edge_rel must not
 * exceed 10 exp(-nsigma^2/4) ("not negligible at the box edge: ...").
 * Fills *res (may be NULL); MFH_OK when resolved, else MFH_EINPUT. */
int mfh_hartree_check_resolution(mfh_hartree *h, double nsigma, mfh_hartree_resolution *res,
                                 mfh_err *err);

#endif
