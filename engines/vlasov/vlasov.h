/* 1D1V Vlasov reference solver: semi-Lagrangian, Strang splitting.
 *
 * Solves d_t f + v d_x f + a(t,x) d_v f = 0 on x in [xmin, xmax) (periodic,
 * nx cells) times v in [vmin, vmax] (nv nodes, f = 0 beyond), where the
 * acceleration a is one of (THEOREMS.md section 1 conventions):
 *   - none:           a = 0 (free streaming);
 *   - pair potential: a = -d_x (V * rho) = -(V' * rho), rho = int f dv,
 *                     V even, V' given analytically and never differentiated
 *                     numerically: a(x_m) = -dx sum_i V'(x_m - x_i) rho_i
 *                     (trapezoidal rule, spectrally accurate for smooth V),
 *                     summed exactly by FFT.  "periodic" uses the periodised
 *                     V (the torus problem); "free" is the problem on R
 *                     (linear convolution by zero padding to 2 nx, V'
 *                     sampled at offsets |d| < nx; the box must be large
 *                     enough that f stays inside it);
 *   - Poisson:        electron plasma with neutralising background,
 *                     a = -E, d_x E = 1 - rho, mean of E zero, by FFT (the
 *                     k = 0 mode is dropped: the background is the mean
 *                     density, exactly 1 for neutral data);
 * plus an optional constant external acceleration ext_acc.
 *
 * Method (Cheng & Knorr 1976; Sonnendrucker, Roche, Bertrand & Ghizzo 1999):
 * one step = x-advection dt/2, v-advection dt with the field of the density
 * after the first half step, x-advection dt/2 (Strang, order 2 in dt).
 *   x-advection: exact spectral shift f(x - v tau) by FFT along each v-line
 *                (the Nyquist mode of even nx is multiplied by cos(k_N v tau)).
 *   v-advection: 6-point centred Lagrange interpolation (degree 5, error
 *                O(dv^6) per step, |amplification| <= 1), f = 0 outside
 *                [vmin, vmax]; shifts by a whole number of cells are exact.
 *   field:       FFT convolution / FFT Poisson solve of the grid density.
 * The x-advection is periodic in every model (free model included).
 * Lines are processed in parallel with OpenMP; every line is computed in the
 * same way whatever thread owns it, and every reduction runs in a fixed
 * order, so results are bit-identical for any thread count.
 *
 * Grid: x_i = xmin + i dx, dx = (xmax - xmin)/nx, i = 0..nx-1;
 *       v_j = vmin + j dv, dv = (vmax - vmin)/(nv - 1), j = 0..nv-1.
 * Storage: f[i * nv + j] = f(x_i, v_j) (row i = the velocity profile at x_i).
 * Every v-integral is dv * sum_j, every x-integral dx * sum_i.
 *
 * One object must not be used by two threads at once (it owns scratch
 * buffers); distinct objects are independent. */
#ifndef MFH_ENGINES_VLASOV_VLASOV_H
#define MFH_ENGINES_VLASOV_VLASOV_H

#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"

/* A real function of one real variable with a caller context. */
typedef double (*mfh_vlasov_fn1)(double x, void *ctx);
/* A phase-space function f0(x, v) with a caller context. */
typedef double (*mfh_vlasov_fn2)(double x, double v, void *ctx);

enum mfh_vlasov_model {
  MFH_VLASOV_NONE = 0,          /* field off: free streaming (plus ext_acc) */
  MFH_VLASOV_PAIR_PERIODIC = 1, /* pair potential, periodised on the torus */
  MFH_VLASOV_PAIR_FREE = 2,     /* pair potential on R, zero-padded FFT convolution */
  MFH_VLASOV_POISSON = 3        /* Vlasov-Poisson, neutralising background */
};

