/* mfh: the command-line driver.  Owns the loop: load and validate every
 * study first (nothing is written if any is bad), then per study plan ->
 * execute -> verdict -> report, then the run-level reports.  The only
 * place that prints results and chooses exit codes:
 *   0 every check passed (inconclusive allowed), 1 a check failed,
 *   2 bad input or usage, 3 a solver or the machine failed. */
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

#include "cli/cmd_fit.h"
#include "cli/cmd_metric.h"
#include "pipeline/registry.h"
#include "pipeline/exec.h"
#include "core/fsutil.h"
#include "pipeline/plan.h"
#include "report/report.h"
#include "pipeline/study.h"
#include "pipeline/verdict.h"

static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static int fail(const mfh_err *e) {
  mfh_err_print(e, stderr);
  return mfh_status_exit_code(e->status);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg) {
  fprintf(stderr, "mfh %s: ", cmd);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(see `mfh %s --help`)\n", cmd);
  return 2;
}

/* ---- collecting study files ---------------------------------------------- */

typedef struct {
  char **v;
  size_t n, cap;
} strlist;

static int sl_add(strlist *l, const char *s) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    char **nv = realloc(l->v, cap * sizeof *nv);
    if (!nv) return MFH_ENOMEM;
    l->v = nv;
    l->cap = cap;
  }
  if (!(l->v[l->n] = strdup(s))) return MFH_ENOMEM;
  l->n++;
  return MFH_OK;
}

static void sl_free(strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_yaml(const char *name) {
  size_t n = strlen(name);
  return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int collect(const char *path, strlist *out, mfh_err *err) {
  if (!mfh_path_exists(path)) return mfh_err_set(err, MFH_EINPUT, "%s: no such file or folder", path);
  if (!mfh_is_dir(path)) return sl_add(out, path) ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
  DIR *d = opendir(path);
  if (!d) return mfh_err_set(err, MFH_EIO, "%s: cannot list: %s", path, strerror(errno));
  strlist here = {0};
  struct dirent *e;
  int rc = MFH_OK;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char *sub = mfh_path_join(path, e->d_name);
    if (!sub) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    else if (mfh_is_dir(sub) || is_yaml(e->d_name)) rc = sl_add(&here, sub);
    free(sub);
  }
  closedir(d);
  qsort(here.v, here.n, sizeof *here.v, cmp_str);
  for (size_t i = 0; !rc && i < here.n; i++) rc = collect(here.v[i], out, err);
  sl_free(&here);
  return rc;
}

/* expected/ beside the nearest studies/ folder above the study file, else ./expected */
static void expected_dir_for(const char *study, const char *override, char *buf, size_t len) {
  if (override) {
    snprintf(buf, len, "%s", override);
    return;
  }
  char real[PATH_MAX];
  if (realpath(study, real)) {
    char *p = strstr(real, "/studies/");
    if (p) {
      *p = '\0';
      snprintf(buf, len, "%.4000s/expected", real);
      return;
    }
  }
  snprintf(buf, len, "expected");
}

/* ---- options --------------------------------------------------------------- */

typedef struct {
  const char *profile, *out, *expected;
  int jobs, fresh, quiet, render;
  long long seed;
  size_t shard_i, shard_n;
  strlist paths;
} opts;

static int parse_opts(const char *cmd, int argc, char **argv, opts *o, const char *allowed) {
  memset(o, 0, sizeof *o);
  o->profile = "quick";
  o->out = "reports";
  o->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (o->jobs < 1) o->jobs = 1;
  o->seed = -1;
  o->render = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE()                                                     \
  do {                                                                    \
    if (!val) return usage_error(cmd, "%s needs a value", a);            \
    i++;                                                                  \
  } while (0)
    if (a[0] == '-' && a[1] == '-' && !mfh_word_in(allowed, a + 2))
      return usage_error(cmd, "unknown option %s", a);
    if (!strcmp(a, "--profile")) {
      NEEDS_VALUE();
      if (strcmp(val, "quick") && strcmp(val, "nightly") && strcmp(val, "full"))
        return usage_error(cmd, "--profile must be quick, nightly or full (got '%s')", val);
      o->profile = val;
    } else if (!strcmp(a, "--out")) {
      NEEDS_VALUE();
      o->out = val;
    } else if (!strcmp(a, "--expected")) {
      NEEDS_VALUE();
      o->expected = val;
    } else if (!strcmp(a, "--jobs")) {
      NEEDS_VALUE();
      char *end;
      long j = strtol(val, &end, 10);
      if (*end || j < 1 || j > 1024) return usage_error(cmd, "--jobs must be an integer in [1, 1024] (got '%s')", val);
      o->jobs = (int)j;
    } else if (!strcmp(a, "--seed")) {
      NEEDS_VALUE();
      char *end;
      long long s = strtoll(val, &end, 10);
      if (*end || s < 0) return usage_error(cmd, "--seed must be a non-negative integer (got '%s')", val);
      o->seed = s;
    } else if (!strcmp(a, "--shard")) {
      NEEDS_VALUE();
      unsigned long si, sn;
      char c;
      if (sscanf(val, "%lu/%lu%c", &si, &sn, &c) != 2 || sn < 1 || si < 1 || si > sn)
        return usage_error(cmd, "--shard must be I/N with 1 <= I <= N (got '%s')", val);
      o->shard_i = si;
      o->shard_n = sn;
    } else if (!strcmp(a, "--fresh")) {
      o->fresh = 1;
    } else if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
    } else if (!strcmp(a, "--render")) {
      o->render = 2;
    } else if (!strcmp(a, "--no-render")) {
      o->render = 0;
    } else if (a[0] == '-' && a[1]) {
      return usage_error(cmd, "unknown option %s", a);
    } else if (sl_add(&o->paths, a)) {
      return 3;
    }
#undef NEEDS_VALUE
  }
  return 0;
}

