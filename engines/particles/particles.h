/* The registry entries of the classical particle model: the N-body system
 * (engine_nbody.c) and the mean-field characteristics it is coupled with
 * (engine_characteristics.c).  The shared model is law.h. */
#ifndef MFH_ENGINES_PARTICLES_PARTICLES_H
#define MFH_ENGINES_PARTICLES_PARTICLES_H

#include "core/engine.h"

/* N-body Newton (Verlet / Yoshida 4 / random batches) from N draws of the law. */
extern const mfh_engine_type mfh_engine_nbody;
/* Free streaming or 1D Vlasov-field characteristics from a cloud of particles. */
extern const mfh_engine_type mfh_engine_characteristics;

#endif
