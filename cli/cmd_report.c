/* `mfh report`: re-render reports from stored task results, merging shards. */
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

/* 1 if a and b are the same folder (however they are spelled). */
static int same_folder(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int mfh_cli_cmd_report(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: mfh report RUNDIR... [--out DIR] [--render | --no-render] [--quiet] [--history FILE]\n"
             "                  [--table latex|markdown] [--require-decided]\n"
             "Re-render every report from stored task results (no solver runs).  Several run\n"
             "folders (e.g. one per shard) are merged; the report goes to --out (default: the\n"
             "first RUNDIR).  --history FILE appends the merged run to a history database (after the\n"
             "shards of one run: mfh run --history).  --table prints the paper table (theorem,\n"
             "statement, proved, observed +/- CI, bound, verdict; also written as table.tex and\n"
             "table.md in the report folder) instead of the check table: booktabs LaTeX\n"
             "(\\usepackage{booktabs}) or Markdown.  --require-decided as for mfh run.  Exit codes as\n"
             "for mfh run.\n");
      return 0;
    }
  mfh_cli_opts o;
  int rc = mfh_cli_parse_opts("report", argc, argv, &o, "out render no-render quiet history table require-decided");
  if (rc) return rc;
  double started = mfh_cli_wall_clock();
  if ((rc = mfh_cli_history_precheck(o.history))) {
    mfh_cli_sl_free(&o.paths);
    return rc;
  }
  if (o.paths.n == 0) return mfh_cli_usage_error("report", "%s", "name at least one run folder");
  int explicit_out = 0;
  for (int i = 1; i < argc; i++) explicit_out |= !strcmp(argv[i], "--out");
  const char *outdir = explicit_out ? o.out : o.paths.v[0];
  mfh_err err;
  mfh_err_clear(&err);
  if (explicit_out && mfh_outdir_check(o.out, &err)) {
    mfh_cli_sl_free(&o.paths);
    return mfh_cli_usage_error("report", "%s", err.msg);
  }
  /* the studies: every <rundir>/<id>/run.json, by id */
  mfh_strlist ids = {0};
  for (size_t d = 0; d < o.paths.n; d++) {
    DIR *dh = opendir(o.paths.v[d]);
    if (!dh) {
      fprintf(stderr, "mfh report: %s: cannot open: %s\n", o.paths.v[d], strerror(errno));
      mfh_cli_sl_free(&o.paths);
      mfh_cli_sl_free(&ids);
      return 2;
    }
    struct dirent *e;
    while ((e = readdir(dh))) {
      if (e->d_name[0] == '.') continue;
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/%s/run.json", o.paths.v[d], e->d_name);
      int seen = 0;
      for (size_t k = 0; k < ids.n; k++) seen |= !strcmp(ids.v[k], e->d_name);
      if (!seen && mfh_path_exists(path)) mfh_cli_sl_add(&ids, e->d_name);
    }
    closedir(dh);
  }
  if (ids.n) qsort(ids.v, ids.n, sizeof *ids.v, mfh_cli_cmp_str); /* v is NULL when nothing is found */
  if (ids.n == 0) {
    fprintf(stderr, "mfh report: no stored studies (<id>/run.json) under the given folders\n");
    mfh_cli_sl_free(&o.paths);
    return 2;
  }
  int warned = 0, solver_failed = 0, code = 0;
  mfh_report_opts ro = {o.render, getenv("MFH_GNUPLOT"), &warned, stderr};
  mfh_store_lock *out_lock = NULL;
  rc = mfh_mkdirs(outdir, &err);
  if (!rc) rc = mfh_store_lock_out(outdir, 1, &out_lock, &err);
  if (rc) {
    mfh_cli_sl_free(&ids);
    mfh_cli_sl_free(&o.paths);
    return mfh_cli_fail(&err);
  }
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
      code = mfh_cli_fail(&err);
      break;
    }
    if (strcmp(s.id, ids.v[k]) != 0) { /* the report goes to <out>/<id>: it must be this folder */
      fprintf(stderr, "%s: the study's id is '%s', not the folder's name '%s'\n", study_path, s.id, ids.v[k]);
      mfh_study_free(&s);
      json_decref(meta);
      code = 2;
      break;
    }
    /* no run may be writing the folders read or the one written */
    mfh_store_lock *locks[65] = {NULL};
    for (size_t d = 0; !rc && d < nd; d++) rc = mfh_store_lock_read(dirs[d], &locks[d], &err);
    rs[done] = calloc(1, sizeof **rs);
    mfh_cli_opts lo = o;
    lo.shard_n = 0;
    /* report into outdir/<id>: when that is a different folder, keep its meta too */
    char *od = mfh_path_join(outdir, ids.v[k]);
    if (!rc) rc = od ? mfh_mkdirs(od, &err) : mfh_err_set(&err, MFH_ENOMEM, "out of memory");
    if (!rc) rc = mfh_path_inside(outdir, od, &err);
    int od_is_source = 0;
    for (size_t d = 0; !rc && d < nd; d++) od_is_source |= same_folder(od, dirs[d]);
    if (!rc && !od_is_source) {
      rc = mfh_store_lock_read(od, &locks[nd], &err);
      if (!rc) rc = mfh_cli_write_run_meta(od, &s, expected, &err);
    }
    free(od);
    if (!rc)
      rc = mfh_cli_process_study(&s, expected, outdir, dirs, nd, &lo, 1, 0, &ro, rs[done], &solver_failed, &err);
    for (size_t d = 0; d <= nd; d++) mfh_store_unlock(locks[d]);
    if (rc) code = mfh_cli_fail(&err);
    else done++;
    mfh_study_free(&s);
    json_decref(meta);
  }
  if (!code) {
    code = mfh_cli_finish_run(rs, done, outdir, &ro, solver_failed, o.quiet || o.table, o.require_decided);
    char *text = NULL;
    if (o.table && mfh_report_paper_table((const mfh_study_result *const *)rs, done, o.table, &text, &err)) {
      mfh_err_print(&err, stderr);
      if (code < 3) code = 3;
    } else if (text) {
      fputs(text, stdout);
    }
    free(text);
    if (o.history && done) {
      int hc = mfh_cli_history_append(o.history, rs, done, rs[0]->profile, started, code, rs[0]->file);
      if (hc > code) code = hc;
    }
  }
  mfh_store_unlock(out_lock);
  for (size_t i = 0; i < ids.n; i++) {
    if (rs[i]) mfh_study_result_free(rs[i]);
    free(rs[i]);
  }
  free(rs);
  mfh_cli_sl_free(&ids);
  mfh_cli_sl_free(&o.paths);
  return code;
}

