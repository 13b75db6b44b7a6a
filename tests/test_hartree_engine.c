/* Tests for engine `hartree` (engines/hartree/engine.c) and observable
 * orbital_l2 (observables/density.c): outputs as declared, the stream
 * contract, h1: yes changes no bit of the trajectory and integrates
 * ||psi||_{H^1} as the N-body engine's loop does, a density handed over by
 * another engine is evolved on its own grid and eps, the Toeplitz state is
 * mfh_sc_toeplitz_gaussian's, bad parameters are refused by name, and the
 * orbital distance against a dt / 8 run decays at order 2. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <string.h>

#include "core/kinds.h"
#include "engines/hartree/engine.h"
#include "engines/hartree/hartree.h"
#include "metrics/semiclassical/states.h"
#include "observables/density.h"
#include "tests/testutil.h"

static const mfh_engine_type *E = &mfh_engine_hartree;

static const mfh_density *density(const mfh_state *s) {
  const mfh_density *d = mfh_state_get(s, &mfh_kind_density, "density");
  ck_assert_msg(d != NULL, "no density");
  return d;
}

static uint64_t density_hash(const mfh_state *s) {
  uint64_t h = 0;
  mfh_err err;
  ck_assert(mfh_kind_density.hash(density(s), &h, &err) == MFH_OK);
  return h;
}

static mfh_params valid(const char *overrides) {
  mfh_params ps = mfh_test_engine_params(E, overrides);
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(E->validate(&ps, &bad, &err) == MFH_OK, "%s: %s", overrides, err.msg);
  return ps;
}

static double l2(const mfh_state *a, const mfh_state *b) {
  mfh_obs_args in = {{a, b, NULL, NULL}, 0};
  mfh_values v = {0};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_obs_orbital_l2.eval(NULL, &in, &v, &err) == MFH_OK, "%s", err.msg);
  double x = *mfh_values_get(&v, "l2");
  mfh_values_free(&v);
  return x;
}

/* Two output times in one run equal two runs; h1: yes moves no bit of the
 * density and adds h1_int (checked against the declaration). */
START_TEST(stream_contract_and_h1) {
  static const char *base = "state=mixture M=4 n=256 L=16 eps=0.2 dt=0.05 t=1";
  mfh_params ps = valid(base);
  char more[256];
  snprintf(more, sizeof more, "%s h1=yes", base);
  mfh_params ph = valid(more);
  double t[2] = {0.5, 1.0};
  mfh_state both[2], one, h1[2];
  mfh_test_engine_run(E, &ps, NULL, 2, t, 7, both);
  mfh_test_engine_run(E, &ph, NULL, 2, t, 7, h1);
  for (int k = 0; k < 2; k++) {
    mfh_test_engine_run(E, &ps, NULL, 1, &t[k], 7, &one);
    ck_assert_uint_eq(mfh_test_state_hash(&one), mfh_test_state_hash(&both[k]));
    ck_assert_uint_eq(density_hash(&h1[k]), density_hash(&both[k]));
    ck_assert(mfh_test_scalar(&h1[k], "x2") == mfh_test_scalar(&both[k], "x2"));
    ck_assert(mfh_test_scalar(&h1[k], "h1_int") > 0);
    mfh_state_clear(&one);
  }
  ck_assert(mfh_test_scalar(&both[1], "mass_err") < 1e-12);
  ck_assert(mfh_test_scalar(&both[1], "energy_err") < 1e-4);
  ck_assert_double_eq(density(&both[0])->eps, 0.2);
  for (int k = 0; k < 2; k++) {
    mfh_state_clear(&both[k]);
    mfh_state_clear(&h1[k]);
  }
  mfh_params_free(&ps);
  mfh_params_free(&ph);
}
END_TEST

/* Without interaction |F psi|^2 is invariant, so ||psi||_{H^1} is constant
 * and h1_int = t ||psi_in||_{H^1}. */
START_TEST(h1_free_motion) {
  mfh_params ps = valid("state=coherent p=1 interaction=none n=256 L=12 eps=0.1 dt=0.01 h1=yes t=1");
  double t = 1;
  mfh_state out;
  mfh_test_engine_run(E, &ps, NULL, 1, &t, 1, &out);
  double p2 = mfh_test_scalar(&out, "p2"), h1 = sqrt(1 + p2 / 0.01);
  ck_assert_double_eq_tol(mfh_test_scalar(&out, "h1_int"), h1, 1e-10 * h1);
  mfh_state_clear(&out);
  mfh_params_free(&ps);
}
END_TEST

