/* The registry entries of the random batch method studies (rbm.c):
 * `rbm` (RBM-1, RBM-2: Monte Carlo over realisations against the full
 * N-body dynamics) and `rbm_identities` (RBM-3: exact identities). */
#ifndef MFH_ENGINES_NBODYQ_RBM_H
#define MFH_ENGINES_NBODYQ_RBM_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_rbm;
extern const mfh_solver_type mfh_solver_rbm_identities;

#endif
