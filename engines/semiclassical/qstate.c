/* Engine `qstate`: one quantum state at scale eps on the 1D grid of n points
 * on [-L/2, L/2), as a density (core/density.h, eps set), built by
 * metrics/semiclassical/states.h (THEOREMS.md sections 1-3):
 *   coherent        |z><z|, z = (q, p) (the state also carries q and p as
 *                   scalars: observables compare with the exact formulas
 *                   of a coherent state);
 *   random_pure     a normalised superposition of three coherent states with
 *                   centres uniform in [-spread, spread]^2 and complex
 *                   amplitudes with independent N(0, 1) parts;
 *   random_mixture  the Toeplitz mixture of M coherent states with centres
 *                   uniform in [-spread, spread]^2 and Dirichlet(1, ..., 1)
 *                   weights.
 * The draws come from the stream initial() is given: the initial data's for
 * the system, the reference's for an `engine:` reference, so a study pairs
 * two independent states as system and reference.  The state does not
 * evolve: run() hands it to every output time.
 *
 * One engine with a `state:` choice rather than three: the three share the
 * grid, the scale and the resolution check, and its table keeps the sampled
 * parameters of the pair solver it replaces ({M, spread}, whatever the
 * states), so the random streams of the MK studies are today's. */
#include "engines/semiclassical/qstate.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "core/kinds.h"
#include "metrics/semiclassical/states.h"

static const mfh_param_def qstate_params[] = {
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "semiclassical parameter (hbar)", 0},
    {"n", MFH_PARAM_INT, "1024", 16, 1 << 16, 0, 0, NULL, "grid points on [-L/2, L/2) (even)", 0},
    {"L", MFH_PARAM_REAL, "12", 0, 1e6, 1, 0, NULL, "box width", 0},
    {"state", MFH_PARAM_CHOICE, "coherent", 0, 0, 0, 0, "coherent|random_pure|random_mixture",
     "coherent: |z><z|, z = (q, p); random_pure: a superposition of three coherent states with random "
     "centres and complex amplitudes; random_mixture: a Toeplitz mixture of M coherent states with random "
     "centres and Dirichlet weights", 0},
    {"q", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "coherent: position of z", 0},
    {"p", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "coherent: momentum of z", 0},
    {"spread", MFH_PARAM_REAL, "1.5", 0, 1e6, 1, 0, NULL,
     "random states: centres uniform in [-spread, spread]^2", MFH_PARAM_SAMPLED},
    {"M", MFH_PARAM_INT, "8", 1, 1024, 0, 0, NULL, "random_mixture: coherent states in the mixture",
     MFH_PARAM_SAMPLED},
};

enum { ST_COHERENT, ST_RANDOM_PURE, ST_RANDOM_MIXTURE };

typedef struct cfg {
  double eps, L, q, p, spread;
  int n, state, M;
} cfg;

static void read_cfg(const mfh_params *ps, cfg *c) {
  c->eps = mfh_params_real(ps, "eps");
  c->n = (int)mfh_params_int(ps, "n");
  c->L = mfh_params_real(ps, "L");
  const char *st = mfh_params_str(ps, "state");
  c->state = !strcmp(st, "coherent") ? ST_COHERENT : !strcmp(st, "random_pure") ? ST_RANDOM_PURE : ST_RANDOM_MIXTURE;
  c->q = mfh_params_real(ps, "q");
  c->p = mfh_params_real(ps, "p");
  c->spread = mfh_params_real(ps, "spread");
  c->M = (int)mfh_params_int(ps, "M");
}

static mfh_xgrid grid_of(const cfg *c) {
  mfh_xgrid g = {1, (size_t)c->n, -c->L / 2, c->L / (double)c->n};
  return g;
}

/* Every coherent state used must be resolved: momenta |p| + 6 sd(P) under
 * pi eps/dx and positions |q| + 6 sd(x) inside the box (sd = sqrt(eps/2)). */
static int resolved(const cfg *c, double q, double p, char *why, size_t len) {
  double dx = c->L / c->n, sd = sqrt(c->eps / 2);
  double pmax = M_PI * c->eps / dx;
  if (fabs(p) + 6 * sd > pmax) {
    snprintf(why, len, "under-resolved: |p| + 6 sd(P) = %.3g exceeds pi eps/dx = %.3g (need n >= %.0f)",
             fabs(p) + 6 * sd, pmax, ceil(c->L * (fabs(p) + 6 * sd) / (M_PI * c->eps)));
    return 0;
  }
  if (fabs(q) + 6 * sd > c->L / 2) {
    snprintf(why, len, "the state at q = %g does not fit in the box [-%g, %g)", q, c->L / 2, c->L / 2);
    return 0;
  }
  return 1;
}

static int qstate_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  char why[200];
  if (c.n % 2) return mfh_param_reject(param, "n", err, "n must be even (got %d)", c.n);
  /* the coherent state, or the farthest centre a random state may draw */
  double q = c.state == ST_COHERENT ? c.q : c.spread, p = c.state == ST_COHERENT ? c.p : c.spread;
  if (!resolved(&c, q, p, why, sizeof why)) return mfh_param_reject(param, "n", err, "%s", why);
  return MFH_OK;
}