/* ---- loading --------------------------------------------------------------- */

typedef struct {
  mfh_study study;
  char expected[PATH_MAX];
} loaded;

/* Load every study under the paths; on the first bad one print it and
 * return 2 (nothing has been written). */
static int load_all(const char *cmd, const opts *o, loaded **out, size_t *n) {
  mfh_err err;
  mfh_err_clear(&err);
  strlist files = {0};
  *out = NULL;
  *n = 0;
  if (o->paths.n == 0) return usage_error(cmd, "%s", "name at least one study file or folder");
  for (size_t i = 0; i < o->paths.n; i++)
    if (collect(o->paths.v[i], &files, &err)) {
      sl_free(&files);
      return fail(&err);
    }
  if (files.n == 0) {
    fprintf(stderr, "mfh %s: no study files (*.yaml) under the given paths\n", cmd);
    sl_free(&files);
    return 2;
  }
  loaded *ls = calloc(files.n, sizeof *ls);
  if (!ls) return 3;
  int bad = 0;
  for (size_t i = 0; i < files.n; i++) {
    if (mfh_study_load(files.v[i], o->profile, o->seed, &ls[i].study, &err)) {
      mfh_err_print(&err, stderr);
      bad = bad ? bad : mfh_status_exit_code(err.status);
      continue;
    }
    expected_dir_for(files.v[i], o->expected, ls[i].expected, sizeof ls[i].expected);
    for (size_t j = 0; j < i; j++)
      if (ls[j].study.file && !strcmp(ls[j].study.id, ls[i].study.id)) {
        fprintf(stderr, "%s: id '%s' is already used by %s\n", files.v[i], ls[i].study.id, ls[j].study.file);
        bad = bad ? bad : 2;
      }
  }
  *out = ls;
  *n = files.n;
  sl_free(&files);
  return bad;
}

static void free_loaded(loaded *ls, size_t n) {
  for (size_t i = 0; ls && i < n; i++) mfh_study_free(&ls[i].study);
  free(ls);
}

/* ---- run / bless / report ---------------------------------------------------- */

