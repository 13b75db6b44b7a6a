/* `mfh history FILE`: trend plots and drift flags from a history database,
 * and the --history FILE of run and report that appends to it. */
#include "cli/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/history.h"
#include "report/history_page.h"

static const char *history_help =
    "usage: mfh history FILE [--out DIR] [--slower FACTOR] [--render | --no-render] [--quiet]\n"
    "Read a history database (written by mfh run --history FILE or mfh report --history FILE),\n"
    "print the drift flags and write DIR/index.html (default history/) with, per study, the\n"
    "estimate and interval of every check over the runs, verdict strips and solver cost.\n"
    "Flags: moved (an estimate moved by more than its intervals allow, against the run before or\n"
    "the level it last moved to), flipped (a verdict changed), creeping (a bound ratio rose three runs in a row,\n"
    "by 5% or more), slower (solver seconds per task >= FACTOR x the median of up to 5 earlier\n"
    "runs on the same machine; FACTOR 1.5).  The schema: docs/history.md.\n"
    "Exit: 0 no drift in the latest run, 1 the latest run drifted, 2 bad input (not a history),\n"
    "3 failure (gnuplot failed with --render).\n";

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int mfh_cli_history_precheck(const char *file) {
  mfh_err err;
  mfh_err_clear(&err);
  if (!file || !mfh_history_check_file(file, &err)) return 0;
  fprintf(stderr, "mfh: --history %s\n", err.msg);
  return 2;
}

/* The commit under test: MFH_COMMIT, a CI's variable, else git in the study's folder. */
static void find_commit(const char *study_file, char *buf, size_t len) {
  static const char *const vars[] = {"MFH_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "BUILD_VCS_NUMBER"};
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
    const char *v = getenv(vars[i]);
    if (v && v[0]) {
      snprintf(buf, len, "%s", v);
      return;
    }
  }
  if (!study_file) return;
  char *dir = strdup(study_file), *out = NULL;
  char *slash = dir ? strrchr(dir, '/') : NULL;
  if (!dir) return;
  if (slash) *slash = '\0';
  char *cmd = NULL;
  size_t clen = 0;
  FILE *f = open_memstream(&cmd, &clen);
  if (f) {
    fputs("git -C ", f);
    mfh_cli_sh_quote(f, slash ? dir : ".");
    fputs(" rev-parse HEAD 2>/dev/null", f);
    fclose(f);
    if (mfh_cli_capture(cmd, &out) == 0 && out) {
      out[strcspn(out, "\r\n")] = '\0';
      snprintf(buf, len, "%s", out);
    }
  }
  free(out);
  free(cmd);
  free(dir);
}

int mfh_cli_history_append(const char *file, mfh_study_result *const *rs, size_t n, const char *profile,
                           double started, int exit_code, const char *study_file) {
  mfh_history_run run;
  memset(&run, 0, sizeof run);
  time_t t0 = (time_t)started;
  struct tm tm;
  gmtime_r(&t0, &tm);
  strftime(run.started_at, sizeof run.started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  find_commit(study_file, run.commit, sizeof run.commit);
  snprintf(run.mfh_version, sizeof run.mfh_version, "%s", MFH_VERSION);
  if (gethostname(run.machine, sizeof run.machine - 1) != 0) snprintf(run.machine, sizeof run.machine, "unknown");
  run.cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
  snprintf(run.profile, sizeof run.profile, "%s", profile);
  run.wall_s = wall_now() - started;
  run.exit_code = exit_code;
  mfh_err err;
  mfh_err_clear(&err);
  if (mfh_history_append(file, &run, (const mfh_study_result *const *)rs, n, &err)) {
    fprintf(stderr, "mfh: --history: %s\n", err.msg);
    return 3;
  }
  return 0;
}

/* Seconds since the epoch, for mfh_cli_history_append's `started`. */
double mfh_cli_wall_clock(void) { return wall_now(); }

int mfh_cli_cmd_history(int argc, char **argv) {
  const char *file = NULL, *out = "history";
  int render = 1, quiet = 0;
  mfh_drift_opts dopts = {1.5, 1.0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(history_help, stdout);
      return 0;
    } else if (!strcmp(a, "--out") || !strcmp(a, "--slower")) {
      if (i + 1 >= argc) return mfh_cli_usage_error("history", "%s needs a value", a);
      const char *v = argv[++i];
      if (!strcmp(a, "--out")) {
        out = v;
      } else {
        char *end;
        dopts.slower_factor = strtod(v, &end);
        if (*end || !(dopts.slower_factor > 1))
          return mfh_cli_usage_error("history", "--slower must be a number > 1 (got '%s')", v);
      }
    } else if (!strcmp(a, "--render")) {
      render = 2;
    } else if (!strcmp(a, "--no-render")) {
      render = 0;
    } else if (!strcmp(a, "--quiet")) {
      quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      return mfh_cli_usage_error("history", "unknown option %s", a);
    } else if (file) {
      return mfh_cli_usage_error("history", "one history file only (got '%s' too)", a);
    } else {
      file = a;
    }
  }
  if (!file) return mfh_cli_usage_error("history", "%s", "name the history file");
  mfh_history h;
  mfh_err err;
  mfh_err_clear(&err);
  if (mfh_history_load(file, &h, &err)) return mfh_cli_fail(&err);
  mfh_drift *fl = NULL;
  size_t nfl = 0;
  int code = 0;
  if (mfh_history_drift(&h, &dopts, &fl, &nfl, &err)) {
    code = mfh_cli_fail(&err);
    goto done;
  }
  int warned = 0;
  mfh_report_opts ro = {render, getenv("MFH_GNUPLOT"), &warned, stderr};
  if (mfh_history_page(&h, fl, nfl, file, out, &ro, &err)) {
    code = mfh_cli_fail(&err);
    goto done;
  }
  size_t latest = h.nruns ? h.nruns - 1 : 0, now = 0;
  for (size_t i = 0; i < nfl; i++) now += fl[i].run == latest;
  if (!quiet) {
    printf("%s: %zu run%s, %zu stud%s, %zu check%s; %zu drift flag%s (%zu in the latest run)\n", file, h.nruns,
           h.nruns == 1 ? "" : "s", h.nstudies, h.nstudies == 1 ? "y" : "ies", h.nchecks, h.nchecks == 1 ? "" : "s",
           nfl, nfl == 1 ? "" : "s", now);
    for (size_t i = 0; i < nfl; i++)
      printf("  run #%zu %s %-8s %s\n", fl[i].run + 1, h.runs[fl[i].run].started_at, mfh_drift_kind_text(fl[i].kind),
             fl[i].what);
    printf("page: %s/index.html\n", out);
  }
  code = now ? 1 : 0;
done:
  free(fl);
  mfh_history_free(&h);
  return code;
}
