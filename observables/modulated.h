/* The modulated energy of particles against a monokinetic fluid, at t and
 * at t = 0 (modulated.c; THEOREMS.md CEP-1 .. CEP-4). */
#ifndef MFH_OBSERVABLES_MODULATED_H
#define MFH_OBSERVABLES_MODULATED_H

#include "core/engine.h"

extern const mfh_obs_type mfh_obs_modulated_energy;
extern const mfh_obs_type mfh_obs_modulated_energy0;

#endif
