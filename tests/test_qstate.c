/* Tests for engine `qstate` (engines/semiclassical/qstate.c) and the
 * observables mk2eps, wigner, husimi_w2 (observables/semiclassical.c):
 * the states are the library's (coherent bit for bit; the random ones draw
 * in the documented order from the stream they are given), the sampled
 * parameters are exactly {M, spread}, outputs are as declared at every
 * output time, and the observables reproduce the closed forms of THEOREMS.md
 * section 2-3: MK2^eps(|z1>, |z2>)^2 = |z1 - z2|^2 + 2 eps, MK2^eps^2 >= 2 eps,
 * W_2 between the Husimi functions of two coherent states = |z1 - z2|, and
 * the WIG-1 identities. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "engines/semiclassical/qstate.h"
#include "metrics/semiclassical/states.h"
#include "observables/semiclassical.h"
#include "tests/testutil.h"

static const mfh_engine_type *E = &mfh_engine_qstate;

static const mfh_density *density(const mfh_state *s) {
  const mfh_density *d = mfh_state_get(s, &mfh_kind_density, "density");
  ck_assert_msg(d != NULL, "no density");
  return d;
}

/* The state of the overrides: validated, drawn from a stream seeded by seed, run to one output. */
static void state(const char *overrides, unsigned long long seed, mfh_state *out) {
  mfh_params ps = mfh_test_engine_params(E, overrides);
  const char *bad = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(E->validate(&ps, &bad, &err) == MFH_OK, "%s: %s", overrides, err.msg);
  mfh_state s0;
  mfh_test_engine_initial(E, &ps, seed, &s0);
  mfh_test_engine_run(E, &ps, &s0, 0, NULL, 1, out);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}

static mfh_values eval(const mfh_observable_type *o, const mfh_state *a, const mfh_state *b, int expect) {
  mfh_obs_args in = {{a, b, NULL, NULL}, 0};
  mfh_values v = {0};
  mfh_err err;
  mfh_err_clear(&err);
  int rc = o->eval(NULL, &in, &v, &err);
  ck_assert_msg(rc == expect, "%s: got %d (%s)", o->name, rc, err.msg);
  if (rc == MFH_OK) {
    /* every declared output is there */
    char names[256];
    snprintf(names, sizeof names, "%s", o->outputs);
    for (char *save = NULL, *w = strtok_r(names, " ", &save); w; w = strtok_r(NULL, " ", &save))
      ck_assert_msg(mfh_values_get(&v, w) != NULL, "%s: no %s", o->name, w);
  }
  return v;
}

static double get(const mfh_values *v, const char *name) { return *mfh_values_get(v, name); }

START_TEST(sampled_parameters) {
  /* the random streams of the MK studies follow exactly {M, spread} */
  char list[128] = "";
  for (size_t i = 0; i < E->nparams; i++)
    if (E->params[i].flags & MFH_PARAM_SAMPLED) {
      strcat(list, E->params[i].name);
      strcat(list, " ");
    }
  ck_assert_str_eq(list, "spread M ");
}
END_TEST

START_TEST(coherent_state) {
  mfh_params ps = mfh_test_engine_params(E, "state=coherent q=-1 p=0.5 n=256 L=12 eps=0.1");
  mfh_state s0, out[3];
  mfh_test_engine_initial(E, &ps, 1, &s0);
  double t[3] = {0, 1, 2};
  mfh_test_engine_run(E, &ps, &s0, 3, t, 1, out);
  mfh_xgrid g = {1, 256, -6, 12.0 / 256};
  double complex psi[256];
  double q = -1, p = 0.5;
  mfh_err err;
  ck_assert(mfh_sc_coherent(&g, 0.1, &q, &p, psi, &err) == MFH_OK);
  for (int k = 0; k < 3; k++) {
    const mfh_density *R = density(&out[k]);
    ck_assert(memcmp(R->orb, psi, sizeof psi) == 0 && R->w[0] == 1 && R->eps == 0.1);
    ck_assert(mfh_test_scalar(&out[k], "q") == -1 && mfh_test_scalar(&out[k], "p") == 0.5);
    mfh_state_clear(&out[k]);
  }
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}
END_TEST

