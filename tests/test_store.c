/* The task store (pipeline/store.h): a stored task is reused only when it
 * verifies; every kind of damage is recognised, reported and recomputed to
 * the same value; and the run lock refuses overlapping runs while letting
 * the shards of one run share a folder. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "pipeline/exec.h"
#include "pipeline/store.h"
#include "tests/testutil.h"

typedef struct fixture {
  mfh_study s;
  mfh_plan plan;
  char *dir;
} fixture;

static void setup(fixture *f) {
  char path[1024];
  snprintf(path, sizeof path, "%s/tests/data/small2d.yaml", mfh_test_source_dir());
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_study_load(path, "quick", -1, &f->s, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(mfh_plan_build(&f->s, &f->plan, &err), 0);
  f->dir = mfh_test_tmpdir();
  char *t = mfh_path_join(f->dir, "tasks");
  ck_assert_int_eq(mfh_mkdirs(t, &err), 0);
  free(t);
}

static void teardown(fixture *f) {
  mfh_plan_free(&f->plan);
  mfh_study_free(&f->s);
  free(f->dir);
}

static char *task_file(const fixture *f, size_t ti) {
  char name[64];
  snprintf(name, sizeof name, "tasks/%s.json", f->plan.tasks[ti].key);
  return mfh_path_join(f->dir, name);
}

/* Replace the first occurrence of `from` by `to` in a task file. */
static void edit(const fixture *f, size_t ti, const char *from, const char *to) {
  char *p = task_file(f, ti), *text = NULL;
  ck_assert_int_eq(mfh_read_file(p, &text, NULL, NULL), 0);
  char *at = strstr(text, from);
  ck_assert_msg(at != NULL, "'%s' not in %s", from, text);
  size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
  char *out = malloc(n);
  snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
  mfh_test_write(p, out);
  free(out);
  free(text);
  free(p);
}

static void save(const fixture *f, size_t ti, double wpp) {
  mfh_values v = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_values_set(&v, "wpp", wpp), 0);
  ck_assert_int_eq(mfh_values_set(&v, "other", 2.5), 0);
  ck_assert_int_eq(mfh_store_save(f->dir, &f->plan, ti, &v, 0.125, 0.0625, &err), 0);
  mfh_values_free(&v);
}

static int load_cpu(const fixture *f, size_t ti, double *wpp, double *cpu) {
  mfh_values v = {0};
  double el, c;
  int verdict = mfh_store_load(f->dir, &f->plan, ti, &v, &el, &c);
  const double *x = mfh_values_get(&v, "wpp");
  if (wpp) *wpp = x ? *x : -1;
  if (cpu) *cpu = c;
  mfh_values_free(&v);
  return verdict;
}

static int load(const fixture *f, size_t ti, double *wpp) { return load_cpu(f, ti, wpp, NULL); }

START_TEST(roundtrip) {
  fixture f;
  setup(&f);
  double x;
  ck_assert_int_eq(load(&f, 0, &x), MFH_STORED_ABSENT);
  save(&f, 0, 0.1 + 0.2);
  ck_assert_int_eq(load(&f, 0, &x), MFH_STORED_OK);
  ck_assert(x == 0.1 + 0.2); /* bit for bit */
  double cpu;
  ck_assert_int_eq(load_cpu(&f, 0, &x, &cpu), MFH_STORED_OK);
  ck_assert(cpu == 0.0625);
  /* a file without a CPU time (written before they were kept) verifies, CPU time unknown */
  mfh_values v = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_values_set(&v, "wpp", 0.5), 0);
  ck_assert_int_eq(mfh_store_save(f.dir, &f.plan, 0, &v, 0.125, NAN, &err), 0);
  mfh_values_free(&v);
  ck_assert_int_eq(load_cpu(&f, 0, &x, &cpu), MFH_STORED_OK);
  ck_assert(x == 0.5 && isnan(cpu));
  teardown(&f);
}
END_TEST

