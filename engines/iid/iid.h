/* i.i.d. samples of a reference law in n = 1..6 dimensions: the engine of
 * the pure-probability studies (FG-1). */
#ifndef MFH_ENGINES_IID_IID_H
#define MFH_ENGINES_IID_IID_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_iid;

#endif
