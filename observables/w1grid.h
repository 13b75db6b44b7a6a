/* W_1 between a 1D1V particle system and a phase-space density on a grid
 * (MF-3: the empirical measure against the Vlasov solution). */
#ifndef MFH_OBSERVABLES_W1GRID_H
#define MFH_OBSERVABLES_W1GRID_H

#include "core/engine.h"

/* W_1(mu_N(t), f(t)) and W_1(mu_N(0), f(0)) between the cloud of a and the
 * phase_grid of b, cost |x - y|_T + |v - w|, as estimates with certified
 * brackets (metrics/gridw1.h), and their ratio. */
extern const mfh_observable_type mfh_obs_w1_grid;

#endif
