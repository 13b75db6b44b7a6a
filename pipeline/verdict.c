#include "pipeline/verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/fsutil.h"

/* ---- statistics -------------------------------------------------------- */

static void point_stats(const mfh_plan *plan, const mfh_outcome *out, size_t point,
                        const char *measure, double x, mfh_point_stats *ps) {
  size_t R = plan->study->replicas;
  double sum = 0, sum2 = 0;
  memset(ps, 0, sizeof *ps);
  ps->x = x;
  ps->min = INFINITY;
  ps->max = -INFINITY;
  /* two-pass (mean, then squared deviations) for accuracy */
  for (size_t r = 0; r < R; r++) {
    const mfh_outcome *o = &out[point * R + r];
    const double *v = (o->state == MFH_TASK_COMPUTED || o->state == MFH_TASK_CACHED)
                          ? mfh_values_get(&o->values, measure)
                          : NULL;
    if (!v || !isfinite(*v)) {
      ps->nfailed++;
      continue;
    }
    ps->nrep++;
    sum += *v;
    if (*v < ps->min) ps->min = *v;
    if (*v > ps->max) ps->max = *v;
  }
  if (ps->nrep == 0) {
    ps->mean = ps->sd = ps->se = NAN;
    ps->min = ps->max = NAN;
    return;
  }
  ps->mean = sum / (double)ps->nrep;
  for (size_t r = 0; r < R; r++) {
    const mfh_outcome *o = &out[point * R + r];
    const double *v = (o->state == MFH_TASK_COMPUTED || o->state == MFH_TASK_CACHED)
                          ? mfh_values_get(&o->values, measure)
                          : NULL;
    if (v && isfinite(*v)) sum2 += (*v - ps->mean) * (*v - ps->mean);
  }
  ps->sd = ps->nrep > 1 ? sqrt(sum2 / (double)(ps->nrep - 1)) : 0;
  ps->se = ps->nrep > 1 ? ps->sd / sqrt((double)ps->nrep) : 0;
}

static int series_complete(const mfh_series *s) {
  for (size_t i = 0; i < s->n; i++)
    if (s->pts[i].nrep == 0) return 0;
  return 1;
}

static int fit_series(const mfh_series *s, const mfh_fit_opts *o, mfh_fit_result *fit, mfh_err *err) {
  double *x = malloc(s->n * sizeof *x), *y = malloc(s->n * sizeof *y), *e = malloc(s->n * sizeof *e);
  int rc = MFH_OK, weighted = 1;
  if (!x || !y || !e) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t i = 0; !rc && i < s->n; i++) {
    x[i] = s->pts[i].x;
    y[i] = fabs(s->pts[i].mean); /* signed measures (a weak error's bias): fit the size */
    e[i] = s->pts[i].se;
    if (!(e[i] > 0)) weighted = 0;
  }
  if (!rc) rc = mfh_fit_rate(s->n, x, y, weighted ? e : NULL, o, fit, err);
  free(x);
  free(y);
  free(e);
  return rc;
}

static void check_opts(const mfh_check_spec *ck, const mfh_axis *ax, mfh_fit_opts *o) {
  mfh_fit_opts_default(o);
  o->refine_dir = ax->refine_dir;
  if (ck && ck->kind == MFH_CHECK_RATE) {
    o->model = ck->exp_model ? MFH_FIT_EXP : ck->proved_log ? MFH_FIT_POWER_LOG : MFH_FIT_POWER;
    o->exclude_leading = ck->exclude;
    o->auto_exclude = ck->auto_exclude;
    o->level = ck->level;
  } else if (ck && ck->kind == MFH_CHECK_UNIFORM) {
    o->auto_exclude = 0;
    o->level = ck->level;
  } else {
    o->auto_exclude = 1;
  }
}

/* ---- checks ------------------------------------------------------------ */

static void set_num(mfh_check_result *c, const char *name, double v) { mfh_values_set(&c->numbers, name, v); }

