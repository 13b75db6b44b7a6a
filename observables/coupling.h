/* The coupling distance between two particle clouds whose particles
 * correspond by index (the same initial particles evolved two ways). */
#ifndef MFH_OBSERVABLES_COUPLING_H
#define MFH_OBSERVABLES_COUPLING_H

#include "core/engine.h"

extern const mfh_obs_type mfh_obs_coupling;

#endif
