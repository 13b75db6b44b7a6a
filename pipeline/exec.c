#include "pipeline/exec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <omp.h>

#include <gsl/gsl_randist.h>

#include "core/fsutil.h"
#include "core/kinds.h"
#include "core/rng.h"
#include "pipeline/store.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the calling thread (an engine's own worker threads are not
 * counted); NaN when the clock is not available. */
static double thread_cpu_s(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return NAN;
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int derived_index(const mfh_study *s, const char *name);

/* ---- parts: system, references, observables ------------------------ */

/* A copy of a cloud's item with the particle positions moved by
 * delta N(0, 1) draws, particle by particle: a perturbed initial state (the
 * engine that starts from it maps positions into its domain). */
static int perturbed_copy(const mfh_state *from, double delta, gsl_rng *rng, mfh_state *to, mfh_err *err) {
  memset(to, 0, sizeof *to);
  for (size_t i = 0; i < from->n; i++) {
    const mfh_item *it = &from->item[i];
    if (it->kind != &mfh_kind_cloud) continue;
    const mfh_cloud *c = it->data;
    mfh_cloud *d = mfh_cloud_new(c->n, c->dim);
    if (!d) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    memcpy(d->x, c->x, c->n * c->dim * sizeof *d->x);
    d->d = c->d;
    d->period = c->period;
    size_t D = c->d ? c->d : c->dim, stride = c->dim;
    for (size_t j = 0; j < c->n; j++)
      for (size_t k = 0; k < D; k++) {
        d->x[j * stride + k] += delta * gsl_ran_gaussian_ziggurat(rng, 1.0);
      }
    int rc = mfh_state_put(to, it->name, &mfh_kind_cloud, d, err);
    if (rc) return rc;
  }
  return MFH_OK;
}

/* A shallow view of a state with the item named `item` (if any) moved in
 * front of the others, so that an observable asking for the first item of
 * that kind gets it.  The view owns nothing: never clear it. */
static void state_view(const mfh_state *src, const char *item, mfh_state *view) {
  *view = *src;
  if (!item || !item[0]) return;
  for (size_t i = 0; i < src->n; i++)
    if (!strcmp(src->item[i].name, item)) {
      view->item[0] = src->item[i];
      for (size_t j = 0, m = 1; j < src->n; j++)
        if (j != i) view->item[m++] = src->item[j];
      return;
    }
}

/* The tasks tk[0..n-1] of one group (same point but for the stream value,
 * same replica, stream ascending): every part run once over all output
 * times, then the observables at each. */
static int parts_group_run(const mfh_plan *plan, const size_t *tk, size_t n, mfh_values *const *values,
                           void *const *shared, volatile sig_atomic_t *interrupt, mfh_err *err) {
  const mfh_study *s = plan->study;
  const mfh_task *t0 = &plan->tasks[tk[n - 1]];
  const mfh_params *p = &plan->points[t0->point].params;
  int need0 = 0;
  for (size_t i = 0; i < s->nobs; i++) need0 |= s->obs[i].needs_initial;
  size_t off = (need0 && plan->tasks[tk[0]].stream > 0) ? 1 : 0, nout = n + off;
  double *times = calloc(nout, sizeof *times);
  mfh_state *st = calloc(s->nparts * nout, sizeof *st), init[MFH_MAX_PARTS];
  mfh_params ep[MFH_MAX_PARTS];
  memset(init, 0, sizeof init);
  memset(ep, 0, sizeof ep);
  gsl_rng *init_rng = mfh_rng_alloc(t0->seed_init), *sys_rng = mfh_rng_alloc(t0->seed),
          *ref_rng = mfh_rng_alloc(t0->seed_ref);
  int rc = (times && st && init_rng && sys_rng && ref_rng) ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t k = 0; !rc && k < n; k++) times[k + off] = plan->tasks[tk[k]].stream;
  for (size_t i = 0; !rc && i < s->nparts; i++) {
    const mfh_part *pt = &s->parts[i];
    const mfh_engine_type *e = pt->engine;
    if ((rc = mfh_part_params(s, i, p, &ep[i], err))) break;
    gsl_rng *own = sys_rng, *irng = init_rng, *fresh_i = NULL, *fresh_s = NULL;
    const mfh_state *from = NULL;
    if (pt->kind == MFH_REF_REFINED) { /* the same draws as the system */
      irng = fresh_i = mfh_rng_alloc(t0->seed_init);
      own = fresh_s = mfh_rng_alloc(t0->seed);
      if (!fresh_i || !fresh_s) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    } else if (pt->kind != MFH_PART_SYSTEM) {
      own = ref_rng;
      irng = ref_rng;
    }
    if (!rc && pt->kind == MFH_REF_COUPLED) {
      if (pt->perturb > 0) {
        rc = perturbed_copy(&init[0], pt->perturb, ref_rng, &init[i], err);
        from = &init[i];
      } else {
        from = &init[0];
      }
    } else if (!rc && e->initial) {
      rc = e->initial(&ep[i], irng, &init[i], err);
      from = &init[i];
    }
    mfh_engine_ctx ctx = {nout, times, from, own, irng, pt->kind == MFH_PART_SYSTEM ? t0->seed : t0->seed_ref,
                          t0->replica, s->dir, shared ? shared[i] : NULL, s->limits.task_seconds,
                          (size_t)(s->limits.output_mb * 1e6), interrupt};
    if (!rc) rc = e->run(&ep[i], &ctx, &st[i * nout], err);
    for (size_t k = 0; !rc && k < nout; k++) rc = mfh_decl_check(&pt->decl, &st[i * nout + k], err);
    if (rc && s->nparts > 1) mfh_err_prefix(err, "%s (engine %s)", pt->name, e->name);
    if (fresh_i) gsl_rng_free(fresh_i);
    if (fresh_s) gsl_rng_free(fresh_s);
  }
  /* observables at each requested time */
  mfh_values tmp = {0};
  for (size_t k = 0; !rc && k < n; k++) {
    const mfh_params *pk = &plan->points[plan->tasks[tk[k]].point].params;
    for (size_t i = 0; !rc && i < s->nobs; i++) {
      const mfh_obs_spec *o = &s->obs[i];
      mfh_obs_args in = {{NULL, NULL, NULL, NULL}, times[k + off]};
      mfh_state view[MFH_NROLES];
      for (int r = 0; r < MFH_NROLES; r++) {
        int pi = o->part[r & 1];
        size_t at = r < MFH_ROLE_A0 ? k + off : 0;
        if (pi < 0 || (r >= MFH_ROLE_A0 && !o->needs_initial)) continue;
        state_view(&st[(size_t)pi * nout + at], o->item[r & 1], &view[r]);
        in.s[r] = &view[r];
      }
      mfh_params op;
      if ((rc = mfh_obs_params(s, i, pk, &op, err))) break;
      mfh_values_clear(&tmp);
      rc = o->type->eval(&op, &in, &tmp, err);
      mfh_params_free(&op);
      if (rc) {
        mfh_err_prefix(err, "observable %s", o->type->name);
        break;
      }
      for (size_t j = 0; !rc && j < o->nout; j++) {
        const double *v = mfh_values_get(&tmp, o->from[j]);
        if (!v)
          rc = mfh_err_set(err, MFH_EINTERNAL, "observable %s gave no '%s'", o->type->name, o->from[j]);
        else if (mfh_values_set(values[k], o->out[j], *v))
          rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      }
    }
    for (size_t m = 0; !rc && m < s->nmeasures; m++) {
      if (derived_index(s, s->measures[m]) >= 0) continue; /* computed from the others later */
      const double *v = mfh_values_get(values[k], s->measures[m]);
      if (!v) rc = mfh_err_set(err, MFH_ESOLVER, "the task produced no value '%s'", s->measures[m]);
      else if (!isfinite(*v))
        rc = mfh_err_set(err, MFH_ENUMERIC, "the task produced %s = %g", s->measures[m], *v);
    }
  }
  mfh_values_free(&tmp);
  for (size_t i = 0; i < s->nparts; i++) {
    for (size_t k = 0; st && k < nout; k++) mfh_state_clear(&st[i * nout + k]);
    mfh_state_clear(&init[i]);
    mfh_params_free(&ep[i]);
  }
  free(st);
  free(times);
  if (init_rng) gsl_rng_free(init_rng);
  if (sys_rng) gsl_rng_free(sys_rng);
  if (ref_rng) gsl_rng_free(ref_rng);
  return rc;
}

