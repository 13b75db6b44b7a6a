/* The registry entry of the Hartree solver (solver.c). */
#ifndef MFH_ENGINES_HARTREE_SOLVER_H
#define MFH_ENGINES_HARTREE_SOLVER_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_hartree;

#endif
