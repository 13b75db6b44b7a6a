#include "cli/common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fsutil.h"
#include "pipeline/exec.h"
#include "pipeline/plan.h"
#include "pipeline/registry.h"
#include "pipeline/shard.h"
#include "pipeline/store.h"
#include "pipeline/verdict.h"

volatile sig_atomic_t mfh_cli_interrupted = 0;

void mfh_cli_on_signal(int sig) {
  (void)sig;
  mfh_cli_interrupted = 1;
}

int mfh_cli_fail(const mfh_err *e) {
  mfh_err_print(e, stderr);
  return mfh_status_exit_code(e->status);
}

int mfh_cli_usage_error(const char *cmd, const char *fmt, const char *arg) {
  fprintf(stderr, "mfh %s: ", cmd);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(see `mfh %s --help`)\n", cmd);
  return 2;
}

/* 'text' for a POSIX shell (single quotes, ' as '\''). */
void mfh_cli_sh_quote(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++)
    if (*s == '\'') fputs("'\\''", f);
    else fputc(*s, f);
  fputc('\'', f);
}

/* Run a shell command line; its stdout (malloc'd, NUL-terminated) in *out.
 * Returns the exit status, or -1 when it could not be run. */
int mfh_cli_capture(const char *cmdline, char **out) {
  *out = NULL;
  FILE *p = popen(cmdline, "r");
  if (!p) return -1;
  int rc = mfh_read_stream(p, out, NULL);
  int st = pclose(p);
  if (rc) return -1;
  return st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : 128);
}

/* ---- collecting study files ---------------------------------------------- */


