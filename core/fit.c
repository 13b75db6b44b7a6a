/* Rate fits: weighted least squares of log(error) on log(parameter).
 * See fit.h for the model, the weights and the interval. */
#include "core/fit.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>

/* Relative spread below which all used errors count as identical. */
#define FIT_FLOOR_RTOL 1e-12
/* A leading local order is "not yet stable" when it differs from the median
 * of the later ones by more than max(ABS, REL * |median|). */
#define FIT_STABLE_ABS 0.15
#define FIT_STABLE_REL 0.25
/* Auto-exclusion keeps at least this many points. */
#define FIT_KEEP_MIN 4

/* Why a point cannot enter the fit. */
enum { PT_OK = 0, PT_NONFINITE, PT_NONPOSITIVE, PT_X_NONPOSITIVE, PT_X_LE_ONE };

void mfh_fit_opts_default(mfh_fit_opts *o) {
  if (!o) return;
  o->model = MFH_FIT_POWER;
  o->refine_dir = 1;
  o->exclude_leading = 0;
  o->auto_exclude = 0;
  o->level = 0.95;
}

void mfh_fit_result_free(mfh_fit_result *r) {
  if (!r) return;
  free(r->used);
  free(r->local);
  r->used = NULL;
  r->local = NULL;
}

/* Append "; text" to the note; a note that does not fit ends in "...". */
static void note_add(mfh_fit_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_add(mfh_fit_result *r, const char *fmt, ...) {
  size_t cap = sizeof r->note, len = strlen(r->note);
  if (len + 4 >= cap) return;
  if (len) {
    memcpy(r->note + len, "; ", 3);
    len += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(r->note + len, cap - len, fmt, ap);
  va_end(ap);
  if (w < 0 || (size_t)w >= cap - len) memcpy(r->note + cap - 4, "...", 4);
}

static int point_class(int model, double x, double y) {
  if (!isfinite(x) || !isfinite(y)) return PT_NONFINITE;
  if (y <= 0) return PT_NONPOSITIVE;
  if (model == MFH_FIT_POWER_LOG) return x > 1 ? PT_OK : PT_X_LE_ONE;
  if (model == MFH_FIT_EXP) return PT_OK;
  return x > 0 ? PT_OK : PT_X_NONPOSITIVE;
}

/* The fitted ordinate: log y (power) or log(y / log x) (power-log). */
static double model_logy(int model, double x, double y) {
  return model == MFH_FIT_POWER_LOG ? log(y) - log(log(x)) : log(y);
}

/* The fitted abscissa: log x, or x itself for the exponential model. */
static double model_x(int model, double x) { return model == MFH_FIT_EXP ? x : log(x); }

static int cmp_double(const void *a, const void *b) {
  double u = *(const double *)a, v = *(const double *)b;
  return (u > v) - (u < v);
}

/* Median of the finite values among v[0..n-1]; NaN when there are none.
 * tmp must hold n doubles. */
static double median_finite(const double *v, size_t n, double *tmp) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) tmp[k++] = v[i];
  if (k == 0) return NAN;
  qsort(tmp, k, sizeof *tmp, cmp_double);
  return k % 2 ? tmp[k / 2] : 0.5 * (tmp[k / 2 - 1] + tmp[k / 2]);
}

/* Number of leading candidates to drop as pre-asymptotic.  X, Y: the m
 * candidates in sweep order; ord (m-1 local orders between consecutive
 * candidates) and tmp are workspaces.  *med gets the later median of the
 * last drop decision. */
static size_t detect_preasymptotic(const double *X, const double *Y, size_t m, double *ord,
                                   double *tmp, double *med) {
  *med = NAN;
  if (m < FIT_KEEP_MIN + 1) return 0;
  for (size_t j = 0; j + 1 < m; j++)
    ord[j] = X[j + 1] != X[j] ? (Y[j + 1] - Y[j]) / (X[j + 1] - X[j]) : NAN;
  size_t start = 0;
  while (m - start > FIT_KEEP_MIN) {
    double first = ord[start];
    double later = median_finite(ord + start + 1, m - start - 2, tmp);
    if (!isfinite(first) || !isfinite(later)) break;
    double tol = fmax(FIT_STABLE_ABS, FIT_STABLE_REL * fabs(later));
    if (!(fabs(first - later) > tol)) break;
    *med = later;
    start++;
  }
  return start;
}

