/* The registry entry of the HV-1 solver (hv1.c): Hartree (Toeplitz data)
 * against Vlasov, W_2 between the Vlasov density and the Husimi function. */
#ifndef MFH_ENGINES_SEMICLASSICAL_HV1_H
#define MFH_ENGINES_SEMICLASSICAL_HV1_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_hv1;

#endif
