/* rate: the fitted log-log slope against the proved one.
 *
 * Proved rates are one-sided: passes when the whole confidence interval of
 * the slope decays at least as fast as proved - tol along the refinement,
 * fails when the whole interval is slower, inconclusive when it straddles.
 * With model: exp the slope is a growth exponent in the axis and proved is
 * the largest allowed.  A rate labelled other than "proved" (a literature
 * rate) is reported, not asserted: slower is inconclusive, never a failure. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/check.h"

typedef struct rate {
  double proved;         /* proved log-log slope (e.g. -0.5) */
  char proved_text[32];  /* as written ("-1/2") */
  char label[64];        /* what the rate is: "proved", or e.g. "sharp (Rosenzweig-Serfaty)" */
  int log;               /* the proved rate has a log factor: fit C x^s log x */
  int exp_model;         /* growth in the axis: fit C e^{s x} */
  double tol, level;
  size_t exclude;        /* leading points the fit drops */
  int auto_exclude;
} rate;

static const mfh_check_setting settings[] = {
    {"proved", MFH_SETTING_REAL, NULL, "the proved log-log slope, e.g. -1/2 (1 for an eps or dt axis)",
     offsetof(rate, proved)},
    {"log", MFH_SETTING_BOOL, "false", "the proved rate has a log factor: fit C x^s log x", offsetof(rate, log)},
    {"model", MFH_SETTING_CHOICE, "power",
     "power (C x^s), or exp (growth C e^{s x} in a time axis; proved is the largest allowed exponent)", 0},
    {"tol", MFH_SETTING_REAL, "0.05", "slope tolerance, in [0, 10]", offsetof(rate, tol)},
    {"level", MFH_SETTING_REAL, "0.95", "confidence level of the interval, in [0.5, 0.9999]",
     offsetof(rate, level)},
    {"exclude", MFH_SETTING_COUNT, "0", "leading (coarse) points the fit drops", offsetof(rate, exclude)},
    {"auto_exclude", MFH_SETTING_BOOL, "true", "also drop leading points whose local order has not settled",
     offsetof(rate, auto_exclude)},
    {"label", MFH_SETTING_TEXT, "proved",
     "what the rate is; any other label (a literature rate) is reported, not asserted", 0},
};

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  rate *r = data;
  const mfh_check_value *v;
  int rc;
  r->level = 0.95;
  r->tol = 0.05;
  r->auto_exclude = 1;
  if (!(v = mfh_check_get(in, "proved")))
    return mfh_err_at(err, MFH_EINPUT, in->spec_mark,
                      "%s: missing required key 'proved' (the proved log-log slope, e.g. -1/2)", in->where);
  if ((rc = mfh_check_value_real(v, "proved", &r->proved, err))) return rc;
  snprintf(r->proved_text, sizeof r->proved_text, "%s", v->text);
  if ((rc = mfh_check_label(in, r->label, sizeof r->label, err))) return rc;
  if ((v = mfh_check_get(in, "log")) && (rc = mfh_check_value_bool(v, "log", &r->log, err))) return rc;
  if ((v = mfh_check_get(in, "model"))) {
    if ((rc = mfh_check_want_scalar(v, "model", err))) return rc;
    if (!strcmp(v->text, "exp"))
      r->exp_model = 1;
    else if (strcmp(v->text, "power") != 0)
      return mfh_err_at(err, MFH_EINPUT, v->mark,
                        "%s.model: must be power (C x^s, the default) or exp (C e^{s x}) (got '%s')", in->where,
                        v->text);
    if (r->exp_model && r->log)
      return mfh_err_at(err, MFH_EINPUT, v->mark, "%s: 'log: true' goes with the power model", in->where);
  }
  if ((v = mfh_check_get(in, "auto_exclude")) && (rc = mfh_check_value_bool(v, "auto_exclude", &r->auto_exclude, err)))
    return rc;
  if ((rc = mfh_check_real_in(in, "tol", 0, 10, &r->tol, err))) return rc;
  if ((rc = mfh_check_real_in(in, "level", 0.5, 0.9999, &r->level, err))) return rc;
  if ((v = mfh_check_get(in, "exclude"))) {
    unsigned long long e;
    if ((rc = mfh_check_value_count(v, "exclude", 0, 1000, &e, err))) return rc;
    r->exclude = (size_t)e;
  }
  if (in->axis_n < r->exclude + 3)
    return mfh_err_at(err, MFH_EINPUT, in->mark,
                      "%s: a rate needs at least 3 fitted points on axis %s (it has %zu, %zu excluded)", in->where,
                      in->axis_name, in->axis_n, r->exclude);
  if (r->log && in->axis_values[0] <= 1)
    return mfh_err_at(err, MFH_EINPUT, in->mark, "%s: 'log: true' fits C x^s log x and needs every %s > 1",
                      in->where, in->axis_name);
  return MFH_OK;
}

