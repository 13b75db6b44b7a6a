/* The study summary.md writer: what was run, the verdict, the plot (when it
 * was drawn), the table of checks, and per series the fit, the proved rate
 * and the points with their local orders. */
#include <math.h>
#include <stdio.h>

#include "report/markdown.h"
#include "report/model.h"
#include "report/numfmt.h"
#include "report/sbuf.h"
#include "report/writer.h"

static void md_fit(mfh_sbuf *b, const mfh_series *s) {
  const mfh_fit_result *f = &s->fit;
  char a[40], c[40], d[40];
  if (!s->has_fit) {
    mfh_sb_puts(b, "- Fit: none\n");
  } else {
    const char *model = f->model == MFH_FIT_POWER_LOG ? "power law with log factor"
                        : f->model == MFH_FIT_EXP     ? "exponential C e^(s x)"
                                                      : "power law";
    mfh_sb_printf(b, "- Fit (%s, %s): %s **%s**", model, f->weighted ? "weighted" : "unweighted",
                  slope_word(s), mfh_fmt_hnum(a, f->slope));
    if (isfinite(ci_half(f)))
      mfh_sb_printf(b, " ± %s (%.0f%% CI [%s, %s])", mfh_fmt_hnum(a, ci_half(f)), 100 * f->level,
                    mfh_fmt_hnum(c, f->slope_lo), mfh_fmt_hnum(d, f->slope_hi));
    else
      mfh_sb_puts(b, " (no confidence interval)");
    mfh_sb_printf(b, ", from %zu of %zu points", f->n_used, f->n);
    if (f->n_excluded_pre)
      mfh_sb_printf(b, " (%zu %s point%s excluded)", f->n_excluded_pre,
                    is_exp(s) ? "leading" : "coarse", f->n_excluded_pre == 1 ? "" : "s");
    mfh_sb_printf(b, "; R² %s", mfh_fmt_hnum(a, f->r2));
    if (isfinite(f->chi2_dof)) mfh_sb_printf(b, ", χ²/dof %s", mfh_fmt_hnum(a, f->chi2_dof));
    if (f->flags) {
      mfh_sb_puts(b, "; flags:");
      for (unsigned k = 0; k < 32; k++)
        if (f->flags & (1u << k)) {
          const char *nm = mfh_report_fit_flag(1u << k);
          if (nm)
            mfh_sb_printf(b, " %s", nm);
          else
            mfh_sb_printf(b, " unknown_bit_%u", k);
        }
    }
    if (f->note[0]) {
      mfh_sb_puts(b, ". ");
      mfh_sb_esc(b, f->note, MFH_ESC_LINE);
    }
    mfh_sb_putc(b, '\n');
  }
  if (s->has_proved && is_exp(s)) {
    mfh_sb_printf(b, "- %s growth: e^(%s ", s->proved_reported ? "Reported (labelled, not proved)" : "Proved",
                  mfh_fmt_hnum(a, s->proved_slope));
    mfh_sb_esc(b, s->axis, MFH_ESC_MD);
    mfh_sb_printf(b, ") (exponent ≤ %s)\n", mfh_fmt_hnum(c, s->proved_slope));
  } else if (s->has_proved) {
    mfh_fmt_rate(a, sizeof a, s->proved_slope);
    mfh_sb_puts(b, s->proved_reported ? "- Reported rate (labelled, not proved): " : "- Proved rate: ");
    mfh_sb_esc(b, s->axis, MFH_ESC_MD);
    mfh_sb_printf(b, "^%s%s", a, s->proved_log ? " × log " : "");
    if (s->proved_log) mfh_sb_esc(b, s->axis, MFH_ESC_MD);
    mfh_sb_printf(b, " (slope %s)\n", mfh_fmt_hnum(c, s->proved_slope));
  }
  if (s->bound) {
    mfh_sb_puts(b, "- Explicit bound: ");
    mfh_sb_esc(b, s->bound_label[0] ? s->bound_label : "(unnamed)", MFH_ESC_MD);
    mfh_sb_putc(b, '\n');
  }
}

void mfh_md_checks_table(mfh_sbuf *b, const mfh_study_result *const *st, size_t n, int with_study) {
  mfh_sb_puts(b, with_study
                     ? "| Study | Check | Kind | Verdict | Summary |\n|---|---|---|---|---|\n"
                     : "| Check | Kind | Verdict | Summary |\n|---|---|---|---|\n");
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < st[i]->nchecks; c++) {
      const mfh_check_result *ck = &st[i]->checks[c];
      mfh_sb_puts(b, "| ");
      if (with_study) {
        mfh_sb_puts(b, "[");
        mfh_sb_esc(b, st[i]->id, MFH_ESC_MD);
        mfh_sb_puts(b, "](");
        mfh_sb_url(b, st[i]->id);
        mfh_sb_puts(b, "/summary.md) | ");
      }
      mfh_sb_esc(b, ck->name, MFH_ESC_MD);
      mfh_sb_puts(b, " | ");
      mfh_sb_esc(b, ck->kind, MFH_ESC_MD);
      const char *v = mfh_verdict_text(ck->verdict);
      mfh_sb_puts(b, " | **");
      for (const char *p = v; *p; p++) mfh_sb_putc(b, (char)(*p - 'a' + 'A'));
      mfh_sb_puts(b, "** | ");
      mfh_sb_esc(b, ck->summary, MFH_ESC_MD);
      mfh_sb_puts(b, " |\n");
    }
}

