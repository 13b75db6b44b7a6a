/* Tests for pipeline/history: append and load round trip, drift found in a
 * synthetic history with planted drifts (and none in its quiet part),
 * concurrent appends from several processes, and files that are not an
 * mfh history. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeline/history.h"
#include "tests/testutil.h"

#define NRUNS 10

/* One study with a rate check and a bound check, as run k (0-based) of the
 * planted history:
 *   slope -0.50 +/- 0.01 (jitter 0.002) for runs 0-6, then -0.45: moved at run 7;
 *   the rate verdict pass, inconclusive from run 8: flipped at run 8;
 *   the bound ratio 0.60 for runs 0-5, then 0.62, 0.66, 0.70, 0.70: creeping at run 8;
 *   0.1 solver seconds per task, 0.2 in run 9: slower at run 9. */
static void planted(size_t k, mfh_study_result *r) {
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "planted");
  snprintf(r->title, sizeof r->title, "a planted drift");
  snprintf(r->theorem, sizeof r->theorem, "FG-1");
  snprintf(r->profile, sizeof r->profile, "nightly");
  r->ntasks = r->ntasks_run = 100;
  r->elapsed_s = k == 9 ? 20.0 : 10.0 + 0.3 * (double)(k % 3);
  r->nchecks = 2;
  r->checks = calloc(2, sizeof *r->checks);
  ck_assert_ptr_nonnull(r->checks);
  mfh_check_result *c = &r->checks[0];
  snprintf(c->kind, sizeof c->kind, "rate");
  snprintf(c->name, sizeof c->name, "rate[N] wp");
  c->verdict = k >= 8 ? MFH_INCONCLUSIVE : MFH_PASS;
  double jitter[NRUNS] = {0.002, -0.001, 0.0, 0.0015, -0.002, 0.001, -0.0005, 0.0, 0.002, -0.001};
  double slope = (k >= 7 ? -0.45 : -0.50) + jitter[k];
  mfh_values_set(&c->numbers, "proved", -0.5);
  mfh_values_set(&c->numbers, "slope", slope);
  mfh_values_set(&c->numbers, "slope_lo", slope - 0.01);
  mfh_values_set(&c->numbers, "slope_hi", slope + 0.01);
  snprintf(c->summary, sizeof c->summary, "observed %.3f", slope);
  c = &r->checks[1];
  snprintf(c->kind, sizeof c->kind, "bound");
  snprintf(c->name, sizeof c->name, "bound[N] wp");
  c->verdict = MFH_PASS;
  double ratio[NRUNS] = {0.60, 0.60, 0.60, 0.60, 0.60, 0.60, 0.62, 0.66, 0.70, 0.70};
  mfh_values_set(&c->numbers, "max_ratio", ratio[k]);
}

/* Append r as one run on machine at date; prints the error and returns its status. */
static int append_result(const char *path, const mfh_study_result *r, const char *machine, const char *date,
                         const char *commit) {
  mfh_history_run run;
  memset(&run, 0, sizeof run);
  snprintf(run.started_at, sizeof run.started_at, "%s", date);
  snprintf(run.commit, sizeof run.commit, "%s", commit);
  snprintf(run.mfh_version, sizeof run.mfh_version, "0.1.0");
  snprintf(run.machine, sizeof run.machine, "%s", machine);
  run.cpus = 2;
  snprintf(run.profile, sizeof run.profile, "%.15s", r->profile);
  run.wall_s = 60;
  const mfh_study_result *rs[1] = {r};
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_history_append(path, &run, rs, 1, &err);
  if (rc) fprintf(stderr, "append to %s: %s\n", path, err.msg);
  return rc;
}

/* Run k of the planted history. */
static void append_run(const char *path, size_t k, const char *machine) {
  mfh_study_result r;
  planted(k, &r);
  char date[32], commit[16];
  snprintf(date, sizeof date, "2026-01-%02zuT03:00:00Z", k + 1);
  snprintf(commit, sizeof commit, "c%04zu", k);
  ck_assert_int_eq(append_result(path, &r, machine, date, commit), MFH_OK);
  mfh_study_result_free(&r);
}

static char *tmp_file(const char *name) {
  char *dir = mfh_test_tmpdir();
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", dir, name);
  free(dir);
  return p;
}

