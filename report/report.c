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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fsutil.h"

#define NONE ((size_t)-1)

/* ---- growable string buffer ---------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t n, cap;
  int oom;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra) {
  if (b->oom || b->n + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->n + extra + 1) cap *= 2;
  char *ns = realloc(b->s, cap);
  if (!ns) {
    b->oom = 1;
    return;
  }
  b->s = ns;
  b->cap = cap;
}

static void sb_putn(sbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  if (b->oom) return;
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int k = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (k < 0) {
    b->oom = 1;
  } else {
    sb_reserve(b, (size_t)k);
    if (!b->oom) {
      vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
      b->n += (size_t)k;
    }
  }
  va_end(ap);
}

static const char *sb_str(const sbuf *b) { return b->s ? b->s : ""; }
static void sb_free(sbuf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* Write the buffer to dir/name atomically and release it. */
static int sb_save(sbuf *b, const char *dir, const char *name, mfh_err *err) {
  int rc;
  char *path = mfh_path_join(dir, name);
  if (b->oom || !path)
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory writing %s/%s", dir, name);
  else
    rc = mfh_write_atomic(path, sb_str(b), b->n, err);
  free(path);
  sb_free(b);
  return rc;
}

/* ---- text escaping --------------------------------------------------------- */

/* Length (1..4) of the valid UTF-8 sequence at s, 0 if it is not valid. */
static size_t utf8_seq(const unsigned char *s) {
  unsigned c = s[0];
  if (c < 0x80) return 1;
  size_t n;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
      (c == 0xF4 && s[1] >= 0x90))
    return 0; /* overlong, surrogate or beyond U+10FFFF */
  return n;
}

enum {
  ESC_UTF8,  /* only repair invalid UTF-8 (for JSON) */
  ESC_LINE,  /* one line of plain text (comments in data files) */
  ESC_GP,    /* inside a double-quoted gnuplot string in enhanced text mode */
  ESC_HTML,  /* HTML/XML text */
  ESC_ATTR,  /* HTML/XML attribute value (double-quoted) */
  ESC_MD,    /* markdown table cell */
  ESC_ASCII  /* plain ASCII for the terminal */
};

/* ASCII stand-in for a multi-byte UTF-8 character (the terminal table). */
static const char *ascii_for(const unsigned char *p, size_t k) {
  static const struct {
    const char *utf8, *ascii;
  } tab[] = {{"\xc2\xb1", "+/-"}, {"\xc3\x97", "x"},   {"\xc2\xb7", "*"},
             {"\xe2\x80\x93", "-"}, {"\xe2\x80\x94", "-"}, {"\xe2\x88\x92", "-"},
             {"\xe2\x89\xa4", "<="}, {"\xe2\x89\xa5", ">="}, {"\xc2\xb2", "^2"},
             {"\xc2\xb3", "^3"},   {"\xc2\xb5", "mu"},  {"\xce\xbc", "mu"},
             {"\xce\xb5", "eps"},  {"\xe2\x88\x9e", "inf"}, {"\xe2\x89\x88", "~"}};
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (strlen(tab[i].utf8) == k && memcmp(tab[i].utf8, p, k) == 0) return tab[i].ascii;
  return "?";
}

/* Append s escaped for mode.  Invalid UTF-8 bytes become '?'; control
 * characters become spaces (except in ESC_UTF8). */
static void sb_esc(sbuf *b, const char *s, int mode) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    size_t k = utf8_seq(p);
    if (k == 0) {
      sb_putc(b, '?');
      p++;
      continue;
    }
    if (k > 1) {
      if (mode == ESC_ASCII)
        sb_puts(b, ascii_for(p, k));
      else
        sb_putn(b, (const char *)p, k);
      p += k;
      continue;
    }
    char c = (char)*p++;
    if ((unsigned char)c < 0x20 || c == 0x7f) {
      if (mode == ESC_UTF8)
        sb_putc(b, c);
      else if (mode == ESC_ATTR && c == '\n')
        sb_puts(b, "&#10;");
      else
        sb_putc(b, ' ');
      continue;
    }
    switch (mode) {
      case ESC_GP:
        /* One level of backslashes for the double-quoted string, one for
         * the enhanced-text processor. */
        if (c == '\\') {
          sb_puts(b, "\\\\\\\\");
          continue;
        }
        if (c == '"') {
          sb_puts(b, "\\\"");
          continue;
        }
        if (strchr("_^{}@&~", c)) {
          sb_puts(b, "\\\\");
          break;
        }
        break;
      case ESC_HTML:
      case ESC_ATTR:
        if (c == '&') {
          sb_puts(b, "&amp;");
          continue;
        }
        if (c == '<') {
          sb_puts(b, "&lt;");
          continue;
        }
        if (c == '>') {
          sb_puts(b, "&gt;");
          continue;
        }
        if (c == '"') {
          sb_puts(b, "&quot;");
          continue;
        }
        if (c == '\'') {
          sb_puts(b, "&#39;");
          continue;
        }
        break;
      case ESC_MD:
        if (c == '|' || c == '\\') sb_putc(b, '\\');
        if (c == '<') {
          sb_puts(b, "&lt;");
          continue;
        }
        break;
      default: break;
    }
    sb_putc(b, c);
  }
}

/* Percent-encode a path component for an href (unreserved characters kept). */
static void sb_url(sbuf *b, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        strchr("-._~", (int)c))
      sb_putc(b, (char)c);
    else
      sb_printf(b, "%%%02X", c);
  }
}

/* Plain ASCII copy of s into dst (n bytes), for the terminal table. */
static void ascii_copy(char *dst, size_t n, const char *s) {
  sbuf b = {0};
  sb_esc(&b, s, ESC_ASCII);
  snprintf(dst, n, "%s", b.oom ? "?" : sb_str(&b));
  sb_free(&b);
}

/* ---- numbers --------------------------------------------------------------- */

/* %.17g, or NaN / Inf / -Inf (what gnuplot and most readers accept). */
static const char *g17(char buf[40], double v) {
  if (isnan(v))
    snprintf(buf, 40, "NaN");
  else if (isinf(v))
    snprintf(buf, 40, v > 0 ? "Inf" : "-Inf");
  else
    snprintf(buf, 40, "%.17g", v);
  return buf;
}

/* Human-readable (4 significant digits), "n/a" for NaN. */
static const char *hnum(char buf[40], double v) {
  if (isnan(v))
    snprintf(buf, 40, "n/a");
  else if (isinf(v))
    snprintf(buf, 40, v > 0 ? "inf" : "-inf");
  else
    snprintf(buf, 40, "%.4g", v);
  return buf;
}

/* A rate exponent as a small fraction when it is one ("-1/2", "1"), else %.3g. */
static void fmt_rate(char *buf, size_t n, double p) {
  if (!isfinite(p)) {
    snprintf(buf, n, "%g", p);
    return;
  }
  for (int q = 1; q <= 12; q++) {
    double a = p * q, r = round(a);
    if (fabs(a - r) < 1e-9 * fmax(1.0, fabs(a)) && fabs(r) < 1e6) {
      if (q == 1)
        snprintf(buf, n, "%ld", (long)r);
      else
        snprintf(buf, n, "%ld/%d", (long)r, q);
      return;
    }
  }
  snprintf(buf, n, "%.3g", p);
}

/* ---- series helpers --------------------------------------------------------- */

static int ok_pos(double v) { return isfinite(v) && v > 0; }
static int has_se(const mfh_point_stats *p) { return isfinite(p->se) && p->se > 0; }

/* 1 if the series was fitted with the exponential model y = C e^{s x}. */
static int is_exp(const mfh_series *s) { return s->has_fit && s->fit.model == MFH_FIT_EXP; }

/* 1 if the series is drawn with a linear x axis (the y axis stays
 * logarithmic): exponential fits, whose lines are straight in (x, log y),
 * and series without a fit that have an x <= 0 (e.g. time t = 0), which a
 * log axis cannot show.  A power-law fit keeps its log-log axes; its x <= 0
 * points are not drawn (its fitted line is not defined there). */
static int lin_x(const mfh_series *s) {
  if (is_exp(s)) return 1;
  if (s->has_fit) return 0;
  for (size_t i = 0; i < s->n; i++)
    if (isfinite(s->pts[i].x) && s->pts[i].x <= 0) return 1;
  return 0;
}

