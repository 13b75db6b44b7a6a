/* The registry entry of the N-body Schroedinger solver (solver.c). */
#ifndef MFH_ENGINES_NBODYQ_SOLVER_H
#define MFH_ENGINES_NBODYQ_SOLVER_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_schrodinger;

#endif
