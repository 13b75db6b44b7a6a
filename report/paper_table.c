/* Paper tables: the run's claims in a table a researcher pastes into a
 * paper, from the numbers results.json holds (the checks' numbers).
 *
 * One row per rate or gci check (a proved or literature rate, an observed
 * order), with the explicit bound judged on the same series (its largest
 * ratio measured / bound) and the worst verdict of those checks; a series
 * judged by a bound alone gets a row of its own, and a study with neither a
 * row saying so.  Rows are grouped by theorem ID (catalogue order: as
 * strings), studies by id.  Columns: theorem | statement (the study title,
 * with the measure when a study has several rows) | proved | observed +/-
 * the half-width of its confidence interval | bound (max ratio) | verdict.
 *
 * Two writers of the run folder: table_latex (table.tex: a booktabs table
 * environment; needs \usepackage{booktabs} and tabularx) and table_markdown (table.md);
 * mfh_report_paper_table gives the same text to `mfh report --table`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/numfmt.h"
#include "report/report.h"
#include "report/sbuf.h"
#include "report/writer.h"

typedef struct row {
  const mfh_study_result *r;
  const mfh_check_result *claim; /* rate or gci; NULL for a bound-only row or an empty study */
  int series;                    /* -1: none */
  double ratio;                  /* largest max_ratio of the bound checks on the series; NaN: none */
  int verdict;
  int first_of_study, study_rows;
  int axes;                      /* the study's rows are on several axes: name the axis too */
} row;

static double num(const mfh_check_result *c, const char *name) {
  const double *v = c ? mfh_values_get(&c->numbers, name) : NULL;
  return v ? *v : NAN;
}

/* Severity order of verdicts, as mfh_study_result_worst: pass < inconclusive < error < fail. */
static int severity(int v) { return v == MFH_PASS ? 0 : v == MFH_INCONCLUSIVE ? 1 : v == MFH_FAIL ? 3 : 2; }
static int worse(int a, int b) { return severity(b) > severity(a) ? b : a; }

static int is_claim(const mfh_check_result *c) { return !strcmp(c->kind, "rate") || !strcmp(c->kind, "gci"); }

/* The bound checks of series k: their largest ratio and worst verdict into row w. */
static void bounds_of(const mfh_study_result *r, int k, row *w) {
  for (size_t j = 0; j < r->nchecks; j++) {
    const mfh_check_result *b = &r->checks[j];
    if (strcmp(b->kind, "bound") != 0 || b->series != k || k < 0) continue;
    double q = num(b, "max_ratio");
    if (isfinite(q) && !(q <= w->ratio)) w->ratio = q;
    w->verdict = worse(w->verdict, b->verdict);
  }
}

static int cmp_study(const void *a, const void *b) {
  const mfh_study_result *x = *(const mfh_study_result *const *)a, *y = *(const mfh_study_result *const *)b;
  int t = strcmp(x->theorem, y->theorem);
  return t ? t : strcmp(x->id, y->id);
}

/* The rows of n studies (malloc'd, *nrows), grouped by theorem. */
static row *rows_of(const mfh_study_result *const *st, size_t n, size_t *nrows) {
  const mfh_study_result **sorted = malloc((n ? n : 1) * sizeof *sorted);
  size_t cap = 1;
  for (size_t i = 0; i < n; i++) cap += st[i]->nchecks + 1;
  row *rows = calloc(cap, sizeof *rows);
  if (!sorted || !rows) {
    free(sorted);
    free(rows);
    return NULL;
  }
  memcpy(sorted, st, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, cmp_study);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    const mfh_study_result *r = sorted[i];
    size_t start = m;
    for (size_t j = 0; j < r->nchecks; j++) { /* the claims */
      const mfh_check_result *c = &r->checks[j];
      if (!is_claim(c)) continue;
      row *w = &rows[m++];
      *w = (row){r, c, c->series, NAN, c->verdict, 0, 0, 0};
      bounds_of(r, c->series, w);
    }
    for (size_t j = 0; j < r->nchecks; j++) { /* series with a bound and no claim */
      const mfh_check_result *b = &r->checks[j];
      int k = b->series, seen = 0;
      if (strcmp(b->kind, "bound") != 0 || k < 0) continue;
      for (size_t q = start; q < m; q++) seen |= rows[q].series == k;
      if (seen) continue;
      row *w = &rows[m++];
      *w = (row){r, NULL, k, NAN, MFH_PASS, 0, 0, 0};
      bounds_of(r, k, w);
    }
    if (m == start) rows[m++] = (row){r, NULL, -1, NAN, mfh_study_result_worst(r), 0, 0, 0};
    rows[start].first_of_study = 1;
    int axes = 0;
    for (size_t q = start; q < m; q++)
      axes |= rows[q].series >= 0 && rows[start].series >= 0 &&
              strcmp(r->series[rows[q].series].axis, r->series[rows[start].series].axis) != 0;
    for (size_t q = start; q < m; q++) {
      rows[q].study_rows = (int)(m - start);
      rows[q].axes = axes;
    }
  }
  free(sorted);
  *nrows = m;
  return rows;
}