/* 1 if x can be placed on the series' x axis (linear: any finite x). */
static int x_ok(int xlin, double x) { return xlin ? isfinite(x) : ok_pos(x); }
static int drawable(int xlin, const mfh_point_stats *p) {
  return x_ok(xlin, p->x) && ok_pos(p->mean);
}

/* What the fitted parameter is called in prose: "slope" (power laws, the
 * slope on log-log axes) or "exponent" (s in e^{s x}). */
static const char *slope_word(const mfh_series *s) { return is_exp(s) ? "exponent" : "slope"; }

/* 1 if point i entered the fit (0 when the series has no fit). */
static int pt_used(const mfh_series *s, size_t i) {
  if (!s->has_fit) return 0;
  if (!s->fit.used || i >= s->fit.n) return 1;
  return s->fit.used[i] != 0;
}

/* Half-width of the slope's confidence interval, NaN when there is none. */
static double ci_half(const mfh_fit_result *f) {
  double h = 0.5 * (f->slope_hi - f->slope_lo);
  return isfinite(h) ? h : NAN;
}

static const struct {
  unsigned bit;
  const char *name;
} flag_names[] = {
    {MFH_FIT_NONFINITE, "nonfinite"},     {MFH_FIT_NONPOSITIVE, "nonpositive"},
    {MFH_FIT_NOT_DECREASING, "not_decreasing"}, {MFH_FIT_FLOOR, "floor"},
    {MFH_FIT_TOO_FEW, "too_few"},         {MFH_FIT_PREASYMPTOTIC, "preasymptotic"},
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

static const char *flag_name(unsigned bit) {
  for (size_t i = 0; i < NFLAGS; i++)
    if (flag_names[i].bit == bit) return flag_names[i].name;
  return NULL;
}

/* Base name of series k's data files: "s<k+1>-<axis>-<measure>", made of
 * [A-Za-z0-9._-] only (safe in gnuplot strings and every file system). */
static void series_base(char *buf, size_t n, size_t k, const mfh_series *s) {
  snprintf(buf, n, "s%zu-%.40s-%.40s", k + 1, s->axis, s->measure);
  for (char *p = buf; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '.' || *p == '-' || *p == '_'))
      *p = '_';
}

/* ---- plot geometry ------------------------------------------------------------ */

#define CURVE_IN 81  /* curve rows inside the fitted range */
#define CURVE_OUT 24 /* rows over the whole x range, outside the fitted range */
#define BAND_MAX 200 /* band clipped at a factor e^200 (it is far off the plot anyway) */

/* What can be drawn for one series and where. */
typedef struct geom {
  int plottable;                 /* something positive and finite to draw */
  int xlin;                      /* linear x axis (lin_x); the y axis is always log */
  double xmin, xmax, ymin, ymax; /* plot ranges */
  double dxmin, dxmax;           /* extent of the sweep values that can be placed on x */
  int line, band, proved, expn;  /* curves present in the .curve.dat file */
  size_t ncurve, ia, ib;         /* curve rows; the fit lives in rows ia..ib */
  double *cx, *cfit, *clo, *chi, *cref, *cexp;
  size_t n_filled_se, n_filled_nose, n_hollow_se, n_hollow_nose, n_failed, n_bound;
  int descending; /* data fall from left to right */
} geom;

static void geom_free(geom *g) {
  free(g->cx);
  memset(g, 0, sizeof *g);
}

static double loglerp(double a, double b, double t) {
  if (t <= 0) return a;
  if (t >= 1) return b;
  return exp(log(a) + t * (log(b) - log(a)));
}

static double linlerp(double a, double b, double t) {
  if (t <= 0) return a;
  if (t >= 1) return b;
  return a + t * (b - a);
}

/* Interpolation along the x axis: log-spaced, or even for a linear axis. */
static double xlerp(int xlin, double a, double b, double t) {
  return xlin ? linlerp(a, b, t) : loglerp(a, b, t);
}

/* Distance along the x axis in its own units (decades on a log axis). */
static double xspan(int xlin, double a, double b) { return xlin ? b - a : log(b / a); }

/* The proved rate through (x0, y0): y0 e^{p (x - x0)} for an exponential
 * fit (a log factor has no meaning there and is ignored), else
 * y0 (x/x0)^p [log x / log x0] (NaN where x <= 0). */
static double proved_at(const mfh_series *s, double x0, double y0, double x) {
  if (is_exp(s)) return y0 * exp(s->proved_slope * (x - x0));
  if (!(x > 0) || !(x0 > 0)) return NAN;
  double v = y0 * pow(x / x0, s->proved_slope);
  if (s->proved_log) v *= fabs(log(x)) / fabs(log(x0));
  return v;
}

static void widen(double *lo, double *hi, double v) {
  if (!ok_pos(v)) return;
  if (v < *lo) *lo = v;
  if (v > *hi) *hi = v;
}

/* Like widen, for x values: any finite value on a linear axis. */
static void widen_x(int xlin, double *lo, double *hi, double v) {
  if (!x_ok(xlin, v)) return;
  if (v < *lo) *lo = v;
  if (v > *hi) *hi = v;
}

