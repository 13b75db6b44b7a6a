/* Tests for the registry solvers `rbm` and `rbm_identities`
 * (engines/nbodyq/rbm.c, THEOREMS.md RBM-1..3).
 *
 * Independent references: N = 2 (RBM = full dynamics) and V = 0 give a zero
 * weak error and trace norm; the Monte Carlo mean after two steps against the
 * exact expectation over all 9 matching sequences, enumerated here with
 * mfh_nbodyq_rbm_step_matching (must agree within 4 reported standard
 * errors, and the standard error must be positive); the one-step bias ratio
 * for dt -> dt/2 (order 2: ratio ~ 4); the RBM-2 bound recomputed from its
 * formula; bit-reproducibility and the stream property (the values at t do
 * not depend on the other output times); refusals in validate. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/param.h"
#include "core/plugin.h"
#include "engines/nbodyq/nbodyq.h"
#include "engines/nbodyq/rbm.h"
#include "metrics/semiclassical/dualnorm.h"
#include "metrics/semiclassical/states.h"
#include "tests/testutil.h"

static const char *BASE = "N=4 M=16 L=8 eps=0.65 a=1 s=1 q=0 p=0";

static char *cat(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *s = malloc(n);
  ck_assert_ptr_nonnull(s);
  snprintf(s, n, "%s %s", a, b);
  return s;
}

static void free_states(mfh_state *s, size_t n) {
  for (size_t i = 0; i < n; i++) mfh_state_free(&s[i]);
}

START_TEST(test_refusals) {
  const mfh_solver_type *t = &mfh_solver_rbm;
  mfh_test_expect_bad(t, "N=3", "N", "must be even");
  mfh_test_expect_bad(t, "N=4 t=0.5 dt=0.3", "t", "not a whole number of steps");
  mfh_test_expect_bad(t, "N=4 M=64 memory_gb=0.01", "N", "needs");

  mfh_test_expect_bad(t, "N=4 M=16 L=8 eps=0.1", "M", "under-resolved");
  const mfh_solver_type *u = &mfh_solver_rbm_identities;
  mfh_test_expect_bad(u, "N=5", "N", "must be even");
  mfh_test_expect_bad(u, "t=0.5 dt=0.3", "t", "not a whole number of steps");
  mfh_test_expect_bad(u, "N=4 M=64 memory_gb=0.01", "N", "needs");
  /* A good configuration validates. */
  mfh_params ps = mfh_test_params(t, BASE);
  const char *param = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(t->validate(&ps, &param, &err), MFH_OK);
  mfh_params_free(&ps);
}
END_TEST

/* N = 2 and V = 0: the RBM is the full dynamics; the mean of identical
 * realisations differs from it only by the rounding of sum / R. */
START_TEST(test_trivial_cases) {
  const char *cases[] = {"N=2 dt=0.1 realisations=5", "a=0 dt=0.1 realisations=5"};
  for (int c = 0; c < 2; c++) {
    char *o = cat(BASE, cases[c]);
    mfh_params ps = mfh_test_params(&mfh_solver_rbm, o);
    double times[2] = {0.3, 0.6};
    mfh_state out[2];
    mfh_test_solver_run(&mfh_solver_rbm, &ps, 2, times, 11, out);
    for (int k = 0; k < 2; k++) {
      double w = mfh_test_value(&out[k], "weak"), tr = mfh_test_value(&out[k], "tr");
      ck_assert_msg(w < 1e-14 && tr < 1e-13, "%s t=%g: weak %g tr %g", cases[c], times[k], w, tr);
      ck_assert(fabs(mfh_test_value(&out[k], "gxi")) < 1e-14);
    }
    free_states(out, 2);
    mfh_params_free(&ps);
    free(o);
  }
}
END_TEST

/* Same seed: bit-identical values; the values at t = 0.4 do not depend on
 * whether t = 0.2 is also an output time. */
START_TEST(test_reproducible_stream) {
  char *o = cat(BASE, "dt=0.1 realisations=6");
  mfh_params ps = mfh_test_params(&mfh_solver_rbm, o);
  double t2[2] = {0.2, 0.4}, t1[1] = {0.4};
  mfh_state a[2], b[2], c[1];
  mfh_test_solver_run(&mfh_solver_rbm, &ps, 2, t2, 99, a);
  mfh_test_solver_run(&mfh_solver_rbm, &ps, 2, t2, 99, b);
  mfh_test_solver_run(&mfh_solver_rbm, &ps, 1, t1, 99, c);
  const char *names[] = {"weak", "weak_se", "tr", "gx", "gxi", "cosx", "gxi_se", "strang_tr"};
  for (int i = 0; i < 8; i++) {
    double va = mfh_test_value(&a[1], names[i]), vb = mfh_test_value(&b[1], names[i]);
    double vc = mfh_test_value(&c[0], names[i]);
    ck_assert_msg(memcmp(&va, &vb, sizeof va) == 0 && memcmp(&va, &vc, sizeof va) == 0,
                  "%s: %.17g %.17g %.17g", names[i], va, vb, vc);
  }
  ck_assert(mfh_test_value(&a[1], "weak") > 0);
  /* Another seed gives other matchings. */
  mfh_state d[1];
  mfh_test_solver_run(&mfh_solver_rbm, &ps, 1, t1, 100, d);
  ck_assert(mfh_test_value(&d[0], "weak") != mfh_test_value(&c[0], "weak"));
  free_states(a, 2);
  free_states(b, 2);
  free_states(c, 1);
  free_states(d, 1);
  mfh_params_free(&ps);
  free(o);
}
END_TEST

