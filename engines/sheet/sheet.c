/* `solver: sheet`: the 1D sheet model (V(x) = -|x|/2, coupling 1/N) against
 * its exact pressureless Euler-Poisson solution (THEOREMS.md section 1,
 * "Coulomb"; CEP-2, CEP-3), data rho_in = (3/4)(1 - x^2)_+, u_in = -beta x.
 *
 * N-body: velocity Verlet with the rank force (r - 1/2)/N - 1/2 (a sort per
 * step: insertion sort from the previous order, merge sort when the order
 * changed a lot; ties broken by index).  Between crossings the force is
 * constant and Verlet is exact, so with quantile data (no crossings before
 * breaking) nothing depends on dt.
 *
 * Values at every output time t (a stream parameter):
 *   K_N   (1/N) sum |v_j - u(t, x_j)|^2, u the exact Eulerian velocity
 *         (X(t, .) inverted by safeguarded Newton; outside the support the
 *         natural extension, zero-density characteristics);
 *   P_N   int (F_{mu_N} - F_rho(t))^2 dx, exact piecewise: F_{mu_N} is a
 *         step function, and on each step F_rho(t, x) = F_in(X^{-1}(t, x)),
 *         integrated in the Lagrangian variable (dx = X_a da) with 5-point
 *         Gauss-Legendre, exact for this polynomial integrand (degree 8);
 *   E_N = K_N + P_N, N2P = N^2 P_N, NE = N E_N;
 *   supp  |supp rho(t)| = X(t,1) - X(t,-1) (CEP-2: N2P -> supp/12);
 *   FF    int F_rho(t)(1 - F_rho(t)) dx (CEP-3: N E[E_N(0)] -> FF at t = 0,
 *         9/35 for this rho_in);
 *   L     sup_{s <= t} ||u_x(s)||_inf (closed form);
 *   ratio_up = E_N(t) / (e^{2Lt} E_N(0)), ratio_down = e^{-2Lt} E_N(0) / E_N(t)
 *         (CEP-3's pathwise two-sided bound: both <= 1).
 * Model constants (at the model's t): tbreak (beta > 0), supp, supp12,
 * FF, FF0 = 9/35, L. */
#include "engines/sheet/sheet.h"
#include "engines/ep1d/lagrange.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const mfh_param_def sheet_params[] = {
    {"N", MFH_PARAM_INT, "1000", 2, 1e7, 0, 0, NULL, "number of particles", MFH_PARAM_SAMPLED},
    {"init", MFH_PARAM_CHOICE, "quantile", 0, 0, 0, 0, "quantile|iid",
     "initial positions: x_r = F_in^{-1}((r - 1/2)/N) (deterministic) or i.i.d. from rho_in = "
     "(3/4)(1 - x^2)_+; velocities u_in(x) = -beta x", MFH_PARAM_SAMPLED},
    {"beta", MFH_PARAM_REAL, "0", -100, 100, 0, 0, NULL,
     "initial velocity u_in(x) = -beta x (beta > 0 focusing: breaking time 1/beta)", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "output time, before breaking (a sweep over t is one run per replica)", 1},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", 0},
};

/* ---- the exact reference ------------------------------------------------- */

double mfh_sheet_cdf(double a) {
  if (a <= -1) return 0;
  if (a >= 1) return 1;
  return (2 + 3 * a - a * a * a) / 4;
}

double mfh_sheet_density(double a) { return fabs(a) < 1 ? 0.75 * (1 - a * a) : 0; }

double mfh_sheet_quantile(double u) {
  if (u <= 0) return -1;
  if (u >= 1) return 1;
  return 2 * sin(asin(2 * u - 1) / 3);
}

/* F_in(a) - 1/2, the (time-independent) force on the characteristic a. */
static double force_of(double a) {
  if (a <= -1) return -0.5;
  if (a >= 1) return 0.5;
  return (3 * a - a * a * a) / 4;
}

static const mfh_ep1d_profile sheet_profile = {force_of, mfh_sheet_density, 0.75};

double mfh_sheet_X(double t, double a, double beta) { return mfh_ep1d_lag_X(&sheet_profile, t, a, beta); }

double mfh_sheet_Xa(double t, double a, double beta) { return mfh_ep1d_lag_Xa(&sheet_profile, t, a, beta); }

double mfh_sheet_U(double t, double a, double beta) { return mfh_ep1d_lag_U(&sheet_profile, t, a, beta); }