static int compute_geom(const mfh_series *s, geom *g) {
  memset(g, 0, sizeof *g);
  const mfh_fit_result *f = &s->fit;
  const int xlin = g->xlin = lin_x(s);
  double dxmin = INFINITY, dxmax = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
  size_t i0 = NONE, ileft = NONE, iright = NONE;
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    if (!x_ok(xlin, p->x)) continue;
    widen_x(xlin, &dxmin, &dxmax, p->x);
    if (pt_used(s, i)) {
      widen_x(xlin, &xlo, &xhi, p->x);
      if (i0 == NONE) i0 = i;
    }
    if (s->bound && ok_pos(s->bound[i])) g->n_bound++;
    if (!drawable(xlin, p)) continue;
    int filled = !s->has_fit || pt_used(s, i);
    if (filled)
      has_se(p) ? g->n_filled_se++ : g->n_filled_nose++;
    else
      has_se(p) ? g->n_hollow_se++ : g->n_hollow_nose++;
    if (p->nfailed > 0) g->n_failed++;
    if (ileft == NONE || p->x < s->pts[ileft].x) ileft = i;
    if (iright == NONE || p->x > s->pts[iright].x) iright = i;
  }
  if (!(dxmin <= dxmax)) return MFH_OK; /* no sweep value to place on x: nothing to draw */
  g->dxmin = dxmin;
  g->dxmax = dxmax;

  int fitok = s->has_fit && isfinite(f->slope) && isfinite(f->intercept) && xlo < xhi;
  double x0 = NAN, y0 = NAN;
  if (s->has_proved && isfinite(s->proved_slope)) {
    if (fitok) {
      x0 = s->pts[i0].x;
      y0 = mfh_fit_predict(f, x0);
    }
    if (!ok_pos(y0)) /* no usable fit: anchor at the first drawable point */
      for (size_t i = 0; i < s->n; i++)
        if (drawable(xlin, &s->pts[i]) && (is_exp(s) || s->pts[i].x > 0)) {
          x0 = s->pts[i].x;
          y0 = s->pts[i].mean;
          break;
        }
  }
  int want_ref = isfinite(x0) && ok_pos(y0);

  if (fitok || want_ref || s->has_expansion) {
    size_t nl = 0, nr = 0, nin = CURVE_IN;
    double span = xspan(xlin, dxmin, dxmax);
    if (fitok && span > 0) {
      nl = (size_t)ceil(CURVE_OUT * xspan(xlin, dxmin, xlo) / span);
      nr = (size_t)ceil(CURVE_OUT * xspan(xlin, xhi, dxmax) / span);
    } else if (!fitok) {
      xlo = dxmin;
      xhi = dxmax;
      if (!(span > 0)) nin = 1;
    }
    g->ncurve = nl + nin + nr;
    g->cx = malloc(6 * g->ncurve * sizeof *g->cx);
    if (!g->cx) return MFH_ENOMEM;
    g->cfit = g->cx + g->ncurve;
    g->clo = g->cfit + g->ncurve;
    g->chi = g->clo + g->ncurve;
    g->cref = g->chi + g->ncurve;
    g->cexp = g->cref + g->ncurve;
    size_t j = 0;
    for (size_t k = 0; k < nl; k++) g->cx[j++] = xlerp(xlin, dxmin, xlo, (double)k / (double)nl);
    for (size_t k = 0; k < nin; k++)
      g->cx[j++] = nin == 1 ? xlo : xlerp(xlin, xlo, xhi, (double)k / (double)(nin - 1));
    for (size_t k = 1; k <= nr; k++) g->cx[j++] = xlerp(xlin, xhi, dxmax, (double)k / (double)nr);
    g->ia = nl;
    g->ib = nl + nin - 1;
    size_t nline = 0, nband = 0, nref = 0, nexp = 0;
    double maxhw = 0;
    for (j = 0; j < g->ncurve; j++) {
      double x = g->cx[j];
      g->cfit[j] = g->clo[j] = g->chi[j] = g->cref[j] = g->cexp[j] = NAN;
      /* the expansion over the data's extent only (it is no rate law to extrapolate) */
      if (s->has_expansion && x >= dxmin && x <= dxmax) {
        double y = mfh_expansion_predict(&s->expansion, x);
        if (ok_pos(y)) g->cexp[j] = y, nexp++;
      }
      if (fitok && j >= g->ia && j <= g->ib) {
        double y = mfh_fit_predict(f, x), hw = mfh_fit_band_halfwidth_log(f, x);
        if (ok_pos(y)) {
          g->cfit[j] = y;
          nline++;
          if (isfinite(hw) && hw >= 0) {
            if (hw > BAND_MAX) hw = BAND_MAX;
            if (hw > maxhw) maxhw = hw;
            g->clo[j] = y * exp(-hw);
            g->chi[j] = y * exp(hw);
            if (ok_pos(g->clo[j]) && ok_pos(g->chi[j])) nband++;
          }
        }
      }
      if (want_ref) {
        g->cref[j] = proved_at(s, x0, y0, x);
        if (ok_pos(g->cref[j])) nref++;
      }
    }
    g->line = nline >= 2;
    g->band = g->line && nband == g->ib - g->ia + 1 && maxhw > 0; /* no zero-width band */
    g->proved = nref >= 2;
    g->expn = nexp >= 2;
  }

  double ylo = INFINITY, yhi = -INFINITY;
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    if (!x_ok(xlin, p->x)) continue;
    if (s->bound) widen(&ylo, &yhi, s->bound[i]);
    if (!drawable(xlin, p)) continue;
    widen(&ylo, &yhi, p->mean);
    if (has_se(p)) {
      widen(&ylo, &yhi, p->mean + p->se);
      widen(&ylo, &yhi, p->mean - p->se);
    }
  }
  for (size_t j = 0; j < g->ncurve; j++) {
    if (g->line) widen(&ylo, &yhi, g->cfit[j]);
    if (g->expn && ok_pos(g->cexp[j])) widen(&ylo, &yhi, g->cexp[j]);
  }
  /* On a linear x axis the proved curve is exponential in x (or a power
   * law blowing up near 0) and can run off by tens of decades: let it widen
   * the range by at most a factor 100 beyond the data, and leave the plot
   * there, instead of squashing the data into a thin strip. */
  double rlo = 0, rhi = INFINITY;
  if (g->xlin && ylo <= yhi) {
    rlo = 1e-2 * ylo;
    rhi = 1e2 * yhi;
  }
  for (size_t j = 0; j < g->ncurve; j++)
    if (g->proved && ok_pos(g->cref[j])) widen(&ylo, &yhi, fmin(fmax(g->cref[j], rlo), rhi));
  if (!(ylo <= yhi)) return MFH_OK;
  g->plottable = 1;
  g->descending = ileft == NONE || iright == NONE || s->pts[ileft].mean >= s->pts[iright].mean;

  if (xlin) {
    double a = dxmin, b = dxmax;
    if (!(b > a)) { /* one x value: a window around it */
      double h = a != 0 ? 0.25 * fabs(a) : 0.5;
      a -= h;
      b += h;
    }
    double pad = 0.05 * (b - a);
    g->xmin = a - pad;
    g->xmax = b + pad;
  } else {
    double lx0 = log10(dxmin), lx1 = log10(dxmax);
    if (lx1 - lx0 < 0.3) {
      double c = 0.5 * (lx0 + lx1);
      lx0 = c - 0.15;
      lx1 = c + 0.15;
    }
    double pad = 0.07 * (lx1 - lx0);
    g->xmin = pow(10, lx0 - pad);
    g->xmax = pow(10, lx1 + pad);
  }
  double ly0 = log10(ylo), ly1 = log10(yhi);
  if (ly1 - ly0 < 0.6) {
    double c = 0.5 * (ly0 + ly1);
    ly0 = c - 0.3;
    ly1 = c + 0.3;
  }
  double span = ly1 - ly0;
  g->ymin = pow(10, ly0 - 0.07 * span);
  g->ymax = pow(10, ly1 + (g->n_failed ? 0.16 : 0.08) * span); /* room for "k failed" */
  return MFH_OK;
}

/* ---- data files --------------------------------------------------------------- */

