#include "pipeline/plan.h"

#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

static int cmp_param(const void *a, const void *b) {
  return strcmp(((const mfh_param_val *)a)->name, ((const mfh_param_val *)b)->name);
}

/* Canonical text of a point: solver, observable, sorted parameters; when
 * skip is not NULL the parameter of that name is left out (the group text). */
static char *point_canon(const mfh_study *s, mfh_params *p, const char *skip) {
  qsort(p->v, p->n, sizeof *p->v, cmp_param);
  size_t cap = 256, len = 0;
  for (size_t i = 0; i < p->n; i++) cap += 96 + (p->v[i].str ? strlen(p->v[i].str) : 0);
  char *t = malloc(cap);
  if (!t) return NULL;
  len += (size_t)snprintf(t + len, cap - len, "solver %s\nobservable %s\n", s->solver->name,
                          s->observable->name);
  for (size_t i = 0; i < p->n; i++) {
    char val[64];
    if (skip && strcmp(p->v[i].name, skip) == 0) continue;
    if (p->v[i].str)
      len += (size_t)snprintf(t + len, cap - len, "param %s=%s\n", p->v[i].name, p->v[i].str);
    else {
      mfh_param_format(&p->v[i], val, sizeof val);
      len += (size_t)snprintf(t + len, cap - len, "param %s=%s\n", p->v[i].name, val);
    }
  }
  return t;
}

/* The seed of one random stream of a task: a hash of the stream's role
 * ("init": the initial data, "system": the system's own draws, "reference":
 * the reference's), the study seed, the replica and the values of the
 * sampled parameters (MFH_PARAM_SAMPLED) at the point.  Nothing else enters:
 * no code names, no versions, no numerical parameters (dt, grids, output
 * times), so refactors never move a Monte Carlo value and points that differ
 * only in numerical parameters see the same draws. */
static unsigned long long stream_seed(const mfh_study *s, const mfh_params *p, const char *role, size_t r) {
  char buf[4096];
  size_t len = (size_t)snprintf(buf, sizeof buf, "mfh stream %s\nseed %llu\nreplica %zu\n", role, s->seed, r);
  for (size_t i = 0; i < p->n && len < sizeof buf; i++) { /* p->v is sorted by name (point_canon) */
    const mfh_param_def *d = p->v[i].def;
    /* a free parameter of an open table (a command's) may shape anything: it counts */
    if (d && !(d->flags & MFH_PARAM_SAMPLED)) continue;
    char val[64];
    if (p->v[i].str)
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s=%s\n", p->v[i].name, p->v[i].str);
    else {
      mfh_param_format(&p->v[i], val, sizeof val);
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s=%s\n", p->v[i].name, val);
    }
  }
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
  for (size_t i = 0; i < s->solver->nparams; i++)
    if ((s->solver->params[i].flags & MFH_PARAM_STREAM)) plan->stream_param = s->solver->params[i].name;
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
                     MFH_VERSION, s->solver->version);
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
