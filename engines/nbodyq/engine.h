/* Engine `nbodyq`: N bosons in 1D on the M^N tensor grid, full pair
 * dynamics or random batches, R_{N:1} (and R_{N:2}) at every output time
 * (engine.c). */
#ifndef MFH_ENGINES_NBODYQ_ENGINE_H
#define MFH_ENGINES_NBODYQ_ENGINE_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_nbodyq;

#endif
