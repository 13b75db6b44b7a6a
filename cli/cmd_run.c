/* `mfh run` and `mfh bless`: load every study, run its tasks, judge and report. */
#include "cli/common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fsutil.h"
#include "pipeline/exec.h"
#include "pipeline/plan.h"
#include "pipeline/registry.h"
#include "pipeline/store.h"
#include "pipeline/verdict.h"

static const char *run_help =
    "usage: mfh run PATH... [--profile quick|nightly|full] [--out DIR] [--jobs N] [--seed S]\n"
    "               [--fresh] [--shard I/N|auto] [--quiet] [--render | --no-render] [--expected DIR]\n"
    "               [--history FILE] [--require-decided]\n"
    "Run every study file given (a folder means every *.yaml under it).\n"
    "  --profile P   sweep size: quick (default suite, ~4 min), nightly (~30 min), full (cluster)\n"
    "  --out DIR     run folder (default reports/); finished tasks are stored under DIR/<id>/tasks\n"
    "                and reused: an interrupted run resumes where it stopped\n"
    "  --jobs N      threads (default: all cores); results do not depend on N\n"
    "  --seed S      replace every study's seed\n"
    "  --fresh       ignore stored results and recompute\n"
    "  --shard I/N   run a deterministic 1/N of the task groups (batch arrays); the shards of one\n"
    "                run share --out (any other second run on it is refused); when all are done,\n"
    "                mfh report DIR renders the results\n"
    "  --shard auto  I/N from the launcher: Slurm array or srun step, mpirun (Open MPI, MPICH),\n"
    "                SGE array; --shard auto/N for LSF, PBS, Kubernetes indexed jobs (N jobs)\n"
    "  --quiet       no progress line and no table\n"
    "  --render      fail (exit 3) if gnuplot cannot render the plots; --no-render skips them\n"
    "  --expected D  blessed results folder (default: expected/ beside the studies/ folder)\n"
    "  --history F   append this run (commit, date, machine, every check's numbers) to the SQLite\n"
    "                history F; mfh history F draws the trends and flags drift\n"
    "  --require-decided  exit 1 also when a check is inconclusive at a profile where its study\n"
    "                expects pass or fail (its decided_at: key; quick unless the check is labelled)\n"
    "Environment: MFH_GNUPLOT names the gnuplot program (default: gnuplot on PATH).\n"
    "Exit: 0 all checks passed (inconclusive allowed), 1 a check failed (or, with --require-decided,\n"
    "      is undecided where expected), 2 bad input, 3 failure.\n";