static int write_series_data(const mfh_study_result *r, size_t k, const geom *g,
                             const char *dir, mfh_err *err) {
  const mfh_series *s = &r->series[k];
  char base[128], name[160], a[40], b[40], c[40], d[40];
  series_base(base, sizeof base, k, s);
  sbuf o = {0};
  sb_puts(&o, "# mfh study ");
  sb_esc(&o, r->id, ESC_LINE);
  sb_printf(&o, ": series %zu of %zu: ", k + 1, r->nseries);
  sb_esc(&o, s->measure, ESC_LINE);
  sb_puts(&o, " vs ");
  sb_esc(&o, s->axis, ESC_LINE);
  sb_puts(&o, "\n# label: ");
  sb_esc(&o, s->label, ESC_LINE);
  sb_putc(&o, '\n');
  if (s->has_fit)
    sb_printf(&o, "# fit%s: %s %s, interval [%s, %s] at level %s, %zu of %zu points used\n",
              is_exp(s) ? " y = C e^(s x)" : "", slope_word(s), g17(a, s->fit.slope),
              g17(b, s->fit.slope_lo), g17(c, s->fit.slope_hi), g17(d, s->fit.level),
              s->fit.n_used, s->fit.n);
  sb_puts(&o,
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
    sb_printf(&o, "%s %s %s %s %zu %zu %d %s %s %s %s\n", g17(v[0], p->x), g17(v[1], p->mean),
              g17(v[2], p->se), g17(v[3], p->sd), p->nrep, p->nfailed, pt_used(s, i),
              g17(v[4], s->bound ? s->bound[i] : NAN), g17(v[5], fit), g17(v[6], lo),
              g17(v[7], hi));
  }
  snprintf(name, sizeof name, "%s.dat", base);
  int rc = sb_save(&o, dir, name, err);
  if (rc || !(g->line || g->proved || g->expn)) return rc;

  sb_puts(&o, "# mfh study ");
  sb_esc(&o, r->id, ESC_LINE);
  sb_printf(&o, ": series %zu: curves for plotting, %s in x\n", k + 1,
            g->xlin ? "evenly spaced" : "log-spaced");
  sb_printf(&o,
            "# columns: x fit band_lo band_hi proved%s\n"
            "#   fit, band_lo, band_hi: fitted line and confidence band over the fitted\n"
            "#   range (NaN elsewhere; band clipped at a factor e^200)\n"
            "#   proved: proved rate through the fitted line at the first fitted point\n",
            g->expn ? " expansion" : "");
  if (g->expn) sb_puts(&o, "#   expansion: the `expansion` check's fitted sum c_k x^p_k (NaN outside the data)\n");
  if (is_exp(s))
    sb_puts(&o, "#   (exponential model: proved = y0 e^(p (x - x0)), fit = C e^(s x))\n");
  for (size_t j = 0; j < g->ncurve; j++) {
    char v[6][40];
    sb_printf(&o, "%s %s %s %s %s", g17(v[0], g->cx[j]), g17(v[1], g->cfit[j]), g17(v[2], g->clo[j]),
              g17(v[3], g->chi[j]), g17(v[4], g->cref[j]));
    if (g->expn) sb_printf(&o, " %s", g17(v[5], g->cexp[j]));
    sb_puts(&o, "\n");
  }
  snprintf(name, sizeof name, "%s.curve.dat", base);
  return sb_save(&o, dir, name, err);
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
static void emit_tics(sbuf *b, const char *ax, const double *v, const unsigned char *keep,
                      size_t n) {
  char lab[64], num[40];
  sb_printf(b, "set %stics (", ax);
  for (size_t i = 0; i < n; i++) {
    if (!keep || keep[i]) {
      fmt_tic(lab, sizeof lab, v[i]);
      sb_printf(b, "%s\"%s\" %s", i ? ", " : "", lab, g17(num, v[i]));
    } else {
      sb_printf(b, "%s\"\" %s 1", i ? ", " : "", g17(num, v[i]));
    }
  }
  sb_puts(b, ")\n");
}

/* Tics for an axis [lo, hi] of len pixels, logarithmic unless lin: at the
 * sweep values (marks, may be NULL) when they are few, thinning their
 * labels until they do not overlap; else (log) at 1-2-5-style mantissas,
 * as dense as fits, or (linear) gnuplot's own round steps. */
static void gp_tics(sbuf *b, const char *ax, double lo, double hi, const double *marks,
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
    sb_printf(b, "set %stics autofreq\nset format %s \"%% h\"\n", ax, ax);
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
  sb_printf(b, "set %stics autofreq\nset format %s \"%s\"\n", ax, ax,
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
static size_t gp_rate_label(sbuf *b, const mfh_series *s, double p, int with_log) {
  char rate[40];
  size_t axlen = text_len(s->axis);
  if (is_exp(s)) {
    snprintf(rate, sizeof rate, "%.3g", p);
    sb_printf(b, "e^{%s ", rate);
    sb_esc(b, s->axis, ESC_GP);
    sb_puts(b, "}");
    return 2 + strlen(rate) + axlen;
  }
  fmt_rate(rate, sizeof rate, p);
  sb_esc(b, s->axis, ESC_GP);
  sb_printf(b, "^{%s}", rate);
  if (with_log) {
    sb_puts(b, "\xc2\xa0log "); /* no-break space: SVG would drop a plain one */
    sb_esc(b, s->axis, ESC_GP);
  }
  return axlen + strlen(rate) + (with_log ? 5 + axlen : 0);
}

/* One line about the fit: "observed slope -0.98 ± 0.03 (95% CI, 5/6 points) · proved -1/2"
 * ("observed exponent 0.83 ± 0.05 (...) · proved ≤ 1.5" for an exponential
 * fit); compact (for panels of a multiplot) says "pts" and drops "slope". */
static void gp_fit_line(sbuf *b, const mfh_series *s, int compact) {
  const mfh_fit_result *f = &s->fit;
  char a[40];
  if (s->has_fit && isfinite(f->slope)) {
    sb_printf(b, "observed%s%s %.3g", compact ? "" : " ", compact ? "" : slope_word(s), f->slope);
    double h = ci_half(f);
    if (isfinite(h))
      sb_printf(b, " ± %.2g (%.0f%% CI", h, 100 * f->level);
    else
      sb_puts(b, " (no CI");
    sb_printf(b, ", %zu/%zu %s)", f->n_used, f->n, compact ? "pts" : "points");
    if (f->model == MFH_FIT_POWER_LOG) sb_puts(b, " with log");
  } else if (s->has_fit) {
    size_t zero = 0;
    for (size_t i = 0; i < s->n; i++)
      if (s->pts[i].nrep > 0 && s->pts[i].mean == 0) zero++;
    if (zero == s->n)
      sb_puts(b, "every value is exactly 0 (nothing to draw on a log axis)");
    else
      sb_puts(b, "no usable fit");
  } else {
    sb_puts(b, "not fitted");
  }
  if (s->has_proved && is_exp(s)) {
    sb_printf(b, "  ·  proved ≤ %.3g", s->proved_slope);
  } else if (s->has_proved) {
    fmt_rate(a, sizeof a, s->proved_slope);
    sb_printf(b, "  ·  proved %s%s", a, s->proved_log ? " with log" : "");
  }
}

/* The plot command of one panel, built element by element, and the size
 * of its key. */
typedef struct plotcmd {
  sbuf b;
  int nel;
  size_t nkey, keylen; /* titled entries, longest title (characters) */
} plotcmd;

static void pc_next(plotcmd *pc) { sb_puts(&pc->b, pc->nel++ ? ", \\\n     " : "plot "); }
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
static size_t key_hits(const mfh_series *s, const geom *g, const kbox *k) {
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
static void gp_panel(sbuf *b, const mfh_study_result *r, size_t k, const geom *g, int single,
                     panel_px px) {
  const mfh_series *s = &r->series[k];
  char base[128], v1[40], v2[40], v3[40], v4[40];
  series_base(base, sizeof base, k, s);
  sb_printf(b, "\n# ---- series %zu: ", k + 1);
  sb_esc(b, s->measure, ESC_LINE);
  sb_puts(b, " vs ");
  sb_esc(b, s->axis, ESC_LINE);
  sb_puts(b,
          " ----\n"
          "unset label 1\nset border lw 1.2\nset xtics\nset ytics\nset tics nomirror out\n"
          "set mxtics default\nset mytics default\n"
          "set format x \"% h\"\nset format y \"% h\"\n"
          "set grid xtics ytics lc rgb \"#d0d0d0\" lw 1 dt 1\n");
  /* title */
  sb_puts(b, "set title \"");
  if (single) {
    sb_puts(b, "{/:Bold=14 ");
    if (r->theorem[0]) {
      sb_esc(b, r->theorem, ESC_GP);
      sb_puts(b, ": ");
    }
    sb_esc(b, r->title[0] ? r->title : r->id, ESC_GP);
    sb_puts(b, "}\\n{/=11 ");
  } else {
    sb_puts(b, "{/:Bold=12 ");
  }
  sb_esc(b, s->measure, ESC_GP);
  sb_puts(b, " vs ");
  sb_esc(b, s->axis, ESC_GP);
  sb_puts(b, single ? ": " : "}\\n{/=10 ");
  gp_fit_line(b, s, !single);
  sb_puts(b, "}\"\n");
  sb_puts(b, "set xlabel \"");
  sb_esc(b, s->axis, ESC_GP);
  sb_puts(b, "\"\nset ylabel \"");
  sb_esc(b, s->label[0] ? s->label : s->measure, ESC_GP);
  sb_puts(b, "\"\n");

  if (!g->plottable) {
    sb_puts(b,
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
    sb_printf(&pc.b,
              "'%s.curve.dat' every ::%zu::%zu using 1:3:4 with filledcurves fc rgb \"%s\" "
              "fs transparent solid 0.22 noborder title \"%.0f%% confidence band\"",
              base, g->ia, g->ib, C_FIT, 100 * level);
    pc_key(&pc, 20);
  }
  if (g->line) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.curve.dat' every ::%zu::%zu using 1:2 with lines lc rgb \"%s\" lw 2.5 "
              "title \"fit ",
              base, g->ia, g->ib, C_FIT);
    if (is_exp(s)) {
      pc_key(&pc, 4 + gp_rate_label(&pc.b, s, s->fit.slope, 0)); /* "fit e^{0.83 t}" */
    } else {
      char sl[40];
      snprintf(sl, sizeof sl, "%.3g", s->fit.slope);
      sb_esc(&pc.b, s->axis, ESC_GP);
      sb_printf(&pc.b, "^{%s}", sl);
      if (s->fit.model == MFH_FIT_POWER_LOG) {
        sb_puts(&pc.b, "\xc2\xa0log ");
        sb_esc(&pc.b, s->axis, ESC_GP);
      }
      pc_key(&pc, 4 + axlen + strlen(sl) + (s->fit.model == MFH_FIT_POWER_LOG ? 5 + axlen : 0));
    }
    sb_puts(&pc.b, "\"");
  }
  if (g->proved) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.curve.dat' using 1:5 with lines lc rgb \"%s\" dt 2 lw 2.2 title \"proved ",
              base, C_PROVED);
    size_t len = gp_rate_label(&pc.b, s, s->proved_slope, s->proved_log);
    sb_puts(&pc.b, "\"");
    pc_key(&pc, 7 + (len > 5 ? len : 5));
  }
  if (g->expn) {
    pc_next(&pc);
    sb_printf(&pc.b, "'%s.curve.dat' using 1:6 with lines lc rgb \"%s\" dt 3 lw 2.2 title \"", base, C_EXPN);
    size_t len = 0;
    for (size_t q = 0; q < s->expansion.npow; q++) {
      char pw[24];
      snprintf(pw, sizeof pw, "%g", s->expansion.powers[q]);
      sb_printf(&pc.b, "%s%c ", q ? " + " : "", (char)('a' + q));
      sb_esc(&pc.b, s->axis, ESC_GP);
      sb_printf(&pc.b, "^{%s}", pw);
      len += (q ? 3 : 0) + 2 + axlen + strlen(pw);
    }
    sb_puts(&pc.b, "\"");
    pc_key(&pc, len);
  }
  if (g->n_bound) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:8 with linespoints lc rgb \"%s\" dt 4 lw 2 pt 9 ps 0.9 title \"",
              base, C_BOUND);
    const char *bl = s->bound_label[0] ? s->bound_label : "bound";
    sb_esc(&pc.b, bl, ESC_GP);
    sb_puts(&pc.b, "\"");
    pc_key(&pc, text_len(bl));
  }
  if (g->n_filled_se) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && $3 > 0 ? $2 : NaN):%s:($2 + $3) with yerrorbars "
              "lc rgb \"%s\" pt 7 ps 1.2 lw 1.5 title \"replica mean ± se\"",
              base, used, lo, C_POINTS);
    pc_key(&pc, 17);
  }
  if (g->n_filled_nose) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && !($3 > 0) ? $2 : NaN) with points lc rgb \"%s\" pt 7 "
              "ps 1.2 ",
              base, used, C_POINTS);
    if (g->n_filled_se) {
      sb_puts(&pc.b, "notitle");
    } else {
      sb_puts(&pc.b, "title \"replica mean\"");
      pc_key(&pc, 12);
    }
  }
  if (g->n_hollow_se) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && $3 > 0 ? $2 : NaN):%s:($2 + $3) with yerrorbars "
              "lc rgb \"%s\" pt 6 ps 1.2 lw 1.5 title \"excluded from fit\"",
              base, hollow, lo, C_POINTS);
    pc_key(&pc, 17);
  }
  if (g->n_hollow_nose) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:(%s && !($3 > 0) ? $2 : NaN) with points lc rgb \"%s\" pt 6 "
              "ps 1.2 lw 1.5 ",
              base, hollow, C_POINTS);
    if (g->n_hollow_se) {
      sb_puts(&pc.b, "notitle");
    } else {
      sb_puts(&pc.b, "title \"excluded from fit\"");
      pc_key(&pc, 17);
    }
  }
  if (g->n_failed) {
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:($6 > 0 ? $2 : NaN) with points lc rgb \"%s\" pt 6 ps 2.6 lw 2 "
              "title \"point with failed replicas\"",
              base, C_FAILED);
    pc_key(&pc, 26);
    pc_next(&pc);
    sb_printf(&pc.b,
              "'%s.dat' using 1:($6 > 0 ? $2 : NaN):(sprintf(\"%%d failed\", int($6))) "
              "with labels offset 0,1.7 font \",9\" tc rgb \"%s\" notitle",
              base, C_FAILED);
  }
  if (!pc.nel) sb_puts(&pc.b, "plot 1e-300 notitle"); /* cannot happen when plottable */

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
  sb_printf(b, "%s\nset xrange [%s:%s]\nset yrange [%s:%s]\n",
            g->xlin ? "unset logscale\nset logscale y" : "set logscale xy", g17(v1, g->xmin),
            g17(v2, g->xmax), g17(v3, g->ymin), g17(v4, ymax));
  double marks[12];
  size_t nm = 0;
  for (size_t i = 0; i < s->n && nm <= 12; i++)
    if (x_ok(g->xlin, s->pts[i].x)) {
      if (nm < 12) marks[nm] = s->pts[i].x;
      nm++;
    }
  gp_tics(b, "x", g->xmin, g->xmax, nm <= 12 ? marks : NULL, nm, px.w, g->xlin);
  gp_tics(b, "y", g->ymin, ymax, NULL, 0, px.h, 0);
  sb_printf(b,
            "set key default\nset key %s Left reverse samplen 2.5 spacing 1.15 font \",%d\" "
            "box lc rgb \"#bbbbbb\" opaque\n",
            names[corner], font);
  sb_puts(b, sb_str(&pc.b));
  sb_putc(b, '\n');
  sb_free(&pc.b);
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

