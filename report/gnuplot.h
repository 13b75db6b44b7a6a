/* The gnuplot writer in three parts: the data files and the writer itself
 * (gnuplot.c), the script plot.gp (gnuplot_script.c), and running the
 * external gnuplot program on it (gnuplot_run.c). */
#ifndef MFH_REPORT_GNUPLOT_H
#define MFH_REPORT_GNUPLOT_H

#include <stddef.h>

#include "core/results.h"
#include "core/status.h"
#include "report/model.h"
#include "report/report.h"

/* Base name of series k's data files: "s<k+1>-<axis>-<measure>", made of
 * [A-Za-z0-9._-] only (safe in gnuplot strings and every file system). */
void mfh_gnuplot_series_base(char *buf, size_t n, size_t k, const mfh_series *s);

/* Write dir/plot.gp for the model: one panel per series (a multiplot when
 * there are several) drawing the data files, rendering plot.png and
 * plot.svg.  0, MFH_ENOMEM or MFH_EIO. */
int mfh_gnuplot_script(const mfh_plot_model *m, const char *dir, mfh_err *err);

/* Run gnuplot on dir/plot.gp as o says (o->render: 0 never, 1 if found,
 * 2 required) and move plot.png and plot.svg into place; *rendered = 1 when
 * they were.  A missing optional gnuplot is warned about once (o->warn,
 * o->gnuplot_warned).  0; MFH_EEXTERNAL when gnuplot failed (its output in
 * the message) or is required and missing; MFH_EIO / MFH_ENOMEM. */
int mfh_gnuplot_render(const char *dir, const mfh_report_opts *o, int *rendered, mfh_err *err);
/* The same for dir/NAME.gp, which writes NAME.png and NAME.svg (name: at most
 * 80 characters of [A-Za-z0-9._-]). */
int mfh_gnuplot_render_as(const char *dir, const char *name, const mfh_report_opts *o, int *rendered,
                          mfh_err *err);

#endif