START_TEST(damage_is_recognised) {
  fixture f;
  setup(&f);
  struct {
    const char *from, *to;
    int verdict;
  } cases[] = {
      {"0.30000000000000004", "0.30000000000000014", MFH_STORED_CHECKSUM}, /* one digit */
      {"0.30000000000000004", "1e300", MFH_STORED_CHECKSUM},
      {"\"elapsed_s\": 0.125", "\"elapsed_s\": 0.5", MFH_STORED_CHECKSUM},
      {"\"cpu_s\": 0.0625", "\"cpu_s\": \"fast\"", MFH_STORED_UNREADABLE},
      {"\"checksum\"", "\"checksun\"", MFH_STORED_CHECKSUM},              /* no checksum */
      {"0.30000000000000004", "\"0.3\"", MFH_STORED_NONFINITE},
      {"0.30000000000000004", "NaN", MFH_STORED_UNREADABLE},               /* not JSON */
      {"0.30000000000000004", "1e999", MFH_STORED_UNREADABLE},             /* overflows */
      {"\"other\": 2.5", "\"wpp\": 2.5", MFH_STORED_UNREADABLE},           /* duplicate key */
      {"\"task\": \"", "\"task\": \"x", MFH_STORED_FOREIGN},
      {"{", "[", MFH_STORED_UNREADABLE},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    save(&f, 0, 0.1 + 0.2);
    edit(&f, 0, cases[k].from, cases[k].to);
    ck_assert_msg(load(&f, 0, NULL) == cases[k].verdict, "case %zu (%s -> %s): got %d", k, cases[k].from,
                  cases[k].to, load(&f, 0, NULL));
  }
  /* truncated */
  save(&f, 0, 0.5);
  char *p = task_file(&f, 0), *text = NULL;
  size_t len;
  ck_assert_int_eq(mfh_read_file(p, &text, &len, NULL), 0);
  text[len / 2] = '\0';
  mfh_test_write(p, text);
  ck_assert_int_eq(load(&f, 0, NULL), MFH_STORED_UNREADABLE);
  /* an empty file */
  mfh_test_write(p, "");
  ck_assert_int_eq(load(&f, 0, NULL), MFH_STORED_UNREADABLE);
  /* another task's (valid) file under this task's name */
  save(&f, 1, 0.5);
  char *p1 = task_file(&f, 1), cmd[4096];
  snprintf(cmd, sizeof cmd, "cp %s %s", p1, p);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(load(&f, 0, NULL), MFH_STORED_FOREIGN);
  /* a well-formed file with a valid checksum but no declared measure */
  mfh_values none = {0};
  mfh_err err;
  ck_assert_int_eq(mfh_store_save(f.dir, &f.plan, 0, &none, 0, NAN, &err), 0);
  ck_assert_int_eq(load(&f, 0, NULL), MFH_STORED_INCOMPLETE);
  free(text);
  free(p);
  free(p1);
  teardown(&f);
}
END_TEST

/* The executor recomputes a damaged task to the same value and says why. */
START_TEST(executor_recomputes_damage) {
  fixture f;
  setup(&f);
  const char *dirs[1] = {f.dir};
  mfh_exec_opts o = {2, 0, 0, 0, 0, 0, "test", NULL};
  mfh_err err;
  mfh_outcome *a = calloc(f.plan.ntasks, sizeof *a), *b = calloc(f.plan.ntasks, sizeof *b);
  ck_assert_int_eq(mfh_executor_openmp.run(&f.plan, dirs, 1, &o, a, &err), 0);
  const double orig = *mfh_values_get(&a[3].values, "wpp");
  char num[64];
  snprintf(num, sizeof num, "%.17g", orig);
  edit(&f, 3, num, "1e300");
  ck_assert_int_eq(mfh_executor_openmp.run(&f.plan, dirs, 1, &o, b, &err), 0);
  ck_assert_int_eq(b[3].state, MFH_TASK_COMPUTED);
  ck_assert_int_eq(b[3].stored, MFH_STORED_CHECKSUM);
  ck_assert(*mfh_values_get(&b[3].values, "wpp") == orig);
  for (size_t i = 0; i < f.plan.ntasks; i++)
    if (i != 3) ck_assert_int_eq(b[i].state, MFH_TASK_CACHED);
  ck_assert_int_eq(load(&f, 3, NULL), MFH_STORED_OK); /* and stored again */
  mfh_outcomes_free(a, f.plan.ntasks);
  mfh_outcomes_free(b, f.plan.ntasks);
  teardown(&f);
}
END_TEST

static const char *rec(int seed, int shards, char *buf, size_t len) {
  snprintf(buf, len, "{\"profile\": \"quick\", \"seed\": %d, \"shards\": %d}", seed, shards);
  return buf;
}

