/* uniform: the error does not grow along the axis (e.g. uniformly in eps).
 *
 * Fits every point (no pre-asymptotic exclusion) and turns the slope into a
 * growth exponent along the sweep: passes when its whole confidence interval
 * is <= tol, fails when the whole interval is above, else inconclusive.
 * With a label other than "proved" (e.g. "pre-asymptotic (eps >= 0.5)":
 * a window of the axis where the theorem's uniform bound does not say the
 * error stops growing) the growth is reported, not asserted: a growing
 * error is inconclusive, marked so, as a labelled rate is. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/check.h"

typedef struct uniform {
  double tol;   /* allowed growth exponent */
  double level;
  char label[64]; /* "proved" (asserted) or what the window is (reported) */
} uniform;

static const mfh_check_setting settings[] = {
    {"tol", MFH_SETTING_REAL, "0.05", "allowed growth exponent along the sweep, in [0, 10]", offsetof(uniform, tol)},
    {"level", MFH_SETTING_REAL, "0.95", "confidence level of the interval, in [0.5, 0.9999]",
     offsetof(uniform, level)},
    {"label", MFH_SETTING_TEXT, "proved",
     "what the uniformity is; any other label (a pre-asymptotic window) is reported, not asserted", 0},
};

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  uniform *u = data;
  int rc;
  u->tol = 0.05;
  u->level = 0.95;
  if ((rc = mfh_check_real_in(in, "tol", 0, 10, &u->tol, err))) return rc;
  if ((rc = mfh_check_real_in(in, "level", 0.5, 0.9999, &u->level, err))) return rc;
  if ((rc = mfh_check_label(in, u->label, sizeof u->label, err))) return rc;
  if (in->axis_n < 3)
    return mfh_err_at(err, MFH_EINPUT, in->mark, "%s: needs at least 3 points on axis %s", in->where,
                      in->axis_name);
  return MFH_OK;
}

static void fit_opts(const void *data, mfh_fit_opts *o) {
  const uniform *u = data;
  o->auto_exclude = 0;
  o->level = u->level;
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const uniform *u = data;
  const mfh_fit_result *f = v->fit;
  const char *axis = v->series->axis;
  int dir = v->refine_dir;
  (void)err;
  double g = f->slope * dir;
  double g_lo = dir > 0 ? f->slope_lo : -f->slope_hi, g_hi = dir > 0 ? f->slope_hi : -f->slope_lo;
  mfh_check_num(c, "growth", g);
  mfh_check_num(c, "growth_lo", g_lo);
  mfh_check_num(c, "growth_hi", g_hi);
  mfh_check_num(c, "tol", u->tol);
  mfh_check_num(c, "level", f->level);
  int asserted = mfh_check_asserted(u->label);
  mfh_check_num(c, "asserted", asserted);
  if (!isfinite(g_lo) || !isfinite(g_hi)) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "too few usable points along %s", axis);
    return MFH_OK;
  }
  c->verdict = g_hi <= u->tol ? MFH_PASS : g_lo > u->tol ? MFH_FAIL : MFH_INCONCLUSIVE;
  const char *tail = c->verdict == MFH_PASS ? "" : c->verdict == MFH_FAIL ? " - grows" : " - undecided";
  if (c->verdict == MFH_FAIL && !asserted) {
    c->verdict = MFH_INCONCLUSIVE;
    tail = " - grows (reported, not asserted)";
  }
  char head[80] = "";
  if (!asserted) snprintf(head, sizeof head, "%s: ", u->label);
  snprintf(c->summary, sizeof c->summary,
           "%sgrowth exponent along the %s sweep %.3f (%.0f%% CI [%.3f, %.3f]), allowed <= %.3g%s", head, axis, g,
           100 * f->level, g_lo, g_hi, u->tol, tail);
  return MFH_OK;
}

const mfh_check_type mfh_check_uniform = {
    .name = "uniform",
    .doc = "the error does not grow along the axis: the growth exponent's interval stays <= tol (with a label "
           "other than proved, growth is reported, not asserted)",
    .example = "{}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 1,
    .size = sizeof(uniform),
    .parse = parse,
    .fit_opts = fit_opts,
    .fit_rank = 1,
    .judge = judge,
};
