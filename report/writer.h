/* Report writers: one output format each, one const table entry each.
 *
 * A writer is a `const mfh_writer_type` in its own file under report/ and
 * one line in MFH_WRITER_LIST below; report/writers.c makes the registry
 * (mfh_writers[]) from that list, and the entry points of report/report.h
 * run every writer of a scope in list order.  Nothing else switches on a
 * writer.  Writers read the study results and the plot model and never
 * change them; they write into their folder through report/sbuf.h (atomic
 * files) or, for the terminal, to ctx->out. */
#ifndef MFH_REPORT_WRITER_H
#define MFH_REPORT_WRITER_H

#include <stddef.h>
#include <stdio.h>

#include "core/results.h"
#include "core/status.h"
#include "report/model.h"
#include "report/report.h"

/* When a writer runs and what it is handed. */
typedef enum mfh_writer_scope {
  MFH_WRITER_STUDY,   /* once per study, into the study's folder (mfh_report_study) */
  MFH_WRITER_RUN,     /* once per run, into the run folder, after every study folder
                         is written (mfh_report_run) */
  MFH_WRITER_TERMINAL /* once per run, to a stream (mfh_report_table) */
} mfh_writer_scope;

/* What a writer is handed.  Only the fields of its scope are set. */
typedef struct mfh_writer_ctx {
  const mfh_report_opts *opts; /* never NULL */
  const char *dir;             /* STUDY: the study folder; RUN: the run folder */
  /* MFH_WRITER_STUDY */
  const mfh_study_result *study; /* as measured (signed means) */
  const mfh_plot_model *plot;    /* as drawn, with each series' geometry */
  int rendered; /* plot.png and plot.svg are in dir: set by the writer that draws them
                   (gnuplot, listed first), read by the writers that link them; the
                   one field a writer may change */
  /* MFH_WRITER_RUN, MFH_WRITER_TERMINAL */
  const mfh_study_result *const *studies;
  size_t nstudies;
  const int *study_rendered; /* RUN: nstudies flags, plot.png is in dir/<id>/ */
  FILE *out;                 /* TERMINAL: where to print */
} mfh_writer_ctx;

typedef struct mfh_writer_type {
  const char *name; /* unique, e.g. "json" */
  const char *doc;  /* one line: what it writes */
  mfh_writer_scope scope;
  const char *files; /* space-separated files it always writes into dir ("" for
                        the terminal); a writer may write more (data files) */
  /* Write.  0; MFH_ENOMEM / MFH_EIO stop the other writers of the scope;
   * MFH_EEXTERNAL (an external program failed) does not: the others still
   * run and the error is returned when they succeed. */
  int (*write)(mfh_writer_ctx *ctx, mfh_err *err);
} mfh_writer_type;

/* Every writer, in the order they run within a scope.  Adding a report
 * format = its file (defining `const mfh_writer_type mfh_writer_<x>`) and
 * one X(<x>) here. */
#define MFH_WRITER_LIST(X) \
  X(gnuplot)               \
  X(json)                  \
  X(markdown)              \
  X(html)                  \
  X(junit)                 \
  X(run_markdown)          \
  X(work_precision)        \
  X(work_precision_set)    \
  X(table_latex)           \
  X(table_markdown)        \
  X(table)

#define MFH_WRITER_DECLARE(x) extern const mfh_writer_type mfh_writer_##x;
MFH_WRITER_LIST(MFH_WRITER_DECLARE)
#undef MFH_WRITER_DECLARE

/* The registry: every writer in list order, NULL-terminated. */
extern const mfh_writer_type *const mfh_writers[];
/* The writer with this name, or NULL. */
const mfh_writer_type *mfh_writer_find(const char *name);

#endif
