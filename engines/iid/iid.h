/* i.i.d. samples of a reference law in n = 1..6 dimensions: the "solver"
 * of the pure-probability studies (FG-1). */
#ifndef MFH_ENGINES_IID_IID_H
#define MFH_ENGINES_IID_IID_H

#include "core/plugin.h"

extern const mfh_solver_type mfh_solver_iid;

#endif
