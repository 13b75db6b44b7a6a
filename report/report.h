/* Reports: per-study folders (data, gnuplot script, images, results.json,
 * summary.md), run-level index.html / junit.xml / summary.md, and the
 * terminal table printed after a run.  Reads mfh_study_result, never
 * modifies it.  Every file is written atomically (core/fsutil.h).
 * Each format is a writer in the registry of report/writer.h; the three
 * entry points below run the writers of their scope.  The results.json
 * schema is documented at the top of report/results_json.c and in
 * docs/results-schema.md. */
#ifndef MFH_REPORT_REPORT_H
#define MFH_REPORT_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/results.h"
#include "core/status.h"

typedef struct mfh_report_opts {
  int render;           /* 0: never run gnuplot; 1: run it if available; 2: required
                           (missing gnuplot is an error) */
  const char *gnuplot;  /* program name/path, default "gnuplot" when NULL */
  int *gnuplot_warned;  /* caller-owned flag so "gnuplot not found" is said once per run;
                           may be NULL (then it is said every time) */
  FILE *warn;           /* where the one warning goes (stderr); may be NULL */
} mfh_report_opts;

/* Write the per-study report into dir (created): s<k>-<axis>-<measure>.dat
 * (points) and .curve.dat (fitted line, band, proved rate) per series,
 * plot.gp, plot.png + plot.svg (rendered by running gnuplot on plot.gp in
 * dir), results.json, summary.md.  o may be NULL (render = 1, "gnuplot",
 * no warning).  *rendered (may be NULL) = 1 if the images were produced;
 * stale images are removed when they were not.
 * Returns 0; MFH_EIO / MFH_ENOMEM; MFH_EEXTERNAL when gnuplot ran and
 * failed (its stderr is in the message) or when render == 2 and gnuplot is
 * missing -- results.json and summary.md are still written in those cases. */
int mfh_report_study(const mfh_study_result *r, const char *dir, const mfh_report_opts *o,
                     int *rendered, mfh_err *err);

/* Run gnuplot on dir/plot.gp (which writes outbase.png and outbase.svg,
 * outbase given on gnuplot's command line) and move the images to
 * dir/plot.png and dir/plot.svg, following o->render as mfh_report_study
 * does.  For other writers with their own plot.gp (mfh history). */
int mfh_report_render_dir(const char *dir, const mfh_report_opts *o, int *rendered, mfh_err *err);

/* The paper table of n studies (report/paper_table.c; also written as the
 * run folder's table.tex and table.md): format "latex" (a booktabs table
 * environment) or "markdown".  *text is malloc'd (the caller frees it).
 * 0; MFH_EUSAGE for another format; MFH_ENOMEM. */
int mfh_report_paper_table(const mfh_study_result *const *studies, size_t n, const char *format, char **text,
                           mfh_err *err);

/* Whole run: outdir/index.html (each study's PNG, links to its summary and
 * data, a colour-coded table of checks), outdir/junit.xml (one <testsuite>
 * per study, one <testcase> per check; fail -> <failure>, error -> <error>,
 * inconclusive -> <skipped>), outdir/summary.md (the table of checks in
 * markdown), outdir/work-precision.gp (+ images) and the paper tables
 * outdir/table.tex and table.md.  Study report folders are outdir/<study id>/, normally written
 * by mfh_report_study as each study finishes; a folder without results.json
 * is written here (with o's render setting), the others are not re-rendered
 * -- the index embeds outdir/<id>/plot.png when it exists.  Study ids must be
 * usable as folder names (non-empty, no '/', not "." or "..") and unique:
 * MFH_EINPUT otherwise.  A failing study report does not stop the others;
 * the first error is returned after the run-level files are written. */
int mfh_report_run(const mfh_study_result *const *studies, size_t n, const char *outdir,
                   const mfh_report_opts *o, mfh_err *err);

/* The terminal table printed after a run: one row per check (study id,
 * check name, VERDICT, summary), aligned plain-ASCII columns, then a line
 * of totals.  Prints to out (the one function of this module that prints). */
void mfh_report_table(const mfh_study_result *const *studies, size_t n, FILE *out);

#endif
