/* Reports: per-study folder, run-level index/junit/summary, terminal table.
 *
 * results.json (one per study folder), schema "mfh-results/1".  Numbers are
 * written with 17 significant digits; NaN and +-Inf become null.  Keys keep
 * the order shown.
 *
 * {
 *   "schema": "mfh-results/1",
 *   "study": { "id", "title", "theorem", "source", "file", "profile",
 *              "solver", "observable", "note" },            all strings
 *   "verdict": "pass" | "fail" | "inconclusive" | "error",  worst check verdict
 *   "tasks": { "total", "cached", "run", "failed": integers,
 *              "elapsed_s": number (wall time of the solver runs) },
 *   "series": [ {
 *       "index": integer (0-based, what checks[].series refers to),
 *       "axis": "N", "measure": "wpp", "label": "E W_1(mu_N, mu)",
 *       "proved": null | { "slope": number, "log": bool },  slope: the exponent
 *                    s of x^s, or of e^{s x} when fit.model is "exp" (log unused)
 *       "bound_label": null (no explicit bound) | string,
 *       "points": [ { "x", "mean", "sd", "se", "min", "max": number|null,
 *                     "nrep", "nfailed": integer,
 *                     "used": bool (entered the fit; false when no fit),
 *                     "bound": number|null } ],              coarse to fine
 *       "fit": null | {
 *           "model": "power" (y = C x^s) | "power_log" (C x^s log x) |
 *                    "exp" (C e^{s x}: log y linear in x; slope = exponent s),
 *           "n", "n_used", "n_excluded_pre": integer,
 *           "used": [bool] (n),
 *           "weighted": bool,
 *           "slope", "slope_se", "slope_lo", "slope_hi",
 *           "intercept", "intercept_se", "cov", "r2", "chi2_dof",
 *           "t_crit", "level": number|null,
 *           "local": [number|null] (n - 1 local orders: d log y / d log x,
 *                    or d log y / dx for "exp"),
 *           "flags": [ "nonfinite" | "nonpositive" | "not_decreasing" | "floor" |
 *                      "too_few" | "preasymptotic" | "unknown_bit_<k>" ],
 *           "flags_value": integer (the raw bit set),
 *           "note": string } } ],
 *   "checks": [ { "kind", "name", "verdict", "summary": string,
 *                 "series": integer|null,
 *                 "numbers": { "<name>": number|null, ... } } ]
 * }
 *
 * The same schema, with explanations, is in docs/results-schema.md. */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fsutil.h"
#include "report/model.h"
#include "report/numfmt.h"
#include "report/sbuf.h"

/* ---- data files --------------------------------------------------------------- */

/* Base name of series k's data files: "s<k+1>-<axis>-<measure>", made of
 * [A-Za-z0-9._-] only (safe in gnuplot strings and every file system). */
static void series_base(char *buf, size_t n, size_t k, const mfh_series *s) {
  snprintf(buf, n, "s%zu-%.40s-%.40s", k + 1, s->axis, s->measure);
  for (char *p = buf; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '.' || *p == '-' || *p == '_'))
      *p = '_';
}

static int write_series_data(const mfh_study_result *r, size_t k, const mfh_plot_geom *g,
                             const char *dir, mfh_err *err) {
  const mfh_series *s = &r->series[k];
  char base[128], name[160], a[40], b[40], c[40], d[40];
  series_base(base, sizeof base, k, s);
  mfh_sbuf o = {0};
  mfh_sb_puts(&o, "# mfh study ");
  mfh_sb_esc(&o, r->id, MFH_ESC_LINE);
  mfh_sb_printf(&o, ": series %zu of %zu: ", k + 1, r->nseries);
  mfh_sb_esc(&o, s->measure, MFH_ESC_LINE);
  mfh_sb_puts(&o, " vs ");
  mfh_sb_esc(&o, s->axis, MFH_ESC_LINE);
  mfh_sb_puts(&o, "\n# label: ");
  mfh_sb_esc(&o, s->label, MFH_ESC_LINE);
  mfh_sb_putc(&o, '\n');
  if (s->has_fit)
    mfh_sb_printf(&o, "# fit%s: %s %s, interval [%s, %s] at level %s, %zu of %zu points used\n",
                  is_exp(s) ? " y = C e^(s x)" : "", slope_word(s), mfh_fmt_g17(a, s->fit.slope),
                  mfh_fmt_g17(b, s->fit.slope_lo), mfh_fmt_g17(c, s->fit.slope_hi),
                  mfh_fmt_g17(d, s->fit.level), s->fit.n_used, s->fit.n);
  mfh_sb_puts(&o,
          "# columns: x mean se sd nrep nfailed used bound fit band_lo band_hi\n"
          "#   x: value of the swept parameter; mean, se, sd: replica statistics\n"
          "#   nrep: replicas with a finite value; nfailed: replicas missing or failed\n"
          "#   used: 1 if the point entered the rate fit (0 if excluded or no fit)\n"
          "#   bound: explicit bound at x; fit: fitted line at x; band_lo, band_hi: its\n"
          "#   confidence band (NaN where there is none)\n");
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    double fit = NAN, lo = NAN, hi = NAN;
    if (s->has_fit && x_ok(is_exp(s), p->x)) {
      fit = mfh_fit_predict(&s->fit, p->x);
      double hw = mfh_fit_band_halfwidth_log(&s->fit, p->x);
      if (isfinite(fit) && isfinite(hw)) {
        lo = fit * exp(-hw);
        hi = fit * exp(hw);
      }
    }
    char v[8][40];
    mfh_sb_printf(&o, "%s %s %s %s %zu %zu %d %s %s %s %s\n", mfh_fmt_g17(v[0], p->x),
                  mfh_fmt_g17(v[1], p->mean), mfh_fmt_g17(v[2], p->se), mfh_fmt_g17(v[3], p->sd),
                  p->nrep, p->nfailed, pt_used(s, i),
                  mfh_fmt_g17(v[4], s->bound ? s->bound[i] : NAN), mfh_fmt_g17(v[5], fit),
                  mfh_fmt_g17(v[6], lo), mfh_fmt_g17(v[7], hi));
  }
  snprintf(name, sizeof name, "%s.dat", base);
  int rc = mfh_sb_save(&o, dir, name, err);
  if (rc || !(g->line || g->proved || g->expn)) return rc;

  mfh_sb_puts(&o, "# mfh study ");
  mfh_sb_esc(&o, r->id, MFH_ESC_LINE);
  mfh_sb_printf(&o, ": series %zu: curves for plotting, %s in x\n", k + 1,
            g->xlin ? "evenly spaced" : "log-spaced");
  mfh_sb_printf(&o,
            "# columns: x fit band_lo band_hi proved%s\n"
            "#   fit, band_lo, band_hi: fitted line and confidence band over the fitted\n"
            "#   range (NaN elsewhere; band clipped at a factor e^200)\n"
            "#   proved: proved rate through the fitted line at the first fitted point\n",
            g->expn ? " expansion" : "");
  if (g->expn)
    mfh_sb_puts(
        &o, "#   expansion: the `expansion` check's fitted sum c_k x^p_k (NaN outside the data)\n");
  if (is_exp(s))
    mfh_sb_puts(&o, "#   (exponential model: proved = y0 e^(p (x - x0)), fit = C e^(s x))\n");
  for (size_t j = 0; j < g->ncurve; j++) {
    char v[6][40];
    mfh_sb_printf(&o, "%s %s %s %s %s", mfh_fmt_g17(v[0], g->cx[j]), mfh_fmt_g17(v[1], g->cfit[j]),
                  mfh_fmt_g17(v[2], g->clo[j]), mfh_fmt_g17(v[3], g->chi[j]),
                  mfh_fmt_g17(v[4], g->cref[j]));
    if (g->expn) mfh_sb_printf(&o, " %s", mfh_fmt_g17(v[5], g->cexp[j]));
    mfh_sb_puts(&o, "\n");
  }
  snprintf(name, sizeof name, "%s.curve.dat", base);
  return mfh_sb_save(&o, dir, name, err);
}