static int run_or_bless(int argc, char **argv, int bless) {
  const char *cmd = bless ? "bless" : "run";
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      if (bless)
        printf("usage: mfh bless STUDY... [--profile P] [--out DIR] [--jobs N] [--expected DIR]\n"
               "Run the studies (reusing stored results) and write their fitted results into\n"
               "expected/<id>.json for that profile: the baseline of every `expected` check.\n");
      else
        fputs(run_help, stdout);
      return 0;
    }
  mfh_cli_opts o;
  int rc = mfh_cli_parse_opts(cmd, argc, argv, &o,
                      bless ? "profile out jobs expected quiet render no-render fresh"
                            : "profile out jobs seed fresh shard quiet render no-render expected history require-decided");
  if (rc) return rc;
  double started = mfh_cli_wall_clock();
  if (o.history && o.shard_n) {
    mfh_cli_sl_free(&o.paths);
    return mfh_cli_usage_error(cmd, "%s", "--history goes with mfh report after the shards (a shard has no verdicts)");
  }
  if ((rc = mfh_cli_history_precheck(o.history))) {
    mfh_cli_sl_free(&o.paths);
    return rc;
  }
  mfh_err err;
  mfh_err_clear(&err);
  if (mfh_outdir_check(o.out, &err)) {
    mfh_cli_sl_free(&o.paths);
    return mfh_cli_usage_error(cmd, "%s", err.msg);
  }
  mfh_loaded *ls;
  size_t n;
  rc = mfh_cli_load_all(cmd, &o, &ls, &n);
  if (rc) {
    mfh_cli_free_loaded(ls, n);
    mfh_cli_sl_free(&o.paths);
    return rc;
  }
  int warned = 0, solver_failed = 0;
  mfh_report_opts ro = {o.render, getenv("MFH_GNUPLOT"), &warned, stderr};
  mfh_study_result **rs = calloc(n, sizeof *rs);
  size_t done = 0;
  signal(SIGINT, mfh_cli_on_signal);
  signal(SIGTERM, mfh_cli_on_signal);
  /* the output folder: one unsharded run at a time, or the shards of one */
  mfh_store_lock *out_lock = NULL;
  rc = mfh_mkdirs(o.out, &err);
  if (!rc) rc = mfh_store_lock_out(o.out, !o.shard_n, &out_lock, &err);
  for (size_t i = 0; !rc && i < n; i++) {
    const mfh_study *s = &ls[i].study;
    /* <out>/<id>: the id is one plain name (the loader checks it), and the
     * folder must not lead elsewhere through a symbolic link */
    char *dir = mfh_path_join(o.out, s->id), *rec = NULL;
    mfh_store_lock *lock = NULL;
    if (!dir || !rs) rc = mfh_err_set(&err, MFH_ENOMEM, "out of memory");
    if (!rc) rc = mfh_mkdirs(dir, &err);
    if (!rc) rc = mfh_path_inside(o.out, dir, &err);
    if (!rc && !(rec = mfh_cli_run_record(s, ls[i].expected, o.shard_n)))
      rc = mfh_err_set(&err, MFH_ENOMEM, "out of memory");
    if (!rc) rc = mfh_store_lock_run(dir, o.shard_i, o.shard_n, o.fresh, rec, &lock, &err);
    if (!rc) rc = mfh_cli_copy_study(dir, s, &err);
    if (!rc && !o.quiet) {
      char est[256];
      mfh_estimate_format(&ls[i].estimate, est, sizeof est);
      fprintf(stderr, "%s: %s\n", s->id, est);
    }
    if (!rc && !(rs[i] = calloc(1, sizeof **rs))) rc = mfh_err_set(&err, MFH_ENOMEM, "out of memory");
    if (!rc) {
      const char *dirs[1] = {dir};
      rc = mfh_cli_process_study(s, ls[i].expected, o.out, dirs, 1, &o, 0, bless, &ro, rs[i], &solver_failed, &err);
    }
    mfh_store_unlock(lock);
    free(rec);
    free(dir);
    if (!rc) done++;
  }
  int code;
  if (rc) {
    mfh_err_print(&err, stderr);
    code = mfh_status_exit_code(rc);
  } else if (o.shard_n) {
    printf("shard %zu/%zu%s%s%s: tasks stored under %s/<study>/tasks; when every shard is done run\n"
           "  mfh report %s\n",
           o.shard_i, o.shard_n, o.shard_source[0] ? " (" : "", o.shard_source, o.shard_source[0] ? ")" : "",
           o.out, o.out);
    code = solver_failed ? 3 : 0;
  } else {
    code = mfh_cli_finish_run(rs, done, o.out, &ro, solver_failed, o.quiet, o.require_decided);
    if (o.history) {
      int hc = mfh_cli_history_append(o.history, rs, done, o.profile, started, code, ls[0].study.file);
      if (hc > code) code = hc;
    }
  }
  mfh_store_unlock(out_lock);
  for (size_t i = 0; i < n; i++) {
    if (rs && rs[i]) mfh_study_result_free(rs[i]);
    free(rs ? rs[i] : NULL);
  }
  free(rs);
  mfh_cli_free_loaded(ls, n);
  mfh_cli_sl_free(&o.paths);
  return code;
}


int mfh_cli_cmd_run(int argc, char **argv) { return run_or_bless(argc, argv, 0); }

int mfh_cli_cmd_bless(int argc, char **argv) { return run_or_bless(argc, argv, 1); }