static void fmt_x(double x, char *buf, size_t len) {
  if (x == floor(x) && fabs(x) < 1e15)
    snprintf(buf, len, "%.0f", x);
  else
    snprintf(buf, len, "%.4g", x);
}

static void judge_rate(const mfh_check_spec *ck, const mfh_series *s, const mfh_axis *ax,
                       const mfh_fit_result *f, mfh_check_result *c) {
  int dir = ax->refine_dir;
  double tol = ck->tol;
  set_num(c, "proved", ck->proved);
  set_num(c, "tol", tol);
  set_num(c, "slope", f->slope);
  set_num(c, "slope_se", f->slope_se);
  set_num(c, "slope_lo", f->slope_lo);
  set_num(c, "slope_hi", f->slope_hi);
  set_num(c, "level", f->level);
  set_num(c, "r2", f->r2);
  set_num(c, "chi2_dof", f->chi2_dof);
  set_num(c, "n_used", (double)f->n_used);
  set_num(c, "n_excluded", (double)f->n_excluded_pre);
  /* decay rates along refinement (positive = error decreases) */
  double r_p = -ck->proved * dir;
  double r_lo = dir > 0 ? -f->slope_hi : f->slope_lo, r_hi = dir > 0 ? -f->slope_lo : f->slope_hi;
  const char *model = ck->proved_log ? " (fit C x^s log x)" : ck->exp_model ? " (fit C e^{s x})" : "";
  char head[320];
  double half = (f->slope_hi - f->slope_lo) / 2;
  snprintf(head, sizeof head, "%s %s %s%s, observed %.3f +/- %.3f (%.0f%% CI [%.3f, %.3f], %zu pts",
           ck->label, ck->exp_model ? "exponent <=" : "slope", ck->proved_text, ck->proved_log ? " with log" : "",
           f->slope, half, 100 * f->level, f->slope_lo, f->slope_hi, f->n_used);
  char excl[48] = "";
  if (f->n_excluded_pre) snprintf(excl, sizeof excl, ", %zu excluded", f->n_excluded_pre);
  if ((f->flags & MFH_FIT_TOO_FEW) || !isfinite(f->slope_lo) || !isfinite(f->slope_hi)) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "%s slope %s: too few usable points for an interval (%zu)%s",
             ck->label, ck->proved_text, f->n_used, model);
    return;
  }
  const char *tail = "";
  if (r_lo >= r_p - tol) {
    c->verdict = MFH_PASS;
    tail = r_lo > r_p + tol ? (ck->exp_model ? " - grows more slowly than proved" : " - faster than proved") : "";
    if (*tail && strcmp(ck->label, "proved") != 0) tail = ck->exp_model ? " - grows more slowly" : " - faster";
  } else if (r_hi < r_p - tol) {
    c->verdict = MFH_FAIL;
    tail = ck->exp_model ? " - grows faster than proved" : " - slower than proved";
    if (strcmp(ck->label, "proved") != 0) { /* a literature rate is reported, not asserted */
      c->verdict = MFH_INCONCLUSIVE;
      tail = ck->exp_model ? " - grows faster (not a proved rate: reported, not asserted)"
                           : " - slower (not a proved rate: reported, not asserted)";
    }
  } else {
    c->verdict = MFH_INCONCLUSIVE;
    tail = " - interval too wide to decide";
  }
  snprintf(c->summary, sizeof c->summary, "%s%s)%s; tol %.2g%s", head, excl, model, tol, tail);
  (void)s;
}

