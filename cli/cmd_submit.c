/* `mfh submit --scheduler slurm`: one sbatch array over shards (not tasks:
 * an array is capped by MaxArraySize, a study may have 10^5 tasks) whose
 * elements run `mfh run --shard auto` into one store, and a report job that
 * starts after all of them (afterany) and merges the store with
 * `mfh report`.  --wait polls squeue (sbatch --wait backs off to minutes)
 * and names the elements that failed.  Rerunning is the retry: finished
 * tasks are stored and skipped. */
#include "cli/common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "pipeline/plan.h"

static const char *submit_help =
    "usage: mfh submit --scheduler slurm PATH... [--shards K] [--jobs T] [--profile P] [--out DIR]\n"
    "                  [--seed S] [--history FILE] [--require-decided] [--print-script] [--wait]\n"
    "                  [--poll SECONDS] [-- SBATCH-OPTIONS...]\n"
    "Submit the studies as a Slurm job array of K shards writing one store (--out, default\n"
    "reports/), and a report job that runs `mfh report` after every element (afterany).\n"
    "  --scheduler S   slurm (other schedulers: docs/schedulers.md has recipes)\n"
    "  --shards K      array elements (default: 8, at most the largest study's task groups)\n"
    "  --jobs T        threads per element (--cpus-per-task; default 1)\n"
    "  --history FILE  the report job appends the run to this history database (mfh history)\n"
    "  --require-decided  the report job exits 1 when a check is undecided where its study\n"
    "                  expects pass or fail (as mfh run --require-decided)\n"
    "  --print-script  print the two batch scripts; submit nothing, write nothing\n"
    "  --wait          poll squeue until every element and the report are done, say which\n"
    "                  elements failed, print the report's table; exit as mfh run would\n"
    "  --poll SECONDS  seconds between polls with --wait (default 5)\n"
    "  -- OPTIONS      passed to both sbatch calls (e.g. -- --partition=short --time=2:00:00)\n"
    "The scripts are written to DIR/slurm/ (shards.sbatch, report.sbatch) with the logs.\n"
    "Retry: run the same command again; stored tasks are skipped.\n"
    "Exit: 0 submitted (with --wait: as mfh run), 2 bad input, 3 sbatch / an element failed.\n";

typedef struct submit_opts {
  const char *scheduler, *history;
  long shards, poll;
  int print_script, wait, require_decided;
  char **sbatch;  /* options after -- */
  int nsbatch;
} submit_opts;

/* The two batch scripts into f (shards first) for the given absolute paths. */
static void write_scripts(FILE *sh, FILE *rep, const char *exe, const mfh_strlist *studies, size_t nstudies,
                          const char *out, const mfh_cli_opts *o, const submit_opts *so) {
  fprintf(sh,
          "#!/bin/bash\n"
          "# mfh submit: %ld shards of %zu stud%s (profile %s) into one store, %s.\n"
          "# Each array element runs a deterministic 1/%ld of every study's task groups\n"
          "# (--shard auto reads SLURM_ARRAY_TASK_ID, _MIN and _COUNT).  Finished tasks are\n"
          "# stored under the store and skipped when this script runs again: resubmitting\n"
          "# it (or the same mfh submit command) is the retry.\n"
          "#SBATCH --job-name=mfh-shards\n"
          "#SBATCH --array=1-%ld\n"
          "#SBATCH --ntasks=1\n"
          "#SBATCH --cpus-per-task=%d\n"
          "#SBATCH --output=%s/slurm/shard-%%a.log\n"
          "set -eu\n"
          "export OMP_NUM_THREADS=%d\n"
          "exec ",
          so->shards, nstudies, nstudies == 1 ? "y" : "ies", o->profile, out, so->shards, so->shards, o->jobs,
          out, o->jobs);
  mfh_cli_sh_quote(sh, exe);
  fputs(" run", sh);
  for (size_t i = 0; i < studies->n; i++) {
    fputs(" \\\n  ", sh);
    mfh_cli_sh_quote(sh, studies->v[i]);
  }
  fprintf(sh, " \\\n  --profile %s --out ", o->profile);
  mfh_cli_sh_quote(sh, out);
  fprintf(sh, " --jobs %d", o->jobs);
  if (o->seed >= 0) fprintf(sh, " --seed %lld", o->seed);
  if (o->expected) {
    fputs(" --expected ", sh);
    mfh_cli_sh_quote(sh, o->expected);
  }
  fputs(" --shard auto --quiet --no-render\n", sh);

  fprintf(rep,
          "#!/bin/bash\n"
          "# mfh submit: merge the shards' stored tasks into the reports (after every element,\n"
          "# whatever its outcome: a failed element leaves its tasks missing, which the report says).\n"
          "#SBATCH --job-name=mfh-report\n"
          "#SBATCH --ntasks=1\n"
          "#SBATCH --output=%s/slurm/report.log\n"
          "set -eu\n"
          "exec ",
          out);
  mfh_cli_sh_quote(rep, exe);
  fputs(" report ", rep);
  mfh_cli_sh_quote(rep, out);
  if (so->history) {
    fputs(" --history ", rep);
    mfh_cli_sh_quote(rep, so->history);
  }
  if (so->require_decided) fputs(" --require-decided", rep);
  fputc('\n', rep);
}

