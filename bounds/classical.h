/* Explicit bounds of the classical mean-field limit (THEOREMS.md section 3). */
#ifndef MFH_BOUNDS_CLASSICAL_H
#define MFH_BOUNDS_CLASSICAL_H

#include "core/plugin.h"

extern const mfh_bound_type mfh_bound_mf1;  /* MF-1 coupling bound */
extern const mfh_bound_type mfh_bound_dob1; /* DOB-1 Dobrushin growth factor */
extern const mfh_bound_type mfh_bound_mom1; /* MOM-1 moment growth factor */

#endif
