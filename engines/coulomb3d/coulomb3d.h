/* The 3D Coulomb family (THEOREMS.md CEP-1, CEP-4): the N-body engine
 * `coulomb3d` (coulomb3d.c, on the pair kernel of pairs.h) and the exact
 * radial Euler-Poisson explosion `ep3d` (ep3d.c, on the tables of radial.h). */
#ifndef MFH_ENGINES_COULOMB3D_COULOMB3D_H
#define MFH_ENGINES_COULOMB3D_COULOMB3D_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_coulomb3d;
extern const mfh_engine_type mfh_engine_ep3d;

/* The Onsager / Lieb-Narnhofer constant (derived in coulomb3d.c):
 * P_N >= -MFH_C3_ONSAGER ||rho||_inf^{1/3} N^{-2/3} for every configuration,
 * MFH_C3_ONSAGER = (9/10) (2 / (4 pi)) (4 pi / 3)^{1/3}. */
#define MFH_C3_ONSAGER 0.23090083893547594

#endif