/* Draw order: per coherent state of the pure superposition q, p (uniform),
 * then the imaginary and the real part of its amplitude (Gaussian); the
 * mixture draws its M exponential weights, then the centres. */
START_TEST(random_states_draw_order) {
  mfh_state A, B, A2;
  state("state=random_pure spread=1.5 n=512 L=12 eps=0.1", 42, &A);
  state("state=random_pure spread=1.5 n=512 L=12 eps=0.1", 43, &A2);
  state("state=random_mixture M=5 spread=1.5 n=512 L=12 eps=0.1", 42, &B);
  ck_assert(memcmp(density(&A)->orb, density(&A2)->orb, 512 * sizeof(double complex)) != 0);
  ck_assert_int_eq((int)density(&A)->norb, 1);
  mfh_xgrid g = {1, 512, -6, 12.0 / 512};
  gsl_rng *r = mfh_rng_alloc(42);
  double complex want[512] = {0}, tmp[512];
  mfh_err err;
  for (int k = 0; k < 3; k++) {
    double q = 1.5 * (2 * gsl_rng_uniform(r) - 1);
    double p = 1.5 * (2 * gsl_rng_uniform(r) - 1);
    double im = gsl_ran_gaussian_ziggurat(r, 1.0);
    double re = gsl_ran_gaussian_ziggurat(r, 1.0);
    ck_assert(mfh_sc_coherent(&g, 0.1, &q, &p, tmp, &err) == MFH_OK);
    for (int j = 0; j < 512; j++) want[j] += (re + I * im) * tmp[j];
  }
  double norm = 0;
  for (int j = 0; j < 512; j++) norm += creal(want[j] * conj(want[j])) * g.dx;
  for (int j = 0; j < 512; j++) want[j] /= sqrt(norm);
  ck_assert(memcmp(density(&A)->orb, want, sizeof want) == 0);
  gsl_rng_free(r);
  r = mfh_rng_alloc(42);
  const mfh_density *M = density(&B);
  ck_assert_int_eq((int)M->norb, 5);
  double w[5], sum = 0;
  for (int k = 0; k < 5; k++) sum += (w[k] = gsl_ran_exponential(r, 1.0));
  for (int k = 0; k < 5; k++) {
    ck_assert(M->w[k] == w[k] / sum);
    double q = 1.5 * (2 * gsl_rng_uniform(r) - 1), p = 1.5 * (2 * gsl_rng_uniform(r) - 1);
    ck_assert(mfh_sc_coherent(&g, 0.1, &q, &p, tmp, &err) == MFH_OK);
    ck_assert(memcmp(&M->orb[k * 512], tmp, sizeof tmp) == 0);
  }
  gsl_rng_free(r);
  ck_assert(mfh_values_get(&B.scalars, "q") == NULL); /* only a coherent state carries z */
  mfh_state_clear(&A);
  mfh_state_clear(&A2);
  mfh_state_clear(&B);
}
END_TEST

START_TEST(bad_parameters) {
  mfh_test_engine_expect_bad(E, "n=255", "n", "even");
  mfh_test_engine_expect_bad(E, "state=coherent p=5 n=64 L=12 eps=0.1", "n", "under-resolved");
  mfh_test_engine_expect_bad(E, "state=coherent q=5.9 n=1024 L=12 eps=0.1", "n", "does not fit");
  mfh_test_engine_expect_bad(E, "state=random_mixture spread=4 n=128 L=12 eps=0.1", "n", "under-resolved");
}
END_TEST

