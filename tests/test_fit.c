/* Tests for core/fit: exact power laws, the power-log model, weights,
 * interval coverage on synthetic noise, pre-asymptotic exclusion, every
 * flag, local orders and the plotting helpers. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/fit.h"
#include "tests/testutil.h"

#define NMAX 64

/* x_i = 2^(4+i) (N = 16, 32, ...), y_i = c x_i^s */
static void power_law(size_t n, double c, double s, double *x, double *y) {
  for (size_t i = 0; i < n; i++) {
    x[i] = ldexp(1.0, 4 + (int)i);
    y[i] = c * pow(x[i], s);
  }
}

static mfh_fit_opts opts_with(int model, int dir) {
  mfh_fit_opts o;
  mfh_fit_opts_default(&o);
  o.model = model;
  o.refine_dir = dir;
  return o;
}

static void fit_ok(size_t n, const double *x, const double *y, const double *yerr,
                   const mfh_fit_opts *o, mfh_fit_result *r) {
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_fit_rate(n, x, y, yerr, o, r, &err);
  ck_assert_msg(st == MFH_OK, "fit failed: %s", err.msg);
}

START_TEST(test_defaults) {
  mfh_fit_opts o;
  memset(&o, 0x5a, sizeof o);
  mfh_fit_opts_default(&o);
  ck_assert_int_eq(o.model, MFH_FIT_POWER);
  ck_assert_int_eq(o.refine_dir, 1);
  ck_assert_uint_eq(o.exclude_leading, 0);
  ck_assert_int_eq(o.auto_exclude, 0);
  ck_assert_double_eq(o.level, 0.95);
}
END_TEST

START_TEST(test_exact_power_unweighted) {
  double x[8], y[8];
  power_law(8, 3.0, -0.5, x, y);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n, 8);
  ck_assert_uint_eq(r.n_used, 8);
  ck_assert_int_eq(r.weighted, 0);
  ck_assert_uint_eq(r.flags, 0);
  ck_assert_double_eq_tol(r.slope, -0.5, 1e-13);
  ck_assert_double_eq_tol(r.intercept, log(3.0), 1e-12);
  ck_assert(r.slope_hi - r.slope_lo < 1e-12);
  ck_assert(r.slope_lo <= r.slope && r.slope <= r.slope_hi);
  ck_assert_double_eq_tol(r.t_crit, gsl_cdf_tdist_Pinv(0.975, 6), 1e-12);
  ck_assert_double_eq_tol(r.t_crit, 2.446911851, 1e-8);
  ck_assert_double_eq_tol(r.r2, 1.0, 1e-12);
  ck_assert(isnan(r.chi2_dof));
  ck_assert_double_eq(r.level, 0.95);
  for (size_t i = 0; i < 8; i++) ck_assert_int_eq(r.used[i], 1);
  for (size_t i = 0; i < 7; i++) ck_assert_double_eq_tol(r.local[i], -0.5, 1e-13);
  ck_assert_str_eq(r.note, "");
  ck_assert_double_eq_tol(mfh_fit_predict(&r, 100.0), 3.0 / 10.0, 1e-12);
  ck_assert(mfh_fit_band_halfwidth_log(&r, 100.0) < 1e-12);
  mfh_fit_result_free(&r);
  ck_assert_ptr_null(r.used);
  ck_assert_ptr_null(r.local);
}
END_TEST

START_TEST(test_exact_power_weighted) {
  /* equal relative errors 1%: the slope's standard error is 0.01/sqrt(Sxx)
   * (chi2 = 0, so the Birge factor is 1) */
  double x[8], y[8], e[8];
  power_law(8, 0.7, -1.0, x, y);
  for (int i = 0; i < 8; i++) e[i] = 0.01 * y[i];
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(8, x, y, e, &o, &r);
  ck_assert_int_eq(r.weighted, 1);
  ck_assert_uint_eq(r.flags, 0);
  ck_assert_double_eq_tol(r.slope, -1.0, 1e-12);
  ck_assert_double_eq_tol(r.intercept, log(0.7), 1e-11);
  ck_assert(r.chi2_dof < 1e-20);
  double xm = 0, sxx = 0;
  for (int i = 0; i < 8; i++) xm += log(x[i]) / 8;
  for (int i = 0; i < 8; i++) sxx += (log(x[i]) - xm) * (log(x[i]) - xm);
  ck_assert_double_eq_tol(r.slope_se, 0.01 / sqrt(sxx), 1e-14);
  ck_assert_double_eq_tol(r.slope_hi - r.slope_lo, 2 * r.t_crit * 0.01 / sqrt(sxx), 1e-13);
  /* intercept variance (1/W)(1 + xm^2/sxx_w) with W = 8/0.01^2 */
  ck_assert_double_eq_tol(r.intercept_se, 0.01 * sqrt((1 + xm * xm / (sxx / 8)) / 8), 1e-13);
  ck_assert_double_eq_tol(r.cov, -xm * 1e-4 / sxx, 1e-14);
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_level) {
  double x[6], y[6];
  power_law(6, 1.0, -2.0, x, y);
  y[2] *= 1.1; /* some scatter */
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result a, b;
  fit_ok(6, x, y, NULL, &o, &a);
  o.level = 0.99;
  fit_ok(6, x, y, NULL, &o, &b);
  ck_assert_double_eq_tol(b.t_crit, gsl_cdf_tdist_Pinv(0.995, 4), 1e-12);
  ck_assert_double_eq(a.slope, b.slope);
  ck_assert(b.slope_hi - b.slope_lo > a.slope_hi - a.slope_lo);
  ck_assert_double_eq_tol((b.slope_hi - b.slope_lo) / (a.slope_hi - a.slope_lo),
                          b.t_crit / a.t_crit, 1e-12);
  mfh_fit_result_free(&a);
  mfh_fit_result_free(&b);
}
END_TEST

