/* Plug-in interfaces beside the engines and observables (core/engine.h)
 * and the checks (core/check.h): a bound is an explicit right-hand side of
 * a theorem, evaluated from the sweep point and model constants; a metric
 * is a distance `mfh metric` can compute between two CSV point clouds.
 * Adding one = a new file and one line in pipeline/registry.c.  Nothing
 * else switches on names. */
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

/* Name lookup for a bound: the sweep point's parameters and the system
 * engine's model constants. */
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
