/* Plan: a validated study -> independent tasks.
 *
 * A point is one assignment of every parameter (one sweep value on one
 * axis, the other axes pinned at their model values); points shared by two
 * axes are one point.  A task is (point, replica).  Each task has a
 * canonical text that fixes everything that determines its result; its
 * storage key is a 128-bit hash of it (with code versions).  Its random
 * streams (initial data, system, reference) are seeded from the study seed,
 * the replica and the sampled parameters only (see stream_seed in plan.c). */
#ifndef MFH_PIPELINE_PLAN_H
#define MFH_PIPELINE_PLAN_H

#include <stddef.h>

#include "pipeline/study.h"

typedef struct mfh_point {
  mfh_params params;   /* every parameter's value at this point */
  char *canon;         /* canonical text of the point (owned) */
} mfh_point;

typedef struct mfh_task {
  size_t point, replica;
  unsigned long long seed;      /* the system's random stream (shared by the tasks of a group) */
  unsigned long long seed_init; /* the initial data's stream */
  unsigned long long seed_ref;  /* the reference's stream */
  char key[33];
  char *canon;         /* canonical text of the task (owned) */
  double stream;       /* value of the stream parameter (0 when none) */
} mfh_task;

/* Tasks that one solver run computes together: the same point but for the
 * stream parameter (e.g. the output time t), and the same replica.  Without
 * a swept stream parameter every group has one task. */
typedef struct mfh_group {
  size_t n;
  size_t *task;        /* task indices, stream values ascending (owned) */
} mfh_group;

typedef struct mfh_plan {
  const mfh_study *study;  /* not owned; must outlive the plan */
  size_t npoints;
  mfh_point *points;
  size_t ntasks;
  mfh_task *tasks;         /* point-major: task = point * replicas + replica */
  size_t *axis_points[MFH_MAX_AXES]; /* per axis: point index of each sweep value */
  const char *stream_param;  /* the solver's stream parameter, or NULL */
  size_t ngroups;
  mfh_group *groups;
} mfh_plan;

int mfh_plan_build(const mfh_study *s, mfh_plan *plan, mfh_err *err);
void mfh_plan_free(mfh_plan *plan);

#endif