static int write_summary_md(mfh_writer_ctx *ctx, mfh_err *err) {
  const mfh_study_result *r = ctx->study;
  mfh_sbuf b = {0};
  char a[40], c[40], d[40], e[40], f[40], h[40];
  mfh_sb_puts(&b, "# ");
  mfh_sb_esc(&b, r->title[0] ? r->title : r->id, MFH_ESC_LINE);
  mfh_sb_puts(&b, "\n\n");
  const char *labels[] = {"Study id", "Theorem", "Source",    "Study file",
                          "Profile",  "Solver",  "Observable"};
  const char *vals[] = {r->id,      r->theorem, r->source,    r->file,
                        r->profile, r->solver,  r->observable};
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
    if (!vals[i][0]) continue;
    mfh_sb_printf(&b, "- %s: ", labels[i]);
    mfh_sb_esc(&b, vals[i], MFH_ESC_LINE);
    mfh_sb_putc(&b, '\n');
  }
  mfh_sb_printf(&b, "- Tasks: %zu (cached %zu, run %zu, failed %zu); solver time %s s\n", r->ntasks,
                r->ntasks_cached, r->ntasks_run, r->ntasks_failed, mfh_fmt_hnum(a, r->elapsed_s));
  const char *worst = mfh_verdict_text(mfh_study_result_worst(r));
  mfh_sb_puts(&b, "- Verdict: **");
  for (const char *p = worst; *p; p++) mfh_sb_putc(&b, (char)(*p - 'a' + 'A'));
  mfh_sb_puts(&b, "**\n");
  if (r->note[0]) {
    mfh_sb_puts(&b, "- Note: ");
    mfh_sb_esc(&b, r->note, MFH_ESC_LINE);
    mfh_sb_putc(&b, '\n');
  }
  mfh_sb_puts(&b, ctx->rendered ? "\n![plot](plot.png)\n"
                                : "\n(Plot not rendered: run `gnuplot plot.gp` in this folder.)\n");
  mfh_sb_puts(&b, "\n## Checks\n\n");
  if (r->nchecks) {
    const mfh_study_result *one[1] = {r};
    mfh_md_checks_table(&b, one, 1, 0);
  } else {
    mfh_sb_puts(&b, "No checks.\n");
  }
  for (size_t k = 0; k < r->nseries; k++) {
    const mfh_series *s = &r->series[k];
    mfh_sb_printf(&b, "\n## Series %zu: ", k + 1);
    mfh_sb_esc(&b, s->measure, MFH_ESC_LINE);
    mfh_sb_puts(&b, " vs ");
    mfh_sb_esc(&b, s->axis, MFH_ESC_LINE);
    if (s->label[0]) {
      mfh_sb_puts(&b, " (");
      mfh_sb_esc(&b, s->label, MFH_ESC_LINE);
      mfh_sb_puts(&b, ")");
    }
    mfh_sb_puts(&b, "\n\n");
    md_fit(&b, s);
    mfh_sb_puts(&b, "\n| ");
    mfh_sb_esc(&b, s->axis, MFH_ESC_MD);
    mfh_sb_puts(&b, " | mean | se | sd | nrep | failed | used in fit |");
    if (s->bound) mfh_sb_puts(&b, " bound |");
    mfh_sb_puts(&b, is_exp(s) ? " local exponent |\n" : " local order |\n");
    mfh_sb_puts(&b, "|---:|---:|---:|---:|---:|---:|:---:|");
    if (s->bound) mfh_sb_puts(&b, "---:|");
    mfh_sb_puts(&b, "---:|\n");
    for (size_t i = 0; i < s->n; i++) {
      const mfh_point_stats *p = &s->pts[i];
      mfh_sb_printf(&b, "| %s | %s | %s | %s | %zu | %zu | %s |", mfh_fmt_hnum(a, p->x),
                    mfh_fmt_hnum(c, p->mean), mfh_fmt_hnum(d, p->se), mfh_fmt_hnum(e, p->sd),
                    p->nrep, p->nfailed,
                    !s->has_fit     ? "-"
                    : pt_used(s, i) ? "yes"
                                    : "no");
      if (s->bound) mfh_sb_printf(&b, " %s |", mfh_fmt_hnum(f, s->bound[i]));
      double lo = i > 0 && s->has_fit && s->fit.local && i < s->fit.n ? s->fit.local[i - 1] : NAN;
      mfh_sb_printf(&b, " %s |\n", i > 0 && s->has_fit && s->fit.local ? mfh_fmt_hnum(h, lo) : "");
    }
  }
  mfh_sb_puts(&b,
              "\nFiles: results.json (all numbers), plot.gp + *.dat (the plot and its data).\n");
  return mfh_sb_save(&b, ctx->dir, "summary.md", err);
}

const mfh_writer_type mfh_writer_markdown = {
    .name = "markdown",
    .doc = "summary.md: the study, its checks, each series' fit and points",
    .scope = MFH_WRITER_STUDY,
    .files = "summary.md",
    .write = write_summary_md,
};