static void judge_uniform(const mfh_check_spec *ck, const mfh_axis *ax, const mfh_fit_result *f,
                          mfh_check_result *c) {
  int dir = ax->refine_dir;
  double g = f->slope * dir;
  double g_lo = dir > 0 ? f->slope_lo : -f->slope_hi, g_hi = dir > 0 ? f->slope_hi : -f->slope_lo;
  set_num(c, "growth", g);
  set_num(c, "growth_lo", g_lo);
  set_num(c, "growth_hi", g_hi);
  set_num(c, "tol", ck->tol);
  set_num(c, "level", f->level);
  if (!isfinite(g_lo) || !isfinite(g_hi)) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "too few usable points along %s", ax->name);
    return;
  }
  c->verdict = g_hi <= ck->tol ? MFH_PASS : g_lo > ck->tol ? MFH_FAIL : MFH_INCONCLUSIVE;
  snprintf(c->summary, sizeof c->summary,
           "growth exponent along the %s sweep %.3f (%.0f%% CI [%.3f, %.3f]), allowed <= %.3g%s", ax->name,
           g, 100 * f->level, g_lo, g_hi, ck->tol,
           c->verdict == MFH_PASS ? "" : c->verdict == MFH_FAIL ? " - grows" : " - undecided");
}

static void judge_bound(const mfh_check_spec *ck, const mfh_series *s, mfh_check_result *c) {
  double worst = -INFINITY, worst_x = NAN;
  int over = 0, over_noise = 0;
  for (size_t i = 0; i < s->n; i++)
    if (!isfinite(s->bound[i])) {
      char xs[32];
      fmt_x(s->pts[i].x, xs, sizeof xs);
      c->verdict = MFH_CHECK_ERROR;
      snprintf(c->summary, sizeof c->summary, "the bound evaluates to %g at %s=%s", s->bound[i], s->axis, xs);
      return;
    }
  for (size_t i = 0; i < s->n; i++) {
    double m = ck->use_max ? s->pts[i].max : s->pts[i].mean, b = s->bound[i];
    double ratio = m / b;
    if (ratio > worst) worst = ratio, worst_x = s->pts[i].x;
    if (m > b) {
      if (ck->use_max || m - ck->sigma * s->pts[i].se > b)
        over++;
      else
        over_noise++;
    }
  }
  set_num(c, "max_ratio", worst);
  set_num(c, "at", worst_x);
  set_num(c, "violations", over);
  set_num(c, "within_noise", over_noise);
  set_num(c, "sigma", ck->sigma);
  char xs[32];
  fmt_x(worst_x, xs, sizeof xs);
  if (over) {
    c->verdict = MFH_FAIL;
    snprintf(c->summary, sizeof c->summary,
             "measured > bound at %d of %zu points (beyond %.3g standard errors); worst ratio %.4g at %s=%s",
             over, s->n, ck->sigma, worst, s->axis, xs);
  } else if (over_noise) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary,
             "measured > bound at %d points but within %.3g standard errors; worst ratio %.4g at %s=%s",
             over_noise, ck->sigma, worst, s->axis, xs);
  } else {
    c->verdict = MFH_PASS;
    snprintf(c->summary, sizeof c->summary, "%s <= bound at all %zu points (max ratio %.4g at %s=%s)",
             ck->use_max ? "every replica" : "measured", s->n, worst, s->axis, xs);
  }
}

