/* The registries: one const table per kind of plug-in.
 *
 * A solver produces a state (point clouds, an exact law, named scalars);
 * an observable turns a state into named scalars (the measured quantities);
 * a bound is an explicit right-hand side of a theorem, evaluated from the
 * sweep point and model constants; a metric is a distance `mfh metric` can
 * compute between two CSV point clouds.  Adding one = a new file and one
 * line in pipeline/registry.c.  Nothing else switches on names. */
#ifndef MFH_CORE_PLUGIN_H
#define MFH_CORE_PLUGIN_H

#include <signal.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "core/param.h"
#include "core/status.h"
#include "core/values.h"
#include "core/cloud.h"
#include "core/grid.h"
#include "core/law1d.h"

/* What a solver can put in a state (and an observable may need). */
enum mfh_provides {
  MFH_HAS_CLOUD = 1u << 0,  /* state.cloud: the sample / particle system */
  MFH_HAS_TWIN = 1u << 1,   /* state.twin: an independent sample of the same law */
  MFH_HAS_LAW1D = 1u << 2,  /* state.law: the exact 1D law the sample comes from */
  MFH_HAS_VALUES = 1u << 3, /* state.values: scalars computed by the solver itself */
  MFH_HAS_INITIAL = 1u << 4, /* state.cloud0 / twin0: the same clouds at time 0 */
  MFH_HAS_GRID = 1u << 5     /* state.grid: a reference phase-space density on a grid */
};



/* The output of one solver run.  The solver fills what the observable
 * needs; mfh_state_free releases it. */
typedef struct mfh_state {
  mfh_cloud cloud;
  mfh_cloud twin;
  mfh_cloud cloud0, twin0; /* initial data (MFH_HAS_INITIAL) */
  mfh_phase_grid grid;     /* reference density (MFH_HAS_GRID), owned */
  mfh_phase_grid grid0;    /* the same at time 0 (MFH_HAS_GRID and MFH_HAS_INITIAL) */
  const mfh_law1d *law; /* static object, not owned */
  mfh_values values;
} mfh_state;

void mfh_state_free(mfh_state *s); /* accepts a zeroed struct */

/* Per-task context handed to a solver. */
typedef struct mfh_task_ctx {
  unsigned needs;          /* enum mfh_provides bits the observable needs */
  unsigned long long seed; /* the task's seed (also seeds rng) */
  size_t replica;
  const char *workdir;     /* folder of the study file (commands run there) */
  size_t nstream;          /* number of values of the solver's stream parameter */
  const double *stream;    /* those values, ascending; out[k] is the state at stream[k] */
  const void *shared;      /* what the solver's prepare() made for this point, or NULL */
  /* The task's other random streams (the rng argument of run() is the
   * system's own): draw the initial data from init_rng and whatever belongs
   * to the reference (an independent twin sample, a perturbation, random
   * batches of the reference dynamics) from ref_rng, so that adding or
   * changing one part never shifts the draws of another. */
  gsl_rng *init_rng;
  gsl_rng *ref_rng;
  /* the harness's limits on one task (study key `limits`) and its stop flag,
   * for solvers that run external programs (core/proc.h) */
  double time_limit_s;     /* wall time a program may take (<= 0: none) */
  size_t output_limit;     /* bytes a program may print on standard output */
  volatile sig_atomic_t *interrupt; /* non-zero when mfh was asked to stop; may be NULL */
} mfh_task_ctx;

typedef struct mfh_solver_type {
  const char *name;
  const char *doc;        /* one line */
  const char *reference;  /* method / paper */
  int version;            /* bump when results change: part of the task key */
  const mfh_param_def *params;
  size_t nparams;
  int open_params;        /* 1: extra numeric/string parameters are allowed (command) */
  unsigned provides;      /* enum mfh_provides */
  /* Cross-parameter validation (may be NULL): on failure return MFH_EINPUT
   * and set *param to the offending parameter's name. */
  int (*validate)(const mfh_params *p, const char **param, mfh_err *err);
  /* Model constants for explicit bounds (may be NULL), e.g. "J1". */
  int (*constants)(const mfh_params *p, mfh_values *out, mfh_err *err);
  /* Run one task.  Must be thread-safe: no mutable global state.  out has
   * task->nstream states: a solver with a stream parameter (a param def with
   * stream = 1, e.g. the final time t) fills out[k] for the value stream[k]
   * and must give out[k] bit-identical to a run with only that value; other
   * solvers are always called with nstream = 1 and fill out[0]. */
  int (*run)(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
             mfh_err *err);
  /* Optional (may be NULL): deterministic work shared by every replica of a
   * point, such as a reference solution that does not depend on the random
   * draw.  Called once per point before its tasks, with the stream values
   * its tasks will ask for; *shared is handed read-only to run() through
   * task->shared and freed by release() after the point's tasks.  The result
   * must not depend on anything but (p, stream): run() must give the same
   * values with or without it being shared. */
  int (*prepare)(const mfh_params *p, size_t nstream, const double *stream, void **shared,
                 mfh_err *err);
  void (*release)(void *shared);
  /* Optional (may be NULL): what one run of the solver costs at p, for the
   * harness's estimate before anything runs (pipeline/estimate.c): *bytes
   * of memory at its peak and *seconds on one core, as orders of magnitude
   * (0 when unknown).  Must be cheap and allocate nothing.  0 or a status. */
  int (*estimate)(const mfh_params *p, double *bytes, double *seconds);
} mfh_solver_type;

/* GSL's rng type for task streams is in core/rng.h; FFTW plans must be
 * made inside `#pragma omp critical(mfh_fftw_planner)` (the planner is not
 * thread-safe and tasks run in parallel). */

typedef struct mfh_observable_type {
  const char *name;
  const char *doc;
  const mfh_param_def *params;
  size_t nparams;
  unsigned needs;            /* enum mfh_provides */
  const char *outputs;       /* space-separated output names; "*" = whatever the state has */
  int (*validate)(const mfh_params *p, const char **param, mfh_err *err);
  int (*eval)(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err);
} mfh_observable_type;

/* Name lookup for a bound: the sweep point's parameters and the solver's
 * model constants. */
typedef int (*mfh_lookup_fn)(const char *name, double *val, void *ctx);

typedef struct mfh_bound_type {
  const char *name;
  const char *doc;        /* the formula in words */
  const char *reference;  /* THEOREMS.md entry / paper lines */
  const char *needs;      /* space-separated names it looks up */
  int (*eval)(mfh_lookup_fn lookup, void *ctx, double *out, mfh_err *err);
} mfh_bound_type;

typedef struct mfh_metric_type {
  const char *name;
  const char *doc;
  double p;               /* exponent; 0 = given by --p */
} mfh_metric_type;

/* 1 if the space-separated list contains word. */
int mfh_word_in(const char *list, const char *word);

#endif
