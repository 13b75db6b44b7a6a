/* Engine `nbody`: the classical N-body Newton system (THEOREMS.md section 1,
 * "Classical N-body"; MF-1..3, DOB-1, MOM-1, KLIM-1, DT-1, RBM-4):
 *
 *   dx_j/dt = v_j,   dv_j/dt = -c sum_k grad V(x_j - x_k),   c = 1/N or 1/(N-1),
 *
 * on the torus [0,L)^d or R^d, d = 1, 2, 3, from N particles drawn from the
 * initial law (law.h), by velocity Verlet or Yoshida's order-4 triple jump
 * (engines/particles/nbody.h), or by the random batch method of Jin, Li &
 * Liu (2020) (batches: random: random pairs, coefficient 1, drawn from the
 * engine's own stream).  It evolves one system: the references it is
 * compared with (exact or Vlasov characteristics, a perturbed copy, the
 * same system with dt / r, random batches) are parts of the study, run by
 * the harness from this engine's initial cloud.
 *
 * State at each output time: the phase-space cloud "particles"
 * (x_1..x_d, v_1..v_d; d and the torus period set) and the scalars
 * energy_drift = |E(t) - E(0)| / |E(0)| and, with klim: yes, the KLIM-1
 * weak-form residual klim and its scale klim_scale (O(N^2) per output). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "engines/particles/law.h"
#include "engines/particles/nbody.h"
#include "engines/particles/particles.h"

static const mfh_param_def nbody_params[] = {
    MFH_PARTICLES_LAW_PARAMS(MFH_PARAM_SAMPLED),
    {"N", MFH_PARAM_INT, "1000", 2, 1e7, 0, 0, NULL, "number of particles", MFH_PARAM_SAMPLED},
    {"sx", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "position spread (init gaussian)", MFH_PARAM_SAMPLED},
    {"init_seed", MFH_PARAM_INT, "0", 0, 9e15, 0, 0, NULL,
     "0: initial data from the task's stream; > 0: the same initial data for every replica "
     "(weak errors over random batches)",
     MFH_PARAM_SAMPLED},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "time at which the state is measured (a sweep over t is one run per replica)", MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", MFH_PARAM_STEP},
    {"method", MFH_PARAM_CHOICE, "verlet", 0, 0, 0, 0, "verlet|yoshida4",
     "velocity Verlet (order 2) or Yoshida's triple jump (order 4)", 0},
    {"coupling", MFH_PARAM_CHOICE, "1/N", 0, 0, 0, 0, "1/N|1/(N-1)",
     "interaction prefactor: 1/N (the convention) or 1/(N-1)", 0},
    {"batches", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, "none|random",
     "none: every pair interacts; random: the random batch method (random pairs each step, "
     "coefficient 1, velocity Verlet; the unbiased estimate of the system with coupling 1/(N-1))",
     0},
    {"klim", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes",
     "yes: also the KLIM-1 weak-form residual klim and its scale klim_scale (O(N^2) per output)", 0},
};

typedef struct cfg {
  mfh_particles_law law;
  size_t n;
  int method, rbm, klim;
  double dt, sx, coupling;
  long long init_seed;
} cfg;

static void read_cfg(const mfh_params *p, cfg *c) {
  mfh_particles_law_read(p, &c->law);
  c->n = (size_t)mfh_params_int(p, "N");
  c->dt = mfh_params_real(p, "dt");
  c->method = !strcmp(mfh_params_str(p, "method"), "yoshida4") ? MFH_NBODY_YOSHIDA4 : MFH_NBODY_VERLET;
  c->rbm = !strcmp(mfh_params_str(p, "batches"), "random");
  c->klim = !strcmp(mfh_params_str(p, "klim"), "yes");
  c->sx = mfh_params_real(p, "sx");
  c->init_seed = mfh_params_int(p, "init_seed");
  double n = (double)c->n;
  c->coupling = !strcmp(mfh_params_str(p, "coupling"), "1/N") ? 1.0 / n : 1.0 / (n - 1.0);
}

static int nbody_validate(const mfh_params *p, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  int rc = mfh_particles_law_check(&c.law, param, err);
  if (rc) return rc;
  double t = mfh_params_real(p, "t");
  if (!mfh_whole_steps(t, c.dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c.dt);
  if (c.rbm && c.n % 2)
    return mfh_param_reject(param, "N", err, "the random batch method pairs particles: N must be even (got %zu)",
                            c.n);
  if (c.rbm && strcmp(mfh_params_str(p, "coupling"), "1/(N-1)") != 0)
    return mfh_param_reject(param, "coupling", err,
                            "random batches estimate the unbiased full system: coupling 1/(N-1)");
  if (c.rbm && c.method != MFH_NBODY_VERLET)
    return mfh_param_reject(param, "method", err, "the random batch method steps with Verlet");
  return MFH_OK;
}

/* Model constants for explicit bounds: ||V||_inf, ||grad V||_inf,
 * Lip(grad V), (2 pi)^-d ||V^||_L1. */
