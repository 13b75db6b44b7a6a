/* The registry entry of the quantum-state solver (solver.c). */
#ifndef MFH_ENGINES_SEMICLASSICAL_SOLVER_H
#define MFH_ENGINES_SEMICLASSICAL_SOLVER_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_qstates;

#endif