static void result_init(mfh_fit_result *r, size_t n, const mfh_fit_opts *o) {
  memset(r, 0, sizeof *r);
  r->model = o->model;
  r->n = n;
  r->level = o->level;
  r->slope = r->slope_se = r->slope_lo = r->slope_hi = NAN;
  r->intercept = r->intercept_se = r->cov = NAN;
  r->r2 = r->chi2_dof = r->t_crit = NAN;
}

static int check_opts(const mfh_fit_opts *o, mfh_err *err) {
  if (o->model != MFH_FIT_POWER && o->model != MFH_FIT_POWER_LOG && o->model != MFH_FIT_EXP)
    return mfh_err_set(err, MFH_EINPUT, "fit: unknown model %d", o->model);
  if (o->refine_dir != 1 && o->refine_dir != -1)
    return mfh_err_set(err, MFH_EINPUT, "fit: refine_dir must be +1 or -1, not %d", o->refine_dir);
  if (!(o->level > 0 && o->level < 1))
    return mfh_err_set(err, MFH_EINPUT, "fit: confidence level must be in (0, 1), not %g",
                       o->level);
  return MFH_OK;
}

/* Least squares on the m used points (m >= 3, x not all equal). */
static int regress(mfh_fit_result *r, size_t m, const double *X, const double *Y, const double *w) {
  double c0, c1, c00, c01, c11, ss;
  int st = r->weighted ? gsl_fit_wlinear(X, 1, w, 1, Y, 1, m, &c0, &c1, &c00, &c01, &c11, &ss)
                       : gsl_fit_linear(X, 1, Y, 1, m, &c0, &c1, &c00, &c01, &c11, &ss);
  if (st != GSL_SUCCESS) return MFH_ENUMERIC;
  double dof = (double)(m - 2), scale = 1;
  /* total sum of squares about the (weighted) mean, for R^2 */
  double sw = 0, swy = 0;
  for (size_t i = 0; i < m; i++) {
    double wi = r->weighted ? w[i] : 1;
    sw += wi;
    swy += wi * Y[i];
  }
  double ybar = swy / sw, sst = 0;
  for (size_t i = 0; i < m; i++) {
    double d = Y[i] - ybar;
    sst += (r->weighted ? w[i] : 1) * d * d;
  }
  if (r->weighted) {
    r->chi2_dof = ss / dof;
    scale = fmax(1.0, r->chi2_dof); /* Birge ratio */
  }
  r->slope = c1;
  r->intercept = c0;
  r->slope_se = sqrt(c11 * scale);
  r->intercept_se = sqrt(c00 * scale);
  r->cov = c01 * scale;
  r->r2 = sst > 0 ? 1 - ss / sst : NAN;
  r->t_crit = gsl_cdf_tdist_Pinv(1 - 0.5 * (1 - r->level), dof);
  r->slope_lo = r->slope - r->t_crit * r->slope_se;
  r->slope_hi = r->slope + r->t_crit * r->slope_se;
  return MFH_OK;
}

