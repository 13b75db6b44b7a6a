/* L2 differences between the grid functions of two parts on nested grids
 * (metrics/gridl2.h): phase-space densities (grid_l2) and position-grid
 * fields (field_l2), e.g. a solve against its refined reference. */
#ifndef MFH_OBSERVABLES_GRIDL2_H
#define MFH_OBSERVABLES_GRIDL2_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_grid_l2;
extern const mfh_observable_type mfh_obs_field_l2;

#endif