static int write_run_meta(const char *dir, const mfh_study *s, const char *expected, mfh_err *err) {
  char *copy = NULL;
  size_t len;
  int rc = mfh_read_file(s->file, &copy, &len, err);
  char *p = mfh_path_join(dir, "study.yaml");
  if (!rc && p) rc = mfh_write_atomic(p, copy, len, err);
  free(p);
  free(copy);
  if (rc) return rc;
  json_t *meta = json_object();
  char real[PATH_MAX];
  json_object_set_new(meta, "study_file", json_string(s->file));
  json_object_set_new(meta, "profile", json_string(s->profile));
  json_object_set_new(meta, "seed", json_integer((json_int_t)s->seed));
  json_object_set_new(meta, "expected", json_string(realpath(expected, real) ? real : expected));
  json_object_set_new(meta, "mfh_version", json_string(MFH_VERSION));
  char *text = json_dumps(meta, JSON_INDENT(2));
  json_decref(meta);
  p = mfh_path_join(dir, "run.json");
  rc = (text && p) ? mfh_write_atomic(p, text, strlen(text), err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  free(p);
  free(text);
  return rc;
}

/* Plan, execute (or only load), judge and report one study. */
static int process_study(const mfh_study *s, const char *expected, const char *outdir,
                         const char *const *dirs, size_t ndirs, const opts *o, int load_only,
                         int bless, mfh_report_opts *ro, mfh_study_result *res, int *solver_failed,
                         mfh_err *err) {
  mfh_plan plan;
  int rc = mfh_plan_build(s, &plan, err);
  if (rc) return rc;
  mfh_outcome *out = calloc(plan.ntasks ? plan.ntasks : 1, sizeof *out);
  if (!out) {
    mfh_plan_free(&plan);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  mfh_exec_opts eo = {o->jobs, o->fresh, o->shard_i, o->shard_n, load_only,
                      !o->quiet && isatty(STDERR_FILENO), s->id, &interrupted};
  rc = mfh_executor_openmp.run(&plan, dirs, ndirs, &eo, out, err);
  json_t *baseline = NULL;
  if (!rc) rc = mfh_baseline_load(expected, s->id, s->profile, &baseline, err);
  if (!rc && !o->shard_n) rc = mfh_verdict_build(&plan, out, baseline, res, err);
  json_decref(baseline);
  for (size_t i = 0; !rc && i < plan.ntasks; i++)
    if (out[i].state == MFH_TASK_FAILED) {
      *solver_failed = 1;
      fprintf(stderr, "%s: task failed (%s): %s\n", s->id, mfh_status_text(out[i].status), out[i].msg);
      break;
    }
  if (!rc && !o->shard_n) {
    char *dir = mfh_path_join(outdir, s->id);
    int rendered = 0;
    rc = dir ? mfh_report_study(res, dir, ro, &rendered, err) : MFH_ENOMEM;
    free(dir);
    if (!rc && bless) {
      rc = mfh_baseline_bless(expected, res, err);
      if (!rc) printf("blessed %s (profile %s) into %s/%s.json\n", s->id, s->profile, expected, s->id);
    }
  }
  mfh_outcomes_free(out, plan.ntasks);
  mfh_plan_free(&plan);
  return rc;
}

static int finish_run(mfh_study_result **rs, size_t n, const char *outdir, mfh_report_opts *ro,
                      int solver_failed, int quiet) {
  mfh_err err;
  mfh_err_clear(&err);
  if (mfh_report_run((const mfh_study_result *const *)rs, n, outdir, ro, &err)) {
    mfh_err_print(&err, stderr);
    return 3;
  }
  if (!quiet) {
    mfh_report_table((const mfh_study_result *const *)rs, n, stdout);
    printf("\nreports: %s/index.html  (junit: %s/junit.xml)\n", outdir, outdir);
  }
  int worst = 0;
  for (size_t i = 0; i < n; i++) {
    int w = mfh_study_result_worst(rs[i]);
    if (w == MFH_FAIL) worst = 1;
    if (w == MFH_CHECK_ERROR) solver_failed = 1;
  }
  return solver_failed ? 3 : worst;
}

static const char *run_help =
    "usage: mfh run PATH... [--profile quick|nightly|full] [--out DIR] [--jobs N] [--seed S]\n"
    "               [--fresh] [--shard I/N] [--quiet] [--render | --no-render] [--expected DIR]\n"
    "Run every study file given (a folder means every *.yaml under it).\n"
    "  --profile P   sweep size: quick (default suite, ~1 min), nightly, full\n"
    "  --out DIR     run folder (default reports/); finished tasks are stored under DIR/<id>/tasks\n"
    "                and reused: an interrupted run resumes where it stopped\n"
    "  --jobs N      threads (default: all cores); results do not depend on N\n"
    "  --seed S      replace every study's seed\n"
    "  --fresh       ignore stored results and recompute\n"
    "  --shard I/N   run a deterministic 1/N of the tasks (batch arrays); merge with mfh report\n"
    "  --quiet       no progress line and no table\n"
    "  --render      fail (exit 3) if gnuplot cannot render the plots; --no-render skips them\n"
    "  --expected D  blessed results folder (default: expected/ beside the studies/ folder)\n"
    "Environment: MFH_GNUPLOT names the gnuplot program (default: gnuplot on PATH).\n"
    "Exit: 0 all checks passed (inconclusive allowed), 1 a check failed, 2 bad input, 3 failure.\n";

static int cmd_run(int argc, char **argv, int bless) {
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
  opts o;
  int rc = parse_opts(cmd, argc, argv, &o,
                      bless ? "profile out jobs expected quiet render no-render fresh"
                            : "profile out jobs seed fresh shard quiet render no-render expected");
  if (rc) return rc;
  loaded *ls;
  size_t n;
  rc = load_all(cmd, &o, &ls, &n);
  if (rc) {
    free_loaded(ls, n);
    sl_free(&o.paths);
    return rc;
  }
  mfh_err err;
  mfh_err_clear(&err);
  int warned = 0, solver_failed = 0;
  mfh_report_opts ro = {o.render, getenv("MFH_GNUPLOT"), &warned, stderr};
  mfh_study_result **rs = calloc(n, sizeof *rs);
  size_t done = 0;
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  for (size_t i = 0; !rc && i < n; i++) {
    const mfh_study *s = &ls[i].study;
    char *dir = mfh_path_join(o.out, s->id);
    if (!dir || (rc = mfh_mkdirs(dir, &err)) || (rc = write_run_meta(dir, s, ls[i].expected, &err))) {
      free(dir);
      break;
    }
    const char *dirs[1] = {dir};
    rs[i] = calloc(1, sizeof **rs);
    rc = process_study(s, ls[i].expected, o.out, dirs, 1, &o, 0, bless, &ro, rs[i], &solver_failed, &err);
    free(dir);
    if (!rc) done++;
  }
  int code;
  if (rc) {
    mfh_err_print(&err, stderr);
    code = mfh_status_exit_code(rc);
  } else if (o.shard_n) {
    printf("shard %zu/%zu: tasks stored under %s/<study>/tasks; when every shard is done run\n"
           "  mfh report %s\n",
           o.shard_i, o.shard_n, o.out, o.out);
    code = solver_failed ? 3 : 0;
  } else {
    code = finish_run(rs, done, o.out, &ro, solver_failed, o.quiet);
  }
  for (size_t i = 0; i < n; i++) {
    if (rs && rs[i]) mfh_study_result_free(rs[i]);
    free(rs ? rs[i] : NULL);
  }
  free(rs);
  free_loaded(ls, n);
  sl_free(&o.paths);
  return code;
}

static int cmd_validate(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: mfh validate PATH...\nCheck study files (every profile) without running anything.\n"
             "Exit 0 when all are valid, 2 otherwise (each error as file:line:col: message).\n");
      return 0;
    }
  int worst = 0;
  for (size_t p = 0; mfh_profiles[p]; p++) {
    opts o;
    int rc = parse_opts("validate", argc, argv, &o, "");
    if (rc) return rc;
    o.profile = mfh_profiles[p];
    loaded *ls;
    size_t n;
    rc = load_all("validate", &o, &ls, &n);
    if (rc && !worst) worst = rc;
    if (p == 0 && !rc)
      for (size_t i = 0; i < n; i++) printf("%s: ok (%s, %s)\n", ls[i].study.file, ls[i].study.id, ls[i].study.theorem);
    free_loaded(ls, n);
    sl_free(&o.paths);
    if (rc) break; /* the same error would repeat for every profile */
  }
  return worst;
}

