/* The terminal table printed after a run: one row per check (study id,
 * check name, VERDICT, summary) in aligned plain-ASCII columns, then a line
 * of totals. */
#include <stdio.h>
#include <string.h>

#include "report/model.h"
#include "report/sbuf.h"
#include "report/writer.h"

static int write_table(mfh_writer_ctx *ctx, mfh_err *err) {
  (void)err;
  const mfh_study_result *const *studies = ctx->studies;
  const size_t n = ctx->nstudies;
  FILE *out = ctx->out;
  size_t ws = strlen("STUDY"), wc = strlen("CHECK"), wv = strlen("INCONCLUSIVE");
  char a[600], c[600];
  for (size_t i = 0; i < n; i++) {
    mfh_ascii_copy(a, sizeof a, studies[i]->id);
    if (strlen(a) > ws) ws = strlen(a);
    for (size_t k = 0; k < studies[i]->nchecks; k++) {
      mfh_ascii_copy(c, sizeof c, studies[i]->checks[k].name);
      if (strlen(c) > wc) wc = strlen(c);
    }
  }
  int is = (int)ws, ic = (int)wc, iv = (int)wv;
  fprintf(out, "%-*s  %-*s  %-*s  %s\n", is, "STUDY", ic, "CHECK", iv, "VERDICT", "SUMMARY");
  char dash[601];
  memset(dash, '-', 600);
  dash[600] = '\0';
  fprintf(out, "%.*s  %.*s  %.*s  %.7s\n", is, dash, ic, dash, iv, dash, dash);
  size_t cnt[4], total;
  mfh_report_count_verdicts(studies, n, cnt, &total);
  for (size_t i = 0; i < n; i++) {
    mfh_ascii_copy(a, sizeof a, studies[i]->id);
    if (!studies[i]->nchecks)
      fprintf(out, "%-*s  %-*s  %-*s  %s\n", is, a, ic, "-", iv, "-", "no checks");
    for (size_t k = 0; k < studies[i]->nchecks; k++) {
      const mfh_check_result *ck = &studies[i]->checks[k];
      char v[16], s[600];
      const char *vt = mfh_report_verdict_class(ck->verdict);
      size_t j = 0;
      for (; vt[j] && j < sizeof v - 1; j++) v[j] = (char)(vt[j] - 'a' + 'A');
      v[j] = '\0';
      mfh_ascii_copy(c, sizeof c, ck->name);
      mfh_ascii_copy(s, sizeof s, ck->summary);
      fprintf(out, "%-*s  %-*s  %-*s  %s\n", is, a, ic, c, iv, v, s);
    }
  }
  fprintf(out, "%zu check%s: %zu pass, %zu fail, %zu inconclusive, %zu error\n", total,
          total == 1 ? "" : "s", cnt[MFH_PASS], cnt[MFH_FAIL], cnt[MFH_INCONCLUSIVE],
          cnt[MFH_CHECK_ERROR]);
  char undecided[160];
  if (mfh_report_undecided_text(studies, n, undecided, sizeof undecided)) fprintf(out, "%s (decided_at)\n", undecided);
  return MFH_OK;
}

const mfh_writer_type mfh_writer_table = {
    .name = "table",
    .doc = "the terminal table: a row per check, then the totals",
    .scope = MFH_WRITER_TERMINAL,
    .files = "",
    .write = write_table,
};
