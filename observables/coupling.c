/* Observable `coupling`: D = sum_j w_j (|x_j - y_j|^p + |v_j - u_j|^p)
 * between two clouds of the same particles (index j in both; w_j = 1/N, or
 * the first cloud's weights), with the parts Dx (positions) and Dv
 * (velocities).  On a torus the position difference is the minimum image,
 * coordinate by coordinate.  This is MF-1's D_N(t) (p = 2) and MF-2's D_N^p
 * for the N-body particles against the mean-field characteristics started
 * from the same points (THEOREMS.md section 3); since it is the cost of one
 * coupling of the two empirical measures, it bounds W_p^p between them from
 * above.  A plain point cloud (no phase-space geometry) has Dx = D, Dv = 0. */
#include "observables/coupling.h"

#include <math.h>

#include "core/kinds.h"

static const mfh_param_def coupling_params[] = {
    {"p", MFH_PARAM_REAL, "2", 1, 16, 0, 0, NULL, "exponent p of the costs |x - y|^p, |v - u|^p", 0},
};

/* |z|^p for the Euclidean norm of z (sum of squares s). */
static double norm_p(double s, double p) { return p == 2 ? s : pow(s, p / 2); }

static int coupling_eval(const mfh_params *ps, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_cloud *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_cloud, NULL);
  const mfh_cloud *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_cloud, NULL);
  double p = mfh_params_real(ps, "p");
  if (a->n != b->n || a->dim != b->dim || a->d != b->d)
    return mfh_err_set(err, MFH_EINPUT,
                       "coupling: the clouds do not hold the same particles (%zu x %zu and %zu x %zu coordinates)",
                       a->n, a->dim, b->n, b->dim);
  if (a->period != b->period)
    return mfh_err_set(err, MFH_EINPUT, "coupling: the clouds live on different tori (periods %g and %g)",
                       a->period, b->period);
  size_t npos = a->d ? a->d : a->dim, dim = a->dim;
  double L = a->period, dx = 0, dv = 0;
  for (size_t j = 0; j < a->n; j++) {
    double sx = 0, sv = 0;
    for (size_t i = 0; i < dim; i++) {
      double e = a->x[j * dim + i] - b->x[j * dim + i];
      if (i < npos && L > 0) {
        e = fmod(fabs(e), L);
        if (e > L / 2) e = L - e;
      }
      if (i < npos) sx += e * e;
      else sv += e * e;
    }
    double w = a->w ? a->w[j] : 1.0 / (double)a->n;
    dx += w * norm_p(sx, p);
    dv += w * (npos < dim ? norm_p(sv, p) : 0);
  }
  int rc = mfh_values_set(out, "D", dx + dv);
  if (!rc) rc = mfh_values_set(out, "Dx", dx);
  if (!rc) rc = mfh_values_set(out, "Dv", dv);
  return rc;
}

const mfh_obs_type mfh_obs_coupling = {
    "coupling",
    "coupling distance D = (1/N) sum_j |x_j - y_j|^p + |v_j - u_j|^p (and its parts Dx, Dv) between two clouds of "
    "the same particles (same index; torus: minimum image); an upper bound on W_p^p (MF-1, MF-2)",
    coupling_params,
    sizeof coupling_params / sizeof coupling_params[0],
    "a:cloud b:cloud",
    "D Dx Dv",
    NULL,
    coupling_eval,
};
