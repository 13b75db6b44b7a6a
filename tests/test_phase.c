/* Tests for observables/phase.c: coupling, w1_phase, moments and weak over
 * phase-space clouds, the geometry read from the clouds.  References are
 * independent of the code under test: hand-computed distances, the minimum
 * over every permutation for W_1 (n = 6), closed-form moments. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/kinds.h"
#include "observables/phase.h"
#include "pipeline/registry.h"
#include "tests/testutil.h"

#define PI 3.14159265358979323846

/* A state with one phase cloud of n particles in d dimensions, period L. */
static mfh_state phase_state(size_t n, size_t d, double L, const double *x) {
  mfh_state s;
  memset(&s, 0, sizeof s);
  mfh_cloud *c = mfh_cloud_new(n, 2 * d);
  ck_assert_ptr_nonnull(c);
  c->d = d;
  c->period = L;
  memcpy(c->x, x, n * 2 * d * sizeof *x);
  mfh_err err;
  ck_assert_int_eq(mfh_state_put(&s, "particles", &mfh_kind_cloud, c, &err), MFH_OK);
  return s;
}

static mfh_params obs_params(const mfh_observable_type *o, const char *name, const char *value) {
  mfh_params ps = {0, NULL};
  mfh_mark none = {NULL, 0, 0};
  mfh_err err;
  for (size_t k = 0; k < o->nparams; k++) {
    const mfh_param_def *d = &o->params[k];
    mfh_param_val v;
    const char *text = name && !strcmp(name, d->name) ? value : d->def;
    ck_assert_int_eq(mfh_param_parse(d, text, none, d->name, &v, &err), MFH_OK);
    ck_assert_int_eq(mfh_params_put(&ps, &v), MFH_OK);
  }
  return ps;
}

static double eval1(const mfh_observable_type *o, const mfh_params *p, const mfh_obs_args *in, const char *out) {
  mfh_values v = {0, 0, NULL};
  mfh_err err;
  mfh_err_clear(&err);
  int rc = o->eval(p, in, &v, &err);
  ck_assert_msg(rc == MFH_OK, "%s: %s", o->name, err.msg);
  const double *x = mfh_values_get(&v, out);
  ck_assert_msg(x != NULL, "%s gave no %s", o->name, out);
  double r = *x;
  mfh_values_free(&v);
  return r;
}

static int eval_fails(const mfh_observable_type *o, const mfh_params *p, const mfh_obs_args *in, const char *needle) {
  mfh_values v = {0, 0, NULL};
  mfh_err err;
  mfh_err_clear(&err);
  int rc = o->eval(p, in, &v, &err);
  mfh_values_free(&v);
  ck_assert_msg(!needle || strstr(err.msg, needle), "%s: '%s' lacks '%s'", o->name, err.msg, needle);
  return rc;
}

START_TEST(test_registered) {
  const mfh_observable_type *o[4] = {&mfh_obs_coupling, &mfh_obs_w1_phase, &mfh_obs_moments, &mfh_obs_weak};
  for (int i = 0; i < 4; i++) ck_assert_ptr_eq(mfh_obs_find(o[i]->name), o[i]);
  ck_assert_str_eq(mfh_obs_w1_phase.needs, "a:cloud b:cloud a0:cloud b0:cloud");
  ck_assert_str_eq(mfh_obs_moments.needs, "a:cloud a0:cloud");
}
END_TEST