/* A literature rate's label: the summary up to " slope" / " exponent" (as
 * checks/rate.c writes it), else "literature". */
static void claim_label(const mfh_check_result *c, char *buf, size_t n) {
  const char *s = c->summary, *e = strstr(s, " slope ");
  const char *x = strstr(s, " exponent");
  if (!e || (x && x < e)) e = x;
  if (e && e > s && (size_t)(e - s) < n)
    snprintf(buf, n, "%.*s", (int)(e - s), s);
  else
    snprintf(buf, n, "literature");
}

/* What tells a study's rows apart: "(measure[ vs axis][; literature label])",
 * escaped with mode. */
static void row_note(mfh_sbuf *b, const row *w, int mode) {
  mfh_sb_puts(b, "(");
  mfh_sb_esc(b, w->r->series[w->series].measure, mode);
  if (w->axes) {
    mfh_sb_puts(b, " vs ");
    mfh_sb_esc(b, w->r->series[w->series].axis, mode);
  }
  if (w->claim && num(w->claim, "asserted") == 0) {
    char lab[96];
    claim_label(w->claim, lab, sizeof lab);
    mfh_sb_puts(b, "; ");
    mfh_sb_esc(b, lab, mode);
  }
  mfh_sb_puts(b, ")");
}

/* ---- LaTeX ------------------------------------------------------------------- */

/* An axis name in math mode: dt, eps, hbar as the symbols papers use. */
static void tex_axis(mfh_sbuf *b, const char *axis) {
  static const struct {
    const char *name, *tex;
  } sym[] = {{"dt", "\\Delta t"}, {"eps", "\\varepsilon"}, {"epsilon", "\\varepsilon"}, {"hbar", "\\hbar"},
             {"N", "N"},          {"n", "n"},              {"t", "t"},                   {"h", "h"},
             {"M", "M"},          {"d", "d"}};
  for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++)
    if (!strcmp(axis, sym[i].name)) {
      mfh_sb_puts(b, sym[i].tex);
      return;
    }
  mfh_sb_puts(b, "\\mathrm{");
  mfh_sb_esc(b, axis, MFH_ESC_TEX);
  mfh_sb_puts(b, "}");
}

static const char *axis_of(const row *w) { return w->series >= 0 ? w->r->series[w->series].axis : ""; }

static void tex_proved(mfh_sbuf *b, const row *w) {
  const mfh_check_result *c = w->claim;
  char p[40];
  if (!c) {
    mfh_sb_puts(b, "--");
    return;
  }
  int gci = !strcmp(c->kind, "gci");
  double v = num(c, gci ? "order" : "proved");
  if (!isfinite(v)) {
    mfh_sb_puts(b, "--");
    return;
  }
  mfh_fmt_rate(p, sizeof p, v);
  if (num(c, "exp_model") == 1) {
    mfh_sb_printf(b, "$\\le e^{%s\\,", p);
    tex_axis(b, axis_of(w));
    mfh_sb_puts(b, "}$");
  } else {
    mfh_sb_puts(b, "${");
    tex_axis(b, axis_of(w));
    mfh_sb_printf(b, "}^{%s}", p);
    if (num(c, "log") == 1) {
      mfh_sb_puts(b, "\\log ");
      tex_axis(b, axis_of(w));
    }
    mfh_sb_puts(b, "$");
  }
  if (num(c, "asserted") == 0) mfh_sb_puts(b, "$^\\dagger$");
  if (gci) mfh_sb_puts(b, "$^\\ddagger$");
}