START_TEST(test_power_log_model) {
  /* y = 2 N^-0.5 log N: the power-log model recovers -0.5, the plain power
   * model sees a shallower apparent slope */
  double x[8], y[8];
  for (int i = 0; i < 8; i++) {
    x[i] = ldexp(1.0, 3 + i);
    y[i] = 2 * pow(x[i], -0.5) * log(x[i]);
  }
  mfh_fit_opts o = opts_with(MFH_FIT_POWER_LOG, 1);
  mfh_fit_result r;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_int_eq(r.model, MFH_FIT_POWER_LOG);
  ck_assert_uint_eq(r.flags, 0);
  ck_assert_double_eq_tol(r.slope, -0.5, 1e-12);
  ck_assert_double_eq_tol(r.intercept, log(2.0), 1e-11);
  ck_assert(r.slope_hi - r.slope_lo < 1e-10);
  for (int i = 0; i < 7; i++) ck_assert_double_eq_tol(r.local[i], -0.5, 1e-12);
  ck_assert_double_eq_tol(mfh_fit_predict(&r, 100.0), 2 * 0.1 * log(100.0), 1e-12);
  mfh_fit_result_free(&r);

  o.model = MFH_FIT_POWER;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert(r.slope > -0.5 + 0.1);
  ck_assert(r.slope_hi < -0.5 + 0.1 || r.slope_lo > -0.5); /* the interval misses -0.5 */
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_power_log_needs_x_above_one) {
  double x[6] = {0.5, 1.0, 4, 8, 16, 32}, y[6];
  for (int i = 0; i < 6; i++) y[i] = i < 2 ? 1.0 : 3 * pow(x[i], -1.0) * log(x[i]);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER_LOG, 1);
  mfh_fit_result r;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_used, 4);
  ck_assert_int_eq(r.used[0], 0);
  ck_assert_int_eq(r.used[1], 0);
  ck_assert_int_eq(r.used[2], 1);
  ck_assert_uint_eq(r.flags, 0);
  ck_assert_double_eq_tol(r.slope, -1.0, 1e-12);
  ck_assert(isnan(r.local[0]) && isnan(r.local[1]));
  ck_assert_ptr_nonnull(strstr(r.note, "2 points with x <= 1 not used"));
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_weighted_vs_unweighted) {
  /* slope -1 except one point pushed up by 60% that also has a 100% error
   * bar: the weighted fit hardly notices it, the unweighted fit is pulled */
  double x[7], y[7], e[7];
  power_law(7, 1.0, -1.0, x, y);
  for (int i = 0; i < 7; i++) e[i] = 0.01 * y[i];
  y[5] *= 1.6;
  e[5] = y[5];
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result w, u;
  fit_ok(7, x, y, e, &o, &w);
  fit_ok(7, x, y, NULL, &o, &u);
  ck_assert_int_eq(w.weighted, 1);
  ck_assert_int_eq(u.weighted, 0);
  ck_assert(fabs(w.slope + 1) < 1e-3);
  ck_assert(fabs(u.slope + 1) > 0.03);
  ck_assert(isfinite(w.chi2_dof) && isnan(u.chi2_dof));
  ck_assert(w.r2 > u.r2);

  /* an independent weighted least squares by the normal equations */
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < 7; i++) {
    double wi = y[i] * y[i] / (e[i] * e[i]), X = log(x[i]), Y = log(y[i]);
    sw += wi;
    sx += wi * X;
    sy += wi * Y;
    sxx += wi * X * X;
    sxy += wi * X * Y;
  }
  double det = sw * sxx - sx * sx;
  ck_assert_double_eq_tol(w.slope, (sw * sxy - sx * sy) / det, 1e-10);
  ck_assert_double_eq_tol(w.intercept, (sxx * sy - sx * sxy) / det, 1e-9);
  mfh_fit_result_free(&w);
  mfh_fit_result_free(&u);

  /* a zero error bar anywhere: unweighted, and the note says why */
  e[3] = 0;
  fit_ok(7, x, y, e, &o, &w);
  ck_assert_int_eq(w.weighted, 0);
  ck_assert_double_eq(w.slope, u.slope);
  ck_assert_ptr_nonnull(strstr(w.note, "unweighted"));
  mfh_fit_result_free(&w);
}
END_TEST