static int any_group_run(const mfh_plan *plan, const size_t *tk, size_t n, mfh_values *const *values,
                         void *const *shared, volatile sig_atomic_t *interrupt, mfh_err *err) {
  return parts_group_run(plan, tk, n, values, shared, interrupt, err);
}

int mfh_task_run(const mfh_plan *plan, size_t ti, mfh_values *out, mfh_err *err) {
  int rc = any_group_run(plan, &ti, 1, &out, NULL, NULL, err);
  if (!rc) rc = mfh_derive_values(plan->study, &plan->points[plan->tasks[ti].point].params, out, err);
  return rc;
}

/* ---- derived measures ---------------------------------------------------- */

static int derived_index(const mfh_study *s, const char *name) {
  for (size_t i = 0; i < s->nderived; i++)
    if (!strcmp(s->derived[i].name, name)) return (int)i;
  return -1;
}

typedef struct derive_ctx {
  const mfh_values *v;
  const mfh_params *p;
  const mfh_values *constants;
} derive_ctx;

static int derive_lookup(const char *name, double *val, void *vctx) {
  const derive_ctx *c = vctx;
  const double *d = mfh_values_get(c->v, name);
  if (d) {
    *val = *d;
    return MFH_OK;
  }
  const mfh_param_val *pv = mfh_params_find(c->p, name);
  if (pv && (pv->kind == MFH_PARAM_INT || pv->kind == MFH_PARAM_REAL)) {
    *val = pv->num;
    return MFH_OK;
  }
  if ((d = mfh_values_get(c->constants, name))) {
    *val = *d;
    return MFH_OK;
  }
  return MFH_EINPUT;
}

