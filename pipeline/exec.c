#include "pipeline/exec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <omp.h>

#include "core/fsutil.h"
#include "core/rng.h"
#include "pipeline/store.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Run the tasks tk[0..n-1] of one group (same point but for the stream
 * parameter, same replica, stream values ascending) with one solver run;
 * values[k] receives task tk[k]'s values. */
static int group_run(const mfh_plan *plan, const size_t *tk, size_t n, mfh_values *const *values,
                     const void *shared, volatile sig_atomic_t *interrupt, mfh_err *err) {
  const mfh_study *s = plan->study;
  const mfh_task *t0 = &plan->tasks[tk[n - 1]];
  /* the point of the last (largest) stream value carries every other parameter */
  const mfh_params *p = &plan->points[t0->point].params;
  double *stream = malloc(n * sizeof *stream);
  mfh_state *st = calloc(n, sizeof *st);
  gsl_rng *rng = mfh_rng_alloc(t0->seed);
  int rc = MFH_OK;
  if (!stream || !st || !rng) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t k = 0; !rc && k < n; k++) stream[k] = plan->tasks[tk[k]].stream;
  mfh_task_ctx ctx = {s->observable->needs, t0->seed, t0->replica, s->dir, n, stream, shared,
                      s->limits.task_seconds, (size_t)(s->limits.output_mb * 1e6), interrupt};
  if (!rc) rc = s->solver->run(p, &ctx, rng, st, err);
  for (size_t k = 0; !rc && k < n; k++) {
    const mfh_params *pk = &plan->points[plan->tasks[tk[k]].point].params;
    rc = s->observable->eval(pk, &st[k], values[k], err);
    for (size_t m = 0; !rc && m < s->nmeasures; m++) {
      const double *v = mfh_values_get(values[k], s->measures[m]);
      if (!v) rc = mfh_err_set(err, MFH_ESOLVER, "the task produced no value '%s'", s->measures[m]);
      else if (!isfinite(*v))
        rc = mfh_err_set(err, MFH_ENUMERIC, "the task produced %s = %g", s->measures[m], *v);
    }
  }
  for (size_t k = 0; st && k < n; k++) mfh_state_free(&st[k]);
  free(st);
  free(stream);
  if (rng) gsl_rng_free(rng);
  return rc;
}

int mfh_task_run(const mfh_plan *plan, size_t ti, mfh_values *out, mfh_err *err) {
  return group_run(plan, &ti, 1, &out, NULL, NULL, err);
}

/* Shared per-point work (solver prepare hooks): one slot per point, filled
 * for the points that lead a pending group (the point of its largest stream
 * value), with the union of the stream values of those groups. */
typedef struct shared_slot {
  void *ptr;
  int status;
  char msg[MFH_ERR_MSG];
} shared_slot;

static int prepare_shared(const mfh_plan *plan, const size_t *todo, size_t ntodo, int jobs, shared_slot *slots,
                          mfh_err *err) {
  const mfh_solver_type *sv = plan->study->solver;
  size_t np = plan->npoints;
  unsigned char *lead = calloc(np ? np : 1, 1);
  if (!lead) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t k = 0; k < ntodo; k++) {
    const mfh_group *g = &plan->groups[todo[k]];
    lead[plan->tasks[g->task[g->n - 1]].point] = 1;
  }
  size_t *pts = malloc((np ? np : 1) * sizeof *pts), nlead = 0;
  if (!pts) {
    free(lead);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  for (size_t p = 0; p < np; p++)
    if (lead[p]) pts[nlead++] = p;
#pragma omp parallel for schedule(dynamic, 1) num_threads(jobs)
  for (size_t q = 0; q < nlead; q++) {
    size_t p = pts[q];
    /* the stream values of the first group led by p (all replicas ask the same) */
    const mfh_group *g = NULL;
    for (size_t k = 0; k < ntodo && !g; k++) {
      const mfh_group *h = &plan->groups[todo[k]];
      if (plan->tasks[h->task[h->n - 1]].point == p) g = h;
    }
    double *stream = malloc(g->n * sizeof *stream);
    mfh_err e;
    mfh_err_clear(&e);
    if (!stream) {
      slots[p].status = MFH_ENOMEM;
      snprintf(slots[p].msg, sizeof slots[p].msg, "out of memory");
      continue;
    }
    for (size_t j = 0; j < g->n; j++) stream[j] = plan->tasks[g->task[j]].stream;
    slots[p].status = sv->prepare(&plan->points[p].params, g->n, stream, &slots[p].ptr, &e);
    if (slots[p].status) snprintf(slots[p].msg, sizeof slots[p].msg, "%s", e.msg);
    free(stream);
  }
  free(pts);
  free(lead);
  return MFH_OK;
}