/* ---- plot.gp -------------------------------------------------------------------- */

#define C_POINTS "#1f5fa8"
#define C_FIT "#e8590c"
#define C_PROVED "#2b8a3e"
#define C_BOUND "#7048a8"
#define C_FAILED "#d62728"
#define C_EXPN "#0b7285"

/* Tic label for a log axis: "0.02", "2×10^{-5}"; on a linear axis any
 * value, 0 and negatives included ("-0.5", "0", "-3×10^{6}"). */
static void fmt_tic(char *buf, size_t n, double v) {
  double a = fabs(v);
  if (a == 0 || (a >= 1e-3 && a < 1e5)) {
    snprintf(buf, n, "%.6g", v == 0 ? 0.0 : v); /* no "-0" */
    return;
  }
  int e = (int)floor(log10(a));
  double m = a / pow(10, e);
  if (m >= 9.995) {
    m /= 10;
    e++;
  }
  const char *sign = v < 0 ? "-" : "";
  if (fabs(m - 1) < 5e-3)
    snprintf(buf, n, "%s10^{%d}", sign, e);
  else
    snprintf(buf, n, "%s%.3g×10^{%d}", sign, m, e);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Printed size of a tic label along its axis, in pixels (rough, 12 pt). */
static double tic_extent(const char *lab, int vertical) {
  if (vertical) return 16;
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)lab; *p; p++)
    if ((*p & 0xC0) != 0x80 && *p != '{' && *p != '}' && *p != '^') n++;
  return 7.5 * (double)n;
}

/* Position of v on an axis [lo, hi] as a fraction (log or linear axis). */
static double axis_frac(int lin, double v, double lo, double hi) {
  return lin ? (v - lo) / (hi - lo) : log10(v / lo) / log10(hi / lo);
}

/* 1 if labels at the ascending values v[0..n) (every one with keep[i] set)
 * do not overlap on an axis [lo, hi] of len pixels. */
static int tics_fit(const double *v, const unsigned char *keep, size_t n, double lo, double hi,
                    double len, int vertical, int lin) {
  double prev_pos = 0, prev_ext = 0;
  int have = 0;
  for (size_t i = 0; i < n; i++) {
    if (keep && !keep[i]) continue;
    char lab[64];
    fmt_tic(lab, sizeof lab, v[i]);
    double pos = axis_frac(lin, v[i], lo, hi) * len, ext = tic_extent(lab, vertical);
    if (have && pos - prev_pos < 0.5 * (ext + prev_ext) + 10) return 0;
    prev_pos = pos;
    prev_ext = ext;
    have = 1;
  }
  return 1;
}

/* Emit "set <ax>tics (...)": labelled where keep[i] (or keep NULL), else minor. */
static void emit_tics(mfh_sbuf *b, const char *ax, const double *v, const unsigned char *keep,
                      size_t n) {
  char lab[64], num[40];
  mfh_sb_printf(b, "set %stics (", ax);
  for (size_t i = 0; i < n; i++) {
    if (!keep || keep[i]) {
      fmt_tic(lab, sizeof lab, v[i]);
      mfh_sb_printf(b, "%s\"%s\" %s", i ? ", " : "", lab, mfh_fmt_g17(num, v[i]));
    } else {
      mfh_sb_printf(b, "%s\"\" %s 1", i ? ", " : "", mfh_fmt_g17(num, v[i]));
    }
  }
  mfh_sb_puts(b, ")\n");
}

/* Tics for an axis [lo, hi] of len pixels, logarithmic unless lin: at the
 * sweep values (marks, may be NULL) when they are few, thinning their
 * labels until they do not overlap; else (log) at 1-2-5-style mantissas,
 * as dense as fits, or (linear) gnuplot's own round steps. */
static void gp_tics(mfh_sbuf *b, const char *ax, double lo, double hi, const double *marks,
                    size_t nmarks, double len, int lin) {
  int vertical = ax[0] == 'y';
  if (marks && nmarks >= 1 && nmarks <= 12) {
    double v[12];
    unsigned char keep[12];
    size_t m = 0;
    for (size_t i = 0; i < nmarks; i++)
      if (x_ok(lin, marks[i]) && marks[i] >= lo && marks[i] <= hi) v[m++] = marks[i];
    qsort(v, m, sizeof *v, cmp_double);
    size_t u = 0; /* drop duplicates */
    for (size_t i = 0; i < m; i++)
      if (!u || v[i] != v[u - 1]) v[u++] = v[i];
    m = u;
    for (size_t stride = 1; m && stride <= 4; stride++) {
      for (size_t i = 0; i < m; i++) keep[i] = i % stride == 0;
      if (tics_fit(v, keep, m, lo, hi, len, vertical, lin)) {
        emit_tics(b, ax, v, keep, m);
        return;
      }
    }
  }
  if (lin) {
    mfh_sb_printf(b, "set %stics autofreq\nset format %s \"%% h\"\n", ax, ax);
    return;
  }
  static const double m1[] = {1}, m13[] = {1, 3}, m125[] = {1, 2, 5}, m1235[] = {1, 2, 3, 5, 7},
                      mfine[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9};
  static const struct {
    const double *m;
    size_t n;
  } sets[] = {{mfine, 12}, {m1235, 5}, {m125, 3}, {m13, 2}, {m1, 1}};
  double span = log10(hi / lo);
  size_t first = span > 2.5 ? 4 : span > 1.2 ? 2 : span > 0.5 ? 1 : 0;
  int e0 = (int)floor(log10(lo)) - 1, e1 = (int)ceil(log10(hi));
  if (span <= 12)
    for (size_t k = first; k < sizeof sets / sizeof sets[0]; k++) {
      double v[160];
      size_t n = 0;
      for (int e = e0; e <= e1; e++)
        for (size_t i = 0; i < sets[k].n && n < 160; i++) {
          double x = sets[k].m[i] * pow(10, e);
          if (x >= lo && x <= hi) v[n++] = x;
        }
      if (n < 2) break;
      if (tics_fit(v, NULL, n, lo, hi, len, vertical, 0)) {
        emit_tics(b, ax, v, NULL, n);
        return;
      }
    }
  mfh_sb_printf(b, "set %stics autofreq\nset format %s \"%s\"\n", ax, ax,
            span > 1 ? "10^{%L}" : "%g");
}

/* Number of UTF-8 characters in s (an estimate of its printed width). */
static size_t text_len(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80) n++;
  return n;
}

/* Enhanced-text label of a rate: "N^{-1/2}" (+ " log N"), or "e^{1.5 t}"
 * for an exponential fit.  Returns its printed length in characters. */
