/* Checks: one judgement of a study against its theorem (pass / fail /
 * inconclusive), as a plug-in.
 *
 * Each check kind (rate, bound, expected, uniform, constant, expansion) is a
 * `const mfh_check_type` in checks/<name>.c, listed once in
 * pipeline/registry.c.  The pipeline reads a `checks:` item of a study
 * (the keys `axis` and `measure` are its own), hands the remaining settings to
 * the kind's parse hook as plain values (mfh_check_input: no YAML), and after
 * the run builds the judged series, fits it with the options the kind asks
 * for, evaluates the kind's curve, and calls its judge.  Nothing outside
 * checks/ knows what a kind does: adding one = a file and a line. */
#ifndef MFH_CORE_CHECK_H
#define MFH_CORE_CHECK_H

#include <stddef.h>

#include "core/fit.h"
#include "core/param.h"
#include "core/plugin.h"
#include "core/results.h"
#include "core/status.h"
#include "core/values.h"

/* ---- settings, as declared and as written ------------------------------- */

enum mfh_setting_kind {
  MFH_SETTING_REAL,   /* a number (a fraction such as -1/2 is allowed); a double in the data */
  MFH_SETTING_BOOL,   /* true / false; an int in the data */
  MFH_SETTING_COUNT,  /* a whole number; a size_t in the data */
  MFH_SETTING_TEXT,   /* free text */
  MFH_SETTING_CHOICE, /* one of a few words (the doc names them) */
  MFH_SETTING_REALS   /* a list of numbers */
};

/* One setting a check kind accepts besides `axis` and `measure`: what
 * `mfh list checks` prints, the keys a study may give, and (for numbers)
 * where the parsed value lives in the kind's data, so mfh_check_number can
 * read it (tests compare it with the documented default). */
typedef struct mfh_check_setting {
  const char *name;
  int kind;           /* enum mfh_setting_kind */
  const char *def;    /* default as the docs print it; NULL: required; "": optional, none */
  const char *doc;    /* one line */
  size_t offset;      /* REAL, BOOL, COUNT: offsetof() the value in the data */
} mfh_check_setting;

/* What a YAML node was, for messages ("must be a single value, not a list"). */
enum mfh_node_kind { MFH_NODE_SCALAR, MFH_NODE_LIST, MFH_NODE_MAP, MFH_NODE_EMPTY };

/* One value as written in the study: a scalar, or a list of such values. */
typedef struct mfh_check_value {
  const char *key;        /* the setting's name (NULL for a list item) */
  int node;               /* enum mfh_node_kind */
  const char *text;       /* the scalar ("" for other nodes) */
  mfh_mark mark;          /* where the value starts */
  size_t nitems;          /* MFH_NODE_LIST: its items */
  const struct mfh_check_value *items;
} mfh_check_value;

/* Everything a kind's parse hook may look at.  Strings are valid during the
 * call only: the data keeps copies of what it needs. */
typedef struct mfh_check_input {
  const char *where;            /* "checks[2].rate": the start of every message */
  mfh_mark mark;                /* the kind's key ("rate:") */
  mfh_mark spec_mark;           /* its settings mapping */
  size_t n;                     /* the settings given, keys already checked against */
  const mfh_check_value *values; /* the kind's table, in the order written */
  /* the swept axis of the judged series (type->axis), else name NULL, n 0 */
  const char *axis_name;
  size_t axis_n;
  const double *axis_values;    /* coarse to fine */
  /* the names a formula or a bound may use: the study's parameters and the
   * solver's model constants */
  const mfh_params *params;
  const mfh_values *constants;
  const char *solver;           /* its name, for messages */
  /* the bounds registry (checks/ does not include bounds/ or pipeline/) */
  const mfh_bound_type *(*find_bound)(const char *name);
  /* out (may be NULL): set to 1 by mfh_check_label when the check is
   * labelled, i.e. reported, not asserted (the loader's default decided_at) */
  int *reported;
} mfh_check_input;

/* ---- what a judge sees --------------------------------------------------- */

/* The blessed values of one series (expected/<id>.json); n = 0 when that
 * series was not blessed. */
typedef struct mfh_blessed {
  size_t n;
  double *x, *mean;
} mfh_blessed;

typedef struct mfh_check_view {
  /* type->axis: the judged series (complete: every point has data).  A judge
   * may annotate it for the plots (expansion: the fitted sum). */
  mfh_series *series;
  int refine_dir;               /* +1 the axis grows along the sweep (N), -1 it shrinks (eps, dt) */
  const mfh_fit_result *fit;    /* the series fitted with the kind's fit_opts, when it has them */
  const double *curve;          /* the kind's curve at each point, when it has one */
  /* every check: the whole study */
  const mfh_study_result *result;
  const char *measure;          /* the measure the check reads */
  const mfh_blessed *blessed;   /* one per result->series; NULL when nothing is blessed */
  const char *file, *profile;   /* the study file and profile, for messages */
} mfh_check_view;

/* ---- the plug-in ---------------------------------------------------------- */

