/* Tests for engines/sheet/ (the 1D sheet model), engines/ep1d/ (its exact
 * Euler-Poisson solution, the engine ep1d and its fluids), the fluid kind
 * and the observables modulated_energy / modulated_energy0 (THEOREMS.md
 * CEP-2, CEP-3).
 *
 * Independent references: the brute-force pair sum -(1/N) sum_k V'(x_j - x_k)
 * with V = -|x|/2; the closed-form Lagrangian trajectories; a brute-force
 * midpoint quadrature of int (F_N - F_rho)^2 dx; the closed form
 * int F(1-F) dx = 9/35 for rho_in = (3/4)(1 - x^2)_+; the pair-sum form of
 * the modulated energy; mfh_ep1d_eval for the Gaussian profile. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fluid.h"
#include "core/kinds.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/values.h"
#include "engines/ep1d/ep1d.h"
#include "engines/ep1d/exact.h"
#include "engines/ep1d/lagrange.h"
#include "engines/sheet/sheet.h"
#include "observables/modulated.h"
#include "tests/testutil.h"

static const mfh_ep1d_profile *const par = &mfh_ep1d_parabolic;

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

/* Quantile data follow the exact Lagrangian trajectories: through the
 * engine, particle j at t is (X(t, a_j), U(t, a_j)). */
START_TEST(quantile_follows_exact) {
  enum { N = 200 };
  mfh_params ps = mfh_test_engine_params(&mfh_engine_sheet, "N=200 beta=0.5 dt=0.01");
  double t = 1.9; /* < breaking time 2 */
  mfh_state out;
  mfh_test_engine_run(&mfh_engine_sheet, &ps, NULL, 1, &t, 7, &out);
  const mfh_cloud *c = mfh_state_get(&out, &mfh_kind_cloud, "particles");
  ck_assert_ptr_nonnull(c);
  ck_assert_uint_eq(c->n, N);
  ck_assert_uint_eq(c->d, 1);
  for (size_t j = 0; j < N; j++) {
    double a = mfh_ep1d_parabolic_quantile((j + 0.5) / N), x = c->x[2 * j], v = c->x[2 * j + 1];
    ck_assert_double_eq_tol(x, mfh_ep1d_lag_X(par, t, a, 0.5), 1e-12);
    ck_assert_double_eq_tol(v, mfh_ep1d_lag_U(par, t, a, 0.5), 1e-12);
    ck_assert_double_eq_tol(mfh_ep1d_lag_label(par, t, x, 0.5), a, 1e-12);
  }
  mfh_state_clear(&out);
  mfh_params_free(&ps);
}
END_TEST

/* The sheet model and its exact fluid at t, and the modulated energy. */
typedef struct pair {
  mfh_state sys[3], ref[3];
  size_t n;
} pair;

static void run_pair(pair *p, const char *sheet, const char *ep, size_t n, const double *times, unsigned seed) {
  mfh_params ps = mfh_test_engine_params(&mfh_engine_sheet, sheet), pe = mfh_test_engine_params(&mfh_engine_ep1d, ep);
  p->n = n;
  mfh_test_engine_run(&mfh_engine_sheet, &ps, NULL, n, times, seed, p->sys);
  mfh_test_engine_run(&mfh_engine_ep1d, &pe, NULL, n, times, seed, p->ref);
  mfh_params_free(&ps);
  mfh_params_free(&pe);
}

static void clear_pair(pair *p) {
  for (size_t k = 0; k < p->n; k++) {
    mfh_state_clear(&p->sys[k]);
    mfh_state_clear(&p->ref[k]);
  }
}

static double energy(const pair *p, size_t k, const char *name) {
  mfh_values v = {0};
  mfh_err err;
  ck_assert_msg(mfh_test_obs_eval(&mfh_obs_modulated_energy, &p->sys[k], &p->ref[k], &p->sys[0], &p->ref[0], 0, &v,
                                  &err) == MFH_OK,
                "%s", err.msg);
  const double *x = mfh_values_get(&v, name);
  ck_assert_ptr_nonnull(x);
  double r = *x;
  mfh_values_free(&v);
  return r;
}