static size_t gp_rate_label(mfh_sbuf *b, const mfh_series *s, double p, int with_log) {
  char rate[40];
  size_t axlen = text_len(s->axis);
  if (is_exp(s)) {
    snprintf(rate, sizeof rate, "%.3g", p);
    mfh_sb_printf(b, "e^{%s ", rate);
    mfh_sb_esc(b, s->axis, MFH_ESC_GP);
    mfh_sb_puts(b, "}");
    return 2 + strlen(rate) + axlen;
  }
  mfh_fmt_rate(rate, sizeof rate, p);
  mfh_sb_esc(b, s->axis, MFH_ESC_GP);
  mfh_sb_printf(b, "^{%s}", rate);
  if (with_log) {
    mfh_sb_puts(b, "\xc2\xa0log "); /* no-break space: SVG would drop a plain one */
    mfh_sb_esc(b, s->axis, MFH_ESC_GP);
  }
  return axlen + strlen(rate) + (with_log ? 5 + axlen : 0);
}

/* One line about the fit: "observed slope -0.98 ± 0.03 (95% CI, 5/6 points) · proved -1/2"
 * ("observed exponent 0.83 ± 0.05 (...) · proved ≤ 1.5" for an exponential
 * fit); compact (for panels of a multiplot) says "pts" and drops "slope". */
static void gp_fit_line(mfh_sbuf *b, const mfh_series *s, int compact) {
  const mfh_fit_result *f = &s->fit;
  char a[40];
  if (s->has_fit && isfinite(f->slope)) {
    mfh_sb_printf(b, "observed%s%s %.3g", compact ? "" : " ", compact ? "" : slope_word(s),
                  f->slope);
    double h = ci_half(f);
    if (isfinite(h))
      mfh_sb_printf(b, " ± %.2g (%.0f%% CI", h, 100 * f->level);
    else
      mfh_sb_puts(b, " (no CI");
    mfh_sb_printf(b, ", %zu/%zu %s)", f->n_used, f->n, compact ? "pts" : "points");
    if (f->model == MFH_FIT_POWER_LOG) mfh_sb_puts(b, " with log");
  } else if (s->has_fit) {
    size_t zero = 0;
    for (size_t i = 0; i < s->n; i++)
      if (s->pts[i].nrep > 0 && s->pts[i].mean == 0) zero++;
    if (zero == s->n)
      mfh_sb_puts(b, "every value is exactly 0 (nothing to draw on a log axis)");
    else
      mfh_sb_puts(b, "no usable fit");
  } else {
    mfh_sb_puts(b, "not fitted");
  }
  if (s->has_proved && is_exp(s)) {
    mfh_sb_printf(b, "  ·  proved ≤ %.3g", s->proved_slope);
  } else if (s->has_proved) {
    mfh_fmt_rate(a, sizeof a, s->proved_slope);
    mfh_sb_printf(b, "  ·  proved %s%s", a, s->proved_log ? " with log" : "");
  }
}

/* The plot command of one panel, built element by element, and the size
 * of its key. */
typedef struct plotcmd {
  mfh_sbuf b;
  int nel;
  size_t nkey, keylen; /* titled entries, longest title (characters) */
} plotcmd;

static void pc_next(plotcmd *pc) { mfh_sb_puts(&pc->b, pc->nel++ ? ", \\\n     " : "plot "); }
static void pc_key(plotcmd *pc, size_t len) {
  pc->nkey++;
  if (len > pc->keylen) pc->keylen = len;
}

/* A rectangle of the plot area in axis fractions, and the ranges: log10 of
 * the limits, except x itself when xlin (linear x axis). */
typedef struct kbox {
  double u0, u1, v0, v1;
  int xlin;
  double lx0, lx1, ly0, ly1;
} kbox;

static size_t in_box(const kbox *k, double x, double y) {
  if (!x_ok(k->xlin, x) || !ok_pos(y)) return 0;
  double u = ((k->xlin ? x : log10(x)) - k->lx0) / (k->lx1 - k->lx0),
         v = (log10(y) - k->ly0) / (k->ly1 - k->ly0);
  return u >= k->u0 && u <= k->u1 && v >= k->v0 && v <= k->v1;
}

/* How much of the drawing (points, error bars, failure labels, lines) falls
 * inside the box: where the key must not go. */
static size_t key_hits(const mfh_series *s, const mfh_plot_geom *g, const kbox *k) {
  size_t n = 0;
  double ymin = pow(10, k->ly0);
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    if (s->bound && i + 1 < s->n && ok_pos(s->bound[i]) && ok_pos(s->bound[i + 1]))
      for (int t = 0; t <= 10; t++)
        n += in_box(k, xlerp(k->xlin, p->x, s->pts[i + 1].x, t / 10.0),
                    loglerp(s->bound[i], s->bound[i + 1], t / 10.0));
    else if (s->bound)
      n += in_box(k, p->x, s->bound[i]);
    if (!drawable(k->xlin, p)) continue;
    double lo = p->mean, hi = p->mean;
    if (has_se(p)) {
      lo = p->mean - p->se > 0 ? p->mean - p->se : ymin;
      hi = p->mean + p->se;
    }
    for (int t = 0; t <= 8; t++) n += in_box(k, p->x, loglerp(lo, hi, t / 8.0));
    if (p->nfailed) n += in_box(k, p->x, p->mean * pow(10, 0.09 * (k->ly1 - k->ly0)));
  }
  for (size_t j = 0; j < g->ncurve; j++) {
    if (g->line && j >= g->ia && j <= g->ib) n += in_box(k, g->cx[j], g->cfit[j]);
    if (g->band && j >= g->ia && j <= g->ib)
      n += in_box(k, g->cx[j], g->clo[j]) + in_box(k, g->cx[j], g->chi[j]);
    if (g->proved) n += in_box(k, g->cx[j], g->cref[j]);
  }
  return n;
}

/* Panel size in pixels (of the plot area, roughly). */
typedef struct panel_px {
  double w, h;
} panel_px;

