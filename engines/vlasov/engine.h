/* Engine `vlasov` (engine.c): the 1D1V Vlasov equation (Poisson, or a
 * Gaussian pair potential on the torus or on R, or free streaming) solved by
 * the semi-Lagrangian Strang solver of vlasov.h from a perturbed equilibrium
 * or a Gaussian phase-space density.  At every output time: the density f
 * (phase_grid "f"), the self-consistent field (field "field") and scalars
 * about its own run (field energy, conservation errors, fitted rates). */
#ifndef MFH_ENGINES_VLASOV_ENGINE_H
#define MFH_ENGINES_VLASOV_ENGINE_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_vlasov;

#endif
