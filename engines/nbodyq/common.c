#include "engines/nbodyq/common.h"

#include <math.h>

#include "core/plugin.h"
#include "engines/hartree/hartree.h"
#include "engines/nbodyq/nbodyq.h"

void mfh_nbq_cfg_read(const mfh_params *ps, mfh_nbq_cfg *c) {
  c->N = (int)mfh_params_int(ps, "N");
  c->M = (int)mfh_params_int(ps, "M");
  c->L = mfh_params_real(ps, "L");
  c->eps = mfh_params_real(ps, "eps");
  c->a = mfh_params_real(ps, "a");
  c->s = mfh_params_real(ps, "s");
  c->q = mfh_params_real(ps, "q");
  c->p = mfh_params_real(ps, "p");
  c->dt = mfh_params_real(ps, "dt");
  c->mem = mfh_params_real(ps, "memory_gb") * 1e9;
}

int mfh_nbq_cfg_check(const mfh_params *ps, const mfh_nbq_cfg *c, double extra_bytes, const char **param,
                      mfh_err *err) {
  if (c->M % 2) return mfh_param_reject(param, "M", err, "M must be even (got %d)", c->M);
  double t = mfh_params_real(ps, "t");
  if (!mfh_whole_steps(t, c->dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c->dt);
  double bytes = mfh_nbodyq_bytes(c->N, c->M) + extra_bytes;
  if (bytes > c->mem)
    return mfh_param_reject(param, "N", err,
                            "N = %d, M = %d needs %.3g GB for the wave function and workspace; limit %.3g GB "
                            "(memory_gb)",
                            c->N, c->M, bytes / 1e9, c->mem / 1e9);
  mfh_hartree_extent ext;
  mfh_err e2;
  if (mfh_hartree_coherent_extent(1, c->eps, 0, 1, &c->q, &c->p, &ext, &e2) ||
      mfh_hartree_check_extent(c->eps, -c->L / 2, c->L / 2, c->M, &ext, 6, NULL, &e2))
    return mfh_param_reject(param, "M", err, "%s", e2.msg);
  return MFH_OK;
}

void mfh_nbq_estimate(const mfh_params *ps, double extra_bytes, double copies, double runs, double *bytes,
                      double *seconds) {
  mfh_nbq_cfg c;
  mfh_nbq_cfg_read(ps, &c);
  double pts = pow((double)c.M, (double)c.N);
  double steps = ceil(mfh_params_real(ps, "t") / c.dt);
  *bytes = copies * mfh_nbodyq_bytes(c.N, c.M) + extra_bytes;
  *seconds = runs * copies * steps * 5e-9 * pts * log2(pts + 2);
}