static int cmd_report(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: mfh report RUNDIR... [--out DIR] [--render | --no-render] [--quiet]\n"
             "Re-render every report from stored task results (no solver runs).  Several run\n"
             "folders (e.g. one per shard) are merged; the report goes to --out (default: the\n"
             "first RUNDIR).  Exit codes as for mfh run.\n");
      return 0;
    }
  opts o;
  int rc = parse_opts("report", argc, argv, &o, "out render no-render quiet");
  if (rc) return rc;
  if (o.paths.n == 0) return usage_error("report", "%s", "name at least one run folder");
  int explicit_out = 0;
  for (int i = 1; i < argc; i++) explicit_out |= !strcmp(argv[i], "--out");
  const char *outdir = explicit_out ? o.out : o.paths.v[0];
  /* the studies: every <rundir>/<id>/run.json, by id */
  strlist ids = {0};
  for (size_t d = 0; d < o.paths.n; d++) {
    DIR *dh = opendir(o.paths.v[d]);
    if (!dh) {
      fprintf(stderr, "mfh report: %s: cannot open: %s\n", o.paths.v[d], strerror(errno));
      sl_free(&o.paths);
      sl_free(&ids);
      return 2;
    }
    struct dirent *e;
    while ((e = readdir(dh))) {
      if (e->d_name[0] == '.') continue;
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/%s/run.json", o.paths.v[d], e->d_name);
      int seen = 0;
      for (size_t k = 0; k < ids.n; k++) seen |= !strcmp(ids.v[k], e->d_name);
      if (!seen && mfh_path_exists(path)) sl_add(&ids, e->d_name);
    }
    closedir(dh);
  }
  qsort(ids.v, ids.n, sizeof *ids.v, cmp_str);
  if (ids.n == 0) {
    fprintf(stderr, "mfh report: no stored studies (<id>/run.json) under the given folders\n");
    sl_free(&o.paths);
    return 2;
  }
  mfh_err err;
  mfh_err_clear(&err);
  int warned = 0, solver_failed = 0, code = 0;
  mfh_report_opts ro = {o.render, getenv("MFH_GNUPLOT"), &warned, stderr};
  mfh_study_result **rs = calloc(ids.n, sizeof *rs);
  size_t done = 0;
  for (size_t k = 0; k < ids.n && !code; k++) {
    char meta_path[PATH_MAX], study_path[PATH_MAX];
    const char *dirs[64];
    size_t nd = 0;
    char dirbuf[64][PATH_MAX];
    for (size_t d = 0; d < o.paths.n && nd < 64; d++) {
      snprintf(dirbuf[nd], PATH_MAX, "%s/%s", o.paths.v[d], ids.v[k]);
      snprintf(meta_path, sizeof meta_path, "%s/run.json", dirbuf[nd]);
      if (mfh_path_exists(meta_path)) {
        dirs[nd] = dirbuf[nd];
        nd++;
      }
    }
    snprintf(meta_path, sizeof meta_path, "%s/run.json", dirs[0]);
    snprintf(study_path, sizeof study_path, "%s/study.yaml", dirs[0]);
    json_error_t jerr;
    json_t *meta = json_load_file(meta_path, 0, &jerr);
    const char *profile = meta ? json_string_value(json_object_get(meta, "profile")) : NULL;
    const char *expected = meta ? json_string_value(json_object_get(meta, "expected")) : NULL;
    json_t *seed = meta ? json_object_get(meta, "seed") : NULL;
    if (!profile || !expected || !json_is_integer(seed)) {
      fprintf(stderr, "%s: not a valid run record\n", meta_path);
      json_decref(meta);
      code = 2;
      break;
    }
    mfh_study s;
    if (mfh_study_load(study_path, profile, (long long)json_integer_value(seed), &s, &err)) {
      json_decref(meta);
      code = fail(&err);
      break;
    }
    rs[done] = calloc(1, sizeof **rs);
    opts lo = o;
    lo.shard_n = 0;
    /* report into outdir/<id>: when that is a different folder, keep its meta too */
    char *od = mfh_path_join(outdir, ids.v[k]);
    rc = od ? mfh_mkdirs(od, &err) : MFH_ENOMEM;
    if (!rc && strcmp(od, dirs[0]) != 0) rc = write_run_meta(od, &s, expected, &err);
    free(od);
    if (!rc)
      rc = process_study(&s, expected, outdir, dirs, nd, &lo, 1, 0, &ro, rs[done], &solver_failed, &err);
    if (rc) code = fail(&err);
    else done++;
    mfh_study_free(&s);
    json_decref(meta);
  }
  if (!code) code = finish_run(rs, done, outdir, &ro, solver_failed, o.quiet);
  for (size_t i = 0; i < ids.n; i++) {
    if (rs[i]) mfh_study_result_free(rs[i]);
    free(rs[i]);
  }
  free(rs);
  sl_free(&ids);
  sl_free(&o.paths);
  return code;
}

