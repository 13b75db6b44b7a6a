#include "pipeline/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

static int cmp_param(const void *a, const void *b) {
  return strcmp(((const mfh_param_val *)a)->name, ((const mfh_param_val *)b)->name);
}

/* A growable text. */
typedef struct tbuf {
  char *s;
  size_t len, cap;
  int bad;
} tbuf;

static void tb_printf(tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(tbuf *b, const char *fmt, ...) {
  if (b->bad) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->bad = 1;
      return;
    }
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap + (size_t)n + 1) * 2;
    char *ns = realloc(b->s, cap);
    if (!ns) {
      b->bad = 1;
      return;
    }
    b->s = ns;
    b->cap = cap;
  }
}

/* Sorted "param name=value" lines of p, leaving out skip (may be NULL). */
static void tb_params(tbuf *b, mfh_params *p, const char *skip) {
  if (p->n > 1) qsort(p->v, p->n, sizeof *p->v, cmp_param); /* v may be NULL when n == 0 */
  for (size_t i = 0; i < p->n; i++) {
    char val[64];
    if (skip && strcmp(p->v[i].name, skip) == 0) continue;
    if (p->v[i].str)
      tb_printf(b, "param %s=%s\n", p->v[i].name, p->v[i].str);
    else {
      mfh_param_format(&p->v[i], val, sizeof val);
      tb_printf(b, "param %s=%s\n", p->v[i].name, val);
    }
  }
}

/* Canonical text of a point: what runs (every part and observable with its
 * effective parameters) and the sorted
 * parameters; when skip is not NULL the parameter of that name is left out
 * (the group text). */
static char *point_canon(const mfh_study *s, mfh_params *p, const char *skip) {
  tbuf b = {0};
  for (size_t i = 0; i < s->nparts && !b.bad; i++) {
    const mfh_part *pt = &s->parts[i];
    tb_printf(&b, "part %s %s engine %s v%d\n", pt->name, mfh_ref_kind_names[pt->kind], pt->engine->name,
              pt->engine->version);
    for (size_t r = 0; r < pt->nrefine; r++)
      tb_printf(&b, "refine %s %s %.17g\n", pt->refine_param[r], pt->refine_divide[r] ? "/" : "*",
                pt->refine_factor[r]);
    if (pt->perturb > 0) tb_printf(&b, "perturb %.17g\n", pt->perturb);
    mfh_params ep;
    mfh_err e;
    if (mfh_part_params(s, i, p, &ep, &e)) b.bad = 1;
    else {
      tb_params(&b, &ep, skip);
      mfh_params_free(&ep);
    }
  }
  for (size_t i = 0; i < s->nobs && !b.bad; i++) {
    const mfh_obs_spec *o = &s->obs[i];
    tb_printf(&b, "observable %s between %s %s\n", o->type->name, s->parts[o->part[0]].name,
              o->part[1] >= 0 ? s->parts[o->part[1]].name : "-");
    mfh_params op;
    mfh_err e;
    if (mfh_obs_params(s, i, p, &op, &e)) b.bad = 1;
    else {
      tb_params(&b, &op, skip);
      mfh_params_free(&op);
    }
  }
  /* the shared parameters too (keeps the point text of axes that only an
   * observable or no part reads distinct) */
  tb_printf(&b, "model\n");
  tb_params(&b, p, skip);
  return b.bad ? (free(b.s), NULL) : b.s;
}

/* The seed of one random stream of a task: a hash of the stream's role
 * ("init": the initial data, "system": the system's own draws, "reference":
 * the reference's), the study seed, the replica and the values of the
 * sampled parameters (MFH_PARAM_SAMPLED) at the point.  Nothing else enters:
 * no code names, no versions, no numerical parameters (dt, grids, output
 * times), so refactors never move a Monte Carlo value and points that differ
 * only in numerical parameters see the same draws. */
