/* What the two engines over the N-body Schroedinger solver (`nbodyq` in
 * engine.c, `rbm_identities` in identities.c) share: their common
 * parameters read into one struct, and the checks both make before
 * running. */
#ifndef MFH_ENGINES_NBODYQ_COMMON_H
#define MFH_ENGINES_NBODYQ_COMMON_H

#include "core/param.h"
#include "core/status.h"

/* The rows of the parameter tables that every front end has with the same
 * meaning and default: box, Planck constant, Gaussian pair potential, the
 * coherent initial orbital. */
#define MFH_NBQ_MODEL_PARAMS                                                                        \
  {"L", MFH_PARAM_REAL, "10", 0, 1e6, 1, 0, NULL, "box [-L/2, L/2)", 0},                            \
      {"eps", MFH_PARAM_REAL, "1", 0, 100, 1, 0, NULL, "Planck constant (eps plays hbar)", 0},      \
      {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "Gaussian pair potential amplitude", 0},    \
      {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "Gaussian pair potential width", 0},           \
      {"q", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "coherent initial orbital: centre", 0},     \
      {"p", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "coherent initial orbital: momentum", 0}

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

/* The harness's estimate (mfh_engine_type.estimate) for `copies` N-body wave
 * functions plus extra_bytes, evolved to t in steps dt `runs` times: a
 * split step costs some 5 ns per grid point and log2 of the grid size. */
void mfh_nbq_estimate(const mfh_params *ps, double extra_bytes, double copies, double runs, double *bytes,
                      double *seconds);

#endif