int mfh_derive_values(const mfh_study *s, const mfh_params *point, mfh_values *v, mfh_err *err) {
  for (size_t i = 0; i < s->nderived; i++) {
    derive_ctx c = {v, point, &s->constants};
    double x;
    int rc = mfh_expr_eval(s->derived[i].expr, derive_lookup, &c, &x, err);
    if (rc) return mfh_err_at(err, rc, s->derived[i].mark, "derive.%s: %s", s->derived[i].name, err->msg);
    if (mfh_values_set(v, s->derived[i].name, x)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  return MFH_OK;
}

/* Shared per-point work (prepare hooks of each part's engine): one slot per (point, part), filled for the points that lead a
 * pending group (the point of its largest stream value), with the output
 * times of the first such group (every replica asks the same). */
typedef struct shared_slot {
  void *ptr;
  int status;
  char msg[MFH_ERR_MSG];
} shared_slot;

static size_t nprepare(const mfh_study *s) { return s->nparts; }

static int has_prepare(const mfh_study *s, size_t i) {
  return s->parts[i].engine->prepare != NULL;
}

static void release_slot(const mfh_study *s, size_t i, void *ptr) {
  s->parts[i].engine->release(ptr);
}

/* The output times one run of group g computes (with parts: t = 0 first
 * when an observable compares with the initial state). */
static double *group_times(const mfh_plan *plan, const mfh_group *g, size_t *nout) {
  const mfh_study *s = plan->study;
  int need0 = 0;
  for (size_t i = 0; i < s->nobs; i++) need0 |= s->obs[i].needs_initial;
  size_t off = (need0 && plan->tasks[g->task[0]].stream > 0) ? 1 : 0;
  double *t = calloc(g->n + off, sizeof *t);
  if (!t) return NULL;
  for (size_t j = 0; j < g->n; j++) t[j + off] = plan->tasks[g->task[j]].stream;
  *nout = g->n + off;
  return t;
}

static int prepare_shared(const mfh_plan *plan, const size_t *todo, size_t ntodo, int jobs, shared_slot *slots,
                          mfh_err *err) {
  const mfh_study *s = plan->study;
  size_t np = plan->npoints, nq = nprepare(s);
  unsigned char *lead = calloc(np ? np : 1, 1);
  if (!lead) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t k = 0; k < ntodo; k++) {
    const mfh_group *g = &plan->groups[todo[k]];
    lead[plan->tasks[g->task[g->n - 1]].point] = 1;
  }
  size_t *jobsl = malloc((np ? np : 1) * nq * sizeof *jobsl), nj = 0;
  if (!jobsl) {
    free(lead);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  for (size_t p = 0; p < np; p++)
    for (size_t i = 0; i < nq; i++)
      if (lead[p] && has_prepare(s, i)) jobsl[nj++] = p * nq + i;
#pragma omp parallel for schedule(dynamic, 1) num_threads(jobs)
  for (size_t q = 0; q < nj; q++) {
    size_t p = jobsl[q] / nq, i = jobsl[q] % nq;
    shared_slot *sl = &slots[jobsl[q]];
    const mfh_group *g = NULL;
    for (size_t k = 0; k < ntodo && !g; k++) {
      const mfh_group *h = &plan->groups[todo[k]];
      if (plan->tasks[h->task[h->n - 1]].point == p) g = h;
    }
    size_t nout = 0;
    double *times = group_times(plan, g, &nout);
    mfh_err e;
    mfh_err_clear(&e);
    if (!times) {
      sl->status = MFH_ENOMEM;
      snprintf(sl->msg, sizeof sl->msg, "out of memory");
      continue;
    }
    mfh_params ep;
    sl->status = mfh_part_params(s, i, &plan->points[p].params, &ep, &e);
    if (!sl->status) {
      sl->status = s->parts[i].engine->prepare(&ep, nout, times, &sl->ptr, &e);
      mfh_params_free(&ep);
    }
    if (sl->status) snprintf(sl->msg, sizeof sl->msg, "%s", e.msg);
    free(times);
  }
  free(jobsl);
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

static int openmp_run_tasks(const mfh_plan *plan, const char *const *dirs, size_t ndirs,
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
        int v = mfh_store_load(dirs[d], plan, i, &out[i].values, &out[i].elapsed_s, &out[i].cpu_s);
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
  const size_t nq = nprepare(plan->study);
  int any_prepare = 0;
  for (size_t i = 0; i < nq; i++) any_prepare |= has_prepare(plan->study, i);
  if (any_prepare) {
    slots = calloc((plan->npoints ? plan->npoints : 1) * nq, sizeof *slots);
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
    double ts = now_s(), cs = thread_cpu_s();
    mfh_values *vals[512];
    mfh_values **vp = gr->n <= 512 ? vals : malloc(gr->n * sizeof *vp);
    int trc = vp ? MFH_OK : mfh_err_set(&terr, MFH_ENOMEM, "out of memory");
    for (size_t j = 0; !trc && j < gr->n; j++) {
      vp[j] = &out[gr->task[j]].values;
      mfh_values_clear(vp[j]);
    }
    const shared_slot *sl = slots ? &slots[plan->tasks[gr->task[gr->n - 1]].point * nq] : NULL;
    void *shared[MFH_MAX_PARTS] = {NULL};
    for (size_t i = 0; sl && i < nq; i++) {
      if (!trc && sl[i].status) trc = mfh_err_set(&terr, sl[i].status, "%s", sl[i].msg);
      shared[i] = sl[i].ptr;
    }
    if (!trc) trc = any_group_run(plan, gr->task, gr->n, vp, shared, o->interrupt, &terr);
    if (vp != vals) free(vp);
    double el = (now_s() - ts) / (double)gr->n, cpu = (thread_cpu_s() - cs) / (double)gr->n;
    size_t nstored = 0;
    int store_rc = MFH_OK;
    for (size_t j = 0; j < gr->n; j++) {
      size_t i = gr->task[j];
      out[i].elapsed_s = el;
      out[i].cpu_s = cpu;
      int src = trc;
      if (!src) src = store_rc = mfh_store_save(dirs[0], plan, i, &out[i].values, el, cpu, &terr);
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
  for (size_t q = 0; slots && q < plan->npoints * nq; q++)
    if (slots[q].ptr) release_slot(plan->study, q % nq, slots[q].ptr);
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

/* Run (or load) every task, then add the derived measures to each task that
 * has values: they are formulas over stored values, never stored. */
static int openmp_run(const mfh_plan *plan, const char *const *dirs, size_t ndirs, const mfh_exec_opts *o,
                      mfh_outcome *out, mfh_err *err) {
  int rc = openmp_run_tasks(plan, dirs, ndirs, o, out, err);
  for (size_t i = 0; plan->study->nderived && i < plan->ntasks; i++) {
    if (out[i].state != MFH_TASK_COMPUTED && out[i].state != MFH_TASK_CACHED) continue;
    mfh_err e;
    mfh_err_clear(&e);
    if (mfh_derive_values(plan->study, &plan->points[plan->tasks[i].point].params, &out[i].values, &e)) {
      out[i].state = MFH_TASK_FAILED;
      out[i].status = e.status;
      snprintf(out[i].msg, sizeof out[i].msg, "%s", e.msg);
    }
  }
  return rc;
}

const mfh_executor_type mfh_executor_openmp = {"openmp", openmp_run};

void mfh_outcomes_free(mfh_outcome *out, size_t n) {
  if (!out) return;
  for (size_t i = 0; i < n; i++) mfh_values_free(&out[i].values);
  free(out);
}