static int write_plot_gp(const mfh_study_result *r, const geom *gs, const char *dir,
                         mfh_err *err) {
  sbuf b = {0};
  int rows, cols, w, h;
  layout(r->nseries, &rows, &cols, &w, &h);
  sb_puts(&b, "# plot.gp: written by mfh for study ");
  sb_esc(&b, r->id, ESC_LINE);
  sb_puts(&b, "\n# Re-render from this folder with:  gnuplot plot.gp   (writes plot.png and plot.svg)\n");
  for (size_t k = 0; k < r->nseries; k++) {
    char base[128];
    series_base(base, sizeof base, k, &r->series[k]);
    sb_printf(&b, "# series %zu data: %s.dat (points)%s\n", k + 1, base,
              gs[k].line || gs[k].proved ? ", .curve.dat (fit, band, proved rate)" : "");
  }
  sb_printf(&b,
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
    sb_printf(&b, "set multiplot layout %d,%d title \"{/:Bold=15 ", rows, cols);
    if (r->theorem[0]) {
      sb_esc(&b, r->theorem, ESC_GP);
      sb_puts(&b, ": ");
    }
    sb_esc(&b, r->title[0] ? r->title : r->id, ESC_GP);
    sb_puts(&b, "}\"\n");
  }
  if (r->nseries == 0) {
    sb_puts(&b, "set title \"{/:Bold=14 ");
    sb_esc(&b, r->title[0] ? r->title : r->id, ESC_GP);
    sb_puts(&b,
            "}\"\nunset xtics\nunset ytics\nset xrange [0:1]\nset yrange [0:1]\n"
            "set label 1 \"no series\" at graph 0.5,0.5 center\nplot 2 notitle\n");
  }
  panel_px px = {(double)w / cols - 150, (double)(h - (multi ? 40 : 0)) / rows - (multi ? 150 : 160)};
  for (size_t k = 0; k < r->nseries; k++) gp_panel(&b, r, k, &gs[k], !multi, px);
  if (multi) sb_puts(&b, "unset multiplot\n");
  sb_puts(&b, "unset output\n}\n");
  return sb_save(&b, dir, "plot.gp", err);
}

/* ---- running gnuplot -------------------------------------------------------------- */

static void remove_in(const char *dir, const char *name) {
  char *p = mfh_path_join(dir, name);
  if (p) remove(p);
  free(p);
}

static int nonempty_in(const char *dir, const char *name) {
  char *p = mfh_path_join(dir, name);
  struct stat st;
  int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  free(p);
  return ok;
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
  if (ok && nonempty_in(dir, png) && nonempty_in(dir, svg)) {
    int rc = rename_in(dir, png, "plot.png", err);
    if (!rc) rc = rename_in(dir, svg, "plot.svg", err);
    if (rc) {
      remove_in(dir, png);
      remove_in(dir, svg);
    }
    return rc;
  }
  remove_in(dir, png);
  remove_in(dir, svg);
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
  char *exe = mfh_find_program(prog);
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
  sbuf b = {0}; /* invalid UTF-8: repair and retry */
  sb_esc(&b, s, ESC_UTF8);
  j = b.oom ? NULL : json_string(sb_str(&b));
  sb_free(&b);
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
    const char *nm = flag_name(bit);
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
        sbuf kb = {0}; /* invalid UTF-8 in the name: repair */
        sb_esc(&kb, v->name, ESC_UTF8);
        if (kb.oom || json_object_set_new(nums, sb_str(&kb), json_incref(num)) != 0) *bad = 1;
        sb_free(&kb);
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
  sbuf b = {0};
  sb_puts(&b, text);
  sb_putc(&b, '\n');
  free(text);
  return sb_save(&b, dir, "results.json", err);
}

/* ---- summary.md (study) ----------------------------------------------------------- */