/* K_N = 0 and no dt dependence (one step vs 1000). */
START_TEST(no_dt_dependence) {
  double t = 1, E[3];
  const char *dts[3] = {"1", "0.01", "0.001"};
  for (int i = 0; i < 3; i++) {
    char buf[128];
    snprintf(buf, sizeof buf, "N=512 beta=0.5 dt=%s", dts[i]);
    pair p;
    run_pair(&p, buf, "beta=0.5", 1, &t, 7);
    ck_assert(energy(&p, 0, "K_N") < 1e-24);
    E[i] = energy(&p, 0, "E_N");
    ck_assert_double_eq_tol(mfh_test_scalar(&p.ref[0], "supp"), 1.5, 1e-15);
    clear_pair(&p);
  }
  ck_assert_double_eq_tol(E[1], E[0], 1e-12 * E[0]);
  ck_assert_double_eq_tol(E[2], E[0], 1e-12 * E[0]);
}
END_TEST

/* int (F_N - F_rho)^2 against a brute-force midpoint rule on a fine grid. */
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
    double P = mfh_ep1d_lag_cdf_l2(par, y, N, t, beta);
    double lo = fmin(y[0], mfh_ep1d_lag_X(par, t, -1, beta)) - 0.1;
    double hi = fmax(y[N - 1], mfh_ep1d_lag_X(par, t, 1, beta)) + 0.1;
    size_t M = 2000000;
    double h = (hi - lo) / (double)M, s = 0;
    for (size_t i = 0; i < M; i++) {
      double xx = lo + (i + 0.5) * h, FN = 0;
      for (size_t j = 0; j < N; j++) FN += y[j] <= xx;
      double d = FN / N - mfh_ep1d_parabolic_cdf(mfh_ep1d_lag_label(par, t, xx, beta));
      s += d * d * h;
    }
    ck_assert_msg(fabs(P - s) < 1e-6 * s, "t = %g: P_N %.12g vs quadrature %.12g", t, P, s);
  }
  /* int F(1-F) dx = 9/35 at t = 0; E[P_N(0)] is that over N */
  ck_assert_double_eq_tol(mfh_ep1d_lag_ff(par, 0, 0), 9.0 / 35.0, 1e-15);
  /* no closed form without compact support */
  ck_assert(isnan(mfh_ep1d_lag_ff(&mfh_ep1d_gaussian, 0, 0)));
  gsl_rng_free(rng);
}
END_TEST

/* In 1D the CDF form equals the pair-sum form of the modulated energy,
 * P_N = (1/N^2) sum_{i != j} V(x_i - x_j) - (2/N) sum_i phi(x_i) + int rho phi,
 * phi = V * rho (here at t = 0, phi(x) = -(1/2) int |x - y| rho_in(y) dy by
 * quadrature). */
static double phi0(double x) {
  enum { M = 20000 };
  double h = 2.0 / M, s = 0;
  for (int i = 0; i < M; i++) {
    double y = -1 + (i + 0.5) * h;
    s += -0.5 * fabs(x - y) * mfh_ep1d_parabolic_density(y) * h;
  }
  return s;
}

START_TEST(cdf_form_is_the_pair_form) {
  enum { N = 40 };
  double t = 0;
  pair p;
  run_pair(&p, "N=40 init=iid beta=0.5", "beta=0.5", 1, &t, 3);
  const mfh_cloud *c = mfh_state_get(&p.sys[0], &mfh_kind_cloud, NULL);
  double pairs = 0, sphi = 0, self = 0;
  for (size_t i = 0; i < N; i++) {
    for (size_t j = 0; j < N; j++) pairs += -0.5 * fabs(c->x[2 * i] - c->x[2 * j]);
    sphi += phi0(c->x[2 * i]);
  }
  enum { M = 2000 };
  for (int i = 0; i < M; i++) {
    double y = -1 + (i + 0.5) * 2.0 / M;
    self += phi0(y) * mfh_ep1d_parabolic_density(y) * 2.0 / M;
  }
  double P = pairs / (N * N) - 2 * sphi / N + self;
  ck_assert_msg(fabs(energy(&p, 0, "P_N") - P) < 1e-6, "P_N %.10g vs pair form %.10g", energy(&p, 0, "P_N"), P);
  clear_pair(&p);
}
END_TEST

START_TEST(breaking_time_refused) {
  mfh_test_engine_expect_bad(&mfh_engine_ep1d, "beta=0.5 t=3", "t", "past the breaking time 2");
  mfh_test_engine_expect_bad(&mfh_engine_ep1d, "beta=0.5 t=2", "t", "at the breaking time 2");
  mfh_params ps = mfh_test_engine_params(&mfh_engine_ep1d, "beta=0.5 t=1.99");
  const char *bad = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_engine_ep1d.validate(&ps, &bad, &err), MFH_OK);
  mfh_params_free(&ps);
  ps = mfh_test_engine_params(&mfh_engine_ep1d, "beta=0 t=50"); /* never breaks */
  ck_assert_int_eq(mfh_engine_ep1d.validate(&ps, &bad, &err), MFH_OK);
  mfh_params_free(&ps);
  mfh_test_engine_expect_bad(&mfh_engine_sheet, "t=1.005 dt=0.01", "t", "whole number of steps");
}
END_TEST