int mfh_fit_rate(size_t n, const double *x, const double *y, const double *yerr,
                 const mfh_fit_opts *opts, mfh_fit_result *out, mfh_err *err) {
  mfh_fit_opts defaults;
  if (!opts) {
    mfh_fit_opts_default(&defaults);
    opts = &defaults;
  }
  if (!out) return mfh_err_set(err, MFH_EINPUT, "fit: no result to fill");
  result_init(out, n, opts);
  int st = check_opts(opts, err);
  if (st) return st;
  if (n == 0) return mfh_err_set(err, MFH_EINPUT, "fit: no points");
  if (!x || !y) return mfh_err_set(err, MFH_EINPUT, "fit: x or y is NULL");

  if (n > SIZE_MAX / (5 * sizeof(double)))
    return mfh_err_set(err, MFH_ENOMEM, "fit: too many points (%zu)", n);
  const int model = opts->model, dir = opts->refine_dir;
  double *work = malloc(5 * n * sizeof *work);
  size_t *idx = malloc(n * sizeof *idx);
  out->used = calloc(n, 1);
  out->local = n > 1 ? malloc((n - 1) * sizeof *out->local) : NULL;
  if (!work || !idx || !out->used || (n > 1 && !out->local)) {
    st = mfh_err_set(err, MFH_ENOMEM, "fit: out of memory for %zu points", n);
    goto fail;
  }
  double *X = work, *Y = work + n, *W = work + 2 * n, *ord = work + 3 * n, *tmp = work + 4 * n;

  /* 1. classify the points; local orders between consecutive usable ones */
  size_t cnt[PT_X_LE_ONE + 1] = {0};
  for (size_t i = 0; i < n; i++) cnt[point_class(model, x[i], y[i])]++;
  for (size_t i = 0; i + 1 < n; i++) {
    out->local[i] = NAN;
    if (point_class(model, x[i], y[i]) || point_class(model, x[i + 1], y[i + 1])) continue;
    double dx = model_x(model, x[i + 1]) - model_x(model, x[i]);
    if (dx != 0)
      out->local[i] = (model_logy(model, x[i + 1], y[i + 1]) - model_logy(model, x[i], y[i])) / dx;
  }
  if (cnt[PT_NONFINITE]) {
    out->flags |= MFH_FIT_NONFINITE;
    note_add(out, "%zu point%s with non-finite x or y not used", cnt[PT_NONFINITE],
             cnt[PT_NONFINITE] == 1 ? "" : "s");
  }
  if (cnt[PT_NONPOSITIVE]) {
    out->flags |= MFH_FIT_NONPOSITIVE;
    note_add(out, "%zu point%s with y <= 0 not used", cnt[PT_NONPOSITIVE],
             cnt[PT_NONPOSITIVE] == 1 ? "" : "s");
  }
  if (cnt[PT_X_NONPOSITIVE])
    note_add(out, "%zu point%s with x <= 0 not used", cnt[PT_X_NONPOSITIVE],
             cnt[PT_X_NONPOSITIVE] == 1 ? "" : "s");
  if (cnt[PT_X_LE_ONE])
    note_add(out, "%zu point%s with x <= 1 not used (the power-log model needs x > 1)",
             cnt[PT_X_LE_ONE], cnt[PT_X_LE_ONE] == 1 ? "" : "s");

  /* 2. the study's exclusion, then the detected pre-asymptotic head */
  size_t k = opts->exclude_leading < n ? opts->exclude_leading : n;
  out->n_excluded_pre = k;
  if (k) note_add(out, "excluded %zu leading point%s as set", k, k == 1 ? "" : "s");
  size_t m = 0;
  for (size_t i = k; i < n; i++) {
    if (point_class(model, x[i], y[i])) continue;
    idx[m] = i;
    X[m] = model_x(model, x[i]);
    Y[m] = model_logy(model, x[i], y[i]);
    m++;
  }
  if (opts->auto_exclude) {
    double med;
    size_t d = detect_preasymptotic(X, Y, m, ord, tmp, &med);
    if (d) {
      char list[160] = "";
      size_t len = 0;
      for (size_t j = 0; j < d && len < sizeof list; j++) {
        int w = snprintf(list + len, sizeof list - len, "%s%.2f", j ? ", " : "", ord[j]);
        if (w < 0) break;
        len += (size_t)w;
      }
      out->flags |= MFH_FIT_PREASYMPTOTIC;
      out->n_excluded_pre += d;
      note_add(out, "excluded %zu leading point%s: local order%s %s vs later median %.2f", d,
               d == 1 ? "" : "s", d == 1 ? "" : "s", list, med);
      memmove(idx, idx + d, (m - d) * sizeof *idx);
      memmove(X, X + d, (m - d) * sizeof *X);
      memmove(Y, Y + d, (m - d) * sizeof *Y);
      m -= d;
    }
  }
  for (size_t j = 0; j < m; j++) out->used[idx[j]] = 1;
  out->n_used = m;

  /* 3. weights: 1/(yerr/y)^2 when every used point has a positive yerr */
  if (yerr && m > 0) {
    int ok = 1;
    for (size_t j = 0; j < m && ok; j++) {
      double e = yerr[idx[j]], yj = y[idx[j]];
      W[j] = isfinite(e) && e > 0 ? yj * yj / (e * e) : NAN;
      ok = isfinite(W[j]) && W[j] > 0;
    }
    out->weighted = ok;
    if (!ok) note_add(out, "unweighted: yerr is not positive and finite at every used point");
  }

  /* 4. the line */
  int all_x_equal = 1, is_floor = m >= 2;
  double ymax = 0;
  for (size_t j = 0; j < m; j++) ymax = fmax(ymax, y[idx[j]]);
  for (size_t j = 1; j < m; j++) {
    if (X[j] != X[0]) all_x_equal = 0;
    if (fabs(y[idx[j]] - y[idx[0]]) > FIT_FLOOR_RTOL * ymax) is_floor = 0;
  }
  if (m < 3) {
    out->flags |= MFH_FIT_TOO_FEW;
    note_add(out, "only %zu usable point%s: no confidence interval", m, m == 1 ? "" : "s");
  }
  if (m >= 2 && all_x_equal) {
    out->flags |= MFH_FIT_TOO_FEW;
    note_add(out, "all used points have the same x: no slope");
  } else if (m == 2) {
    out->slope = (Y[1] - Y[0]) / (X[1] - X[0]);
    out->intercept = Y[0] - out->slope * X[0];
    out->slope_se = out->intercept_se = INFINITY;
    out->slope_lo = -INFINITY;
    out->slope_hi = INFINITY;
    out->t_crit = INFINITY;
  } else if (m >= 3) {
    st = regress(out, m, X, Y, W);
    if (st) {
      st = mfh_err_set(err, st, "fit: least squares failed");
      goto fail;
    }
  }
  if (is_floor && !all_x_equal) {
    /* identical errors: the slope is exactly 0; keep the interval width */
    double sw = 0, swy = 0;
    for (size_t j = 0; j < m; j++) {
      double wj = out->weighted ? W[j] : 1;
      sw += wj;
      swy += wj * Y[j];
    }
    out->flags |= MFH_FIT_FLOOR;
    out->slope = 0;
    out->intercept = swy / sw;
    if (m >= 3) {
      out->slope_lo = -out->t_crit * out->slope_se;
      out->slope_hi = out->t_crit * out->slope_se;
    }
    note_add(out, "all used errors are equal (error floor): slope set to 0");
  }

  /* 5. does the error decrease along refinement? */
  if (isfinite(out->slope) && out->slope * dir >= 0) {
    out->flags |= MFH_FIT_NOT_DECREASING;
    note_add(out, "error does not decrease along refinement (slope %.3g with x %s)", out->slope,
             dir > 0 ? "increasing" : "decreasing");
  }
  if (m >= 2) {
    size_t a = idx[m - 2], b = idx[m - 1];
    if (dir * x[a] > dir * x[b]) {
      size_t t = a;
      a = b;
      b = t;
    }
    /* a is the coarser, b the finer point */
    if (dir * x[b] > dir * x[a]) {
      /* beyond the error bars when weighted; without bars any growth counts */
      int grows = out->weighted ? y[b] - yerr[b] > y[a] + yerr[a] : y[b] > y[a];
      if (grows) {
        if (!(out->flags & MFH_FIT_NOT_DECREASING))
          note_add(out, "error grows between the last two points (x %g -> %g: y %.3g -> %.3g)",
                   x[a], x[b], y[a], y[b]);
        out->flags |= MFH_FIT_NOT_DECREASING;
      }
    }
  }
  free(work);
  free(idx);
  return MFH_OK;

fail:
  free(work);
  free(idx);
  mfh_fit_result_free(out);
  return st;
}

