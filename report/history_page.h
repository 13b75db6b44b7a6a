/* The history page of `mfh history`: outdir/index.html (drift flags, runs,
 * and per study its trend plot and a verdict strip per check) and
 * outdir/<study>/ with the data files, plot.gp, plot.png and plot.svg (one
 * panel per check: the estimate and its interval over runs, the proved
 * slope or the bound, flagged runs ringed; a last panel with the solver
 * seconds per task).  Every file is written atomically. */
#ifndef MFH_REPORT_HISTORY_PAGE_H
#define MFH_REPORT_HISTORY_PAGE_H

#include <stddef.h>

#include "pipeline/history.h"
#include "report/report.h"

/* source names the history file in the page title.  Returns 0, MFH_EIO /
 * MFH_ENOMEM, or MFH_EEXTERNAL when gnuplot failed (the page is written). */
int mfh_history_page(const mfh_history *h, const mfh_drift *flags, size_t nflags, const char *source,
                     const char *outdir, const mfh_report_opts *o, mfh_err *err);

#endif
