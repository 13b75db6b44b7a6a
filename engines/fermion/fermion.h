/* Fermions in the mean-field + semiclassical scaling (seed 003, Benedikter-
 * Porta-Saffirio-Schlein; THEOREMS.md HF-1..HF-4): grids, pair potentials,
 * trap states, geometry and memory checks.  The steppers are in engines.h,
 * the registry engines in engine.h, the resolution and ||grad W|| monitors in
 * monitors.h.
 *
 * Model (THEOREMS.md section 1, "Fermionic semiclassical scaling").  A
 * density matrix omega on L^2(R^d), d = 1 or 2, with tr omega = N and
 * 0 <= omega <= 1, eps = N^(-1/d) by default (any eps > 0 is accepted), evolves by
 *   Hartree-Fock  i eps d_t omega = [-eps^2 Lap + V * rho - X, omega],
 *   Hartree       the same with X = 0,
 *   rho(x) = omega(x; x) / N,   X(x; y) = V(x - y) omega(x; y) / N.
 * The kinetic term is -eps^2 Lap (no 1/2): the Wigner function moves with
 * velocity 2 v.  The reference (Weyl-quantised Vlasov) is in engines.h.
 *
 * Grid.  The periodic box [xmin, xmin + n dx)^d, n points per axis,
 * x_i = xmin + i dx; the flattened index of (i1, i2) is i1 n + i2 (row-
 * major).  npts = n^d.  A kernel K is npts x npts row-major complex,
 * K[I npts + J] = omega(x_I, x_J); the operator it represents has the
 * matrix cell K in the orthonormal grid basis (cell = dx^d), so
 * tr omega = cell sum_I K_II and the trace / HS norms are those of cell K.
 * The grid carries momenta P = eps k with |k_a| <= pi / dx, i.e. the
 * momentum band is p_b = pi eps / dx (dx = pi eps / p_b).
 *
 * Orbitals.  omega = sum_k lambda_k |phi_k><phi_k| with m orbitals of npts
 * values each (orbital k at phi + k npts), normalised on the grid
 * (cell sum |phi_k|^2 = 1 up to the grid's spectral error) and occupations
 * lambda_k in (0, 1].
 *
 * Trap states.  h0 = -eps^2 Lap + |x|^2 has the eigenfunctions
 *   phi_k(x) = eps^(-1/4) h_k(x / sqrt eps)   (1D; products in 2D),
 * h_k the Hermite functions (GSL gsl_sf_hermite_func_array: a scaled
 * three-term recurrence, stable where h_k underflows for small k), with
 * eigenvalues E = eps (2 k + 1) (1D), eps (2 (k1 + k2) + 2) (2D; shell
 * s = k1 + k2 has s + 1 states).  The trap only prepares the state: the
 * dynamics run without it.
 *   mixed:  lambda = 1 / (1 + exp((E - mu) / T)), mu by bisection so that
 *           sum lambda = N over all levels; the levels with
 *           lambda > occ_min (default 1e-14) are kept.
 *   Slater: the N lowest levels with lambda = 1 (2D: closed shells,
 *           N = K (K + 1) / 2).
 * Semiclassically (N eps^d = 1) the Wigner function W_N = W_eps[omega / N]
 * tends to f(|x|^2 + |p|^2) / (2 pi)^d with f the Fermi-Dirac (mixed) or
 * indicator (Slater) of the trap energy: at T = 0 a phase-space ball of
 * radius sqrt 2 (1D) or 8^(1/4) (2D).
 *
 * Nothing here prints or keeps global state; every function is reentrant. */
#ifndef MFH_ENGINES_FERMION_FERMION_H
#define MFH_ENGINES_FERMION_FERMION_H

#include <complex.h>
#include <stddef.h>

#include "core/density.h"
#include "core/status.h"

/* The grid (see above). */
typedef struct mfh_fermion_grid {
  int dim;     /* 1 or 2 */
  int n;       /* points per axis: even, >= 8 */
  double xmin; /* box [xmin, xmin + n dx)^dim */
  double dx;   /* spacing, > 0 */
  double eps;  /* semiclassical parameter, > 0 */
} mfh_fermion_grid;

/* Number of grid points n^dim. */
size_t mfh_fermion_grid_points(const mfh_fermion_grid *g);

/* The pair potential. */
enum mfh_fermion_potential_kind {
  MFH_FERMION_V_GAUSSIAN = 0,  /* V = a exp(-|x|^2 / (2 s^2)) (THEOREMS.md default, a = s = 1) */
  MFH_FERMION_V_QUADRATIC = 1, /* V = a |x|^2: a test potential (the Moyal expansion stops) */
  MFH_FERMION_V_NONE = 2       /* V = 0 */
};

typedef struct mfh_fermion_potential {
  int kind;    /* enum mfh_fermion_potential_kind */
  double a, s; /* amplitude (finite), width (> 0, Gaussian) */
} mfh_fermion_potential;

