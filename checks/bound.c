/* bound: an explicit right-hand side of the theorem, at every sweep point.
 *
 * The bound is a registered one (bounds/, found through the input's
 * find_bound) or a formula of the parameters and model constants.  Passes
 * when the replica mean (stat: max, every replica) is <= the bound at every
 * point; a mean above it by less than sigma standard errors is inconclusive. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/check.h"
#include "core/expr.h"

typedef struct bound {
  const mfh_bound_type *named; /* a registered bound, or NULL with formula */
  mfh_expr *formula;
  char formula_text[256];
  double sigma;                /* allowance in standard errors */
  int use_max;                 /* judge the largest replica value, not the mean */
} bound;

static const mfh_check_setting settings[] = {
    {"name", MFH_SETTING_TEXT, "", "a registered bound (`mfh list bounds`); or give formula", 0},
    {"formula", MFH_SETTING_TEXT, "", "e.g. \"0.4/sqrt(N)\": names are parameters and model constants", 0},
    {"sigma", MFH_SETTING_REAL, "3", "a mean above the bound by less than sigma standard errors is inconclusive",
     offsetof(bound, sigma)},
    {"stat", MFH_SETTING_CHOICE, "mean", "mean (the replica mean), or max (every replica: statements about every draw)",
     0},
};

/* An optional text setting: must be a single value. */
static int text(const mfh_check_input *in, const char *key, const mfh_check_value **v, mfh_err *err) {
  char w[160];
  *v = mfh_check_get(in, key);
  if (!*v) return MFH_OK;
  snprintf(w, sizeof w, "%s.%s", in->where, key);
  return mfh_check_want_scalar(*v, w, err);
}

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  bound *b = data;
  const mfh_check_value *name, *formula, *v;
  int rc;
  b->sigma = 3;
  if ((rc = text(in, "name", &name, err))) return rc;
  if ((rc = text(in, "formula", &formula, err))) return rc;
  if (!!name == !!formula)
    return mfh_err_at(err, MFH_EINPUT, in->spec_mark,
                      "%s: give exactly one of 'name' (a registered bound, see `mfh list bounds`) or 'formula'",
                      in->where);
  if ((rc = mfh_check_real_in(in, "sigma", 0, 100, &b->sigma, err))) return rc;
  if ((v = mfh_check_get(in, "stat"))) {
    if ((rc = mfh_check_want_scalar(v, "stat", err))) return rc;
    if (!strcmp(v->text, "max"))
      b->use_max = 1;
    else if (strcmp(v->text, "mean") != 0)
      return mfh_err_at(err, MFH_EINPUT, v->mark,
                        "%s.stat: must be mean (the replica mean, default) or max (every replica) (got '%s')",
                        in->where, v->text);
  }
  if (name) {
    b->named = in->find_bound ? in->find_bound(name->text) : NULL;
    if (!b->named)
      return mfh_err_at(err, MFH_EINPUT, name->mark, "%s.name: unknown bound '%s' (see `mfh list bounds`)",
                        in->where, name->text);
    char need[256];
    snprintf(need, sizeof need, "%s", b->named->needs);
    char *save = NULL;
    for (char *tok = strtok_r(need, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
      if (!mfh_check_name_known(in, tok))
        return mfh_err_at(err, MFH_EINPUT, name->mark,
                          "%s.name: bound %s needs '%s', which this model does not provide "
                          "(a parameter or a model constant of solver %s)",
                          in->where, name->text, tok, in->solver);
    return MFH_OK;
  }
  snprintf(b->formula_text, sizeof b->formula_text, "%s", formula->text);
  mfh_err perr;
  mfh_err_clear(&perr);
  if (mfh_expr_parse(formula->text, &b->formula, NULL, &perr))
    return mfh_err_at(err, MFH_EINPUT, formula->mark, "%s.formula: %s", in->where, perr.msg);
  for (size_t i = 0; i < mfh_expr_nvars(b->formula); i++)
    if (!mfh_check_name_known(in, mfh_expr_var(b->formula, i)))
      return mfh_err_at(err, MFH_EINPUT, formula->mark,
                        "%s.formula: unknown name '%s' (not a parameter or model constant)", in->where,
                        mfh_expr_var(b->formula, i));
  return MFH_OK;
}

static void release(void *data) {
  bound *b = data;
  mfh_expr_free(b->formula);
  b->formula = NULL;
}

static int curve(const void *data, mfh_lookup_fn lookup, void *ctx, double *y, mfh_err *err) {
  const bound *b = data;
  if (b->named) return b->named->eval(lookup, ctx, y, err);
  return mfh_expr_eval(b->formula, lookup, ctx, y, err);
}

static void curve_label(const void *data, char *buf, size_t len) {
  const bound *b = data;
  snprintf(buf, len, "bound %.100s", b->named ? b->named->name : b->formula_text);
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const bound *b = data;
  const mfh_series *s = v->series;
  double worst = -INFINITY, worst_x = NAN;
  int over = 0, over_noise = 0;
  char xs[32];
  (void)err;
  for (size_t i = 0; i < s->n; i++)
    if (!isfinite(v->curve[i])) {
      mfh_check_fmt_x(s->pts[i].x, xs, sizeof xs);
      c->verdict = MFH_CHECK_ERROR;
      snprintf(c->summary, sizeof c->summary, "the bound evaluates to %g at %s=%s", v->curve[i], s->axis, xs);
      return MFH_OK;
    }
  for (size_t i = 0; i < s->n; i++) {
    double m = b->use_max ? s->pts[i].max : s->pts[i].mean, bi = v->curve[i];
    double ratio = m / bi;
    if (ratio > worst) worst = ratio, worst_x = s->pts[i].x;
    if (m > bi) {
      if (b->use_max || m - b->sigma * s->pts[i].se > bi)
        over++;
      else
        over_noise++;
    }
  }
  mfh_check_num(c, "max_ratio", worst);
  mfh_check_num(c, "at", worst_x);
  mfh_check_num(c, "violations", over);
  mfh_check_num(c, "within_noise", over_noise);
  mfh_check_num(c, "sigma", b->sigma);
  mfh_check_fmt_x(worst_x, xs, sizeof xs);
  if (over) {
    c->verdict = MFH_FAIL;
    snprintf(c->summary, sizeof c->summary,
             "measured > bound at %d of %zu points (beyond %.3g standard errors); worst ratio %.4g at %s=%s", over,
             s->n, b->sigma, worst, s->axis, xs);
  } else if (over_noise) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary,
             "measured > bound at %d points but within %.3g standard errors; worst ratio %.4g at %s=%s", over_noise,
             b->sigma, worst, s->axis, xs);
  } else {
    c->verdict = MFH_PASS;
    snprintf(c->summary, sizeof c->summary, "%s <= bound at all %zu points (max ratio %.4g at %s=%s)",
             b->use_max ? "every replica" : "measured", s->n, worst, s->axis, xs);
  }
  return MFH_OK;
}

const mfh_check_type mfh_check_bound = {
    .name = "bound",
    .doc = "the replica mean (or, with stat: max, every replica) is <= the bound at every point; a mean above "
           "the bound by less than sigma standard errors is inconclusive",
    .example = "{formula: \"1\"}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 1,
    .size = sizeof(bound),
    .parse = parse,
    .release = release,
    .curve = curve,
    .curve_label = curve_label,
    .judge = judge,
};
