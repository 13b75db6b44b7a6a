/* The state kinds (one file each, core/kind_<name>.c) and the data types
 * their items point to.  The registry table is core/kinds.c. */
#ifndef MFH_CORE_KINDS_H
#define MFH_CORE_KINDS_H

#include "core/cloud.h"
#include "core/density.h"
#include "core/grid.h"
#include "core/law1d.h"
#include "core/nbody_wave.h"
#include "core/state.h"

extern const mfh_kind mfh_kind_cloud;       /* mfh_cloud */
extern const mfh_kind mfh_kind_law1d;       /* const mfh_law1d (static, not freed) */
extern const mfh_kind mfh_kind_phase_grid;  /* mfh_phase_grid */
extern const mfh_kind mfh_kind_density;     /* mfh_density */
extern const mfh_kind mfh_kind_field;       /* mfh_field (core/field.h) */
extern const mfh_kind mfh_kind_fluid;       /* mfh_fluid (core/fluid.h) */
extern const mfh_kind mfh_kind_nbody_wave;  /* mfh_nbody_wave */

/* A heap cloud for a state item (mfh_cloud_alloc inside); NULL when out of memory. */
mfh_cloud *mfh_cloud_new(size_t n, size_t dim);

#endif