int mfh_cli_sl_add(mfh_strlist *l, const char *s) {
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

void mfh_cli_sl_free(mfh_strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

int mfh_cli_cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int mfh_cli_is_yaml(const char *name) {
  size_t n = strlen(name);
  return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* An installed mfh finds the shipped studies from its own prefix:
 * <prefix>/bin/mfh -> <prefix>/share/mfh (MFH_DATADIR_REL, set by CMake). */
int mfh_cli_data_path(const char *rel, char *buf, size_t len) {
#ifdef MFH_DATADIR_REL
  char exe[PATH_MAX];
  if (rel[0] == '/' || mfh_self_exe(exe, sizeof exe)) return 0;
  char *slash = strrchr(exe, '/');
  if (!slash) return 0;
  *slash = '\0';
  static const char *const under[] = {"", "studies/"};
  for (size_t i = 0; i < sizeof under / sizeof under[0]; i++) {
    snprintf(buf, len, "%s/%s/%s%s", exe, MFH_DATADIR_REL, under[i], rel);
    if (mfh_path_exists(buf)) return 1;
  }
#else
  (void)rel;
  (void)buf;
  (void)len;
#endif
  return 0;
}

int mfh_cli_collect(const char *path, mfh_strlist *out, mfh_err *err) {
  char installed[PATH_MAX + 256];
  if (!mfh_path_exists(path) && mfh_cli_data_path(path, installed, sizeof installed)) path = installed;
  if (!mfh_path_exists(path)) return mfh_err_set(err, MFH_EINPUT, "%s: no such file or folder", path);
  if (!mfh_is_dir(path)) return mfh_cli_sl_add(out, path) ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
  DIR *d = opendir(path);
  if (!d) return mfh_err_set(err, MFH_EIO, "%s: cannot list: %s", path, strerror(errno));
  mfh_strlist here = {0};
  struct dirent *e;
  int rc = MFH_OK;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char *sub = mfh_path_join(path, e->d_name);
    if (!sub) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    else if (mfh_is_dir(sub) || mfh_cli_is_yaml(e->d_name)) rc = mfh_cli_sl_add(&here, sub);
    free(sub);
  }
  closedir(d);
  if (here.n) qsort(here.v, here.n, sizeof *here.v, mfh_cli_cmp_str); /* v is NULL for an empty folder */
  for (size_t i = 0; !rc && i < here.n; i++) rc = mfh_cli_collect(here.v[i], out, err);
  mfh_cli_sl_free(&here);
  return rc;
}

/* expected/ beside the nearest studies/ folder above the study file, else ./expected */
void mfh_cli_expected_dir_for(const char *study, const char *override, char *buf, size_t len) {
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

static int parse_opts(const char *cmd, int argc, char **argv, mfh_cli_opts *o, const char *allowed);

int mfh_cli_parse_opts(const char *cmd, int argc, char **argv, mfh_cli_opts *o, const char *allowed) {
  int rc = parse_opts(cmd, argc, argv, o, allowed);
  if (rc) mfh_cli_sl_free(&o->paths); /* a usage error leaves nothing to free */
  return rc;
}

/* A whole number in [lo, hi] (no sign, no overflow, nothing after it). */
static int parse_count(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out) {
  if (!*s || strspn(s, "0123456789") != strlen(s)) return -1;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno == ERANGE || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static const char *getenv_lookup(const char *name, void *ctx) {
  (void)ctx;
  return getenv(name);
}

/* --shard I/N, auto or auto/N (the launcher's environment, pipeline/shard.h). */
static int parse_shard(const char *cmd, const char *val, mfh_cli_opts *o) {
  if (!strncmp(val, "auto", 4)) {
    unsigned long long sn = 0;
    if (val[4] && (val[4] != '/' || parse_count(val + 5, 1, 1000000, &sn)))
      return mfh_cli_usage_error(cmd, "--shard must be I/N, auto or auto/N with N >= 1 (got '%s')", val);
    mfh_shard sh;
    mfh_err err;
    mfh_err_clear(&err);
    if (mfh_shard_from_env(getenv_lookup, NULL, (size_t)sn, &sh, &err)) {
      fprintf(stderr, "mfh %s: %s\n", cmd, err.msg);
      return 2;
    }
    o->shard_i = sh.index;
    o->shard_n = sh.count;
    snprintf(o->shard_source, sizeof o->shard_source, "%s", sh.source);
    return 0;
  }
  unsigned long long i = 0, n = 0;
  const char *slash = strchr(val, '/');
  char first[32];
  int ok = slash && (size_t)(slash - val) < sizeof first;
  if (ok) {
    snprintf(first, sizeof first, "%.*s", (int)(slash - val), val);
    ok = !parse_count(first, 1, 1000000, &i) && !parse_count(slash + 1, 1, 1000000, &n) && i <= n;
  }
  if (!ok)
    return mfh_cli_usage_error(cmd, "--shard must be I/N with 1 <= I <= N <= 10^6, auto or auto/N (got '%s')", val);
  o->shard_i = (size_t)i;
  o->shard_n = (size_t)n;
  return 0;
}

static int parse_opts(const char *cmd, int argc, char **argv, mfh_cli_opts *o, const char *allowed) {
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
    if (!val) return mfh_cli_usage_error(cmd, "%s needs a value", a);            \
    i++;                                                                  \
  } while (0)
    if (a[0] == '-' && a[1] == '-' && !mfh_word_in(allowed, a + 2))
      return mfh_cli_usage_error(cmd, "unknown option %s", a);
    if (!strcmp(a, "--profile")) {
      NEEDS_VALUE();
      if (mfh_profile_index(val) < 0)
        return mfh_cli_usage_error(cmd, "--profile must be quick, nightly or full (got '%s')", val);
      o->profile = val;
    } else if (!strcmp(a, "--out")) {
      NEEDS_VALUE();
      o->out = val;
    } else if (!strcmp(a, "--history")) {
      NEEDS_VALUE();
      o->history = val;
    } else if (!strcmp(a, "--table")) {
      NEEDS_VALUE();
      if (strcmp(val, "latex") && strcmp(val, "markdown"))
        return mfh_cli_usage_error(cmd, "--table must be latex or markdown (got '%s')", val);
      o->table = val;
    } else if (!strcmp(a, "--expected")) {
      NEEDS_VALUE();
      o->expected = val;
    } else if (!strcmp(a, "--jobs")) {
      NEEDS_VALUE();
      unsigned long long j;
      if (parse_count(val, 1, 1024, &j))
        return mfh_cli_usage_error(cmd, "--jobs must be an integer in [1, 1024] (got '%s')", val);
      o->jobs = (int)j;
    } else if (!strcmp(a, "--seed")) {
      NEEDS_VALUE();
      unsigned long long sd; /* the bound of a study's seed: 2^53, exact in JSON readers */
      if (parse_count(val, 0, 9007199254740992ULL, &sd))
        return mfh_cli_usage_error(cmd, "--seed must be an integer in [0, 2^53] (got '%s')", val);
      o->seed = (long long)sd;
    } else if (!strcmp(a, "--shard")) {
      NEEDS_VALUE();
      int rc = parse_shard(cmd, val, o);
      if (rc) return rc;
    } else if (!strcmp(a, "--fresh")) {
      o->fresh = 1;
    } else if (!strcmp(a, "--require-decided")) {
      o->require_decided = 1;
    } else if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
    } else if (!strcmp(a, "--render")) {
      o->render = 2;
    } else if (!strcmp(a, "--no-render")) {
      o->render = 0;
    } else if (a[0] == '-' && a[1]) {
      return mfh_cli_usage_error(cmd, "unknown option %s", a);
    } else if (mfh_cli_sl_add(&o->paths, a)) {
      return 3;
    }
#undef NEEDS_VALUE
  }
  return 0;
}

/* ---- loading --------------------------------------------------------------- */


/* Load every study under the paths; on the first bad one print it and
 * return 2 (nothing has been written). */
int mfh_cli_load_all(const char *cmd, const mfh_cli_opts *o, mfh_loaded **out, size_t *n) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_strlist files = {0};
  *out = NULL;
  *n = 0;
  if (o->paths.n == 0) return mfh_cli_usage_error(cmd, "%s", "name at least one study file or folder");
  for (size_t i = 0; i < o->paths.n; i++)
    if (mfh_cli_collect(o->paths.v[i], &files, &err)) {
      mfh_cli_sl_free(&files);
      return mfh_cli_fail(&err);
    }
  if (files.n == 0) {
    fprintf(stderr, "mfh %s: no study files (*.yaml) under the given paths\n", cmd);
    mfh_cli_sl_free(&files);
    return 2;
  }
  mfh_loaded *ls = calloc(files.n, sizeof *ls);
  if (!ls) return 3;
  int bad = 0;
  for (size_t i = 0; i < files.n; i++) {
    if (mfh_study_load(files.v[i], o->profile, o->seed, &ls[i].study, &err)) {
      mfh_err_print(&err, stderr);
      bad = bad ? bad : mfh_status_exit_code(err.status);
      continue;
    }
    if (mfh_study_estimate(&ls[i].study, o->jobs, &ls[i].estimate, &err)) {
      mfh_err_print(&err, stderr);
      bad = bad ? bad : mfh_status_exit_code(err.status);
      continue;
    }
    mfh_cli_expected_dir_for(files.v[i], o->expected, ls[i].expected, sizeof ls[i].expected);
    for (size_t j = 0; j < i; j++)
      if (ls[j].study.file && !strcmp(ls[j].study.id, ls[i].study.id)) {
        fprintf(stderr, "%s: id '%s' is already used by %s\n", files.v[i], ls[i].study.id, ls[j].study.file);
        bad = bad ? bad : 2;
      }
  }
  *out = ls;
  *n = files.n;
  mfh_cli_sl_free(&files);
  return bad;
}

