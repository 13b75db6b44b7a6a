/* The registry entry of the classical particle solver (solver.c). */
#ifndef MFH_ENGINES_PARTICLES_PARTICLES_H
#define MFH_ENGINES_PARTICLES_PARTICLES_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_nbody;

#endif
