/* What the two registry front ends of the N-body Schroedinger solver
 * (`schrodinger` in solver.c, `rbm` and `rbm_identities` in rbm.c) share:
 * their common parameters read into one struct, and the checks every one of
 * them makes before running. */
#ifndef MFH_SOLVERS_NBODYQ_COMMON_H
#define MFH_SOLVERS_NBODYQ_COMMON_H

#include "harness/param.h"
#include "harness/status.h"

typedef struct mfh_nbq_cfg {
  int N, M;
  double L, eps, a, s, q, p, dt;
  double mem; /* memory_gb in bytes */
} mfh_nbq_cfg;

/* Read N, M, L, eps, a, s, q, p, dt, memory_gb (the table must have them). */
void mfh_nbq_cfg_read(const mfh_params *ps, mfh_nbq_cfg *c);

/* M even, the parameter t a whole number of steps dt, the wave function and
 * workspace plus extra_bytes within memory_gb (the message names the size),
 * the coherent initial orbital resolved by the grid.  0 or MFH_EINPUT with
 * *param set to the parameter at fault. */
int mfh_nbq_cfg_check(const mfh_params *ps, const mfh_nbq_cfg *c, double extra_bytes, const char **param,
                      mfh_err *err);

#endif
