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

#include "core/expr.h"
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

enum mfh_check_kind { MFH_CHECK_RATE, MFH_CHECK_BOUND, MFH_CHECK_EXPECTED, MFH_CHECK_UNIFORM,
                      MFH_CHECK_CONSTANT, MFH_CHECK_EXPANSION, MFH_CHECK_NKINDS };
extern const char *const mfh_check_kind_names[]; /* indexed by enum mfh_check_kind */

typedef struct mfh_check_spec {
  int kind;              /* enum mfh_check_kind */
  mfh_mark mark;
  int axis;              /* index into study axes (-1 for expected: all) */
  int measure;           /* index into study measures */
  /* rate */
  double proved;         /* proved log-log slope (e.g. -0.5) */
  char proved_text[32];  /* as written ("-1/2") */
  char label[64];        /* what the rate is, for the summary: "proved" unless the study says
                            (e.g. "sharp (Rosenzweig-Serfaty)" for a literature rate) */
  int proved_log;        /* proved rate has a log factor: fit C x^s log x */
  int exp_model;         /* growth in the axis: fit C e^{s x}; proved = largest exponent */
  double tol;            /* rate: slope tolerance; uniform: allowed growth slope;
                            constant: relative tolerance */
  double level;          /* confidence level */
  size_t exclude;        /* leading points the fit drops */
  int auto_exclude;
  /* bound */
  const mfh_bound_type *bound; /* named bound, or NULL with formula */
  mfh_expr *formula;
  char formula_text[256];
  double sigma;          /* bound/expected: allowance in standard errors */
  int use_max;           /* bound: judge the largest replica value, not the mean */
  /* expected */
  double rtol, atol;
  /* constant */
  double slope, target, from;
  /* expansion: y = sum_k c_k x^powers[k]; tol = allowed max relative residual */
  size_t npow;
  double powers[4];
  char powers_text[64];  /* as written, e.g. "-1, -2" */
} mfh_check_spec;

/* What the harness allows one study (study key `limits`); the estimate
 * (pipeline/estimate.h) refuses a study beyond them before anything runs. */
typedef struct mfh_limits {
  double memory_gb;    /* plan + concurrent tasks at their peak; 0: the machine's memory */
  double tasks;        /* most tasks (default 1e7) */
  double cpu_hours;    /* most estimated CPU time; 0: no limit (default) */
  double task_seconds; /* wall time of an external program per task (default 600) */
  double output_mb;    /* standard output of an external program per task (default 16) */
  mfh_mark mark;       /* where `limits` was written (file NULL when absent) */
} mfh_limits;

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
  mfh_check_spec checks[MFH_MAX_CHECKS];
  mfh_limits limits;
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