/* sbatch [options] [extra] script; the job id in *id.  0 or 3 (printed). */
static int sbatch(const submit_opts *so, const char *extra, const char *script, long *id) {
  char *cmd = NULL, *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&cmd, &len);
  if (!f) return 3;
  fputs("sbatch --parsable", f);
  if (extra) fprintf(f, " %s", extra);
  for (int i = 0; i < so->nsbatch; i++) {
    fputc(' ', f);
    mfh_cli_sh_quote(f, so->sbatch[i]);
  }
  fputc(' ', f);
  mfh_cli_sh_quote(f, script);
  fclose(f);
  int st = mfh_cli_capture(cmd, &out);
  char *end = NULL;
  *id = out ? strtol(out, &end, 10) : 0;
  int ok = st == 0 && *id > 0 && end && (*end == '\0' || *end == '\n' || *end == ';');
  if (!ok)
    fprintf(stderr, "mfh submit: `%s` failed (exit %d)%s%s\n", cmd, st, out && out[0] ? ": " : "", out ? out : "");
  free(cmd);
  free(out);
  return ok ? 0 : 3;
}

/* MaxArraySize from `scontrol show config`, 0 when it cannot be read. */
static long max_array_size(void) {
  char *out = NULL;
  long v = 0;
  if (mfh_cli_capture("scontrol show config 2>/dev/null", &out) == 0 && out) {
    const char *p = strstr(out, "MaxArraySize");
    if (p && (p = strchr(p, '='))) v = strtol(p + 1, NULL, 10);
  }
  free(out);
  return v;
}

static int terminal(const char *state) {
  static const char *const done[] = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                                     "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED"};
  for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
    if (!strncmp(state, done[i], strlen(done[i]))) return 1;
  return 0;
}

/* The exit code of a finished job from `scontrol show job` (ExitCode=a:b), -1 unknown. */
static int job_exit(long id, long element) {
  char cmd[128], *out = NULL;
  if (element > 0) snprintf(cmd, sizeof cmd, "scontrol -o show job %ld_%ld 2>/dev/null", id, element);
  else snprintf(cmd, sizeof cmd, "scontrol -o show job %ld 2>/dev/null", id);
  int code = -1;
  if (mfh_cli_capture(cmd, &out) == 0 && out) {
    const char *p = strstr(out, " ExitCode=");
    if (p) code = atoi(p + 10);
  }
  free(out);
  return code;
}

/* Poll squeue until the array's K elements and the report job are in a final
 * state; print each element's state and the report; return the exit code. */
