/* Parameter tables and parameter values.
 *
 * Every solver and observable declares its parameters once, as a const
 * array of mfh_param_def (name, kind, default, range, one-line doc), after
 * REBOUND's field descriptors.  One binder (pipeline/study.c) validates a
 * study against the table; `mfh list` prints it. */
#ifndef MFH_CORE_PARAM_H
#define MFH_CORE_PARAM_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

enum mfh_param_kind {
  MFH_PARAM_INT,    /* whole number (stored as double, exact up to 2^53) */
  MFH_PARAM_REAL,   /* finite real number */
  MFH_PARAM_STRING, /* free text */
  MFH_PARAM_CHOICE  /* one of the '|'-separated words in choices */
};

typedef struct mfh_param_def {
  const char *name;
  int kind;            /* enum mfh_param_kind */
  const char *def;     /* default, as YAML text; NULL = required */
  double min, max;     /* numeric range, inclusive unless *_open */
  int min_open, max_open;
  const char *choices; /* MFH_PARAM_CHOICE: "uniform|gaussian" */
  const char *doc;     /* one line */
  unsigned flags;      /* enum mfh_param_flag bits */
} mfh_param_def;

/* What a parameter means to the harness (mfh_param_def.flags). */
enum mfh_param_flag {
  /* the solver computes every value of this parameter in one run (a time:
   * all output times of a trajectory); a sweep over it is run as one task
   * group per replica */
  MFH_PARAM_STREAM = 1u << 0,
  /* the parameter shapes what is drawn at random (the law sampled, the
   * number of draws): a task's random streams are a function of the study
   * seed, the replica and exactly these parameters, so points that differ
   * only in other parameters (dt, eps, grids, output times) see the same
   * draws, and renaming code never moves a Monte Carlo value */
  MFH_PARAM_SAMPLED = 1u << 1,
  /* a numerical step a refined reference divides by its factor (dt) */
  MFH_PARAM_STEP = 1u << 2,
  /* a resolution a refined reference multiplies by its factor (grid points) */
  MFH_PARAM_GRID = 1u << 3
};

/* One bound parameter. */
typedef struct mfh_param_val {
  const mfh_param_def *def; /* NULL for a free parameter of an open table */
  char name[64];
  int kind;
  double num;       /* INT and REAL */
  char *str;        /* STRING and CHOICE (owned) */
  mfh_mark mark;    /* where the value was written; file NULL for defaults */
} mfh_param_val;

typedef struct mfh_params {
  size_t n;
  mfh_param_val *v;
} mfh_params;

/* Parse text as a value of def (type and range).  `where` names the field
 * for the message ("model.N").  MFH_EINPUT with the mark on failure. */
int mfh_param_parse(const mfh_param_def *def, const char *text, mfh_mark at, const char *where,
                    mfh_param_val *out, mfh_err *err);
/* The number grammar of study files: a decimal number or a fraction a/b
 * (proved: -1/2), optionally followed by spaces.  MFH_OK and *out, or
 * MFH_EINPUT (no message: the caller names the place). */
int mfh_number_parse(const char *text, double *out);
/* Set (add or replace) a value; the value's str is moved into params. */
int mfh_params_put(mfh_params *ps, mfh_param_val *val);
const mfh_param_val *mfh_params_find(const mfh_params *ps, const char *name);
/* Typed getters; the parameter must exist (binder guarantees it): a missing
 * name returns NaN / 0 / "". */
double mfh_params_real(const mfh_params *ps, const char *name);
long long mfh_params_int(const mfh_params *ps, const char *name);
const char *mfh_params_str(const mfh_params *ps, const char *name);
/* Deep copy (strings duplicated). */
int mfh_params_copy(mfh_params *dst, const mfh_params *src);
void mfh_params_free(mfh_params *ps);
/* A value as canonical text: integers without exponent, reals "%.17g". */
void mfh_param_format(const mfh_param_val *v, char *buf, size_t len);

/* For solvers' validate hooks: set *param = name (the parameter the message
 * is about, so the harness can point at its study line) and record the
 * message.  Returns MFH_EINPUT. */
int mfh_param_reject(const char **param, const char *name, mfh_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 1 if t is a whole number of time steps dt (to 1e-9 relative), else 0. */
int mfh_whole_steps(double t, double dt);

/* Describe a definition in one line for `mfh list` / --help:
 * "N  int  default 1000  range [1, 1e9]  number of samples". */
void mfh_param_def_print(const mfh_param_def *d, FILE *out);
/* Human text of the allowed range/choices, e.g. "an integer >= 1". */
void mfh_param_def_expect(const mfh_param_def *d, char *buf, size_t len);

#endif