/* ---- list ---------------------------------------------------------------- */

static int cmd_list(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "all";
  if (!strcmp(what, "--help") || !strcmp(what, "-h")) {
    printf("usage: mfh list [solvers|observables|metrics|bounds|studies [PATH]]\n"
           "Print what exists; solvers and observables with their parameter tables.\n");
    return 0;
  }
  int all = !strcmp(what, "all"), any = 0;
  if (all || !strcmp(what, "solvers")) {
    any = 1;
    printf("solvers:\n");
    for (size_t i = 0; mfh_solvers[i]; i++) {
      const mfh_solver_type *s = mfh_solvers[i];
      printf("  %s (v%d): %s\n    method: %s\n", s->name, s->version, s->doc, s->reference);
      for (size_t k = 0; k < s->nparams; k++) mfh_param_def_print(&s->params[k], stdout);
      if (s->open_params) printf("    (any further parameter may be given and swept)\n");
    }
  }
  if (all || !strcmp(what, "observables")) {
    any = 1;
    printf("observables:\n");
    for (size_t i = 0; mfh_observables[i]; i++) {
      const mfh_observable_type *ob = mfh_observables[i];
      printf("  %s: %s\n    outputs: %s\n", ob->name, ob->doc,
             strcmp(ob->outputs, "*") ? ob->outputs : "(the solver's own values)");
      for (size_t k = 0; k < ob->nparams; k++) mfh_param_def_print(&ob->params[k], stdout);
    }
  }
  if (all || !strcmp(what, "metrics")) {
    any = 1;
    printf("metrics (mfh metric NAME A.csv B.csv):\n");
    for (size_t i = 0; mfh_metrics[i]; i++) printf("  %-4s %s\n", mfh_metrics[i]->name, mfh_metrics[i]->doc);
  }
  if (all || !strcmp(what, "bounds")) {
    any = 1;
    printf("bounds (checks: - bound: {name: NAME}):\n");
    for (size_t i = 0; mfh_bounds[i]; i++)
      printf("  %s: %s\n    needs: %s\n    source: %s\n", mfh_bounds[i]->name, mfh_bounds[i]->doc,
             mfh_bounds[i]->needs, mfh_bounds[i]->reference);
  }
  if (all || !strcmp(what, "studies")) {
    any = 1;
    const char *dir = argc > 2 ? argv[2] : "studies";
    strlist files = {0};
    mfh_err err;
    mfh_err_clear(&err);
    printf("studies (%s):\n", dir);
    if (collect(dir, &files, &err)) {
      if (!all) return fail(&err);
      printf("  (none: %s)\n", err.msg);
    }
    for (size_t i = 0; i < files.n; i++) {
      mfh_study s;
      if (mfh_study_load(files.v[i], "quick", -1, &s, &err)) {
        printf("  %-28s INVALID: ", files.v[i]);
        mfh_err_print(&err, stdout);
        continue;
      }
      printf("  %-24s %-7s %s\n    %s\n", s.id, s.theorem, s.title, s.file);
      mfh_study_free(&s);
    }
    sl_free(&files);
  }
  if (!any) return usage_error("list", "unknown list '%s' (solvers, observables, metrics, bounds, studies)", what);
  return 0;
}