START_TEST(mk2eps_closed_forms) {
  mfh_state z1, z2, A, B, far;
  state("state=coherent q=-1 p=0.5 n=2048 L=12 eps=0.05", 1, &z1);
  state("state=coherent q=1 p=-0.5 n=2048 L=12 eps=0.05", 1, &z2);
  mfh_values v = eval(&mfh_obs_mk2eps, &z1, &z2, MFH_OK);
  ck_assert_double_eq_tol(get(&v, "excess"), 2 * 0.05, 1e-10);
  ck_assert_double_eq_tol(get(&v, "mk2sq"), 5 + 2 * 0.05, 1e-9);
  ck_assert(get(&v, "mk1_ratio") == 2 * 0.05 / get(&v, "mk2sq"));
  mfh_values_free(&v);
  state("state=random_pure n=2048 L=14 eps=0.05", 3, &A);
  state("state=random_mixture n=2048 L=14 eps=0.05", 4, &B);
  v = eval(&mfh_obs_mk2eps, &A, &B, MFH_OK);
  ck_assert(isnan(get(&v, "excess")));
  ck_assert(get(&v, "mk1_ratio") > 0 && get(&v, "mk1_ratio") <= 1);
  mfh_values_free(&v);
  state("state=coherent n=2048 L=12 eps=0.1", 1, &far);
  v = eval(&mfh_obs_mk2eps, &z1, &far, MFH_EINPUT); /* two scales */
  mfh_values_free(&v);
  mfh_state_clear(&z1);
  mfh_state_clear(&z2);
  mfh_state_clear(&A);
  mfh_state_clear(&B);
  mfh_state_clear(&far);
}
END_TEST

START_TEST(wigner_identities) {
  mfh_state z, A;
  state("state=coherent q=0.5 p=0.5 n=256 L=10 eps=0.1", 1, &z);
  mfh_values v = eval(&mfh_obs_wigner, &z, NULL, MFH_OK);
  ck_assert(get(&v, "wig_mass_err") < 1e-10 && get(&v, "coh_wig_err") < 1e-8);
  ck_assert(get(&v, "odd_err") < 1e-8 && get(&v, "hus_neg") < 1e-10);
  mfh_values_free(&v);
  state("state=random_pure n=256 L=10 eps=0.1", 5, &A);
  v = eval(&mfh_obs_wigner, &A, NULL, MFH_OK);
  ck_assert(isnan(get(&v, "coh_wig_err")) && get(&v, "wig_mass_err") < 1e-10 && get(&v, "hus_neg") < 1e-10);
  mfh_values_free(&v);
  mfh_state_clear(&z);
  mfh_state_clear(&A);
}
END_TEST

/* The Husimi functions of |z1> and |z2> are Gaussians of the same
 * covariance: W_2 = |z1 - z2| is below the upper end (widened by the cell
 * terms) and the lower end (of the grid measures) is within a cell of it. */
START_TEST(husimi_bracket) {
  mfh_state z1, z2, other;
  state("state=coherent q=-0.5 p=0.25 n=128 L=12 eps=0.2", 1, &z1);
  state("state=coherent q=0.5 p=-0.25 n=128 L=12 eps=0.2", 1, &z2);
  mfh_values v = eval(&mfh_obs_husimi_w2, &z1, &z2, MFH_OK);
  double w = sqrt(1 + 0.25);
  /* the lower end brackets the grid measures' W_2, within a cell of the continuum one */
  ck_assert_msg(get(&v, "w2_husimi_lo") <= w + 0.01 && w <= get(&v, "w2_husimi_hi"), "[%g, %g] vs %g",
                get(&v, "w2_husimi_lo"), get(&v, "w2_husimi_hi"), w);
  ck_assert(get(&v, "w2_husimi_hi") - get(&v, "w2_husimi_lo") < 0.2);
  mfh_values_free(&v);
  state("state=coherent q=0.5 p=-0.25 n=256 L=12 eps=0.2", 1, &other);
  v = eval(&mfh_obs_husimi_w2, &z1, &other, MFH_EINPUT);
  mfh_values_free(&v);
  mfh_state_clear(&z1);
  mfh_state_clear(&z2);
  mfh_state_clear(&other);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("qstate");
  TCase *tc = tcase_create("engine");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, sampled_parameters);
  tcase_add_test(tc, coherent_state);
  tcase_add_test(tc, random_states_draw_order);
  tcase_add_test(tc, bad_parameters);
  tcase_add_test(tc, mk2eps_closed_forms);
  tcase_add_test(tc, wigner_identities);
  tcase_add_test(tc, husimi_bracket);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
