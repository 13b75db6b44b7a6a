/* Observables of density operators on position grids (state kind
 * "density", core/density.h), whichever engine made them: a Hartree
 * mixture, the reduced density matrix R_{N:1} of an N-body wave function, a
 * Hartree-Fock kernel. */
#ifndef MFH_OBSERVABLES_DENSITY_H
#define MFH_OBSERVABLES_DENSITY_H

#include "core/engine.h"

extern const mfh_obs_type mfh_obs_density_norms;
extern const mfh_obs_type mfh_obs_orbital_l2;

#endif