static void md_fit(sbuf *b, const mfh_series *s) {
  const mfh_fit_result *f = &s->fit;
  char a[40], c[40], d[40];
  if (!s->has_fit) {
    sb_puts(b, "- Fit: none\n");
  } else {
    const char *model = f->model == MFH_FIT_POWER_LOG ? "power law with log factor"
                        : f->model == MFH_FIT_EXP     ? "exponential C e^(s x)"
                                                      : "power law";
    sb_printf(b, "- Fit (%s, %s): %s **%s**", model, f->weighted ? "weighted" : "unweighted",
              slope_word(s), hnum(a, f->slope));
    if (isfinite(ci_half(f)))
      sb_printf(b, " ± %s (%.0f%% CI [%s, %s])", hnum(a, ci_half(f)), 100 * f->level,
                hnum(c, f->slope_lo), hnum(d, f->slope_hi));
    else
      sb_puts(b, " (no confidence interval)");
    sb_printf(b, ", from %zu of %zu points", f->n_used, f->n);
    if (f->n_excluded_pre)
      sb_printf(b, " (%zu %s point%s excluded)", f->n_excluded_pre,
                is_exp(s) ? "leading" : "coarse", f->n_excluded_pre == 1 ? "" : "s");
    sb_printf(b, "; R² %s", hnum(a, f->r2));
    if (isfinite(f->chi2_dof)) sb_printf(b, ", χ²/dof %s", hnum(a, f->chi2_dof));
    if (f->flags) {
      sb_puts(b, "; flags:");
      for (unsigned k = 0; k < 32; k++)
        if (f->flags & (1u << k)) {
          const char *nm = flag_name(1u << k);
          if (nm)
            sb_printf(b, " %s", nm);
          else
            sb_printf(b, " unknown_bit_%u", k);
        }
    }
    if (f->note[0]) {
      sb_puts(b, ". ");
      sb_esc(b, f->note, ESC_LINE);
    }
    sb_putc(b, '\n');
  }
  if (s->has_proved && is_exp(s)) {
    sb_printf(b, "- Proved growth: e^(%s ", hnum(a, s->proved_slope));
    sb_esc(b, s->axis, ESC_MD);
    sb_printf(b, ") (exponent ≤ %s)\n", hnum(c, s->proved_slope));
  } else if (s->has_proved) {
    fmt_rate(a, sizeof a, s->proved_slope);
    sb_puts(b, "- Proved rate: ");
    sb_esc(b, s->axis, ESC_MD);
    sb_printf(b, "^%s%s", a, s->proved_log ? " × log " : "");
    if (s->proved_log) sb_esc(b, s->axis, ESC_MD);
    sb_printf(b, " (slope %s)\n", hnum(c, s->proved_slope));
  }
  if (s->bound) {
    sb_puts(b, "- Explicit bound: ");
    sb_esc(b, s->bound_label[0] ? s->bound_label : "(unnamed)", ESC_MD);
    sb_putc(b, '\n');
  }
}

static void md_checks_table(sbuf *b, const mfh_study_result *const *st, size_t n, int with_study) {
  sb_puts(b, with_study ? "| Study | Check | Kind | Verdict | Summary |\n|---|---|---|---|---|\n"
                        : "| Check | Kind | Verdict | Summary |\n|---|---|---|---|\n");
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < st[i]->nchecks; c++) {
      const mfh_check_result *ck = &st[i]->checks[c];
      sb_puts(b, "| ");
      if (with_study) {
        sb_puts(b, "[");
        sb_esc(b, st[i]->id, ESC_MD);
        sb_puts(b, "](");
        sb_url(b, st[i]->id);
        sb_puts(b, "/summary.md) | ");
      }
      sb_esc(b, ck->name, ESC_MD);
      sb_puts(b, " | ");
      sb_esc(b, ck->kind, ESC_MD);
      const char *v = mfh_verdict_text(ck->verdict);
      sb_puts(b, " | **");
      for (const char *p = v; *p; p++) sb_putc(b, (char)(*p - 'a' + 'A'));
      sb_puts(b, "** | ");
      sb_esc(b, ck->summary, ESC_MD);
      sb_puts(b, " |\n");
    }
}

static int write_summary_md(const mfh_study_result *r, int rendered, const char *dir,
                            mfh_err *err) {
  sbuf b = {0};
  char a[40], c[40], d[40], e[40], f[40], h[40];
  sb_puts(&b, "# ");
  sb_esc(&b, r->title[0] ? r->title : r->id, ESC_LINE);
  sb_puts(&b, "\n\n");
  const char *labels[] = {"Study id", "Theorem", "Source", "Study file", "Profile", "Solver",
                          "Observable"};
  const char *vals[] = {r->id, r->theorem, r->source, r->file, r->profile, r->solver,
                        r->observable};
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
    if (!vals[i][0]) continue;
    sb_printf(&b, "- %s: ", labels[i]);
    sb_esc(&b, vals[i], ESC_LINE);
    sb_putc(&b, '\n');
  }
  sb_printf(&b, "- Tasks: %zu (cached %zu, run %zu, failed %zu); solver time %s s\n", r->ntasks,
            r->ntasks_cached, r->ntasks_run, r->ntasks_failed, hnum(a, r->elapsed_s));
  const char *worst = mfh_verdict_text(mfh_study_result_worst(r));
  sb_puts(&b, "- Verdict: **");
  for (const char *p = worst; *p; p++) sb_putc(&b, (char)(*p - 'a' + 'A'));
  sb_puts(&b, "**\n");
  if (r->note[0]) {
    sb_puts(&b, "- Note: ");
    sb_esc(&b, r->note, ESC_LINE);
    sb_putc(&b, '\n');
  }
  sb_puts(&b, rendered ? "\n![plot](plot.png)\n"
                       : "\n(Plot not rendered: run `gnuplot plot.gp` in this folder.)\n");
  sb_puts(&b, "\n## Checks\n\n");
  if (r->nchecks) {
    const mfh_study_result *one[1] = {r};
    md_checks_table(&b, one, 1, 0);
  } else {
    sb_puts(&b, "No checks.\n");
  }
  for (size_t k = 0; k < r->nseries; k++) {
    const mfh_series *s = &r->series[k];
    sb_printf(&b, "\n## Series %zu: ", k + 1);
    sb_esc(&b, s->measure, ESC_LINE);
    sb_puts(&b, " vs ");
    sb_esc(&b, s->axis, ESC_LINE);
    if (s->label[0]) {
      sb_puts(&b, " (");
      sb_esc(&b, s->label, ESC_LINE);
      sb_puts(&b, ")");
    }
    sb_puts(&b, "\n\n");
    md_fit(&b, s);
    sb_puts(&b, "\n| ");
    sb_esc(&b, s->axis, ESC_MD);
    sb_puts(&b, " | mean | se | sd | nrep | failed | used in fit |");
    if (s->bound) sb_puts(&b, " bound |");
    sb_puts(&b, is_exp(s) ? " local exponent |\n" : " local order |\n");
    sb_puts(&b, "|---:|---:|---:|---:|---:|---:|:---:|");
    if (s->bound) sb_puts(&b, "---:|");
    sb_puts(&b, "---:|\n");
    for (size_t i = 0; i < s->n; i++) {
      const mfh_point_stats *p = &s->pts[i];
      sb_printf(&b, "| %s | %s | %s | %s | %zu | %zu | %s |", hnum(a, p->x), hnum(c, p->mean),
                hnum(d, p->se), hnum(e, p->sd), p->nrep, p->nfailed,
                !s->has_fit ? "-" : pt_used(s, i) ? "yes" : "no");
      if (s->bound) sb_printf(&b, " %s |", hnum(f, s->bound[i]));
      double lo = i > 0 && s->has_fit && s->fit.local && i < s->fit.n ? s->fit.local[i - 1] : NAN;
      sb_printf(&b, " %s |\n", i > 0 && s->has_fit && s->fit.local ? hnum(h, lo) : "");
    }
  }
  sb_puts(&b, "\nFiles: results.json (all numbers), plot.gp + *.dat (the plot and its data).\n");
  return sb_save(&b, dir, "summary.md", err);
}

/* ---- mfh_report_study --------------------------------------------------------------- */

/* Series with a negative mean (a signed measure, e.g. a weak error's bias)
 * are drawn as |mean| with the label |...|, which is what the fits use; the
 * JSON and summary keep the signed values.  *view shares everything with r
 * but the series array; free it with free_plot_view. */
