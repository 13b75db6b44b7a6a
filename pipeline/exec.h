/* Execute: run a plan's tasks (solver + observable), storing each finished
 * task atomically, reusing stored results.
 *
 * Storage: <dir>/tasks/<key>.json per task (pipeline/store.h): verified on
 * load, so a changed, foreign, truncated or incomplete file is never reused
 * but recomputed (and its outcome says why).  Each holds the task's wall
 * time (elapsed_s) and CPU time (cpu_s).  Failed tasks are not stored: they
 * are retried next run.
 *
 * The executor is a small interface (mfh_executor_type) so another backend
 * (MPI) can be added beside the OpenMP one without touching callers. */
#ifndef MFH_PIPELINE_EXEC_H
#define MFH_PIPELINE_EXEC_H

#include <signal.h>
#include <stddef.h>

#include "pipeline/plan.h"

enum mfh_outcome_state {
  MFH_TASK_PENDING = 0, /* not run (other shard, interrupted, or report-only) */
  MFH_TASK_COMPUTED,
  MFH_TASK_CACHED,
  MFH_TASK_FAILED
};

typedef struct mfh_outcome {
  int state;           /* enum mfh_outcome_state */
  int status;          /* failure status */
  int stored;          /* enum mfh_stored (pipeline/store.h): what the store held for this
                          task; anything but OK or ABSENT was rejected and recomputed */
  mfh_values values;
  double elapsed_s;    /* wall time of its group run / tasks in the group */
  double cpu_s;        /* CPU time of the thread that ran it, divided the same way; NaN when
                          unknown (a store written before it was recorded).  Not in the task key,
                          never in a verdict: the cost axis of work-precision reports. */
  char msg[MFH_ERR_MSG];
} mfh_outcome;

typedef struct mfh_exec_opts {
  int jobs;                  /* threads (>= 1) */
  int fresh;                 /* ignore stored results */
  size_t shard_i, shard_n;   /* run tasks with index % shard_n == shard_i - 1 (1-based I) */
  int load_only;             /* never compute: load what is stored (mfh report) */
  int progress;              /* draw a progress line on stderr */
  const char *label;         /* progress label (study id) */
  volatile sig_atomic_t *interrupt; /* set asynchronously to stop starting new tasks; may be NULL */
} mfh_exec_opts;

typedef struct mfh_executor_type {
  const char *name;
  /* dirs[0] is where new results are written; all dirs are searched. */
  int (*run)(const mfh_plan *plan, const char *const *dirs, size_t ndirs, const mfh_exec_opts *o,
             mfh_outcome *out, mfh_err *err);
} mfh_executor_type;

extern const mfh_executor_type mfh_executor_openmp;

/* Run one task in the calling thread (exposed for tests); derived
 * measures included. */
int mfh_task_run(const mfh_plan *plan, size_t task, mfh_values *out, mfh_err *err);
/* Add the study's derived measures (derive:) to one task's values: each
 * formula over the values already there, the point's parameters and the
 * model constants, in order. */
int mfh_derive_values(const mfh_study *s, const mfh_params *point, mfh_values *v, mfh_err *err);
void mfh_outcomes_free(mfh_outcome *out, size_t n);

#endif
