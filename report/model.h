/* The plot and table model the report writers read.
 *
 * A study's plot model is the study as drawn (signed series shown as
 * |mean|) and, per series, what can be drawn and where: axis kinds and
 * ranges, the fitted line with its confidence band, the proved rate and the
 * expansion sampled along x, and counts of each kind of point.  It is built
 * once per study (mfh_report_study) and read by every writer, so the data
 * files, plot.gp and any other drawing agree.  The small predicates below
 * say how a point or series is treated (used in the fit, drawable on a log
 * axis, ...) wherever a writer needs to know. */
#ifndef MFH_REPORT_MODEL_H
#define MFH_REPORT_MODEL_H

#include <math.h>
#include <stddef.h>

#include "core/results.h"
#include "core/status.h"

static inline int ok_pos(double v) { return isfinite(v) && v > 0; }
static inline int has_se(const mfh_point_stats *p) { return isfinite(p->se) && p->se > 0; }

/* 1 if the series was fitted with the exponential model y = C e^{s x}. */
static inline int is_exp(const mfh_series *s) { return s->has_fit && s->fit.model == MFH_FIT_EXP; }

/* 1 if the series is drawn with a linear x axis (the y axis stays
 * logarithmic): exponential fits, whose lines are straight in (x, log y),
 * and series without a fit that have an x <= 0 (e.g. time t = 0), which a
 * log axis cannot show.  A power-law fit keeps its log-log axes; its x <= 0
 * points are not drawn (its fitted line is not defined there). */
static inline int lin_x(const mfh_series *s) {
  if (is_exp(s)) return 1;
  if (s->has_fit) return 0;
  for (size_t i = 0; i < s->n; i++)
    if (isfinite(s->pts[i].x) && s->pts[i].x <= 0) return 1;
  return 0;
}

/* 1 if the series is drawn with a linear y axis: a value converging to a
 * limit (a gci check's series, which gets no rate fit), whose small changes
 * a log axis would flatten. */
static inline int lin_y(const mfh_series *s) { return s->has_extrap && !s->has_fit; }

/* 1 if x can be placed on the series' x axis (linear: any finite x). */
static inline int x_ok(int xlin, double x) { return xlin ? isfinite(x) : ok_pos(x); }
/* The same for y. */
static inline int y_ok(int ylin, double y) { return ylin ? isfinite(y) : ok_pos(y); }
static inline int drawable(int xlin, int ylin, const mfh_point_stats *p) {
  return x_ok(xlin, p->x) && y_ok(ylin, p->mean);
}

/* What the fitted parameter is called in prose: "slope" (power laws, the
 * slope on log-log axes) or "exponent" (s in e^{s x}). */
static inline const char *slope_word(const mfh_series *s) {
  return is_exp(s) ? "exponent" : "slope";
}

/* 1 if point i entered the fit (0 when the series has no fit). */
static inline int pt_used(const mfh_series *s, size_t i) {
  if (!s->has_fit) return 0;
  if (!s->fit.used || i >= s->fit.n) return 1;
  return s->fit.used[i] != 0;
}

/* Half-width of the slope's confidence interval, NaN when there is none. */
static inline double ci_half(const mfh_fit_result *f) {
  double h = 0.5 * (f->slope_hi - f->slope_lo);
  return isfinite(h) ? h : NAN;
}

static inline double loglerp(double a, double b, double t) {
  if (t <= 0) return a;
  if (t >= 1) return b;
  return exp(log(a) + t * (log(b) - log(a)));
}

static inline double linlerp(double a, double b, double t) {
  if (t <= 0) return a;
  if (t >= 1) return b;
  return a + t * (b - a);
}

/* Interpolation along the x axis: log-spaced, or even for a linear axis
 * (the same for y with ylin). */
static inline double xlerp(int xlin, double a, double b, double t) {
  return xlin ? linlerp(a, b, t) : loglerp(a, b, t);
}

/* What can be drawn for one series and where. */
typedef struct mfh_plot_geom {
  int plottable;                 /* something positive and finite to draw */
  int xlin;                      /* linear x axis (lin_x) */
  int ylin;                      /* linear y axis (lin_y); else log */
  double xmin, xmax, ymin, ymax; /* plot ranges */
  double dxmin, dxmax;           /* extent of the sweep values that can be placed on x */
  int line, band, proved, expn;  /* curves present (fitted line, band, proved rate, expansion) */
  int extrap, gciband;           /* a gci check's extrapolated value (a level line) and the finest
                                    level's GCI band (an error bar) can be drawn */
  size_t ncurve, ia, ib;         /* curve rows; the fit lives in rows ia..ib */
  double *cx, *cfit, *clo, *chi, *cref, *cexp; /* ncurve values each, NaN where absent */
  size_t n_filled_se, n_filled_nose, n_hollow_se, n_hollow_nose, n_failed, n_bound;
  int descending; /* data fall from left to right */
} mfh_plot_geom;

/* The plot model of one study. */
typedef struct mfh_plot_model {
  const mfh_study_result *study; /* as measured (not owned) */
  mfh_study_result view;         /* as drawn: shares everything with study but the series
                                    array; a series with a negative mean is shown as
                                    |mean| with the label |...|, which is what the fits use */
  mfh_plot_geom *geom;           /* view.nseries entries */
} mfh_plot_model;

/* Build the model of r (which must outlive it).  0 or MFH_ENOMEM; on
 * failure *m is left empty (mfh_plot_model_free accepts it). */
int mfh_plot_model_build(const mfh_study_result *r, mfh_plot_model *m, mfh_err *err);
/* Release what the model owns; accepts a zeroed or failed model. */
void mfh_plot_model_free(mfh_plot_model *m);

/* Name of one fit flag bit ("not_decreasing", ...), NULL when unknown. */
const char *mfh_report_fit_flag(unsigned bit);

/* "N of the inconclusive are undecided where the study expects pass or
 * fail" (their decided_at) into buf, each writer adding its markup; 0 and
 * "" when none is. */
int mfh_report_undecided_text(const mfh_study_result *const *st, size_t n, char *buf, size_t len);
/* Checks of every study by verdict: cnt[enum mfh_verdict], unknown
 * verdicts counted as errors, and their total. */
void mfh_report_count_verdicts(const mfh_study_result *const *st, size_t n, size_t cnt[4],
                               size_t *total);
/* CSS class / text of a verdict ("pass", ...; unknown values count as errors). */
const char *mfh_report_verdict_class(int v);

#endif