START_TEST(run_lock) {
  char *d = mfh_test_tmpdir();
  char r1[128], r2[128];
  mfh_store_lock *a = NULL, *b = NULL, *c = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  /* two unsharded runs */
  ck_assert_int_eq(mfh_store_lock_run(d, 0, 0, 0, rec(1, 0, r1, sizeof r1), &a, &err), 0);
  ck_assert_int_eq(mfh_store_lock_run(d, 0, 0, 0, rec(1, 0, r1, sizeof r1), &b, &err), MFH_EBUSY);
  ck_assert_int_eq(mfh_store_lock_run(d, 1, 2, 0, rec(1, 2, r1, sizeof r1), &b, &err), MFH_EBUSY);
  ck_assert_int_eq(mfh_store_lock_read(d, &b, &err), MFH_EBUSY);
  mfh_store_unlock(a);
  /* two shards of one run, together */
  ck_assert_int_eq(mfh_store_lock_run(d, 1, 2, 0, rec(1, 2, r1, sizeof r1), &a, &err), 0);
  ck_assert_int_eq(mfh_store_lock_run(d, 2, 2, 0, rec(1, 2, r1, sizeof r1), &b, &err), 0);
  /* the same shard twice; an unsharded run; a shard of another seed or shard count; a reader */
  ck_assert_int_eq(mfh_store_lock_run(d, 2, 2, 0, rec(1, 2, r1, sizeof r1), &c, &err), MFH_EBUSY);
  ck_assert_int_eq(mfh_store_lock_run(d, 0, 0, 0, rec(1, 0, r1, sizeof r1), &c, &err), MFH_EBUSY);
  ck_assert_int_eq(mfh_store_lock_run(d, 1, 3, 0, rec(1, 3, r2, sizeof r2), &c, &err), MFH_EUSAGE);
  ck_assert_int_eq(mfh_store_lock_run(d, 1, 2, 0, rec(7, 2, r2, sizeof r2), &c, &err), MFH_EUSAGE);
  ck_assert_msg(strstr(err.msg, "seed 1") && strstr(err.msg, "seed 7"), "%s", err.msg);
  ck_assert_int_eq(mfh_store_lock_read(d, &c, &err), MFH_EBUSY);
  mfh_store_unlock(a);
  mfh_store_unlock(b);
  /* a later shard must match the unfinished sharded run recorded, unless --fresh */
  ck_assert_int_eq(mfh_store_lock_run(d, 1, 2, 0, rec(7, 2, r2, sizeof r2), &c, &err), MFH_EUSAGE);
  ck_assert_int_eq(mfh_store_lock_run(d, 1, 2, 1, rec(7, 2, r2, sizeof r2), &c, &err), 0);
  mfh_store_unlock(c);
  /* an unsharded run may always start over; then a reader */
  ck_assert_int_eq(mfh_store_lock_run(d, 0, 0, 0, rec(3, 0, r2, sizeof r2), &c, &err), 0);
  mfh_store_unlock(c);
  ck_assert_int_eq(mfh_store_lock_read(d, &c, &err), 0);
  mfh_store_unlock(c);
  /* the output folder: shards share it, an unsharded run or a report has it alone */
  ck_assert_int_eq(mfh_store_lock_out(d, 0, &a, &err), 0);
  ck_assert_int_eq(mfh_store_lock_out(d, 0, &b, &err), 0);
  ck_assert_int_eq(mfh_store_lock_out(d, 1, &c, &err), MFH_EBUSY);
  mfh_store_unlock(a);
  mfh_store_unlock(b);
  ck_assert_int_eq(mfh_store_lock_out(d, 1, &a, &err), 0);
  ck_assert_int_eq(mfh_store_lock_out(d, 1, &b, &err), MFH_EBUSY);
  ck_assert_int_eq(mfh_store_lock_out(d, 0, &b, &err), MFH_EBUSY);
  mfh_store_unlock(a);
  free(d);
}
END_TEST

START_TEST(stale_temporaries_removed) {
  char *d = mfh_test_tmpdir();
  char *t = mfh_path_join(d, "tasks"), *tmp = mfh_path_join(d, "tasks/abc.json.tmp.12345");
  char *keep = mfh_path_join(d, "tasks/abc.json"), r[128];
  mfh_err err;
  ck_assert_int_eq(mfh_mkdirs(t, &err), 0);
  mfh_test_write(tmp, "{\"half");
  mfh_test_write(keep, "{}");
  mfh_store_lock *l;
  ck_assert_int_eq(mfh_store_lock_run(d, 0, 0, 0, rec(1, 0, r, sizeof r), &l, &err), 0);
  ck_assert(!mfh_path_exists(tmp));
  ck_assert(mfh_path_exists(keep));
  mfh_store_unlock(l);
  free(t);
  free(tmp);
  free(keep);
  free(d);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("store");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, roundtrip);
  tcase_add_test(tc, damage_is_recognised);
  tcase_add_test(tc, executor_recomputes_damage);
  tcase_add_test(tc, run_lock);
  tcase_add_test(tc, stale_temporaries_removed);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