/* "observed +/- half-width", or the gci order; plain text for markdown. */
static int observed(const row *w, double *v, double *h) {
  const mfh_check_result *c = w->claim;
  *v = *h = NAN;
  if (!c) return 0;
  if (!strcmp(c->kind, "gci")) {
    *v = num(c, "p");
    return isfinite(*v);
  }
  *v = num(c, "slope");
  *h = 0.5 * (num(c, "slope_hi") - num(c, "slope_lo"));
  return isfinite(*v);
}

static const char *verdict_word(int v) { return mfh_report_verdict_class(v); }

static int marks_of(const row *rows, size_t n);
static double common_level(const row *rows, size_t n);

/* How a row is written in one language. */
typedef struct lang {
  int esc;                                   /* enum mfh_esc */
  const char *open, *sep, *close;            /* row start, between cells, row end */
  const char *none;                          /* an empty cell */
  const char *note_first, *note_next, *note_end; /* around a study's row note */
  const char *pm, *one;                      /* observed +/- half-width; observed alone */
  const char *strong, *strong_end;           /* around a failing verdict */
  void (*proved)(mfh_sbuf *b, const row *w);
  /* the caption's symbols: plus-minus, percent, e^{s t}, the two footnote marks, "et al." */
  const char *c_pm, *c_percent, *c_exp, *c_dagger, *c_ddagger, *c_etal;
} lang;

/* The caption (the same words in both languages). */
static void caption(mfh_sbuf *b, const lang *l, const row *rows, size_t n, const char *profile) {
  double lv = common_level(rows, n);
  int marks = marks_of(rows, n);
  mfh_sb_puts(b, "Convergence rates observed by mfh");
  if (profile && profile[0]) {
    mfh_sb_puts(b, " (profile ");
    mfh_sb_esc(b, profile, l->esc);
    mfh_sb_puts(b, ")");
  }
  mfh_sb_printf(b, " against the proved ones.  Observed: the fitted log-log slope %s the half-width of its ", l->c_pm);
  if (isfinite(lv))
    mfh_sb_printf(b, "%g%s confidence interval", 100 * lv, l->c_percent);
  else
    mfh_sb_puts(b, "stated confidence interval");
  mfh_sb_printf(b,
                " (exponent of %s for growth rates).  Bound: the largest ratio measured / explicit bound over the "
                "sweep (at most 1 when the bound holds).  Verdict: the worst of the rate's and the bound's.",
                l->c_exp);
  if (marks & 1) mfh_sb_printf(b, "  %sA literature rate, reported, not asserted.", l->c_dagger);
  if (marks & 2)
    mfh_sb_printf(b,
                  "  %sObserved order of the three finest levels (Richardson extrapolation, Roache's GCI; Celik %s "
                  "2008), no interval.",
                  l->c_ddagger, l->c_etal);
}

static void put_row(mfh_sbuf *b, const lang *l, const row *w, int new_theorem) {
  mfh_sb_puts(b, l->open);
  if (new_theorem) mfh_sb_esc(b, w->r->theorem[0] ? w->r->theorem : l->none, l->esc);
  mfh_sb_puts(b, l->sep);
  if (w->first_of_study) mfh_sb_esc(b, w->r->title[0] ? w->r->title : w->r->id, l->esc);
  if (w->study_rows > 1 && w->series >= 0) {
    mfh_sb_puts(b, w->first_of_study ? l->note_first : l->note_next);
    row_note(b, w, l->esc);
    mfh_sb_puts(b, l->note_end);
  }
  mfh_sb_puts(b, l->sep);
  l->proved(b, w);
  mfh_sb_puts(b, l->sep);
  double v, h;
  if (!observed(w, &v, &h))
    mfh_sb_puts(b, l->none);
  else if (isfinite(h))
    mfh_sb_printf(b, l->pm, v, h);
  else
    mfh_sb_printf(b, l->one, v);
  mfh_sb_puts(b, l->sep);
  if (isfinite(w->ratio))
    mfh_sb_printf(b, "%.3g", w->ratio);
  else
    mfh_sb_puts(b, l->none);
  mfh_sb_puts(b, l->sep);
  int strong = w->verdict == MFH_FAIL || w->verdict == MFH_CHECK_ERROR;
  mfh_sb_printf(b, "%s%s%s%s", strong ? l->strong : "", verdict_word(w->verdict), strong ? l->strong_end : "",
                l->close);
}

