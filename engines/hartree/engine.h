/* Engine `hartree`: the Hartree equation for a pure or mixed state in 1D by
 * the split-step solver of engines/hartree/hartree.h (engine.c). */
#ifndef MFH_ENGINES_HARTREE_ENGINE_H
#define MFH_ENGINES_HARTREE_ENGINE_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_hartree;

#endif
