/* The registry entry of the 3D Coulomb N-body solver against the radial
 * Euler-Poisson reference (solver.c; THEOREMS.md CEP-1, CEP-4). */
#ifndef MFH_ENGINES_COULOMB3D_SOLVER_H
#define MFH_ENGINES_COULOMB3D_SOLVER_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_coulomb3d;

/* The Onsager / Lieb-Narnhofer constant (derived in solver.c):
 * P_N >= -MFH_C3_ONSAGER ||rho||_inf^{1/3} N^{-2/3} for every configuration,
 * MFH_C3_ONSAGER = (9/10) (2 / (4 pi)) (4 pi / 3)^{1/3}. */
#define MFH_C3_ONSAGER 0.23090083893547594

#endif
