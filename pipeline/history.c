#include "pipeline/history.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/fsutil.h"

/* The schema (docs/history.md explains every column). */
static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS runs (\n"
    "  run_id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  started_at TEXT NOT NULL,\n"
    "  commit_id TEXT,\n"
    "  mfh_version TEXT NOT NULL,\n"
    "  machine TEXT NOT NULL,\n"
    "  cpus INTEGER,\n"
    "  profile TEXT NOT NULL,\n"
    "  wall_s REAL,\n"
    "  exit_code INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS studies (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(run_id),\n"
    "  study TEXT NOT NULL,\n"
    "  theorem TEXT, title TEXT, verdict TEXT,\n"
    "  tasks INTEGER, tasks_run INTEGER, tasks_failed INTEGER,\n"
    "  solver_s REAL,\n"
    "  PRIMARY KEY (run_id, study));\n"
    "CREATE TABLE IF NOT EXISTS checks (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(run_id),\n"
    "  study TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  verdict TEXT NOT NULL,\n"
    "  value REAL, lo REAL, hi REAL,\n"
    "  summary TEXT,\n"
    "  PRIMARY KEY (run_id, study, name));\n"
    "CREATE TABLE IF NOT EXISTS numbers (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(run_id),\n"
    "  study TEXT NOT NULL,\n"
    "  check_name TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  value REAL,\n"
    "  PRIMARY KEY (run_id, study, check_name, name));\n"
    "CREATE INDEX IF NOT EXISTS checks_by_name ON checks (study, name, run_id);\n";

/* The headline number of a check and the names of its interval. */
static const struct {
  const char *kind, *value, *lo, *hi;
} headline[] = {
    {"rate", "slope", "slope_lo", "slope_hi"},
    {"uniform", "growth", "growth_lo", "growth_hi"},
    {"bound", "max_ratio", NULL, NULL},
    {"constant", "constant", NULL, NULL},
    {"expansion", "max_rel_resid", NULL, NULL},
    {"expected", "max_rel_dev", NULL, NULL},
    {"gci", "p", NULL, NULL},
};

static double number(const mfh_check_result *c, const char *name) {
  const double *v = name ? mfh_values_get(&c->numbers, name) : NULL;
  return v && isfinite(*v) ? *v : NAN;
}

static void check_headline(const mfh_check_result *c, double *v, double *lo, double *hi) {
  *v = *lo = *hi = NAN;
  for (size_t i = 0; i < sizeof headline / sizeof headline[0]; i++)
    if (!strcmp(c->kind, headline[i].kind)) {
      *v = number(c, headline[i].value);
      *lo = number(c, headline[i].lo);
      *hi = number(c, headline[i].hi);
    }
}

static int db_fail(sqlite3 *db, const char *path, int status, const char *what, mfh_err *err) {
  return mfh_err_set(err, status, "%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "cannot open");
}

/* Refuse a file that is not ours: tables without a runs table, or a newer schema.
 * The caller holds a transaction, so that the version and the tables are read
 * in one snapshot: read in two, they can straddle another process's first
 * append (version 0 read before its commit, its tables after) and a fresh
 * history would be refused as "not ours". */
static int check_ours_in_tx(sqlite3 *db, const char *path, int allow_empty, mfh_err *err) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
  if (rc != SQLITE_OK) {
    int code = sqlite3_errcode(db);
    rc = mfh_err_set(err, MFH_EINPUT, "%s: not an mfh history (%s)", path,
                     code == SQLITE_NOTADB ? "not an SQLite database" : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
  }
  int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  if (version < 0) return mfh_err_set(err, MFH_EINPUT, "%s: not an mfh history (%s)", path, sqlite3_errmsg(db));
  if (version > MFH_HISTORY_SCHEMA)
    return mfh_err_set(err, MFH_EINPUT, "%s: history schema %d is newer than this mfh reads (%d)", path, version,
                       MFH_HISTORY_SCHEMA);
  long tables = 0, runs = 0;
  if (sqlite3_prepare_v2(db,
                         "SELECT count(*), sum(name = 'runs') FROM sqlite_master WHERE type = 'table'", -1,
                         &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    tables = sqlite3_column_int64(st, 0);
    runs = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  if (version == 0 && tables > 0)
    return mfh_err_set(err, MFH_EINPUT, "%s: an SQLite database but not an mfh history (it has other tables)", path);
  if (version == MFH_HISTORY_SCHEMA && !runs)
    return mfh_err_set(err, MFH_EINPUT, "%s: not an mfh history (no runs table)", path);
  if (!allow_empty && version == 0)
    return mfh_err_set(err, MFH_EINPUT, "%s: an empty database, not an mfh history", path);
  return MFH_OK;
}

/* check_ours_in_tx in a read transaction of its own. */
static int check_ours(sqlite3 *db, const char *path, int allow_empty, mfh_err *err) {
  if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return mfh_err_set(err, MFH_EINPUT, "%s: not an mfh history (%s)", path, sqlite3_errmsg(db));
  int rc = check_ours_in_tx(db, path, allow_empty, err);
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s && s[0]) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v) {
  if (isfinite(v)) sqlite3_bind_double(st, i, v);
  else sqlite3_bind_null(st, i);
}

int mfh_history_append(const char *path, const mfh_history_run *run, const mfh_study_result *const *studies,
                       size_t n, mfh_err *err) {
  sqlite3 *db = NULL;
  sqlite3_stmt *ins_run = NULL, *ins_study = NULL, *ins_check = NULL, *ins_num = NULL;
  int in_tx = 0, rc = MFH_OK;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EIO, "cannot open", err);
    goto fail;
  }
  sqlite3_busy_timeout(db, 60000);
  if ((rc = check_ours(db, path, 1, err))) goto fail;
  /* WAL: readers never block the writer; the mode is kept in the file.
   * Best effort: switching modes needs the database to itself, and another
   * process appending at that moment makes it fail at once (SQLITE_BUSY,
   * no busy handler); BEGIN IMMEDIATE below serialises the writers either
   * way, and a later append sets WAL. */
  (void)sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EIO, "cannot start a transaction", err);
    goto fail;
  }
  in_tx = 1;
  /* again under the write lock: what the check above saw may have changed */
  if ((rc = check_ours_in_tx(db, path, 1, err))) goto fail;
  char pragma[64];
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", MFH_HISTORY_SCHEMA);
  if (sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EIO, "cannot create the schema", err);
    goto fail;
  }
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO runs (started_at, commit_id, mfh_version, machine, cpus, profile, wall_s, "
                         "exit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         -1, &ins_run, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "INSERT INTO studies (run_id, study, theorem, title, verdict, tasks, tasks_run, "
                         "tasks_failed, solver_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         -1, &ins_study, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "INSERT INTO checks (run_id, study, name, kind, verdict, value, lo, hi, summary) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         -1, &ins_check, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO numbers (run_id, study, check_name, name, value) VALUES (?, ?, ?, ?, ?)",
                         -1, &ins_num, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EIO, "cannot prepare", err);
    goto fail;
  }
  bind_text(ins_run, 1, run->started_at);
  bind_text(ins_run, 2, run->commit);
  bind_text(ins_run, 3, run->mfh_version);
  bind_text(ins_run, 4, run->machine);
  sqlite3_bind_int(ins_run, 5, run->cpus);
  bind_text(ins_run, 6, run->profile);
  bind_real(ins_run, 7, run->wall_s);
  sqlite3_bind_int(ins_run, 8, run->exit_code);
  if (sqlite3_step(ins_run) != SQLITE_DONE) {
    rc = db_fail(db, path, MFH_EIO, "cannot append the run", err);
    goto fail;
  }
  sqlite3_int64 id = sqlite3_last_insert_rowid(db);
  for (size_t i = 0; i < n; i++) {
    const mfh_study_result *r = studies[i];
    sqlite3_reset(ins_study);
    sqlite3_bind_int64(ins_study, 1, id);
    bind_text(ins_study, 2, r->id);
    bind_text(ins_study, 3, r->theorem);
    bind_text(ins_study, 4, r->title);
    bind_text(ins_study, 5, mfh_verdict_text(mfh_study_result_worst(r)));
    sqlite3_bind_int64(ins_study, 6, (sqlite3_int64)r->ntasks);
    sqlite3_bind_int64(ins_study, 7, (sqlite3_int64)r->ntasks_run);
    sqlite3_bind_int64(ins_study, 8, (sqlite3_int64)r->ntasks_failed);
    bind_real(ins_study, 9, r->elapsed_s);
    if (sqlite3_step(ins_study) != SQLITE_DONE) {
      rc = db_fail(db, path, MFH_EIO, "cannot append a study", err);
      goto fail;
    }
    for (size_t k = 0; k < r->nchecks; k++) {
      const mfh_check_result *c = &r->checks[k];
      double v, lo, hi;
      check_headline(c, &v, &lo, &hi);
      sqlite3_reset(ins_check);
      sqlite3_bind_int64(ins_check, 1, id);
      bind_text(ins_check, 2, r->id);
      bind_text(ins_check, 3, c->name);
      bind_text(ins_check, 4, c->kind);
      bind_text(ins_check, 5, mfh_verdict_text(c->verdict));
      bind_real(ins_check, 6, v);
      bind_real(ins_check, 7, lo);
      bind_real(ins_check, 8, hi);
      bind_text(ins_check, 9, c->summary);
      if (sqlite3_step(ins_check) != SQLITE_DONE) {
        rc = db_fail(db, path, MFH_EIO, "cannot append a check", err);
        goto fail;
      }
      for (size_t m = 0; m < c->numbers.n; m++) {
        sqlite3_reset(ins_num);
        sqlite3_bind_int64(ins_num, 1, id);
        bind_text(ins_num, 2, r->id);
        bind_text(ins_num, 3, c->name);
        bind_text(ins_num, 4, c->numbers.v[m].name);
        bind_real(ins_num, 5, c->numbers.v[m].v);
        if (sqlite3_step(ins_num) != SQLITE_DONE) {
          rc = db_fail(db, path, MFH_EIO, "cannot append a number", err);
          goto fail;
        }
      }
    }
  }
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EIO, "cannot commit", err);
    goto fail;
  }
  in_tx = 0;