static int plot_view(const mfh_study_result *r, mfh_study_result *view, mfh_err *err) {
  *view = *r;
  view->series = NULL;
  if (!r->nseries) return MFH_OK;
  view->series = calloc(r->nseries, sizeof *view->series);
  if (!view->series) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t k = 0; k < r->nseries; k++) {
    const mfh_series *s = &r->series[k];
    mfh_series *v = &view->series[k];
    *v = *s;
    int signed_ = 0;
    for (size_t i = 0; i < s->n; i++) signed_ |= s->pts[i].mean < 0;
    if (!signed_) continue;
    v->pts = malloc(s->n * sizeof *v->pts);
    if (!v->pts) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->n; i++) {
      v->pts[i] = s->pts[i];
      v->pts[i].mean = fabs(s->pts[i].mean);
    }
    snprintf(v->label, sizeof v->label, "|%.120s|", s->label);
  }
  return MFH_OK;
}

static void free_plot_view(const mfh_study_result *r, mfh_study_result *view) {
  for (size_t k = 0; view->series && k < r->nseries; k++)
    if (view->series[k].pts != r->series[k].pts) free(view->series[k].pts);
  free(view->series);
}

int mfh_report_study(const mfh_study_result *r0, const char *dir, const mfh_report_opts *o,
                     int *rendered, mfh_err *err) {
  int did_render = 0;
  if (rendered) *rendered = 0;
  if (!r0 || !dir) return mfh_err_set(err, MFH_EINTERNAL, "mfh_report_study: no study or folder");
  mfh_study_result view;
  int vrc = plot_view(r0, &view, err);
  if (vrc) {
    free_plot_view(r0, &view);
    return vrc;
  }
  const mfh_study_result *r = &view;
  mfh_report_opts defaults = {1, NULL, NULL, NULL};
  if (!o) o = &defaults;
  int rc = mfh_mkdirs(dir, err);
  geom *gs = rc ? NULL : calloc(r->nseries ? r->nseries : 1, sizeof *gs);
  if (!rc && !gs) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (rc) {
    free_plot_view(r0, &view);
    return rc;
  }
  for (size_t k = 0; k < r->nseries && !rc; k++) {
    if (compute_geom(&r->series[k], &gs[k]) != MFH_OK)
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    else
      rc = write_series_data(r, k, &gs[k], dir, err);
  }
  if (!rc) rc = write_plot_gp(r, gs, dir, err);
  int render_rc = MFH_OK;
  mfh_err render_err;
  mfh_err_clear(&render_err);
  if (!rc) render_rc = render_study(dir, o, &did_render, &render_err);
  if (!rc && !did_render) { /* never leave images of an earlier run next to new data */
    remove_in(dir, "plot.png");
    remove_in(dir, "plot.svg");
  }
  if (!rc) rc = write_results_json(r0, dir, err);
  if (!rc) rc = write_summary_md(r0, did_render, dir, err);
  for (size_t k = 0; k < r->nseries; k++) geom_free(&gs[k]);
  free(gs);
  free_plot_view(r0, &view);
  if (!rc && render_rc) {
    if (err) *err = render_err;
    rc = render_rc;
  }
  if (rendered) *rendered = did_render && !rc;
  return rc;
}

/* ---- run level ------------------------------------------------------------------------ */

static void count_verdicts(const mfh_study_result *const *st, size_t n, size_t cnt[4],
                           size_t *total) {
  memset(cnt, 0, 4 * sizeof *cnt);
  *total = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < st[i]->nchecks; c++) {
      int v = st[i]->checks[c].verdict;
      cnt[v >= 0 && v <= 3 ? v : MFH_CHECK_ERROR]++;
      (*total)++;
    }
}

/* CSS class / text of a verdict ("pass", ...; unknown values count as errors). */
static const char *vclass(int v) { return v >= 0 && v <= 3 ? mfh_verdict_text(v) : "error"; }