/* "name=value" of each sampled parameter of ps into lines[] (deduplicated). */
static void sampled_lines(const mfh_params *ps, char (*lines)[192], size_t *n, size_t max) {
  for (size_t i = 0; i < ps->n; i++) {
    const mfh_param_def *d = ps->v[i].def;
    /* a free parameter of an open table (a command's) may shape anything: it counts */
    if (d && !(d->flags & MFH_PARAM_SAMPLED)) continue;
    char val[64], line[192];
    if (ps->v[i].str)
      snprintf(line, sizeof line, "%s=%s\n", ps->v[i].name, ps->v[i].str);
    else {
      mfh_param_format(&ps->v[i], val, sizeof val);
      snprintf(line, sizeof line, "%s=%s\n", ps->v[i].name, val);
    }
    size_t k;
    for (k = 0; k < *n; k++)
      if (!strcmp(lines[k], line)) break;
    if (k == *n && *n < max) memcpy(lines[(*n)++], line, sizeof line);
  }
}

static int cmp_line(const void *a, const void *b) { return strcmp(a, b); }

static unsigned long long stream_seed(const mfh_study *s, const mfh_params *point, const char *role, size_t r) {
  char buf[8192], lines[64][192];
  size_t nl = 0;
  { /* the sampled parameters of every part's engine, its own values included */
    for (size_t i = 0; i < s->nparts; i++) {
      mfh_params ep;
      mfh_err e;
      if (mfh_part_params(s, i, point, &ep, &e)) continue;
      sampled_lines(&ep, lines, &nl, 64);
      mfh_params_free(&ep);
    }
  }
  qsort(lines, nl, sizeof *lines, cmp_line);
  size_t len = (size_t)snprintf(buf, sizeof buf, "mfh stream %s\nseed %llu\nreplica %zu\n", role, s->seed, r);
  for (size_t i = 0; i < nl && len < sizeof buf; i++)
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s", lines[i]);
  if (len >= sizeof buf) len = sizeof buf - 1;
  return mfh_hash64(buf, len);
}