fail:
  if (in_tx) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_finalize(ins_run);
  sqlite3_finalize(ins_study);
  sqlite3_finalize(ins_check);
  sqlite3_finalize(ins_num);
  sqlite3_close(db);
  return rc;
}

int mfh_history_check_file(const char *path, mfh_err *err) {
  if (!mfh_path_exists(path)) { /* it will be created: its folder must be writable */
    char *dir = strdup(path);
    if (!dir) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    int ok = mfh_is_dir(d) && access(d, W_OK) == 0;
    int rc = ok ? MFH_OK : mfh_err_set(err, MFH_EINPUT, "%s: cannot create it: %s is not a writable folder", path, d);
    free(dir);
    return rc;
  }
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
               ? check_ours(db, path, 1, err)
               : db_fail(db, path, MFH_EINPUT, "cannot open", err);
  sqlite3_close(db);
  return rc;
}

/* ---- loading ---------------------------------------------------------------- */

static int verdict_of(const char *s) {
  if (!s) return MFH_CHECK_ERROR;
  for (int v = MFH_PASS; v <= MFH_CHECK_ERROR; v++)
    if (!strcmp(s, mfh_verdict_text(v))) return v;
  return MFH_CHECK_ERROR;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? (const char *)s : "";
}

static double col_real(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Index of run_id in h->runs (sorted by id), or (size_t)-1. */
static size_t run_index(const mfh_history *h, long long id) {
  size_t a = 0, b = h->nruns;
  while (a < b) {
    size_t m = (a + b) / 2;
    if (h->runs[m].id < id) a = m + 1;
    else b = m;
  }
  return a < h->nruns && h->runs[a].id == id ? a : (size_t)-1;
}

static int grow(void **p, size_t *cap, size_t n, size_t size) {
  if (n < *cap) return 0;
  size_t c = *cap ? 2 * *cap : 16;
  void *q = realloc(*p, c * size);
  if (!q) return -1;
  *p = q;
  *cap = c;
  return 0;
}

/* Prepare a read query; MFH_EINPUT naming the file when its tables are not ours. */
static int query(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *path, mfh_err *err) {
  return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? MFH_OK
                                                                 : db_fail(db, path, MFH_EINPUT, "not an mfh history", err);
}

int mfh_history_load(const char *path, mfh_history *h, mfh_err *err) {
  memset(h, 0, sizeof *h);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc = MFH_OK;
  size_t cap = 0;
  if (!mfh_path_exists(path)) return mfh_err_set(err, MFH_EINPUT, "%s: no such history file", path);
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EINPUT, "cannot open", err);
    goto fail;
  }
  sqlite3_busy_timeout(db, 60000);
  /* one read transaction: runs, studies and checks from the same snapshot,
   * even while another process appends */
  if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, MFH_EINPUT, "not an mfh history", err);
    goto fail;
  }
  if ((rc = check_ours_in_tx(db, path, 0, err))) goto fail;
  /* runs */
  if ((rc = query(db,
                  "SELECT run_id, started_at, commit_id, mfh_version, machine, cpus, profile, wall_s, "
                  "exit_code FROM runs ORDER BY run_id",
                  &st, path, err)))
    goto fail;
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (grow((void **)&h->runs, &cap, h->nruns, sizeof *h->runs)) goto oom;
    mfh_history_run *r = &h->runs[h->nruns++];
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    snprintf(r->started_at, sizeof r->started_at, "%s", col_text(st, 1));
    snprintf(r->commit, sizeof r->commit, "%s", col_text(st, 2));
    snprintf(r->mfh_version, sizeof r->mfh_version, "%s", col_text(st, 3));
    snprintf(r->machine, sizeof r->machine, "%s", col_text(st, 4));
    r->cpus = sqlite3_column_int(st, 5);
    snprintf(r->profile, sizeof r->profile, "%s", col_text(st, 6));
    r->wall_s = col_real(st, 7);
    r->exit_code = sqlite3_column_int(st, 8);
  }
  sqlite3_finalize(st);
  st = NULL;
  /* studies: one entry per id, its cost per run */
  cap = 0;
  size_t pcap = 0;
  if ((rc = query(db,
                  "SELECT study, title, theorem, run_id, solver_s, tasks_run FROM studies ORDER BY study, "
                  "run_id",
                  &st, path, err)))
    goto fail;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *id = col_text(st, 0);
    mfh_history_study *s = h->nstudies ? &h->studies[h->nstudies - 1] : NULL;
    if (!s || strcmp(s->id, id)) {
      if (grow((void **)&h->studies, &cap, h->nstudies, sizeof *h->studies)) goto oom;
      s = &h->studies[h->nstudies++];
      memset(s, 0, sizeof *s);
      snprintf(s->id, sizeof s->id, "%s", id);
      pcap = 0;
    }
    snprintf(s->title, sizeof s->title, "%s", col_text(st, 1)); /* the latest title */
    snprintf(s->theorem, sizeof s->theorem, "%s", col_text(st, 2));
    size_t ri = run_index(h, sqlite3_column_int64(st, 3));
    if (ri == (size_t)-1) continue;
    if (grow((void **)&s->pts, &pcap, s->n, sizeof *s->pts)) goto oom;
    s->pts[s->n++] = (mfh_history_cost){ri, col_real(st, 4), (long)sqlite3_column_int64(st, 5)};
  }
  sqlite3_finalize(st);
  st = NULL;
  /* checks, with the proved slope of rate checks */
  cap = 0;
  if ((rc = query(db,
                  "SELECT c.study, c.name, c.kind, c.run_id, c.verdict, c.value, c.lo, c.hi, c.summary, "
                  "(SELECT value FROM numbers n WHERE n.run_id = c.run_id AND n.study = c.study AND "
                  "n.check_name = c.name AND n.name = 'proved') FROM checks c ORDER BY c.study, c.name, "
                  "c.run_id",
                  &st, path, err)))
    goto fail;
  size_t si = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *study = col_text(st, 0), *name = col_text(st, 1);
    mfh_history_check *c = h->nchecks ? &h->checks[h->nchecks - 1] : NULL;
    if (!c || strcmp(c->study, study) || strcmp(c->name, name)) {
      if (grow((void **)&h->checks, &cap, h->nchecks, sizeof *h->checks)) goto oom;
      c = &h->checks[h->nchecks++];
      memset(c, 0, sizeof *c);
      snprintf(c->study, sizeof c->study, "%s", study);
      snprintf(c->name, sizeof c->name, "%s", name);
      c->proved = NAN;
      pcap = 0;
      while (si < h->nstudies && strcmp(h->studies[si].id, study) < 0) si++;
      if (si < h->nstudies && !strcmp(h->studies[si].id, study)) {
        if (!h->studies[si].nchecks) h->studies[si].first_check = h->nchecks - 1;
        h->studies[si].nchecks++;
      }
    }
    snprintf(c->kind, sizeof c->kind, "%s", col_text(st, 2));
    size_t ri = run_index(h, sqlite3_column_int64(st, 3));
    if (ri == (size_t)-1) continue;
    if (grow((void **)&c->pts, &pcap, c->n, sizeof *c->pts)) goto oom;
    c->pts[c->n++] = (mfh_history_point){ri, verdict_of(col_text(st, 4)), col_real(st, 5), col_real(st, 6),
                                         col_real(st, 7)};
    snprintf(c->last_summary, sizeof c->last_summary, "%s", col_text(st, 8));
    double p = col_real(st, 9);
    if (isfinite(p)) c->proved = p;
  }
  goto fail;
