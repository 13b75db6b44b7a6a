/* The results.json writer: every point, fit and check of a study with its
 * numbers, one per study folder, schema "mfh-results/1".  Numbers are
 * written with 17 significant digits; NaN and +-Inf become null.  Keys keep
 * the order shown.
 *
 * {
 *   "schema": "mfh-results/1",
 *   "study": { "id", "title", "theorem", "source", "file", "profile",
 *              "solver", "observable", "note" },            all strings
 *   "verdict": "pass" | "fail" | "inconclusive" | "error",  worst check verdict
 *   "tasks": { "total", "cached", "run", "failed": integers,
 *              "elapsed_s": number (wall time of the solver runs),
 *              "cpu_s": number (their CPU time) },
 *   "series": [ {
 *       "index": integer (0-based, what checks[].series refers to),
 *       "axis": "N", "measure": "wpp", "label": "E W_1(mu_N, mu)",
 *       "proved": null | { "slope": number, "log": bool },  slope: the exponent
 *                    s of x^s, or of e^{s x} when fit.model is "exp" (log unused)
 *       "bound_label": null (no explicit bound) | string,
 *       "extrapolated": null | { "value", "gci_fine", "x", "lo", "hi": number|null },
 *                    a gci check's Richardson value, GCI_fine, and the band
 *                    phi1 (1 -/+ GCI_fine) at the finest level x
 *       "points": [ { "x", "mean", "sd", "se", "min", "max": number|null,
 *                     "nrep", "nfailed": integer,
 *                     "used": bool (entered the fit; false when no fit),
 *                     "bound": number|null } ],              coarse to fine
 *       "fit": null | {
 *           "model": "power" (y = C x^s) | "power_log" (C x^s log x) |
 *                    "exp" (C e^{s x}: log y linear in x; slope = exponent s),
 *           "n", "n_used", "n_excluded_pre": integer,
 *           "used": [bool] (n),
 *           "weighted": bool,
 *           "slope", "slope_se", "slope_lo", "slope_hi",
 *           "intercept", "intercept_se", "cov", "r2", "chi2_dof",
 *           "t_crit", "level": number|null,
 *           "local": [number|null] (n - 1 local orders: d log y / d log x,
 *                    or d log y / dx for "exp"),
 *           "flags": [ "nonfinite" | "nonpositive" | "not_decreasing" | "floor" |
 *                      "too_few" | "preasymptotic" | "unknown_bit_<k>" ],
 *           "flags_value": integer (the raw bit set),
 *           "note": string } } ],
 *   "checks": [ { "kind", "name", "verdict", "summary": string,
 *                 "series": integer|null,
 *                 "decided_at": null | "quick" | "nightly" | "full",  where the study
 *                    expects pass or fail (null: a labelled check, no expectation)
 *                 "undecided": bool (inconclusive at or beyond decided_at),
 *                 "numbers": { "<name>": number|null, ... } } ],
 *   "compare": null | { "group", "method": string },   the study's compare: key
 *   "cost": [ {                                   last: timings differ run to run
 *       "axis": "N",
 *       "basis": "cpu_s" | "wall_s" (what the exponent and the plots count: wall time
 *                when the tasks' threads were on CPU under a tenth of it),
 *       "points": [ { "x", "cpu_s", "cpu_se", "wall_s": number|null, "n": integer } ],
 *       "exponent": number|null (the fitted s of cost ~ C x^s),
 *       "fit": null | { as series[].fit } } ]
 * }
 *
 * The same schema, with explanations, is in docs/results-schema.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "report/model.h"
#include "report/sbuf.h"
#include "report/writer.h"

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static json_t *jint(size_t v) { return json_integer((json_int_t)v); }

static json_t *jstr(const char *s) {
  json_t *j = json_string(s ? s : "");
  if (j) return j;
  mfh_sbuf b = {0}; /* invalid UTF-8: repair and retry */
  mfh_sb_esc(&b, s, MFH_ESC_UTF8);
  j = b.oom ? NULL : json_string(mfh_sb_str(&b));
  mfh_sb_free(&b);
  return j;
}

/* Set / append a new reference; remembers any failure in *bad. */
static void jset(json_t *obj, const char *key, json_t *v, int *bad) {
  if (!v || json_object_set_new(obj, key, v) != 0) *bad = 1;
}
static void jpush(json_t *arr, json_t *v, int *bad) {
  if (!v || json_array_append_new(arr, v) != 0) *bad = 1;
}

