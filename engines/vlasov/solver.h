/* The registry entry `solver: vlasov` (solver.c): the 1D1V Vlasov equation
 * (Poisson or a Gaussian pair potential) on the torus [0, 2 pi / k), solved
 * by the semi-Lagrangian Strang solver of vlasov.h from a perturbed
 * equilibrium, with the scalars a study measures (conservation errors,
 * field energy, fitted damping / growth rates, errors against a refined
 * reference solve). */
#ifndef MFH_ENGINES_VLASOV_SOLVER_H
#define MFH_ENGINES_VLASOV_SOLVER_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_vlasov;

#endif
