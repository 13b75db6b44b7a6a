/* The harness's estimate of a study before anything runs: how many tasks,
 * how much memory at the peak (the plan and its outcomes, plus `jobs` tasks
 * at once as the engines estimate them: mfh_engine_type.estimate), how much
 * compute time.  A study beyond its limits (study key `limits`: tasks,
 * memory_gb - by default the machine's memory -, cpu_hours) is refused at
 * the sweep value where the limit is crossed, so `mfh validate` and `mfh
 * run` stop it before a plan for gigabytes is made.  The numbers are orders
 * of magnitude: the plan's share is counted exactly per task, a solver's
 * share is what its estimate hook says (unknown for solvers without one). */
#ifndef MFH_PIPELINE_ESTIMATE_H
#define MFH_PIPELINE_ESTIMATE_H

#include <stddef.h>

#include "pipeline/study.h"

typedef struct mfh_estimate {
  double tasks;       /* tasks in the plan (points counted once per axis) */
  double plan_bytes;  /* the plan, its outcomes and stored values */
  double task_bytes;  /* the largest task, by the solver's estimate (0: unknown) */
  double peak_bytes;  /* plan_bytes + jobs (at most tasks) x task_bytes */
  double cpu_seconds; /* compute time over every task (0: unknown) */
  double limit_bytes; /* the memory limit applied */
  int known;          /* 1 if the solver estimates its cost */
} mfh_estimate;

/* Estimate study s run with `jobs` tasks at once (>= 1).  MFH_EINPUT at the
 * offending sweep value when a limit is exceeded (e still filled). */
int mfh_study_estimate(const mfh_study *s, int jobs, mfh_estimate *e, mfh_err *err);
/* One line for people: "48 tasks, peak memory ~1.2 MB, compute time ~3 s". */
void mfh_estimate_format(const mfh_estimate *e, char *buf, size_t len);

#endif
