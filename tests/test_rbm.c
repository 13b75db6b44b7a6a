/* Tests for the random batch method as engines: `nbodyq` with
 * batches: random (engines/nbodyq/engine.c) read through the observables
 * dual_proxy, smooth_obs and density_norms against the same engine with
 * batches: none, and `rbm_identities` (engines/nbodyq/identities.c);
 * THEOREMS.md RBM-1..3.
 *
 * Independent references: N = 2 (RBM = full dynamics) and V = 0 give a zero
 * weak error, trace norm and Monte Carlo error; the Monte Carlo mean after
 * two steps against the exact expectation over all 9 matching sequences,
 * enumerated here with mfh_nbodyq_rbm_step_matching (must agree within 4
 * reported standard errors, and the standard error must be positive); the
 * mean kernel is the mean of the samples it carries; the one-step bias ratio
 * for dt -> dt/2 (order 2: ratio ~ 4); bit-reproducibility and the stream
 * property (the state at t does not depend on the other output times);
 * refusals in validate. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "core/param.h"
#include "engines/nbodyq/engine.h"
#include "engines/nbodyq/identities.h"
#include "engines/nbodyq/nbodyq.h"
#include "metrics/semiclassical/dualnorm.h"
#include "metrics/semiclassical/states.h"
#include "observables/density.h"
#include "observables/dual.h"
#include "tests/testutil.h"

static const mfh_engine_type *E = &mfh_engine_nbodyq;
static const char *BASE = "N=4 M=16 L=8 eps=0.65 a=1 s=1 q=0 p=0 coupling=1/(N-1) orbital=sampled";

static void clear_states(mfh_state *s, size_t n) {
  for (size_t i = 0; i < n; i++) mfh_state_clear(&s[i]);
}

/* The two parts of an RBM study from one initial orbital: random batches
 * (stream seed) into rbm[0..n-1], the full dynamics into full[0..n-1]. */
static void run_parts(const char *over, size_t n, const double *t, unsigned long long seed, mfh_state *rbm,
                      mfh_state *full) {
  mfh_params pr = mfh_test_engine_valid(E, "%s %s batches=random", BASE, over);
  mfh_params pf = mfh_test_engine_valid(E, "%s %s batches=none", BASE, over);
  mfh_state s0;
  mfh_test_engine_initial(E, &pr, 1, &s0);
  mfh_test_engine_run(E, &pr, &s0, n, t, seed, rbm);
  if (full) mfh_test_engine_run(E, &pf, &s0, n, t, seed + 1, full);
  mfh_state_clear(&s0);
  mfh_params_free(&pr);
  mfh_params_free(&pf);
}

START_TEST(test_refusals) {
  mfh_test_engine_expect_bad(E, "batches=random N=3", "N", "must be even");
  mfh_test_engine_expect_bad(E, "batches=random N=4 rdm2=yes", "rdm2", "full dynamics");
  mfh_test_engine_expect_bad(E, "N=4 t=0.5 dt=0.3", "t", "not a whole number of steps");
  mfh_test_engine_expect_bad(E, "N=4 M=64 memory_gb=0.01", "N", "needs");
  mfh_test_engine_expect_bad(E, "N=4 M=16 L=8 eps=0.1", "M", "under-resolved");
  const mfh_engine_type *u = &mfh_engine_rbm_identities;
  mfh_test_engine_expect_bad(u, "N=5", "N", "must be even");
  mfh_test_engine_expect_bad(u, "t=0.5 dt=0.3", "t", "not a whole number of steps");
  mfh_test_engine_expect_bad(u, "N=4 M=64 memory_gb=0.01", "N", "needs");
  /* A good configuration validates, and so do the conformance suite's. */
  mfh_params ps = mfh_test_engine_valid(E, "%s batches=random", BASE);
  mfh_params_free(&ps);
  ps = mfh_test_engine_valid(u, "%s", u->conformance);
  mfh_params_free(&ps);
}
END_TEST

/* N = 2 and V = 0: the RBM is the full dynamics; the mean of identical
 * realisations differs from it only by the rounding of sum / R, and so do
 * the samples from one another. */
START_TEST(test_trivial_cases) {
  const char *cases[] = {"N=2 dt=0.1 realisations=5", "a=0 dt=0.1 realisations=5"};
  for (int c = 0; c < 2; c++) {
    double times[2] = {0.3, 0.6};
    mfh_state rbm[2], full[2];
    run_parts(cases[c], 2, times, 11, rbm, full);
    for (int k = 0; k < 2; k++) {
      double w = mfh_test_obs(&mfh_obs_dual_proxy, "", &rbm[k], &full[k], times[k], "dual");
      double se = mfh_test_obs(&mfh_obs_dual_proxy, "", &rbm[k], &full[k], times[k], "dual_se");
      double tr = mfh_test_obs(&mfh_obs_density_norms, "", &rbm[k], &full[k], times[k], "tr");
      double gxi = mfh_test_obs(&mfh_obs_smooth_obs, "", &rbm[k], &full[k], times[k], "gxi");
      double gse = mfh_test_obs(&mfh_obs_smooth_obs, "", &rbm[k], &full[k], times[k], "gxi_se");
      ck_assert_msg(w < 1e-14 && tr < 1e-13 && fabs(gxi) < 1e-14, "%s t=%g: weak %g tr %g gxi %g", cases[c],
                    times[k], w, tr, gxi);
      ck_assert_msg(se < 1e-15 && gse < 1e-15, "%s: se %g %g", cases[c], se, gse);
    }
    clear_states(rbm, 2);
    clear_states(full, 2);
  }
}
END_TEST