START_TEST(test_birge_scaling) {
  /* Equal relative errors: with scatter beyond the error bars (chi2/dof > 1)
   * the scaled weighted interval equals the unweighted one; with scatter
   * well inside them (chi2/dof < 1) it is the (wider) error-bar interval. */
  double x[8], y[8], e[8];
  power_law(8, 1.0, -0.5, x, y);
  const double wiggle[8] = {0.02, -0.03, 0.01, 0.04, -0.02, 0.0, -0.01, 0.03};
  for (int i = 0; i < 8; i++) y[i] *= exp(wiggle[i]);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result u, w;
  fit_ok(8, x, y, NULL, &o, &u);
  for (int i = 0; i < 8; i++) e[i] = 0.001 * y[i];
  fit_ok(8, x, y, e, &o, &w);
  ck_assert(w.chi2_dof > 1);
  ck_assert_double_eq_tol(w.slope, u.slope, 1e-12);
  ck_assert_double_eq_tol(w.slope_se, u.slope_se, 1e-12);
  ck_assert_double_eq_tol(w.slope_lo, u.slope_lo, 1e-12);
  mfh_fit_result_free(&w);
  for (int i = 0; i < 8; i++) e[i] = 1.0 * y[i];
  fit_ok(8, x, y, e, &o, &w);
  ck_assert(w.chi2_dof < 1);
  double xm = 0, sxx = 0;
  for (int i = 0; i < 8; i++) xm += log(x[i]) / 8;
  for (int i = 0; i < 8; i++) sxx += (log(x[i]) - xm) * (log(x[i]) - xm);
  ck_assert_double_eq_tol(w.slope_se, 1.0 / sqrt(sxx), 1e-12);
  ck_assert(w.slope_se > u.slope_se);
  mfh_fit_result_free(&w);
  mfh_fit_result_free(&u);
}
END_TEST

/* Fraction of trials whose interval covers the true slope.  y = C x^s
 * exp(N(0, sigma_i)) with sigma_i = sigma (1 + i/4); yerr = y sigma_i /
 * understate (when weighted). */
static double coverage(int weighted, double understate, size_t n, unsigned long seed) {
  const double C = 2.0, s = -0.5, sigma = 0.1;
  const int trials = 2000;
  double x[NMAX], y[NMAX], e[NMAX];
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  ck_assert_ptr_nonnull(rng);
  gsl_rng_set(rng, seed);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  int hit = 0;
  for (int t = 0; t < trials; t++) {
    for (size_t i = 0; i < n; i++) {
      double si = sigma * (1 + (double)i / 4);
      x[i] = ldexp(1.0, 4 + (int)i);
      y[i] = C * pow(x[i], s) * exp(gsl_ran_gaussian(rng, si));
      e[i] = y[i] * si / understate;
    }
    mfh_fit_result r;
    fit_ok(n, x, y, weighted ? e : NULL, &o, &r);
    ck_assert_int_eq(r.weighted, weighted);
    hit += r.slope_lo <= s && s <= r.slope_hi;
    mfh_fit_result_free(&r);
  }
  gsl_rng_free(rng);
  return (double)hit / trials;
}

START_TEST(test_coverage_unweighted) {
  double f8 = coverage(0, 1, 8, 20240611UL), f5 = coverage(0, 1, 5, 7UL);
  fprintf(stderr, "coverage unweighted: n=8 %.4f, n=5 %.4f\n", f8, f5);
  ck_assert(f8 >= 0.93 && f8 <= 0.97);
  ck_assert(f5 >= 0.93 && f5 <= 0.97);
}
END_TEST