/* Commands for one panel (series k). */
static void gp_panel(mfh_sbuf *b, const mfh_study_result *r, size_t k, const mfh_plot_geom *g,
                     int single, panel_px px) {
  const mfh_series *s = &r->series[k];
  char base[128], v1[40], v2[40], v3[40], v4[40];
  series_base(base, sizeof base, k, s);
  mfh_sb_printf(b, "\n# ---- series %zu: ", k + 1);
  mfh_sb_esc(b, s->measure, MFH_ESC_LINE);
  mfh_sb_puts(b, " vs ");
  mfh_sb_esc(b, s->axis, MFH_ESC_LINE);
  mfh_sb_puts(b,
          " ----\n"
          "unset label 1\nset border lw 1.2\nset xtics\nset ytics\nset tics nomirror out\n"
          "set mxtics default\nset mytics default\n"
          "set format x \"% h\"\nset format y \"% h\"\n"
          "set grid xtics ytics lc rgb \"#d0d0d0\" lw 1 dt 1\n");
  /* title */
  mfh_sb_puts(b, "set title \"");
  if (single) {
    mfh_sb_puts(b, "{/:Bold=14 ");
    if (r->theorem[0]) {
      mfh_sb_esc(b, r->theorem, MFH_ESC_GP);
      mfh_sb_puts(b, ": ");
    }
    mfh_sb_esc(b, r->title[0] ? r->title : r->id, MFH_ESC_GP);
    mfh_sb_puts(b, "}\\n{/=11 ");
  } else {
    mfh_sb_puts(b, "{/:Bold=12 ");
  }
  mfh_sb_esc(b, s->measure, MFH_ESC_GP);
  mfh_sb_puts(b, " vs ");
  mfh_sb_esc(b, s->axis, MFH_ESC_GP);
  mfh_sb_puts(b, single ? ": " : "}\\n{/=10 ");
  gp_fit_line(b, s, !single);
  mfh_sb_puts(b, "}\"\n");
  mfh_sb_puts(b, "set xlabel \"");
  mfh_sb_esc(b, s->axis, MFH_ESC_GP);
  mfh_sb_puts(b, "\"\nset ylabel \"");
  mfh_sb_esc(b, s->label[0] ? s->label : s->measure, MFH_ESC_GP);
  mfh_sb_puts(b, "\"\n");

  if (!g->plottable) {
    mfh_sb_puts(b,
            "unset logscale\nset xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
            "unset grid\nunset key\n"
            "set label 1 \"no plottable values (no positive, finite mean)\" at graph 0.5,0.5 "
            "center tc rgb \"#666666\"\n"
            "plot 2 notitle\n");
    return;
  }

  /* the plot command first: it tells how big the key is */
  plotcmd pc = {{0}, 0, 0, 0};
  const char *used = s->has_fit ? "$7 == 1" : "1";
  const char *hollow = "$7 != 1";
  const char *lo = "($2 - $3 > 0 ? $2 - $3 : 1e-300)"; /* bars reaching 0 run off the axis */
  double level = s->has_fit && isfinite(s->fit.level) ? s->fit.level : 0.95;
  size_t axlen = text_len(s->axis);
  if (g->band) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.curve.dat' every ::%zu::%zu using 1:3:4 with filledcurves fc rgb \"%s\" "
              "fs transparent solid 0.22 noborder title \"%.0f%% confidence band\"",
              base, g->ia, g->ib, C_FIT, 100 * level);
    pc_key(&pc, 20);
  }
  if (g->line) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.curve.dat' every ::%zu::%zu using 1:2 with lines lc rgb \"%s\" lw 2.5 "
              "title \"fit ",
              base, g->ia, g->ib, C_FIT);
    if (is_exp(s)) {
      pc_key(&pc, 4 + gp_rate_label(&pc.b, s, s->fit.slope, 0)); /* "fit e^{0.83 t}" */
    } else {
      char sl[40];
      snprintf(sl, sizeof sl, "%.3g", s->fit.slope);
      mfh_sb_esc(&pc.b, s->axis, MFH_ESC_GP);
      mfh_sb_printf(&pc.b, "^{%s}", sl);
      if (s->fit.model == MFH_FIT_POWER_LOG) {
        mfh_sb_puts(&pc.b, "\xc2\xa0log ");
        mfh_sb_esc(&pc.b, s->axis, MFH_ESC_GP);
      }
      pc_key(&pc, 4 + axlen + strlen(sl) + (s->fit.model == MFH_FIT_POWER_LOG ? 5 + axlen : 0));
    }
    mfh_sb_puts(&pc.b, "\"");
  }
  if (g->proved) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.curve.dat' using 1:5 with lines lc rgb \"%s\" dt 2 lw 2.2 title \"proved ",
              base, C_PROVED);
    size_t len = gp_rate_label(&pc.b, s, s->proved_slope, s->proved_log);
    mfh_sb_puts(&pc.b, "\"");
    pc_key(&pc, 7 + (len > 5 ? len : 5));
  }
  if (g->expn) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b, "'%s.curve.dat' using 1:6 with lines lc rgb \"%s\" dt 3 lw 2.2 title \"",
                  base, C_EXPN);
    size_t len = 0;
    for (size_t q = 0; q < s->expansion.npow; q++) {
      char pw[24];
      snprintf(pw, sizeof pw, "%g", s->expansion.powers[q]);
      mfh_sb_printf(&pc.b, "%s%c ", q ? " + " : "", (char)('a' + q));
      mfh_sb_esc(&pc.b, s->axis, MFH_ESC_GP);
      mfh_sb_printf(&pc.b, "^{%s}", pw);
      len += (q ? 3 : 0) + 2 + axlen + strlen(pw);
    }
    mfh_sb_puts(&pc.b, "\"");
    pc_key(&pc, len);
  }
  if (g->n_bound) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:8 with linespoints lc rgb \"%s\" dt 4 lw 2 pt 9 ps 0.9 title \"",
              base, C_BOUND);
    const char *bl = s->bound_label[0] ? s->bound_label : "bound";
    mfh_sb_esc(&pc.b, bl, MFH_ESC_GP);
    mfh_sb_puts(&pc.b, "\"");
    pc_key(&pc, text_len(bl));
  }
  if (g->n_filled_se) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && $3 > 0 ? $2 : NaN):%s:($2 + $3) with yerrorbars "
              "lc rgb \"%s\" pt 7 ps 1.2 lw 1.5 title \"replica mean ± se\"",
              base, used, lo, C_POINTS);
    pc_key(&pc, 17);
  }
  if (g->n_filled_nose) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && !($3 > 0) ? $2 : NaN) with points lc rgb \"%s\" pt 7 "
              "ps 1.2 ",
              base, used, C_POINTS);
    if (g->n_filled_se) {
      mfh_sb_puts(&pc.b, "notitle");
    } else {
      mfh_sb_puts(&pc.b, "title \"replica mean\"");
      pc_key(&pc, 12);
    }
  }
  if (g->n_hollow_se) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && $3 > 0 ? $2 : NaN):%s:($2 + $3) with yerrorbars "
              "lc rgb \"%s\" pt 6 ps 1.2 lw 1.5 title \"excluded from fit\"",
              base, hollow, lo, C_POINTS);
    pc_key(&pc, 17);
  }
  if (g->n_hollow_nose) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && !($3 > 0) ? $2 : NaN) with points lc rgb \"%s\" pt 6 "
              "ps 1.2 lw 1.5 ",
              base, hollow, C_POINTS);
    if (g->n_hollow_se) {
      mfh_sb_puts(&pc.b, "notitle");
    } else {
      mfh_sb_puts(&pc.b, "title \"excluded from fit\"");
      pc_key(&pc, 17);
    }
  }
  if (g->n_failed) {
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:($6 > 0 ? $2 : NaN) with points lc rgb \"%s\" pt 6 ps 2.6 lw 2 "
              "title \"point with failed replicas\"",
              base, C_FAILED);
    pc_key(&pc, 26);
    pc_next(&pc);
    mfh_sb_printf(&pc.b,
              "'%s.dat' using 1:($6 > 0 ? $2 : NaN):(sprintf(\"%%d failed\", int($6))) "
              "with labels offset 0,1.7 font \",9\" tc rgb \"%s\" notitle",
              base, C_FAILED);
  }
  if (!pc.nel) mfh_sb_puts(&pc.b, "plot 1e-300 notitle"); /* cannot happen when plottable */

  /* key: a free corner of the plot if there is one, else room made at the top */
  int font = single ? 11 : 10;
  double kw = (52 + 0.62 * font * (double)pc.keylen) / px.w + 0.04;
  double kh = (1.5 * font * (double)pc.nkey + 12) / px.h + 0.04;
  if (kw > 1) kw = 1;
  if (kh > 0.6) kh = 0.6;
  kbox box = {0, 1, 0, 1, g->xlin, g->xlin ? g->xmin : log10(g->xmin),
              g->xlin ? g->xmax : log10(g->xmax), log10(g->ymin), log10(g->ymax)};
  static const char *names[4] = {"top right", "top left", "bottom left", "bottom right"};
  static const int pref_desc[4] = {0, 2, 1, 3}, pref_asc[4] = {1, 3, 0, 2};
  const int *pref = g->descending ? pref_desc : pref_asc;
  int corner = -1;
  double ymax = g->ymax;
  for (int t = 0; t < 4 && corner < 0 && pc.nkey; t++) {
    int c = pref[t];
    box.u0 = c == 0 || c == 3 ? 1 - kw : 0;
    box.u1 = c == 0 || c == 3 ? 1 : kw;
    box.v0 = c <= 1 ? 1 - kh : 0;
    box.v1 = c <= 1 ? 1 : kh;
    if (key_hits(s, g, &box) == 0) corner = c;
  }
  if (corner < 0) { /* raise the top so the data stay below the key */
    corner = g->descending ? 0 : 1;
    double bottom = log10(g->ymin), top = log10(g->ymax);
    ymax = pow(10, bottom + (top - bottom) / (1 - kh));
  }
  mfh_sb_printf(b, "%s\nset xrange [%s:%s]\nset yrange [%s:%s]\n",
                g->xlin ? "unset logscale\nset logscale y" : "set logscale xy",
                mfh_fmt_g17(v1, g->xmin), mfh_fmt_g17(v2, g->xmax), mfh_fmt_g17(v3, g->ymin),
                mfh_fmt_g17(v4, ymax));
  double marks[12];
  size_t nm = 0;
  for (size_t i = 0; i < s->n && nm <= 12; i++)
    if (x_ok(g->xlin, s->pts[i].x)) {
      if (nm < 12) marks[nm] = s->pts[i].x;
      nm++;
    }
  gp_tics(b, "x", g->xmin, g->xmax, nm <= 12 ? marks : NULL, nm, px.w, g->xlin);
  gp_tics(b, "y", g->ymin, ymax, NULL, 0, px.h, 0);
  mfh_sb_printf(b,
            "set key default\nset key %s Left reverse samplen 2.5 spacing 1.15 font \",%d\" "
            "box lc rgb \"#bbbbbb\" opaque\n",
            names[corner], font);
  mfh_sb_puts(b, mfh_sb_str(&pc.b));
  mfh_sb_putc(b, '\n');
  mfh_sb_free(&pc.b);
}