/* A stream run equals separate runs bit for bit (i.i.d. data, crossings),
 * and the pathwise Gronwall bounds of CEP-3 hold. */
START_TEST(stream_bit_identical) {
  double times[3] = {0, 0.5, 1.5};
  pair all;
  run_pair(&all, "N=300 init=iid beta=0.5 dt=0.01", "beta=0.5", 3, times, 7);
  double E0 = energy(&all, 0, "E_N");
  for (int k = 0; k < 3; k++) {
    pair one;
    run_pair(&one, "N=300 init=iid beta=0.5 dt=0.01", "beta=0.5", 1, &times[k], 7);
    uint64_t h1, h2;
    mfh_err err;
    ck_assert_int_eq(mfh_state_hash(&one.sys[0], &h1, &err), MFH_OK);
    ck_assert_int_eq(mfh_state_hash(&all.sys[k], &h2, &err), MFH_OK);
    ck_assert_msg(h1 == h2, "particles at t = %g differ", times[k]);
    ck_assert_int_eq(mfh_state_hash(&one.ref[0], &h1, &err), MFH_OK);
    ck_assert_int_eq(mfh_state_hash(&all.ref[k], &h2, &err), MFH_OK);
    ck_assert_msg(h1 == h2, "fluid at t = %g differs", times[k]);
    double E = energy(&one, 0, "E_N"), Ea = energy(&all, k, "E_N");
    ck_assert(memcmp(&E, &Ea, sizeof E) == 0);
    double g = exp(2 * mfh_test_scalar(&all.ref[k], "L") * times[k]);
    ck_assert(E / (g * E0) <= 1 && E0 / (g * E) <= 1);
    clear_pair(&one);
  }
  /* modulated_energy0 reads the states at t = 0 */
  mfh_values v = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_test_obs_eval(&mfh_obs_modulated_energy0, &all.sys[2], &all.ref[2], &all.sys[0], &all.ref[0],
                                     1.5, &v, &err),
                   MFH_OK);
  ck_assert(memcmp(mfh_values_get(&v, "E_N0"), &E0, sizeof E0) == 0);
  mfh_values_free(&v);
  clear_pair(&all);
}
END_TEST

/* The fluid kind: copies share the profile and hash alike, a different
 * beta hashes differently, describe names it. */
START_TEST(fluid_kind) {
  double t = 0.7;
  mfh_state a[1], b[1];
  mfh_params p1 = mfh_test_engine_params(&mfh_engine_ep1d, "beta=0.5"), p2 = mfh_test_engine_params(&mfh_engine_ep1d, "beta=0.25");
  mfh_test_engine_run(&mfh_engine_ep1d, &p1, NULL, 1, &t, 1, a);
  mfh_test_engine_run(&mfh_engine_ep1d, &p2, NULL, 1, &t, 1, b);
  const mfh_fluid *f = mfh_state_get(a, &mfh_kind_fluid, "fluid");
  ck_assert_ptr_nonnull(f);
  void *copy = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_kind_fluid.copy(f, &copy, &err), MFH_OK);
  uint64_t h1, h2, h3;
  ck_assert_int_eq(mfh_kind_fluid.hash(f, &h1, &err), MFH_OK);
  ck_assert_int_eq(mfh_kind_fluid.hash(copy, &h2, &err), MFH_OK);
  ck_assert_int_eq(mfh_kind_fluid.hash(mfh_state_get(b, &mfh_kind_fluid, NULL), &h3, &err), MFH_OK);
  ck_assert(h1 == h2 && h1 != h3);
  char buf[256];
  mfh_kind_fluid.describe(copy, buf, sizeof buf);
  ck_assert_msg(strstr(buf, "R^1 at t = 0.7") && strstr(buf, "parabolic") && strstr(buf, "beta 0.5"), "%s", buf);
  mfh_kind_fluid.free(copy);
  /* the fields: mass conservation of F, rho and u at a point */
  mfh_fluid_point q;
  double x[1] = {0.3};
  ck_assert_int_eq(f->ops->eval(f, x, &q, &err), MFH_OK);
  double a0 = mfh_ep1d_lag_label(par, t, 0.3, 0.5);
  ck_assert_double_eq_tol(q.F, mfh_ep1d_parabolic_cdf(a0), 1e-15);
  ck_assert_double_eq_tol(q.u[0], mfh_ep1d_lag_U(par, t, a0, 0.5), 1e-15);
  ck_assert_double_eq_tol(q.rho, mfh_ep1d_parabolic_density(a0) / mfh_ep1d_lag_Xa(par, t, a0, 0.5), 1e-15);
  ck_assert(isnan(q.phi));
  mfh_state_clear(a);
  mfh_state_clear(b);
  mfh_params_free(&p1);
  mfh_params_free(&p2);
}
END_TEST