static void sb_upper(sbuf *b, const char *s) {
  for (; *s; s++) sb_putc(b, (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s);
}

static void html_badge(sbuf *b, int v) {
  sb_printf(b, "<span class=\"v %s\">", vclass(v));
  sb_upper(b, vclass(v));
  sb_puts(b, "</span>");
}

static int write_index_html(const mfh_study_result *const *st, size_t n, const int *rendered,
                            const char *outdir, mfh_err *err) {
  sbuf b = {0};
  size_t cnt[4], total;
  count_verdicts(st, n, cnt, &total);
  sb_puts(&b,
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
  sb_printf(&b, "%zu stud%s, %zu check%s &nbsp; ", n, n == 1 ? "y" : "ies", total,
            total == 1 ? "" : "s");
  static const int order[4] = {MFH_PASS, MFH_FAIL, MFH_INCONCLUSIVE, MFH_CHECK_ERROR};
  for (int i = 0; i < 4; i++) {
    sb_printf(&b, "<span class=\"v %s\">%zu ", vclass(order[i]), cnt[order[i]]);
    sb_upper(&b, vclass(order[i]));
    sb_puts(&b, "</span>");
  }
  sb_puts(&b, "</div>\n</header>\n<main>\n<h2 style=\"margin-top:22px\">Checks</h2>\n");
  sb_puts(&b, "<table>\n<tr><th>Study</th><th>Theorem</th><th>Check</th><th>Verdict</th>"
              "<th>Summary</th></tr>\n");
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < st[i]->nchecks; c++) {
      const mfh_check_result *ck = &st[i]->checks[c];
      sb_printf(&b, "<tr><td><a href=\"#study-%zu\">", i + 1);
      sb_esc(&b, st[i]->id, ESC_HTML);
      sb_puts(&b, "</a></td><td>");
      sb_esc(&b, st[i]->theorem, ESC_HTML);
      sb_puts(&b, "</td><td>");
      sb_esc(&b, ck->name, ESC_HTML);
      sb_puts(&b, "</td><td>");
      html_badge(&b, ck->verdict);
      sb_puts(&b, "</td><td class=\"sum\">");
      sb_esc(&b, ck->summary, ESC_HTML);
      sb_puts(&b, "</td></tr>\n");
    }
  if (!total) sb_puts(&b, "<tr><td colspan=\"5\">No checks.</td></tr>\n");
  sb_puts(&b, "</table>\n");

  for (size_t i = 0; i < n; i++) {
    const mfh_study_result *r = st[i];
    sbuf href = {0};
    sb_url(&href, r->id);
    const char *h = sb_str(&href);
    sb_printf(&b, "<section class=\"study\" id=\"study-%zu\">\n<h2>", i + 1);
    html_badge(&b, mfh_study_result_worst(r));
    sb_puts(&b, " ");
    sb_esc(&b, r->id, ESC_HTML);
    if (r->title[0]) {
      sb_puts(&b, " &mdash; ");
      sb_esc(&b, r->title, ESC_HTML);
    }
    sb_puts(&b, "</h2>\n<div class=\"meta\">");
    if (r->theorem[0]) {
      sb_puts(&b, "Theorem <b>");
      sb_esc(&b, r->theorem, ESC_HTML);
      sb_puts(&b, "</b>");
    }
    if (r->source[0]) {
      sb_puts(&b, " &middot; ");
      sb_esc(&b, r->source, ESC_HTML);
    }
    if (r->profile[0]) {
      sb_puts(&b, " &middot; profile ");
      sb_esc(&b, r->profile, ESC_HTML);
    }
    char t[40];
    sb_printf(&b, " &middot; %zu tasks (%zu cached, %zu run, %zu failed), %s s</div>\n",
              r->ntasks, r->ntasks_cached, r->ntasks_run, r->ntasks_failed, hnum(t, r->elapsed_s));
    if (r->note[0]) {
      sb_puts(&b, "<div class=\"note\">");
      sb_esc(&b, r->note, ESC_HTML);
      sb_puts(&b, "</div>\n");
    }
    if (rendered[i]) {
      sb_printf(&b, "<a href=\"%s/plot.svg\"><img src=\"%s/plot.png\" alt=\"", h, h);
      sb_esc(&b, r->id, ESC_ATTR);
      sb_puts(&b, " convergence plot\"></a>\n");
    } else {
      sb_printf(&b, "<p class=\"meta\">Plot not rendered: run <code>gnuplot plot.gp</code> in "
                    "<a href=\"%s/\">",
                h);
      sb_esc(&b, r->id, ESC_HTML);
      sb_puts(&b, "/</a>.</p>\n");
    }
    sb_printf(&b,
              "<div class=\"links\"><a href=\"%s/summary.md\">summary.md</a>"
              "<a href=\"%s/results.json\">results.json</a>",
              h, h);
    if (rendered[i]) sb_printf(&b, "<a href=\"%s/plot.svg\">plot.svg</a>", h);
    sb_printf(&b, "<a href=\"%s/plot.gp\">plot.gp</a></div>\n</section>\n", h);
    sb_free(&href);
  }
  sb_puts(&b, "</main>\n</body>\n</html>\n");
  return sb_save(&b, outdir, "index.html", err);
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
static void junit_numbers(sbuf *b, const mfh_check_result *ck) {
  sb_esc(b, ck->summary, ESC_HTML);
  for (size_t i = 0; i < ck->numbers.n; i++) {
    char v[40];
    sb_putc(b, '\n');
    sb_esc(b, ck->numbers.v[i].name, ESC_HTML);
    sb_printf(b, " = %s", g17(v, ck->numbers.v[i].v));
  }
}

static int write_junit(const mfh_study_result *const *st, size_t n, const char *outdir,
                       mfh_err *err) {
  sbuf b = {0};
  size_t cnt[4], total;
  double time = 0;
  count_verdicts(st, n, cnt, &total);
  for (size_t i = 0; i < n; i++)
    if (isfinite(st[i]->elapsed_s)) time += st[i]->elapsed_s;
  char t[40];
  sb_printf(&b,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!-- mfh checks: fail -> failure, error -> error, inconclusive -> skipped -->\n"
            "<testsuites name=\"mfh\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
            "skipped=\"%zu\" time=\"%s\">\n",
            total, cnt[MFH_FAIL], cnt[MFH_CHECK_ERROR], cnt[MFH_INCONCLUSIVE], g17(t, time));
  for (size_t i = 0; i < n; i++) {
    const mfh_study_result *r = st[i];
    size_t c4[4], tot;
    count_verdicts(&st[i], 1, c4, &tot);
    sb_puts(&b, "  <testsuite name=\"");
    sb_esc(&b, r->id, ESC_ATTR);
    sb_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%s\">\n",
              tot, c4[MFH_FAIL], c4[MFH_CHECK_ERROR], c4[MFH_INCONCLUSIVE],
              g17(t, isfinite(r->elapsed_s) ? r->elapsed_s : 0));
    sb_puts(&b, "    <properties>\n");
    const char *pn[] = {"title", "theorem", "source", "file", "profile", "solver", "observable"};
    const char *pv[] = {r->title, r->theorem, r->source, r->file, r->profile, r->solver,
                        r->observable};
    for (size_t k = 0; k < sizeof pn / sizeof pn[0]; k++) {
      sb_printf(&b, "      <property name=\"%s\" value=\"", pn[k]);
      sb_esc(&b, pv[k], ESC_ATTR);
      sb_puts(&b, "\"/>\n");
    }
    sb_puts(&b, "    </properties>\n");
    for (size_t c = 0; c < r->nchecks; c++) {
      const mfh_check_result *ck = &r->checks[c];
      sb_puts(&b, "    <testcase classname=\"");
      sb_esc(&b, r->id, ESC_ATTR);
      sb_puts(&b, "\" name=\"");
      sb_esc(&b, ck->name, ESC_ATTR);
      sb_puts(&b, "\" time=\"0\"");
      int v = ck->verdict >= 0 && ck->verdict <= 3 ? ck->verdict : MFH_CHECK_ERROR;
      if (v == MFH_PASS) {
        sb_puts(&b, "/>\n");
        continue;
      }
      sb_puts(&b, ">\n");
      if (v == MFH_INCONCLUSIVE) {
        sb_puts(&b, "      <skipped message=\"inconclusive: ");
        sb_esc(&b, ck->summary, ESC_ATTR);
        sb_puts(&b, "\"/>\n");
      } else {
        const char *tag = v == MFH_FAIL ? "failure" : "error";
        sb_printf(&b, "      <%s message=\"", tag);
        sb_esc(&b, ck->summary, ESC_ATTR);
        sb_puts(&b, "\" type=\"");
        sb_esc(&b, ck->kind, ESC_ATTR);
        sb_puts(&b, "\">");
        junit_numbers(&b, ck);
        sb_printf(&b, "</%s>\n", tag);
      }
      sb_puts(&b, "    </testcase>\n");
    }
    if (r->note[0]) {
      sb_puts(&b, "    <system-out>");
      sb_esc(&b, r->note, ESC_HTML);
      sb_puts(&b, "</system-out>\n");
    }
    sb_puts(&b, "  </testsuite>\n");
  }
  sb_puts(&b, "</testsuites>\n");
  return sb_save(&b, outdir, "junit.xml", err);
}

static int write_run_md(const mfh_study_result *const *st, size_t n, const char *outdir,
                        mfh_err *err) {
  sbuf b = {0};
  size_t cnt[4], total;
  count_verdicts(st, n, cnt, &total);
  sb_printf(&b,
            "# mfh run summary\n\n%zu stud%s, %zu check%s: %zu pass, %zu fail, %zu "
            "inconclusive, %zu error.\n\n",
            n, n == 1 ? "y" : "ies", total, total == 1 ? "" : "s", cnt[MFH_PASS], cnt[MFH_FAIL],
            cnt[MFH_INCONCLUSIVE], cnt[MFH_CHECK_ERROR]);
  if (total)
    md_checks_table(&b, st, n, 1);
  else
    sb_puts(&b, "No checks.\n");
  sb_puts(&b, "\n## Studies\n\n");
  for (size_t i = 0; i < n; i++) {
    sb_puts(&b, "- [");
    sb_esc(&b, st[i]->id, ESC_MD);
    sb_puts(&b, "](");
    sb_url(&b, st[i]->id);
    sb_puts(&b, "/summary.md)");
    if (st[i]->title[0]) {
      sb_puts(&b, ": ");
      sb_esc(&b, st[i]->title, ESC_LINE);
    }
    if (st[i]->theorem[0]) {
      sb_puts(&b, " (");
      sb_esc(&b, st[i]->theorem, ESC_LINE);
      sb_puts(&b, ")");
    }
    sb_puts(&b, " — **");
    sb_upper(&b, vclass(mfh_study_result_worst(st[i])));
    sb_puts(&b, "**\n");
  }
  return sb_save(&b, outdir, "summary.md", err);
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
    if (!src && !nonempty_in(dir, "results.json"))
      src = mfh_report_study(studies[i], dir, o, NULL, &e);
    if (dir) rendered[i] = nonempty_in(dir, "plot.png"); /* stale images are never left */
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
    ascii_copy(a, sizeof a, studies[i]->id);
    if (strlen(a) > ws) ws = strlen(a);
    for (size_t k = 0; k < studies[i]->nchecks; k++) {
      ascii_copy(c, sizeof c, studies[i]->checks[k].name);
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
  count_verdicts(studies, n, cnt, &total);
  for (size_t i = 0; i < n; i++) {
    ascii_copy(a, sizeof a, studies[i]->id);
    if (!studies[i]->nchecks) fprintf(out, "%-*s  %-*s  %-*s  %s\n", is, a, ic, "-", iv, "-", "no checks");
    for (size_t k = 0; k < studies[i]->nchecks; k++) {
      const mfh_check_result *ck = &studies[i]->checks[k];
      char v[16], s[600];
      const char *vt = vclass(ck->verdict);
      size_t j = 0;
      for (; vt[j] && j < sizeof v - 1; j++) v[j] = (char)(vt[j] - 'a' + 'A');
      v[j] = '\0';
      ascii_copy(c, sizeof c, ck->name);
      ascii_copy(s, sizeof s, ck->summary);
      fprintf(out, "%-*s  %-*s  %-*s  %s\n", is, a, ic, c, iv, v, s);
    }
  }
  fprintf(out, "%zu check%s: %zu pass, %zu fail, %zu inconclusive, %zu error\n", total,
          total == 1 ? "" : "s", cnt[MFH_PASS], cnt[MFH_FAIL], cnt[MFH_INCONCLUSIVE],
          cnt[MFH_CHECK_ERROR]);
}
