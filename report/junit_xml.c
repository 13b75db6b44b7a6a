/* The run's junit.xml: one <testsuite> per study, one <testcase> per check,
 * for CI systems. */
#include <math.h>
#include <stdio.h>

#include "report/model.h"
#include "report/numfmt.h"
#include "report/sbuf.h"
#include "report/writer.h"

/* JUnit mapping.  CI systems understand three outcomes besides success, and
 * a check verdict maps onto them as follows:
 *   fail         -> <failure>: the measurement contradicts the theorem's rate
 *                   or bound; this is what should turn a CI run red.
 *   error        -> <error>: the check could not be evaluated (solver or task
 *                   failures, missing data); also red, but distinguishable
 *                   from a contradiction.
 *   inconclusive -> <skipped>: the data cannot decide (interval too wide,
 *                   pre-asymptotic); reported and visible, but not a failure.
 *   pass         -> a bare <testcase>.
 * The check's summary is the message; its numbers are the element text. */
static void junit_numbers(mfh_sbuf *b, const mfh_check_result *ck) {
  mfh_sb_esc(b, ck->summary, MFH_ESC_HTML);
  for (size_t i = 0; i < ck->numbers.n; i++) {
    char v[40];
    mfh_sb_putc(b, '\n');
    mfh_sb_esc(b, ck->numbers.v[i].name, MFH_ESC_HTML);
    mfh_sb_printf(b, " = %s", mfh_fmt_g17(v, ck->numbers.v[i].v));
  }
}

static int write_junit(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_study_result *const *st = ctx->studies;
  const size_t n = ctx->nstudies;
  mfh_sbuf b = {0};
  size_t cnt[4], total;
  double time = 0;
  mfh_report_count_verdicts(st, n, cnt, &total);
  for (size_t i = 0; i < n; i++)
    if (isfinite(st[i]->elapsed_s)) time += st[i]->elapsed_s;
  char t[40];
  mfh_sb_printf(&b,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<!-- mfh checks: fail -> failure, error -> error, inconclusive -> skipped -->\n"
                "<testsuites name=\"mfh\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                "skipped=\"%zu\" time=\"%s\">\n",
                total, cnt[MFH_FAIL], cnt[MFH_CHECK_ERROR], cnt[MFH_INCONCLUSIVE],
                mfh_fmt_g17(t, time));
  for (size_t i = 0; i < n; i++) {
    const mfh_study_result *r = st[i];
    size_t c4[4], tot;
    mfh_report_count_verdicts(&st[i], 1, c4, &tot);
    mfh_sb_puts(&b, "  <testsuite name=\"");
    mfh_sb_esc(&b, r->id, MFH_ESC_ATTR);
    mfh_sb_printf(&b,
                  "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%s\">\n",
                  tot, c4[MFH_FAIL], c4[MFH_CHECK_ERROR], c4[MFH_INCONCLUSIVE],
                  mfh_fmt_g17(t, isfinite(r->elapsed_s) ? r->elapsed_s : 0));
    mfh_sb_puts(&b, "    <properties>\n");
    const char *pn[] = {"title", "theorem", "source", "file", "profile", "solver", "observable"};
    const char *pv[] = {r->title,   r->theorem, r->source,    r->file,
                        r->profile, r->solver,  r->observable};
    for (size_t k = 0; k < sizeof pn / sizeof pn[0]; k++) {
      mfh_sb_printf(&b, "      <property name=\"%s\" value=\"", pn[k]);
      mfh_sb_esc(&b, pv[k], MFH_ESC_ATTR);
      mfh_sb_puts(&b, "\"/>\n");
    }
    mfh_sb_puts(&b, "    </properties>\n");
    for (size_t c = 0; c < r->nchecks; c++) {
      const mfh_check_result *ck = &r->checks[c];
      mfh_sb_puts(&b, "    <testcase classname=\"");
      mfh_sb_esc(&b, r->id, MFH_ESC_ATTR);
      mfh_sb_puts(&b, "\" name=\"");
      mfh_sb_esc(&b, ck->name, MFH_ESC_ATTR);
      mfh_sb_puts(&b, "\" time=\"0\"");
      int v = ck->verdict >= 0 && ck->verdict <= 3 ? ck->verdict : MFH_CHECK_ERROR;
      if (v == MFH_PASS) {
        mfh_sb_puts(&b, "/>\n");
        continue;
      }
      mfh_sb_puts(&b, ">\n");
      if (v == MFH_INCONCLUSIVE) {
        mfh_sb_puts(&b, "      <skipped message=\"inconclusive: ");
        mfh_sb_esc(&b, ck->summary, MFH_ESC_ATTR);
        mfh_sb_puts(&b, "\"/>\n");
      } else {
        const char *tag = v == MFH_FAIL ? "failure" : "error";
        mfh_sb_printf(&b, "      <%s message=\"", tag);
        mfh_sb_esc(&b, ck->summary, MFH_ESC_ATTR);
        mfh_sb_puts(&b, "\" type=\"");
        mfh_sb_esc(&b, ck->kind, MFH_ESC_ATTR);
        mfh_sb_puts(&b, "\">");
        junit_numbers(&b, ck);
        mfh_sb_printf(&b, "</%s>\n", tag);
      }
      mfh_sb_puts(&b, "    </testcase>\n");
    }
    if (r->note[0]) {
      mfh_sb_puts(&b, "    <system-out>");
      mfh_sb_esc(&b, r->note, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</system-out>\n");
    }
    mfh_sb_puts(&b, "  </testsuite>\n");
  }
  mfh_sb_puts(&b, "</testsuites>\n");
  return mfh_sb_save(&b, ctx->dir, "junit.xml", err);
}

const mfh_writer_type mfh_writer_junit = {
    .name = "junit",
    .doc = "junit.xml: a testcase per check (fail = failure, inconclusive = skipped)",
    .scope = MFH_WRITER_RUN,
    .files = "junit.xml",
    .write = write_junit,
};
