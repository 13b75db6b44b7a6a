/* Rate fits: weighted least squares of log(error) on log(parameter).
 *
 * Model MFH_FIT_POWER:      y = C x^s          (fit log y = log C + s log x)
 * Model MFH_FIT_POWER_LOG:  y = C x^s log x    (fit log(y / log x) = log C + s log x;
 *                                               needs x > 1)
 * Model MFH_FIT_EXP:        y = C e^{s x}      (fit log y = log C + s x: growth
 *                                               exponents, e.g. Gronwall bounds in t;
 *                                               local orders are d log y / dx)
 * Weights: when yerr is given (standard errors of the replica means), the
 * standard error of log y is yerr/y (delta method) and the weights are its
 * inverse squares.  The slope's covariance is scaled by max(1, chi2/dof)
 * (Birge ratio) so scatter beyond the replica errors widens the interval
 * instead of being hidden.  Without yerr (or with any yerr <= 0) the fit is
 * unweighted and the covariance is the usual residual-based one.
 * The confidence interval is t-based with n_used - 2 degrees of freedom.
 * (Method: any regression text, e.g. Press et al., Numerical Recipes 15.2;
 * GSL gsl_fit_wlinear / gsl_fit_linear do the arithmetic.) */
#ifndef MFH_CORE_FIT_H
#define MFH_CORE_FIT_H

#include <stddef.h>

#include "core/status.h"

enum mfh_fit_model { MFH_FIT_POWER = 0, MFH_FIT_POWER_LOG = 1, MFH_FIT_EXP = 2 };

/* Flags raised by the fitter; the fit still reports its numbers. */
enum mfh_fit_flag {
  MFH_FIT_NONFINITE = 1u << 0,      /* a NaN/Inf x or y (such points are never used) */
  MFH_FIT_NONPOSITIVE = 1u << 1,    /* a y <= 0 (cannot take the log; point not used) */
  MFH_FIT_NOT_DECREASING = 1u << 2, /* error does not decrease along the refinement direction */
  MFH_FIT_FLOOR = 1u << 3,          /* identical errors at every level (an error floor) */
  MFH_FIT_TOO_FEW = 1u << 4,        /* fewer than 3 usable points: no interval */
  MFH_FIT_PREASYMPTOTIC = 1u << 5   /* leading points were excluded as pre-asymptotic */
};

typedef struct mfh_fit_opts {
  int model;              /* enum mfh_fit_model */
  int refine_dir;         /* +1: refinement is x increasing (N); -1: x decreasing (eps, dt) */
  size_t exclude_leading; /* points to drop at the coarse end, set by the study */
  int auto_exclude;       /* also detect pre-asymptotic points from the local orders */
  double level;           /* confidence level of the interval, e.g. 0.95 */
} mfh_fit_opts;

/* Fill defaults: power model, refine_dir +1, no exclusion, level 0.95. */
void mfh_fit_opts_default(mfh_fit_opts *o);

typedef struct mfh_fit_result {
  int model;
  size_t n;               /* points given */
  size_t n_used;          /* points in the fit */
  unsigned char *used;    /* n flags: 1 if point i entered the fit (owned) */
  size_t n_excluded_pre;  /* coarse-end points dropped (study-set + detected) */
  int weighted;
  double slope, slope_se, slope_lo, slope_hi;  /* interval at opts.level */
  double intercept, intercept_se;              /* of log C */
  double cov;             /* covariance of (intercept, slope) */
  double r2;              /* coefficient of determination (weighted when weighted) */
  double chi2_dof;        /* chi^2 / (n_used - 2); NaN when unweighted */
  double t_crit;          /* the t quantile used */
  double level;
  double *local;          /* n-1 pairwise local orders between consecutive points,
                             log(y[i+1]/y[i]) / log(x[i+1]/x[i]) (power model);
                             NaN where undefined (owned) */
  unsigned flags;         /* enum mfh_fit_flag */
  char note[256];         /* human-readable remarks, e.g. why points were excluded */
} mfh_fit_result;

/* Fit n points (x ascending or not; they are used in the order given, which
 * must be the order of the sweep from coarse to fine).  yerr may be NULL.
 * Returns MFH_OK even when the data are degenerate (flags say so and the
 * interval is infinite); MFH_EINPUT for n == 0 or bad options; MFH_ENOMEM.
 * out must be released with mfh_fit_result_free. */
int mfh_fit_rate(size_t n, const double *x, const double *y, const double *yerr,
                 const mfh_fit_opts *opts, mfh_fit_result *out, mfh_err *err);
void mfh_fit_result_free(mfh_fit_result *r);

/* The model's prediction exp(intercept) x^slope [log x] and the half-width of
 * its pointwise confidence band at x (in log space), for plotting. */
double mfh_fit_predict(const mfh_fit_result *r, double x);
double mfh_fit_band_halfwidth_log(const mfh_fit_result *r, double x);

/* ---- finite expansions ----------------------------------------------------
 * y = sum_k c_k x^{p_k} (k < npow <= MFH_EXPANSION_MAX): e.g. a/N + b/N^2 for
 * a pre-asymptotic sweep whose leading order is known.  Linear least squares
 * (GSL multifit), weighted by 1/yerr^2 when every yerr > 0; the coefficients'
 * covariance is scaled by max(1, chi2/dof) (weighted) or is the residual one
 * (unweighted), as in the rate fit.  Every point is used. */
#define MFH_EXPANSION_MAX 4

typedef struct mfh_expansion_fit {
  size_t npow, n;
  double powers[MFH_EXPANSION_MAX];
  double coef[MFH_EXPANSION_MAX], coef_se[MFH_EXPANSION_MAX]; /* se NaN when n == npow */
  double max_rel_resid; /* max_i |y_i - fit(x_i)| / |y_i| */
  size_t worst;         /* index of that point */
  double chi2_dof;      /* NaN when unweighted or n == npow */
  int weighted;
} mfh_expansion_fit;

/* Fit n >= npow points (x > 0, y and yerr finite; yerr may be NULL).
 * MFH_EINPUT for bad sizes, non-finite data, repeated powers or a singular
 * design; MFH_ENOMEM. */
int mfh_fit_expansion(size_t n, const double *x, const double *y, const double *yerr, size_t npow,
                      const double *powers, mfh_expansion_fit *out, mfh_err *err);
/* The fitted sum at x. */
double mfh_expansion_predict(const mfh_expansion_fit *f, double x);

#endif
