/* Engine `coulomb3d`: the 3D Coulomb N-body system (V = 1/(4 pi |x|),
 * coupling 1/N, no softening) from N i.i.d. points of the Gaussian rho_in
 * (per-axis variance sigma^2) at rest (THEOREMS.md section 1 "Coulomb",
 * CEP-1, CEP-4).  Its mean-field limit, the radial pressureless
 * Euler-Poisson explosion from (rho_in, u_in = 0), is the engine `ep3d`
 * (ep3d.c); the modulated energy between the two is the observable
 * modulated_energy.
 *
 * Initial data (initial(), from the initial data's stream): the 3N
 * coordinates gsl_ran_gaussian(sigma) in particle order, velocities 0.
 * Dynamics: velocity Verlet with a fixed step dt (pairs.c); the pair
 * potential is computed with the forces at every step (5% extra) for the
 * energy drift and the modulated energy.
 *
 * Output at every time t: the item "particles" (a phase-space cloud, d = 3:
 * x_j then v_j) and the scalars
 *   pair_energy  (1/N^2) sum_{i != j} V(x_i - x_j) (what the modulated
 *                energy's potential part P_N = pair_energy - (2/N) sum_i
 *                phi(x_i) + int rho phi needs);
 *   drift        max over the steps s <= t of |H(s) - H(0)| / |H(0)|,
 *                H = sum |xi|^2 / (2N) + (1/(2N^2)) sum_{i != j} V.
 * Model constants: tcross (first shell crossing of the mean-field
 * solution), D0 = int int V rho_in rho_in = 1/(4 pi^{3/2} sigma), mD0 = -D0,
 * C_O = MFH_C3_ONSAGER, rho0 = ||rho_in||_inf, LB0 = C_O rho0^{1/3}.
 *
 * The lower bound (derived; Onsager 1939, Lieb & Narnhofer 1975): write
 * W = (N^2/2) P_N = sum_{i<j} V(x_i - x_j) - sum_i (V * n)(x_i) + (1/2) D(n, n),
 * n = N rho, D(f, g) = int int V f g.  Smear each point into the uniform
 * ball nu_i of radius r; D(sum nu_i - n, sum nu_i - n) >= 0, Newton's
 * theorem (V(x_i - x_j) >= D(nu_i, nu_j)) and 0 <= (V * n)(x_i) - D(nu_i, n)
 * <= ||n||_inf int (V - V * nu) = ||n||_inf r^2 / 10 give
 * W >= -N (3 / (5 4 pi r) + ||n||_inf r^2 / 10); the optimal r^3 = 3 / (4 pi ||n||_inf)
 * gives W >= -N (9/10) / (4 pi r), i.e.
 * P_N >= -(9/10)(2 / (4 pi)) (4 pi / 3)^{1/3} ||rho||_inf^{1/3} N^{-2/3}
 * = -0.2309 ||rho||_inf^{1/3} N^{-2/3}, for every configuration and every
 * bounded rho (not only uniform backgrounds).  A bcc crystal reaches 0.9959
 * of it (Madelung -0.895929).  Studies measure the ratio as a derived
 * measure: -N^{2/3} P_N / (C_O ||rho(t)||_inf^{1/3}) <= 1. */
#include "engines/coulomb3d/coulomb3d.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/kinds.h"
#include "engines/coulomb3d/pairs.h"
#include "engines/coulomb3d/radial.h"

static const mfh_param_def c3_params[] = {
    {"N", MFH_PARAM_INT, "1000", 2, 1e6, 0, 0, NULL, "number of particles", MFH_PARAM_SAMPLED},
    {"sigma", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL,
     "initial density: Gaussian with per-axis variance sigma^2 (mass 1), velocities 0", MFH_PARAM_SAMPLED},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run per replica)",
     MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "velocity Verlet step (t must be a multiple of it)",
     MFH_PARAM_STEP},
    {"threads", MFH_PARAM_INT, "1", 1, 256, 0, 0, NULL,
     "OpenMP threads for the pair sums (results do not depend on it)", 0},
};

static int c3_validate(const mfh_params *p, const char **param, mfh_err *err) {
  double t = mfh_params_real(p, "t"), dt = mfh_params_real(p, "dt"), sigma = mfh_params_real(p, "sigma");
  if (!mfh_whole_steps(t, dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, dt);
  double tscale = sigma * sqrt(sigma);
  if (dt > 0.1 * tscale)
    return mfh_param_reject(param, "dt", err,
                            "dt = %g is too coarse: the explosion evolves on times ~ sigma^{3/2} = %g and "
                            "the closest initial pairs much faster; use dt <= 0.1 sigma^{3/2}",
                            dt, tscale);
  return MFH_OK;
}

static int c3_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  double sigma = mfh_params_real(p, "sigma"), tc, ac;
  int rc = mfh_radial_crossing(sigma, &tc, &ac, err);
  if (rc) return rc;
  double D0 = mfh_radial_self_energy0(sigma), rho0 = mfh_radial_density0(0, sigma);
  rc |= mfh_values_set(out, "tcross", tc);
  rc |= mfh_values_set(out, "D0", D0);
  rc |= mfh_values_set(out, "mD0", -D0);
  rc |= mfh_values_set(out, "C_O", MFH_C3_ONSAGER);
  rc |= mfh_values_set(out, "rho0", rho0);
  rc |= mfh_values_set(out, "LB0", MFH_C3_ONSAGER * cbrt(rho0));
  return rc ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

static int c3_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  int rc = mfh_decl_item(d, "particles", &mfh_kind_cloud);
  if (!rc) rc = mfh_decl_scalars(d, "pair_energy drift");
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "coulomb3d: bad declaration") : MFH_OK;
}