/* Canvas size and layout for n panels. */
static void layout(size_t n, int *rows, int *cols, int *w, int *h) {
  int c, r;
  if (n <= 3) {
    c = n ? (int)n : 1;
    r = 1;
  } else if (n == 4) {
    c = r = 2;
  } else {
    c = (int)ceil(sqrt((double)n));
    r = (int)((n + (size_t)c - 1) / (size_t)c);
  }
  *rows = r;
  *cols = c;
  *w = c == 1 ? 1000 : 560 * c;
  *h = r == 1 ? 700 : 440 * r + 60;
}

static int write_plot_gp(const mfh_study_result *r, const mfh_plot_geom *gs, const char *dir,
                         mfh_err *err) {
  mfh_sbuf b = {0};
  int rows, cols, w, h;
  layout(r->nseries, &rows, &cols, &w, &h);
  mfh_sb_puts(&b, "# plot.gp: written by mfh for study ");
  mfh_sb_esc(&b, r->id, MFH_ESC_LINE);
  mfh_sb_puts(
      &b,
      "\n# Re-render from this folder with:  gnuplot plot.gp   (writes plot.png and plot.svg)\n");
  for (size_t k = 0; k < r->nseries; k++) {
    char base[128];
    series_base(base, sizeof base, k, &r->series[k]);
    mfh_sb_printf(&b, "# series %zu data: %s.dat (points)%s\n", k + 1, base,
              gs[k].line || gs[k].proved ? ", .curve.dat (fit, band, proved rate)" : "");
  }
  mfh_sb_printf(
      &b,
      "if (!exists(\"outbase\")) outbase = \"plot\"\n"
      "set encoding utf8\n"
      "do for [fmt in \"png svg\"] {\n"
      "if (fmt eq \"png\") {\n"
      "  set terminal pngcairo size %d,%d enhanced font \"Sans,12\" background rgb \"white\"\n"
      "} else {\n"
      "  set terminal svg size %d,%d dynamic enhanced font \"Arial,12\" background rgb "
      "\"white\"\n"
      "}\n"
      "set output outbase.\".\".fmt\n",
      w, h, w, h);
  int multi = r->nseries > 1;
  if (multi) {
    mfh_sb_printf(&b, "set multiplot layout %d,%d title \"{/:Bold=15 ", rows, cols);
    if (r->theorem[0]) {
      mfh_sb_esc(&b, r->theorem, MFH_ESC_GP);
      mfh_sb_puts(&b, ": ");
    }
    mfh_sb_esc(&b, r->title[0] ? r->title : r->id, MFH_ESC_GP);
    mfh_sb_puts(&b, "}\"\n");
  }
  if (r->nseries == 0) {
    mfh_sb_puts(&b, "set title \"{/:Bold=14 ");
    mfh_sb_esc(&b, r->title[0] ? r->title : r->id, MFH_ESC_GP);
    mfh_sb_puts(&b,
            "}\"\nunset xtics\nunset ytics\nset xrange [0:1]\nset yrange [0:1]\n"
            "set label 1 \"no series\" at graph 0.5,0.5 center\nplot 2 notitle\n");
  }
  panel_px px = {(double)w / cols - 150,
                 (double)(h - (multi ? 40 : 0)) / rows - (multi ? 150 : 160)};
  for (size_t k = 0; k < r->nseries; k++) gp_panel(&b, r, k, &gs[k], !multi, px);
  if (multi) mfh_sb_puts(&b, "unset multiplot\n");
  mfh_sb_puts(&b, "unset output\n}\n");
  return mfh_sb_save(&b, dir, "plot.gp", err);
}

/* ---- running gnuplot -------------------------------------------------------------- */

static int is_exe(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* malloc'd absolute form of p (the child changes folder before exec). */
static char *abs_path(const char *p) {
  if (p[0] == '/') return strdup(p);
  size_t cap = 256;
  for (;;) {
    char *cwd = malloc(cap);
    if (!cwd) return NULL;
    if (getcwd(cwd, cap)) {
      char *r = mfh_path_join(cwd, p);
      free(cwd);
      return r;
    }
    free(cwd);
    if (errno != ERANGE || cap > 65536) return NULL;
    cap *= 2;
  }
}

/* Absolute path of prog (searched in PATH when it has no '/'), or NULL. */
static char *find_exe(const char *prog) {
  if (!prog || !prog[0]) return NULL;
  if (strchr(prog, '/')) return is_exe(prog) ? abs_path(prog) : NULL;
  const char *path = getenv("PATH");
  if (!path || !path[0]) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    size_t n = len + strlen(prog) + 3;
    char *cand = malloc(n);
    if (!cand) return NULL;
    snprintf(cand, n, "%.*s/%s", (int)(len ? len : 1), len ? p : ".", prog);
    char *abs = is_exe(cand) ? abs_path(cand) : NULL;
    free(cand);
    if (abs) return abs;
    if (!colon) return NULL;
    p = colon + 1;
  }
}

