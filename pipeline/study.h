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
#include "core/engine.h"
#include "core/expr.h"
#include "core/param.h"
#include "core/plugin.h"
#include "core/status.h"

#define MFH_MAX_AXES 8
#define MFH_MAX_MEASURES 8
#define MFH_MAX_CHECKS 32
#define MFH_MAX_PARTS 6       /* the system and up to 5 references */
#define MFH_MAX_OBS 8
#define MFH_MAX_DERIVED 8
#define MFH_MAX_REFINE 4

/* One swept parameter: its values in sweep order (coarse to fine). */
typedef struct mfh_axis {
  char name[64];
  size_t n;
  double *values;
  mfh_mark *marks;  /* where each value was written (list element, or the range) */
  mfh_mark mark;
  int refine_dir;  /* +1 values increase along the sweep, -1 decrease, 0 one value */
} mfh_axis;

/* How a reference is made from the system (pipeline/exec.c runs them). */
enum mfh_ref_kind {
  MFH_PART_SYSTEM = 0, /* the system itself (part 0) */
  MFH_REF_REFINED,     /* the system's engine with numerical parameters refined */
  MFH_REF_COUPLED,     /* another engine started from the system's initial state */
  MFH_REF_ENGINE,      /* another engine from the same (model) parameters: an exact
                          solution or an independent construction */
  MFH_REF_TWIN         /* the system's engine again on the reference's random stream */
};
extern const char *const mfh_ref_kind_names[]; /* "system", "refined", "coupled", "engine", "twin" */

/* An engine run of a study: the system (part 0) or a reference. */
typedef struct mfh_part {
  char name[64];                 /* "system", "reference", or the study's name for it */
  int kind;                      /* enum mfh_ref_kind */
  const mfh_engine_type *engine;
  mfh_params own;                /* its own parameter values (over model:) */
  mfh_mark mark;
  size_t nrefine;                /* refined (or any reference with refine:): parameters
                                    divided (time steps) or multiplied (grid sizes) by
                                    their factor */
  char refine_param[MFH_MAX_REFINE][64];
  double refine_factor[MFH_MAX_REFINE];
  int refine_divide[MFH_MAX_REFINE]; /* 1: param / factor (a step), 0: param * factor */
  double perturb;                /* coupled: positions of the initial cloud + perturb N(0, 1) */
  mfh_decl decl;                 /* what it produces (at the pinned point) */
} mfh_part;

/* One observable of a study: which parts it compares and its outputs. */
typedef struct mfh_obs_spec {
  const mfh_observable_type *type;
  mfh_params own;                /* its parameters */
  int part[2];                   /* the parts compared (a, b); b = -1 when unused */
  char item[2][MFH_ITEM_NAME];   /* the item of a (b) it reads, "" = the first of each kind */
  mfh_mark mark;
  size_t nout;                   /* its outputs after renaming */
  char out[MFH_DECL_SCALARS][MFH_NAME_MAX];   /* names in the study */
  char from[MFH_DECL_SCALARS][MFH_NAME_MAX];  /* names the observable gives them */
  int needs_initial;             /* reads a0 / b0 */
} mfh_obs_spec;

/* A derived measure: a formula of a task's other values, the point's
 * parameters and the model constants (evaluated per task). */
typedef struct mfh_derived {
  char name[MFH_NAME_MAX];
  mfh_expr *expr;
  char text[256];
  mfh_mark mark;
} mfh_derived;

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
  /* The parts (system:, reference(s):), parts[0] the system; nparts >= 1. */
  size_t nparts;
  mfh_part parts[MFH_MAX_PARTS];
  size_t nobs;
  mfh_obs_spec obs[MFH_MAX_OBS];
  size_t nderived;
  mfh_derived derived[MFH_MAX_DERIVED];
  const char *stream_param; /* the system engine's stream parameter, or NULL */
  mfh_params params;     /* the model: parameters every part shares (the sweep
                            varies these), defaults filled */
  mfh_values constants;  /* model constants from the system engine (for bounds) */
  size_t naxes;
  mfh_axis axes[MFH_MAX_AXES];
  size_t nmeasures;
  char measures[MFH_MAX_MEASURES][64];
  char labels[MFH_MAX_MEASURES][128];
  mfh_mark measure_marks[MFH_MAX_MEASURES]; /* where each measure was named (file NULL: by default) */
  size_t replicas;
  unsigned long long seed;
  size_t nchecks;
  mfh_check_spec checks[MFH_MAX_CHECKS]; /* one per `checks:` item; kinds are plug-ins
                                            (core/check.h, checks/, pipeline/registry.c) */
  mfh_limits limits;
} mfh_study;

/* Load and validate a study for a profile ("quick", "nightly" or "full";
 * the base values are used where the profile overrides nothing).
 * seed_override >= 0 replaces the study's seed.  On error *s is empty. */
int mfh_study_load(const char *path, const char *profile, long long seed_override, mfh_study *s,
                   mfh_err *err);
void mfh_study_free(mfh_study *s);
/* The effective parameters of part i at a point (point: a copy of the
 * study's params with the sweep values set): the engine's defaults, then the
 * point's model values of the parameters it declares, then the part's own,
 * then (refined) the refinement.  out must be freed with mfh_params_free. */
int mfh_part_params(const mfh_study *s, size_t i, const mfh_params *point, mfh_params *out, mfh_err *err);
/* The same for observable i. */
int mfh_obs_params(const mfh_study *s, size_t i, const mfh_params *point, mfh_params *out, mfh_err *err);
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
/* The index of a profile name in mfh_profiles (their order: quick < nightly < full), or -1. */
int mfh_profile_index(const char *name);

#endif
