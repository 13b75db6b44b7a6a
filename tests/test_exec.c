/* Executor and registries: bit-identical results whatever the thread
 * count; stored results are reused; every registered plug-in conforms. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/exec.h"
#include "core/rng.h"
#include "pipeline/study.h"
#include "pipeline/registry.h"
#include "tests/testutil.h"

static void load_small(mfh_study *s, const char *profile) {
  char path[1024];
  snprintf(path, sizeof path, "%s/tests/data/small2d.yaml", mfh_test_source_dir());
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_study_load(path, profile, -1, s, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
}

static mfh_outcome *run(const mfh_plan *plan, const char *dir, int jobs, int fresh) {
  mfh_outcome *out = calloc(plan->ntasks, sizeof *out);
  const char *dirs[1] = {dir};
  mfh_exec_opts o = {jobs, fresh, 0, 0, 0, 0, "test", NULL};
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_executor_openmp.run(plan, dirs, 1, &o, out, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  return out;
}

START_TEST(bit_identical_across_jobs) {
  mfh_study s;
  load_small(&s, "full");
  mfh_plan plan;
  mfh_err err;
  ck_assert_int_eq(mfh_plan_build(&s, &plan, &err), 0);
  char *d1 = mfh_test_tmpdir(), *d2 = mfh_test_tmpdir();
  mfh_outcome *a = run(&plan, d1, 1, 0), *b = run(&plan, d2, 2, 0);
  for (size_t i = 0; i < plan.ntasks; i++) {
    ck_assert_int_eq(a[i].state, MFH_TASK_COMPUTED);
    ck_assert_int_eq(b[i].state, MFH_TASK_COMPUTED);
    const double *va = mfh_values_get(&a[i].values, "wpp"), *vb = mfh_values_get(&b[i].values, "wpp");
    ck_assert(va && vb);
    ck_assert_msg(memcmp(va, vb, sizeof *va) == 0, "task %zu: %.17g vs %.17g", i, *va, *vb);
    ck_assert(*va > 0 && *va < 1);
  }
  /* a second run reuses every stored result, bit for bit */
  mfh_outcome *c = run(&plan, d1, 2, 0);
  for (size_t i = 0; i < plan.ntasks; i++) {
    ck_assert_int_eq(c[i].state, MFH_TASK_CACHED);
    ck_assert(*mfh_values_get(&c[i].values, "wpp") == *mfh_values_get(&a[i].values, "wpp"));
  }
  /* replicas differ from one another (independent streams) */
  ck_assert(*mfh_values_get(&a[0].values, "wpp") != *mfh_values_get(&a[1].values, "wpp"));
  mfh_outcomes_free(a, plan.ntasks);
  mfh_outcomes_free(b, plan.ntasks);
  mfh_outcomes_free(c, plan.ntasks);
  mfh_plan_free(&plan);
  mfh_study_free(&s);
  free(d1);
  free(d2);
}
END_TEST

START_TEST(stale_or_foreign_store_is_ignored) {
  mfh_study s;
  load_small(&s, "full");
  mfh_plan plan;
  mfh_err err;
  ck_assert_int_eq(mfh_plan_build(&s, &plan, &err), 0);
  char *d = mfh_test_tmpdir();
  mfh_outcome *a = run(&plan, d, 2, 0);
  /* overwrite one stored task with a file for another task: must be recomputed */
  char p0[1024], p1[1024], cmd[2200];
  snprintf(p0, sizeof p0, "%s/tasks/%s.json", d, plan.tasks[0].key);
  snprintf(p1, sizeof p1, "%s/tasks/%s.json", d, plan.tasks[1].key);
  snprintf(cmd, sizeof cmd, "cp %s %s", p1, p0);
  ck_assert_int_eq(system(cmd), 0);
  mfh_outcome *b = run(&plan, d, 1, 0);
  ck_assert_int_eq(b[0].state, MFH_TASK_COMPUTED);
  ck_assert_int_eq(b[1].state, MFH_TASK_CACHED);
  ck_assert(*mfh_values_get(&b[0].values, "wpp") == *mfh_values_get(&a[0].values, "wpp"));
  mfh_outcomes_free(a, plan.ntasks);
  mfh_outcomes_free(b, plan.ntasks);
  mfh_plan_free(&plan);
  mfh_study_free(&s);
  free(d);
}
END_TEST