static int rename_in(const char *dir, const char *from, const char *to, mfh_err *err) {
  char *a = mfh_path_join(dir, from), *b = mfh_path_join(dir, to);
  int rc = MFH_OK;
  if (!a || !b)
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  else if (rename(a, b) != 0)
    rc = mfh_err_set(err, MFH_EIO, "cannot rename %s to %s: %s", a, b, strerror(errno));
  free(a);
  free(b);
  return rc;
}

/* Run `prog -e "outbase='...'" plot.gp` in dir (exe: its absolute path),
 * with stdout and stderr captured; then move the images into place. */
static int run_gnuplot(const char *exe, const char *prog, const char *dir, mfh_err *err) {
  char outbase[64], setvar[96], png[80], svg[80];
  snprintf(outbase, sizeof outbase, ".plot-tmp-%ld", (long)getpid());
  snprintf(setvar, sizeof setvar, "outbase='%s'", outbase);
  snprintf(png, sizeof png, "%s.png", outbase);
  snprintf(svg, sizeof svg, "%s.svg", outbase);
  int fds[2];
  if (pipe(fds) != 0)
    return mfh_err_set(err, MFH_EEXTERNAL, "cannot run %s: %s", prog, strerror(errno));
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  char *const argv[] = {(char *)prog, (char *)"-e", setvar, (char *)"plot.gp", NULL};
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    return mfh_err_set(err, MFH_EEXTERNAL, "cannot run %s: %s", prog, strerror(e));
  }
  if (pid == 0) { /* child: only async-signal-safe calls */
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) dup2(nul, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    if (chdir(dir) != 0) _exit(126);
    execv(exe, argv);
    _exit(127);
  }
  close(fds[1]);
  char out[4096]; /* the last 4095 bytes of its output (errors come last) */
  size_t len = 0;
  for (;;) {
    char chunk[1024];
    ssize_t got = read(fds[0], chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    size_t g = (size_t)got;
    if (len + g > sizeof out - 1) {
      size_t drop = len + g - (sizeof out - 1);
      memmove(out, out + drop, len - drop);
      len -= drop;
    }
    memcpy(out + len, chunk, g);
    len += g;
  }
  out[len] = '\0';
  close(fds[0]);
  int st = 0, waited = 1, wait_errno = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) {
      waited = 0;
      wait_errno = errno;
      break;
    }
  int ok = waited && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  if (ok && mfh_report_nonempty(dir, png) && mfh_report_nonempty(dir, svg)) {
    int rc = rename_in(dir, png, "plot.png", err);
    if (!rc) rc = rename_in(dir, svg, "plot.svg", err);
    if (rc) {
      mfh_report_remove(dir, png);
      mfh_report_remove(dir, svg);
    }
    return rc;
  }
  mfh_report_remove(dir, png);
  mfh_report_remove(dir, svg);
  /* one line: the captured output with newlines folded, trimmed */
  for (size_t i = 0; i < len; i++)
    if (out[i] == '\n' || out[i] == '\r' || out[i] == '\t') out[i] = ' ';
  while (len && out[len - 1] == ' ') out[--len] = '\0';
  const char *msg = out;
  while (*msg == ' ') msg++;
  if (len > 700) msg = out + len - 700;
  if (ok)
    return mfh_err_set(err, MFH_EEXTERNAL, "%s ran on %s/plot.gp but wrote no images: %s", prog,
                       dir, msg[0] ? msg : "(no output)");
  if (!waited)
    return mfh_err_set(err, MFH_EEXTERNAL, "%s on %s/plot.gp: cannot get its exit status: %s",
                       prog, dir, strerror(wait_errno));
  if (WIFEXITED(st))
    return mfh_err_set(err, MFH_EEXTERNAL, "%s failed on %s/plot.gp (exit status %d): %s", prog,
                       dir, WEXITSTATUS(st), msg[0] ? msg : "(no output)");
  return mfh_err_set(err, MFH_EEXTERNAL, "%s failed on %s/plot.gp (killed by signal %d): %s",
                     prog, dir, WIFSIGNALED(st) ? WTERMSIG(st) : 0, msg[0] ? msg : "(no output)");
}

/* Decide whether to render and do it.  *rendered = 1 on success. */
static int render_study(const char *dir, const mfh_report_opts *o, int *rendered, mfh_err *err) {
  *rendered = 0;
  if (o->render <= 0) return MFH_OK;
  const char *prog = o->gnuplot ? o->gnuplot : "gnuplot";
  char *exe = find_exe(prog);
  if (!exe) {
    if (o->render >= 2)
      return mfh_err_set(err, MFH_EEXTERNAL,
                         "gnuplot not found: '%s' is not an executable program%s", prog,
                         strchr(prog, '/') ? "" : " in PATH");
    if (!o->gnuplot_warned || !*o->gnuplot_warned) {
      if (o->warn)
        fprintf(o->warn,
                "mfh: warning: gnuplot ('%s') not found; reports get plot.gp and data files "
                "but no images\n",
                prog);
      if (o->gnuplot_warned) *o->gnuplot_warned = 1;
    }
    return MFH_OK;
  }
  int rc = run_gnuplot(exe, prog, dir, err);
  free(exe);
  if (!rc) *rendered = 1;
  return rc;
}

/* ---- results.json ---------------------------------------------------------------- */

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static json_t *jint(size_t v) { return json_integer((json_int_t)v); }

static json_t *jstr(const char *s) {
  json_t *j = json_string(s ? s : "");
  if (j) return j;
  mfh_sbuf b = {0}; /* invalid UTF-8: repair and retry */
  mfh_sb_esc(&b, s, MFH_ESC_UTF8);
  j = b.oom ? NULL : json_string(mfh_sb_str(&b));
  mfh_sb_free(&b);
  return j;
}

/* Set / append a new reference; remembers any failure in *bad. */
static void jset(json_t *obj, const char *key, json_t *v, int *bad) {
  if (!v || json_object_set_new(obj, key, v) != 0) *bad = 1;
}
static void jpush(json_t *arr, json_t *v, int *bad) {
  if (!v || json_array_append_new(arr, v) != 0) *bad = 1;
}

static json_t *json_fit(const mfh_fit_result *f, int *bad) {
  json_t *o = json_object();
  if (!o) {
    *bad = 1;
    return NULL;
  }
  const char *model = f->model == MFH_FIT_POWER_LOG ? "power_log"
                      : f->model == MFH_FIT_EXP     ? "exp"
                                                    : "power";
  jset(o, "model", jstr(model), bad);
  jset(o, "n", jint(f->n), bad);
  jset(o, "n_used", jint(f->n_used), bad);
  jset(o, "n_excluded_pre", jint(f->n_excluded_pre), bad);
  json_t *used = json_array();
  for (size_t i = 0; used && i < f->n; i++) jpush(used, json_boolean(!f->used || f->used[i]), bad);
  jset(o, "used", used, bad);
  jset(o, "weighted", json_boolean(f->weighted), bad);
  jset(o, "slope", jnum(f->slope), bad);
  jset(o, "slope_se", jnum(f->slope_se), bad);
  jset(o, "slope_lo", jnum(f->slope_lo), bad);
  jset(o, "slope_hi", jnum(f->slope_hi), bad);
  jset(o, "intercept", jnum(f->intercept), bad);
  jset(o, "intercept_se", jnum(f->intercept_se), bad);
  jset(o, "cov", jnum(f->cov), bad);
  jset(o, "r2", jnum(f->r2), bad);
  jset(o, "chi2_dof", jnum(f->chi2_dof), bad);
  jset(o, "t_crit", jnum(f->t_crit), bad);
  jset(o, "level", jnum(f->level), bad);
  json_t *local = json_array();
  for (size_t i = 0; local && f->local && i + 1 < f->n; i++) jpush(local, jnum(f->local[i]), bad);
  jset(o, "local", local, bad);
  json_t *flags = json_array();
  for (unsigned k = 0; flags && k < 32; k++) {
    unsigned bit = 1u << k;
    if (!(f->flags & bit)) continue;
    const char *nm = mfh_report_fit_flag(bit);
    char unknown[32];
    snprintf(unknown, sizeof unknown, "unknown_bit_%u", k);
    jpush(flags, jstr(nm ? nm : unknown), bad);
  }
  jset(o, "flags", flags, bad);
  jset(o, "flags_value", json_integer((json_int_t)f->flags), bad);
  jset(o, "note", jstr(f->note), bad);
  return o;
}