START_TEST(test_coverage_weighted) {
  /* error bars that understate the scatter 2x: the Birge factor rescales the
   * covariance and the t interval is calibrated */
  double f2 = coverage(1, 2, 8, 99UL);
  /* exact error bars: max(1, chi2/dof) and the t quantile make the interval
   * conservative (about 98.5% at 6 dof), never anti-conservative */
  double f1 = coverage(1, 1, 8, 99UL);
  fprintf(stderr, "coverage weighted: n=8 bars 2x small %.4f, exact bars %.4f\n", f2, f1);
  ck_assert(f2 >= 0.93 && f2 <= 0.97);
  ck_assert(f1 >= 0.95 && f1 <= 0.995);
}
END_TEST

START_TEST(test_auto_exclude_head) {
  /* two pre-asymptotic points with local orders -0.10 and -0.25, then y = x^-0.5 */
  double x[8], y[8];
  power_law(8, 1.0, -0.5, x, y);
  y[1] = y[2] * pow(2.0, 0.25);
  y[0] = y[1] * pow(2.0, 0.10);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(8, x, y, NULL, &o, &r); /* without auto-exclusion: biased */
  ck_assert(r.slope > -0.45);
  ck_assert_uint_eq(r.n_excluded_pre, 0);
  ck_assert_uint_eq(r.flags & MFH_FIT_PREASYMPTOTIC, 0);
  mfh_fit_result_free(&r);

  o.auto_exclude = 1;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 2);
  ck_assert_uint_eq(r.n_used, 6);
  ck_assert_uint_eq(r.flags, MFH_FIT_PREASYMPTOTIC);
  ck_assert_int_eq(r.used[0], 0);
  ck_assert_int_eq(r.used[1], 0);
  ck_assert_int_eq(r.used[2], 1);
  ck_assert_double_eq_tol(r.slope, -0.5, 1e-12);
  ck_assert_double_eq_tol(r.local[0], -0.10, 1e-12);
  ck_assert_double_eq_tol(r.local[1], -0.25, 1e-12);
  ck_assert_str_eq(r.note, "excluded 2 leading points: local orders -0.10, -0.25 vs later median -0.50");
  mfh_fit_result_free(&r);

  /* with the study excluding one, auto-exclusion takes the second */
  o.exclude_leading = 1;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 2);
  ck_assert_uint_eq(r.flags, MFH_FIT_PREASYMPTOTIC);
  ck_assert_str_eq(r.note, "excluded 1 leading point as set; excluded 1 leading point: local order "
                           "-0.25 vs later median -0.50");
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_auto_exclude_smooth_and_clean) {
  /* y = x^-1 (1 + 8/x): the local orders approach -1 from below; the
   * detected head is dropped and the slope moves towards -1 */
  double x[9], y[9];
  for (int i = 0; i < 9; i++) {
    x[i] = ldexp(1.0, 1 + i);
    y[i] = (1 + 8 / x[i]) / x[i];
  }
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result a, b;
  fit_ok(9, x, y, NULL, &o, &a);
  o.auto_exclude = 1;
  fit_ok(9, x, y, NULL, &o, &b);
  ck_assert_uint_ge(b.n_excluded_pre, 2);
  ck_assert_uint_ge(b.n_used, 4);
  ck_assert(b.flags & MFH_FIT_PREASYMPTOTIC);
  ck_assert(fabs(b.slope + 1) < fabs(a.slope + 1) / 2);
  mfh_fit_result_free(&a);
  mfh_fit_result_free(&b);

  /* a clean power law with mild noise: nothing dropped */
  const double wiggle[9] = {0.01, -0.02, 0.0, 0.015, -0.01, 0.02, -0.015, 0.005, 0.0};
  for (int i = 0; i < 9; i++) y[i] = 4 * pow(x[i], -2.0) * exp(wiggle[i]);
  fit_ok(9, x, y, NULL, &o, &b);
  ck_assert_uint_eq(b.n_excluded_pre, 0);
  ck_assert_uint_eq(b.n_used, 9);
  ck_assert_uint_eq(b.flags, 0);
  ck_assert_str_eq(b.note, "");
  mfh_fit_result_free(&b);
}
END_TEST