double mfh_sheet_label(double t, double x, double beta) {
  return mfh_ep1d_lag_label(&sheet_profile, t, x, beta);
}

double mfh_sheet_breaking_time(double beta) { return mfh_ep1d_lag_breaking_time(beta); }

double mfh_sheet_lip(double t, double beta) { return mfh_ep1d_lag_lip(&sheet_profile, t, beta); }

static const double gl_x[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831,
                                0.9061798459386640};
static const double gl_w[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889,
                                0.4786286704993665, 0.2369268850561891};

/* int_{a0}^{a1} (c - F_in(a))^2 X_a(t, a) da, [a0, a1] inside [-1, 1]. */
static double piece(double c, double a0, double a1, double t, double beta) {
  double h = 0.5 * (a1 - a0), m = 0.5 * (a1 + a0), s = 0;
  for (int i = 0; i < 5; i++) {
    double a = m + h * gl_x[i], d = c - mfh_sheet_cdf(a);
    s += gl_w[i] * d * d * mfh_sheet_Xa(t, a, beta);
  }
  return h * s;
}

double mfh_sheet_ff(double t, double beta) {
  double s = 0;
  for (int i = 0; i < 5; i++) {
    double F = mfh_sheet_cdf(gl_x[i]);
    s += gl_w[i] * F * (1 - F) * mfh_sheet_Xa(t, gl_x[i], beta);
  }
  return s;
}

double mfh_sheet_pn(const double *y, size_t n, double t, double beta) {
  double lo = mfh_sheet_X(t, -1, beta), hi = mfh_sheet_X(t, 1, beta), sum = 0;
  double p = -HUGE_VAL, ap = -1; /* left end of the current step and its label */
  for (size_t k = 0; k <= n; k++) {
    double c = (double)k / (double)n, q = k < n ? y[k] : HUGE_VAL;
    double aq = (q > lo && q < hi) ? mfh_sheet_label(t, q, beta) : (q <= lo ? -1 : 1);
    if (c > 0 && p < lo) sum += c * c * (fmin(q, lo) - p);
    if (c < 1 && q > hi) sum += (1 - c) * (1 - c) * (q - fmax(p, hi));
    double s = fmax(p, lo), e = fmin(q, hi);
    if (s < e) sum += piece(c, p > lo ? ap : -1, q < hi ? aq : 1, t, beta);
    p = q;
    ap = aq;
  }
  return sum;
}

/* ---- the N-body system --------------------------------------------------- */

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

/* ---- the registry entry ------------------------------------------------------ */

typedef struct cfg {
  size_t n;
  int iid;
  double beta, dt;
} cfg;

static void read_cfg(const mfh_params *p, cfg *c) {
  c->n = (size_t)mfh_params_int(p, "N");
  c->iid = !strcmp(mfh_params_str(p, "init"), "iid");
  c->beta = mfh_params_real(p, "beta");
  c->dt = mfh_params_real(p, "dt");
}

