/* The registry entry of the quantum-state solver (solver.c). */
#ifndef MFH_SOLVERS_SEMICLASSICAL_SOLVER_H
#define MFH_SOLVERS_SEMICLASSICAL_SOLVER_H

#include "harness/registry.h"

extern const mfh_solver_type mfh_solver_qstates;

#endif