/* Same seed: bit-identical states (mean and samples); the state at t = 0.4
 * does not depend on whether t = 0.2 is also an output time; the mean is
 * the mean of the samples it carries. */
START_TEST(test_reproducible_stream) {
  double t2[2] = {0.2, 0.4}, t1[1] = {0.4};
  mfh_state a[2], b[2], c[1], d[1];
  run_parts("dt=0.1 realisations=6", 2, t2, 99, a, NULL);
  run_parts("dt=0.1 realisations=6", 2, t2, 99, b, NULL);
  run_parts("dt=0.1 realisations=6", 1, t1, 99, c, NULL);
  run_parts("dt=0.1 realisations=6", 1, t1, 100, d, NULL);
  ck_assert_uint_eq(mfh_test_state_hash(&a[1]), mfh_test_state_hash(&b[1]));
  ck_assert_uint_eq(mfh_test_state_hash(&a[1]), mfh_test_state_hash(&c[0]));
  ck_assert_uint_ne(mfh_test_state_hash(&d[0]), mfh_test_state_hash(&c[0]));
  const mfh_density *R = mfh_state_get(&c[0], &mfh_kind_density, "rdm1");
  ck_assert(R && R->kind == MFH_DENSITY_KERNEL && R->nsamples == 6 && R->samples && R->eps == 0.65);
  size_t M2 = R->grid.n * R->grid.n;
  for (size_t i = 0; i < M2; i++) {
    double complex s = 0;
    for (size_t r = 0; r < 6; r++) s += R->samples[r * M2 + i];
    ck_assert(s / 6.0 == R->kernel[i]);
  }
  clear_states(a, 2);
  clear_states(b, 2);
  clear_states(c, 1);
  clear_states(d, 1);
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
  double dt = 0.25, times[1] = {2 * dt};
  mfh_state rbm[1], full[1];
  run_parts("dt=0.25 realisations=400", 1, times, 2024, rbm, full);
  double mc = mfh_test_obs(&mfh_obs_smooth_obs, "", rbm, full, times[0], "gxi");
  double se = mfh_test_obs(&mfh_obs_smooth_obs, "", rbm, full, times[0], "gxi_se");
  double ex = exact_two_step_gxi(dt);
  ck_assert_msg(se > 0 && se < 0.2 * fabs(ex), "se %g vs |exact| %g", se, fabs(ex));
  ck_assert_msg(fabs(mc - ex) < 4 * se, "MC %g vs exact %g (se %g)", mc, ex, se);
  /* The weak proxy sees the same bias: positive and finite, with a
   * positive Monte Carlo error. */
  double w = mfh_test_obs(&mfh_obs_dual_proxy, "", rbm, full, times[0], "dual");
  double wse = mfh_test_obs(&mfh_obs_dual_proxy, "", rbm, full, times[0], "dual_se");
  ck_assert(w > 0 && isfinite(w) && wse > 0 && wse < w);
  clear_states(rbm, 1);
  clear_states(full, 1);
}
END_TEST

START_TEST(test_identities) {
  const mfh_engine_type *u = &mfh_engine_rbm_identities;
  double tr[2];
  for (int r = 0; r < 2; r++) {
    mfh_params ps = mfh_test_engine_valid(u, "N=4 M=16 L=8 eps=0.65 a=1 s=1 q=0 p=0 t=0.2 dt=%g draws=20000",
                                          r == 0 ? 0.05 : 0.025);
    mfh_state out[1];
    mfh_test_engine_run(u, &ps, NULL, 0, NULL, 7 + r, out);
    ck_assert(mfh_test_scalar(&out[0], "matchings") == 3);
    ck_assert(mfh_test_scalar(&out[0], "n2_psi") < 1e-14);
    ck_assert(mfh_test_scalar(&out[0], "n2_tr") < 1e-13);
    ck_assert(mfh_test_scalar(&out[0], "v0_psi") < 1e-14);
    ck_assert(mfh_test_scalar(&out[0], "v0_tr") < 1e-13);
    double pv = mfh_test_scalar(&out[0], "pair_p"), z = mfh_test_scalar(&out[0], "pair_z");
    ck_assert_msg(pv > 1e-6 && pv <= 1 && z < 5.5, "pair test p %g z %g", pv, z);
    tr[r] = mfh_test_scalar(&out[0], "onestep_tr");
    ck_assert(tr[r] > 0);
    clear_states(out, 1);
    mfh_params_free(&ps);
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
