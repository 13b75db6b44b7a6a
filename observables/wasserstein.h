/* Exact Wasserstein distances as observables: between two samples (any two
 * parts' clouds) and between a 1D sample and its exact law. */
#ifndef MFH_OBSERVABLES_WASSERSTEIN_H
#define MFH_OBSERVABLES_WASSERSTEIN_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_wp;
extern const mfh_observable_type mfh_obs_wp_law;

#endif
