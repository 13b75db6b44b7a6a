/* The modulated energy of particles (THEOREMS.md CEP-1 .. CEP-4) or of a
 * pure 1D quantum state (CEP-5) against a monokinetic fluid, at t and at
 * t = 0 (modulated.c). */
#ifndef MFH_OBSERVABLES_MODULATED_H
#define MFH_OBSERVABLES_MODULATED_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_modulated_energy;
extern const mfh_observable_type mfh_obs_modulated_energy0;
extern const mfh_observable_type mfh_obs_modulated_density;
extern const mfh_observable_type mfh_obs_modulated_density0;

#endif