/* Gaussian a = s = 1. */
void mfh_fermion_potential_default(mfh_fermion_potential *V);
/* sup |grad V| (the bound on |grad(V * rho)| for a probability rho):
 * (|a| / s) e^(-1/2) for the Gaussian, 0 for none, INFINITY for quadratic. */
double mfh_fermion_potential_force(const mfh_fermion_potential *V);

/* ---- trap levels (no grid) ----------------------------------------------- */

enum mfh_fermion_state_kind {
  MFH_FERMION_MIXED = 0, /* positive temperature */
  MFH_FERMION_SLATER = 1 /* zero temperature, closed shells */
};

/* The occupied levels of a trap state, in increasing energy (1D: k; 2D:
 * shell by shell, k1 = s..0 within shell s). */
typedef struct mfh_fermion_levels {
  int dim, kind;
  double N;       /* the requested trace */
  double eps, T;  /* T = 0 for Slater */
  double mu;      /* chemical potential (mixed; for Slater the top energy) */
  double occ_min; /* cut-off applied */
  int m;          /* levels kept */
  double trace;   /* sum of the kept occupations (N up to the cut-off) */
  double *occ;    /* m occupations */
  double *energy; /* m energies */
  int *qn;        /* m * dim quantum numbers (k) or (k1, k2) */
} mfh_fermion_levels;

/* The levels of the mixed (T > 0, occ_min in (0, 1e-3]; occ_min = 0 means
 * 1e-14) or Slater (T, occ_min ignored; N a positive integer, in 2D a
 * closed shell K (K + 1) / 2) state with trace N at scale eps.  Returns
 * MFH_OK and *out (free with mfh_fermion_levels_destroy), MFH_EINPUT for
 * bad arguments (e.g. "Slater N = 7 in 2D is not a closed shell K(K+1)/2:
 * nearest 6 and 10"), MFH_ENOMEM. */
int mfh_fermion_levels_create(int dim, int kind, double N, double eps, double T, double occ_min,
                              mfh_fermion_levels **out, mfh_err *err);
/* Free; accepts NULL. */
void mfh_fermion_levels_destroy(mfh_fermion_levels *lv);

/* ---- orbitals ----------------------------------------------------------------- */

typedef struct mfh_fermion_orbitals {
  mfh_fermion_grid grid;
  int m;               /* orbitals */
  double N;            /* normalisation (the nominal tr omega) */
  double *occ;         /* m occupations in (0, 1] */
  double complex *phi; /* m * npts values */
} mfh_fermion_orbitals;

/* m >= 1 zero orbitals with zero occupations on grid g, normalisation N
 * (> 0).  MFH_EINPUT, MFH_ENOMEM; free with mfh_fermion_orbitals_destroy. */
int mfh_fermion_orbitals_create(const mfh_fermion_grid *g, int m, double N,
                                mfh_fermion_orbitals **out, mfh_err *err);
/* A deep copy.  MFH_ENOMEM. */
int mfh_fermion_orbitals_copy(const mfh_fermion_orbitals *src, mfh_fermion_orbitals **out,
                              mfh_err *err);
/* Free; accepts NULL. */
void mfh_fermion_orbitals_destroy(mfh_fermion_orbitals *o);

/* The trap state of levels lv sampled on grid g (g->eps must equal
 * lv->eps).  Orbitals are the Hermite-function values at the grid points,
 * renormalised so that cell sum |phi_k|^2 = 1 (hence tr omega = lv->trace
 * = N up to the cut-off): on a resolving grid the factor is 1 within
 * ~1e-14 for every orbital that the grid holds; the top levels of a mixed
 * state, with occupations below the grid's tolerance, reach beyond the box
 * / band and are aliased (their factor is not meaningful; their weight is
 * below the tolerance).  N of the result is lv->N.  MFH_EINPUT,
 * MFH_ENOMEM, MFH_ENUMERIC (GSL failure). */
int mfh_fermion_trap_state(const mfh_fermion_grid *g, const mfh_fermion_levels *lv,
                           mfh_fermion_orbitals **out, mfh_err *err);

/* The kernel of the trap state of levels lv on grid g, equal (to round-off)
 * to the kernel of mfh_fermion_trap_state(g, lv) but built from the real 1D
 * tables: BLAS dsyrk in 1D (n^2 m flops, 4x fewer than zherk), and in 2D
 * sum_a t_a(x1) t_a(y1) B_a(x2, y2), B_a = sum_b occ_ab t_b(x2) t_b(y2)
 * (O(n^4 K), K = levels per axis: ~40x less than from the m = O(K^2)
 * product orbitals).  K caller-owned (npts^2 values, overwritten; used as
 * scratch).  MFH_EINPUT, MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_fermion_trap_kernel(const mfh_fermion_grid *g, const mfh_fermion_levels *lv,
                            double complex *K, mfh_err *err);

/* The kernel of o: K[I npts + J] = sum_k occ_k phi_k(x_I) conj phi_k(x_J)
 * (K caller-owned, npts^2 values, overwritten; BLAS zherk, then the other
 * triangle by symmetry: exactly Hermitian).  Allocates an m x npts scratch.
 * MFH_EINPUT, MFH_ENOMEM. */
