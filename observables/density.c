/* Observables of density operators on position grids (state kind
 * "density", core/density.h), whichever engine made them (a Hartree
 * mixture, the reduced density matrix R_{N:1} of an N-body wave function, a
 * Hartree-Fock kernel):
 *
 * `density_norms`: the trace, Hilbert-Schmidt and operator norms of the
 * difference a - b on the same grid (metrics/semiclassical/distances.h:
 * Hermitian eigenvalues by LAPACK on the dense kernel, or the rank-r route
 * when both are given by few orbitals).  The operator of a kernel K on the
 * grid is (K psi)(x_i) = dx^d sum_j K_ij psi_j, so the norms are those of
 * operators on L^2, not of matrices.
 *
 * `orbital_l2`: the distance between two orbital densities
 * R_a = sum_k w_k |a_k><a_k| and R_b = sum_k w'_k |b_k><b_k| with the same
 * number of orbitals, orbital by orbital on a's nodes,
 *   l2 = sqrt(sum_k w_k dx^d sum_j |a_k(x_j) - b_k(x_j)|^2)   (w the weights of a),
 * where b lives on the same box refined by an integer factor r (nested
 * grids: a's node j is b's node r j).  Against the same engine with dt / r
 * (same grid) it is the time discretisation error of a split-step run; against
 * r n points, the spatial one (DT-1). */
#include "observables/density.h"

#include <complex.h>
#include <math.h>

#include "core/kinds.h"
#include "metrics/semiclassical/distances.h"

/* The refinement factor of b's grid over a's (1, 2, ...), or 0 when the
 * grids are not nested on the same box. */
static size_t nest_factor(const mfh_xgrid *a, const mfh_xgrid *b) {
  if (a->dim != b->dim || a->n == 0 || b->n % a->n) return 0;
  size_t r = b->n / a->n;
  if (a->xmin != b->xmin || fabs(a->dx - (double)r * b->dx) > 1e-12 * a->dx) return 0;
  return r;
}

static int l2_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_density, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  if (a->kind != MFH_DENSITY_ORBITALS || b->kind != MFH_DENSITY_ORBITALS)
    return mfh_err_set(err, MFH_EINPUT, "orbital_l2: both densities must be orbitals + weights");
  if (a->norb != b->norb)
    return mfh_err_set(err, MFH_EINPUT, "orbital_l2: %zu orbitals against %zu", a->norb, b->norb);
  size_t r = nest_factor(&a->grid, &b->grid);
  if (!r)
    return mfh_err_set(err, MFH_EINPUT,
                       "orbital_l2: the grids are not nested (%zu points from %g, dx %g against %zu from %g, dx %g)",
                       a->grid.n, a->grid.xmin, a->grid.dx, b->grid.n, b->grid.xmin, b->grid.dx);
  size_t na = a->grid.n, nb = b->grid.n, Na = mfh_xgrid_points(&a->grid), Nb = mfh_xgrid_points(&b->grid);
  double cell = mfh_xgrid_cell(&a->grid), s = 0;
  for (size_t k = 0; k < a->norb; k++) {
    const double complex *pa = a->orb + k * Na, *pb = b->orb + k * Nb;
    double sk = 0;
    for (size_t j = 0; j < Na; j++) {
      size_t jb = a->grid.dim == 2 ? (j / na) * r * nb + (j % na) * r : j * r;
      double complex d = pa[j] - pb[jb];
      sk += creal(d) * creal(d) + cimag(d) * cimag(d);
    }
    s += a->w[k] * sk * cell;
  }
  return mfh_values_set(out, "l2", sqrt(s)) ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

const mfh_obs_type mfh_obs_orbital_l2 = {
    "orbital_l2",
    "weighted L2 distance sqrt(sum_k w_k ||a_k - b_k||^2) between the orbitals of two densities on nested "
    "grids, on a's nodes (a refined reference: same box, n times an integer)",
    NULL,
    0,
    "a:density b:density",
    "l2",
    NULL,
    l2_eval,
};

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