double mfh_fit_predict(const mfh_fit_result *r, double x) {
  if (r && r->model == MFH_FIT_EXP) return exp(r->intercept + r->slope * x);
  if (!r || !(x > 0)) return NAN;
  double v = exp(r->intercept) * pow(x, r->slope);
  return r->model == MFH_FIT_POWER_LOG ? v * log(x) : v;
}

double mfh_fit_band_halfwidth_log(const mfh_fit_result *r, double x) {
  if (!r || !isfinite(r->slope) || (r->model != MFH_FIT_EXP && !(x > 0))) return NAN;
  if (!isfinite(r->slope_se) || !isfinite(r->t_crit)) return INFINITY;
  double X = model_x(r->model, x);
  double v = r->intercept_se * r->intercept_se + 2 * X * r->cov + X * X * r->slope_se * r->slope_se;
  return r->t_crit * sqrt(fmax(v, 0.0));
}

/* ---- finite expansions ---------------------------------------------------- */

double mfh_expansion_predict(const mfh_expansion_fit *f, double x) {
  double v = 0;
  for (size_t k = 0; k < f->npow; k++) v += f->coef[k] * pow(x, f->powers[k]);
  return v;
}

int mfh_fit_expansion(size_t n, const double *x, const double *y, const double *yerr, size_t npow,
                      const double *powers, mfh_expansion_fit *out, mfh_err *err) {
  memset(out, 0, sizeof *out);
  if (npow < 1 || npow > MFH_EXPANSION_MAX || n < npow)
    return mfh_err_set(err, MFH_EINPUT, "an expansion with %zu terms needs 1..%d terms and at least as many points (%zu)",
                       npow, MFH_EXPANSION_MAX, n);
  for (size_t k = 0; k < npow; k++) {
    if (!isfinite(powers[k])) return mfh_err_set(err, MFH_EINPUT, "expansion power %zu is not finite", k + 1);
    for (size_t j = 0; j < k; j++)
      if (powers[j] == powers[k]) return mfh_err_set(err, MFH_EINPUT, "expansion power %g appears twice", powers[k]);
  }
  int weighted = yerr != NULL;
  for (size_t i = 0; i < n; i++) {
    if (!(x[i] > 0) || !isfinite(x[i]) || !isfinite(y[i]))
      return mfh_err_set(err, MFH_EINPUT, "expansion fit: point %zu (x = %g, y = %g) is not usable", i + 1, x[i], y[i]);
    if (yerr && !(yerr[i] > 0 && isfinite(yerr[i]))) weighted = 0;
  }
  out->n = n;
  out->npow = npow;
  out->weighted = weighted;
  memcpy(out->powers, powers, npow * sizeof *powers);
  gsl_matrix *X = gsl_matrix_alloc(n, npow), *cov = gsl_matrix_alloc(npow, npow);
  gsl_vector *Y = gsl_vector_alloc(n), *W = gsl_vector_alloc(n), *c = gsl_vector_alloc(npow);
  gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, npow);
  int rc = MFH_OK;
  if (!X || !cov || !Y || !W || !c || !ws) {
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < npow; k++) gsl_matrix_set(X, i, k, pow(x[i], powers[k]));
    gsl_vector_set(Y, i, y[i]);
    gsl_vector_set(W, i, weighted ? 1.0 / (yerr[i] * yerr[i]) : 1.0);
  }
  double chi2 = 0;
  size_t rank = 0;
  int st = gsl_multifit_wlinear_tsvd(X, W, Y, 1e-12, c, cov, &chi2, &rank, ws);
  if (st || rank < npow) {
    rc = mfh_err_set(err, MFH_EINPUT, "expansion fit: the terms are not independent on these %zu points", n);
    goto done;
  }
  size_t dof = n - npow;
  /* weighted: scale by the Birge ratio when it exceeds 1; unweighted: cov is
   * (X^T X)^-1, scale by the residual variance */
  double scale = dof == 0 ? NAN : weighted ? fmax(1.0, chi2 / (double)dof) : chi2 / (double)dof;
  out->chi2_dof = (weighted && dof) ? chi2 / (double)dof : NAN;
  for (size_t k = 0; k < npow; k++) {
    out->coef[k] = gsl_vector_get(c, k);
    out->coef_se[k] = sqrt(gsl_matrix_get(cov, k, k) * scale);
  }
  out->max_rel_resid = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(y[i] - mfh_expansion_predict(out, x[i]));
    double r = y[i] != 0 ? d / fabs(y[i]) : (d == 0 ? 0 : INFINITY); /* y = 0 fitted exactly: no miss */
    if (!(r <= out->max_rel_resid)) out->max_rel_resid = r, out->worst = i;
  }
done:
  if (ws) gsl_multifit_linear_free(ws);
  gsl_vector_free(c);
  gsl_vector_free(W);
  gsl_vector_free(Y);
  gsl_matrix_free(cov);
  gsl_matrix_free(X);
  return rc;
}
