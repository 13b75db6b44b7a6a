/* Observables on phase-space clouds (x_1..x_d, v_1..v_d) of particle
 * systems and their references (THEOREMS.md section 3); the geometry comes
 * from the clouds (mfh_cloud d and period). */
#ifndef MFH_OBSERVABLES_PHASE_H
#define MFH_OBSERVABLES_PHASE_H

#include "core/engine.h"

/* D_N^p = (1/N) sum_j |x_j - xbar_j|^p + |v_j - vbar_j|^p between clouds a and b (MF-1, MF-2). */
extern const mfh_observable_type mfh_obs_coupling;
/* W_1 between clouds a and b, cost |x - y| + |v - w|, at t and 0 (DOB-1). */
extern const mfh_observable_type mfh_obs_w1_phase;
/* b minus a for two smooth test functions (RBM-4 weak error). */
extern const mfh_observable_type mfh_obs_weak;
/* M_q = (1/N) sum_j |x_j|^q + |v_j|^q of cloud a at t and at 0 (MOM-1). */
extern const mfh_observable_type mfh_obs_moments;

#endif
