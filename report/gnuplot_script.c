/* plot.gp: the gnuplot script of a study's plot (report/gnuplot.h).  One
 * panel per series: points with standard-error bars (hollow when excluded
 * from the fit), the fitted line and its confidence band, the proved rate,
 * the explicit bound, the expansion, a gci check's extrapolated value and
 * GCI band; tics and the key placed so that they do not cover the data. */
#include "report/gnuplot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/numfmt.h"
#include "report/sbuf.h"

#define C_POINTS "#1f5fa8"
#define C_FIT "#e8590c"
#define C_PROVED "#2b8a3e"
#define C_BOUND "#7048a8"
#define C_FAILED "#d62728"
#define C_EXPN "#0b7285"
#define C_EXTRAP "#c2255c"

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
  } else if (s->has_extrap) {
    mfh_sb_printf(b, "%s p = %.3g (%d finest levels)%s extrapolated %.6g%s GCI_{fine} %.3g%%",
                  s->extrap_levels == 3 ? "observed order" : "given order", s->extrap_p, s->extrap_levels,
                  compact ? "," : "  · ", s->extrap, compact ? "," : "  · ", 100 * s->extrap_gci);
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
  const char *word = s->proved_reported ? "reported (not proved)" : "proved";
  if (s->has_proved && is_exp(s)) {
    mfh_sb_printf(b, "  ·  %s ≤ %.3g", word, s->proved_slope);
  } else if (s->has_proved) {
    mfh_fmt_rate(a, sizeof a, s->proved_slope);
    mfh_sb_printf(b, "  ·  %s %s%s", word, a, s->proved_log ? " with log" : "");
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
  int xlin, ylin;
  double lx0, lx1, ly0, ly1;
} kbox;

static size_t in_box(const kbox *k, double x, double y) {
  if (!x_ok(k->xlin, x) || !y_ok(k->ylin, y)) return 0;
  double u = ((k->xlin ? x : log10(x)) - k->lx0) / (k->lx1 - k->lx0),
         v = ((k->ylin ? y : log10(y)) - k->ly0) / (k->ly1 - k->ly0);
  return u >= k->u0 && u <= k->u1 && v >= k->v0 && v <= k->v1;
}

/* How much of the drawing (points, error bars, failure labels, lines) falls
 * inside the box: where the key must not go. */
static size_t key_hits(const mfh_series *s, const mfh_plot_geom *g, const kbox *k) {
  size_t n = 0;
  double ymin = k->ylin ? k->ly0 : pow(10, k->ly0);
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    if (s->bound && i + 1 < s->n && y_ok(k->ylin, s->bound[i]) && y_ok(k->ylin, s->bound[i + 1]))
      for (int t = 0; t <= 10; t++)
        n += in_box(k, xlerp(k->xlin, p->x, s->pts[i + 1].x, t / 10.0),
                    xlerp(k->ylin, s->bound[i], s->bound[i + 1], t / 10.0));
    else if (s->bound)
      n += in_box(k, p->x, s->bound[i]);
    if (!drawable(k->xlin, k->ylin, p)) continue;
    double lo = p->mean, hi = p->mean;
    if (has_se(p)) {
      lo = k->ylin || p->mean - p->se > 0 ? p->mean - p->se : ymin;
      hi = p->mean + p->se;
    }
    for (int t = 0; t <= 8; t++) n += in_box(k, p->x, xlerp(k->ylin, lo, hi, t / 8.0));
    if (p->nfailed)
      n += in_box(k, p->x, k->ylin ? p->mean + 0.09 * (k->ly1 - k->ly0) : p->mean * pow(10, 0.09 * (k->ly1 - k->ly0)));
  }
  for (int t = 0; g->extrap && t <= 20; t++)
    n += in_box(k, xlerp(k->xlin, g->xmin, g->xmax, t / 20.0), s->extrap);
  if (g->gciband)
    for (int t = 0; t <= 8; t++)
      n += in_box(k, s->extrap_x,
                  xlerp(k->ylin, y_ok(k->ylin, s->extrap_lo) ? s->extrap_lo : ymin, s->extrap_hi, t / 8.0));
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
  mfh_gnuplot_series_base(base, sizeof base, k, s);
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
  /* on a log axis, bars reaching 0 run off the axis */
  const char *lo = g->ylin ? "($2 - $3)" : "($2 - $3 > 0 ? $2 - $3 : 1e-300)";
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
                  "'%s.curve.dat' using 1:5 with lines lc rgb \"%s\" dt 2 lw 2.2 title \"%s ",
                  base, C_PROVED, s->proved_reported ? "reported" : "proved");
    size_t len = gp_rate_label(&pc.b, s, s->proved_slope, s->proved_log);
    mfh_sb_puts(&pc.b, "\"");
    pc_key(&pc, (s->proved_reported ? 9 : 7) + (len > 5 ? len : 5));
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
  if (g->extrap) {
    char v[40], lab[64];
    pc_next(&pc);
    snprintf(lab, sizeof lab, "Richardson extrapolation %.6g", s->extrap);
    mfh_sb_printf(&pc.b, "%s with lines lc rgb \"%s\" dt 5 lw 2 title \"%s\"", mfh_fmt_g17(v, s->extrap), C_EXTRAP,
                  lab);
    pc_key(&pc, strlen(lab));
  }
  if (g->gciband) {
    char lab[64];
    pc_next(&pc);
    snprintf(lab, sizeof lab, "finest level ± GCI_{fine} %.3g%%", 100 * s->extrap_gci);
    mfh_sb_printf(&pc.b,
                  "'%s.gci.dat' using 1:2:(%s):4 with yerrorbars lc rgb \"%s\" pt 13 ps 1.5 lw 2 title \"%s\"",
                  base, g->ylin ? "$3" : "$3 > 0 ? $3 : 1e-300", C_EXTRAP, lab);
    pc_key(&pc, text_len(lab) - 3);
  }
  if (g->n_bound) {
    pc_next(&pc);
    mfh_sb_printf(
        &pc.b, "'%s.dat' using 1:8 with linespoints lc rgb \"%s\" dt 4 lw 2 pt 9 ps 0.9 title \"",
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
  kbox box = {0, 1, 0, 1, g->xlin, g->ylin, g->xlin ? g->xmin : log10(g->xmin),
              g->xlin ? g->xmax : log10(g->xmax), g->ylin ? g->ymin : log10(g->ymin),
              g->ylin ? g->ymax : log10(g->ymax)};
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
    if (g->ylin) {
      ymax = g->ymin + (g->ymax - g->ymin) / (1 - kh);
    } else {
      double bottom = log10(g->ymin), top = log10(g->ymax);
      ymax = pow(10, bottom + (top - bottom) / (1 - kh));
    }
  }
  mfh_sb_printf(b, "%s\nset xrange [%s:%s]\nset yrange [%s:%s]\n",
                g->xlin && g->ylin ? "unset logscale"
                : g->xlin          ? "unset logscale\nset logscale y"
                : g->ylin          ? "unset logscale\nset logscale x"
                                   : "set logscale xy",
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
  gp_tics(b, "y", g->ymin, ymax, NULL, 0, px.h, g->ylin);
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

int mfh_gnuplot_script(const mfh_plot_model *m, const char *dir, mfh_err *err) {
  const mfh_study_result *r = &m->view;
  const mfh_plot_geom *gs = m->geom;
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
    mfh_gnuplot_series_base(base, sizeof base, k, &r->series[k]);
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