static int nbody_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  mfh_potential pot;
  mfh_potential_consts k;
  int rc = mfh_particles_potential(&c.law, &pot, err);
  if (!rc) rc = mfh_potential_constants(&pot, &k, err);
  if (rc) return rc;
  mfh_values_set(out, "vinf", k.vinf);
  mfh_values_set(out, "gradinf", k.gradinf);
  mfh_values_set(out, "lipgrad", k.lipgrad);
  if (isfinite(k.vhat_l1)) mfh_values_set(out, "vhat_l1", k.vhat_l1);
  return MFH_OK;
}

/* The cloud "particles" at every output time; energy_drift, and klim,
 * klim_scale when asked. */
static int nbody_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "particles", &mfh_kind_cloud);
  if (!rc) rc = mfh_decl_scalars(d, "energy_drift");
  if (!rc && !strcmp(mfh_params_str(p, "klim"), "yes")) rc = mfh_decl_scalars(d, "klim klim_scale");
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "nbody: bad declaration") : MFH_OK;
}

/* ---- initial data ------------------------------------------------------ */

static double sample_perturbed(gsl_rng *rng, double L, double alpha) {
  /* rejection from the uniform law: density (1 + alpha cos(2 pi x / L)) / L */
  for (;;) {
    double x = L * gsl_rng_uniform(rng);
    if (gsl_rng_uniform(rng) * (1 + alpha) <= 1 + alpha * cos(2 * M_PI * x / L)) return x;
  }
}

/* N draws of the initial law: positions particle by particle (x_1..x_d),
 * then the velocities, into the phase cloud (x, v of particle j at
 * 2 d j).  Positions are left as drawn (an engine starting from the cloud
 * maps them into its domain). */
static void sample_initial(const cfg *c, gsl_rng *rng, mfh_cloud *cl) {
  size_t d = (size_t)c->law.dim, D = 2 * d;
  for (size_t j = 0; j < c->n; j++)
    for (size_t i = 0; i < d; i++) {
      double *xi = &cl->x[j * D + i];
      if (c->law.init == MFH_PARTICLES_GAUSSIAN)
        *xi = c->sx * gsl_ran_gaussian_ziggurat(rng, 1.0);
      else if (c->law.init == MFH_PARTICLES_PERTURBED && i == 0)
        *xi = sample_perturbed(rng, c->law.L, c->law.alpha);
      else
        *xi = c->law.L * gsl_rng_uniform(rng);
    }
  for (size_t m = 0; m < c->n * d; m++) /* v_i of particle j = m / d, i = m % d */
    cl->x[(m / d) * D + d + m % d] = c->law.sv * gsl_ran_gaussian_ziggurat(rng, 1.0);
}

/* The initial cloud: from init_rng, or from a stream of its own when
 * init_seed > 0 (the same data for every replica: only random batches vary). */
static int nbody_initial(const mfh_params *p, gsl_rng *init_rng, mfh_state *s0, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  gsl_rng *own = NULL;
  mfh_cloud *cl = NULL;
  int rc = MFH_OK;
  if (c.init_seed > 0 && !(own = mfh_rng_alloc((unsigned long long)c.init_seed))) goto nomem;
  if (!(cl = mfh_cloud_new(c.n, 2 * (size_t)c.law.dim))) goto nomem;
  cl->d = (size_t)c.law.dim;
  cl->period = c.law.torus ? c.law.L : 0;
  sample_initial(&c, own ? own : init_rng, cl);
  rc = mfh_state_put(s0, "particles", &mfh_kind_cloud, cl, err); /* owns cl, also on failure */
  goto done;
nomem:
  rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu particles", c.n);
done:
  if (own) gsl_rng_free(own);
  return rc;
}

/* ---- the run ------------------------------------------------------------ */

/* KLIM-1: the weak-form Vlasov residual of the empirical measure with test
 * function phi(x, v) = psi(x) v_1, psi = sin(2 pi x_1/L) on the torus (odd, like
 * the force of a cos-modulated density, so <psi E> != 0) or x_1 e^{-x_1^2/2}:
 * (1/N) sum_j psi(x_j) (a_j - E_j)_1, a_j
 * the acceleration the integrator uses, E_j = -(1/N) sum_k grad V(x_j - x_k)
 * computed here independently by a plain double loop. */
