/* Pass-through observable: the solver's own named scalars. */
#ifndef MFH_OBSERVABLES_VALUE_H
#define MFH_OBSERVABLES_VALUE_H

#include "core/engine.h"
#include "core/plugin.h"

extern const mfh_observable_type mfh_obs_value;

#endif