static const lang TEX = {MFH_ESC_TEX, "", " & ", " \\\\\n", "--", " {\\footnotesize", "\\quad {\\footnotesize", "}",
                         "$%.3f \\pm %.3f$", "$%.3f$", "\\textbf{", "}", tex_proved,
                         "$\\pm$", "\\%", "$e^{s t}$", "$^\\dagger$", "$^\\ddagger$", "et al.\\"};

/* Footnote marks used by the rows: bit 1 literature rate, bit 2 gci. */
static int marks_of(const row *rows, size_t n) {
  int m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!rows[i].claim) continue;
    if (num(rows[i].claim, "asserted") == 0) m |= 1;
    if (!strcmp(rows[i].claim->kind, "gci")) m |= 2;
  }
  return m;
}

/* The confidence level shared by every rate row (NaN when they differ). */
static double common_level(const row *rows, size_t n) {
  double lv = NAN;
  for (size_t i = 0; i < n; i++) {
    if (!rows[i].claim || strcmp(rows[i].claim->kind, "rate") != 0) continue;
    double l = num(rows[i].claim, "level");
    if (!isfinite(l)) continue;
    if (isnan(lv))
      lv = l;
    else if (l != lv)
      return NAN;
  }
  return isnan(lv) ? 0.95 : lv;
}

/* Rows a page holds in a table float (beyond: a comment says what to do). */
#define PAGE_ROWS 40

static void tex_table(mfh_sbuf *b, const row *rows, size_t n, const char *profile) {
  mfh_sb_puts(b,
              "% table.tex: written by mfh from the checks' numbers (results.json).\n"
              "% Needs \\usepackage{booktabs} and \\usepackage{tabularx} in the preamble; the\n"
              "% statement column takes the width the others leave on the line.\n");
  if (n > PAGE_ROWS)
    mfh_sb_printf(b,
                  "%% %zu rows: more than a page holds.  Report the run of the paper's studies alone\n"
                  "%% (mfh report RUNDIR --table latex), or use xltabular for a table across pages.\n",
                  n);
  mfh_sb_puts(b,
              "\\begin{table}[ht]\n\\centering\n\\small\n\\setlength{\\tabcolsep}{4pt}\n"
              "\\begin{tabularx}{\\linewidth}{@{}lXllll@{}}\n\\toprule\n"
              "Theorem & Statement & Proved & Observed & Bound & Verdict \\\\\n");
  const char *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    int new_theorem = !prev || strcmp(prev, rows[i].r->theorem) != 0;
    if (new_theorem) mfh_sb_puts(b, "\\midrule\n");
    put_row(b, &TEX, &rows[i], new_theorem);
    prev = rows[i].r->theorem;
  }
  if (!n) mfh_sb_puts(b, "\\midrule\n\\multicolumn{6}{@{}l}{no studies} \\\\\n");
  mfh_sb_puts(b, "\\bottomrule\n\\end{tabularx}\n\\caption{");
  caption(b, &TEX, rows, n, profile);
  mfh_sb_puts(b, "}\n\\label{tab:mfh}\n\\end{table}\n");
}

/* ---- Markdown ---------------------------------------------------------------- */