START_TEST(test_auto_exclude_relative_tolerance) {
  /* later orders -2: the tolerance is max(0.15, 0.25 * 2) = 0.5 */
  double x[7], y[7];
  power_law(7, 1.0, -2.0, x, y);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  o.auto_exclude = 1;
  mfh_fit_result r;
  y[0] = y[1] * pow(2.0, 1.7); /* first order -1.7: within 0.5 */
  fit_ok(7, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 0);
  mfh_fit_result_free(&r);
  y[0] = y[1] * pow(2.0, 1.3); /* first order -1.3: beyond */
  fit_ok(7, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 1);
  ck_assert_str_eq(r.note, "excluded 1 leading point: local order -1.30 vs later median -2.00");
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_auto_exclude_keeps_four) {
  /* every leading order is off, but at least 4 points stay */
  double x[6], y[6];
  power_law(6, 1.0, -1.0, x, y);
  y[2] = y[3] * 1.2;
  y[1] = y[2] * pow(2.0, 0.2);
  y[0] = y[1] * pow(2.0, 0.4);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  o.auto_exclude = 1;
  mfh_fit_result r;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 2);
  ck_assert_uint_eq(r.n_used, 4);
  mfh_fit_result_free(&r);
  /* with 4 points nothing can go */
  fit_ok(4, x + 2, y + 2, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 0);
  ck_assert_uint_eq(r.n_used, 4);
  ck_assert_uint_eq(r.flags & MFH_FIT_PREASYMPTOTIC, 0);
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_exclude_leading) {
  double x[6], y[6];
  power_law(6, 1.0, -1.0, x, y);
  y[0] = 5; /* garbage at the coarse end */
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  o.exclude_leading = 2;
  mfh_fit_result r;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 2);
  ck_assert_uint_eq(r.n_used, 4);
  ck_assert_uint_eq(r.flags, 0); /* set by the study: not a detection */
  ck_assert_int_eq(r.used[1], 0);
  ck_assert_double_eq_tol(r.slope, -1.0, 1e-12);
  ck_assert_str_eq(r.note, "excluded 2 leading points as set");
  mfh_fit_result_free(&r);
  o.exclude_leading = 10;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.n_excluded_pre, 6);
  ck_assert_uint_eq(r.n_used, 0);
  ck_assert(r.flags & MFH_FIT_TOO_FEW);
  ck_assert(isnan(r.slope));
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_flag_nonfinite_nonpositive) {
  double x[7], y[7];
  power_law(7, 1.0, -1.0, x, y);
  y[1] = NAN;
  x[4] = INFINITY;
  y[5] = 0.0;
  y[6] = -1e-3;
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(7, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, MFH_FIT_NONFINITE | MFH_FIT_NONPOSITIVE);
  ck_assert_uint_eq(r.n_used, 3);
  ck_assert_int_eq(r.used[0], 1);
  ck_assert_int_eq(r.used[1], 0);
  ck_assert_int_eq(r.used[2], 1);
  ck_assert_int_eq(r.used[4], 0);
  ck_assert_int_eq(r.used[6], 0);
  ck_assert_double_eq_tol(r.slope, -1.0, 1e-12);
  ck_assert(isnan(r.local[0]) && isnan(r.local[1]) && isnan(r.local[5]));
  ck_assert_double_eq_tol(r.local[2], -1.0, 1e-12);
  ck_assert_str_eq(r.note, "2 points with non-finite x or y not used; 2 points with y <= 0 not used");
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_flag_not_decreasing) {
  double x[6], y[6], e[6];
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  /* error grows with N: slope reported as fitted (+0.5), flag raised */
  power_law(6, 1.0, 0.5, x, y);
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_double_eq_tol(r.slope, 0.5, 1e-12);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  mfh_fit_result_free(&r);

  /* decreasing overall, but the finest point jumps up by 30% */
  power_law(6, 1.0, -1.0, x, y);
  y[5] = y[4] * 1.3;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert(r.slope < -0.5);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  ck_assert_ptr_nonnull(strstr(r.note, "error grows between the last two points"));
  mfh_fit_result_free(&r);
  /* ... beyond small error bars: flagged; within large ones: not */
  for (int i = 0; i < 6; i++) e[i] = 0.01 * y[i];
  fit_ok(6, x, y, e, &o, &r);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  mfh_fit_result_free(&r);
  e[4] = 0.2 * y[4];
  e[5] = 0.2 * y[5];
  fit_ok(6, x, y, e, &o, &r);
  ck_assert_uint_eq(r.flags, 0);
  mfh_fit_result_free(&r);

  /* the finer of the last two is found by x, not by position */
  power_law(6, 1.0, -1.0, x, y);
  double t = x[4];
  x[4] = x[5];
  x[5] = t;
  y[4] = 1.3 * y[4];
  y[5] = y[4] / 1.3;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert(r.slope < -0.5);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  mfh_fit_result_free(&r);

  /* clean decreasing data: no flag */
  power_law(6, 1.0, -1.0, x, y);
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, 0);
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_refine_down) {
  /* eps = 1/2 ... 1/256 (x decreasing along the sweep), error = 5 eps */
  double x[8], y[8];
  for (int i = 0; i < 8; i++) {
    x[i] = ldexp(1.0, -1 - i);
    y[i] = 5 * x[i];
  }
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, -1);
  mfh_fit_result r;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_double_eq_tol(r.slope, 1.0, 1e-12); /* not flipped */
  ck_assert_double_eq_tol(mfh_fit_predict(&r, 1e-3), 5e-3, 1e-15);
  ck_assert_uint_eq(r.flags, 0);
  for (int i = 0; i < 7; i++) ck_assert_double_eq_tol(r.local[i], 1.0, 1e-12);
  mfh_fit_result_free(&r);
  /* the same data read as refinement by increasing x: not decreasing */
  o.refine_dir = 1;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  mfh_fit_result_free(&r);
  /* error that decreases with x while x decreases: grows along refinement */
  for (int i = 0; i < 8; i++) y[i] = 0.1 / sqrt(x[i]);
  o.refine_dir = -1;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert_double_eq_tol(r.slope, -0.5, 1e-12);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  mfh_fit_result_free(&r);
  /* last-pair growth checked in the refinement direction */
  for (int i = 0; i < 8; i++) y[i] = 5 * x[i];
  y[7] = y[6] * 1.2;
  fit_ok(8, x, y, NULL, &o, &r);
  ck_assert(r.slope > 0.5);
  ck_assert_uint_eq(r.flags, MFH_FIT_NOT_DECREASING);
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_flag_floor) {
  double x[6], y[6];
  power_law(6, 1.0, -1.0, x, y);
  for (int i = 0; i < 6; i++) y[i] = 1e-6 * (1 - 1e-14 * i); /* equal to 1e-12 */
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert(r.flags & MFH_FIT_FLOOR);
  ck_assert(r.flags & MFH_FIT_NOT_DECREASING);
  ck_assert_double_eq(r.slope, 0.0);
  ck_assert(r.slope_lo <= 0 && r.slope_hi >= 0);
  ck_assert_double_eq_tol(r.intercept, log(1e-6), 1e-9);
  ck_assert_ptr_nonnull(strstr(r.note, "error floor"));
  mfh_fit_result_free(&r);
  /* a relative spread of 1e-9 is not a floor */
  for (int i = 0; i < 6; i++) y[i] = 1e-6 * (1 - 1e-9 * i);
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags & MFH_FIT_FLOOR, 0);
  ck_assert(r.slope < 0);
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_flag_too_few) {
  double x[3], y[3];
  power_law(3, 2.0, -0.5, x, y);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  /* three points: an interval (1 dof) and no flag */
  fit_ok(3, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, 0);
  ck_assert_double_eq_tol(r.t_crit, 12.706204736, 1e-8);
  mfh_fit_result_free(&r);
  /* two points: the slope, with an infinite interval */
  fit_ok(2, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, MFH_FIT_TOO_FEW);
  ck_assert_double_eq_tol(r.slope, -0.5, 1e-13);
  ck_assert(isinf(r.slope_lo) && r.slope_lo < 0);
  ck_assert(isinf(r.slope_hi) && r.slope_hi > 0);
  ck_assert(isinf(mfh_fit_band_halfwidth_log(&r, 50)));
  ck_assert_double_eq_tol(mfh_fit_predict(&r, 64), 2.0 / 8, 1e-13);
  mfh_fit_result_free(&r);
  /* one point: no slope */
  fit_ok(1, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, MFH_FIT_TOO_FEW);
  ck_assert(isnan(r.slope) && isnan(r.slope_lo));
  ck_assert_ptr_null(r.local);
  ck_assert(isnan(mfh_fit_band_halfwidth_log(&r, 50)));
  mfh_fit_result_free(&r);
  /* three given, one unusable */
  y[1] = -1;
  fit_ok(3, x, y, NULL, &o, &r);
  ck_assert_uint_eq(r.flags, MFH_FIT_TOO_FEW | MFH_FIT_NONPOSITIVE);
  ck_assert_double_eq_tol(r.slope, -0.5, 1e-13);
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_local_orders) {
  double x[6] = {10, 20, 40, 40, 80, 160};
  double y[6] = {1.0, 0.25, 0.2, 0.2, 0.05, 0.0};
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(6, x, y, NULL, &o, &r);
  ck_assert_double_eq_tol(r.local[0], -2.0, 1e-14);
  ck_assert_double_eq_tol(r.local[1], log(0.8) / log(2.0), 1e-14);
  ck_assert(isnan(r.local[2])); /* same x */
  ck_assert_double_eq_tol(r.local[3], -2.0, 1e-14);
  ck_assert(isnan(r.local[4])); /* y = 0 */
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_band) {
  double x[8], y[8];
  power_law(8, 1.0, -0.5, x, y);
  const double wiggle[8] = {0.05, -0.03, 0.01, 0.04, -0.06, 0.0, -0.01, 0.03};
  for (int i = 0; i < 8; i++) y[i] *= exp(wiggle[i]);
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  fit_ok(8, x, y, NULL, &o, &r);
  for (double xx = 4; xx < 1e4; xx *= 3) {
    double X = log(xx);
    double want = r.t_crit * sqrt(r.intercept_se * r.intercept_se + 2 * X * r.cov +
                                  X * X * r.slope_se * r.slope_se);
    ck_assert_double_eq_tol(mfh_fit_band_halfwidth_log(&r, xx), want, 1e-14);
    ck_assert_double_eq_tol(mfh_fit_predict(&r, xx), exp(r.intercept + r.slope * X), 1e-12);
  }
  /* narrowest at the centre of the data (geometric mean of x) */
  double centre = exp(0.5 * (log(x[0]) + log(x[7])));
  ck_assert(mfh_fit_band_halfwidth_log(&r, centre) < mfh_fit_band_halfwidth_log(&r, x[0]));
  ck_assert(mfh_fit_band_halfwidth_log(&r, centre) < mfh_fit_band_halfwidth_log(&r, x[7]));
  ck_assert(mfh_fit_band_halfwidth_log(&r, centre) > 0);
  ck_assert(isnan(mfh_fit_band_halfwidth_log(&r, -1)));
  ck_assert(isnan(mfh_fit_predict(&r, 0)));
  mfh_fit_result_free(&r);
}
END_TEST

