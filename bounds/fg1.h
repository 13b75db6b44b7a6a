/* Explicit bounds for the empirical-measure studies (FG-1). */
#ifndef MFH_BOUNDS_FG1_H
#define MFH_BOUNDS_FG1_H

#include "core/plugin.h"

/* E W_1(mu_N, mu) <= J1 / sqrt(N) in 1D, J1 = int sqrt(F(1-F)) dx. */
extern const mfh_bound_type mfh_bound_w1_1d;

#endif