typedef struct mfh_vlasov_params {
  int nx, nv;        /* grid sizes, each >= 4 (powers of 2 are fastest) */
  double xmin, xmax; /* periodic box [xmin, xmax) */
  double vmin, vmax; /* velocity interval, f = 0 beyond */
  int model;         /* enum mfh_vlasov_model */
  /* Pair potential: V and dV = V' (both, not owned, called with ctx) or,
   * when both are NULL, the Gaussian V(x) = a exp(-x^2/(2 s^2)). */
  mfh_vlasov_fn1 V, dV;
  void *ctx;
  double a, s; /* Gaussian amplitude (any finite) and width (> 0) */
  /* Periodic model with callbacks: V and V' are summed over the shifts n L,
   * |n| <= images (0..1000); the Gaussian chooses its own count. */
  int images;
  double ext_acc; /* constant external acceleration (not in the energy) */
  int threads;    /* OpenMP threads for the line loops; 0 = omp default */
} mfh_vlasov_params;

typedef struct mfh_vlasov mfh_vlasov;

/* Diagnostics at the current time.  All integrals are grid sums. */
typedef struct mfh_vlasov_diag {
  double time;
  double mass;         /* int int f */
  double momentum;     /* int int v f */
  double kinetic;      /* (1/2) int int v^2 f */
  double potential;    /* pair: (1/2) int int V(x-y) rho(x) rho(y); Poisson:
                          (1/2) int E^2; none: 0 (ext_acc never counted) */
  double energy;       /* kinetic + potential (conserved by the PDE) */
  double l2;           /* (int int f^2)^(1/2) (non-increasing for this scheme) */
  double fmin, fmax;   /* extreme grid values of f */
  double field_energy; /* (1/2) int a^2 dx, a the self-consistent acceleration */
  double field_max;    /* max_i |a(x_i)| */
  double edge_v;       /* max |f| on the rows v = vmin, vmax (should be ~0) */
  double edge_x;       /* max |f| on the columns x_0, x_{nx-1} (free model: ~0) */
} mfh_vlasov_diag;

/* Fill p with defaults: nx = nv = 64, x in [0, 2 pi), v in [-6, 6], field
 * off, Gaussian a = 1, s = 1, images = 3, ext_acc = 0, threads = 0. */
void mfh_vlasov_params_init(mfh_vlasov_params *p);

/* Validate p, allocate the grid (f = 0, time 0) and make the FFTW plans
 * (FFTW_ESTIMATE, under the OpenMP critical section mfh_fftw_planner).
 * Returns MFH_OK and *out (caller frees with mfh_vlasov_destroy),
 * MFH_EINPUT naming the bad parameter, or MFH_ENOMEM.  p->ctx and the
 * callbacks must outlive the object. */
int mfh_vlasov_create(const mfh_vlasov_params *p, mfh_vlasov **out, mfh_err *err);

/* Free everything; accepts NULL. */
void mfh_vlasov_destroy(mfh_vlasov *vl);

/* The grid of nx*nv values f[i * nv + j] = f(x_i, v_j), owned by vl: write
 * the initial data here (or use mfh_vlasov_set_f). */
double *mfh_vlasov_f(mfh_vlasov *vl);

/* f(x_i, v_j) = f0(x_i, v_j, ctx) on every node.  MFH_ENUMERIC if a value is
 * not finite (f is then partly written). */
int mfh_vlasov_set_f(mfh_vlasov *vl, mfh_vlasov_fn2 f0, void *ctx, mfh_err *err);

/* The grid that mfh_vlasov_create(p) makes, without making it: nx, nv,
 * xmin, dx, vmin, dv, period as mfh_vlasov_get_grid reports them (the same
 * arithmetic, bit for bit); g->f = NULL.  p is not validated. */
void mfh_vlasov_params_grid(const mfh_vlasov_params *p, mfh_phase_grid *g);

/* g->f[i * nv + j] = f0(x_i, v_j, ctx) on the nodes of g (the values
 * mfh_vlasov_set_f writes on the same grid).  MFH_ENUMERIC if a value is not
 * finite (g->f is then partly written). */
