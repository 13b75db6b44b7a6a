/* The registry entry of the classical particle solver (solver.c). */
#ifndef MFH_SOLVERS_PARTICLES_PARTICLES_H
#define MFH_SOLVERS_PARTICLES_PARTICLES_H

#include "harness/registry.h"

extern const mfh_solver_type mfh_solver_nbody;

#endif
