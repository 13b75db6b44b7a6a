/* Engine `rbm_identities`: the exact identities of the random batch method
 * (RBM-3) as scalars, a self-test of the random batch step (identities.c). */
#ifndef MFH_ENGINES_NBODYQ_IDENTITIES_H
#define MFH_ENGINES_NBODYQ_IDENTITIES_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_rbm_identities;

#endif
