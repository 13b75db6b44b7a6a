/* Observables of quantum states at scale eps (state kind "density"):
 * MK2^eps and the MK-1 / MK-2 quantities, the WIG-1 identities, and the
 * W_2 bracket between Husimi functions of MK-3, and the W_2 bracket between
 * a Husimi function and a phase-space grid of HV-1 (semiclassical.c). */
#ifndef MFH_OBSERVABLES_SEMICLASSICAL_H
#define MFH_OBSERVABLES_SEMICLASSICAL_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_mk2eps;
extern const mfh_observable_type mfh_obs_wigner;
extern const mfh_observable_type mfh_obs_husimi_w2;
extern const mfh_observable_type mfh_obs_husimi_grid_w2;

#endif
