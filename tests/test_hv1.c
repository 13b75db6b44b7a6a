/* Tests for engines/semiclassical/hv1.c: the registry entry `solver: hv1`
 * (THEOREMS.md HV-1, d = 1).
 *   - validation names the offending parameter;
 *   - at t = 0 the Husimi function of the Toeplitz state of f_in =
 *     N(m, diag(sq^2, sp^2)) is G_eps * f_in = N(m, diag(sq^2 + eps,
 *     sp^2 + eps)) (THEOREMS.md section 1; wigner.h: Husimi = G_{eps/2} * W,
 *     W = G_{eps/2} * mu), so W_2^2(f_in, Husimi) = (sqrt(sq^2 + eps) - sq)^2
 *     + (sqrt(sp^2 + eps) - sp)^2 (Gaussian formula [001:L1204]; the
 *     optimal map is diagonal): the solver's bracket [w2sq_lo, w2sq_hi] must
 *     contain it;
 *   - the stream contract: out[k] for t in {0.5, 1} is bit for bit the run
 *     asked for that time alone. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/param.h"
#include "core/plugin.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/values.h"
#include "engines/semiclassical/hv1.h"
#include "tests/testutil.h"

static mfh_params with(const char *list) { return mfh_test_params(&mfh_solver_hv1, list); }
static void expect_bad(const char *list, const char *param, const char *needle) {
  mfh_test_expect_bad(&mfh_solver_hv1, list, param, needle);
}
static void run_ok(const mfh_params *ps, size_t n, const double *times, mfh_state *out) {
  mfh_test_solver_run(&mfh_solver_hv1, ps, n, times, 1, out);
}
static double value(const mfh_state *s, const char *name) { return mfh_test_value(s, name); }

START_TEST(test_validate) {
  mfh_params ps = with("");
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_solver_hv1.validate(&ps, &bad, &err) == MFH_OK, "defaults rejected: %s", err.msg);
  mfh_params_free(&ps);
  expect_bad("t=0.015 dt=0.01", "t", "whole number");
  expect_bad("nv=128", "nv", "odd");
  expect_bad("nx=100", "nx", "divide");
  expect_bad("eps=0.01", "n", "under-resolved");  /* 512 points on a box of 8 cannot carry eps = 0.01 */
  expect_bad("vmax=2", "vmax", "contain f_in"); /* 6 sp = 3 */
  expect_bad("eps=0.05 n=256 nx=128 vmax=6 sp=0.4", "vmax", "momentum band"); /* pi eps/dx = 5.03 */
  expect_bad("eps=0.02 max_orbitals=50", "max_orbitals", "orbitals");
}
END_TEST

static void t0_case(const char *list, double eps, double sq, double sp) {
  mfh_params ps = with(list);
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_solver_hv1.validate(&ps, &bad, &err) == MFH_OK, "%s rejected: %s", list, err.msg);
  double t0 = 0;
  mfh_state out[1];
  run_ok(&ps, 1, &t0, out);
  double exact = pow(sqrt(sq * sq + eps) - sq, 2) + pow(sqrt(sp * sp + eps) - sp, 2);
  double lo = value(&out[0], "w2sq_lo"), hi = value(&out[0], "w2sq_hi"), est = value(&out[0], "w2sq");
  printf("measured: %s: W_2^2 exact %.6g, bracket [%.6g, %.6g], estimate %.6g (rel %.3g), grid [%.6g, %.6g]\n", list,
         exact, lo, hi, est, est / exact - 1, value(&out[0], "w2_grid_lo"), value(&out[0], "w2_grid_hi"));
  ck_assert_msg(lo <= exact && exact <= hi, "%s: exact %.6g outside [%.6g, %.6g]", list, exact, lo, hi);
  ck_assert(fabs(value(&out[0], "hartree_mass") - 1) < 1e-10);
  ck_assert(fabs(value(&out[0], "vlasov_mass") - 1) < 1e-8);
  ck_assert(value(&out[0], "hv1_ratio_hi") <= 1);
  mfh_state_free(&out[0]);
  mfh_params_free(&ps);
}

START_TEST(test_t0_closed_form) {
  t0_case("eps=0.1 t=0", 0.1, 0.5, 0.5);
  t0_case("eps=0.1 t=0 q0=0.3 p0=-0.4 sq=0.5 sp=0.4", 0.1, 0.5, 0.4);
}
END_TEST

START_TEST(test_stream) {
  mfh_params ps = with("eps=0.2 dt=0.05 nx=64 nv=65 n=256");
  double both[2] = {0.5, 1}, one[1];
  mfh_state s2[2], s1[1];
  run_ok(&ps, 2, both, s2);
  for (int k = 0; k < 2; k++) {
    one[0] = both[k];
    run_ok(&ps, 1, one, s1);
    const mfh_values *a = &s2[k].values, *b = &s1[0].values;
    ck_assert_msg(a->n == b->n && a->n > 0, "t = %g: %zu values vs %zu", both[k], a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
      ck_assert_str_eq(a->v[i].name, b->v[i].name);
      ck_assert_msg(memcmp(&a->v[i].v, &b->v[i].v, sizeof(double)) == 0, "t = %g: %s = %.17g vs %.17g", both[k],
                    a->v[i].name, a->v[i].v, b->v[i].v);
    }
    mfh_state_free(&s1[0]);
  }
  mfh_state_free(&s2[0]);
  mfh_state_free(&s2[1]);
  mfh_params_free(&ps);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("hv1");
  TCase *tc = tcase_create("hv1");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_validate);
  tcase_add_test(tc, test_t0_closed_form);
  tcase_add_test(tc, test_stream);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
