/* The run's index.html: counts of verdicts, one colour-coded table of every
 * check, and a section per study with its plot (when drawn) and links to
 * its files. */
#include <stdio.h>

#include "report/model.h"
#include "report/numfmt.h"
#include "report/sbuf.h"
#include "report/writer.h"

static void html_badge(mfh_sbuf *b, int v) {
  mfh_sb_printf(b, "<span class=\"v %s\">", mfh_report_verdict_class(v));
  mfh_sb_upper(b, mfh_report_verdict_class(v));
  mfh_sb_puts(b, "</span>");
}

static int write_index_html(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_study_result *const *st = ctx->studies;
  const size_t n = ctx->nstudies;
  const int *rendered = ctx->study_rendered;
  mfh_sbuf b = {0};
  size_t cnt[4], total;
  mfh_report_count_verdicts(st, n, cnt, &total);
  mfh_sb_puts(&b,
              "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<title>mfh report</title>\n<style>\n"
              "body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,"
              "sans-serif;margin:0;background:#f4f5f7;color:#1d2330}\n"
              "header{background:#1d2330;color:#fff;padding:18px 32px}\n"
              "header h1{margin:0 0 4px;font-size:22px}\n"
              "main{max-width:1200px;margin:0 auto;padding:8px 32px 40px}\n"
              "h2{font-size:19px;margin:0 0 6px}\n"
              "a{color:#1f5fa8;text-decoration:none}a:hover{text-decoration:underline}\n"
              "table{border-collapse:collapse;width:100%;background:#fff;"
              "box-shadow:0 1px 3px rgba(0,0,0,.08);border-radius:6px;overflow:hidden}\n"
              "th,td{padding:7px 12px;border-bottom:1px solid #e6e8ec;text-align:left;"
              "vertical-align:top}\n"
              "th{background:#eceff3;font-weight:600;font-size:13px;text-transform:uppercase;"
              "letter-spacing:.04em;color:#4a5260}\n"
              "tr:last-child td{border-bottom:none}\n"
              "td.sum{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
              "font-size:13px}\n"
              ".v{display:inline-block;min-width:64px;text-align:center;padding:2px 8px;"
              "border-radius:11px;font-size:12px;font-weight:700;letter-spacing:.04em}\n"
              ".pass{background:#dcf3e1;color:#1e6b2e}\n"
              ".fail{background:#fbdcdc;color:#a61b1b}\n"
              ".inconclusive{background:#fff0cc;color:#845400}\n"
              ".error{background:#e9e0f6;color:#5b2d91}\n"
              ".counts .v{margin-right:6px}\n"
              "section.study{background:#fff;margin:24px 0;padding:16px 22px;border-radius:8px;"
              "box-shadow:0 1px 3px rgba(0,0,0,.08)}\n"
              "section.study img{display:block;max-width:100%;height:auto;margin:12px 0;"
              "border:1px solid #e6e8ec;border-radius:4px}\n"
              ".meta{color:#5a6270;font-size:13px}\n"
              ".note{background:#fff7e0;border-left:3px solid #e0a800;padding:6px 10px;"
              "margin:8px 0;font-size:14px}\n"
              ".links a{margin-right:14px;font-size:14px}\n"
              "</style>\n</head>\n<body>\n<header>\n<h1>mfh report</h1>\n<div class=\"counts\">");
  mfh_sb_printf(&b, "%zu stud%s, %zu check%s &nbsp; ", n, n == 1 ? "y" : "ies", total,
                total == 1 ? "" : "s");
  static const int order[4] = {MFH_PASS, MFH_FAIL, MFH_INCONCLUSIVE, MFH_CHECK_ERROR};
  for (int i = 0; i < 4; i++) {
    mfh_sb_printf(&b, "<span class=\"v %s\">%zu ", mfh_report_verdict_class(order[i]),
                  cnt[order[i]]);
    mfh_sb_upper(&b, mfh_report_verdict_class(order[i]));
    mfh_sb_puts(&b, "</span>");
  }
  char undecided[160];
  if (mfh_report_undecided_text(st, n, undecided, sizeof undecided))
    mfh_sb_printf(&b, " &nbsp; %s (<code>decided_at</code>)", undecided);
  mfh_sb_puts(&b, "</div>\n</header>\n<main>\n<h2 style=\"margin-top:22px\">Checks</h2>\n");
  mfh_sb_puts(&b,
              "<table>\n<tr><th>Study</th><th>Theorem</th><th>Check</th><th>Verdict</th>"
              "<th>Summary</th></tr>\n");
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < st[i]->nchecks; c++) {
      const mfh_check_result *ck = &st[i]->checks[c];
      mfh_sb_printf(&b, "<tr><td><a href=\"#study-%zu\">", i + 1);
      mfh_sb_esc(&b, st[i]->id, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</a></td><td>");
      mfh_sb_esc(&b, st[i]->theorem, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</td><td>");
      mfh_sb_esc(&b, ck->name, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</td><td>");
      html_badge(&b, ck->verdict);
      mfh_sb_puts(&b, "</td><td class=\"sum\">");
      mfh_sb_esc(&b, ck->summary, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</td></tr>\n");
    }
  if (!total) mfh_sb_puts(&b, "<tr><td colspan=\"5\">No checks.</td></tr>\n");
  mfh_sb_puts(&b, "</table>\n");

  for (size_t i = 0; i < n; i++) {
    const mfh_study_result *r = st[i];
    mfh_sbuf href = {0};
    mfh_sb_url(&href, r->id);
    const char *h = mfh_sb_str(&href);
    mfh_sb_printf(&b, "<section class=\"study\" id=\"study-%zu\">\n<h2>", i + 1);
    html_badge(&b, mfh_study_result_worst(r));
    mfh_sb_puts(&b, " ");
    mfh_sb_esc(&b, r->id, MFH_ESC_HTML);
    if (r->title[0]) {
      mfh_sb_puts(&b, " &mdash; ");
      mfh_sb_esc(&b, r->title, MFH_ESC_HTML);
    }
    mfh_sb_puts(&b, "</h2>\n<div class=\"meta\">");
    if (r->theorem[0]) {
      mfh_sb_puts(&b, "Theorem <b>");
      mfh_sb_esc(&b, r->theorem, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</b>");
    }
    if (r->source[0]) {
      mfh_sb_puts(&b, " &middot; ");
      mfh_sb_esc(&b, r->source, MFH_ESC_HTML);
    }
    if (r->profile[0]) {
      mfh_sb_puts(&b, " &middot; profile ");
      mfh_sb_esc(&b, r->profile, MFH_ESC_HTML);
    }
    char t[40];
    mfh_sb_printf(&b, " &middot; %zu tasks (%zu cached, %zu run, %zu failed), %s s</div>\n",
                  r->ntasks, r->ntasks_cached, r->ntasks_run, r->ntasks_failed,
                  mfh_fmt_hnum(t, r->elapsed_s));
    if (r->note[0]) {
      mfh_sb_puts(&b, "<div class=\"note\">");
      mfh_sb_esc(&b, r->note, MFH_ESC_HTML);
      mfh_sb_puts(&b, "</div>\n");
    }
    if (rendered[i]) {
      mfh_sb_printf(&b, "<a href=\"%s/plot.svg\"><img src=\"%s/plot.png\" alt=\"", h, h);
      mfh_sb_esc(&b, r->id, MFH_ESC_ATTR);
      mfh_sb_puts(&b, " convergence plot\"></a>\n");
    } else {
      mfh_sb_printf(&b,
                    "<p class=\"meta\">Plot not rendered: run <code>gnuplot plot.gp</code> in "
                    "<a href=\"%s/\">",
                    h);
      mfh_sb_esc(&b, r->id, MFH_ESC_HTML);
      mfh_sb_puts(&b, "/</a>.</p>\n");
    }
    mfh_sb_printf(&b,
                  "<div class=\"links\"><a href=\"%s/summary.md\">summary.md</a>"
                  "<a href=\"%s/results.json\">results.json</a>",
                  h, h);
    if (rendered[i]) mfh_sb_printf(&b, "<a href=\"%s/plot.svg\">plot.svg</a>", h);
    mfh_sb_printf(&b, "<a href=\"%s/plot.gp\">plot.gp</a></div>\n</section>\n", h);
    mfh_sb_free(&href);
  }
  mfh_sb_puts(&b, "</main>\n</body>\n</html>\n");
  return mfh_sb_save(&b, ctx->dir, "index.html", err);
}

const mfh_writer_type mfh_writer_html = {
    .name = "html",
    .doc = "index.html: every check of the run, each study's plot and files",
    .scope = MFH_WRITER_RUN,
    .files = "index.html",
    .write = write_index_html,
};