START_TEST(test_bad_input) {
  double x[3] = {1, 2, 4}, y[3] = {1, 0.5, 0.25};
  mfh_fit_opts o = opts_with(MFH_FIT_POWER, 1);
  mfh_fit_result r;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_fit_rate(0, x, y, NULL, &o, &r, &err), MFH_EINPUT);
  ck_assert_str_eq(err.msg, "fit: no points");
  ck_assert_ptr_null(r.used);
  o.model = 7;
  ck_assert_int_eq(mfh_fit_rate(3, x, y, NULL, &o, &r, &err), MFH_EINPUT);
  ck_assert_str_eq(err.msg, "fit: unknown model 7");
  o = opts_with(MFH_FIT_POWER, 0);
  ck_assert_int_eq(mfh_fit_rate(3, x, y, NULL, &o, &r, &err), MFH_EINPUT);
  o = opts_with(MFH_FIT_POWER, 1);
  o.level = 1.0;
  ck_assert_int_eq(mfh_fit_rate(3, x, y, NULL, &o, &r, &err), MFH_EINPUT);
  o.level = NAN;
  ck_assert_int_eq(mfh_fit_rate(3, x, y, NULL, &o, &r, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_fit_rate(3, NULL, y, NULL, NULL, &r, &err), MFH_EINPUT);
  /* NULL options mean the defaults */
  ck_assert_int_eq(mfh_fit_rate(3, x, y, NULL, NULL, &r, &err), MFH_OK);
  ck_assert_double_eq_tol(r.slope, -1.0, 1e-14);
  mfh_fit_result_free(&r);
  mfh_fit_result_free(NULL);
}
END_TEST