static int qstate_declare(const mfh_params *ps, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "density", &mfh_kind_density);
  if (!rc && !strcmp(mfh_params_str(ps, "state"), "coherent")) rc = mfh_decl_scalars(d, "q p");
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "qstate: bad declaration") : MFH_OK;
}

/* A normalised superposition of three coherent states (the draws of each:
 * q, p, then the real and imaginary parts of its amplitude). */
static int random_pure(const cfg *c, const mfh_xgrid *g, gsl_rng *r, mfh_sc_state *A, mfh_err *err) {
  size_t n = g->n;
  double complex *tmp = malloc(n * sizeof *tmp);
  if (!tmp) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  int rc = MFH_OK;
  for (size_t j = 0; j < n; j++) A->orb[j] = 0;
  for (int k = 0; !rc && k < 3; k++) {
    double q = c->spread * (2 * gsl_rng_uniform(r) - 1), p = c->spread * (2 * gsl_rng_uniform(r) - 1);
    double im = gsl_ran_gaussian_ziggurat(r, 1.0), re = gsl_ran_gaussian_ziggurat(r, 1.0);
    double complex amp = re + I * im;
    rc = mfh_sc_coherent(g, c->eps, &q, &p, tmp, err);
    for (size_t j = 0; !rc && j < n; j++) A->orb[j] += amp * tmp[j];
  }
  free(tmp);
  double norm = 0;
  for (size_t j = 0; j < n; j++) norm += creal(A->orb[j] * conj(A->orb[j])) * g->dx;
  for (size_t j = 0; j < n; j++) A->orb[j] /= sqrt(norm);
  return rc;
}

/* A Toeplitz mixture with Dirichlet(1, ..., 1) weights (M exponential
 * draws, then the centres). */
static int random_mixture(const cfg *c, const mfh_xgrid *g, gsl_rng *r, mfh_sc_state *B, mfh_err *err) {
  double sum = 0;
  int rc = MFH_OK;
  for (int k = 0; k < c->M; k++) sum += (B->w[k] = gsl_ran_exponential(r, 1.0));
  for (int k = 0; !rc && k < c->M; k++) {
    B->w[k] /= sum;
    double q = c->spread * (2 * gsl_rng_uniform(r) - 1), p = c->spread * (2 * gsl_rng_uniform(r) - 1);
    rc = mfh_sc_coherent(g, c->eps, &q, &p, &B->orb[(size_t)k * g->n], err);
  }
  return rc;
}

/* The state, drawn from rng (the initial data's or the reference's stream). */
static int qstate_initial(const mfh_params *ps, gsl_rng *rng, mfh_state *s0, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  mfh_xgrid g = grid_of(&c);
  mfh_sc_state *R = NULL;
  int rc = mfh_sc_state_create(&g, MFH_SC_ORBITALS, c.state == ST_RANDOM_MIXTURE ? (size_t)c.M : 1, &R, err);
  if (rc) return rc;
  R->eps = c.eps;
  if (c.state == ST_COHERENT) {
    R->w[0] = 1;
    rc = mfh_sc_coherent(&g, c.eps, &c.q, &c.p, R->orb, err);
  } else if (c.state == ST_RANDOM_PURE) {
    R->w[0] = 1;
    rc = random_pure(&c, &g, rng, R, err);
  } else {
    rc = random_mixture(&c, &g, rng, R, err);
  }
  if (rc) {
    mfh_sc_state_destroy(R);
    return rc;
  }
  return mfh_state_put(s0, "density", &mfh_kind_density, R, err);
}

/* The state does not evolve: a copy at every output time (with z for a
 * coherent state). */
static int qstate_run(const mfh_params *ps, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  int coherent = !strcmp(mfh_params_str(ps, "state"), "coherent");
  const mfh_density *R = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_density, NULL) : NULL;
  if (!R) return mfh_err_set(err, MFH_EINPUT, "qstate: no state");
  for (size_t k = 0; k < ctx->nout; k++) {
    mfh_density *c = NULL;
    int rc = mfh_density_copy(R, &c, err);
    if (!rc) rc = mfh_state_put(&out[k], "density", &mfh_kind_density, c, err);
    if (!rc && coherent &&
        (mfh_values_set(&out[k].scalars, "q", mfh_params_real(ps, "q")) ||
         mfh_values_set(&out[k].scalars, "p", mfh_params_real(ps, "p"))))
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    if (rc) return rc;
  }
  return MFH_OK;
}

const mfh_engine_type mfh_engine_qstate = {
    .name = "qstate",
    .doc = "one quantum state at scale eps on a 1D grid: a coherent state, a random pure state or a random "
           "Toeplitz mixture (drawn from the stream its part is given)",
    .method = "metrics/semiclassical/states.h: coherent states sampled exactly (THEOREMS.md section 1)",
    .version = 1,
    .params = qstate_params,
    .nparams = sizeof qstate_params / sizeof qstate_params[0],
    .validate = qstate_validate,
    .declare = qstate_declare,
    .initial = qstate_initial,
    .run = qstate_run,
};
