/* External solver: runs a shell command per task and reads the observable
 * from its standard output, so users can check their own code's rates. */
#ifndef MFH_ENGINES_COMMAND_COMMAND_H
#define MFH_ENGINES_COMMAND_COMMAND_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_command;

#endif
