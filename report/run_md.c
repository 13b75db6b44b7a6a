/* The run's summary.md: counts of verdicts, the table of every check, and
 * one line per study linking its own summary.md. */
#include <stdio.h>

#include "report/markdown.h"
#include "report/model.h"
#include "report/sbuf.h"
#include "report/writer.h"

static int write_run_md(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_study_result *const *st = ctx->studies;
  const size_t n = ctx->nstudies;
  mfh_sbuf b = {0};
  size_t cnt[4], total;
  mfh_report_count_verdicts(st, n, cnt, &total);
  mfh_sb_printf(&b,
                "# mfh run summary\n\n%zu stud%s, %zu check%s: %zu pass, %zu fail, %zu "
                "inconclusive, %zu error.\n\n",
                n, n == 1 ? "y" : "ies", total, total == 1 ? "" : "s", cnt[MFH_PASS], cnt[MFH_FAIL],
                cnt[MFH_INCONCLUSIVE], cnt[MFH_CHECK_ERROR]);
  char undecided[160];
  if (mfh_report_undecided_text(st, n, undecided, sizeof undecided))
    mfh_sb_printf(&b, "%s (`decided_at`).\n\n", undecided);
  if (total)
    mfh_md_checks_table(&b, st, n, 1);
  else
    mfh_sb_puts(&b, "No checks.\n");
  mfh_sb_puts(&b, "\n## Studies\n\n");
  for (size_t i = 0; i < n; i++) {
    mfh_sb_puts(&b, "- [");
    mfh_sb_esc(&b, st[i]->id, MFH_ESC_MD);
    mfh_sb_puts(&b, "](");
    mfh_sb_url(&b, st[i]->id);
    mfh_sb_puts(&b, "/summary.md)");
    if (st[i]->title[0]) {
      mfh_sb_puts(&b, ": ");
      mfh_sb_esc(&b, st[i]->title, MFH_ESC_LINE);
    }
    if (st[i]->theorem[0]) {
      mfh_sb_puts(&b, " (");
      mfh_sb_esc(&b, st[i]->theorem, MFH_ESC_LINE);
      mfh_sb_puts(&b, ")");
    }
    mfh_sb_puts(&b, " — **");
    mfh_sb_upper(&b, mfh_report_verdict_class(mfh_study_result_worst(st[i])));
    mfh_sb_puts(&b, "**\n");
  }
  return mfh_sb_save(&b, ctx->dir, "summary.md", err);
}

const mfh_writer_type mfh_writer_run_markdown = {
    .name = "run_markdown",
    .doc = "summary.md of the run: every check, and a line per study",
    .scope = MFH_WRITER_RUN,
    .files = "summary.md",
    .write = write_run_md,
};