oom:
  rc = mfh_err_set(err, MFH_ENOMEM, "out of memory reading %s", path);
fail:
  sqlite3_finalize(st);
  if (db && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close(db);
  if (rc) mfh_history_free(h);
  return rc;
}

void mfh_history_free(mfh_history *h) {
  if (!h) return;
  for (size_t i = 0; i < h->nstudies; i++) free(h->studies[i].pts);
  for (size_t i = 0; i < h->nchecks; i++) free(h->checks[i].pts);
  free(h->studies);
  free(h->checks);
  free(h->runs);
  memset(h, 0, sizeof *h);
}

/* ---- drift ---------------------------------------------------------------- */

const char *mfh_drift_kind_text(int kind) {
  static const char *const t[] = {"moved", "flipped", "creeping", "slower"};
  return kind >= 0 && kind <= MFH_DRIFT_SLOWER ? t[kind] : "?";
}

typedef struct flags {
  mfh_drift *v;
  size_t n, cap;
} flags;

static int add_flag(flags *f, int kind, size_t run, size_t study, long check, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int add_flag(flags *f, int kind, size_t run, size_t study, long check, const char *fmt, ...) {
  if (grow((void **)&f->v, &f->cap, f->n, sizeof *f->v)) return MFH_ENOMEM;
  mfh_drift *d = &f->v[f->n++];
  d->kind = kind;
  d->run = run;
  d->study = study;
  d->check = check;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->what, sizeof d->what, fmt, ap);
  va_end(ap);
  return MFH_OK;
}

