/* Observables `dual_proxy` and `smooth_obs`: the dual-norm proxy and the
 * smooth observables of the difference of two density operators, with Monte
 * Carlo standard errors when the first carries samples (dual.c). */
#ifndef MFH_OBSERVABLES_DUAL_H
#define MFH_OBSERVABLES_DUAL_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_dual_proxy;
extern const mfh_observable_type mfh_obs_smooth_obs;

#endif
