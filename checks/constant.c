/* constant: the prefactor C of y = C x^slope (slope 0: the value itself).
 *
 * C is the weighted mean of y_i x_i^-slope over the points from `from` on,
 * with a normal interval at `level`; passes when the whole interval lies in
 * value (1 +/- rtol), fails when it lies wholly outside, else inconclusive. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_cdf.h>

#include "core/check.h"

typedef struct constant {
  double slope, target, rtol, from, level;
} constant;

static const mfh_check_setting settings[] = {
    {"slope", MFH_SETTING_REAL, NULL, "the power of x the constant multiplies (0: the value itself)",
     offsetof(constant, slope)},
    {"value", MFH_SETTING_REAL, NULL, "the expected constant", offsetof(constant, target)},
    {"rtol", MFH_SETTING_REAL, "0.05", "relative tolerance, in [0, 10]", offsetof(constant, rtol)},
    {"from", MFH_SETTING_REAL, "", "first axis value used (default: every point)", offsetof(constant, from)},
    {"level", MFH_SETTING_REAL, "0.95", "confidence level of the interval, in [0.5, 0.9999]",
     offsetof(constant, level)},
};

/* A required number; its message names the key alone, as the loader always did. */
static int required(const mfh_check_input *in, const char *key, double *out, mfh_err *err) {
  const mfh_check_value *v = mfh_check_get(in, key);
  if (!v) return mfh_err_at(err, MFH_EINPUT, in->spec_mark, "%s: missing required key '%s'", in->where, key);
  return mfh_check_value_real(v, key, out, err);
}

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  constant *k = data;
  int rc;
  k->rtol = 0.05;
  k->level = 0.95;
  k->from = -INFINITY;
  if ((rc = required(in, "slope", &k->slope, err))) return rc;
  if ((rc = required(in, "value", &k->target, err))) return rc;
  if ((rc = mfh_check_real_in(in, "rtol", 0, 10, &k->rtol, err))) return rc;
  if ((rc = mfh_check_real_in(in, "from", -INFINITY, INFINITY, &k->from, err))) return rc;
  return mfh_check_real_in(in, "level", 0.5, 0.9999, &k->level, err);
}

/* `from` is an axis value: the points from it on, in sweep order. */
static int in_range(const constant *k, int dir, double x) {
  return k->from == -INFINITY || (dir >= 0 ? x >= k->from : x <= k->from);
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const constant *k = data;
  const mfh_series *s = v->series;
  double sw = 0, swc = 0, sc = 0;
  size_t n = 0;
  int weighted = 1;
  (void)err;
  for (size_t i = 0; i < s->n; i++)
    if (in_range(k, v->refine_dir, s->pts[i].x) && s->pts[i].nrep != 0 && !(s->pts[i].se > 0)) weighted = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (!in_range(k, v->refine_dir, s->pts[i].x) || s->pts[i].nrep == 0) continue;
    double scale = pow(s->pts[i].x, -k->slope);
    double ci = s->pts[i].mean * scale, sei = s->pts[i].se * scale;
    double w = weighted ? 1.0 / (sei * sei) : 1.0;
    sw += w;
    swc += w * ci;
    sc += sei * sei;
    n++;
  }
  if (n == 0) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "no points from %s = %g on", s->axis, k->from);
    return MFH_OK;
  }
  double C = swc / sw;
  double se = weighted ? 1.0 / sqrt(sw) : sqrt(sc) / (double)n;
  double z = gsl_cdf_ugaussian_Pinv(0.5 + k->level / 2);
  double lo = C - z * se, hi = C + z * se;
  double blo = k->target * (1 - k->rtol), bhi = k->target * (1 + k->rtol);
  if (blo > bhi) {
    double t = blo;
    blo = bhi;
    bhi = t;
  }
  mfh_check_num(c, "constant", C);
  mfh_check_num(c, "constant_se", se);
  mfh_check_num(c, "target", k->target);
  mfh_check_num(c, "rtol", k->rtol);
  mfh_check_num(c, "points", (double)n);
  c->verdict = (lo >= blo && hi <= bhi) ? MFH_PASS : (hi < blo || lo > bhi) ? MFH_FAIL : MFH_INCONCLUSIVE;
  char what[96];
  if (k->slope == 0)
    snprintf(what, sizeof what, "value along %s", s->axis);
  else
    snprintf(what, sizeof what, "constant of %s^%g", s->axis, k->slope);
  snprintf(c->summary, sizeof c->summary, "%s: expected %.5g (+/- %.2g%%), observed %.5g +/- %.2g (%.0f%% CI, %zu pts)%s",
           what, k->target, 100 * k->rtol, C, z * se, 100 * k->level, n,
           c->verdict == MFH_INCONCLUSIVE ? " - interval too wide to decide"
           : c->verdict == MFH_FAIL      ? " - outside the tolerance"
                                         : "");
  return MFH_OK;
}

const mfh_check_type mfh_check_constant = {
    .name = "constant",
    .doc = "the fitted prefactor of x^slope lies within value (1 +/- rtol), whole interval",
    .example = "{slope: -1/2, value: 1}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 1,
    .size = sizeof(constant),
    .parse = parse,
    .judge = judge,
};