static int has_interval(const mfh_history_point *p) {
  return isfinite(p->value) && isfinite(p->lo) && isfinite(p->hi) && p->hi >= p->lo;
}

/* |a - b| beyond what the two intervals allow: the half-widths added in
 * quadrature (the interval of a difference of independent estimates). */
static int moved(const mfh_history_point *a, const mfh_history_point *b, double *diff, double *allow) {
  double ha = 0.5 * (a->hi - a->lo), hb = 0.5 * (b->hi - b->lo);
  *diff = fabs(a->value - b->value);
  *allow = sqrt(ha * ha + hb * hb);
  return *diff > *allow;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int study_of(const mfh_history *h, size_t check) {
  for (size_t s = 0; s < h->nstudies; s++)
    if (check >= h->studies[s].first_check && check < h->studies[s].first_check + h->studies[s].nchecks) return (int)s;
  return 0;
}

static int check_flags(const mfh_history *h, size_t ci, flags *f) {
  const mfh_history_check *c = &h->checks[ci];
  size_t s = (size_t)study_of(h, ci);
  int rc = MFH_OK;
  size_t base = 0; /* the level to compare with: the first run, or the last run where a move was flagged */
  for (size_t k = 1; !rc && k < c->n; k++) {
    const mfh_history_point *p = &c->pts[k], *q = &c->pts[k - 1], *first = &c->pts[base];
    size_t run = p->run;
    if (p->verdict != q->verdict)
      rc = add_flag(f, MFH_DRIFT_FLIPPED, run, s, (long)ci, "%s %s: %s -> %s", c->study, c->name,
                    mfh_verdict_text(q->verdict), mfh_verdict_text(p->verdict));
    double d, a;
    int was = 0;
    if (!rc && has_interval(p) && has_interval(q) && (was = moved(p, q, &d, &a)))
      rc = add_flag(f, MFH_DRIFT_MOVED, run, s, (long)ci,
                    "%s %s: %.4g [%.4g, %.4g] after %.4g [%.4g, %.4g] in the run before: moved %.3g, the "
                    "intervals allow %.3g",
                    c->study, c->name, p->value, p->lo, p->hi, q->value, q->lo, q->hi, d, a);
    else if (!rc && base + 1 < k && has_interval(p) && has_interval(first) && (was = moved(p, first, &d, &a)))
      rc = add_flag(f, MFH_DRIFT_MOVED, run, s, (long)ci,
                    "%s %s: %.4g [%.4g, %.4g] against %.4g [%.4g, %.4g] in run #%zu: moved %.3g, the "
                    "intervals allow %.3g",
                    c->study, c->name, p->value, p->lo, p->hi, first->value, first->lo, first->hi,
                    first->run + 1, d, a);
    if (was) base = k;
    if (!rc && !strcmp(c->kind, "bound") && k >= 3) {
      int up = 1;
      for (size_t j = k - 2; j <= k; j++)
        up &= isfinite(c->pts[j].value) && isfinite(c->pts[j - 1].value) && c->pts[j].value > c->pts[j - 1].value;
      double before = c->pts[k - 3].value;
      if (up && before > 0 && p->value >= 1.05 * before)
        rc = add_flag(f, MFH_DRIFT_CREEP, run, s, (long)ci,
                      "%s %s: max ratio to the bound rose three runs in a row, %.4g -> %.4g (+%.1f%%)", c->study,
                      c->name, before, p->value, 100 * (p->value / before - 1));
    }
  }
  return rc;
}

static int cost_flags(const mfh_history *h, size_t si, const mfh_drift_opts *o, flags *f) {
  const mfh_history_study *s = &h->studies[si];
  for (size_t k = 1; k < s->n; k++) {
    const mfh_history_cost *p = &s->pts[k];
    if (p->tasks_run <= 0 || !(p->solver_s >= o->min_solver_s)) continue;
    double prev[5];
    size_t np = 0;
    for (size_t j = k; j-- > 0 && np < 5;) {
      const mfh_history_cost *q = &s->pts[j];
      if (q->tasks_run > 0 && q->solver_s >= o->min_solver_s &&
          !strcmp(h->runs[q->run].machine, h->runs[p->run].machine))
        prev[np++] = q->solver_s / (double)q->tasks_run;
    }
    if (!np) continue;
    qsort(prev, np, sizeof *prev, cmp_dbl);
    double med = np % 2 ? prev[np / 2] : 0.5 * (prev[np / 2 - 1] + prev[np / 2]);
    double now = p->solver_s / (double)p->tasks_run;
    if (med > 0 && now >= o->slower_factor * med) {
      int rc = add_flag(f, MFH_DRIFT_SLOWER, p->run, si, -1,
                        "%s: %.3g solver seconds per task, %.2fx the median %.3g of the %zu run%s before on %s",
                        s->id, now, now / med, med, np, np == 1 ? "" : "s", h->runs[p->run].machine);
      if (rc) return rc;
    }
  }
  return MFH_OK;
}

static int cmp_flag(const void *a, const void *b) {
  const mfh_drift *x = a, *y = b;
  if (x->run != y->run) return x->run < y->run ? -1 : 1;
  if (x->study != y->study) return x->study < y->study ? -1 : 1;
  if (x->check != y->check) return x->check < y->check ? -1 : 1;
  return x->kind - y->kind;
}

int mfh_history_drift(const mfh_history *h, const mfh_drift_opts *o, mfh_drift **out, size_t *n, mfh_err *err) {
  flags f = {0};
  int rc = MFH_OK;
  for (size_t c = 0; !rc && c < h->nchecks; c++) rc = check_flags(h, c, &f);
  for (size_t s = 0; !rc && s < h->nstudies; s++) rc = cost_flags(h, s, o, &f);
  if (rc) {
    free(f.v);
    *out = NULL;
    *n = 0;
    return mfh_err_set(err, rc, "out of memory");
  }
  if (f.n) qsort(f.v, f.n, sizeof *f.v, cmp_flag);
  *out = f.v;
  *n = f.n;
  return MFH_OK;
}