/* psi_in built as the N-body Schroedinger engine builds its product factor
 * (periodic Gaussian V, normalised coherent state on M points) and handed
 * over as a density: the engine evolves it on that grid at that eps, and
 * h1_int is the same trapezoidal sum as a step-by-step loop over the
 * library, bit for bit. */
START_TEST(from_another_density) {
  const int M = 64;
  const double L = 10, eps = 0.25, dt = 0.02, q = 0.5, p = -0.3;
  mfh_hartree_params hp;
  mfh_hartree_params_init(&hp);
  hp.n = M;
  hp.xmin = -L / 2;
  hp.xmax = L / 2;
  hp.eps = eps;
  hp.interaction = MFH_HARTREE_PERIODIC;
  hp.a = 0.7;
  hp.s = 1.2;
  hp.threads = 1;
  mfh_hartree *h = NULL;
  mfh_err err;
  ck_assert(mfh_hartree_create(&hp, &h, &err) == MFH_OK);
  ck_assert(mfh_hartree_set_coherent(h, 0, &q, &p, &err) == MFH_OK);
  ck_assert(mfh_hartree_normalize(h, &err) == MFH_OK);
  mfh_xgrid g = {1, (size_t)M, -L / 2, L / M};
  mfh_density *psi_in = mfh_density_new(&g, MFH_DENSITY_ORBITALS, 1);
  ck_assert(psi_in != NULL);
  psi_in->eps = eps;
  psi_in->w[0] = 1;
  memcpy(psi_in->orb, mfh_hartree_orbital_const(h, 0), (size_t)M * sizeof *psi_in->orb);
  mfh_state from;
  memset(&from, 0, sizeof from);
  ck_assert(mfh_state_put(&from, "psi_in", &mfh_kind_density, psi_in, &err) == MFH_OK);
  /* the engine's own grid and eps parameters differ: the density's win */
  mfh_params ps = valid("interaction=gaussian_periodic a=0.7 s=1.2 n=512 L=16 eps=0.1 dt=0.02 h1=yes t=0.4");
  double t = 0.4;
  mfh_state out;
  mfh_test_engine_run(E, &ps, &from, 1, &t, 1, &out);
  const mfh_density *R = density(&out);
  ck_assert_uint_eq(R->grid.n, (size_t)M);
  ck_assert(R->grid.xmin == g.xmin && R->grid.dx == g.dx && R->eps == eps);
  /* the library loop of the N-body engine */
  mfh_hartree_diag d;
  ck_assert(mfh_hartree_diagnostics(h, &d, &err) == MFH_OK);
  double prev = sqrt(d.mass + d.p2 / (eps * eps)), integral = 0;
  for (int k = 0; k < 20; k++) {
    ck_assert(mfh_hartree_step(h, dt, &err) == MFH_OK);
    ck_assert(mfh_hartree_diagnostics(h, &d, &err) == MFH_OK);
    double now = sqrt(d.mass + d.p2 / (eps * eps));
    integral += 0.5 * dt * (now + prev);
    prev = now;
  }
  ck_assert(mfh_test_scalar(&out, "h1_int") == integral);
  ck_assert(memcmp(R->orb, mfh_hartree_orbital_const(h, 0), (size_t)M * sizeof *R->orb) == 0);
  mfh_state_clear(&out);
  /* a kernel cannot be evolved */
  mfh_state kern;
  memset(&kern, 0, sizeof kern);
  mfh_density *K = mfh_density_new(&g, MFH_DENSITY_KERNEL, 0);
  ck_assert(mfh_state_put(&kern, "rdm", &mfh_kind_density, K, &err) == MFH_OK);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  mfh_engine_ctx ctx = {1, &t, &kern, r, r, 1, 0, ".", NULL, 0, 0, NULL};
  mfh_state bad;
  memset(&bad, 0, sizeof bad);
  ck_assert_int_eq(E->run(&ps, &ctx, &bad, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "orbitals + weights") != NULL, "%s", err.msg);
  mfh_state_clear(&bad);
  gsl_rng_free(r);
  mfh_state_clear(&kern);
  mfh_state_clear(&from);
  mfh_params_free(&ps);
  mfh_hartree_destroy(h);
}
END_TEST

/* state: toeplitz is HV-1's initial state: mfh_sc_toeplitz_gaussian's
 * orbitals and weights, bit for bit. */
