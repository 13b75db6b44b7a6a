/* Engine `sheet`: the 1D sheet model (V(x) = -|x|/2, coupling 1/N;
 * THEOREMS.md section 1, "Coulomb"; CEP-2, CEP-3) from data drawn from
 * rho_in = (3/4)(1 - x^2)_+ with velocities u_in = -beta x.
 *
 * Initial data (initial(), from the initial data's stream): x_j =
 * F_in^{-1}(u_j) with u_j = (j + 1/2)/N (quantile: deterministic) or
 * i.i.d. uniform (iid), v_j = -beta x_j.  Dynamics: velocity Verlet with the
 * rank force (r - 1/2)/N - 1/2 (a sort per step: insertion sort from the
 * previous order, merge sort when the order changed a lot; ties broken by
 * index).  Between crossings the force is constant and Verlet is exact, so
 * with quantile data (no crossings before breaking) nothing depends on dt.
 *
 * Output at every time t: the item "particles" (a phase-space cloud, d = 1:
 * x_j then v_j), nothing else; the modulated energy against the exact
 * Euler-Poisson solution is the observable modulated_energy against the
 * engine `ep1d` (same beta, rho_in parabolic).  Model constants (of the data
 * and its exact solution at the model's t): tbreak (beta > 0), supp, supp12
 * = supp/12, FF = int F_rho(t)(1 - F_rho(t)), FF0 = 9/35 (its value at
 * t = 0), L = sup_{s <= t} ||u_x(s)||_inf. */
#include "engines/sheet/sheet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "engines/ep1d/lagrange.h"

static const mfh_param_def sheet_params[] = {
    {"N", MFH_PARAM_INT, "1000", 2, 1e7, 0, 0, NULL, "number of particles", MFH_PARAM_SAMPLED},
    {"init", MFH_PARAM_CHOICE, "quantile", 0, 0, 0, 0, "quantile|iid",
     "initial positions: x_r = F_in^{-1}((r - 1/2)/N) (deterministic) or i.i.d. from rho_in = "
     "(3/4)(1 - x^2)_+; velocities u_in(x) = -beta x", MFH_PARAM_SAMPLED},
    {"beta", MFH_PARAM_REAL, "0", -100, 100, 0, 0, NULL,
     "initial velocity u_in(x) = -beta x (beta > 0 focusing: breaking time 1/beta)", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run per replica)",
     MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", MFH_PARAM_STEP},
};

/* ---- the rank force ------------------------------------------------------- */

static int before(const double *x, size_t i, size_t j) { return x[i] < x[j] || (x[i] == x[j] && i < j); }

static void merge_sort(const double *x, size_t n, size_t *perm, size_t *tmp) {
  size_t *src = perm, *dst = tmp;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = before(x, src[j], src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    size_t *sw = src;
    src = dst;
    dst = sw;
  }
  if (src != perm) memcpy(perm, src, n * sizeof *perm);
}

int mfh_sheet_forces(const double *x, size_t n, size_t *perm, size_t *tmp, double *f) {
  if (n == 0) return MFH_EINPUT;
  size_t moves = 0, limit = 16 * n + 64;
  int done = 1;
  for (size_t i = 1; i < n && done; i++) {
    size_t key = perm[i], j = i;
    while (j > 0 && before(x, key, perm[j - 1])) {
      perm[j] = perm[j - 1];
      j--;
      if (++moves > limit) break;
    }
    perm[j] = key;
    if (moves > limit) done = 0;
  }
  if (!done) merge_sort(x, n, perm, tmp);
  for (size_t r = 0; r < n; r++) f[perm[r]] = ((double)r + 0.5) / (double)n - 0.5;
  return MFH_OK;
}

/* ---- the engine ------------------------------------------------------------ */

static int sheet_validate(const mfh_params *p, const char **param, mfh_err *err) {
  double t = mfh_params_real(p, "t"), dt = mfh_params_real(p, "dt");
  if (!mfh_whole_steps(t, dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, dt);
  return MFH_OK;
}

static int sheet_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  const mfh_ep1d_profile *prof = &mfh_ep1d_parabolic;
  double beta = mfh_params_real(p, "beta"), t = mfh_params_real(p, "t"), tb = mfh_ep1d_lag_breaking_time(beta);
  double supp = mfh_ep1d_lag_supp(prof, t, beta);
  int rc = 0;
  if (isfinite(tb)) rc |= mfh_values_set(out, "tbreak", tb);
  rc |= mfh_values_set(out, "supp", supp);
  rc |= mfh_values_set(out, "supp12", supp / 12);
  rc |= mfh_values_set(out, "FF", mfh_ep1d_lag_ff(prof, t, beta));
  rc |= mfh_values_set(out, "FF0", 9.0 / 35.0);
  rc |= mfh_values_set(out, "L", t < tb ? mfh_ep1d_lag_lip(prof, t, beta) : HUGE_VAL);
  return rc ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

static int sheet_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  return mfh_decl_item(d, "particles", &mfh_kind_cloud) ? mfh_err_set(err, MFH_EINTERNAL, "sheet: bad declaration")
                                                        : MFH_OK;
}

