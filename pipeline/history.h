/* History: every run's results appended to one SQLite database, read back
 * as series per check, and drift found in them (a slope that moved by more
 * than its intervals allow, a verdict that flipped, a bound ratio creeping
 * up, a study that got slower).  The schema is in docs/history.md; a user
 * may query the file with sqlite3 or Python.
 *
 * Appends are one IMMEDIATE transaction in WAL mode with a busy timeout, so
 * runs that finish at once (shards' report jobs, two nightly jobs) queue
 * instead of failing or interleaving. */
#ifndef MFH_PIPELINE_HISTORY_H
#define MFH_PIPELINE_HISTORY_H

#include <stddef.h>

#include "core/results.h"
#include "core/status.h"

#define MFH_HISTORY_SCHEMA 1

/* What a run record says besides its results. */
typedef struct mfh_history_run {
  long long id;          /* run_id (set by load; ignored by append) */
  char started_at[32];   /* UTC, "2026-12-06T02:56:49Z" */
  char commit[64];       /* "" unknown */
  char mfh_version[32];
  char machine[128];
  int cpus;
  char profile[16];
  double wall_s;         /* the whole command */
  int exit_code;
} mfh_history_run;

/* Append one run and its studies' results.  Creates the file and its schema
 * when missing.  MFH_EINPUT when path is not an mfh history (or a newer
 * schema), MFH_EIO when it cannot be written (the SQLite message says why). */
int mfh_history_append(const char *path, const mfh_history_run *run, const mfh_study_result *const *studies,
                       size_t n, mfh_err *err);

/* Before a run: 0 when path is an mfh history this mfh can append to, or is
 * missing in a writable folder (it will be created); MFH_EINPUT naming the
 * file otherwise. */
int mfh_history_check_file(const char *path, mfh_err *err);

/* One check in one run. */
typedef struct mfh_history_point {
  size_t run;            /* index into mfh_history.runs */
  int verdict;           /* enum mfh_verdict */
  double value, lo, hi;  /* headline number and its interval (NAN when none) */
} mfh_history_point;

typedef struct mfh_history_check {
  char study[128], name[160], kind[32];
  double proved;         /* the proved slope of a rate check, else NAN */
  char last_summary[512];
  size_t n;
  mfh_history_point *pts; /* by run, oldest first */
} mfh_history_check;

/* One study in one run: its solver cost. */
typedef struct mfh_history_cost {
  size_t run;
  double solver_s;       /* solver seconds of the tasks computed in that run */
  long tasks_run;        /* tasks computed (not reused) in that run */
} mfh_history_cost;

typedef struct mfh_history_study {
  char id[128], title[256], theorem[64];
  size_t n;
  mfh_history_cost *pts;
  size_t first_check, nchecks; /* its checks: checks[first_check ...] */
} mfh_history_study;

typedef struct mfh_history {
  size_t nruns;
  mfh_history_run *runs;     /* oldest first */
  size_t nstudies;
  mfh_history_study *studies; /* by id */
  size_t nchecks;
  mfh_history_check *checks;  /* by study, then name */
} mfh_history;

/* Read a whole history (read-only).  MFH_EINPUT for a missing file, a file
 * that is not SQLite or not an mfh history, naming the file. */
int mfh_history_load(const char *path, mfh_history *h, mfh_err *err);
void mfh_history_free(mfh_history *h); /* accepts a zeroed struct */

/* ---- drift ---------------------------------------------------------------- */

enum mfh_drift_kind {
  MFH_DRIFT_MOVED = 0, /* estimate moved beyond both intervals, vs the run before or vs the level it
                          last moved to (the first run until then): a shift is flagged once */
  MFH_DRIFT_FLIPPED,   /* verdict differs from the run before */
  MFH_DRIFT_CREEP,     /* bound ratio rose in each of the last 3 runs, by >= 5% in all */
  MFH_DRIFT_SLOWER     /* solver seconds per task >= factor x the median of up to 5 earlier runs on the machine */
};
const char *mfh_drift_kind_text(int kind); /* "moved", "flipped", "creeping", "slower" */

typedef struct mfh_drift {
  int kind;
  size_t run;          /* the run where it shows */
  size_t study;        /* index into studies */
  long check;          /* index into checks, -1 for a study-level flag (slower) */
  char what[512];      /* one line with the numbers */
} mfh_drift;

typedef struct mfh_drift_opts {
  double slower_factor; /* 1.5 */
  double min_solver_s;  /* runs that computed less than this are not timed (1 s) */
} mfh_drift_opts;

/* Every drift flag in the history, oldest first (*out malloc'd; free()). */
int mfh_history_drift(const mfh_history *h, const mfh_drift_opts *o, mfh_drift **out, size_t *n, mfh_err *err);

#endif
