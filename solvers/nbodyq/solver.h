/* The registry entry of the N-body Schroedinger solver (solver.c). */
#ifndef MFH_SOLVERS_NBODYQ_SOLVER_H
#define MFH_SOLVERS_NBODYQ_SOLVER_H

#include "harness/registry.h"

extern const mfh_solver_type mfh_solver_schrodinger;

#endif
