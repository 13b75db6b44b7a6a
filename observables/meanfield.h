/* Observables of a many-body marginal against its mean-field state: the
 * Pickl functional (`pickl`) and the norms of a two-particle marginal minus
 * the product state (`pair_norms`), and the same norms of the marginals of an
 * N-body wave function (`marginal_norms`) (meanfield.c). */
#ifndef MFH_OBSERVABLES_MEANFIELD_H
#define MFH_OBSERVABLES_MEANFIELD_H

#include "core/engine.h"

extern const mfh_observable_type mfh_obs_pickl;
extern const mfh_observable_type mfh_obs_pair_norms;
extern const mfh_observable_type mfh_obs_marginal_norms;

#endif