/* The particles: 3N draws gsl_ran_gaussian(init_rng, sigma) in particle
 * order (x_0, y_0, z_0, x_1, ...), at rest. */
static int c3_initial(const mfh_params *p, gsl_rng *init_rng, mfh_state *s0, mfh_err *err) {
  size_t n = (size_t)mfh_params_int(p, "N");
  double sigma = mfh_params_real(p, "sigma");
  mfh_cloud *c = mfh_cloud_new(n, 6);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
  c->d = 3;
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < 3; i++) {
      c->x[6 * j + (size_t)i] = gsl_ran_gaussian(init_rng, sigma);
      c->x[6 * j + 3 + (size_t)i] = 0.0;
    }
  return mfh_state_put(s0, "particles", &mfh_kind_cloud, c, err);
}

/* The system's particles as a phase-space cloud, with its scalars. */
static int put_state(const mfh_c3 *s, double pair, double drift, mfh_state *out, mfh_err *err) {
  size_t n = mfh_c3_size(s);
  mfh_cloud *c = mfh_cloud_new(n, 6);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
  c->d = 3;
  for (int i = 0; i < 3; i++) {
    const double *x = mfh_c3_x(s, i), *v = mfh_c3_v(s, i);
    for (size_t j = 0; j < n; j++) {
      c->x[6 * j + (size_t)i] = x[j];
      c->x[6 * j + 3 + (size_t)i] = v[j];
    }
  }
  int rc = mfh_state_put(out, "particles", &mfh_kind_cloud, c, err);
  if (!rc && (mfh_values_set(&out->scalars, "pair_energy", pair) || mfh_values_set(&out->scalars, "drift", drift)))
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return rc;
}

static int c3_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  const mfh_cloud *c0 = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_cloud, NULL) : NULL;
  if (!c0 || c0->d != 3 || c0->dim != 6 || c0->w || c0->period > 0 || c0->n < 2)
    return mfh_err_set(err, MFH_EINPUT, "coulomb3d: needs an unweighted phase-space cloud of N >= 2 particles in R^3");
  size_t n = c0->n;
  double dt = mfh_params_real(p, "dt"), N = (double)n;
  double *x0 = malloc(3 * n * sizeof *x0), *v0 = malloc(3 * n * sizeof *v0);
  mfh_c3 *s = NULL;
  int rc = (x0 && v0) ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
  for (size_t j = 0; !rc && j < n; j++)
    for (size_t i = 0; i < 3; i++) {
      x0[3 * j + i] = c0->x[6 * j + i];
      v0[3 * j + i] = c0->x[6 * j + 3 + i];
    }
  if (!rc) rc = mfh_c3_create(n, 1.0 / N, &s, err);
  if (!rc) rc = mfh_c3_set_threads(s, (int)mfh_params_int(p, "threads"), err);
  if (!rc) rc = mfh_c3_set_state(s, x0, v0, err);
  double pot = 0;
  if (!rc) rc = mfh_c3_forces(s, &pot, err);
  if (rc) goto done;
  double H0 = pot / (2 * N * N), drift = 0;
  long step = 0;
  for (size_t k = 0; k < ctx->nout; k++) {
    long target = lround(ctx->t[k] / dt);
    for (; step < target; step++) {
      if ((rc = mfh_c3_step(s, dt, &pot, err))) goto done;
      double H = mfh_c3_kinetic(s) / N + pot / (2 * N * N);
      drift = fmax(drift, fabs(H - H0) / fabs(H0));
      if (!isfinite(H)) {
        rc = mfh_err_set(err, MFH_ENUMERIC, "coulomb3d: non-finite energy at step %ld", step + 1);
        goto done;
      }
    }
    if ((rc = put_state(s, pot / (N * N), drift, &out[k], err))) goto done;
  }
done:
  mfh_c3_destroy(s);
  free(x0);
  free(v0);
  return rc;
}

/* Positions, velocities, forces of N particles in 3D; the direct sum is
 * N^2/2 pairs at ~3 ns per step (a refined reference is a second part,
 * estimated on its own). */
static int c3_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double N = (double)mfh_params_int(p, "N");
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
  *bytes = 12 * 3 * 8 * N;
  *seconds = 1.5e-9 * N * N * (steps + 1);
  return MFH_OK;
}

const mfh_engine_type mfh_engine_coulomb3d = {
    .name = "coulomb3d",
    .doc = "3D Coulomb N-body (V = 1/(4 pi |x|), coupling 1/N, no softening) from i.i.d. Gaussian points at rest: "
           "a phase-space cloud, its pair energy and energy drift (CEP-1, CEP-4)",
    .method = "direct O(N^2) pair sum (fixed summation order, any thread count), velocity Verlet "
              "(THEOREMS.md CEP-4)",
    .version = 1,
    .params = c3_params,
    .nparams = sizeof c3_params / sizeof c3_params[0],
    .validate = c3_validate,
    .constants = c3_constants,
    .declare = c3_declare,
    .starts_from = "cloud",
    .initial = c3_initial,
    .run = c3_run,
    .estimate = c3_estimate,
};
