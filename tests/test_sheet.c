/* Tests for engines/sheet/: the 1D sheet model and its exact Euler-Poisson
 * reference (THEOREMS.md CEP-2, CEP-3).
 *
 * Independent references: the brute-force pair sum -(1/N) sum_k V'(x_j - x_k)
 * with V = -|x|/2; the closed-form Lagrangian trajectories; a brute-force
 * midpoint quadrature of int (F_N - F_rho)^2 dx; the closed form
 * int F(1-F) dx = 9/35 for rho_in = (3/4)(1 - x^2)_+. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/status.h"
#include "core/values.h"
#include "engines/sheet/sheet.h"
#include "tests/testutil.h"

static mfh_params with(const char *list) { return mfh_test_params(&mfh_solver_sheet, list); }
static void run_ok(const mfh_params *ps, size_t n, const double *times, mfh_state *out) {
  mfh_test_solver_run(&mfh_solver_sheet, ps, n, times, 7, out);
}
static double value(const mfh_state *s, const char *name) { return mfh_test_value(s, name); }

/* Rank force against the brute-force pair sum, sign included: the rightmost
 * particle is pushed right (repulsion). */
START_TEST(force_vs_pair_sum) {
  enum { N = 9 };
  gsl_rng *rng = mfh_rng_alloc(11);
  double x[N], f[N];
  size_t perm[N], tmp[N];
  for (int rep = 0; rep < 20; rep++) {
    for (size_t j = 0; j < N; j++) {
      x[j] = 4 * gsl_rng_uniform(rng) - 2;
      perm[j] = j;
    }
    ck_assert_int_eq(mfh_sheet_forces(x, N, perm, tmp, f), MFH_OK);
    for (size_t j = 0; j < N; j++) {
      double s = 0; /* -V'(d) = sign(d)/2 for V = -|x|/2 */
      for (size_t k = 0; k < N; k++) {
        double d = x[j] - x[k];
        s += 0.5 * ((d > 0) - (d < 0));
      }
      ck_assert_double_eq_tol(f[j], s / N, 1e-15);
    }
    for (size_t r = 1; r < N; r++) ck_assert(x[perm[r - 1]] <= x[perm[r]]);
  }
  size_t imax = 0;
  for (size_t j = 1; j < N; j++)
    if (x[j] > x[imax]) imax = j;
  ck_assert(f[imax] > 0);
  gsl_rng_free(rng);
}
END_TEST

/* Quantile data follow the exact Lagrangian trajectories (Verlet by hand). */
START_TEST(quantile_follows_exact) {
  enum { N = 200 };
  double beta = 0.5, dt = 0.01, x[N], v[N], f[N], a[N];
  size_t perm[N], tmp[N];
  for (size_t j = 0; j < N; j++) {
    a[j] = mfh_sheet_quantile((j + 0.5) / N);
    x[j] = a[j];
    v[j] = -beta * a[j];
    perm[j] = j;
  }
  mfh_sheet_forces(x, N, perm, tmp, f);
  for (int s = 0; s < 190; s++) { /* t = 1.9 < breaking time 2 */
    for (size_t j = 0; j < N; j++) {
      v[j] += 0.5 * dt * f[j];
      x[j] += dt * v[j];
    }
    mfh_sheet_forces(x, N, perm, tmp, f);
    for (size_t j = 0; j < N; j++) v[j] += 0.5 * dt * f[j];
  }
  double t = 190 * dt;
  for (size_t j = 0; j < N; j++) {
    ck_assert_double_eq_tol(x[j], mfh_sheet_X(t, a[j], beta), 1e-12);
    ck_assert_double_eq_tol(v[j], mfh_sheet_U(t, a[j], beta), 1e-12);
    ck_assert_double_eq_tol(mfh_sheet_label(t, x[j], beta), a[j], 1e-12);
  }
}
END_TEST

/* Through the registry: K_N = 0 and no dt dependence (one step vs 1000). */
START_TEST(no_dt_dependence) {
  double t = 1, E[3];
  const char *dts[3] = {"1", "0.01", "0.001"};
  for (int i = 0; i < 3; i++) {
    char buf[128];
    snprintf(buf, sizeof buf, "N=512 beta=0.5 dt=%s", dts[i]);
    mfh_params ps = with(buf);
    mfh_state st;
    run_ok(&ps, 1, &t, &st);
    ck_assert(value(&st, "K_N") < 1e-24);
    E[i] = value(&st, "E_N");
    ck_assert_double_eq_tol(value(&st, "supp"), 1.5, 1e-15);
    mfh_state_free(&st);
    mfh_params_free(&ps);
  }
  ck_assert_double_eq_tol(E[1], E[0], 1e-12 * E[0]);
  ck_assert_double_eq_tol(E[2], E[0], 1e-12 * E[0]);
}
END_TEST