static int wait_jobs(long jid, long rid, long k, long poll, const char *out) {
  char (*state)[32] = calloc((size_t)k + 1, sizeof *state); /* [0] = report job */
  if (!state) return 3;
  char cmd[160];
  snprintf(cmd, sizeof cmd, "squeue -h -r --states=all -j %ld,%ld -o '%%F|%%K|%%T' 2>&1", jid, rid);
  int failures = 0, code = 3, seen = 0, gone = 0;
  for (;;) {
    char *text = NULL;
    int st = mfh_cli_capture(cmd, &text);
    if (st != 0) {
      fprintf(stderr, "mfh submit: squeue failed (exit %d): %s\n", st, text ? text : "");
      free(text);
      if (++failures == 5) goto done;
      sleep((unsigned)poll);
      continue;
    }
    failures = 0;
    int lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      long a = strtol(line, NULL, 10), e = 0;
      char *f1 = strchr(line, '|'), *f2 = f1 ? strchr(f1 + 1, '|') : NULL;
      if (!f2) continue;
      if (a == jid) e = strtol(f1 + 1, NULL, 10);
      else if (a != rid) continue;
      if (e < 0 || e > k || (a == jid && e == 0)) continue;
      snprintf(state[e], sizeof state[e], "%s", f2 + 1);
      lines++;
    }
    free(text);
    seen |= lines > 0;
    /* jobs leave squeue MinJobAge after they end: if ours are all gone,
     * what was never seen ending is unknown (its log says more) */
    gone = seen && !lines ? gone + 1 : 0;
    if (gone == 3) {
      for (long e = 0; e <= k; e++)
        if (!state[e][0] || !terminal(state[e])) snprintf(state[e], sizeof state[e], "UNKNOWN");
      break;
    }
    int all = 1;
    for (long e = 0; e <= k; e++) all &= state[e][0] && terminal(state[e]);
    if (all) break;
    sleep((unsigned)poll);
  }
  int bad = 0;
  printf("element  state      log\n");
  for (long e = 1; e <= k; e++) {
    int ok = !strcmp(state[e], "COMPLETED");
    int x = ok ? 0 : job_exit(jid, e);
    printf("%-8ld %-10s %s/slurm/shard-%ld.log", e, state[e], out, e);
    if (x > 0) printf("  (exit %d)", x);
    putchar('\n');
    bad += !ok;
  }
  int rx = job_exit(rid, 0);
  printf("%-8s %-10s %s/slurm/report.log\n", "report", state[0], out);
  if (bad) {
    printf("failed elements:");
    for (long e = 1; e <= k; e++)
      if (strcmp(state[e], "COMPLETED")) printf(" %ld", e);
    printf(" (of %ld); their logs say why; run the same mfh submit command again to retry\n"
           "(finished tasks are stored and skipped)\n",
           k);
  }
  char log[PATH_MAX + 32], *text = NULL;
  snprintf(log, sizeof log, "%s/slurm/report.log", out);
  if (mfh_read_file(log, &text, NULL, NULL) == MFH_OK) {
    printf("\n--- %s\n%s", log, text);
    free(text);
  }
  if (bad) code = 3;
  else if (!strcmp(state[0], "COMPLETED")) code = 0;
  else code = rx >= 0 && rx <= 3 ? rx : 3;
done:
  free(state);
  return code;
}

/* The largest number of task groups of a study (the most shards that all get work). */
static size_t max_groups(const mfh_loaded *ls, size_t n) {
  size_t g = 0;
  for (size_t i = 0; i < n; i++) {
    mfh_plan plan;
    mfh_err err;
    mfh_err_clear(&err);
    if (mfh_plan_build(&ls[i].study, &plan, &err) == MFH_OK) {
      if (plan.ngroups > g) g = plan.ngroups;
      mfh_plan_free(&plan);
    }
  }
  return g;
}

