/* Observables over two density operators (state kind "density"), whichever
 * engine made them: a Hartree mixture, the reduced density matrix R_{N:1}
 * of an N-body wave function, the kernel or orbitals of N fermions (see
 * observables/density.c). */
#ifndef MFH_OBSERVABLES_DENSITY_H
#define MFH_OBSERVABLES_DENSITY_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_density_norms;
extern const mfh_observable_type mfh_obs_orbital_l2;
extern const mfh_observable_type mfh_obs_wigner_modes;
extern const mfh_observable_type mfh_obs_density_monitors;

#endif