/* ---- progress -------------------------------------------------------- */

static void fmt_dur(double s, char *buf, size_t len) {
  if (s < 60)
    snprintf(buf, len, "%.0fs", s);
  else if (s < 3600)
    snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
  else
    snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

static void progress(const mfh_exec_opts *o, size_t done, size_t total, size_t todo_done,
                     size_t todo, double t0, int final) {
  char el[32], eta[48] = "";
  double e = now_s() - t0;
  fmt_dur(e, el, sizeof el);
  if (todo_done > 0 && todo_done < todo) {
    char d[32];
    fmt_dur(e / (double)todo_done * (double)(todo - todo_done), d, sizeof d);
    snprintf(eta, sizeof eta, "  ETA %s", d);
  }
  fprintf(stderr, "\r\033[K[%s] %zu/%zu tasks  %s elapsed%s%s", o->label ? o->label : "mfh", done,
          total, el, eta, final ? "\n" : "");
  fflush(stderr);
}

/* ---- OpenMP backend -------------------------------------------------- */

static int openmp_run(const mfh_plan *plan, const char *const *dirs, size_t ndirs,
                      const mfh_exec_opts *o, mfh_outcome *out, mfh_err *err) {
  size_t n = plan->ntasks, ng = plan->ngroups;
  size_t shard_n = o->shard_n ? o->shard_n : 1, shard_i = o->shard_n ? o->shard_i - 1 : 0;
  char *tdir = mfh_path_join(dirs[0], "tasks");
  if (!tdir) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  int rc = o->load_only ? MFH_OK : mfh_mkdirs(tdir, err);
  if (!rc && !o->load_only) rc = mfh_path_inside(dirs[0], tdir, err); /* not a link elsewhere */
  free(tdir);
  if (rc) return rc;
  /* 1. what is stored already; shards and work units are groups */
  size_t *todo = malloc((ng ? ng : 1) * sizeof *todo), ntodo = 0, mine = 0;
  if (!todo) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  mfh_store_keys *ks = calloc(ndirs, sizeof *ks);
  if (!ks) {
    free(todo);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  if (!o->fresh || o->load_only)
    for (size_t d = 0; d < ndirs; d++) mfh_store_keys_load(dirs[d], &ks[d]);
  for (size_t i = 0; i < n; i++) {
    out[i].state = MFH_TASK_PENDING;
    out[i].stored = MFH_STORED_ABSENT;
    if (!o->fresh || o->load_only) {
      for (size_t d = 0; d < ndirs; d++) {
        if (!mfh_store_keys_has(&ks[d], plan->tasks[i].key)) continue;
        /* a file that fails verification is remembered (the caller says so)
         * and the task is computed again */
        int v = mfh_store_load(dirs[d], plan, i, &out[i].values, &out[i].elapsed_s);
        if (v == MFH_STORED_OK) {
          out[i].state = MFH_TASK_CACHED;
          out[i].stored = v;
          break;
        }
        if (out[i].stored == MFH_STORED_ABSENT) out[i].stored = v;
      }
    }
  }
  size_t mine_done = 0;
  for (size_t g = 0; g < ng; g++) {
    if (g % shard_n != shard_i && !o->load_only) continue;
    const mfh_group *gr = &plan->groups[g];
    int pending = 0;
    for (size_t k = 0; k < gr->n; k++) pending |= out[gr->task[k]].state == MFH_TASK_PENDING;
    mine += gr->n;
    if (pending && !o->load_only)
      todo[ntodo++] = g;
    else
      mine_done += gr->n;
  }
  for (size_t d = 0; d < ndirs; d++) mfh_store_keys_free(&ks[d]);
  free(ks);
  if (o->load_only || ntodo == 0) {
    free(todo);
    return MFH_OK;
  }
  /* 2. run the rest; bit-identical whatever the order or thread count,
   * because each task owns its RNG stream and output slot. */
  double t0 = now_s(), last = 0, last_sync = t0;
  size_t done = mine_done, finished = 0, ntodo_tasks = mine - mine_done;
  size_t stored = 0;
  int io_failed = MFH_OK;
  mfh_err io_err;
  mfh_err_clear(&io_err);
  int jobs = o->jobs > 0 ? o->jobs : 1;
  if (o->progress) progress(o, done, mine, 0, ntodo_tasks, t0, 0);
  shared_slot *slots = NULL;
  if (plan->study->solver->prepare) {
    slots = calloc(plan->npoints ? plan->npoints : 1, sizeof *slots);
    if (!slots || prepare_shared(plan, todo, ntodo, jobs, slots, err)) {
      free(slots);
      free(todo);
      return err->status ? err->status : mfh_err_set(err, MFH_ENOMEM, "out of memory");
    }
  }
#pragma omp parallel for schedule(dynamic, 1) num_threads(jobs)
  for (size_t k = 0; k < ntodo; k++) {
    /* Sweeps run coarse to fine, so the last tasks are usually the costliest:
     * start them first so no thread is left with a long task at the end. */
    const mfh_group *gr = &plan->groups[todo[ntodo - 1 - k]];
    int stop;
#pragma omp atomic read
    stop = io_failed;
    if ((o->interrupt && *o->interrupt) || stop) continue;
    mfh_err terr;
    mfh_err_clear(&terr);
    double ts = now_s();
    mfh_values *vals[512];
    mfh_values **vp = gr->n <= 512 ? vals : malloc(gr->n * sizeof *vp);
    int trc = vp ? MFH_OK : mfh_err_set(&terr, MFH_ENOMEM, "out of memory");
    for (size_t j = 0; !trc && j < gr->n; j++) {
      vp[j] = &out[gr->task[j]].values;
      mfh_values_clear(vp[j]);
    }
    const shared_slot *sl = slots ? &slots[plan->tasks[gr->task[gr->n - 1]].point] : NULL;
    if (!trc && sl && sl->status) trc = mfh_err_set(&terr, sl->status, "%s", sl->msg);
    if (!trc) trc = group_run(plan, gr->task, gr->n, vp, sl ? sl->ptr : NULL, o->interrupt, &terr);
    if (vp != vals) free(vp);
    double el = (now_s() - ts) / (double)gr->n;
    size_t nstored = 0;
    int store_rc = MFH_OK;
    for (size_t j = 0; j < gr->n; j++) {
      size_t i = gr->task[j];
      out[i].elapsed_s = el;
      int src = trc;
      if (!src) src = store_rc = mfh_store_save(dirs[0], plan, i, &out[i].values, el, &terr);
      if (src == MFH_EINTERRUPT) {
        out[i].state = MFH_TASK_PENDING; /* stopped, not failed: the next run does it */
      } else if (src) {
        out[i].state = MFH_TASK_FAILED;
        out[i].status = src;
        snprintf(out[i].msg, sizeof out[i].msg, "%s", terr.msg);
        trc = src;
      } else {
        out[i].state = MFH_TASK_COMPUTED;
        nstored++;
      }
    }
#pragma omp critical(mfh_exec_progress)
    {
      /* the store cannot be written (a full disk): start no more tasks */
      if (store_rc && !io_failed) {
        io_err = terr;
#pragma omp atomic write
        io_failed = store_rc;
      }
      finished += gr->n;
      stored += nstored;
      double t = now_s();
      if (t - last_sync > 1.0) {
        last_sync = t;
        mfh_sync_dir(dirs[0], NULL);
      }
      if (o->progress && (t - last > 0.2 || finished == ntodo_tasks)) {
        last = t;
        progress(o, done + finished, mine, finished, ntodo_tasks, t0, 0);
      }
    }
  }
  if (o->progress) progress(o, done + finished, mine, finished, ntodo_tasks, t0, 1);
  for (size_t p = 0; slots && p < plan->npoints; p++)
    if (slots[p].ptr) plan->study->solver->release(slots[p].ptr);
  free(slots);
  free(todo);
  mfh_sync_dir(dirs[0], NULL);
  if (io_failed) {
    *err = io_err;
    mfh_err_prefix(err, "%zu of %zu tasks stored, then the store failed", done + stored, mine);
    return io_failed;
  }
  if (o->interrupt && *o->interrupt)
    return mfh_err_set(err, MFH_EINTERRUPT,
                       "interrupted: %zu of %zu tasks stored; run the same command again to finish",
                       done + stored, mine);
  return MFH_OK;
}

const mfh_executor_type mfh_executor_openmp = {"openmp", openmp_run};

void mfh_outcomes_free(mfh_outcome *out, size_t n) {
  if (!out) return;
  for (size_t i = 0; i < n; i++) mfh_values_free(&out[i].values);
  free(out);
}
