/* The engine `ep1d`: the exact 1D Euler-Poisson solution as a fluid
 * (exact.c; THEOREMS.md CEP-2, CEP-3, CEP-5). */
#ifndef MFH_ENGINES_EP1D_EXACT_H
#define MFH_ENGINES_EP1D_EXACT_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_ep1d;

#endif
