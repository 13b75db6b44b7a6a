/* The registries: one NULL-terminated const table per kind of plug-in
 * (pipeline/registry.c), and lookup by name.  The plug-in interfaces are in
 * core/plugin.h and core/check.h; adding a plug-in = its own file and one
 * line in the table. */
#ifndef MFH_PIPELINE_REGISTRY_H
#define MFH_PIPELINE_REGISTRY_H

#include "core/check.h"
#include "core/engine.h"
#include "core/plugin.h"

extern const mfh_bound_type *const mfh_bounds[];
extern const mfh_metric_type *const mfh_metrics[];
extern const mfh_check_type *const mfh_checks[];
extern const mfh_engine_type *const mfh_engines[];
extern const mfh_observable_type *const mfh_obs_types[];

const mfh_bound_type *mfh_bound_find(const char *name);
const mfh_metric_type *mfh_metric_find(const char *name);
const mfh_check_type *mfh_check_find(const char *name);
const mfh_engine_type *mfh_engine_find(const char *name);
const mfh_observable_type *mfh_obs_find(const char *name);

#endif