/* A task's random streams are a function of the study seed, the replica and
 * the sampled parameters only: not of numerical parameters (dt), not of the
 * observable or any other code name, so refactors never move a Monte Carlo
 * value (issue: "nothing moves that need not"). */
static void plan_text(const char *text, mfh_study *s, mfh_plan *plan) {
  char *d = mfh_test_tmpdir(), path[1200];
  snprintf(path, sizeof path, "%s/s.yaml", d);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_study_load(path, "quick", -1, s, &err) == 0, "%s", err.msg);
  ck_assert_msg(mfh_plan_build(s, plan, &err) == 0, "%s", err.msg);
  free(d);
}

START_TEST(streams_follow_what_is_sampled) {
  const char *base = "id: s\ntitle: t\ntheorem: DT-1\nsystem: nbody\n"
                     "model: {dim: 1, N: 64, t: 0.1, dt: 0.01}\nreference: {refined: {dt: 8}}\n"
                     "observable: {name: coupling, p: 1}\nmeasure: D\n"
                     "sweep: {dt: [0.02, 0.01], N: [64, 128]}\nreplicas: 2\nseed: 5\n";
  const char *other = "id: s\ntitle: t\ntheorem: DT-1\nsystem: nbody\n"
                      "model: {dim: 1, N: 64, t: 0.1, dt: 0.01}\nreference: {refined: {dt: 8}}\n"
                      "observable: weak\nmeasure: dphi_kin\n"
                      "sweep: {dt: [0.02, 0.01], N: [64, 128]}\nreplicas: 2\nseed: 5\n";
  mfh_study a, b;
  mfh_plan pa, pb;
  plan_text(base, &a, &pa);
  plan_text(other, &b, &pb);
  ck_assert_uint_eq(pa.ntasks, pb.ntasks);
  /* points: dt = 0.02 and dt = 0.01 at N = 64, then N = 128 (dt = 0.01) */
  ck_assert_uint_eq(pa.npoints, 3);
  const mfh_task *t = pa.tasks;
  size_t R = a.replicas;
  for (size_t r = 0; r < R; r++) {
    /* dt is not sampled: the same draws at both dt */
    ck_assert_uint_eq(t[0 * R + r].seed_init, t[1 * R + r].seed_init);
    ck_assert_uint_eq(t[0 * R + r].seed_ref, t[1 * R + r].seed_ref);
    /* N is sampled: other draws */
    ck_assert_uint_ne(t[1 * R + r].seed_init, t[2 * R + r].seed_init);
    /* roles and replicas are independent streams */
    ck_assert_uint_ne(t[r].seed_init, t[r].seed);
    ck_assert_uint_ne(t[r].seed_init, t[r].seed_ref);
  }
  ck_assert_uint_ne(t[0].seed_init, t[1].seed_init); /* replica 0 vs 1 */
  /* another observable (code name) changes the task keys, never the streams */
  for (size_t i = 0; i < pa.ntasks; i++) {
    ck_assert_uint_eq(pa.tasks[i].seed_init, pb.tasks[i].seed_init);
    ck_assert_uint_eq(pa.tasks[i].seed, pb.tasks[i].seed);
    ck_assert_uint_eq(pa.tasks[i].seed_ref, pb.tasks[i].seed_ref);
    ck_assert_str_ne(pa.tasks[i].key, pb.tasks[i].key);
  }
  mfh_plan_free(&pa);
  mfh_plan_free(&pb);
  mfh_study_free(&a);
  mfh_study_free(&b);
}
END_TEST