static json_t *json_fit(const mfh_fit_result *f, int *bad) {
  json_t *o = json_object();
  if (!o) {
    *bad = 1;
    return NULL;
  }
  const char *model = f->model == MFH_FIT_POWER_LOG ? "power_log"
                      : f->model == MFH_FIT_EXP     ? "exp"
                                                    : "power";
  jset(o, "model", jstr(model), bad);
  jset(o, "n", jint(f->n), bad);
  jset(o, "n_used", jint(f->n_used), bad);
  jset(o, "n_excluded_pre", jint(f->n_excluded_pre), bad);
  json_t *used = json_array();
  for (size_t i = 0; used && i < f->n; i++) jpush(used, json_boolean(!f->used || f->used[i]), bad);
  jset(o, "used", used, bad);
  jset(o, "weighted", json_boolean(f->weighted), bad);
  jset(o, "slope", jnum(f->slope), bad);
  jset(o, "slope_se", jnum(f->slope_se), bad);
  jset(o, "slope_lo", jnum(f->slope_lo), bad);
  jset(o, "slope_hi", jnum(f->slope_hi), bad);
  jset(o, "intercept", jnum(f->intercept), bad);
  jset(o, "intercept_se", jnum(f->intercept_se), bad);
  jset(o, "cov", jnum(f->cov), bad);
  jset(o, "r2", jnum(f->r2), bad);
  jset(o, "chi2_dof", jnum(f->chi2_dof), bad);
  jset(o, "t_crit", jnum(f->t_crit), bad);
  jset(o, "level", jnum(f->level), bad);
  json_t *local = json_array();
  for (size_t i = 0; local && f->local && i + 1 < f->n; i++) jpush(local, jnum(f->local[i]), bad);
  jset(o, "local", local, bad);
  json_t *flags = json_array();
  for (unsigned k = 0; flags && k < 32; k++) {
    unsigned bit = 1u << k;
    if (!(f->flags & bit)) continue;
    const char *nm = mfh_report_fit_flag(bit);
    char unknown[32];
    snprintf(unknown, sizeof unknown, "unknown_bit_%u", k);
    jpush(flags, jstr(nm ? nm : unknown), bad);
  }
  jset(o, "flags", flags, bad);
  jset(o, "flags_value", json_integer((json_int_t)f->flags), bad);
  jset(o, "note", jstr(f->note), bad);
  return o;
}