static void judge_constant(const mfh_check_spec *ck, const mfh_series *s, const mfh_axis *ax,
                           mfh_check_result *c) {
  double sw = 0, swc = 0, sc = 0;
  size_t n = 0;
  int weighted = 1;
  /* `from` is an axis value: the points from it on in sweep order */
#define MFH_IN_RANGE(x) (ck->from == -INFINITY || (ax->refine_dir >= 0 ? (x) >= ck->from : (x) <= ck->from))
  for (size_t i = 0; i < s->n; i++) {
    int in = MFH_IN_RANGE(s->pts[i].x);
    if (!in || s->pts[i].nrep == 0) continue;
    if (!(s->pts[i].se > 0)) weighted = 0;
  }
  for (size_t i = 0; i < s->n; i++) {
    int in = MFH_IN_RANGE(s->pts[i].x);
    if (!in || s->pts[i].nrep == 0) continue;
    double scale = pow(s->pts[i].x, -ck->slope);
    double ci = s->pts[i].mean * scale, sei = s->pts[i].se * scale;
    double w = weighted ? 1.0 / (sei * sei) : 1.0;
    sw += w;
    swc += w * ci;
    sc += sei * sei;
    n++;
  }
#undef MFH_IN_RANGE
  if (n == 0) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "no points from %s = %g on", ax->name, ck->from);
    return;
  }
  double C = swc / sw;
  double se = weighted ? 1.0 / sqrt(sw) : sqrt(sc) / (double)n;
  double z = gsl_cdf_ugaussian_Pinv(0.5 + ck->level / 2);
  double lo = C - z * se, hi = C + z * se;
  double blo = ck->target * (1 - ck->tol), bhi = ck->target * (1 + ck->tol);
  if (blo > bhi) {
    double t = blo;
    blo = bhi;
    bhi = t;
  }
  set_num(c, "constant", C);
  set_num(c, "constant_se", se);
  set_num(c, "target", ck->target);
  set_num(c, "rtol", ck->tol);
  set_num(c, "points", (double)n);
  c->verdict = (lo >= blo && hi <= bhi) ? MFH_PASS : (hi < blo || lo > bhi) ? MFH_FAIL : MFH_INCONCLUSIVE;
  char what[96];
  if (ck->slope == 0)
    snprintf(what, sizeof what, "value along %s", ax->name);
  else
    snprintf(what, sizeof what, "constant of %s^%g", ax->name, ck->slope);
  snprintf(c->summary, sizeof c->summary,
           "%s: expected %.5g (+/- %.2g%%), observed %.5g +/- %.2g (%.0f%% CI, %zu pts)%s", what, ck->target,
           100 * ck->tol, C, z * se, 100 * ck->level, n,
           c->verdict == MFH_INCONCLUSIVE ? " - interval too wide to decide"
           : c->verdict == MFH_FAIL      ? " - outside the tolerance"
                                         : "");
}

/* y = sum_k c_k x^{p_k} through every point: passes when it describes the
 * data within rtol at every point (max relative residual), fails when it
 * does not; with as many points as terms it cannot be tested (inconclusive). */
static void judge_expansion(const mfh_check_spec *ck, mfh_series *s, const mfh_axis *ax, mfh_check_result *c) {
  double *x = malloc(s->n * sizeof *x), *y = malloc(s->n * sizeof *y), *e = malloc(s->n * sizeof *e);
  int weighted = 1;
  for (size_t i = 0; x && y && e && i < s->n; i++) {
    x[i] = s->pts[i].x;
    y[i] = fabs(s->pts[i].mean);
    e[i] = s->pts[i].se;
    if (!(e[i] > 0)) weighted = 0;
  }
  mfh_expansion_fit f;
  mfh_err ferr;
  mfh_err_clear(&ferr);
  int rc = (x && y && e) ? mfh_fit_expansion(s->n, x, y, weighted ? e : NULL, ck->npow, ck->powers, &f, &ferr)
                         : mfh_err_set(&ferr, MFH_ENOMEM, "out of memory");
  free(x);
  free(y);
  free(e);
  if (rc) {
    c->verdict = MFH_CHECK_ERROR;
    snprintf(c->summary, sizeof c->summary, "%.500s", ferr.msg);
    return;
  }
  if (!s->has_expansion) {
    s->expansion = f;
    s->has_expansion = 1;
  }
  char terms[200] = "";
  size_t len = 0;
  for (size_t k = 0; k < f.npow; k++) {
    char nm[16];
    snprintf(nm, sizeof nm, "c%zu", k + 1);
    set_num(c, nm, f.coef[k]);
    snprintf(nm, sizeof nm, "c%zu_se", k + 1);
    set_num(c, nm, f.coef_se[k]);
    snprintf(nm, sizeof nm, "p%zu", k + 1);
    set_num(c, nm, f.powers[k]);
    int w = isfinite(f.coef_se[k])
                ? snprintf(terms + len, sizeof terms - len, "%s(%.4g +/- %.2g) %s^%g", k ? " + " : "", f.coef[k],
                           f.coef_se[k], ax->name, f.powers[k])
                : snprintf(terms + len, sizeof terms - len, "%s%.4g %s^%g", k ? " + " : "", f.coef[k], ax->name,
                           f.powers[k]);
    if (w > 0 && len + (size_t)w < sizeof terms) len += (size_t)w;
  }
  set_num(c, "max_rel_resid", f.max_rel_resid);
  set_num(c, "rtol", ck->tol);
  char xs[32];
  fmt_x(s->pts[f.worst].x, xs, sizeof xs);
  if (f.n <= f.npow) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "%s (standard errors) through %zu points: exactly determined, not tested",
             terms, f.n);
    return;
  }
  c->verdict = f.max_rel_resid <= ck->tol ? MFH_PASS : MFH_FAIL;
  snprintf(c->summary, sizeof c->summary, "%s fits all %zu points within %.2g%% (worst at %s=%s; allowed %.3g%%)%s",
           terms, f.n, 100 * f.max_rel_resid, s->axis, xs, 100 * ck->tol,
           c->verdict == MFH_FAIL ? " - the expansion does not describe the data" : "");
}