static json_t *json_study(const mfh_study_result *r, int *bad) {
  json_t *root = json_object(), *study = json_object(), *tasks = json_object();
  json_t *series = json_array(), *checks = json_array();
  if (!root || !study || !tasks || !series || !checks) {
    json_decref(root);
    json_decref(study);
    json_decref(tasks);
    json_decref(series);
    json_decref(checks);
    *bad = 1;
    return NULL;
  }
  jset(root, "schema", jstr("mfh-results/1"), bad);
  jset(study, "id", jstr(r->id), bad);
  jset(study, "title", jstr(r->title), bad);
  jset(study, "theorem", jstr(r->theorem), bad);
  jset(study, "source", jstr(r->source), bad);
  jset(study, "file", jstr(r->file), bad);
  jset(study, "profile", jstr(r->profile), bad);
  jset(study, "solver", jstr(r->solver), bad);
  jset(study, "observable", jstr(r->observable), bad);
  jset(study, "note", jstr(r->note), bad);
  jset(root, "study", study, bad);
  jset(root, "verdict", jstr(mfh_verdict_text(mfh_study_result_worst(r))), bad);
  jset(tasks, "total", jint(r->ntasks), bad);
  jset(tasks, "cached", jint(r->ntasks_cached), bad);
  jset(tasks, "run", jint(r->ntasks_run), bad);
  jset(tasks, "failed", jint(r->ntasks_failed), bad);
  jset(tasks, "elapsed_s", jnum(r->elapsed_s), bad);
  jset(root, "tasks", tasks, bad);
  for (size_t k = 0; k < r->nseries; k++) {
    const mfh_series *s = &r->series[k];
    json_t *js = json_object();
    if (!js) {
      *bad = 1;
      break;
    }
    jset(js, "index", jint(k), bad);
    jset(js, "axis", jstr(s->axis), bad);
    jset(js, "measure", jstr(s->measure), bad);
    jset(js, "label", jstr(s->label), bad);
    if (s->has_proved) {
      json_t *p = json_object();
      if (p) {
        jset(p, "slope", jnum(s->proved_slope), bad);
        jset(p, "log", json_boolean(s->proved_log), bad);
      }
      jset(js, "proved", p, bad);
    } else {
      jset(js, "proved", json_null(), bad);
    }
    jset(js, "bound_label", s->bound ? jstr(s->bound_label) : json_null(), bad);
    json_t *pts = json_array();
    for (size_t i = 0; pts && i < s->n; i++) {
      const mfh_point_stats *p = &s->pts[i];
      json_t *jp = json_object();
      if (!jp) {
        *bad = 1;
        break;
      }
      jset(jp, "x", jnum(p->x), bad);
      jset(jp, "mean", jnum(p->mean), bad);
      jset(jp, "sd", jnum(p->sd), bad);
      jset(jp, "se", jnum(p->se), bad);
      jset(jp, "min", jnum(p->min), bad);
      jset(jp, "max", jnum(p->max), bad);
      jset(jp, "nrep", jint(p->nrep), bad);
      jset(jp, "nfailed", jint(p->nfailed), bad);
      jset(jp, "used", json_boolean(pt_used(s, i)), bad);
      jset(jp, "bound", s->bound ? jnum(s->bound[i]) : json_null(), bad);
      jpush(pts, jp, bad);
    }
    jset(js, "points", pts, bad);
    jset(js, "fit", s->has_fit ? json_fit(&s->fit, bad) : json_null(), bad);
    jpush(series, js, bad);
  }
  jset(root, "series", series, bad);
  for (size_t c = 0; c < r->nchecks; c++) {
    const mfh_check_result *ck = &r->checks[c];
    json_t *jc = json_object(), *nums = json_object();
    if (!jc || !nums) {
      json_decref(jc);
      json_decref(nums);
      *bad = 1;
      break;
    }
    jset(jc, "kind", jstr(ck->kind), bad);
    jset(jc, "name", jstr(ck->name), bad);
    jset(jc, "verdict", jstr(mfh_verdict_text(ck->verdict)), bad);
    jset(jc, "summary", jstr(ck->summary), bad);
    jset(jc, "series", ck->series >= 0 ? json_integer(ck->series) : json_null(), bad);
    for (size_t i = 0; i < ck->numbers.n; i++) {
      const mfh_value *v = &ck->numbers.v[i];
      json_t *num = jnum(v->v);
      if (num && json_object_set_new(nums, v->name, json_incref(num)) != 0) {
        mfh_sbuf kb = {0}; /* invalid UTF-8 in the name: repair */
        mfh_sb_esc(&kb, v->name, MFH_ESC_UTF8);
        if (kb.oom || json_object_set_new(nums, mfh_sb_str(&kb), json_incref(num)) != 0) *bad = 1;
        mfh_sb_free(&kb);
      }
      if (!num) *bad = 1;
      json_decref(num);
    }
    jset(jc, "numbers", nums, bad);
    jpush(checks, jc, bad);
  }
  jset(root, "checks", checks, bad);
  return root;
}

static int write_results_json(const mfh_study_result *r, const char *dir, mfh_err *err) {
  int bad = 0;
  json_t *root = json_study(r, &bad);
  char *text = NULL;
  if (root && !bad)
    text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!text) return mfh_err_set(err, MFH_ENOMEM, "out of memory building %s/results.json", dir);
  mfh_sbuf b = {0};
  mfh_sb_puts(&b, text);
  mfh_sb_putc(&b, '\n');
  free(text);
  return mfh_sb_save(&b, dir, "results.json", err);
}