/* D_N^p with the minimum image on the torus, plain distance in v. */
START_TEST(test_coupling) {
  const double L = 2.0;
  /* two particles in d = 2: x differs by (L - 0.1, 0) (image 0.1) and (0.3, -0.4); v by (0.2, 0) and 0 */
  double a[8] = {0.05, 1.0, 0.0, 0.0, /**/ 1.0, 1.0, 1.0, -1.0};
  double b[8] = {1.95, 1.0, 0.2, 0.0, /**/ 1.3, 0.6, 1.0, -1.0};
  mfh_state sa = phase_state(2, 2, L, a), sb = phase_state(2, 2, L, b);
  mfh_obs_args in = {{&sa, &sb, NULL, NULL}, 1.0};
  mfh_params p2 = obs_params(&mfh_obs_coupling, "p", "2"), p1 = obs_params(&mfh_obs_coupling, "p", "1");
  ck_assert_double_eq_tol(eval1(&mfh_obs_coupling, &p2, &in, "Dx"), (0.01 + 0.25) / 2, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_coupling, &p2, &in, "Dv"), 0.04 / 2, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_coupling, &p2, &in, "D"), (0.01 + 0.25 + 0.04) / 2, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_coupling, &p1, &in, "D"), (0.1 + 0.5 + 0.2) / 2, 1e-14);
  /* on R^2 the same clouds are far apart in x */
  ((mfh_cloud *)sa.item[0].data)->period = 0;
  ((mfh_cloud *)sb.item[0].data)->period = 0;
  ck_assert_double_eq_tol(eval1(&mfh_obs_coupling, &p1, &in, "Dx"), (1.9 + 0.5) / 2, 1e-14);
  /* different geometries or sizes, or a plain point cloud, are refused */
  ((mfh_cloud *)sb.item[0].data)->period = L;
  ck_assert_int_eq(eval_fails(&mfh_obs_coupling, &p1, &in, "differ"), MFH_EINPUT);
  mfh_state sc = phase_state(1, 2, 0, a);
  in.s[1] = &sc;
  ck_assert_int_eq(eval_fails(&mfh_obs_coupling, &p1, &in, "differ"), MFH_EINPUT);
  ((mfh_cloud *)sc.item[0].data)->d = 0;
  ck_assert_int_eq(eval_fails(&mfh_obs_coupling, &p1, &in, "not a phase-space cloud"), MFH_EINPUT);
  mfh_state_clear(&sa);
  mfh_state_clear(&sb);
  mfh_state_clear(&sc);
  mfh_params_free(&p1);
  mfh_params_free(&p2);
}
END_TEST

/* min over the 720 permutations of (1/6) sum_i cost(a_i, b_sigma(i)). */
static double brute_w1(const double *a, const double *b, size_t d, double L) {
  size_t n = 6, perm[6] = {0, 1, 2, 3, 4, 5};
  double best = INFINITY;
  for (;;) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
      const double *x = &a[i * 2 * d], *y = &b[perm[i] * 2 * d];
      double dx = 0, dv = 0;
      for (size_t k = 0; k < d; k++) {
        double u = x[k] - y[k];
        if (L > 0) u -= L * round(u / L);
        dx += u * u;
        dv += (x[d + k] - y[d + k]) * (x[d + k] - y[d + k]);
      }
      s += sqrt(dx) + sqrt(dv);
    }
    best = fmin(best, s / (double)n);
    /* next permutation (lexicographic) */
    size_t i = n - 1;
    while (i > 0 && perm[i - 1] >= perm[i]) i--;
    if (i == 0) break;
    size_t j = n - 1;
    while (perm[j] <= perm[i - 1]) j--;
    size_t tmp = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = tmp;
    for (size_t l = i, r = n - 1; l < r; l++, r--) tmp = perm[l], perm[l] = perm[r], perm[r] = tmp;
  }
  return best;
}