static int sheet_validate(const mfh_params *p, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  double t = mfh_params_real(p, "t"), tb = mfh_sheet_breaking_time(c.beta);
  if (!mfh_whole_steps(t, c.dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c.dt);
  if (!(t < tb))
    return mfh_param_reject(param, "t", err,
                            "t = %g is %s the breaking time %.3g = 1/beta of this initial data "
                            "(characteristics cross at the edges of the support; the exact reference "
                            "ends there)",
                            t, t == tb ? "at" : "past", tb);
  return MFH_OK;
}

static double supp_at(double t, double beta) { return mfh_sheet_X(t, 1, beta) - mfh_sheet_X(t, -1, beta); }

static int sheet_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  double t = mfh_params_real(p, "t"), tb = mfh_sheet_breaking_time(c.beta);
  int rc = 0;
  if (isfinite(tb)) rc |= mfh_values_set(out, "tbreak", tb);
  rc |= mfh_values_set(out, "supp", supp_at(t, c.beta));
  rc |= mfh_values_set(out, "supp12", supp_at(t, c.beta) / 12);
  rc |= mfh_values_set(out, "FF", mfh_sheet_ff(t, c.beta));
  rc |= mfh_values_set(out, "FF0", 9.0 / 35.0);
  rc |= mfh_values_set(out, "L", t < tb ? mfh_sheet_lip(t, c.beta) : HUGE_VAL);
  return rc ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

/* K_N and P_N of the system (x, v), perm sorted, at time t; y is workspace. */
static void measure(const cfg *c, double t, const double *x, const double *v, const size_t *perm, double *y,
                    double *K, double *P) {
  double k = 0;
  for (size_t j = 0; j < c->n; j++) {
    double d = v[j] - mfh_sheet_U(t, mfh_sheet_label(t, x[j], c->beta), c->beta);
    k += d * d;
  }
  *K = k / (double)c->n;
  for (size_t r = 0; r < c->n; r++) y[r] = x[perm[r]];
  *P = mfh_sheet_pn(y, c->n, t, c->beta);
}

static int sheet_run(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                     mfh_err *err) {
  (void)rng; /* no draws of the system's own: initial data come from task->init_rng */
  cfg c;
  read_cfg(p, &c);
  size_t n = c.n;
  double tb = mfh_sheet_breaking_time(c.beta);
  for (size_t k = 0; k < task->nstream; k++)
    if (!(task->stream[k] < tb))
      return mfh_err_set(err, MFH_EINPUT, "t = %g is past the breaking time %.3g", task->stream[k], tb);
  double *x = malloc(n * sizeof *x), *v = malloc(n * sizeof *v), *f = malloc(n * sizeof *f),
         *y = malloc(n * sizeof *y);
  size_t *perm = malloc(n * sizeof *perm), *tmp = malloc(n * sizeof *tmp);
  int rc = MFH_OK;
  if (!x || !v || !f || !y || !perm || !tmp) {
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
    goto done;
  }
  for (size_t j = 0; j < n; j++) {
    double u = c.iid ? gsl_rng_uniform(task->init_rng) : ((double)j + 0.5) / (double)n;
    x[j] = mfh_sheet_quantile(u);
    v[j] = -c.beta * x[j];
    perm[j] = j;
  }
  mfh_sheet_forces(x, n, perm, tmp, f);
  double K0, P0;
  measure(&c, 0, x, v, perm, y, &K0, &P0);
  double E0 = K0 + P0, dt = c.dt;
  long step = 0;
  for (size_t k = 0; k < task->nstream; k++) {
    double t = task->stream[k];
    long target = lround(t / dt);
    for (; step < target; step++) {
      for (size_t j = 0; j < n; j++) {
        v[j] += 0.5 * dt * f[j];
        x[j] += dt * v[j];
      }
      mfh_sheet_forces(x, n, perm, tmp, f);
      for (size_t j = 0; j < n; j++) v[j] += 0.5 * dt * f[j];
    }
    double K, P;
    measure(&c, t, x, v, perm, y, &K, &P);
    double E = K + P, L = mfh_sheet_lip(t, c.beta), g = exp(2 * L * t), N = (double)n;
    if (!isfinite(E) || !isfinite(K)) {
      rc = mfh_err_set(err, MFH_ENUMERIC, "non-finite modulated energy at t = %g", t);
      goto done;
    }
    mfh_values *o = &out[k].values;
    int s = 0;
    s |= mfh_values_set(o, "K_N", K);
    s |= mfh_values_set(o, "P_N", P);
    s |= mfh_values_set(o, "E_N", E);
    s |= mfh_values_set(o, "N2P", N * N * P);
    s |= mfh_values_set(o, "NE", N * E);
    s |= mfh_values_set(o, "supp", supp_at(t, c.beta));
    s |= mfh_values_set(o, "FF", mfh_sheet_ff(t, c.beta));
    s |= mfh_values_set(o, "L", L);
    s |= mfh_values_set(o, "ratio_up", E / (g * E0));
    s |= mfh_values_set(o, "ratio_down", E0 / (g * E));
    if (s) {
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      goto done;
    }
  }
done:
  free(x);
  free(v);
  free(f);
  free(y);
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

const mfh_solver_type mfh_solver_sheet = {
    .name = "sheet",
    .doc = "1D sheet model (V = -|x|/2, coupling 1/N) vs exact pressureless Euler-Poisson, rho_in = "
           "(3/4)(1 - x^2)_+, u_in = -beta x: modulated energy K_N + P_N (CEP-2, CEP-3)",
    .reference = "velocity Verlet with the rank force (exact between crossings); Lagrangian exact "
                 "solution X(t,a) = a + u_in(a) t + (F_in(a) - 1/2) t^2/2 (THEOREMS.md CEP-2)",
    .version = 1,
    .params = sheet_params,
    .nparams = sizeof sheet_params / sizeof sheet_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = sheet_validate,
    .constants = sheet_constants,
    .run = sheet_run,
    .prepare = NULL,
    .release = NULL,
    .estimate = sheet_estimate,
};
