/* Engine `command`: your own solver under test.  A shell command per task
 * (per replica and sweep point) evolves the state; mfh hands it parameters,
 * seed, output times, a scratch folder and (optionally) an initial particle
 * cloud, and reads back numbers from its standard output and, when the
 * study declares one, a typed state per output time from files it writes
 * (engines/command/statefile.h), which mfh's own observables then measure
 * against mfh's own reference engines. */
#ifndef MFH_ENGINES_COMMAND_COMMAND_H
#define MFH_ENGINES_COMMAND_COMMAND_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_command;

#endif