int mfh_fermion_kernel_from_orbitals(const mfh_fermion_orbitals *o, double complex *K,
                                     mfh_err *err);

/* The core grid geometry (core/grid.h) of g. */
mfh_xgrid mfh_fermion_xgrid(const mfh_fermion_grid *g);

/* The core state kind of these data (core/density.h): a borrowed view of
 * the kernel K on g, or of the orbitals o (weights = occupations), with the
 * grid's eps; never freed through the view. */
mfh_density mfh_fermion_kernel_view(const mfh_fermion_grid *g, double complex *K);
mfh_density mfh_fermion_orbitals_view(const mfh_fermion_orbitals *o);

/* ---- geometry: box, band, resolution ---------------------------------------
 * The grid a run needs.  R is the phase-space radius of the initial state
 * at the level tol: the largest |x| at which the density (the kernel's
 * diagonal) is above tol times its maximum, measured from the Hermite
 * functions along the x_1 axis (the trap states are symmetric under
 * x <-> p, so R is also the momentum radius).  The off-diagonal kernel is
 * then far smaller at the edge (1D mixed N = 16, tol 1e-8: max |K| on the
 * edge rows 4e-22 of max |K| at t = 0, 3e-9 at t_final = 0.5; the bound
 * |K(x, y)| <= sqrt(K(x, x) K(y, y)) would ask for a 1.8x larger grid for
 * nothing).  Under the dynamics |grad U| <= F = sup |grad V| (rho is a
 * probability), so for times <= t_final the state stays within
 *   |x| <= x_need = R sqrt(1 + 4 t^2) + F t^2,   |p| <= p_need = R + F t
 * (free flight x + 2 p t of the level set x^2 + p^2 = R^2 plus the
 * force).  A grid resolves the run when its half-width (around 0) is
 * >= x_need and its band pi eps / dx >= p_need. */
typedef struct mfh_fermion_setup {
  int dim;                 /* 1 or 2 */
  int kind;                /* enum mfh_fermion_state_kind */
  double N;                /* trace */
  double eps;              /* 0 = N^(-1/dim) */
  double T;                /* temperature (mixed) */
  double occ_min;          /* 0 = 1e-14 */
  double t_final;          /* >= 0 */
  mfh_fermion_potential V; /* for the force bound (quadratic: not bounded) */
  double tol;              /* density level at the box / band edge, 0 = 1e-8 */
} mfh_fermion_setup;

typedef struct mfh_fermion_extent {
  double eps;
  double R;      /* initial phase-space radius at tol */
  double force;  /* F */
  double x_need; /* half-width needed */
  double p_need; /* band needed */
  double dx_max; /* pi eps / p_need */
  int n_min;     /* smallest even n with n dx_max >= 2 x_need */
} mfh_fermion_extent;

/* Defaults: 1D mixed N = 16, eps = 0 (N^(-1/d)), T = 0.5, occ_min 0,
 * t_final 0.5, Gaussian a = s = 1, tol 0. */
void mfh_fermion_setup_init(mfh_fermion_setup *s);

/* The extent of setup s (builds the levels; O(m) Hermite evaluations on
 * ~1000 points).  MFH_EINPUT (bad setup; quadratic V with t_final > 0),
 * MFH_ENOMEM. */
int mfh_fermion_extent_of(const mfh_fermion_setup *s, mfh_fermion_extent *e, mfh_err *err);

/* The grid for s: dx = pi eps / (band_scale p_need), n the smallest even
 * 2^a 3^b 5^c with n dx >= 2 box_scale x_need, xmin = -n dx / 2 (scales
 * >= 1; 1 and 1 give the smallest resolving grid).  Fills *g and *e (may
 * be NULL).  MFH_EINPUT, MFH_ENOMEM. */
int mfh_fermion_grid_for(const mfh_fermion_setup *s, double box_scale, double band_scale,
                         mfh_fermion_grid *g, mfh_fermion_extent *e, mfh_err *err);

/* A priori check of grid g for setup s (g->eps must be the setup's eps).
 * MFH_OK when resolved; else MFH_EINPUT with the size needed, e.g.
 *   "under-resolved: N = 64 (eps = 0.015625), T = 0.5, t <= 0.5 needs
 *    |p| <= 3.62: dx <= 0.01356 (n >= 722 on this box), got n = 512"
 * or "box too small: ... needs |x| <= 4.9 (half-width), got 4.0".  Fills
 * *e (may be NULL). */
int mfh_fermion_check_grid(const mfh_fermion_setup *s, const mfh_fermion_grid *g,
                           mfh_fermion_extent *e, mfh_err *err);

/* ---- memory ------------------------------------------------------------------- */

/* Bytes of one kernel (16 npts^2). */
double mfh_fermion_kernel_bytes(const mfh_fermion_grid *g);
/* Refuse need > limit (bytes, limit > 0):
 *   "<what> needs 3.2 GiB (...), more than the limit 2 GiB"
 * MFH_EINPUT; MFH_OK otherwise. */
int mfh_fermion_check_memory(double need, double limit, const char *what, mfh_err *err);

#endif