START_TEST(test_w1_phase) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  for (int geo = 0; geo < 2; geo++) {
    size_t d = geo ? 2 : 1;
    double L = geo ? 0 : 2 * PI, a[24], b[24], a0[24], b0[24];
    for (size_t k = 0; k < 12 * d; k++) {
      a[k] = 2 * PI * gsl_rng_uniform(r), b[k] = 2 * PI * gsl_rng_uniform(r);
      a0[k] = gsl_rng_uniform(r), b0[k] = gsl_rng_uniform(r);
    }
    mfh_state sa = phase_state(6, d, L, a), sb = phase_state(6, d, L, b), sa0 = phase_state(6, d, L, a0),
               sb0 = phase_state(6, d, L, b0);
    mfh_obs_args in = {{&sa, &sb, &sa0, &sb0}, 1.0};
    mfh_params p = obs_params(&mfh_obs_w1_phase, NULL, NULL);
    double w = eval1(&mfh_obs_w1_phase, &p, &in, "w1"), w0 = eval1(&mfh_obs_w1_phase, &p, &in, "w1_0");
    ck_assert_double_eq_tol(w, brute_w1(a, b, d, L), 1e-12);
    ck_assert_double_eq_tol(w0, brute_w1(a0, b0, d, L), 1e-12);
    ck_assert_double_eq_tol(eval1(&mfh_obs_w1_phase, &p, &in, "ratio"), w / w0, 1e-15);
    mfh_state_clear(&sa);
    mfh_state_clear(&sb);
    mfh_state_clear(&sa0);
    mfh_state_clear(&sb0);
    mfh_params_free(&p);
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_moments) {
  /* d = 2: |x|^2 = 25, |v|^2 = 4 and |x|^2 = 1, |v|^2 = 0 */
  double a[8] = {3, 4, 0, 2, /**/ 1, 0, 0, 0}, a0[8] = {1, 0, 1, 0, /**/ 0, 1, 0, 1};
  mfh_state sa = phase_state(2, 2, 0, a), sa0 = phase_state(2, 2, 0, a0);
  mfh_obs_args in = {{&sa, NULL, &sa0, NULL}, 1.0};
  mfh_params p2 = obs_params(&mfh_obs_moments, NULL, NULL), p4 = obs_params(&mfh_obs_moments, "q", "4");
  ck_assert_double_eq_tol(eval1(&mfh_obs_moments, &p2, &in, "Mq"), (25 + 4 + 1) / 2.0, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_moments, &p2, &in, "Mq_0"), 2.0, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_moments, &p2, &in, "ratio"), 7.5, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_moments, &p4, &in, "Mq"), (625 + 16 + 1) / 2.0, 1e-12);
  /* |x|^q is not a torus quantity */
  ((mfh_cloud *)sa.item[0].data)->period = 10;
  ck_assert_int_eq(eval_fails(&mfh_obs_moments, &p2, &in, "whole space"), MFH_EINPUT);
  mfh_state_clear(&sa);
  mfh_state_clear(&sa0);
  mfh_params_free(&p2);
  mfh_params_free(&p4);
}
END_TEST

/* b minus a of mean cos(2 pi x_1 / L) (exp(-x_1^2/2) on R^d) and mean |v|^2/2. */
START_TEST(test_weak) {
  const double L = 4.0;
  double a[4] = {0, 1, /**/ 1, 0}, b[4] = {2, 3, /**/ 1, 1};
  mfh_state sa = phase_state(2, 1, L, a), sb = phase_state(2, 1, L, b);
  mfh_obs_args in = {{&sa, &sb, NULL, NULL}, 1.0};
  mfh_params p = obs_params(&mfh_obs_weak, NULL, NULL);
  ck_assert_double_eq_tol(eval1(&mfh_obs_weak, &p, &in, "dphi_cos"), ((-1 + 0) - (1 + 0)) / 2.0, 1e-14);
  ck_assert_double_eq_tol(eval1(&mfh_obs_weak, &p, &in, "dphi_kin"), ((9 + 1) / 2.0 - (1 + 0) / 2.0) / 2, 1e-14);
  ((mfh_cloud *)sa.item[0].data)->period = 0;
  ((mfh_cloud *)sb.item[0].data)->period = 0;
  ck_assert_double_eq_tol(eval1(&mfh_obs_weak, &p, &in, "dphi_cos"), (exp(-2) + exp(-0.5) - 1 - exp(-0.5)) / 2, 1e-14);
  mfh_state_clear(&sa);
  mfh_state_clear(&sb);
  mfh_params_free(&p);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("phase");
  TCase *tc = tcase_create("observables");
  tcase_add_test(tc, test_registered);
  tcase_add_test(tc, test_coupling);
  tcase_add_test(tc, test_w1_phase);
  tcase_add_test(tc, test_moments);
  tcase_add_test(tc, test_weak);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
