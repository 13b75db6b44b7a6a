/* Wasserstein observables on i.i.d. samples (FG-1). */
#ifndef MFH_OBSERVABLES_WP_H
#define MFH_OBSERVABLES_WP_H

#include "core/plugin.h"

/* W_p^p(mu_N, mu) exactly, against the sample's exact 1D law. */
extern const mfh_observable_type mfh_observable_wp_law;
/* W_p^p(mu_N, nu_M) exactly, between the sample and an independent twin
 * sample: E W_p^p(mu_N, mu) <= E W_p^p(mu_N, nu_N) <= 2^p E W_p^p(mu_N, mu)
 * (convexity; triangle inequality), so it has the same rate in N. */
extern const mfh_observable_type mfh_observable_wp_twin;

#endif
