#include "pipeline/verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The fit a check's judgement rests on (ck NULL: the default shown for a
 * series no fitting check judges, with pre-asymptotic points excluded). */
static void fit_opts_for(const mfh_check_spec *ck, int refine_dir, mfh_fit_opts *o) {
  mfh_fit_opts_default(o);
  o->refine_dir = refine_dir;
  if (ck)
    ck->type->fit_opts(ck->data, o);
  else
    o->auto_exclude = 1;
}

/* ---- the blessed values -------------------------------------------------- */

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

static void blessed_free(mfh_blessed *b, size_t n) {
  for (size_t i = 0; b && i < n; i++) {
    free(b[i].x);
    free(b[i].mean);
  }
  free(b);
}

/* The blessed x and mean of every series of r (n = 0 where not blessed), for
 * the checks that compare with them; *out stays NULL without a baseline. */
static int blessed_build(const json_t *baseline, const mfh_study_result *r, mfh_blessed **out, mfh_err *err) {
  *out = NULL;
  if (!baseline) return MFH_OK;
  mfh_blessed *b = calloc(r->nseries ? r->nseries : 1, sizeof *b);
  if (!b) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t i = 0; i < r->nseries; i++) {
    const json_t *e = baseline_series(baseline, r->series[i].axis, r->series[i].measure);
    const json_t *bx = e ? json_object_get(e, "x") : NULL, *bm = e ? json_object_get(e, "mean") : NULL;
    size_t n = json_array_size(bx);
    if (n == 0) continue;
    b[i].x = malloc(n * sizeof *b[i].x);
    b[i].mean = malloc(n * sizeof *b[i].mean);
    if (!b[i].x || !b[i].mean) {
      blessed_free(b, r->nseries);
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < n; j++) {
      b[i].x[j] = json_number_value(json_array_get(bx, j));
      b[i].mean[j] = json_number_value(json_array_get(bm, j)); /* 0 where missing */
    }
    b[i].n = n;
  }
  *out = b;
  return MFH_OK;
}

/* ---- cost ------------------------------------------------------------------ */

/* CPU and wall time per task at one point (tasks computed now or stored). */
static void cost_point(const mfh_plan *plan, const mfh_outcome *out, size_t point, double x, mfh_cost_point *c) {
  size_t R = plan->study->replicas;
  double sum = 0, sum2 = 0, wall = 0;
  memset(c, 0, sizeof *c);
  c->x = x;
  for (size_t r = 0; r < R; r++) {
    const mfh_outcome *o = &out[point * R + r];
    if ((o->state != MFH_TASK_COMPUTED && o->state != MFH_TASK_CACHED) || !isfinite(o->cpu_s)) continue;
    c->n++;
    sum += o->cpu_s;
    wall += o->elapsed_s;
  }
  if (c->n == 0) {
    c->cpu_s = c->cpu_se = c->wall_s = NAN;
    return;
  }
  c->cpu_s = sum / (double)c->n;
  c->wall_s = wall / (double)c->n;
  for (size_t r = 0; r < R; r++) {
    const mfh_outcome *o = &out[point * R + r];
    if ((o->state == MFH_TASK_COMPUTED || o->state == MFH_TASK_CACHED) && isfinite(o->cpu_s))
      sum2 += (o->cpu_s - c->cpu_s) * (o->cpu_s - c->cpu_s);
  }
  c->cpu_se = c->n > 1 ? sqrt(sum2 / (double)(c->n - 1) / (double)c->n) : 0;
}

/* The cost of every swept axis and its exponent: an unweighted log-log fit
 * of seconds per task (timings scatter for reasons replicas do not
 * measure), leading points whose local order has not settled (fixed
 * overheads at small sizes) excluded and reported.  CPU seconds, or wall
 * seconds when the CPU clock of the task's thread saw under a tenth of the
 * wall time (core/results.h). */