/* The Gaussian fluid (CEP-5's reference) is bit for bit mfh_ep1d_eval, so
 * a Hartree state measured against it reproduces the CEP-5 numbers; its
 * scalars are L and M3 of ep1d.h; it has no exact CDF form for particles. */
START_TEST(gaussian_fluid_is_ep1d_eval) {
  double ts[2] = {0.5, 1.5};
  mfh_state out[2];
  mfh_params ps = mfh_test_engine_params(&mfh_engine_ep1d, "rho_in=gaussian beta=0.5");
  mfh_test_engine_run(&mfh_engine_ep1d, &ps, NULL, 2, ts, 1, out);
  for (int k = 0; k < 2; k++) {
    const mfh_fluid *f = mfh_state_get(&out[k], &mfh_kind_fluid, NULL);
    ck_assert(f->ops->cdf_l2 == NULL);
    for (double x = -4; x <= 4; x += 0.37) {
      mfh_fluid_point q;
      mfh_ep1d_point pt;
      mfh_err err;
      ck_assert_int_eq(f->ops->eval(f, &x, &q, &err), MFH_OK);
      mfh_ep1d_eval(ts[k], x, 0.5, &pt);
      ck_assert(memcmp(&q.rho, &pt.rho, sizeof q.rho) == 0);
      ck_assert(memcmp(&q.F, &pt.F, sizeof q.F) == 0);
      ck_assert(memcmp(&q.u[0], &pt.u, sizeof pt.u) == 0);
    }
    double L = mfh_ep1d_lip(ts[k], 0.5), M3 = mfh_ep1d_uxxx_sup(ts[k], 0.5);
    ck_assert(memcmp(mfh_values_get(&out[k].scalars, "L"), &L, sizeof L) == 0);
    ck_assert(memcmp(mfh_values_get(&out[k].scalars, "M3"), &M3, sizeof M3) == 0);
    mfh_state_clear(&out[k]);
  }
  mfh_params_free(&ps);
}
END_TEST

/* What the observable refuses: particles and fluid in different
 * dimensions, a 1D fluid without an exact CDF form and no pair energy. */
START_TEST(observable_refusals) {
  double t = 0.5;
  mfh_state sys, gauss;
  mfh_params ps = mfh_test_engine_params(&mfh_engine_sheet, "N=10 beta=0.5 dt=0.5");
  mfh_params pg = mfh_test_engine_params(&mfh_engine_ep1d, "rho_in=gaussian beta=0.5");
  mfh_test_engine_run(&mfh_engine_sheet, &ps, NULL, 1, &t, 1, &sys);
  mfh_test_engine_run(&mfh_engine_ep1d, &pg, NULL, 1, &t, 1, &gauss);
  mfh_values v = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_test_obs_eval(&mfh_obs_modulated_energy, &sys, &gauss, NULL, NULL, t, &v, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "pair_energy"), "%s", err.msg);
  mfh_cloud *c3 = mfh_cloud_new(4, 6);
  c3->d = 3;
  mfh_state s3;
  memset(&s3, 0, sizeof s3);
  ck_assert_int_eq(mfh_state_put(&s3, "particles", &mfh_kind_cloud, c3, &err), MFH_OK);
  ck_assert_int_eq(mfh_test_obs_eval(&mfh_obs_modulated_energy, &s3, &gauss, NULL, NULL, t, &v, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "R^3 against a fluid on R^1"), "%s", err.msg);
  mfh_values_free(&v);
  mfh_state_clear(&s3);
  mfh_state_clear(&sys);
  mfh_state_clear(&gauss);
  mfh_params_free(&ps);
  mfh_params_free(&pg);
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
  tcase_add_test(tc, cdf_form_is_the_pair_form);
  tcase_add_test(tc, breaking_time_refused);
  tcase_add_test(tc, stream_bit_identical);
  tcase_add_test(tc, fluid_kind);
  tcase_add_test(tc, gaussian_fluid_is_ep1d_eval);
  tcase_add_test(tc, observable_refusals);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