START_TEST(round_trip) {
  char *path = tmp_file("h.db");
  for (size_t k = 0; k < 3; k++) append_run(path, k, "m1");
  mfh_history h;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_history_load(path, &h, &err), MFH_OK);
  ck_assert_uint_eq(h.nruns, 3);
  ck_assert_uint_eq(h.nstudies, 1);
  ck_assert_uint_eq(h.nchecks, 2);
  ck_assert_str_eq(h.runs[2].commit, "c0002");
  ck_assert_str_eq(h.studies[0].id, "planted");
  ck_assert_uint_eq(h.studies[0].nchecks, 2);
  const mfh_history_check *c = &h.checks[h.studies[0].first_check + 1]; /* by name: rate after bound */
  ck_assert_str_eq(c->name, "rate[N] wp");
  ck_assert_uint_eq(c->n, 3);
  ck_assert(c->pts[1].value == -0.50 - 0.001);
  ck_assert(c->pts[1].lo == -0.50 - 0.001 - 0.01);
  ck_assert(c->proved == -0.5);
  ck_assert_int_eq(c->pts[0].verdict, MFH_PASS);
  const mfh_history_check *b = &h.checks[h.studies[0].first_check];
  ck_assert_str_eq(b->kind, "bound");
  ck_assert(isnan(b->pts[0].lo));
  mfh_history_free(&h);
  free(path);
}
END_TEST

/* The flags of the planted history, as "kind@run" (1-based) in order. */
static void flags_of(const char *path, char *buf, size_t len) {
  mfh_history h;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_history_load(path, &h, &err), MFH_OK);
  mfh_drift *fl;
  size_t n;
  mfh_drift_opts o = {1.5, 1.0};
  ck_assert_int_eq(mfh_history_drift(&h, &o, &fl, &n, &err), MFH_OK);
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s%s@%zu", i ? " " : "", mfh_drift_kind_text(fl[i].kind), fl[i].run + 1);
  }
  free(fl);
  mfh_history_free(&h);
}

START_TEST(planted_drift) {
  char *path = tmp_file("planted.db");
  char got[1024];
  /* the quiet part alone (runs 1-6): jitter within the intervals, no flag */
  for (size_t k = 0; k < 6; k++) append_run(path, k, "m1");
  flags_of(path, got, sizeof got);
  ck_assert_str_eq(got, "");
  for (size_t k = 6; k < NRUNS; k++) append_run(path, k, "m1");
  flags_of(path, got, sizeof got);
  /* one move (the level shift is flagged once, then it is the new level),
   * the flip, the creeping ratio, the slower run */
  ck_assert_str_eq(got, "moved@8 creeping@9 flipped@9 slower@10");
  free(path);
}
END_TEST

START_TEST(slow_creep_and_machines) {
  /* a slope creeping 0.006 a run (each step within the intervals) is flagged
   * against the first run once it has moved beyond them */
  char *path = tmp_file("creep.db");
  for (size_t k = 0; k < 6; k++) {
    mfh_study_result r;
    planted(0, &r);
    double s = -0.50 + 0.006 * (double)k;
    mfh_values_set(&r.checks[0].numbers, "slope", s);
    mfh_values_set(&r.checks[0].numbers, "slope_lo", s - 0.01);
    mfh_values_set(&r.checks[0].numbers, "slope_hi", s + 0.01);
    r.elapsed_s = k == 5 ? 30 : 10; /* slower, but on another machine: not compared */
    char date[32];
    snprintf(date, sizeof date, "2026-02-0%zuT00:00:00Z", k + 1);
    ck_assert_int_eq(append_result(path, &r, k == 5 ? "other" : "m1", date, ""), MFH_OK);
    mfh_study_result_free(&r);
  }
  char got[1024];
  flags_of(path, got, sizeof got);
  ck_assert_str_eq(got, "moved@4");
  free(path);
}
END_TEST

