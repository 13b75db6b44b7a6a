/* Observable `density_norms`: the trace, Hilbert-Schmidt and operator norms
 * of the difference a - b of two density operators on the same grid
 * (metrics/semiclassical/distances.h: Hermitian eigenvalues by LAPACK on the
 * dense kernel, or the rank-r route when both are given by few orbitals).
 * The operator of a kernel K on the grid is (K psi)(x_i) = dx^d sum_j K_ij
 * psi_j, so the norms are those of operators on L^2, not of matrices. */
#include "observables/density.h"

#include "core/kinds.h"
#include "metrics/semiclassical/distances.h"

static int norms_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_density, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  mfh_sc_norms n;
  int rc = mfh_sc_norms_diff(a, b, &n, err);
  if (!rc) rc = mfh_values_set(out, "tr", n.trace);
  if (!rc) rc = mfh_values_set(out, "hs", n.hs);
  if (!rc) rc = mfh_values_set(out, "op", n.op);
  return rc ? (rc == MFH_ENOMEM ? mfh_err_set(err, rc, "out of memory") : rc) : MFH_OK;
}

const mfh_obs_type mfh_obs_density_norms = {
    "density_norms",
    "trace (tr), Hilbert-Schmidt (hs) and operator (op) norms of a - b, two density operators on the "
    "same grid (Hermitian eigenvalues, LAPACK)",
    NULL,
    0,
    "a:density b:density",
    "tr hs op",
    NULL,
    norms_eval,
};