static void md_proved(mfh_sbuf *b, const row *w) {
  const mfh_check_result *c = w->claim;
  int gci = c && !strcmp(c->kind, "gci");
  double v = num(c, gci ? "order" : "proved");
  char p[40];
  if (!c || !isfinite(v)) {
    mfh_sb_puts(b, "-");
    return;
  }
  mfh_fmt_rate(p, sizeof p, v);
  const char *ax = axis_of(w);
  if (num(c, "exp_model") == 1) {
    mfh_sb_printf(b, "<= e^(%s ", p);
    mfh_sb_esc(b, ax, MFH_ESC_MD);
    mfh_sb_puts(b, ")");
  } else {
    mfh_sb_esc(b, ax, MFH_ESC_MD);
    mfh_sb_printf(b, "^(%s)", p);
    if (num(c, "log") == 1) {
      mfh_sb_puts(b, " log ");
      mfh_sb_esc(b, ax, MFH_ESC_MD);
    }
  }
  if (num(c, "asserted") == 0) mfh_sb_puts(b, " †");
  if (gci) mfh_sb_puts(b, " ‡");
}

static const lang MD = {MFH_ESC_MD, "| ", " | ", " |\n", "-", " ", "", "", "%.3f ± %.3f", "%.3f", "**", "**",
                        md_proved, "±", "%", "e^(s t)", "† ", "‡ ", "et al."};

static void md_table(mfh_sbuf *b, const row *rows, size_t n, const char *profile) {
  mfh_sb_puts(b,
              "| Theorem | Statement | Proved | Observed | Bound (max ratio) | Verdict |\n"
              "|---|---|---|---|---|---|\n");
  const char *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    put_row(b, &MD, &rows[i], !prev || strcmp(prev, rows[i].r->theorem) != 0);
    prev = rows[i].r->theorem;
  }
  mfh_sb_puts(b, "\n");
  caption(b, &MD, rows, n, profile);
  mfh_sb_puts(b, "\n");
}

/* ---- entry points -------------------------------------------------------------- */

/* The profile every study shares ("" when they differ). */
static const char *profile_of(const mfh_study_result *const *st, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (strcmp(st[i]->profile, st[0]->profile) != 0) return "";
  return n ? st[0]->profile : "";
}

static int build(const mfh_study_result *const *st, size_t n, int latex, mfh_sbuf *b, mfh_err *err) {
  size_t nrows = 0;
  row *rows = rows_of(st, n, &nrows);
  if (!rows) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (latex)
    tex_table(b, rows, nrows, profile_of(st, n));
  else
    md_table(b, rows, nrows, profile_of(st, n));
  free(rows);
  return b->oom ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

int mfh_report_paper_table(const mfh_study_result *const *st, size_t n, const char *format, char **text,
                           mfh_err *err) {
  *text = NULL;
  int latex = !strcmp(format, "latex");
  if (!latex && strcmp(format, "markdown") != 0)
    return mfh_err_set(err, MFH_EUSAGE, "table format must be latex or markdown (got '%s')", format);
  mfh_sbuf b = {0};
  int rc = build(st, n, latex, &b, err);
  if (!rc) {
    *text = strdup(mfh_sb_str(&b));
    if (!*text) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  mfh_sb_free(&b);
  return rc;
}

/* The run folder's table in one language. */
static int write_table(mfh_writer_ctx *ctx, int latex, const char *name, mfh_err *err) {
  mfh_sbuf b = {0};
  int rc = build(ctx->studies, ctx->nstudies, latex, &b, err);
  if (rc) {
    mfh_sb_free(&b);
    return rc;
  }
  return mfh_sb_save(&b, ctx->dir, name, err);
}

static int write_latex(mfh_writer_ctx *ctx, mfh_err *err) { return write_table(ctx, 1, "table.tex", err); }
static int write_markdown(mfh_writer_ctx *ctx, mfh_err *err) { return write_table(ctx, 0, "table.md", err); }

const mfh_writer_type mfh_writer_table_latex = {
    .name = "table_latex",
    .doc = "table.tex: the run's rates as a booktabs table for a paper (theorem, statement, proved, observed, "
           "bound, verdict)",
    .scope = MFH_WRITER_RUN,
    .files = "table.tex",
    .write = write_latex,
};

const mfh_writer_type mfh_writer_table_markdown = {
    .name = "table_markdown",
    .doc = "table.md: the same table in Markdown",
    .scope = MFH_WRITER_RUN,
    .files = "table.md",
    .write = write_markdown,
};