/* a/x + b/x^2 through exact data: the coefficients come back to round-off,
 * residual 0; with noise of known size the standard errors cover the truth. */
START_TEST(test_expansion_exact) {
  double x[] = {2, 3, 4, 5, 6}, y[5], pw[] = {-1, -2};
  for (int i = 0; i < 5; i++) y[i] = 0.7 / x[i] - 0.3 / (x[i] * x[i]);
  mfh_expansion_fit f;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_fit_expansion(5, x, y, NULL, 2, pw, &f, &err), MFH_OK);
  ck_assert_double_eq_tol(f.coef[0], 0.7, 1e-12);
  ck_assert_double_eq_tol(f.coef[1], -0.3, 1e-12);
  ck_assert(f.max_rel_resid < 1e-12);
  ck_assert(f.coef_se[0] < 1e-10);
  ck_assert_double_eq_tol(mfh_expansion_predict(&f, 10), 0.07 - 0.003, 1e-14);
  /* exactly determined: no standard error */
  ck_assert_int_eq(mfh_fit_expansion(2, x, y, NULL, 2, pw, &f, &err), MFH_OK);
  ck_assert(isnan(f.coef_se[0]));
}
END_TEST

/* A law that is not of the form a/x + b/x^2 leaves a visible residual: the
 * pure x^{-1/2} over x = 2..64 misses by more than 1% somewhere. */