/* Exact E over the 9 matching sequences of two RBM steps (N = 4), minus the
 * full dynamics, in the observable a = exp(-xi^2/2); same model as BASE. */
static double exact_two_step_gxi(double dt) {
  const int M = 16, N = 4;
  const double L = 8, eps = 0.65, dx = L / M;
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = N;
  p.M = M;
  p.L = L;
  p.eps = eps;
  p.a = 1;
  p.s = 1;
  p.coupling_kind = MFH_NBODYQ_COUPLING_NM1;
  mfh_nbodyq *q = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_nbodyq_create(&p, &q, &err), MFH_OK);
  mfh_xgrid g = {1, (size_t)M, -L / 2, dx};
  double complex phi[16], R[256];
  double q0 = 0, p0 = 0;
  ck_assert_int_eq(mfh_sc_coherent(&g, eps, &q0, &p0, phi, &err), MFH_OK);
  static const int match[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
  double mean = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      ck_assert_int_eq(mfh_nbodyq_set_product(q, phi, &err), MFH_OK);
      ck_assert_int_eq(mfh_nbodyq_rbm_step_matching(q, dt, match[a], &err), MFH_OK);
      ck_assert_int_eq(mfh_nbodyq_rbm_step_matching(q, dt, match[b], &err), MFH_OK);
      ck_assert_int_eq(mfh_nbodyq_rdm1(q, R, &err), MFH_OK);
      mfh_sc_dual_obs o;
      ck_assert_int_eq(mfh_sc_dual_observables(R, M, -L / 2, dx, eps, &o, &err), MFH_OK);
      mean += o.gauss_xi / 9;
    }
  ck_assert_int_eq(mfh_nbodyq_set_product(q, phi, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbodyq_step(q, dt, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbodyq_step(q, dt, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbodyq_rdm1(q, R, &err), MFH_OK);
  mfh_sc_dual_obs o;
  ck_assert_int_eq(mfh_sc_dual_observables(R, M, -L / 2, dx, eps, &o, &err), MFH_OK);
  mfh_nbodyq_destroy(q);
  return mean - o.gauss_xi;
}

START_TEST(test_monte_carlo_vs_exact) {
  double dt = 0.25;
  char *o = cat(BASE, "dt=0.25 realisations=400");
  mfh_params ps = mfh_test_params(&mfh_solver_rbm, o);
  double times[1] = {2 * dt};
  mfh_state out[1];
  mfh_test_solver_run(&mfh_solver_rbm, &ps, 1, times, 2024, out);
  double mc = mfh_test_value(&out[0], "gxi"), se = mfh_test_value(&out[0], "gxi_se");
  double ex = exact_two_step_gxi(dt);
  ck_assert_msg(se > 0 && se < 0.2 * fabs(ex), "se %g vs |exact| %g", se, fabs(ex));
  ck_assert_msg(fabs(mc - ex) < 4 * se, "MC %g vs exact %g (se %g)", mc, ex, se);
  /* The weak proxy is at least the smooth observable's size scaled by the
   * proxy's weights: both see the same bias, so it is positive and finite. */
  double w = mfh_test_value(&out[0], "weak");
  ck_assert(w > 0 && isfinite(w));
  /* RBM-2 bound from its formula: (2N/eps) dt |a| (1 + N t |a| / eps). */
  double bound = 2.0 * 4 / 0.65 * dt * 1 * (1 + 4 * 2 * dt * 1 / 0.65);
  ck_assert(fabs(mfh_test_value(&out[0], "rbm2_bound") - bound) < 1e-12 * bound);
  ck_assert(mfh_test_value(&out[0], "rbm2_ratio") <= 1);
  free_states(out, 1);
  mfh_params_free(&ps);
  free(o);
}
END_TEST

START_TEST(test_identities) {
  double tr[2];
  for (int r = 0; r < 2; r++) {
    char *o = cat(BASE, r == 0 ? "t=0.2 dt=0.05 draws=20000" : "t=0.2 dt=0.025 draws=20000");
    mfh_params ps = mfh_test_params(&mfh_solver_rbm_identities, o);
    mfh_state out[1];
    mfh_test_solver_run(&mfh_solver_rbm_identities, &ps, 1, NULL, 7 + r, out);
    ck_assert(mfh_test_value(&out[0], "matchings") == 3);
    ck_assert(mfh_test_value(&out[0], "n2_psi") < 1e-14);
    ck_assert(mfh_test_value(&out[0], "n2_tr") < 1e-13);
    ck_assert(mfh_test_value(&out[0], "v0_psi") < 1e-14);
    ck_assert(mfh_test_value(&out[0], "v0_tr") < 1e-13);
    double pv = mfh_test_value(&out[0], "pair_p"), z = mfh_test_value(&out[0], "pair_z");
    ck_assert_msg(pv > 1e-6 && pv <= 1 && z < 5.5, "pair test p %g z %g", pv, z);
    tr[r] = mfh_test_value(&out[0], "onestep_tr");
    ck_assert(tr[r] > 0);
    free_states(out, 1);
    mfh_params_free(&ps);
    free(o);
  }
  double ratio = tr[0] / tr[1];
  ck_assert_msg(ratio > 3.6 && ratio < 4.4, "one-step bias ratio %g (%g, %g)", ratio, tr[0], tr[1]);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("rbm");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_trivial_cases);
  tcase_add_test(tc, test_reproducible_stream);
  tcase_add_test(tc, test_monte_carlo_vs_exact);
  tcase_add_test(tc, test_identities);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
