/* The plot and table model (report/model.h). */
#include "report/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

/* ---- fit flags ------------------------------------------------------------------ */

static const struct {
  unsigned bit;
  const char *name;
} flag_names[] = {
    {MFH_FIT_NONFINITE, "nonfinite"},     {MFH_FIT_NONPOSITIVE, "nonpositive"},
    {MFH_FIT_NOT_DECREASING, "not_decreasing"}, {MFH_FIT_FLOOR, "floor"},
    {MFH_FIT_TOO_FEW, "too_few"},         {MFH_FIT_PREASYMPTOTIC, "preasymptotic"},
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

const char *mfh_report_fit_flag(unsigned bit) {
  for (size_t i = 0; i < NFLAGS; i++)
    if (flag_names[i].bit == bit) return flag_names[i].name;
  return NULL;
}

/* ---- plot geometry ------------------------------------------------------------ */

#define CURVE_IN 81  /* curve rows inside the fitted range */
#define CURVE_OUT 24 /* rows over the whole x range, outside the fitted range */
#define BAND_MAX 200 /* band clipped at a factor e^200 (it is far off the plot anyway) */

static void geom_free(mfh_plot_geom *g) {
  free(g->cx);
  memset(g, 0, sizeof *g);
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

/* Like widen, on a y axis that may be linear (any finite value). */
static void widen_y(int ylin, double *lo, double *hi, double v) {
  if (!y_ok(ylin, v)) return;
  if (v < *lo) *lo = v;
  if (v > *hi) *hi = v;
}

/* Like widen, for x values: any finite value on a linear axis. */
static void widen_x(int xlin, double *lo, double *hi, double v) {
  if (!x_ok(xlin, v)) return;
  if (v < *lo) *lo = v;
  if (v > *hi) *hi = v;
}

/* What series s can draw and where, into g (zeroed first).  0 or MFH_ENOMEM. */
static int compute_geom(const mfh_series *s, mfh_plot_geom *g) {
  memset(g, 0, sizeof *g);
  const mfh_fit_result *f = &s->fit;
  const int xlin = g->xlin = lin_x(s), ylin = g->ylin = lin_y(s);
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
    if (!drawable(xlin, ylin, p)) continue;
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
        if (drawable(xlin, ylin, &s->pts[i]) && (is_exp(s) || s->pts[i].x > 0)) {
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
  g->extrap = s->has_extrap && y_ok(ylin, s->extrap);
  g->gciband = s->has_extrap && x_ok(xlin, s->extrap_x) && y_ok(ylin, s->extrap_hi);
  if (g->extrap) widen_y(ylin, &ylo, &yhi, s->extrap);
  if (g->gciband) {
    widen_y(ylin, &ylo, &yhi, s->extrap_hi);
    widen_y(ylin, &ylo, &yhi, s->extrap_lo); /* on a log axis: when positive */
  }
  for (size_t i = 0; i < s->n; i++) {
    const mfh_point_stats *p = &s->pts[i];
    if (!x_ok(xlin, p->x)) continue;
    if (s->bound) widen_y(ylin, &ylo, &yhi, s->bound[i]);
    if (!drawable(xlin, ylin, p)) continue;
    widen_y(ylin, &ylo, &yhi, p->mean);
    if (has_se(p)) {
      widen_y(ylin, &ylo, &yhi, p->mean + p->se);
      widen_y(ylin, &ylo, &yhi, p->mean - p->se);
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
  if (ylin) { /* linear y: the data's extent, padded; a window around a single value */
    double a = ylo, b = yhi;
    if (!(b > a)) {
      double h = a != 0 ? 0.05 * fabs(a) : 0.5;
      a -= h;
      b += h;
    }
    double span = b - a;
    g->ymin = a - 0.07 * span;
    g->ymax = b + (g->n_failed ? 0.16 : 0.08) * span;
    return MFH_OK;
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

/* ---- the model ------------------------------------------------------------------ */

int mfh_plot_model_build(const mfh_study_result *r, mfh_plot_model *m, mfh_err *err) {
  memset(m, 0, sizeof *m);
  m->study = r;
  m->view = *r;
  m->view.series = NULL;
  if (!r->nseries) return MFH_OK;
  m->view.series = calloc(r->nseries, sizeof *m->view.series);
  m->geom = calloc(r->nseries, sizeof *m->geom);
  if (!m->view.series || !m->geom) goto fail;
  for (size_t k = 0; k < r->nseries; k++) {
    const mfh_series *s = &r->series[k];
    mfh_series *v = &m->view.series[k];
    *v = *s;
    int signed_ = 0;
    for (size_t i = 0; i < s->n; i++) signed_ |= s->pts[i].mean < 0;
    if (signed_) {
      v->pts = malloc(s->n * sizeof *v->pts);
      if (!v->pts) goto fail;
      for (size_t i = 0; i < s->n; i++) {
        v->pts[i] = s->pts[i];
        v->pts[i].mean = fabs(s->pts[i].mean);
      }
      snprintf(v->label, sizeof v->label, "|%.120s|", s->label);
      v->has_extrap = 0; /* a signed value's extrapolation has no place on |mean| axes (numbers in the JSON) */
    }
    if (compute_geom(v, &m->geom[k]) != MFH_OK) goto fail;
  }
  return MFH_OK;
fail:
  mfh_plot_model_free(m);
  return mfh_err_set(err, MFH_ENOMEM, "out of memory");
}

void mfh_plot_model_free(mfh_plot_model *m) {
  const mfh_study_result *r = m->study;
  for (size_t k = 0; r && k < r->nseries; k++) {
    if (m->view.series && m->view.series[k].pts != r->series[k].pts) free(m->view.series[k].pts);
    if (m->geom) geom_free(&m->geom[k]);
  }
  free(m->view.series);
  free(m->geom);
  memset(m, 0, sizeof *m);
}

/* ---- verdicts -------------------------------------------------------------------- */

void mfh_report_count_verdicts(const mfh_study_result *const *st, size_t n, size_t cnt[4],
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

int mfh_report_undecided_text(const mfh_study_result *const *st, size_t n, char *buf, size_t len) {
  size_t u = mfh_study_results_undecided(st, n);
  buf[0] = '\0';
  if (u)
    snprintf(buf, len, "%zu of the inconclusive %s undecided where the study expects pass or fail", u,
             u == 1 ? "is" : "are");
  return u != 0;
}

const char *mfh_report_verdict_class(int v) {
  return v >= 0 && v <= 3 ? mfh_verdict_text(v) : "error";
}