int mfh_plan_build(const mfh_study *s, mfh_plan *plan, mfh_err *err) {
  memset(plan, 0, sizeof *plan);
  plan->study = s;
  size_t maxp = 0;
  for (size_t a = 0; a < s->naxes; a++) maxp += s->axes[a].n;
  plan->points = calloc(maxp ? maxp : 1, sizeof *plan->points);
  if (!plan->points) goto nomem;
  for (size_t a = 0; a < s->naxes; a++) {
    const mfh_axis *ax = &s->axes[a];
    plan->axis_points[a] = malloc(ax->n * sizeof(size_t));
    if (!plan->axis_points[a]) goto nomem;
    for (size_t j = 0; j < ax->n; j++) {
      mfh_point pt = {0};
      if (mfh_params_copy(&pt.params, &s->params)) goto nomem;
      mfh_param_val *v = (mfh_param_val *)mfh_params_find(&pt.params, ax->name);
      if (!v) {
        mfh_params_free(&pt.params);
        return mfh_err_set(err, MFH_EINTERNAL, "axis %s has no parameter", ax->name);
      }
      v->num = ax->values[j];
      v->mark = ax->mark;
      if (!(pt.canon = point_canon(s, &pt.params, NULL))) {
        mfh_params_free(&pt.params);
        goto nomem;
      }
      size_t k;
      for (k = 0; k < plan->npoints; k++)
        if (strcmp(plan->points[k].canon, pt.canon) == 0) break;
      if (k < plan->npoints) {
        mfh_params_free(&pt.params);
        free(pt.canon);
      } else {
        plan->points[plan->npoints++] = pt;
      }
      plan->axis_points[a][j] = k;
    }
  }
  plan->stream_param = s->stream_param;
  /* group text of each point: everything but the stream parameter */
  char **gcanon = calloc(plan->npoints ? plan->npoints : 1, sizeof *gcanon);
  if (!gcanon) goto nomem;
  for (size_t p = 0; p < plan->npoints; p++)
    if (!(gcanon[p] = point_canon(s, &plan->points[p].params, plan->stream_param))) {
      for (size_t q = 0; q < p; q++) free(gcanon[q]);
      free(gcanon);
      goto nomem;
    }
  plan->ntasks = plan->npoints * s->replicas;
  plan->tasks = calloc(plan->ntasks ? plan->ntasks : 1, sizeof *plan->tasks);
  int ok = plan->tasks != NULL;
  for (size_t p = 0; ok && p < plan->npoints; p++)
    for (size_t r = 0; ok && r < s->replicas; r++) {
      mfh_task *t = &plan->tasks[p * s->replicas + r];
      t->point = p;
      t->replica = r;
      t->stream = plan->stream_param ? mfh_params_real(&plan->points[p].params, plan->stream_param) : 0;
      const char *pc = plan->points[p].canon;
      size_t cap = strlen(pc) + strlen(gcanon[p]) + 256;
      if (!(t->canon = malloc(cap))) {
        ok = 0;
        break;
      }
      t->seed_init = stream_seed(s, &plan->points[p].params, "init", r);
      t->seed = stream_seed(s, &plan->points[p].params, "system", r);
      t->seed_ref = stream_seed(s, &plan->points[p].params, "reference", r);
      int len = snprintf(t->canon, cap, "%sseed %llu\nreplica %zu\nmfh %s\nsolver-version %d\n", pc, s->seed, r,
                     MFH_VERSION, 0 /* the retired solvers' version: kept so stored keys hold */);
      mfh_hash128_hex(t->canon, (size_t)len, t->key);
    }
  /* groups: points with equal group text, per replica, stream ascending */
  size_t *order = ok ? malloc((plan->npoints ? plan->npoints : 1) * sizeof *order) : NULL;
  plan->groups = ok ? calloc((plan->ntasks ? plan->ntasks : 1), sizeof *plan->groups) : NULL;
  ok = order && plan->groups;
  unsigned char *done = ok ? calloc(plan->npoints ? plan->npoints : 1, 1) : NULL;
  ok = ok && done;
  for (size_t p = 0; ok && p < plan->npoints; p++) {
    if (done[p]) continue;
    size_t m = 0;
    for (size_t q = p; q < plan->npoints; q++)
      if (!done[q] && strcmp(gcanon[q], gcanon[p]) == 0) {
        done[q] = 1;
        /* insertion by stream value */
        double v = plan->tasks[q * s->replicas].stream;
        size_t at = m;
        while (at > 0 && plan->tasks[order[at - 1] * s->replicas].stream > v) {
          order[at] = order[at - 1];
          at--;
        }
        order[at] = q;
        m++;
      }
    for (size_t r = 0; ok && r < s->replicas; r++) {
      mfh_group *g = &plan->groups[plan->ngroups];
      if (!(g->task = malloc(m * sizeof *g->task))) {
        ok = 0;
        break;
      }
      g->n = m;
      for (size_t k = 0; k < m; k++) g->task[k] = order[k] * s->replicas + r;
      plan->ngroups++;
    }
  }
  free(done);
  free(order);
  for (size_t p = 0; p < plan->npoints; p++) free(gcanon[p]);
  free(gcanon);
  if (!ok) goto nomem;
  return MFH_OK;
nomem:
  mfh_plan_free(plan);
  return mfh_err_set(err, MFH_ENOMEM, "out of memory planning tasks");
}

void mfh_plan_free(mfh_plan *plan) {
  if (!plan) return;
  for (size_t i = 0; i < plan->npoints; i++) {
    mfh_params_free(&plan->points[i].params);
    free(plan->points[i].canon);
  }
  free(plan->points);
  for (size_t i = 0; plan->tasks && i < plan->ntasks; i++) free(plan->tasks[i].canon);
  free(plan->tasks);
  for (size_t i = 0; plan->groups && i < plan->ngroups; i++) free(plan->groups[i].task);
  free(plan->groups);
  for (size_t a = 0; a < MFH_MAX_AXES; a++) free(plan->axis_points[a]);
  memset(plan, 0, sizeof *plan);
}