START_TEST(toeplitz_state) {
  mfh_params ps = valid("state=toeplitz q=0.3 p=-0.2 sq=0.5 sp=0.5 n=512 L=8 eps=0.1 dt=0.01 t=0.1");
  mfh_state s0;
  mfh_test_engine_initial(E, &ps, 1, &s0);
  const mfh_density *R = density(&s0);
  mfh_xgrid sg = {1, 512, -4, 8.0 / 512};
  double m[2] = {0.3, -0.2}, Sigma[4] = {0.25, 0, 0, 0.25};
  mfh_sc_state *T = NULL;
  mfh_err err;
  ck_assert(mfh_sc_toeplitz_gaussian(&sg, 0.1, m, Sigma, MFH_SC_ORBITALS, 1e-12, 4000, &T, NULL, &err) == MFH_OK);
  ck_assert_uint_eq(R->norb, T->norb);
  ck_assert(R->norb > 10);
  ck_assert(memcmp(R->orb, T->orb, T->norb * 512 * sizeof *T->orb) == 0);
  ck_assert(memcmp(R->w, T->w, T->norb * sizeof *T->w) == 0);
  mfh_sc_state_destroy(T);
  mfh_state_clear(&s0);
  double t = 0.1;
  mfh_state out;
  mfh_test_engine_run(E, &ps, NULL, 1, &t, 1, &out);
  ck_assert(mfh_test_scalar(&out, "mass_err") < 1e-12);
  mfh_state_clear(&out);
  mfh_params_free(&ps);
}
END_TEST

START_TEST(bad_parameters) {
  mfh_test_engine_expect_bad(E, "state=mixture weights=0.5,0.3", "weights", "must sum to 1");
  mfh_test_engine_expect_bad(E, "t=0.3 dt=0.25", "t", "whole number of steps");
  mfh_test_engine_expect_bad(E, "state=mixture M=4 eps=0.01 n=512", "n", "under-resolved");
  mfh_test_engine_expect_bad(E, "state=toeplitz eps=0.1 n=512 L=8 sq=0.5 sp=0.5 max_orbitals=5", "max_orbitals",
                             "orbitals");
  mfh_test_engine_expect_bad(E, "state=toeplitz eps=0.1 n=512 L=3 sq=0.5 sp=0.5", "L", "box");
}
END_TEST

/* orbital_l2: zero against itself; the same state sampled on a nested grid
 * of twice the points is at distance 0 on the coarse nodes; grids that are
 * not nested are refused; against dt / 8 the error decays at order 2. */
START_TEST(orbital_distance) {
  double t = 0.2;
  mfh_params pa = valid("n=128 L=12 eps=0.2 p=1 dt=0.01 t=0.2"), pb = valid("n=256 L=12 eps=0.2 p=1 dt=0.01 t=0.2"),
             pc = valid("n=96 L=12 eps=0.2 p=1 dt=0.01 t=0.2");
  mfh_state a0, b0, c0;
  mfh_test_engine_initial(E, &pa, 1, &a0);
  mfh_test_engine_initial(E, &pb, 1, &b0);
  mfh_test_engine_initial(E, &pc, 1, &c0);
  ck_assert(l2(&a0, &a0) == 0);
  ck_assert(l2(&a0, &b0) < 1e-15);
  mfh_obs_args in = {{&a0, &c0, NULL, NULL}, 0};
  mfh_values v = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_obs_orbital_l2.eval(NULL, &in, &v, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "not nested") != NULL, "%s", err.msg);
  mfh_values_free(&v);
  mfh_state_clear(&a0);
  mfh_state_clear(&b0);
  mfh_state_clear(&c0);
  double e[2];
  for (int i = 0; i < 2; i++) {
    char coarse[128], fine[128];
    double dt = i ? 0.02 : 0.04;
    snprintf(coarse, sizeof coarse, "n=128 L=12 eps=0.2 p=1 dt=%g t=0.2", dt);
    snprintf(fine, sizeof fine, "n=128 L=12 eps=0.2 p=1 dt=%g t=0.2", dt / 8);
    mfh_params p1 = valid(coarse), p2 = valid(fine);
    mfh_state s1, s2;
    mfh_test_engine_run(E, &p1, NULL, 1, &t, 1, &s1);
    mfh_test_engine_run(E, &p2, NULL, 1, &t, 1, &s2);
    e[i] = l2(&s1, &s2);
    mfh_state_clear(&s1);
    mfh_state_clear(&s2);
    mfh_params_free(&p1);
    mfh_params_free(&p2);
  }
  ck_assert_msg(e[0] > 0 && fabs(log2(e[0] / e[1]) - 2) < 0.1, "errors %g %g", e[0], e[1]);
  mfh_params_free(&pa);
  mfh_params_free(&pb);
  mfh_params_free(&pc);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("hartree_engine");
  TCase *tc = tcase_create("engine");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, stream_contract_and_h1);
  tcase_add_test(tc, h1_free_motion);
  tcase_add_test(tc, from_another_density);
  tcase_add_test(tc, toeplitz_state);
  tcase_add_test(tc, bad_parameters);
  tcase_add_test(tc, orbital_distance);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
