/* Markdown shared by the study and run summaries (summary_md.c, run_md.c). */
#ifndef MFH_REPORT_MARKDOWN_H
#define MFH_REPORT_MARKDOWN_H

#include <stddef.h>

#include "core/results.h"
#include "report/sbuf.h"

/* The table of checks of n studies: check, kind, VERDICT, summary, and with
 * with_study a first column linking each study's <id>/summary.md. */
void mfh_md_checks_table(mfh_sbuf *b, const mfh_study_result *const *st, size_t n, int with_study);

#endif