START_TEST(concurrent_appends) {
  char *path = tmp_file("shared.db");
  enum { PROCS = 4, EACH = 8 };
  pid_t pids[PROCS];
  for (int p = 0; p < PROCS; p++) {
    pids[p] = fork();
    ck_assert_int_ge(pids[p], 0);
    if (pids[p] == 0) {
      char machine[32];
      snprintf(machine, sizeof machine, "proc%d", p);
      int bad = 0;
      for (size_t k = 0; k < EACH && !bad; k++) {
        mfh_study_result r;
        planted(k, &r);
        bad = append_result(path, &r, machine, "2026-03-01T00:00:00Z", "") != MFH_OK;
        mfh_study_result_free(&r);
      }
      _exit(bad);
    }
  }
  for (int p = 0; p < PROCS; p++) {
    int st;
    ck_assert_int_eq(waitpid(pids[p], &st, 0), pids[p]);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d failed to append", p);
  }
  mfh_history h;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_history_load(path, &h, &err), MFH_OK);
  ck_assert_uint_eq(h.nruns, PROCS * EACH);
  ck_assert_uint_eq(h.studies[0].n, PROCS * EACH);
  for (size_t c = 0; c < h.nchecks; c++) ck_assert_uint_eq(h.checks[c].n, PROCS * EACH);
  mfh_history_free(&h);
  free(path);
}
END_TEST

START_TEST(racing_first_appends) {
  /* The schema is created by whichever append comes first; the others must
   * see either no tables or the whole schema, never a half-written file
   * (a check that reads the version and the tables in two snapshots sees
   * "version 0 with tables" and refuses the file as not ours). Many fresh
   * files, PROCS processes released together on each. */
  enum { ROUNDS = 40, PROCS = 6 };
  for (int round = 0; round < ROUNDS; round++) {
    char name[32];
    snprintf(name, sizeof name, "race%d.db", round);
    char *path = tmp_file(name);
    int go[2];
    ck_assert_int_eq(pipe(go), 0);
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
      pids[p] = fork();
      ck_assert_int_ge(pids[p], 0);
      if (pids[p] == 0) {
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) != 0) _exit(3); /* released when the parent closes its end */
        mfh_study_result r;
        planted(0, &r);
        int bad = append_result(path, &r, "racer", "2026-03-01T00:00:00Z", "") != MFH_OK;
        mfh_study_result_free(&r);
        _exit(bad);
      }
    }
    close(go[0]);
    close(go[1]);
    for (int p = 0; p < PROCS; p++) {
      int st;
      ck_assert_int_eq(waitpid(pids[p], &st, 0), pids[p]);
      ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "round %d: child %d failed to append", round, p);
    }
    mfh_history h;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_int_eq(mfh_history_load(path, &h, &err), MFH_OK);
    ck_assert_uint_eq(h.nruns, PROCS);
    mfh_history_free(&h);
    free(path);
  }
}
END_TEST

static void expect_bad(const char *path, const char *needle) {
  mfh_history h;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_history_load(path, &h, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, needle) != NULL, "'%s' lacks '%s'", err.msg, needle);
  mfh_err_clear(&err);
  if (strcmp(needle, "no such history file"))
    ck_assert_int_eq(mfh_history_check_file(path, &err), MFH_EINPUT);
}

START_TEST(bad_files) {
  char *text = tmp_file("text.db");
  mfh_test_write(text, "not a database, just some text that is long enough to have a header\n");
  expect_bad(text, "not an mfh history (file is not a database)");
  char *other = tmp_file("other.db");
  sqlite3 *db;
  ck_assert_int_eq(sqlite3_open(other, &db), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  expect_bad(other, "not an mfh history");
  char *newer = tmp_file("newer.db");
  append_run(newer, 0, "m1");
  ck_assert_int_eq(sqlite3_open(newer, &db), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  expect_bad(newer, "newer than this mfh reads");
  expect_bad("/nonexistent/h.db", "no such history file");
  free(text);
  free(other);
  free(newer);
}
END_TEST

int main(void) {
  Suite *s = suite_create("history");
  TCase *tc = tcase_create("history");
  tcase_add_test(tc, round_trip);
  tcase_add_test(tc, planted_drift);
  tcase_add_test(tc, slow_creep_and_machines);
  tcase_add_test(tc, concurrent_appends);
  tcase_add_test(tc, racing_first_appends);
  tcase_add_test(tc, bad_files);
  suite_add_tcase(s, tc);
  return mfh_test_main(s);
}