START_TEST(test_expansion_wrong_law) {
  double x[6], y[6], pw[] = {-1, -2};
  for (int i = 0; i < 6; i++) {
    x[i] = ldexp(1.0, i + 1);
    y[i] = 1 / sqrt(x[i]);
  }
  mfh_expansion_fit f;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_fit_expansion(6, x, y, NULL, 2, pw, &f, &err), MFH_OK);
  ck_assert_msg(f.max_rel_resid > 0.01, "residual %g", f.max_rel_resid);
  double pw2[] = {-0.5, -1};
  ck_assert_int_eq(mfh_fit_expansion(6, x, y, NULL, 2, pw2, &f, &err), MFH_OK);
  ck_assert(f.max_rel_resid < 1e-12);
  ck_assert_double_eq_tol(f.coef[0], 1, 1e-12);
}
END_TEST

/* Weighted: with Gaussian noise of the stated size, chi2/dof is near 1 and
 * the intervals cover the true coefficients about 95% of the time. */
START_TEST(test_expansion_weighted_coverage) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  double x[8], y[8], e[8], pw[] = {-1, -2};
  int cover = 0, trials = 2000;
  double z = gsl_cdf_ugaussian_Pinv(0.975);
  for (int t = 0; t < trials; t++) {
    for (int i = 0; i < 8; i++) {
      x[i] = 2 + i;
      double truth = 0.5 / x[i] + 0.2 / (x[i] * x[i]);
      e[i] = 0.01 * truth;
      y[i] = truth + gsl_ran_gaussian(r, e[i]);
    }
    mfh_expansion_fit f;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_int_eq(mfh_fit_expansion(8, x, y, e, 2, pw, &f, &err), MFH_OK);
    ck_assert(f.weighted);
    if (fabs(f.coef[0] - 0.5) <= z * f.coef_se[0]) cover++;
  }
  gsl_rng_free(r);
  /* max(1, chi2/dof) scaling makes the interval slightly conservative */
  ck_assert_msg(cover >= 0.93 * trials && cover <= 0.995 * trials, "coverage %d / %d", cover, trials);
}
END_TEST

START_TEST(test_expansion_bad_input) {
  double x[] = {1, 2, 3}, y[] = {1, 0.5, NAN}, pw[] = {-1, -1};
  mfh_expansion_fit f;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_fit_expansion(3, x, y, NULL, 2, pw, &f, &err), MFH_EINPUT); /* repeated power */
  ck_assert_ptr_nonnull(strstr(err.msg, "twice"));
  pw[1] = -2;
  ck_assert_int_eq(mfh_fit_expansion(3, x, y, NULL, 2, pw, &f, &err), MFH_EINPUT); /* NaN y */
  ck_assert_int_eq(mfh_fit_expansion(1, x, y, NULL, 2, pw, &f, &err), MFH_EINPUT); /* too few */
  double x0[] = {0, 2, 3};
  y[2] = 1.0 / 3;
  ck_assert_int_eq(mfh_fit_expansion(3, x0, y, NULL, 2, pw, &f, &err), MFH_EINPUT); /* x = 0 */
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("fit");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_defaults);
  tcase_add_test(tc, test_exact_power_unweighted);
  tcase_add_test(tc, test_exact_power_weighted);
  tcase_add_test(tc, test_level);
  tcase_add_test(tc, test_power_log_model);
  tcase_add_test(tc, test_power_log_needs_x_above_one);
  tcase_add_test(tc, test_weighted_vs_unweighted);
  tcase_add_test(tc, test_birge_scaling);
  tcase_add_test(tc, test_auto_exclude_head);
  tcase_add_test(tc, test_auto_exclude_smooth_and_clean);
  tcase_add_test(tc, test_auto_exclude_relative_tolerance);
  tcase_add_test(tc, test_auto_exclude_keeps_four);
  tcase_add_test(tc, test_exclude_leading);
  tcase_add_test(tc, test_flag_nonfinite_nonpositive);
  tcase_add_test(tc, test_flag_not_decreasing);
  tcase_add_test(tc, test_refine_down);
  tcase_add_test(tc, test_flag_floor);
  tcase_add_test(tc, test_flag_too_few);
  tcase_add_test(tc, test_local_orders);
  tcase_add_test(tc, test_band);
  tcase_add_test(tc, test_bad_input);
  tcase_add_test(tc, test_expansion_exact);
  tcase_add_test(tc, test_expansion_wrong_law);
  tcase_add_test(tc, test_expansion_bad_input);
  suite_add_tcase(s, tc);
  TCase *slow = tcase_create("coverage");
  tcase_add_test(slow, test_coverage_unweighted);
  tcase_add_test(slow, test_coverage_weighted);
  tcase_add_test(slow, test_expansion_weighted_coverage);
  suite_add_tcase(s, slow);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