typedef struct mfh_check_type {
  const char *name;             /* the study key: `- rate: {...}` */
  const char *doc;              /* completes "passes when ...": what passing means */
  const char *example;          /* minimal settings that parse, e.g. "{proved: -1/2}" */
  const mfh_check_setting *settings;
  size_t nsettings;
  int axis;                     /* 1: judges one series (an `axis:` key); 0: every series of its measure */
  size_t size;                  /* bytes of its parsed data (zeroed before parse) */
  /* Validate the settings into data (size bytes, zeroed; defaults are the
   * hook's to set).  MFH_EINPUT with the value's mark on bad input. */
  int (*parse)(const mfh_check_input *in, void *data, mfh_err *err);
  /* Release what data owns (may be NULL); the data itself is freed by the caller. */
  void (*release)(void *data);
  /* The fit its judgement rests on (may be NULL: no fit).  o holds the
   * defaults and the axis direction.  fit_rank orders the kinds whose fit is
   * drawn when several judge one series: the first of the highest rank. */
  void (*fit_opts)(const void *data, mfh_fit_opts *o);
  int fit_rank;
  /* 1: the series it judges is a value converging to a limit, not an error
   * decaying like a power (gci): no default rate fit is drawn on it unless
   * a kind with fit_opts judges it too. */
  int values_series;
  /* A curve drawn with the series (may be NULL): its value at one sweep
   * point, names resolved through lookup; and its legend. */
  int (*curve)(const void *data, mfh_lookup_fn lookup, void *ctx, double *y, mfh_err *err);
  void (*curve_label)(const void *data, char *buf, size_t len);
  /* What the plot of its series shows of the check (may be NULL): e.g. the
   * proved-rate line.  Called for every check of the kind on the series. */
  void (*annotate)(const void *data, mfh_series *s);
  /* The verdict, its one-line summary and the numbers behind it (out->kind,
   * name and series are set by the caller).  MFH_ENOMEM only: a check that
   * cannot judge says so with MFH_CHECK_ERROR. */
  int (*judge)(const void *data, const mfh_check_view *v, mfh_check_result *out, mfh_err *err);
} mfh_check_type;

/* One parsed check of a study. */
typedef struct mfh_check_spec {
  const mfh_check_type *type;
  mfh_mark mark;                /* the kind's key in the study */
  int axis;                     /* index of the judged axis in the study; -1 with type->axis == 0 */
  int measure;                  /* index of the measure in the study */
  char measure_name[MFH_NAME_MAX];
  mfh_mark measure_mark;        /* where `measure:` named it (the check's mark when defaulted) */
  /* `decided_at:` the first profile (index in mfh_profiles) at which the
   * study expects pass or fail; -1: no expectation.  Default 0 (quick) for
   * an asserted check, -1 for a labelled one (reported, not asserted). */
  int decided_at;
  void *data;                   /* the kind's parsed settings (owned) */
} mfh_check_spec;

/* Release a spec's data (accepts a zeroed spec). */
void mfh_check_spec_free(mfh_check_spec *ck);

/* The measures a parsed check reads, with where each was named: up to max
 * (names, marks), returns how many.  What `mfh validate` joins with what the
 * study's engines and observables produce.  Every kind reads its one
 * `measure` today; a kind reading more would declare them here. */
size_t mfh_check_reads(const mfh_check_spec *ck, const char **names, mfh_mark *marks, size_t max);

/* A numeric setting's parsed value (REAL, BOOL or COUNT): MFH_OK, or
 * MFH_EINPUT when the kind has no such numeric setting. */
int mfh_check_number(const mfh_check_spec *ck, const char *setting, double *out);

/* ---- helpers for parse hooks (messages as every other study key) --------- */

/* The value given for key, or NULL. */
const mfh_check_value *mfh_check_get(const mfh_check_input *in, const char *key);
/* "where: must be a single value, not a list" unless v is a scalar. */
int mfh_check_want_scalar(const mfh_check_value *v, const char *where, mfh_err *err);
/* A number (fractions a/b allowed); `where` names it in the message. */
int mfh_check_value_real(const mfh_check_value *v, const char *where, double *out, mfh_err *err);
int mfh_check_value_bool(const mfh_check_value *v, const char *where, int *out, mfh_err *err);
int mfh_check_value_count(const mfh_check_value *v, const char *where, double lo, double hi,
                          unsigned long long *out, mfh_err *err);
/* An optional number in [lo, hi] under key (out keeps its default when
 * absent); the message names "<in->where>.<key>". */
int mfh_check_real_in(const mfh_check_input *in, const char *key, double lo, double hi, double *out,
                      mfh_err *err);
/* The optional `label` under in (what a rate or order is: "proved", or a
 * literature / formal label that is reported, not asserted) into buf
 * (len bytes; "proved" when absent); 1..len-1 characters.  Sets
 * *in->reported when the label makes the check reported. */
int mfh_check_label(const mfh_check_input *in, char *buf, size_t len, mfh_err *err);
/* 1 if a parsed label asserts the check ("proved"), 0 if it is reported. */
int mfh_check_asserted(const char *label);
/* 1 if a formula or bound may use name (a parameter or a model constant). */
int mfh_check_name_known(const mfh_check_input *in, const char *name);

/* An axis value for summaries: integers without decimals, else %.4g. */
void mfh_check_fmt_x(double x, char *buf, size_t len);
/* Add a named number behind a verdict (the check's numbers in results.json). */
void mfh_check_num(mfh_check_result *c, const char *name, double v);

#endif
