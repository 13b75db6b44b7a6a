/* Engine `qstate`: one quantum state at scale eps on a 1D grid (coherent,
 * random pure, random Toeplitz mixture), for the MK and WIG studies. */
#ifndef MFH_ENGINES_SEMICLASSICAL_QSTATE_H
#define MFH_ENGINES_SEMICLASSICAL_QSTATE_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_qstate;

#endif