static int cost_build(const mfh_plan *plan, const mfh_outcome *out, mfh_study_result *r, mfh_err *err) {
  const mfh_study *st = plan->study;
  r->cost = calloc(st->naxes ? st->naxes : 1, sizeof *r->cost);
  if (!r->cost) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t a = 0; a < st->naxes; a++) {
    const mfh_axis *ax = &st->axes[a];
    mfh_cost_axis *c = &r->cost[r->ncost++];
    snprintf(c->axis, sizeof c->axis, "%s", ax->name);
    c->n = ax->n;
    c->pts = calloc(ax->n ? ax->n : 1, sizeof *c->pts);
    double *x = malloc((ax->n ? ax->n : 1) * sizeof *x), *y = malloc((ax->n ? ax->n : 1) * sizeof *y);
    int rc = (c->pts && x && y) ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory");
    size_t known = 0;
    double cpu = 0, wall = 0;
    for (size_t j = 0; !rc && j < ax->n; j++) {
      cost_point(plan, out, plan->axis_points[a][j], ax->values[j], &c->pts[j]);
      known += c->pts[j].n > 0;
      if (c->pts[j].n) cpu += c->pts[j].cpu_s, wall += c->pts[j].wall_s;
    }
    c->wall = cpu < 0.1 * wall;
    for (size_t j = 0; !rc && j < ax->n; j++) {
      x[j] = c->pts[j].x;
      y[j] = mfh_cost_of(c, j);
    }
    if (!rc && known == ax->n && ax->n >= 2 && ax->refine_dir != 0) {
      mfh_fit_opts fo;
      mfh_fit_opts_default(&fo);
      fo.refine_dir = ax->refine_dir;
      fo.auto_exclude = 1;
      rc = mfh_fit_rate(ax->n, x, y, NULL, &fo, &c->fit, err);
      c->has_fit = rc == MFH_OK;
      c->fit.flags &= ~(unsigned)MFH_FIT_NOT_DECREASING; /* cost grows along refinement: no remark */
    }
    free(x);
    free(y);
    if (rc) return rc;
  }
  return MFH_OK;
}

/* ---- the study result -------------------------------------------------- */

static int find_series(const mfh_study_result *r, const char *axis, const char *measure) {
  for (size_t i = 0; i < r->nseries; i++)
    if (!strcmp(r->series[i].axis, axis) && !strcmp(r->series[i].measure, measure)) return (int)i;
  return -1;
}

/* A check's curve (a bound) at every point of its axis. */
static int curve_along(const mfh_plan *plan, const mfh_check_spec *ck, double *y, mfh_err *err) {
  const mfh_study *st = plan->study;
  for (size_t j = 0; j < st->axes[ck->axis].n; j++) {
    mfh_bound_ctx bc = {&plan->points[plan->axis_points[ck->axis][j]].params, &st->constants};
    int rc = ck->type->curve(ck->data, mfh_bound_lookup, &bc, &y[j], err);
    if (rc) return rc;
  }
  return MFH_OK;
}

/* Judge one check: its series (complete), fit and curve, then its kind's judge. */
static int judge_check(const mfh_plan *plan, const mfh_check_spec *ck, mfh_study_result *r,
                       const mfh_blessed *blessed, mfh_check_result *c, mfh_err *err) {
  const mfh_study *st = plan->study;
  const mfh_check_type *t = ck->type;
  mfh_check_view v = {.result = r, .measure = ck->measure_name, .blessed = blessed, .file = st->file,
                      .profile = st->profile};
  mfh_fit_result fit;
  double *curve = NULL;
  int rc = MFH_OK, fitted = 0;
  if (ck->axis >= 0) {
    const mfh_axis *ax = &st->axes[ck->axis];
    v.series = &r->series[c->series];
    v.refine_dir = ax->refine_dir;
    if (!series_complete(v.series)) {
      c->verdict = MFH_CHECK_ERROR;
      snprintf(c->summary, sizeof c->summary, "no data at some %s values (tasks failed or missing)", ax->name);
      return MFH_OK;
    }
    if (t->curve) {
      if (!(curve = malloc(ax->n * sizeof *curve))) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
      if ((rc = curve_along(plan, ck, curve, err))) goto done;
      v.curve = curve;
    }
    if (t->fit_opts) {
      mfh_fit_opts fo;
      fit_opts_for(ck, ax->refine_dir, &fo);
      if ((rc = fit_series(v.series, &fo, &fit, err))) goto done;
      fitted = 1;
      v.fit = &fit;
    }
  }
  rc = t->judge(ck->data, &v, c, err);
done:
  if (fitted) mfh_fit_result_free(&fit);
  free(curve);
  return rc;
}

/* Where the study expects the check decided, and whether this profile's
 * inconclusive verdict falls short of it (said at the end of the summary). */