static int klimontovich(mfh_nbody *sys, const cfg *c, const mfh_potential *pot, double *res, double *scale,
                        mfh_err *err) {
  int rc = mfh_nbody_compute_acc(sys, err);
  if (rc) return rc;
  size_t n = c->n, d = (size_t)c->law.dim;
  const double *acc = mfh_nbody_acc(sys, 0);
  double r = 0, sc = 0, dx[3], g[3];
  for (size_t j = 0; j < n; j++) {
    double e = 0;
    for (size_t k = 0; k < n; k++) {
      for (size_t i = 0; i < d; i++) dx[i] = mfh_nbody_x(sys, (int)i)[j] - mfh_nbody_x(sys, (int)i)[k];
      mfh_potential_grad(pot, dx, g);
      e -= g[0];
    }
    e /= (double)n;
    double x1 = mfh_nbody_x(sys, 0)[j];
    double psi = c->law.torus ? sin(2 * M_PI * x1 / c->law.L) : x1 * exp(-x1 * x1 / 2);
    r += psi * (acc[j] - e);
    sc += fabs(psi * e);
  }
  *res = fabs(r) / (double)n;
  *scale = sc / (double)n;
  return MFH_OK;
}

/* Evolve the cloud of ctx->from (this engine's initial cloud, or the
 * system's for a coupled copy) with steps dt to every output time; the time
 * of out[k] is the whole number of steps nearest t[k]. */
static int nbody_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  const mfh_cloud *from = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_cloud, NULL) : NULL;
  if (!from) return mfh_err_set(err, MFH_EINPUT, "nbody: no particle cloud to start from");
  if (from->n != c.n || from->d != (size_t)c.law.dim || from->dim != 2 * from->d)
    return mfh_err_set(err, MFH_EINPUT,
                       "nbody: the cloud to start from has %zu particles in phase space of d = %zu, not N = %zu "
                       "in d = %d",
                       from->n, from->d, c.n, c.law.dim);
  if (c.rbm && !ctx->rng) return mfh_err_set(err, MFH_EINPUT, "nbody: random batches need a random stream");
  mfh_potential pot;
  mfh_nbody *sys = NULL;
  int rc = mfh_particles_potential(&c.law, &pot, err);
  if (!rc) rc = mfh_nbody_create(c.n, c.law.dim, &pot, c.coupling, &sys, err);
  if (!rc) rc = mfh_particles_load(sys, from, err);
  double e0 = rc ? 0 : mfh_nbody_total_energy(sys);
  long long step = 0;
  for (size_t k = 0; !rc && k < ctx->nout; k++) {
    long long target = llround(ctx->t[k] / c.dt);
    for (; !rc && step < target; step++)
      rc = c.rbm ? mfh_nbody_step_rbm(sys, c.dt, ctx->rng, err) : mfh_nbody_step(sys, c.method, c.dt, err);
    if (!rc) rc = mfh_particles_put(sys, c.law.torus ? c.law.L : 0, &out[k], err);
    if (rc) break;
    double e = mfh_nbody_total_energy(sys);
    if (mfh_values_set(&out[k].scalars, "energy_drift", fabs(e - e0) / fmax(fabs(e0), 1e-300)))
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    if (!rc && c.klim) {
      double res, scale;
      rc = klimontovich(sys, &c, &pot, &res, &scale, err);
      if (!rc && (mfh_values_set(&out[k].scalars, "klim", res) ||
                  mfh_values_set(&out[k].scalars, "klim_scale", scale)))
        rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
  }
  mfh_nbody_destroy(sys);
  return rc;
}

/* Positions, velocities, their initial copies and forces (8 N d doubles);
 * per step the Gaussian pair sum is N^2/2 pairs at ~2 ns, the cosine one
 * O(N); Yoshida takes 3 force evaluations.  A twin, perturbed or refined
 * reference is a second part, estimated on its own. */
static int nbody_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double N = (double)mfh_params_int(p, "N"), d = (double)mfh_params_int(p, "dim");
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
  *bytes = 8 * 8 * N * d;
  double per_force = !strcmp(mfh_params_str(p, "potential"), "gaussian") ? 1e-9 * N * N * d : 2e-8 * N * d;
  double evals = !strcmp(mfh_params_str(p, "method"), "yoshida4") ? 3 : 1;
  *seconds = steps * per_force * evals;
  return MFH_OK;
}

const mfh_engine_type mfh_engine_nbody = {
    .name = "nbody",
    .doc = "classical N-body Newton system (coupling 1/N or 1/(N-1)) on the torus or R^d, d = 1..3, "
           "optionally by random batches",
    .method = "direct-sum forces (O(N) for the cosine); velocity Verlet / Yoshida 1990 triple jump; "
              "random batch method (Jin, Li & Liu 2020)",
    .version = 1,
    .params = nbody_params,
    .nparams = sizeof nbody_params / sizeof nbody_params[0],
    .validate = nbody_validate,
    .constants = nbody_constants,
    .declare = nbody_declare,
    .starts_from = "cloud",
    .initial = nbody_initial,
    .run = nbody_run,
    .estimate = nbody_estimate,
};
