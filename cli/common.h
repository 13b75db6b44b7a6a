/* What the commands share: study collection, options, loading, and the
 * plan -> execute -> verdict -> report loop for one study.  Only cli/ prints
 * results and chooses exit codes:
 *   0 every check passed (inconclusive allowed), 1 a check failed,
 *   2 bad input or usage, 3 a solver or the machine failed. */
#ifndef MFH_CLI_COMMON_H
#define MFH_CLI_COMMON_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "pipeline/estimate.h"
#include "pipeline/study.h"
#include "report/report.h"

/* Set by SIGINT / SIGTERM: the executor stops starting tasks. */
extern volatile sig_atomic_t mfh_cli_interrupted;
void mfh_cli_on_signal(int sig);

/* A growable list of owned strings. */
typedef struct {
  char **v;
  size_t n, cap;
} mfh_strlist;
int mfh_cli_sl_add(mfh_strlist *l, const char *s);
void mfh_cli_sl_free(mfh_strlist *l);
int mfh_cli_cmp_str(const void *a, const void *b); /* qsort of char * */

/* Write s single-quoted for a POSIX shell. */
void mfh_cli_sh_quote(FILE *f, const char *s);
/* Run a shell command line; its stdout (malloc'd, NUL-terminated) in *out.
 * Returns its exit status, or -1 when it could not be run. */
int mfh_cli_capture(const char *cmdline, char **out);

/* Print an error (file:line:col: message) and return its exit code. */
int mfh_cli_fail(const mfh_err *e);
/* Print "mfh CMD: <fmt with arg>" and a pointer to --help; returns 2. */
int mfh_cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* rel under the installed data folder (<prefix>/share/mfh/rel, then
 * <prefix>/share/mfh/studies/rel) into buf: 1 if it exists there, else 0. */
int mfh_cli_data_path(const char *rel, char *buf, size_t len);
/* Study files under path (a file, or every *.yaml below a folder, sorted);
 * a relative path missing here is looked for in the installed studies. */
int mfh_cli_collect(const char *path, mfh_strlist *out, mfh_err *err);
/* expected/ beside the nearest studies/ folder above the study file, else ./expected. */
void mfh_cli_expected_dir_for(const char *study, const char *override, char *buf, size_t len);

/* Options shared by run, bless, validate and report. */
typedef struct {
  const char *profile, *out, *expected, *history;
  const char *table;      /* --table latex|markdown (mfh report), or NULL */
  int jobs, fresh, quiet, render;
  int require_decided; /* --require-decided: exit 1 when a check is undecided where its study expects a decision */
  long long seed;
  size_t shard_i, shard_n;
  char shard_source[256]; /* --shard auto: the variables it came from */
  mfh_strlist paths;
} mfh_cli_opts;
/* Parse argv[1..]; `allowed` lists the long options this command takes.
 * Returns 0 or the exit code of a usage error (already printed). */
int mfh_cli_parse_opts(const char *cmd, int argc, char **argv, mfh_cli_opts *o, const char *allowed);

/* A loaded study and its blessed-results folder. */
typedef struct {
  mfh_study study;
  char expected[PATH_MAX];
  mfh_estimate estimate; /* confirmed before running (pipeline/estimate.h) */
} mfh_loaded;
/* Load every study under o->paths and estimate it for o->jobs tasks at
 * once; on bad input or a study beyond its limits print every error and
 * return 2 (nothing has been written).  *out has *n entries (free with
 * mfh_cli_free_loaded even on error). */
int mfh_cli_load_all(const char *cmd, const mfh_cli_opts *o, mfh_loaded **out, size_t *n);
void mfh_cli_free_loaded(mfh_loaded *ls, size_t n);
/* Copy the study file into dir/study.yaml. */
int mfh_cli_copy_study(const char *dir, const mfh_study *s, mfh_err *err);
/* The run record (run.json): study file, profile, seed, number of shards
 * (0: unsharded), expected folder, version.  malloc'd JSON text, NULL on
 * out-of-memory. */
char *mfh_cli_run_record(const mfh_study *s, const char *expected, size_t shards);
/* Copy the study file and write an unsharded run record into dir. */
int mfh_cli_write_run_meta(const char *dir, const mfh_study *s, const char *expected, mfh_err *err);
/* Plan, execute (or only load), judge and report one study. */
int mfh_cli_process_study(const mfh_study *s, const char *expected, const char *outdir,
                          const char *const *dirs, size_t ndirs, const mfh_cli_opts *o, int load_only,
                          int bless, mfh_report_opts *ro, mfh_study_result *res, int *solver_failed,
                          mfh_err *err);
/* Run-level reports and the table; returns the exit code of the run. */
int mfh_cli_finish_run(mfh_study_result **rs, size_t n, const char *outdir, mfh_report_opts *ro,
                       int solver_failed, int quiet, int require_decided);

/* The commands (argv[0] is the command name); each returns the exit code. */
int mfh_cli_cmd_run(int argc, char **argv);
int mfh_cli_cmd_bless(int argc, char **argv);
int mfh_cli_cmd_validate(int argc, char **argv);
int mfh_cli_cmd_report(int argc, char **argv);
int mfh_cli_cmd_list(int argc, char **argv);
int mfh_cli_cmd_submit(int argc, char **argv);
int mfh_cli_cmd_history(int argc, char **argv);

/* --history FILE of run and report: check it before running (0, or the exit
 * code of a bad file, printed) and append the finished run (0 or 3, printed).
 * started: when the command began; study_file: a study, for the commit. */
int mfh_cli_history_precheck(const char *file);
double mfh_cli_wall_clock(void); /* seconds since the epoch */
int mfh_cli_history_append(const char *file, mfh_study_result *const *rs, size_t n, const char *profile,
                           double started, int exit_code, const char *study_file);

#endif
