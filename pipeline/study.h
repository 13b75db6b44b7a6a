/* Study files: YAML -> a validated study.
 *
 * mfh_study_load parses a study file with libyaml, checks every key, type
 * and range against the schema (docs/studies.md) and the solver's and
 * observable's parameter tables, applies a profile's overrides, and either
 * returns a complete study or an error naming file:line:col.  A study that
 * loads can be planned and run; nothing later re-validates input. */
#ifndef MFH_PIPELINE_STUDY_H
#define MFH_PIPELINE_STUDY_H

#include <stddef.h>

#include "core/check.h"
#include "core/param.h"
#include "core/plugin.h"
#include "core/status.h"

#define MFH_MAX_AXES 8
#define MFH_MAX_MEASURES 8
#define MFH_MAX_CHECKS 32

/* One swept parameter: its values in sweep order (coarse to fine). */
typedef struct mfh_axis {
  char name[64];
  size_t n;
  double *values;
  mfh_mark *marks;  /* where each value was written (list element, or the range) */
  mfh_mark mark;
  int refine_dir;  /* +1 values increase along the sweep, -1 decrease, 0 one value */
} mfh_axis;

typedef struct mfh_study {
  char *file;            /* path as given (owned) */
  char *dir;             /* absolute folder of the file (owned) */
  char id[128], title[256], theorem[64], source[256];
  char *description;     /* may be NULL */
  char profile[32];      /* profile applied ("quick", "nightly", "full") */
  const mfh_solver_type *solver;
  const mfh_observable_type *observable;
  mfh_params params;     /* solver + observable parameters, defaults filled */
  mfh_values constants;  /* model constants from the solver (for bounds) */
  size_t naxes;
  mfh_axis axes[MFH_MAX_AXES];
  size_t nmeasures;
  char measures[MFH_MAX_MEASURES][64];
  char labels[MFH_MAX_MEASURES][128];
  size_t replicas;
  unsigned long long seed;
  size_t nchecks;
  mfh_check_spec checks[MFH_MAX_CHECKS]; /* one per `checks:` item; kinds are plug-ins
                                            (core/check.h, checks/, pipeline/registry.c) */
} mfh_study;

/* Load and validate a study for a profile ("quick", "nightly" or "full";
 * the base values are used where the profile overrides nothing).
 * seed_override >= 0 replaces the study's seed.  On error *s is empty. */
int mfh_study_load(const char *path, const char *profile, long long seed_override, mfh_study *s,
                   mfh_err *err);
void mfh_study_free(mfh_study *s);
/* Index of a measure name, or -1. */
int mfh_study_measure(const mfh_study *s, const char *name);
/* Look up a name for bounds at a sweep point: point parameters first, then
 * model constants.  ctx is a struct mfh_bound_ctx. */
typedef struct mfh_bound_ctx {
  const mfh_params *params;
  const mfh_values *constants;
} mfh_bound_ctx;
int mfh_bound_lookup(const char *name, double *val, void *ctx);

extern const char *const mfh_profiles[]; /* "quick", "nightly", "full", NULL */

#endif