static json_t *json_study(const mfh_study_result *r, int *bad) {
  json_t *root = json_object(), *study = json_object(), *tasks = json_object();
  json_t *series = json_array(), *checks = json_array();
  if (!root || !study || !tasks || !series || !checks) {
    json_decref(root);
    json_decref(study);
    json_decref(tasks);
    json_decref(series);
    json_decref(checks);
    *bad = 1;
    return NULL;
  }
  jset(root, "schema", jstr("mfh-results/1"), bad);
  jset(study, "id", jstr(r->id), bad);
  jset(study, "title", jstr(r->title), bad);
  jset(study, "theorem", jstr(r->theorem), bad);
  jset(study, "source", jstr(r->source), bad);
  jset(study, "file", jstr(r->file), bad);
  jset(study, "profile", jstr(r->profile), bad);
  jset(study, "solver", jstr(r->solver), bad);
  jset(study, "observable", jstr(r->observable), bad);
  jset(study, "note", jstr(r->note), bad);
  jset(root, "study", study, bad);
  jset(root, "verdict", jstr(mfh_verdict_text(mfh_study_result_worst(r))), bad);
  jset(tasks, "total", jint(r->ntasks), bad);
  jset(tasks, "cached", jint(r->ntasks_cached), bad);
  jset(tasks, "run", jint(r->ntasks_run), bad);
  jset(tasks, "failed", jint(r->ntasks_failed), bad);
  jset(tasks, "elapsed_s", jnum(r->elapsed_s), bad);
  jset(tasks, "cpu_s", jnum(r->cpu_s), bad);
  jset(root, "tasks", tasks, bad);
  for (size_t k = 0; k < r->nseries; k++) {
    const mfh_series *s = &r->series[k];
    json_t *js = json_object();
    if (!js) {
      *bad = 1;
      break;
    }
    jset(js, "index", jint(k), bad);
    jset(js, "axis", jstr(s->axis), bad);
    jset(js, "measure", jstr(s->measure), bad);
    jset(js, "label", jstr(s->label), bad);
    if (s->has_proved) {
      json_t *p = json_object();
      if (p) {
        jset(p, "slope", jnum(s->proved_slope), bad);
        jset(p, "log", json_boolean(s->proved_log), bad);
        jset(p, "asserted", json_boolean(!s->proved_reported), bad);
      }
      jset(js, "proved", p, bad);
    } else {
      jset(js, "proved", json_null(), bad);
    }
    jset(js, "bound_label", s->bound ? jstr(s->bound_label) : json_null(), bad);
    if (s->has_extrap) {
      json_t *e = json_object();
      if (e) {
        jset(e, "value", jnum(s->extrap), bad);
        jset(e, "gci_fine", jnum(s->extrap_gci), bad);
        jset(e, "x", jnum(s->extrap_x), bad);
        jset(e, "lo", jnum(s->extrap_lo), bad);
        jset(e, "hi", jnum(s->extrap_hi), bad);
      }
      jset(js, "extrapolated", e, bad);
    } else {
      jset(js, "extrapolated", json_null(), bad);
    }
    json_t *pts = json_array();
    for (size_t i = 0; pts && i < s->n; i++) {
      const mfh_point_stats *p = &s->pts[i];
      json_t *jp = json_object();
      if (!jp) {
        *bad = 1;
        break;
      }
      jset(jp, "x", jnum(p->x), bad);
      jset(jp, "mean", jnum(p->mean), bad);
      jset(jp, "sd", jnum(p->sd), bad);
      jset(jp, "se", jnum(p->se), bad);
      jset(jp, "min", jnum(p->min), bad);
      jset(jp, "max", jnum(p->max), bad);
      jset(jp, "nrep", jint(p->nrep), bad);
      jset(jp, "nfailed", jint(p->nfailed), bad);
      jset(jp, "used", json_boolean(pt_used(s, i)), bad);
      jset(jp, "bound", s->bound ? jnum(s->bound[i]) : json_null(), bad);
      jpush(pts, jp, bad);
    }
    jset(js, "points", pts, bad);
    jset(js, "fit", s->has_fit ? json_fit(&s->fit, bad) : json_null(), bad);
    jpush(series, js, bad);
  }
  jset(root, "series", series, bad);
  for (size_t c = 0; c < r->nchecks; c++) {
    const mfh_check_result *ck = &r->checks[c];
    json_t *jc = json_object(), *nums = json_object();
    if (!jc || !nums) {
      json_decref(jc);
      json_decref(nums);
      *bad = 1;
      break;
    }
    jset(jc, "kind", jstr(ck->kind), bad);
    jset(jc, "name", jstr(ck->name), bad);
    jset(jc, "verdict", jstr(mfh_verdict_text(ck->verdict)), bad);
    jset(jc, "summary", jstr(ck->summary), bad);
    jset(jc, "series", ck->series >= 0 ? json_integer(ck->series) : json_null(), bad);
    jset(jc, "decided_at", ck->decided_at[0] ? jstr(ck->decided_at) : json_null(), bad);
    jset(jc, "undecided", json_boolean(ck->undecided), bad);
    for (size_t i = 0; i < ck->numbers.n; i++) {
      const mfh_value *v = &ck->numbers.v[i];
      json_t *num = jnum(v->v);
      if (num && json_object_set_new(nums, v->name, json_incref(num)) != 0) {
        mfh_sbuf kb = {0}; /* invalid UTF-8 in the name: repair */
        mfh_sb_esc(&kb, v->name, MFH_ESC_UTF8);
        if (kb.oom || json_object_set_new(nums, mfh_sb_str(&kb), json_incref(num)) != 0) *bad = 1;
        mfh_sb_free(&kb);
      }
      if (!num) *bad = 1;
      json_decref(num);
    }
    jset(jc, "numbers", nums, bad);
    jpush(checks, jc, bad);
  }
  jset(root, "checks", checks, bad);
  if (r->compare_group[0]) {
    json_t *cmp = json_object();
    if (cmp) {
      jset(cmp, "group", jstr(r->compare_group), bad);
      jset(cmp, "method", jstr(r->compare_method), bad);
    }
    jset(root, "compare", cmp, bad);
  } else {
    jset(root, "compare", json_null(), bad);
  }
  json_t *cost = json_array();
  for (size_t a = 0; cost && a < r->ncost; a++) {
    const mfh_cost_axis *c = &r->cost[a];
    json_t *jc = json_object(), *pts = json_array();
    if (!jc || !pts) {
      json_decref(jc);
      json_decref(pts);
      *bad = 1;
      break;
    }
    jset(jc, "axis", jstr(c->axis), bad);
    jset(jc, "basis", jstr(c->wall ? "wall_s" : "cpu_s"), bad);
    for (size_t i = 0; i < c->n; i++) {
      json_t *jp = json_object();
      if (!jp) {
        *bad = 1;
        break;
      }
      jset(jp, "x", jnum(c->pts[i].x), bad);
      jset(jp, "cpu_s", jnum(c->pts[i].cpu_s), bad);
      jset(jp, "cpu_se", jnum(c->pts[i].cpu_se), bad);
      jset(jp, "wall_s", jnum(c->pts[i].wall_s), bad);
      jset(jp, "n", jint(c->pts[i].n), bad);
      jpush(pts, jp, bad);
    }
    jset(jc, "points", pts, bad);
    jset(jc, "exponent", c->has_fit ? jnum(c->fit.slope) : json_null(), bad);
    jset(jc, "fit", c->has_fit ? json_fit(&c->fit, bad) : json_null(), bad);
    jpush(cost, jc, bad);
  }
  jset(root, "cost", cost, bad);
  return root;
}

static int write_json(mfh_writer_ctx *ctx, mfh_err *err) {
  const char *dir = ctx->dir;
  int bad = 0;
  json_t *root = json_study(ctx->study, &bad);
  char *text = NULL;
  if (root && !bad)
    text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!text) return mfh_err_set(err, MFH_ENOMEM, "out of memory building %s/results.json", dir);
  mfh_sbuf b = {0};
  mfh_sb_puts(&b, text);
  mfh_sb_putc(&b, '\n');
  free(text);
  return mfh_sb_save(&b, dir, "results.json", err);
}

const mfh_writer_type mfh_writer_json = {
    .name = "json",
    .doc = "results.json: every point, fit and check with its numbers",
    .scope = MFH_WRITER_STUDY,
    .files = "results.json",
    .write = write_json,
};
