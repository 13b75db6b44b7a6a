#include "pipeline/estimate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/exec.h"
#include "pipeline/plan.h"

/* What one task costs the harness itself: its plan entry and canonical text,
 * its group slot, its outcome and a few stored values. */
static double plan_bytes_per_task(const mfh_study *s) {
  double canon = 96;
  for (size_t i = 0; i < s->params.n; i++)
    canon += 32 + (double)strlen(s->params.v[i].name) + (s->params.v[i].str ? (double)strlen(s->params.v[i].str) : 0);
  return (double)(sizeof(mfh_task) + sizeof(mfh_group) + sizeof(size_t) + sizeof(mfh_outcome)) + 2 * canon +
         8.0 * (double)sizeof(mfh_value);
}

static void human_bytes(double b, char *buf, size_t len) {
  if (b >= 1e9)
    snprintf(buf, len, "%.3g GB", b / 1e9);
  else if (b >= 1e6)
    snprintf(buf, len, "%.3g MB", b / 1e6);
  else
    snprintf(buf, len, "%.3g kB", b / 1e3);
}

static void human_seconds(double s, char *buf, size_t len) {
  if (s >= 7200)
    snprintf(buf, len, "%.3g h", s / 3600);
  else if (s >= 120)
    snprintf(buf, len, "%.3g min", s / 60);
  else
    snprintf(buf, len, "%.2g s", s);
}

void mfh_estimate_format(const mfh_estimate *e, char *buf, size_t len) {
  char mem[32], cpu[32];
  human_bytes(e->peak_bytes, mem, sizeof mem);
  human_seconds(e->cpu_seconds, cpu, sizeof cpu);
  snprintf(buf, len, "%.0f tasks, peak memory ~%s%s, compute time %s%s", e->tasks, mem,
           e->known ? "" : " (the harness's share; an engine gives no estimate)", e->known ? "~" : "",
           e->known ? cpu : "unknown");
}

static double machine_bytes(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (double)pages * (double)size : 8e9;
}

/* Stream parameters are computed in one run per replica: the run's cost is
 * that of the largest value, counted once. */
static int is_stream(const mfh_study *s, const char *name) {
  return s->stream_param && !strcmp(s->stream_param, name);
}

/* 1 when every engine a task runs gives an estimate. */
static int estimates_known(const mfh_study *s) {
  for (size_t i = 0; i < s->nparts; i++)
    if (!s->parts[i].engine->estimate) return 0;
  return 1;
}

/* One task at point pt: the sum over the parts' engines (each at its own effective parameters: a refined reference costs
 * its refinement); 0 where nothing is known. */
static void task_estimate(const mfh_study *s, const mfh_params *pt, double *bytes, double *seconds) {
  *bytes = *seconds = 0;
  for (size_t i = 0; i < s->nparts; i++) {
    const mfh_engine_type *e = s->parts[i].engine;
    mfh_params ep;
    mfh_err perr;
    double b = 0, t = 0;
    if (!e->estimate || mfh_part_params(s, i, pt, &ep, &perr)) continue;
    if (e->estimate(&ep, &b, &t)) b = t = 0;
    mfh_params_free(&ep);
    if (isfinite(b) && b > 0) *bytes += b;
    if (isfinite(t) && t > 0) *seconds += t;
  }
  if (!isfinite(*bytes) || *bytes < 0) *bytes = 0;
  if (!isfinite(*seconds) || *seconds < 0) *seconds = 0;
}

int mfh_study_estimate(const mfh_study *s, int jobs, mfh_estimate *e, mfh_err *err) {
  memset(e, 0, sizeof *e);
  e->known = estimates_known(s);
  e->limit_bytes = s->limits.memory_gb > 0 ? s->limits.memory_gb * 1e9 : machine_bytes();
  const double per_task = plan_bytes_per_task(s), reps = (double)s->replicas;
  /* pass 1: totals; pass 2: find where a limit is crossed */
  for (int pass = 0; pass < 2; pass++) {
    double tasks = 0, plan = 0, cpu = 0;
    for (size_t a = 0; a < s->naxes; a++) {
      const mfh_axis *ax = &s->axes[a];
      mfh_params pt;
      if (mfh_params_copy(&pt, &s->params)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
      mfh_param_val *v = (mfh_param_val *)mfh_params_find(&pt, ax->name);
      int stream = is_stream(s, ax->name);
      for (size_t j = 0; j < ax->n; j++) {
        if (v) v->num = ax->values[j];
        double tb = 0, ts = 0;
        task_estimate(s, &pt, &tb, &ts);
        tasks += reps;
        plan += reps * per_task;
        /* a stream axis: one run per replica, as long as its largest value */
        if (!stream || j + 1 == ax->n) cpu += reps * ts;
        if (pass == 0) {
          if (tb > e->task_bytes) e->task_bytes = tb;
          continue;
        }
        const char *why = NULL;
        char lim[320], have[64], need[64];
        if (tasks > s->limits.tasks) {
          why = "tasks";
          snprintf(lim, sizeof lim,
                   "the plan reaches %.3g tasks at this value (%.3g in all, %zu replicas per point), above "
                   "limits.tasks = %.3g",
                   tasks, e->tasks, s->replicas, s->limits.tasks);
        } else if (e->plan_bytes > e->limit_bytes) {
          if (plan > e->limit_bytes) {
            why = "memory";
            human_bytes(plan, have, sizeof have);
            snprintf(lim, sizeof lim, "the plan of %.3g tasks reaches ~%s here", e->tasks, have);
          }
        } else if (e->plan_bytes + fmin((double)jobs, e->tasks) * tb > e->limit_bytes) {
          why = "memory";
          human_bytes(tb, need, sizeof need);
          human_bytes(e->plan_bytes + fmin((double)jobs, e->tasks) * tb, have, sizeof have);
          snprintf(lim, sizeof lim, "a task needs ~%s (%s %s's estimate); %d at a time and the plan need ~%s",
                   need, "engine", s->parts[0].engine->name,
                   jobs, have);
        } else if (s->limits.cpu_hours > 0 && cpu > s->limits.cpu_hours * 3600) {
          why = "cpu";
          snprintf(lim, sizeof lim, "the compute time reaches ~%.3g h here, above limits.cpu_hours = %.3g",
                   cpu / 3600, s->limits.cpu_hours);
        }
        if (why) {
          char limit[32], val[64];
          human_bytes(e->limit_bytes, limit, sizeof limit);
          snprintf(val, sizeof val, "%.17g", ax->values[j]);
          mfh_params_free(&pt);
          if (!strcmp(why, "memory"))
            return mfh_err_at(err, MFH_EINPUT, ax->marks[j], "sweep.%s = %s: %s, above the limit of %s (%s)",
                              ax->name, val, lim, limit,
                              s->limits.memory_gb > 0 ? "limits.memory_gb" : "this machine's memory; limits.memory_gb");
          return mfh_err_at(err, MFH_EINPUT, ax->marks[j], "sweep.%s = %s: %s", ax->name, val, lim);
        }
      }
      mfh_params_free(&pt);
    }
    if (pass == 0) {
      e->tasks = tasks;
      e->plan_bytes = plan;
      e->cpu_seconds = cpu;
      e->peak_bytes = plan + fmin((double)jobs, tasks) * e->task_bytes;
    }
  }
  return MFH_OK;
}