int mfh_cli_cmd_submit(int argc, char **argv) {
  submit_opts so = {.poll = 5};
  char **rest = calloc((size_t)argc + 1, sizeof *rest);
  if (!rest) return 3;
  int nrest = 0, code = 0;
  rest[nrest++] = argv[0];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(submit_help, stdout);
      free(rest);
      return 0;
    } else if (!strcmp(a, "--")) {
      so.sbatch = argv + i + 1;
      so.nsbatch = argc - i - 1;
      break;
    } else if (!strcmp(a, "--scheduler") || !strcmp(a, "--shards") || !strcmp(a, "--poll") ||
               !strcmp(a, "--history")) {
      if (!val) {
        free(rest);
        return mfh_cli_usage_error("submit", "%s needs a value", a);
      }
      i++;
      char *end;
      long v = strtol(val, &end, 10);
      if (!strcmp(a, "--scheduler")) so.scheduler = val;
      else if (!strcmp(a, "--history")) so.history = val;
      else if (*end || v < 1 || v > (!strcmp(a, "--poll") ? 3600 : 1000000)) {
        free(rest);
        return mfh_cli_usage_error("submit", "--shards and --poll take a positive integer (got '%s')", val);
      } else if (!strcmp(a, "--shards")) so.shards = v;
      else so.poll = v;
    } else if (!strcmp(a, "--print-script")) {
      so.print_script = 1;
    } else if (!strcmp(a, "--wait")) {
      so.wait = 1;
    } else if (!strcmp(a, "--require-decided")) {
      so.require_decided = 1;
    } else {
      rest[nrest++] = argv[i];
    }
  }
  mfh_cli_opts o;
  int jobs_given = 0;
  for (int i = 1; i < nrest; i++) jobs_given |= !strcmp(rest[i], "--jobs");
  code = mfh_cli_parse_opts("submit", nrest, rest, &o, "profile out jobs seed expected");
  free(rest);
  if (code) return code;
  if (!jobs_given) o.jobs = 1;
  if (!so.scheduler) {
    mfh_cli_sl_free(&o.paths);
    return mfh_cli_usage_error("submit", "%s", "name the scheduler: --scheduler slurm");
  }
  if (strcmp(so.scheduler, "slurm")) {
    mfh_cli_sl_free(&o.paths);
    return mfh_cli_usage_error("submit",
                               "--scheduler '%s' is not supported (slurm is); docs/schedulers.md has a recipe for "
                               "PBS/Torque, LSF, SGE, HTCondor, Kubernetes and GNU parallel",
                               so.scheduler);
  }
  mfh_loaded *ls = NULL;
  size_t n = 0;
  mfh_strlist abs = {0};
  char *sh_text = NULL, *rep_text = NULL;
  size_t sh_len = 0, rep_len = 0;
  FILE *sh = NULL, *rep = NULL;
  char exe[PATH_MAX], out[PATH_MAX], path[PATH_MAX + 32];
  mfh_err err;
  mfh_err_clear(&err);
  code = mfh_cli_load_all("submit", &o, &ls, &n);
  if (code) goto fail;
  size_t groups = max_groups(ls, n);
  if (!so.shards) so.shards = groups < 8 ? (long)(groups ? groups : 1) : 8;
  /* the paths as given (a folder stays a folder), made absolute */
  for (size_t i = 0; i < o.paths.n; i++) {
    char installed[PATH_MAX + 256];
    const char *p = o.paths.v[i];
    if (!mfh_path_exists(p) && mfh_cli_data_path(p, installed, sizeof installed)) p = installed;
    if (!realpath(p, path) || mfh_cli_sl_add(&abs, path)) {
      code = 3;
      goto fail;
    }
  }
  if (mfh_self_exe(exe, sizeof exe)) {
    fprintf(stderr, "mfh submit: cannot find my own executable: %s\n", strerror(errno));
    code = 3;
    goto fail;
  }
  if (!so.print_script && mfh_mkdirs(o.out, &err)) {
    code = mfh_cli_fail(&err);
    goto fail;
  }
  if (!realpath(o.out, out)) { /* --print-script of a folder yet to be made: as given */
    if (o.out[0] == '/' || !getcwd(out, sizeof out - 1)) snprintf(out, sizeof out, "%s", o.out);
    else {
      size_t len = strlen(out);
      snprintf(out + len, sizeof out - len, "/%s", o.out);
    }
  }
  sh = open_memstream(&sh_text, &sh_len);
  rep = open_memstream(&rep_text, &rep_len);
  if (!sh || !rep) {
    code = 3;
    goto fail;
  }
  write_scripts(sh, rep, exe, &abs, n, out, &o, &so);
  fclose(sh);
  fclose(rep);
  sh = rep = NULL;
  if (so.print_script) {
    printf("# ---- shards.sbatch\n%s\n# ---- report.sbatch (submitted with --dependency=afterany:<array job>)\n%s",
           sh_text, rep_text);
    goto fail; /* done: nothing submitted */
  }
  long maxarr = max_array_size();
  if (maxarr > 0 && so.shards > maxarr - 1) {
    fprintf(stderr, "mfh submit: --shards %ld exceeds this cluster's MaxArraySize (%ld): use fewer shards\n",
            so.shards, maxarr);
    code = 2;
    goto fail;
  }
  if ((size_t)so.shards > groups)
    fprintf(stderr, "mfh submit: note: %ld shards but at most %zu task groups per study: some elements idle\n",
            so.shards, groups);
  snprintf(path, sizeof path, "%s/slurm", out);
  char shp[PATH_MAX + 64], repp[PATH_MAX + 64];
  snprintf(shp, sizeof shp, "%s/shards.sbatch", path);
  snprintf(repp, sizeof repp, "%s/report.sbatch", path);
  if (mfh_mkdirs(path, &err) || mfh_write_atomic(shp, sh_text, sh_len, &err) ||
      mfh_write_atomic(repp, rep_text, rep_len, &err)) {
    code = mfh_cli_fail(&err);
    goto fail;
  }
  long jid = 0, rid = 0;
  char dep[64];
  if ((code = sbatch(&so, NULL, shp, &jid))) goto fail;
  snprintf(dep, sizeof dep, "--dependency=afterany:%ld", jid);
  if ((code = sbatch(&so, dep, repp, &rid))) goto fail;
  printf("submitted %ld shards as job %ld (array %ld_[1-%ld]) and the report as job %ld (afterany:%ld)\n"
         "scripts and logs: %s/slurm/; report: %s/index.html\n",
         so.shards, jid, jid, so.shards, rid, jid, out, out);
  fflush(stdout);
  if (so.wait) code = wait_jobs(jid, rid, so.shards, so.poll, out);
fail:
  if (sh) fclose(sh);
  if (rep) fclose(rep);
  free(sh_text);
  free(rep_text);
  mfh_cli_sl_free(&abs);
  mfh_cli_free_loaded(ls, n);
  mfh_cli_sl_free(&o.paths);
  return code;
}
