/* Observables on phase-space clouds (x_1..x_d, v_1..v_d) of particle
 * systems and their references (THEOREMS.md section 3). */
#ifndef MFH_OBSERVABLES_PHASE_H
#define MFH_OBSERVABLES_PHASE_H

#include "core/plugin.h"

/* D_N^p = (1/N) sum_j |x_j - xbar_j|^p + |v_j - vbar_j|^p (MF-1, MF-2). */
extern const mfh_observable_type mfh_observable_coupling;
/* W_1 between the system and its twin, cost |x - y| + |v - w|, at t and 0 (DOB-1). */
extern const mfh_observable_type mfh_observable_w1_phase;
/* Twin minus system for two smooth test functions (RBM-4 weak error). */
extern const mfh_observable_type mfh_observable_weak;
/* M_q = (1/N) sum_j |x_j|^q + |v_j|^q at t and at 0 (MOM-1). */
extern const mfh_observable_type mfh_observable_moments;

#endif