int mfh_vlasov_fill(mfh_phase_grid *g, mfh_vlasov_fn2 f0, void *ctx, mfh_err *err);

/* One Strang step of length dt > 0 (allocates nothing).  MFH_EINPUT for a
 * bad dt, MFH_ENUMERIC if the field is not finite (f is then undefined). */
int mfh_vlasov_step(mfh_vlasov *vl, double dt, mfh_err *err);

/* Time reached: the sum of the dt of all steps. */
double mfh_vlasov_time(const mfh_vlasov *vl);

/* The grid as a phase-space grid view (core/grid.h): nx, nv, xmin, dx,
 * vmin, dv as in the header comment, period = xmax - xmin (the x-advection
 * is periodic in every model), f = the solver's values (borrowed: owned by
 * vl, as mfh_vlasov_f; they change with every step). */
void mfh_vlasov_get_grid(const mfh_vlasov *vl, mfh_phase_grid *g);

/* rho(x_i) = dv sum_j f(x_i, v_j) into rho[0..nx-1] (caller-owned). */
int mfh_vlasov_density(mfh_vlasov *vl, double *rho);

/* The self-consistent acceleration a(x_i) at the current time (without
 * ext_acc) into acc[0..nx-1] (caller-owned).  Pair: a = -(V' * rho);
 * Poisson: a = -E.  MFH_ENUMERIC if not finite. */
int mfh_vlasov_field(mfh_vlasov *vl, double *acc);

/* The acceleration of mfh_vlasov_field at n arbitrary points x (including
 * ext_acc, so that it is the force to push mean-field characteristics):
 * 6-point Lagrange interpolation of the grid field (error O(dx^6)),
 * periodic wrap in the periodic models; in the free model, points whose
 * stencil leaves the box get the exact quadrature -dx sum_i V'(x - x_i)
 * rho_i.  MFH_EINPUT for a non-finite x. */
int mfh_vlasov_field_at(mfh_vlasov *vl, size_t n, const double *x, double *acc, mfh_err *err);

/* As mfh_vlasov_field_at, for the field the last step used (density after
 * its first half step, i.e. at time t - dt/2 to O(dt^2)).  Called after
 * mfh_vlasov_step, it pushes characteristics over the same step with the
 * same splitting: x += v dt/2, v += a(x) dt, x += v dt/2 (order 2).  Reads
 * only: several threads may call it at once.  MFH_EINPUT before the first
 * step. */
int mfh_vlasov_half_field_at(const mfh_vlasov *vl, size_t n, const double *x, double *acc,
                             mfh_err *err);

/* Mass, momentum, energies, L2 norm, extremes (see mfh_vlasov_diag). */
int mfh_vlasov_diagnostics(mfh_vlasov *vl, mfh_vlasov_diag *d, mfh_err *err);

/* Root omega (Im omega > 0) of the Vlasov-Poisson linear dispersion relation
 * for a homogeneous equilibrium f0 (electrons, neutralising background,
 * units of the solver):  1 - (1/k^2) int f0'(v) / (v - omega/k) dv = 0.
 * df0 = f0' (called with ctx), k > 0, guess = {Re, Im} with Im > 0; the
 * root goes to root = {Re, Im}.  The integral is regular for Im > 0: GSL
 * adaptive quadrature (QAGS on [Re u - c, Re u + c], QAGIL/QAGIU on the
 * tails, u = omega/k) and a Newton iteration with a central-difference
 * complex derivative.  Damped (Landau) roots need the analytic continuation
 * and are out of scope: MFH_ENUMERIC if the iterate leaves Im > 0 or does
 * not converge.  Requires GSL's abort handler off (mfh_gsl_quiet). */
int mfh_vlasov_dispersion_root(mfh_vlasov_fn1 df0, void *ctx, double k, const double guess[2],
                               double root[2], mfh_err *err);

#endif