static void help(FILE *out) {
  fprintf(out,
          "mfh %s - mean-field harness: checks quantitative mean-field and classical-limit theorems\n"
          "\n"
          "usage: mfh COMMAND [ARGS]   (mfh COMMAND --help for details)\n"
          "  run PATH...        run studies, fit rates, judge checks, write reports\n"
          "  validate PATH...   check study files without running\n"
          "  list [WHAT]        solvers, observables, metrics, bounds, studies\n"
          "  report RUNDIR...   re-render reports from stored results (merges shards)\n"
          "  bless STUDY...     write current results into expected/ (regression baseline)\n"
          "  metric NAME A B    Wasserstein distance between two CSV point clouds\n"
          "  fit FILE.csv       fit a convergence rate with its confidence interval\n"
          "  --version          print the version\n",
          MFH_VERSION);
}

int main(int argc, char **argv) {
  mfh_gsl_quiet();
  if (argc < 2) {
    help(stderr);
    return 2;
  }
  const char *c = argv[1];
  if (!strcmp(c, "--version") || !strcmp(c, "version")) {
    printf("mfh %s\n", MFH_VERSION);
    return 0;
  }
  if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
    help(stdout);
    return 0;
  }
  if (!strcmp(c, "run")) return cmd_run(argc - 1, argv + 1, 0);
  if (!strcmp(c, "bless")) return cmd_run(argc - 1, argv + 1, 1);
  if (!strcmp(c, "validate")) return cmd_validate(argc - 1, argv + 1);
  if (!strcmp(c, "report")) return cmd_report(argc - 1, argv + 1);
  if (!strcmp(c, "list")) return cmd_list(argc - 1, argv + 1);
  if (!strcmp(c, "metric")) return mfh_cmd_metric(argc - 1, argv + 1);
  if (!strcmp(c, "fit")) return mfh_cmd_fit(argc - 1, argv + 1);
  fprintf(stderr, "mfh: unknown command '%s'\n\n", c);
  help(stderr);
  return 2;
}