/* ---- summary.md (study) ----------------------------------------------------------- */

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
    mfh_sb_printf(b, "- Proved growth: e^(%s ", mfh_fmt_hnum(a, s->proved_slope));
    mfh_sb_esc(b, s->axis, MFH_ESC_MD);
    mfh_sb_printf(b, ") (exponent ≤ %s)\n", mfh_fmt_hnum(c, s->proved_slope));
  } else if (s->has_proved) {
    mfh_fmt_rate(a, sizeof a, s->proved_slope);
    mfh_sb_puts(b, "- Proved rate: ");
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

static void md_checks_table(mfh_sbuf *b, const mfh_study_result *const *st, size_t n,
                            int with_study) {
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

static int write_summary_md(const mfh_study_result *r, int rendered, const char *dir,
                            mfh_err *err) {
  mfh_sbuf b = {0};
  char a[40], c[40], d[40], e[40], f[40], h[40];
  mfh_sb_puts(&b, "# ");
  mfh_sb_esc(&b, r->title[0] ? r->title : r->id, MFH_ESC_LINE);
  mfh_sb_puts(&b, "\n\n");
  const char *labels[] = {"Study id", "Theorem", "Source", "Study file", "Profile", "Solver",
                          "Observable"};
  const char *vals[] = {r->id, r->theorem, r->source, r->file, r->profile, r->solver,
                        r->observable};
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
  mfh_sb_puts(&b, rendered ? "\n![plot](plot.png)\n"
                       : "\n(Plot not rendered: run `gnuplot plot.gp` in this folder.)\n");
  mfh_sb_puts(&b, "\n## Checks\n\n");
  if (r->nchecks) {
    const mfh_study_result *one[1] = {r};
    md_checks_table(&b, one, 1, 0);
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
  return mfh_sb_save(&b, dir, "summary.md", err);
}

/* ---- mfh_report_study --------------------------------------------------------------- */

int mfh_report_study(const mfh_study_result *r0, const char *dir, const mfh_report_opts *o,
                     int *rendered, mfh_err *err) {
  int did_render = 0;
  if (rendered) *rendered = 0;
  if (!r0 || !dir) return mfh_err_set(err, MFH_EINTERNAL, "mfh_report_study: no study or folder");
  mfh_plot_model plot;
  int rc = mfh_plot_model_build(r0, &plot, err);
  if (rc) return rc;
  const mfh_study_result *r = &plot.view;
  mfh_report_opts defaults = {1, NULL, NULL, NULL};
  if (!o) o = &defaults;
  rc = mfh_mkdirs(dir, err);
  for (size_t k = 0; k < r->nseries && !rc; k++)
    rc = write_series_data(r, k, &plot.geom[k], dir, err);
  if (!rc) rc = write_plot_gp(r, plot.geom, dir, err);
  int render_rc = MFH_OK;
  mfh_err render_err;
  mfh_err_clear(&render_err);
  if (!rc) render_rc = render_study(dir, o, &did_render, &render_err);
  if (!rc && !did_render) { /* never leave images of an earlier run next to new data */
    mfh_report_remove(dir, "plot.png");
    mfh_report_remove(dir, "plot.svg");
  }
  if (!rc) rc = write_results_json(r0, dir, err);
  if (!rc) rc = write_summary_md(r0, did_render, dir, err);
  mfh_plot_model_free(&plot);
  if (!rc && render_rc) {
    if (err) *err = render_err;
    rc = render_rc;
  }
  if (rendered) *rendered = did_render && !rc;
  return rc;
}

/* ---- run level ------------------------------------------------------------------------ */

static void html_badge(mfh_sbuf *b, int v) {
  mfh_sb_printf(b, "<span class=\"v %s\">", mfh_report_verdict_class(v));
  mfh_sb_upper(b, mfh_report_verdict_class(v));
  mfh_sb_puts(b, "</span>");
}

static int write_index_html(const mfh_study_result *const *st, size_t n, const int *rendered,
                            const char *outdir, mfh_err *err) {
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
  mfh_sb_puts(&b, "</div>\n</header>\n<main>\n<h2 style=\"margin-top:22px\">Checks</h2>\n");
  mfh_sb_puts(&b, "<table>\n<tr><th>Study</th><th>Theorem</th><th>Check</th><th>Verdict</th>"
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
      mfh_sb_printf(&b, "<p class=\"meta\">Plot not rendered: run <code>gnuplot plot.gp</code> in "
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
  return mfh_sb_save(&b, outdir, "index.html", err);
}

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

static int write_junit(const mfh_study_result *const *st, size_t n, const char *outdir,
                       mfh_err *err) {
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
    const char *pv[] = {r->title, r->theorem, r->source, r->file, r->profile, r->solver,
                        r->observable};
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
  return mfh_sb_save(&b, outdir, "junit.xml", err);
}

static int write_run_md(const mfh_study_result *const *st, size_t n, const char *outdir,
                        mfh_err *err) {
  mfh_sbuf b = {0};
  size_t cnt[4], total;
  mfh_report_count_verdicts(st, n, cnt, &total);
  mfh_sb_printf(&b,
            "# mfh run summary\n\n%zu stud%s, %zu check%s: %zu pass, %zu fail, %zu "
            "inconclusive, %zu error.\n\n",
            n, n == 1 ? "y" : "ies", total, total == 1 ? "" : "s", cnt[MFH_PASS], cnt[MFH_FAIL],
            cnt[MFH_INCONCLUSIVE], cnt[MFH_CHECK_ERROR]);
  if (total)
    md_checks_table(&b, st, n, 1);
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
  return mfh_sb_save(&b, outdir, "summary.md", err);
}

int mfh_report_run(const mfh_study_result *const *studies, size_t n, const char *outdir,
                   const mfh_report_opts *o, mfh_err *err) {
  if (!outdir || (n && !studies))
    return mfh_err_set(err, MFH_EINTERNAL, "mfh_report_run: no studies or folder");
  for (size_t i = 0; i < n; i++) {
    const char *id = studies[i]->id;
    if (!id[0] || !strcmp(id, ".") || !strcmp(id, "..") || strchr(id, '/'))
      return mfh_err_set(err, MFH_EINPUT, "study id '%s' cannot be used as a report folder name",
                         id);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(studies[j]->id, id))
        return mfh_err_set(err, MFH_EINPUT, "two studies have the id '%s'", id);
  }
  int rc = mfh_mkdirs(outdir, err);
  if (rc) return rc;
  int *rendered = calloc(n ? n : 1, sizeof *rendered);
  if (!rendered) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  int first = MFH_OK;
  mfh_err first_err;
  mfh_err_clear(&first_err);
  for (size_t i = 0; i < n; i++) {
    /* Study folders are normally written by mfh_report_study as each study
     * finishes; write the missing ones here so the links below all work. */
    char *dir = mfh_path_join(outdir, studies[i]->id);
    mfh_err e;
    mfh_err_clear(&e);
    int src = dir ? MFH_OK : mfh_err_set(&e, MFH_ENOMEM, "out of memory");
    if (!src && !mfh_report_nonempty(dir, "results.json"))
      src = mfh_report_study(studies[i], dir, o, NULL, &e);
    if (dir) rendered[i] = mfh_report_nonempty(dir, "plot.png"); /* stale images are never left */
    free(dir);
    if (src && !first) {
      mfh_err_prefix(&e, "report of study %s", studies[i]->id);
      first = src;
      first_err = e;
    }
    if (src == MFH_ENOMEM || src == MFH_EIO) break; /* the disk or memory is the problem */
  }
  if (first == MFH_ENOMEM || first == MFH_EIO) {
    free(rendered);
    if (err) *err = first_err;
    return first;
  }
  rc = write_index_html(studies, n, rendered, outdir, err);
  if (!rc) rc = write_junit(studies, n, outdir, err);
  if (!rc) rc = write_run_md(studies, n, outdir, err);
  free(rendered);
  if (rc) return rc;
  if (first && err) *err = first_err;
  return first;
}

/* ---- terminal table ------------------------------------------------------------------ */

void mfh_report_table(const mfh_study_result *const *studies, size_t n, FILE *out) {
  if (!out || (n && !studies)) return;
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
}
