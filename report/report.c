/* The report entry points (report/report.h): each runs the writers of its
 * scope from the registry (report/writer.h), in registry order.  The
 * writers are one file each: gnuplot.c, results_json.c, summary_md.c
 * (per study), index_html.c, junit_xml.c, run_md.c (per run), table.c (the
 * terminal); they share the plot model (model.c), the string buffer and
 * escaping (sbuf.c) and number formatting (numfmt.c). */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "report/model.h"
#include "report/sbuf.h"
#include "report/gnuplot.h"
#include "report/writer.h"

/* Run every writer of one scope in registry order.  A writer whose external
 * program failed (MFH_EEXTERNAL) does not stop the others: its error is
 * returned when they all succeed.  Any other error stops the loop. */
static int write_scope(mfh_writer_scope scope, mfh_writer_ctx *ctx, mfh_err *err) {
  int deferred = MFH_OK;
  mfh_err deferred_err, e;
  mfh_err_clear(&deferred_err);
  for (size_t i = 0; mfh_writers[i]; i++) {
    if (mfh_writers[i]->scope != scope) continue;
    mfh_err_clear(&e);
    int rc = mfh_writers[i]->write(ctx, &e);
    if (rc == MFH_EEXTERNAL) {
      if (!deferred) {
        deferred = rc;
        deferred_err = e;
      }
    } else if (rc) {
      if (err) *err = e;
      return rc;
    }
  }
  if (deferred && err) *err = deferred_err;
  return deferred;
}

int mfh_report_study(const mfh_study_result *r, const char *dir, const mfh_report_opts *o,
                     int *rendered, mfh_err *err) {
  if (rendered) *rendered = 0;
  if (!r || !dir) return mfh_err_set(err, MFH_EINTERNAL, "mfh_report_study: no study or folder");
  const mfh_report_opts defaults = {1, NULL, NULL, NULL};
  mfh_writer_ctx ctx = {0};
  ctx.opts = o ? o : &defaults;
  ctx.dir = dir;
  ctx.study = r;
  mfh_plot_model plot;
  int rc = mfh_plot_model_build(r, &plot, err);
  if (rc) return rc;
  ctx.plot = &plot;
  rc = mfh_mkdirs(dir, err);
  if (!rc) rc = write_scope(MFH_WRITER_STUDY, &ctx, err);
  mfh_plot_model_free(&plot);
  if (rendered) *rendered = ctx.rendered && !rc;
  return rc;
}

int mfh_report_run(const mfh_study_result *const *studies, size_t n, const char *outdir,
                   const mfh_report_opts *o, mfh_err *err) {
  if (!outdir || (n && !studies))
    return mfh_err_set(err, MFH_EINTERNAL, "mfh_report_run: no studies or folder");
  for (size_t i = 0; i < n; i++) {
    const char *id = studies[i]->id;
    if (!id[0] || !strcmp(id, ".") || !strcmp(id, "..") || strchr(id, '/'))
      return mfh_err_set(err, MFH_EINPUT, "study id '%s' cannot be used as a report folder name",
                         id);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(studies[j]->id, id))
        return mfh_err_set(err, MFH_EINPUT, "two studies have the id '%s'", id);
  }
  const mfh_report_opts defaults = {1, NULL, NULL, NULL};
  mfh_writer_ctx ctx = {0};
  int rc = mfh_mkdirs(outdir, err);
  if (rc) return rc;
  int *rendered = calloc(n ? n : 1, sizeof *rendered);
  if (!rendered) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  int first = MFH_OK;
  mfh_err first_err;
  mfh_err_clear(&first_err);
  for (size_t i = 0; i < n; i++) {
    /* Study folders are normally written by mfh_report_study as each study
     * finishes; write the missing ones here so the links below all work. */
    char *dir = mfh_path_join(outdir, studies[i]->id);
    mfh_err e;
    mfh_err_clear(&e);
    int src = dir ? MFH_OK : mfh_err_set(&e, MFH_ENOMEM, "out of memory");
    if (!src && !mfh_report_nonempty(dir, "results.json"))
      src = mfh_report_study(studies[i], dir, o, NULL, &e);
    if (dir) rendered[i] = mfh_report_nonempty(dir, "plot.png"); /* stale images are never left */
    free(dir);
    if (src && !first) {
      mfh_err_prefix(&e, "report of study %s", studies[i]->id);
      first = src;
      first_err = e;
    }
    if (src == MFH_ENOMEM || src == MFH_EIO) break; /* the disk or memory is the problem */
  }
  if (first == MFH_ENOMEM || first == MFH_EIO) {
    rc = first;
    if (err) *err = first_err;
    goto done;
  }
  ctx.opts = o ? o : &defaults;
  ctx.dir = outdir;
  ctx.studies = studies;
  ctx.nstudies = n;
  ctx.study_rendered = rendered;
  rc = write_scope(MFH_WRITER_RUN, &ctx, err);
  if (!rc && first) {
    rc = first;
    if (err) *err = first_err;
  }
done:
  free(rendered);
  return rc;
}

void mfh_report_table(const mfh_study_result *const *studies, size_t n, FILE *out) {
  if (!out || (n && !studies)) return;
  const mfh_report_opts defaults = {0, NULL, NULL, NULL};
  mfh_writer_ctx ctx = {0};
  ctx.opts = &defaults;
  ctx.studies = studies;
  ctx.nstudies = n;
  ctx.out = out;
  write_scope(MFH_WRITER_TERMINAL, &ctx, NULL);
}

int mfh_report_render_dir(const char *dir, const mfh_report_opts *o, int *rendered, mfh_err *err) {
  int r = 0;
  int rc = mfh_gnuplot_render(dir, o, &r, err);
  if (rendered) *rendered = r;
  return rc;
}
