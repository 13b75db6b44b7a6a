/* expected: the regression net.  Every point's mean of the measure, along
 * every axis, is within atol + rtol |ref| + sigma se of the blessed value in
 * expected/<id>.json (`mfh bless`); nothing blessed for the profile is
 * inconclusive. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/check.h"

typedef struct expected {
  double rtol, atol, sigma;
} expected;

static const mfh_check_setting settings[] = {
    {"rtol", MFH_SETTING_REAL, "1e-9", "relative tolerance, in [0, 1000]", offsetof(expected, rtol)},
    {"atol", MFH_SETTING_REAL, "0", "absolute tolerance, >= 0", offsetof(expected, atol)},
    {"sigma", MFH_SETTING_REAL, "0", "allowance in standard errors of the mean, in [0, 100]",
     offsetof(expected, sigma)},
};

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  expected *e = data;
  int rc;
  e->rtol = 1e-9;
  if ((rc = mfh_check_real_in(in, "rtol", 0, 1e3, &e->rtol, err))) return rc;
  if ((rc = mfh_check_real_in(in, "atol", 0, INFINITY, &e->atol, err))) return rc;
  return mfh_check_real_in(in, "sigma", 0, 100, &e->sigma, err);
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const expected *e = data;
  const mfh_study_result *r = v->result;
  size_t compared = 0, bad = 0, missing = 0;
  double worst = 0, worst_x = NAN;
  const char *worst_axis = "";
  (void)err;
  for (size_t si = 0; si < r->nseries; si++) {
    const mfh_series *s = &r->series[si];
    if (strcmp(s->measure, v->measure) != 0) continue;
    const mfh_blessed *b = v->blessed ? &v->blessed[si] : NULL;
    size_t nb = b ? b->n : 0;
    for (size_t i = 0; i < s->n; i++) {
      size_t j;
      for (j = 0; j < nb; j++)
        if (b->x[j] == s->pts[i].x) break;
      if (j == nb) {
        missing++;
        continue;
      }
      double ref = b->mean[j], m = s->pts[i].mean;
      double allow = e->atol + e->rtol * fabs(ref) + e->sigma * s->pts[i].se;
      double dev = fabs(m - ref);
      double rel = ref != 0 ? dev / fabs(ref) : dev;
      compared++;
      if (!(dev <= allow)) bad++;
      if (!(rel <= worst)) worst = rel, worst_x = s->pts[i].x, worst_axis = s->axis;
    }
  }
  mfh_check_num(c, "compared", (double)compared);
  mfh_check_num(c, "mismatched", (double)bad);
  mfh_check_num(c, "missing", (double)missing);
  mfh_check_num(c, "max_rel_dev", worst);
  mfh_check_num(c, "rtol", e->rtol);
  if (!v->blessed) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "no blessed values for profile %s: run `mfh bless %s --profile %s`",
             v->profile, v->file, v->profile);
  } else if (bad) {
    char xs[32];
    mfh_check_fmt_x(worst_x, xs, sizeof xs);
    c->verdict = MFH_FAIL;
    snprintf(c->summary, sizeof c->summary,
             "%zu of %zu points differ from expected/ (worst relative deviation %.3g at %s=%s; rtol %.3g)", bad,
             compared, worst, worst_axis, xs, e->rtol);
  } else if (compared == 0) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "no sweep point in common with the blessed values");
  } else {
    c->verdict = MFH_PASS;
    snprintf(c->summary, sizeof c->summary, "%zu points match expected/ (max relative deviation %.3g, rtol %.3g)%s",
             compared, worst, e->rtol, missing ? "; some points not blessed" : "");
  }
  return MFH_OK;
}

const mfh_check_type mfh_check_expected = {
    .name = "expected",
    .doc = "every point's mean is within atol + rtol |ref| + sigma se of the blessed value in expected/<id>.json "
           "(`mfh bless`); no blessed values: inconclusive",
    .example = "{}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 0,
    .size = sizeof(expected),
    .parse = parse,
    .judge = judge,
};