/* P_N against a brute-force midpoint rule on a fine grid. */
START_TEST(pn_vs_quadrature) {
  enum { N = 7 };
  gsl_rng *rng = mfh_rng_alloc(5);
  double ts[2] = {0, 1.2}, beta = 0.3;
  for (int it = 0; it < 2; it++) {
    double t = ts[it], y[N];
    for (size_t j = 0; j < N; j++) y[j] = 3.2 * gsl_rng_uniform(rng) - 1.6; /* some outside the support */
    for (size_t i = 1; i < N; i++)
      for (size_t k = i; k > 0 && y[k] < y[k - 1]; k--) {
        double s = y[k];
        y[k] = y[k - 1];
        y[k - 1] = s;
      }
    double P = mfh_sheet_pn(y, N, t, beta);
    double lo = fmin(y[0], mfh_sheet_X(t, -1, beta)) - 0.1, hi = fmax(y[N - 1], mfh_sheet_X(t, 1, beta)) + 0.1;
    size_t M = 2000000;
    double h = (hi - lo) / (double)M, s = 0;
    for (size_t i = 0; i < M; i++) {
      double xx = lo + (i + 0.5) * h, FN = 0;
      for (size_t j = 0; j < N; j++) FN += y[j] <= xx;
      double d = FN / N - mfh_sheet_cdf(mfh_sheet_label(t, xx, beta));
      s += d * d * h;
    }
    ck_assert_msg(fabs(P - s) < 1e-6 * s, "t = %g: P_N %.12g vs quadrature %.12g", t, P, s);
  }
  /* int F(1-F) dx = 9/35 at t = 0; E[P_N(0)] is that over N */
  ck_assert_double_eq_tol(mfh_sheet_ff(0, 0), 9.0 / 35.0, 1e-15);
  gsl_rng_free(rng);
}
END_TEST

START_TEST(breaking_time_refused) {
  mfh_params ps = with("beta=0.5 t=3 dt=0.01");
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_solver_sheet.validate(&ps, &bad, &err), MFH_EINPUT);
  ck_assert_str_eq(bad, "t");
  ck_assert_msg(strstr(err.msg, "past the breaking time 2") != NULL, "%s", err.msg);
  mfh_params_free(&ps);
  ps = with("beta=0.5 t=1.99 dt=0.01");
  ck_assert_int_eq(mfh_solver_sheet.validate(&ps, &bad, &err), MFH_OK);
  mfh_params_free(&ps);
  ps = with("beta=0 t=50 dt=0.01"); /* never breaks */
  ck_assert_int_eq(mfh_solver_sheet.validate(&ps, &bad, &err), MFH_OK);
  mfh_params_free(&ps);
}
END_TEST

/* A stream run equals separate runs bit for bit (i.i.d. data, crossings). */
START_TEST(stream_bit_identical) {
  mfh_params ps = with("N=300 init=iid beta=0.5 dt=0.01");
  double times[3] = {0, 0.5, 1.5};
  mfh_state all[3];
  run_ok(&ps, 3, times, all);
  const char *names[] = {"K_N", "P_N", "E_N", "ratio_up", "ratio_down", "L", "FF"};
  for (int k = 0; k < 3; k++) {
    mfh_state one;
    run_ok(&ps, 1, &times[k], &one);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      ck_assert_msg(memcmp(mfh_values_get(&one.values, names[i]), mfh_values_get(&all[k].values, names[i]),
                           sizeof(double)) == 0,
                    "%s at t = %g differs", names[i], times[k]);
    ck_assert(value(&one, "ratio_up") <= 1 && value(&one, "ratio_down") <= 1);
    mfh_state_free(&one);
  }
  for (int k = 0; k < 3; k++) mfh_state_free(&all[k]);
  mfh_params_free(&ps);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("sheet");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, force_vs_pair_sum);
  tcase_add_test(tc, quantile_follows_exact);
  tcase_add_test(tc, no_dt_dependence);
  tcase_add_test(tc, pn_vs_quadrature);
  tcase_add_test(tc, breaking_time_refused);
  tcase_add_test(tc, stream_bit_identical);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
