/* Plan: a validated study -> independent tasks.
 *
 * A point is one assignment of every parameter (one sweep value on one
 * axis, the other axes pinned at their model values); points shared by two
 * axes are one point.  A task is (point, replica).  Each task has a
 * canonical text that fixes everything that determines its result; its
 * RNG seed is a hash of that text (without code versions) and its storage
 * key a 128-bit hash of it (with code versions). */
#ifndef MFH_HARNESS_PLAN_H
#define MFH_HARNESS_PLAN_H

#include <stddef.h>

#include "harness/study.h"

typedef struct mfh_point {
  mfh_params params;   /* every parameter's value at this point */
  char *canon;         /* canonical text of the point (owned) */
} mfh_point;

typedef struct mfh_task {
  size_t point, replica;
  unsigned long long seed;
  char key[33];
  char *canon;         /* canonical text of the task (owned) */
} mfh_task;

typedef struct mfh_plan {
  const mfh_study *study;  /* not owned; must outlive the plan */
  size_t npoints;
  mfh_point *points;
  size_t ntasks;
  mfh_task *tasks;         /* point-major: task = point * replicas + replica */
  size_t *axis_points[MFH_MAX_AXES]; /* per axis: point index of each sweep value */
} mfh_plan;

int mfh_plan_build(const mfh_study *s, mfh_plan *plan, mfh_err *err);
void mfh_plan_free(mfh_plan *plan);

#endif