static const json_t *baseline_series(const json_t *baseline, const char *axis, const char *measure) {
  const json_t *arr = baseline ? json_object_get(baseline, "series") : NULL;
  size_t i;
  json_t *e;
  if (!json_is_array(arr)) return NULL;
  json_array_foreach(arr, i, e) {
    const char *a = json_string_value(json_object_get(e, "axis"));
    const char *m = json_string_value(json_object_get(e, "measure"));
    if (a && m && !strcmp(a, axis) && !strcmp(m, measure)) return e;
  }
  return NULL;
}

static void judge_expected(const mfh_check_spec *ck, const mfh_study_result *r, const json_t *baseline,
                           mfh_check_result *c, const mfh_study *st) {
  size_t compared = 0, bad = 0, missing = 0;
  double worst = 0, worst_x = NAN;
  const char *worst_axis = "";
  for (size_t si = 0; si < r->nseries; si++) {
    const mfh_series *s = &r->series[si];
    if (strcmp(s->measure, st->measures[ck->measure]) != 0) continue;
    const json_t *b = baseline_series(baseline, s->axis, s->measure);
    const json_t *bx = b ? json_object_get(b, "x") : NULL, *bm = b ? json_object_get(b, "mean") : NULL;
    for (size_t i = 0; i < s->n; i++) {
      size_t j, nb = json_array_size(bx);
      for (j = 0; j < nb; j++)
        if (json_number_value(json_array_get(bx, j)) == s->pts[i].x) break;
      if (j == nb) {
        missing++;
        continue;
      }
      double ref = json_number_value(json_array_get(bm, j)), m = s->pts[i].mean;
      double allow = ck->atol + ck->rtol * fabs(ref) + ck->sigma * s->pts[i].se;
      double dev = fabs(m - ref);
      double rel = ref != 0 ? dev / fabs(ref) : dev;
      compared++;
      if (!(dev <= allow)) bad++;
      if (!(rel <= worst)) worst = rel, worst_x = s->pts[i].x, worst_axis = s->axis;
    }
  }
  set_num(c, "compared", (double)compared);
  set_num(c, "mismatched", (double)bad);
  set_num(c, "missing", (double)missing);
  set_num(c, "max_rel_dev", worst);
  set_num(c, "rtol", ck->rtol);
  if (!baseline) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "no blessed values for profile %s: run `mfh bless %s --profile %s`",
             st->profile, st->file, st->profile);
  } else if (bad) {
    char xs[32];
    fmt_x(worst_x, xs, sizeof xs);
    c->verdict = MFH_FAIL;
    snprintf(c->summary, sizeof c->summary,
             "%zu of %zu points differ from expected/ (worst relative deviation %.3g at %s=%s; rtol %.3g)", bad,
             compared, worst, worst_axis, xs, ck->rtol);
  } else if (compared == 0) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "no sweep point in common with the blessed values");
  } else {
    c->verdict = MFH_PASS;
    snprintf(c->summary, sizeof c->summary, "%zu points match expected/ (max relative deviation %.3g, rtol %.3g)%s",
             compared, worst, ck->rtol, missing ? "; some points not blessed" : "");
  }
}