static void expectation(const mfh_check_spec *ck, const char *profile, mfh_check_result *c) {
  if (ck->decided_at < 0) return;
  snprintf(c->decided_at, sizeof c->decided_at, "%s", mfh_profiles[ck->decided_at]);
  if (mfh_profile_index(profile) < ck->decided_at || c->verdict != MFH_INCONCLUSIVE) return;
  c->undecided = 1;
  size_t u = strlen(c->summary);
  snprintf(c->summary + u, sizeof c->summary - u, " [undecided at %s: the study expects pass or fail from %s on]",
           profile, c->decided_at);
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
  /* the system's engine (results.json's "solver", the key of older runs);
   * the observables, space-separated */
  snprintf(r->solver, sizeof r->solver, "%s", st->parts[0].engine->name);
  for (size_t i = 0; i < st->nobs; i++) {
    size_t u = strlen(r->observable);
    snprintf(r->observable + u, sizeof r->observable - u, "%s%s", i ? " " : "", st->obs[i].type->name);
  }
  r->ntasks = plan->ntasks;
  for (size_t i = 0; i < plan->ntasks; i++) {
    if (out[i].state == MFH_TASK_CACHED) r->ntasks_cached++;
    if (out[i].state == MFH_TASK_COMPUTED) {
      r->ntasks_run++;
      r->elapsed_s += out[i].elapsed_s;
      if (isfinite(out[i].cpu_s)) r->cpu_s += out[i].cpu_s;
    }
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
      /* what the plot shows of the checks on this series: their annotations
       * (the proved-rate line), the fit of the first check of the highest
       * fit_rank (a rate's over a uniform's; else the default), the curve of
       * the first check that has one (a bound) */
      const mfh_check_spec *fitter = NULL, *drawn = NULL;
      int values = 0; /* a value series (gci): no default rate fit */
      for (size_t k = 0; k < st->nchecks; k++) {
        const mfh_check_spec *ck = &st->checks[k];
        if (ck->axis != (int)a || ck->measure != (int)m) continue;
        values |= ck->type->values_series;
        if (ck->type->annotate) ck->type->annotate(ck->data, s);
        if (ck->type->fit_opts && (!fitter || ck->type->fit_rank > fitter->type->fit_rank)) fitter = ck;
        if (ck->type->curve && !drawn) drawn = ck;
      }
      if (ax->n >= 2 && ax->refine_dir != 0 && series_complete(s) && (fitter || !values)) {
        mfh_fit_opts fo;
        fit_opts_for(fitter, ax->refine_dir, &fo);
        int rc = fit_series(s, &fo, &s->fit, err);
        if (rc) return rc;
        s->has_fit = 1;
      }
      if (drawn) {
        s->bound = malloc(ax->n * sizeof *s->bound);
        if (!s->bound) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
        drawn->type->curve_label(drawn->data, s->bound_label, sizeof s->bound_label);
        int rc = curve_along(plan, drawn, s->bound, err);
        if (rc) {
          mfh_err_prefix(err, "%s: bound", st->file);
          return rc;
        }
      }
    }
  /* what the tasks cost along each axis (work-precision reports) */
  int rc = cost_build(plan, out, r, err);
  if (rc) return rc;
  /* checks */
  mfh_blessed *blessed;
  rc = blessed_build(baseline, r, &blessed, err);
  for (size_t k = 0; !rc && k < st->nchecks; k++) {
    const mfh_check_spec *ck = &st->checks[k];
    mfh_check_result *c = &r->checks[r->nchecks++];
    snprintf(c->kind, sizeof c->kind, "%s", ck->type->name);
    if (ck->axis >= 0)
      snprintf(c->name, sizeof c->name, "%s[%s] %s", c->kind, st->axes[ck->axis].name, ck->measure_name);
    else
      snprintf(c->name, sizeof c->name, "%s %s", c->kind, ck->measure_name);
    for (size_t j = 0; j + 1 < r->nchecks; j++) /* keep names unique */
      if (!strcmp(r->checks[j].name, c->name)) {
        size_t l = strlen(c->name);
        snprintf(c->name + l, sizeof c->name - l, " #%zu", k + 1);
        break;
      }
    c->series = ck->axis >= 0 ? find_series(r, st->axes[ck->axis].name, ck->measure_name) : -1;
    rc = judge_check(plan, ck, r, blessed, c, err);
    if (!rc) expectation(ck, st->profile, c);
  }
  blessed_free(blessed, r->nseries);
  return rc;
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