/* The particles: x_j = F_in^{-1}(u_j) (u_j quantile or uniform draws from
 * init_rng, in index order), v_j = -beta x_j. */
static int sheet_initial(const mfh_params *p, gsl_rng *init_rng, mfh_state *s0, mfh_err *err) {
  size_t n = (size_t)mfh_params_int(p, "N");
  int iid = !strcmp(mfh_params_str(p, "init"), "iid");
  double beta = mfh_params_real(p, "beta");
  mfh_cloud *c = mfh_cloud_new(n, 2);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
  c->d = 1;
  for (size_t j = 0; j < n; j++) {
    double u = iid ? gsl_rng_uniform(init_rng) : ((double)j + 0.5) / (double)n;
    c->x[2 * j] = mfh_ep1d_parabolic_quantile(u);
    c->x[2 * j + 1] = -beta * c->x[2 * j];
  }
  return mfh_state_put(s0, "particles", &mfh_kind_cloud, c, err);
}

/* A copy of the particles (x, v) as a phase-space cloud. */
static int put_cloud(mfh_state *s, size_t n, const double *x, const double *v, mfh_err *err) {
  mfh_cloud *c = mfh_cloud_new(n, 2);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
  c->d = 1;
  for (size_t j = 0; j < n; j++) {
    c->x[2 * j] = x[j];
    c->x[2 * j + 1] = v[j];
  }
  return mfh_state_put(s, "particles", &mfh_kind_cloud, c, err);
}

static int sheet_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  const mfh_cloud *c0 = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_cloud, NULL) : NULL;
  if (!c0 || c0->d != 1 || c0->dim != 2 || c0->w || c0->period > 0 || c0->n < 1)
    return mfh_err_set(err, MFH_EINPUT, "sheet: needs an unweighted phase-space cloud on the line (d = 1)");
  size_t n = c0->n;
  double dt = mfh_params_real(p, "dt");
  double *x = malloc(n * sizeof *x), *v = malloc(n * sizeof *v), *f = malloc(n * sizeof *f);
  size_t *perm = malloc(n * sizeof *perm), *tmp = malloc(n * sizeof *tmp);
  int rc = MFH_OK;
  if (!x || !v || !f || !perm || !tmp) {
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
    goto done;
  }
  for (size_t j = 0; j < n; j++) {
    x[j] = c0->x[2 * j];
    v[j] = c0->x[2 * j + 1];
    perm[j] = j;
  }
  mfh_sheet_forces(x, n, perm, tmp, f);
  long step = 0;
  for (size_t k = 0; k < ctx->nout; k++) {
    long target = lround(ctx->t[k] / dt);
    for (; step < target; step++) {
      for (size_t j = 0; j < n; j++) {
        v[j] += 0.5 * dt * f[j];
        x[j] += dt * v[j];
      }
      mfh_sheet_forces(x, n, perm, tmp, f);
      for (size_t j = 0; j < n; j++) v[j] += 0.5 * dt * f[j];
    }
    if ((rc = put_cloud(&out[k], n, x, v, err))) goto done;
  }
done:
  free(x);
  free(v);
  free(f);
  free(perm);
  free(tmp);
  return rc;
}

/* A few arrays of N doubles; a sort per step. */
static int sheet_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double N = (double)mfh_params_int(p, "N");
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
  *bytes = 8 * 8 * N;
  *seconds = 5e-8 * N * log2(N + 2) * (steps + 1);
  return MFH_OK;
}

const mfh_engine_type mfh_engine_sheet = {
    .name = "sheet",
    .doc = "1D sheet model (V = -|x|/2, coupling 1/N) from quantile or i.i.d. data of (3/4)(1 - x^2)_+, "
           "velocities -beta x: a phase-space cloud (CEP-2, CEP-3)",
    .method = "velocity Verlet with the rank force (r - 1/2)/N - 1/2 (exact between crossings); insertion "
              "sort from the previous order, merge sort fallback (THEOREMS.md CEP-2)",
    .version = 1,
    .params = sheet_params,
    .nparams = sizeof sheet_params / sizeof sheet_params[0],
    .validate = sheet_validate,
    .constants = sheet_constants,
    .declare = sheet_declare,
    .starts_from = "cloud",
    .initial = sheet_initial,
    .run = sheet_run,
    .estimate = sheet_estimate,
};
