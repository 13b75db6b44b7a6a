/* Monokinetic fluids: the state kind "fluid" (core/kind_fluid.c).
 *
 * A fluid is (rho(t), u(t)) at one time t: a probability density on R^d and
 * ONE velocity field, what a modulated energy compares a particle system or
 * a quantum state with (Serfaty's modulated energy; Golse-Paul for Hartree):
 *   K = (1/N) sum_j |v_j - u(t, x_j)|^2           needs u at the particles,
 *   P = int int_{x != y} V d(mu_N - rho)^{x2}     needs phi = V * rho at the
 *       particles and int rho phi, or, for the 1D kernel V = -|x|/2,
 *       P = int (F_N - F_rho)^2 dx                 the cumulative F_rho.
 * Exact solutions are functions, not arrays, so a fluid is described by the
 * engine that made it: a const table of operations over a context the
 * engine owns, plus the numbers that define it (its time, the parameters of
 * the solution) which describe it and, with its values at a fixed set of
 * points, hash it.  Copies share the context by reference counting: the
 * engine's retain/release (thread-safe: fluids of one shared table are
 * copied and freed by parallel tasks). */
#ifndef MFH_CORE_FLUID_H
#define MFH_CORE_FLUID_H

#include <stddef.h>

#include "core/status.h"

#define MFH_FLUID_DMAX 3   /* largest space dimension */
#define MFH_FLUID_NPARAM 4 /* numbers that define a fluid besides its time */

typedef struct mfh_fluid mfh_fluid;

/* The fields at one point x. */
typedef struct mfh_fluid_point {
  double rho;                 /* density rho(t, x) */
  double u[MFH_FLUID_DMAX];   /* velocity u(t, x) (d components) */
  double F;                   /* d = 1: the cumulative distribution F_rho(t, x); NaN otherwise */
  double phi;                 /* the potential (V * rho)(t, x) of the fluid's interaction; NaN if unknown */
} mfh_fluid_point;

typedef struct mfh_fluid_ops {
  const char *name; /* what kind of solution, e.g. "exact 1D Euler-Poisson (Lagrangian)" */
  /* The fields at x (d coordinates).  MFH_OK or an error status (a point
   * outside what the solution covers). */
  int (*eval)(const mfh_fluid *f, const double *x, mfh_fluid_point *out, mfh_err *err);
  /* Optional (d = 1; NULL otherwise): *out = int (F_n(x) - F_rho(t, x))^2 dx
   * for the empirical CDF F_n of the n >= 1 points y[0..n-1] (ascending,
   * weights 1/n), computed exactly by the solution itself. */
  int (*cdf_l2)(const mfh_fluid *f, const double *y, size_t n, double *out, mfh_err *err);
  /* Reference counting of ctx (both NULL: ctx is static or NULL). */
  void (*retain)(void *ctx);
  void (*release)(void *ctx);
} mfh_fluid_ops;

struct mfh_fluid {
  size_t d;                         /* space dimension, 1..MFH_FLUID_DMAX */
  double t;                         /* the time the fluid is at */
  double scale;                     /* a length it varies on (hash samples at multiples of it) */
  double self_energy;               /* int rho phi dx = int int V rho rho; NaN if unknown */
  size_t nparam;
  double param[MFH_FLUID_NPARAM];   /* the numbers that define it besides t (beta, sigma, ...) */
  char what[96];                    /* the same in words, e.g. "rho_in parabolic, beta 0.5" */
  const mfh_fluid_ops *ops;
  void *ctx;                        /* the engine's context, shared by copies */
  size_t slot;                      /* the engine's index into ctx (e.g. a table's time index) */
};

/* A heap fluid on ops and ctx (ops->retain(ctx) is called: the fluid holds
 * its own reference, the caller keeps its own), d = 1, t = 0, scale = 1,
 * self_energy NaN, no parameters: the engine fills the rest.  NULL when out
 * of memory (nothing retained).  Freed by the kind (mfh_kind_fluid.free). */
mfh_fluid *mfh_fluid_new(const mfh_fluid_ops *ops, void *ctx);
/* A point with every field NaN (what eval starts from). */
void mfh_fluid_point_nan(mfh_fluid_point *q);

#endif
