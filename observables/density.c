/* Observables over density operators (state kind "density"), whichever
 * engine made them: a Hartree mixture, the reduced density matrix R_{N:1}
 * of an N-body wave function, the kernel or orbitals of N fermions.  The
 * geometry (grid, eps) is the state's own.
 *
 *   density_norms    trace, Hilbert-Schmidt and operator norms of a - b
 *                    (metrics/semiclassical/distances.h: Hermitian
 *                    eigenvalues by LAPACK on the dense kernel, or the
 *                    rank-r route when both are given by few orbitals; with
 *                    spectrum: false only hs, from the entries).  The
 *                    operator of a kernel K on the grid is
 *                    (K psi)(x_i) = dx^d sum_j K_ij psi_j, so the norms are
 *                    those of operators on L^2, not of matrices.
 *   wigner_modes     the characteristic function of W_eps[a - b] / tr a at
 *                    the standard physical modes (p, q)
 *                    (metrics/semiclassical/charfun.h) and its maximum
 *                    weighted by (1 + |p| + |q|)^-2 (THEOREMS.md HF-3).
 *   density_monitors the hypotheses of the semiclassical mean-field
 *                    theorems on the initial state a0
 *                    (metrics/semiclassical/regularity.h):
 *                    tr|[x, a0]| / (eps tr a0), tr|[eps grad, a0]| /
 *                    (eps tr a0) and ||grad W_eps[a0 / tr a0]||_{L^1}.
 *
 *   orbital_l2       the distance between two orbital densities
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
#include <string.h>

#include "core/kinds.h"
#include "metrics/semiclassical/charfun.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/regularity.h"

static int set3(mfh_values *out, const char *a, double va, const char *b, double vb, const char *c, double vc,
                mfh_err *err) {
  if (mfh_values_set(out, a, va) || mfh_values_set(out, b, vb) || (c && mfh_values_set(out, c, vc)))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

static const mfh_density *density_of(const mfh_obs_args *in, int role) {
  return mfh_state_get(in->s[role], &mfh_kind_density, NULL);
}

/* ---- density_norms ------------------------------------------------------------ */

static const mfh_param_def norms_params[] = {
    {"spectrum", MFH_PARAM_CHOICE, "true", 0, 0, 0, 0, "true|false",
     "false: only hs, from the entries in O(N^2) (no O(N^3) eigenvalues); tr and op are then NaN", 0},
};

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

const mfh_observable_type mfh_obs_orbital_l2 = {
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
  const mfh_density *a = density_of(in, MFH_ROLE_A), *b = density_of(in, MFH_ROLE_B);
  if (strcmp(mfh_params_str(p, "spectrum"), "false") == 0) {
    double hs = NAN;
    int rc = mfh_sc_hs_diff(a, b, &hs, err);
    return rc ? rc : set3(out, "tr", NAN, "hs", hs, "op", NAN, err);
  }
  mfh_sc_norms n;
  int rc = mfh_sc_norms_diff(a, b, &n, err);
  return rc ? rc : set3(out, "tr", n.trace, "hs", n.hs, "op", n.op, err);
}

const mfh_observable_type mfh_obs_density_norms = {
    "density_norms",
    "trace (tr), Hilbert-Schmidt (hs) and operator (op) norms of a - b, two density operators on the "
    "same grid (Hermitian eigenvalues, LAPACK; spectrum: false gives hs alone)",
    norms_params,
    sizeof norms_params / sizeof norms_params[0],
    "a:density b:density",
    "tr hs op",
    NULL,
    norms_eval,
};

/* ---- wigner_modes ---------------------------------------------------------------- */

static int modes_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = density_of(in, MFH_ROLE_A), *b = density_of(in, MFH_ROLE_B);
  if (a->grid.dim != b->grid.dim || a->eps != b->eps)
    return mfh_err_set(err, MFH_EINPUT, "wigner_modes: the two states differ in dimension or eps");
  int d = a->grid.dim;
  double pp[2 * MFH_SC_CHARFUN_MAX], qq[2 * MFH_SC_CHARFUN_MAX], tr = 0;
  double complex ca[MFH_SC_CHARFUN_MAX], cb[MFH_SC_CHARFUN_MAX];
  size_t nm = mfh_sc_charfun_standard(d, pp, qq);
  int rc = mfh_sc_state_trace(a, &tr, err);
  if (!rc && !(tr > 0)) rc = mfh_err_set(err, MFH_EINPUT, "wigner_modes: tr a = %g is not positive", tr);
  if (!rc) rc = mfh_sc_charfun(a, nm, pp, qq, ca, err);
  if (!rc) rc = mfh_sc_charfun(b, nm, pp, qq, cb, err);
  if (rc) return rc;
  double umax = 0;
  for (size_t j = 0; j < nm; j++) {
    ca[j] = (ca[j] - cb[j]) / tr;
    umax = fmax(umax, cabs(ca[j]));
  }
  double wmax = mfh_sc_charfun_weighted_max(d, nm, pp, qq, ca, NULL);
  return set3(out, "modes", wmax, "modes_max", umax, NULL, 0, err);
}

const mfh_observable_type mfh_obs_wigner_modes = {
    "wigner_modes",
    "modes: max over the standard (p, q) of |tr e^{i(p.x + q.P)}(a - b)| / tr a weighted by (1 + |p| + |q|)^-2 "
    "(the characteristic function of the Wigner-function difference, HF-3); modes_max: unweighted",
    NULL,
    0,
    "a:density b:density",
    "modes modes_max",
    NULL,
    modes_eval,
};

/* ---- density_monitors ------------------------------------------------------------- */

static const mfh_param_def monitors_params[] = {
    {"gradient", MFH_PARAM_CHOICE, "true", 0, 0, 0, 0, "true|false",
     "false: skip ||grad W||_1 (O((2n)^(2d) m)); grad_w is then NaN", 0},
};

static int monitors_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_density *a = density_of(in, MFH_ROLE_A0);
  double cx = NAN, cp = NAN, gw = NAN, tr = 0;
  int rc = mfh_sc_state_trace(a, &tr, err);
  if (rc) return rc;
  if (!(tr > 0)) return mfh_err_set(err, MFH_EINPUT, "density_monitors: tr a0 = %g is not positive", tr);
  rc = mfh_sc_commutators(a, &cx, &cp, err);
  if (!rc && strcmp(mfh_params_str(p, "gradient"), "true") == 0) rc = mfh_sc_wigner_grad_l1(a, &gw, err);
  if (rc) return rc;
  double s = 1.0 / (a->eps * tr);
  return set3(out, "comm_x", cx * s, "comm_p", cp * s, "grad_w", gw / tr, err);
}

const mfh_observable_type mfh_obs_density_monitors = {
    "density_monitors",
    "hypotheses of the initial state a0 (HF-3): comm_x = max_a tr|[x_a, a0]| / (eps tr a0), comm_p = max_a "
    "tr|[eps d_a, a0]| / (eps tr a0), grad_w = ||grad W_eps[a0 / tr a0]||_L1 (phase-space grid)",
    monitors_params,
    sizeof monitors_params / sizeof monitors_params[0],
    "a0:density",
    "comm_x comm_p grad_w",
    NULL,
    monitors_eval,
};
