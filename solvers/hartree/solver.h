/* The registry entry of the Hartree solver (solver.c). */
#ifndef MFH_SOLVERS_HARTREE_SOLVER_H
#define MFH_SOLVERS_HARTREE_SOLVER_H

#include "harness/registry.h"

extern const mfh_solver_type mfh_solver_hartree;

#endif