/* ---- the study result -------------------------------------------------- */

static int find_series(const mfh_study_result *r, const char *axis, const char *measure) {
  for (size_t i = 0; i < r->nseries; i++)
    if (!strcmp(r->series[i].axis, axis) && !strcmp(r->series[i].measure, measure)) return (int)i;
  return -1;
}

static int bound_at(const mfh_study *st, const mfh_check_spec *ck, const mfh_params *p, double *out,
                    mfh_err *err) {
  mfh_bound_ctx bc = {p, &st->constants};
  if (ck->bound) return ck->bound->eval(mfh_bound_lookup, &bc, out, err);
  return mfh_expr_eval(ck->formula, mfh_bound_lookup, &bc, out, err);
}

int mfh_verdict_build(const mfh_plan *plan, const mfh_outcome *out, const json_t *baseline,
                      mfh_study_result *r, mfh_err *err) {
  const mfh_study *st = plan->study;
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", st->id);
  snprintf(r->title, sizeof r->title, "%s", st->title);
  snprintf(r->theorem, sizeof r->theorem, "%s", st->theorem);
  snprintf(r->source, sizeof r->source, "%s", st->source);
  snprintf(r->file, sizeof r->file, "%s", st->file);
  snprintf(r->profile, sizeof r->profile, "%s", st->profile);
  snprintf(r->solver, sizeof r->solver, "%s", st->solver->name);
  snprintf(r->observable, sizeof r->observable, "%s", st->observable->name);
  r->ntasks = plan->ntasks;
  for (size_t i = 0; i < plan->ntasks; i++) {
    if (out[i].state == MFH_TASK_CACHED) r->ntasks_cached++;
    if (out[i].state == MFH_TASK_COMPUTED) r->ntasks_run++, r->elapsed_s += out[i].elapsed_s;
    if (out[i].state == MFH_TASK_FAILED) r->ntasks_failed++;
  }
  size_t missing = plan->ntasks - r->ntasks_cached - r->ntasks_run - r->ntasks_failed;
  if (r->ntasks_failed) {
    for (size_t i = 0; i < plan->ntasks; i++)
      if (out[i].state == MFH_TASK_FAILED) {
        snprintf(r->note, sizeof r->note, "%zu tasks failed; first: %.400s", r->ntasks_failed, out[i].msg);
        break;
      }
  } else if (missing) {
    snprintf(r->note, sizeof r->note, "incomplete: %zu of %zu tasks have no stored result", missing,
             plan->ntasks);
  }
  /* series: every axis x every measure */
  r->series = calloc(st->naxes * st->nmeasures, sizeof *r->series);
  r->checks = calloc(st->nchecks ? st->nchecks : 1, sizeof *r->checks);
  if (!r->series || !r->checks) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t a = 0; a < st->naxes; a++)
    for (size_t m = 0; m < st->nmeasures; m++) {
      mfh_series *s = &r->series[r->nseries++];
      const mfh_axis *ax = &st->axes[a];
      snprintf(s->axis, sizeof s->axis, "%s", ax->name);
      snprintf(s->measure, sizeof s->measure, "%s", st->measures[m]);
      snprintf(s->label, sizeof s->label, "%s", st->labels[m]);
      s->n = ax->n;
      s->pts = calloc(ax->n, sizeof *s->pts);
      if (!s->pts) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
      for (size_t j = 0; j < ax->n; j++)
        point_stats(plan, out, plan->axis_points[a][j], st->measures[m], ax->values[j], &s->pts[j]);
      /* the first check on this series sets the displayed fit, proved line and bound */
      const mfh_check_spec *rate = NULL, *bound = NULL, *uni = NULL;
      for (size_t k = 0; k < st->nchecks; k++) {
        const mfh_check_spec *ck = &st->checks[k];
        if (ck->axis != (int)a || ck->measure != (int)m) continue;
        if (ck->kind == MFH_CHECK_RATE && !rate) rate = ck;
        if (ck->kind == MFH_CHECK_BOUND && !bound) bound = ck;
        if (ck->kind == MFH_CHECK_UNIFORM && !uni) uni = ck;
      }
      if (rate) {
        s->has_proved = 1;
        s->proved_slope = rate->proved;
        s->proved_log = rate->proved_log;
      }
      if (ax->n >= 2 && ax->refine_dir != 0 && series_complete(s)) {
        mfh_fit_opts fo;
        /* the displayed fit is the judged one: a rate check's, else a
         * uniform check's (all points), else the default */
        check_opts(rate ? rate : uni, ax, &fo);
        int rc = fit_series(s, &fo, &s->fit, err);
        if (rc) return rc;
        s->has_fit = 1;
      }
      if (bound) {
        s->bound = malloc(ax->n * sizeof *s->bound);
        if (!s->bound) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
        snprintf(s->bound_label, sizeof s->bound_label, "bound %.100s",
                 bound->bound ? bound->bound->name : bound->formula_text);
        for (size_t j = 0; j < ax->n; j++) {
          int rc = bound_at(st, bound, &plan->points[plan->axis_points[a][j]].params, &s->bound[j], err);
          if (rc) {
            mfh_err_prefix(err, "%s: bound", st->file);
            return rc;
          }
        }
      }
    }
  /* checks */
  for (size_t k = 0; k < st->nchecks; k++) {
    const mfh_check_spec *ck = &st->checks[k];
    mfh_check_result *c = &r->checks[r->nchecks++];
    snprintf(c->kind, sizeof c->kind, "%s", mfh_check_kind_names[ck->kind]);
    const char *meas = st->measures[ck->measure];
    if (ck->axis >= 0)
      snprintf(c->name, sizeof c->name, "%s[%s] %s", c->kind, st->axes[ck->axis].name, meas);
    else
      snprintf(c->name, sizeof c->name, "%s %s", c->kind, meas);
    for (size_t j = 0; j + 1 < r->nchecks; j++) /* keep names unique */
      if (!strcmp(r->checks[j].name, c->name)) {
        size_t l = strlen(c->name);
        snprintf(c->name + l, sizeof c->name - l, " #%zu", k + 1);
        break;
      }
    c->series = ck->axis >= 0 ? find_series(r, st->axes[ck->axis].name, meas) : -1;
    if (ck->kind == MFH_CHECK_EXPECTED) {
      judge_expected(ck, r, baseline, c, st);
      continue;
    }
    mfh_series *s = &r->series[c->series];
    const mfh_axis *ax = &st->axes[ck->axis];
    if (!series_complete(s)) {
      c->verdict = MFH_CHECK_ERROR;
      snprintf(c->summary, sizeof c->summary, "no data at some %s values (tasks failed or missing)", ax->name);
      continue;
    }
    if (ck->kind == MFH_CHECK_BOUND) {
      double *b = malloc(s->n * sizeof *b);
      if (!b) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
      for (size_t j = 0; j < s->n; j++) {
        int rc = bound_at(st, ck, &plan->points[plan->axis_points[ck->axis][j]].params, &b[j], err);
        if (rc) {
          free(b);
          return rc;
        }
      }
      double *keep = s->bound;
      s->bound = b;
      judge_bound(ck, s, c);
      s->bound = keep ? keep : b;
      if (keep) free(b);
      continue;
    }
    if (ck->kind == MFH_CHECK_CONSTANT) {
      judge_constant(ck, s, ax, c);
      continue;
    }
    if (ck->kind == MFH_CHECK_EXPANSION) {
      judge_expansion(ck, s, ax, c);
      continue;
    }
    mfh_fit_opts fo;
    check_opts(ck, ax, &fo);
    mfh_fit_result f;
    int rc = fit_series(s, &fo, &f, err);
    if (rc) return rc;
    if (ck->kind == MFH_CHECK_RATE)
      judge_rate(ck, s, ax, &f, c);
    else
      judge_uniform(ck, ax, &f, c);
    mfh_fit_result_free(&f);
  }
  return MFH_OK;
}

