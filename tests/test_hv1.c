/* Tests for the parts of HV-1 (THEOREMS.md HV-1, d = 1): engine hartree with
 * state toeplitz, engine vlasov (model pair_free, init gaussian, vgrid
 * husimi) and the observable husimi_grid_w2 (observables/semiclassical.c).
 *   - at t = 0 the Husimi function of the Toeplitz state of f_in =
 *     N(m, diag(sq^2, sp^2)) is G_eps * f_in = N(m, diag(sq^2 + eps,
 *     sp^2 + eps)) (THEOREMS.md section 1; wigner.h: Husimi = G_{eps/2} * W,
 *     W = G_{eps/2} * mu), so W_2^2(f_in, Husimi) = (sqrt(sq^2 + eps) - sq)^2
 *     + (sqrt(sp^2 + eps) - sp)^2 (Gaussian formula [001:L1204]; the
 *     optimal map is diagonal): the bracket [w2sq_lo, w2sq_hi] must contain
 *     it, the masses are 1 and the bound of HV-1 holds;
 *   - a Vlasov grid that is not on the Husimi nodes (vgrid span, or x nodes
 *     not on the Hartree grid) is refused;
 *   - the hartree engine's constant lipgrad = |a|/s^2. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/param.h"
#include "core/status.h"
#include "core/values.h"
#include "engines/hartree/engine.h"
#include "engines/vlasov/engine.h"
#include "observables/semiclassical.h"
#include "tests/testutil.h"

/* The two parts at t = 0 (system hartree, reference vlasov) on the common
 * parameters `common` plus each part's own. */
static void parts_t0(const char *common, const char *hartree_extra, const char *vlasov_extra, mfh_state *h,
                     mfh_state *v) {
  mfh_params ph =
      mfh_test_engine_valid(&mfh_engine_hartree, "state=toeplitz interaction=gaussian %s %s", common, hartree_extra);
  mfh_params pv = mfh_test_engine_valid(&mfh_engine_vlasov, "model=pair_free init=gaussian fit=none nx=%s %s %s",
                                        strstr(common, "n=512") ? "256 nv=257 vmax=4" : "64 nv=65 vmax=4", common,
                                        vlasov_extra);
  double t0 = 0;
  mfh_test_engine_run_ok(&mfh_engine_hartree, &ph, 1, &t0, 1, h);
  mfh_test_engine_run_ok(&mfh_engine_vlasov, &pv, 1, &t0, 1, v);
  mfh_params_free(&ph);
  mfh_params_free(&pv);
}

static void t0_case(const char *hq, const char *vq, double eps, double sq, double sp) {
  char common[256];
  snprintf(common, sizeof common, "eps=%g t=0 dt=0.01 a=1 s=1 sq=%g sp=%g n=512 L=8", eps, sq, sp);
  mfh_state h[1], v[1];
  parts_t0(common, hq, vq, h, v);
  mfh_values out = {0};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_test_obs_eval(&mfh_obs_husimi_grid_w2, h, v, NULL, NULL, 0, &out, &err) == MFH_OK, "%s", err.msg);
  double exact = pow(sqrt(sq * sq + eps) - sq, 2) + pow(sqrt(sp * sp + eps) - sp, 2);
  double lo = *mfh_values_get(&out, "w2sq_lo"), hi = *mfh_values_get(&out, "w2sq_hi");
  double est = *mfh_values_get(&out, "w2sq");
  printf("measured: eps %g sq %g sp %g: W_2^2 exact %.6g, bracket [%.6g, %.6g], estimate %.6g (rel %.3g)\n", eps, sq,
         sp, exact, lo, hi, est, est / exact - 1);
  ck_assert_msg(lo <= exact && exact <= hi, "exact %.6g outside [%.6g, %.6g]", exact, lo, hi);
  ck_assert(fabs(*mfh_values_get(&out, "density_mass") - 1) < 1e-10);
  ck_assert(fabs(mfh_test_scalar(v, "mass") - 1) < 1e-8);
  ck_assert(*mfh_values_get(&out, "husimi_window") > 1 - 1e-6);
  ck_assert(hi <= eps * (1 + exp(5.0 * 0))); /* HV-1 at t = 0, Gamma = 5 */
  mfh_values_free(&out);
  mfh_state_clear(h);
  mfh_state_clear(v);
}

START_TEST(test_t0_closed_form) {
  t0_case("", "vgrid=husimi", 0.1, 0.5, 0.5);
  t0_case("q=0.3 p=-0.4", "vgrid=husimi q0=0.3 p0=-0.4", 0.1, 0.5, 0.4);
}
END_TEST

START_TEST(test_grid_mismatch) {
  const char *common = "eps=0.2 t=0 dt=0.05 a=1 s=1 sq=0.5 sp=0.5 n=256 L=8";
  mfh_state h[1], v[1];
  parts_t0(common, "", "vgrid=span", h, v); /* v nodes on [-4, 4], not Husimi momenta */
  mfh_test_obs_fails(&mfh_obs_husimi_grid_w2, h, v, MFH_EINPUT, "not nodes of the Husimi grid");
  mfh_state_clear(h);
  mfh_state_clear(v);
  parts_t0(common, "", "vgrid=husimi nx=48", h, v); /* x step 8/48: not every k-th node of 256 */
  mfh_test_obs_fails(&mfh_obs_husimi_grid_w2, h, v, MFH_EINPUT, "not nodes of the Husimi grid");
  mfh_state_clear(h);
  mfh_state_clear(v);
}
END_TEST

START_TEST(test_lipgrad) {
  mfh_params ps = mfh_test_engine_valid(&mfh_engine_hartree, "state=coherent interaction=gaussian a=-3 s=0.5 n=256");
  mfh_values c = {0};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert(mfh_engine_hartree.constants(&ps, &c, &err) == MFH_OK);
  ck_assert_double_eq(*mfh_values_get(&c, "lipgrad"), 12);
  mfh_values_free(&c);
  mfh_params_free(&ps);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("hv1");
  TCase *tc = tcase_create("hv1");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_t0_closed_form);
  tcase_add_test(tc, test_grid_mismatch);
  tcase_add_test(tc, test_lipgrad);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