static void fit_opts(const void *data, mfh_fit_opts *o) {
  const rate *r = data;
  o->model = r->exp_model ? MFH_FIT_EXP : r->log ? MFH_FIT_POWER_LOG : MFH_FIT_POWER;
  o->exclude_leading = r->exclude;
  o->auto_exclude = r->auto_exclude;
  o->level = r->level;
}

/* The plot's proved-rate line: the first rate check of the series. */
static void annotate(const void *data, mfh_series *s) {
  const rate *r = data;
  if (s->has_proved) return;
  s->has_proved = 1;
  s->proved_slope = r->proved;
  s->proved_log = r->log;
  s->proved_reported = !mfh_check_asserted(r->label);
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const rate *r = data;
  const mfh_fit_result *f = v->fit;
  int dir = v->refine_dir;
  double tol = r->tol;
  (void)err;
  mfh_check_num(c, "proved", r->proved);
  int asserted = mfh_check_asserted(r->label);
  mfh_check_num(c, "asserted", asserted); /* 0: a literature rate, reported */
  mfh_check_num(c, "log", r->log);
  mfh_check_num(c, "exp_model", r->exp_model);
  mfh_check_num(c, "tol", tol);
  mfh_check_num(c, "slope", f->slope);
  mfh_check_num(c, "slope_se", f->slope_se);
  mfh_check_num(c, "slope_lo", f->slope_lo);
  mfh_check_num(c, "slope_hi", f->slope_hi);
  mfh_check_num(c, "level", f->level);
  mfh_check_num(c, "r2", f->r2);
  mfh_check_num(c, "chi2_dof", f->chi2_dof);
  mfh_check_num(c, "n_used", (double)f->n_used);
  mfh_check_num(c, "n_excluded", (double)f->n_excluded_pre);
  /* decay rates along refinement (positive = error decreases) */
  double r_p = -r->proved * dir;
  double r_lo = dir > 0 ? -f->slope_hi : f->slope_lo, r_hi = dir > 0 ? -f->slope_lo : f->slope_hi;
  const char *model = r->log ? " (fit C x^s log x)" : r->exp_model ? " (fit C e^{s x})" : "";
  char head[320];
  double half = (f->slope_hi - f->slope_lo) / 2;
  snprintf(head, sizeof head, "%s %s %s%s, observed %.3f +/- %.3f (%.0f%% CI [%.3f, %.3f], %zu pts", r->label,
           r->exp_model ? "exponent <=" : "slope", r->proved_text, r->log ? " with log" : "", f->slope, half,
           100 * f->level, f->slope_lo, f->slope_hi, f->n_used);
  char excl[48] = "";
  if (f->n_excluded_pre) snprintf(excl, sizeof excl, ", %zu excluded", f->n_excluded_pre);
  if ((f->flags & MFH_FIT_TOO_FEW) || !isfinite(f->slope_lo) || !isfinite(f->slope_hi)) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "%s slope %s: too few usable points for an interval (%zu)%s", r->label,
             r->proved_text, f->n_used, model);
    return MFH_OK;
  }
  const char *tail = "";
  if (r_lo >= r_p - tol) {
    c->verdict = MFH_PASS;
    tail = r_lo > r_p + tol ? (r->exp_model ? " - grows more slowly than proved" : " - faster than proved") : "";
    if (*tail && !asserted) tail = r->exp_model ? " - grows more slowly" : " - faster";
  } else if (r_hi < r_p - tol) {
    c->verdict = MFH_FAIL;
    tail = r->exp_model ? " - grows faster than proved" : " - slower than proved";
    if (!asserted) { /* a literature rate is reported, not asserted */
      c->verdict = MFH_INCONCLUSIVE;
      tail = r->exp_model ? " - grows faster (not a proved rate: reported, not asserted)"
                          : " - slower (not a proved rate: reported, not asserted)";
    }
  } else {
    c->verdict = MFH_INCONCLUSIVE;
    tail = " - interval too wide to decide";
  }
  snprintf(c->summary, sizeof c->summary, "%s%s)%s; tol %.2g%s", head, excl, model, tol, tail);
  return MFH_OK;
}

const mfh_check_type mfh_check_rate = {
    .name = "rate",
    .doc = "the whole confidence interval of the fitted slope decays at least as fast as proved - tol "
           "(with model: exp, grows no faster than proved + tol); fails when the whole interval is on the "
           "wrong side, inconclusive when it straddles",
    .example = "{proved: -1/2}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 1,
    .size = sizeof(rate),
    .parse = parse,
    .fit_opts = fit_opts,
    .fit_rank = 2,
    .annotate = annotate,
    .judge = judge,
};