START_TEST(rng_streams) {
  gsl_rng *a = mfh_rng_alloc(42), *b = mfh_rng_alloc(42), *c = mfh_rng_alloc(43);
  int same = 1, differ = 0;
  double sum = 0, sum2 = 0;
  const int n = 1000000;
  for (int i = 0; i < n; i++) {
    double x = gsl_rng_uniform(a), y = gsl_rng_uniform(b), z = gsl_rng_uniform(c);
    same &= x == y;
    differ += x != z;
    ck_assert(x >= 0 && x < 1);
    sum += x;
    sum2 += x * x;
  }
  ck_assert(same);
  ck_assert_int_gt(differ, n - 10);
  /* mean 1/2 and variance 1/12 within 5 standard errors */
  ck_assert_double_eq_tol(sum / n, 0.5, 5 * sqrt(1.0 / 12 / n));
  ck_assert_double_eq_tol(sum2 / n - (sum / n) * (sum / n), 1.0 / 12, 5 * 0.0745 / sqrt(n));
  gsl_rng_free(a);
  gsl_rng_free(b);
  gsl_rng_free(c);
  char h1[33], h2[33];
  mfh_hash128_hex("abc", 3, h1);
  mfh_hash128_hex("abd", 3, h2);
  ck_assert_uint_eq(strlen(h1), 32);
  ck_assert_str_ne(h1, h2);
}
END_TEST

/* Every registered engine's parameter table is well formed (defaults parse
 * and lie in range, out-of-range values rejected), and its cost estimate,
 * where it has one, is finite, positive and grows with N; bounds are unique
 * and say what they need.  The engines' run contracts are
 * tests/test_conformance.c. */
START_TEST(registry_conformance) {
  for (size_t i = 0; mfh_engines[i]; i++) {
    const mfh_engine_type *t = mfh_engines[i];
    ck_assert(t->name && t->doc && t->method && t->run && t->version > 0);
    ck_assert_ptr_eq(mfh_engine_find(t->name), t);
    int complete = 1;
    mfh_params ps = {0};
    for (size_t k = 0; k < t->nparams; k++) {
      const mfh_param_def *d = &t->params[k];
      mfh_param_val v;
      mfh_err err;
      mfh_mark none = {0};
      if (!d->def) {
        complete = 0;
        continue;
      }
      ck_assert_msg(mfh_param_parse(d, d->def, none, d->name, &v, &err) == 0, "%s.%s default: %s", t->name,
                    d->name, err.msg);
      mfh_params_put(&ps, &v);
      if ((d->kind == MFH_PARAM_INT || d->kind == MFH_PARAM_REAL) && isfinite(d->max)) {
        char big[64];
        snprintf(big, sizeof big, "%.17g", d->max * 2 + 1);
        ck_assert_int_eq(mfh_param_parse(d, big, none, d->name, &v, &err), MFH_EINPUT);
      }
      if (d->kind == MFH_PARAM_INT || d->kind == MFH_PARAM_REAL)
        ck_assert_int_eq(mfh_param_parse(d, "not-a-number", none, d->name, &v, &err), MFH_EINPUT);
    }
    /* a cost estimate, where there is one, is finite, positive, and grows with N */
    if (t->estimate && complete) {
      double b = -1, sec = -1;
      ck_assert_int_eq(t->estimate(&ps, &b, &sec), 0);
      ck_assert_msg(isfinite(b) && b >= 0 && isfinite(sec) && sec >= 0, "%s: %g bytes, %g s", t->name, b, sec);
      mfh_param_val *nv = (mfh_param_val *)mfh_params_find(&ps, "N");
      if (nv && b > 0) {
        double b2, s2, n0 = nv->num;
        nv->num = n0 + 1;
        ck_assert_int_eq(t->estimate(&ps, &b2, &s2), 0);
        ck_assert_msg(b2 > b, "%s: the estimate does not grow with N", t->name);
        nv->num = n0;
      }
    }
    mfh_params_free(&ps);
  }
  for (size_t i = 0; mfh_bounds[i]; i++) {
    ck_assert(mfh_bounds[i]->eval && mfh_bounds[i]->needs[0]);
    ck_assert_ptr_eq(mfh_bound_find(mfh_bounds[i]->name), mfh_bounds[i]);
  }
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("exec");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, bit_identical_across_jobs);
  tcase_add_test(tc, stale_or_foreign_store_is_ignored);
  tcase_add_test(tc, rng_streams);
  tcase_add_test(tc, streams_follow_what_is_sampled);
  tcase_add_test(tc, registry_conformance);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
