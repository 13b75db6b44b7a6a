/* expansion: y = sum_k c_k x^p_k through every point (e.g. a/N + b/N^2), for
 * pre-asymptotic sweeps (N = 2..5 particles) where one power is not yet a
 * fair summary.  Linear least squares, weighted by the replicas' standard
 * errors when there are any; passes when the fitted sum describes every
 * point within rtol (max relative residual); as many points as terms is
 * inconclusive (nothing tested). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/check.h"

typedef struct expansion {
  size_t npow;
  double powers[MFH_EXPANSION_MAX];
  double rtol;             /* allowed max relative residual */
} expansion;

static const mfh_check_setting settings[] = {
    {"powers", MFH_SETTING_REALS, NULL, "the exponents p_k, e.g. [-1, -2] for a/N + b/N^2 (at most 4)", 0},
    {"rtol", MFH_SETTING_REAL, "0.05", "allowed max relative residual, in [0, 10]", offsetof(expansion, rtol)},
};

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  expansion *e = data;
  const mfh_check_value *v = mfh_check_get(in, "powers");
  int rc;
  e->rtol = 0.05;
  if (!v || v->node != MFH_NODE_LIST || v->nitems == 0)
    return mfh_err_at(err, MFH_EINPUT, v ? v->mark : in->spec_mark,
                      "%s: 'powers' must be a non-empty list of exponents, e.g. [-1, -2] for a/N + b/N^2",
                      in->where);
  for (size_t i = 0; i < v->nitems; i++) {
    const mfh_check_value *p = &v->items[i];
    if (e->npow == MFH_EXPANSION_MAX)
      return mfh_err_at(err, MFH_EINPUT, p->mark, "%s.powers: at most %d terms", in->where, MFH_EXPANSION_MAX);
    if ((rc = mfh_check_value_real(p, "powers", &e->powers[e->npow], err))) return rc;
    for (size_t j = 0; j < e->npow; j++)
      if (e->powers[j] == e->powers[e->npow])
        return mfh_err_at(err, MFH_EINPUT, p->mark, "%s.powers: %s appears twice", in->where, p->text);
    e->npow++;
  }
  if ((rc = mfh_check_real_in(in, "rtol", 0, 10, &e->rtol, err))) return rc;
  if (in->axis_n < e->npow + 1)
    return mfh_err_at(err, MFH_EINPUT, in->mark,
                      "%s: %zu terms need at least %zu points on axis %s to be tested (it has %zu)", in->where,
                      e->npow, e->npow + 1, in->axis_name, in->axis_n);
  return MFH_OK;
}

/* "(c +/- se) N^p + ..." (no +/- where the standard error is undefined). */
static void terms(const mfh_expansion_fit *f, const char *axis, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t k = 0; k < f->npow; k++) {
    int w = isfinite(f->coef_se[k])
                ? snprintf(buf + used, len - used, "%s(%.4g +/- %.2g) %s^%g", k ? " + " : "", f->coef[k],
                           f->coef_se[k], axis, f->powers[k])
                : snprintf(buf + used, len - used, "%s%.4g %s^%g", k ? " + " : "", f->coef[k], axis, f->powers[k]);
    if (w > 0 && used + (size_t)w < len) used += (size_t)w;
  }
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const expansion *e = data;
  mfh_series *s = v->series;
  double *x = malloc(s->n * sizeof *x), *y = malloc(s->n * sizeof *y), *se = malloc(s->n * sizeof *se);
  int weighted = 1;
  (void)err;
  for (size_t i = 0; x && y && se && i < s->n; i++) {
    x[i] = s->pts[i].x;
    y[i] = fabs(s->pts[i].mean);
    se[i] = s->pts[i].se;
    if (!(se[i] > 0)) weighted = 0;
  }
  mfh_expansion_fit f;
  mfh_err ferr;
  mfh_err_clear(&ferr);
  int rc = (x && y && se) ? mfh_fit_expansion(s->n, x, y, weighted ? se : NULL, e->npow, e->powers, &f, &ferr)
                          : mfh_err_set(&ferr, MFH_ENOMEM, "out of memory");
  free(x);
  free(y);
  free(se);
  if (rc) {
    c->verdict = MFH_CHECK_ERROR;
    snprintf(c->summary, sizeof c->summary, "%.500s", ferr.msg);
    return MFH_OK;
  }
  if (!s->has_expansion) { /* the plot draws the first expansion of the series */
    s->expansion = f;
    s->has_expansion = 1;
  }
  char sum[200];
  terms(&f, s->axis, sum, sizeof sum);
  for (size_t k = 0; k < f.npow; k++) {
    char nm[16];
    snprintf(nm, sizeof nm, "c%zu", k + 1);
    mfh_check_num(c, nm, f.coef[k]);
    snprintf(nm, sizeof nm, "c%zu_se", k + 1);
    mfh_check_num(c, nm, f.coef_se[k]);
    snprintf(nm, sizeof nm, "p%zu", k + 1);
    mfh_check_num(c, nm, f.powers[k]);
  }
  mfh_check_num(c, "max_rel_resid", f.max_rel_resid);
  mfh_check_num(c, "rtol", e->rtol);
  char xs[32];
  mfh_check_fmt_x(s->pts[f.worst].x, xs, sizeof xs);
  if (f.n <= f.npow) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "%s (standard errors) through %zu points: exactly determined, not tested",
             sum, f.n);
    return MFH_OK;
  }
  c->verdict = f.max_rel_resid <= e->rtol ? MFH_PASS : MFH_FAIL;
  snprintf(c->summary, sizeof c->summary, "%s fits all %zu points within %.2g%% (worst at %s=%s; allowed %.3g%%)%s",
           sum, f.n, 100 * f.max_rel_resid, s->axis, xs, 100 * e->rtol,
           c->verdict == MFH_FAIL ? " - the expansion does not describe the data" : "");
  return MFH_OK;
}

const mfh_check_type mfh_check_expansion = {
    .name = "expansion",
    .doc = "a finite expansion sum_k c_k x^p_k, fitted by linear least squares, describes every point within "
           "rtol (max relative residual); as many points as terms: inconclusive (nothing tested)",
    .example = "{powers: [-1]}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 1,
    .size = sizeof(expansion),
    .parse = parse,
    .judge = judge,
};