/* ---- expected/ ---------------------------------------------------------- */

static char *baseline_path(const char *dir, const char *id) {
  size_t n = strlen(dir) + strlen(id) + 16;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s.json", dir, id);
  return p;
}

int mfh_baseline_load(const char *dir, const char *id, const char *profile, json_t **entry, mfh_err *err) {
  *entry = NULL;
  char *path = baseline_path(dir, id);
  if (!path) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (!mfh_path_exists(path)) {
    free(path);
    return MFH_OK;
  }
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!root) {
    mfh_mark m = {path, jerr.line, jerr.column};
    mfh_err_at(err, MFH_EINPUT, m, "not valid JSON: %s", jerr.text);
    snprintf(err->file, sizeof err->file, "%s", path);
    free(path);
    return MFH_EINPUT;
  }
  free(path);
  json_t *e = json_object_get(json_object_get(root, "profiles"), profile);
  if (e) *entry = json_incref(e);
  json_decref(root);
  return MFH_OK;
}

int mfh_baseline_bless(const char *dir, const mfh_study_result *r, mfh_err *err) {
  int rc = mfh_mkdirs(dir, err);
  if (rc) return rc;
  char *path = baseline_path(dir, r->id);
  if (!path) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  json_error_t jerr;
  json_t *root = mfh_path_exists(path) ? json_load_file(path, 0, &jerr) : json_object();
  if (!root) {
    rc = mfh_err_set(err, MFH_EINPUT, "%s: not valid JSON (line %d): %s", path, jerr.line, jerr.text);
    free(path);
    return rc;
  }
  json_object_set_new(root, "study", json_string(r->id));
  json_t *profiles = json_object_get(root, "profiles");
  if (!json_is_object(profiles)) {
    profiles = json_object();
    json_object_set_new(root, "profiles", profiles);
  }
  json_t *entry = json_object(), *series = json_array();
  json_object_set_new(entry, "mfh_version", json_string(MFH_VERSION));
  for (size_t i = 0; i < r->nseries; i++) {
    const mfh_series *s = &r->series[i];
    json_t *js = json_object(), *x = json_array(), *m = json_array(), *se = json_array();
    for (size_t j = 0; j < s->n; j++) {
      json_array_append_new(x, json_real(s->pts[j].x));
      json_array_append_new(m, json_real(s->pts[j].mean));
      json_array_append_new(se, json_real(s->pts[j].se));
    }
    json_object_set_new(js, "axis", json_string(s->axis));
    json_object_set_new(js, "measure", json_string(s->measure));
    json_object_set_new(js, "x", x);
    json_object_set_new(js, "mean", m);
    json_object_set_new(js, "se", se);
    if (s->has_fit && isfinite(s->fit.slope)) json_object_set_new(js, "slope", json_real(s->fit.slope));
    json_array_append_new(series, js);
  }
  json_object_set_new(entry, "series", series);
  json_object_set_new(profiles, r->profile, entry);
  char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  json_decref(root);
  if (!text) {
    free(path);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  size_t len = strlen(text);
  rc = mfh_write_atomic(path, text, len, err);
  free(text);
  free(path);
  return rc;
}