void mfh_cli_free_loaded(mfh_loaded *ls, size_t n) {
  for (size_t i = 0; ls && i < n; i++) mfh_study_free(&ls[i].study);
  free(ls);
}

/* ---- run / bless / report ---------------------------------------------------- */

int mfh_cli_copy_study(const char *dir, const mfh_study *s, mfh_err *err) {
  char *copy = NULL;
  size_t len;
  int rc = mfh_read_file(s->file, &copy, &len, err);
  char *p = mfh_path_join(dir, "study.yaml");
  if (!rc) rc = p ? mfh_write_atomic(p, copy, len, err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  free(p);
  free(copy);
  return rc;
}

char *mfh_cli_run_record(const mfh_study *s, const char *expected, size_t shards) {
  json_t *meta = json_object();
  char real[PATH_MAX];
  json_object_set_new(meta, "study_file", json_string(s->file));
  json_object_set_new(meta, "profile", json_string(s->profile));
  json_object_set_new(meta, "seed", json_integer((json_int_t)s->seed));
  json_object_set_new(meta, "shards", json_integer((json_int_t)shards));
  json_object_set_new(meta, "expected", json_string(realpath(expected, real) ? real : expected));
  json_object_set_new(meta, "mfh_version", json_string(MFH_VERSION));
  char *text = json_dumps(meta, JSON_INDENT(2));
  json_decref(meta);
  return text;
}

int mfh_cli_write_run_meta(const char *dir, const mfh_study *s, const char *expected, mfh_err *err) {
  int rc = mfh_cli_copy_study(dir, s, err);
  if (rc) return rc;
  char *text = mfh_cli_run_record(s, expected, 0);
  char *p = mfh_path_join(dir, "run.json");
  rc = (text && p) ? mfh_write_atomic(p, text, strlen(text), err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  free(p);
  free(text);
  return rc;
}

/* Say how many stored task files failed verification, and why. */
static void say_rejected(const mfh_study *s, const mfh_outcome *out, size_t n, int load_only) {
  size_t count[MFH_STORED_NKINDS] = {0}, total = 0;
  for (size_t i = 0; i < n; i++)
    if (out[i].stored != MFH_STORED_OK && out[i].stored != MFH_STORED_ABSENT && out[i].stored >= 0 &&
        out[i].stored < MFH_STORED_NKINDS) {
      count[out[i].stored]++;
      total++;
    }
  if (!total) return;
  fprintf(stderr, "%s: %zu stored task file%s failed verification and %s %s:", s->id, total, total == 1 ? "" : "s",
          total == 1 ? "was" : "were",
          load_only ? "left out (run the study again to recompute them)" : "recomputed");
  const char *sep = " ";
  for (int k = 0; k < MFH_STORED_NKINDS; k++)
    if (count[k]) {
      fprintf(stderr, "%s%zu %s", sep, count[k], mfh_stored_text(k));
      sep = "; ";
    }
  fputc('\n', stderr);
}

/* Plan, execute (or only load), judge and report one study. */
int mfh_cli_process_study(const mfh_study *s, const char *expected, const char *outdir,
                         const char *const *dirs, size_t ndirs, const mfh_cli_opts *o, int load_only,
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
                      !o->quiet && isatty(STDERR_FILENO), s->id, &mfh_cli_interrupted};
  rc = mfh_executor_openmp.run(&plan, dirs, ndirs, &eo, out, err);
  say_rejected(s, out, plan.ntasks, load_only);
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

int mfh_cli_finish_run(mfh_study_result **rs, size_t n, const char *outdir, mfh_report_opts *ro,
                       int solver_failed, int quiet, int require_decided) {
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
  size_t undecided = mfh_study_results_undecided((const mfh_study_result *const *)rs, n);
  if (undecided && require_decided) {
    fprintf(stderr, "--require-decided: %zu check%s undecided where the study expects pass or fail\n", undecided,
            undecided == 1 ? " is" : "s are");
    if (!worst) worst = 1;
  }
  return solver_failed ? 3 : worst;
}

