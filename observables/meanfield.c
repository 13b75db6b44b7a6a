/* Observables of a many-body marginal against its mean-field state
 * (THEOREMS.md SH-1, SH-2): a density a (e.g. R_{N:1} or R_{N:2} of an
 * N-body wave function) against a density b of orbitals (e.g. the Hartree
 * state), on b's grid.
 *   pickl       the Pickl functional 1 - <psi|a|psi> for a pure b = |psi><psi|
 *               (one orbital, or exactly one positive weight):
 *               <psi|a|psi> = dx^{2d} sum_ij conj(psi_i) a(x_i, x_j) psi_j for a
 *               kernel, sum_k w_k |<psi|a_k>|^2 for orbitals (SH-2);
 *   pair_norms  the trace, Hilbert-Schmidt and operator norms of
 *               a - b (x) b, a a density on the 2D grid (x_1, x_2) (a
 *               two-particle marginal) and b (x) b = sum_kl w_k w_l
 *               |psi_k psi_l><psi_k psi_l| the product state on the same
 *               axis (for a pure b the factorised |psi psi><psi psi|); norms
 *               as density_norms (metrics/semiclassical/distances.h). */
#include "observables/meanfield.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "core/kinds.h"
#include "metrics/semiclassical/distances.h"

/* 1 if g and h are the same axis (points, origin, spacing). */
static int same_axis(const mfh_xgrid *g, const mfh_xgrid *h) {
  return g->n == h->n && g->xmin == h->xmin && g->dx == h->dx;
}

/* The orbital of a pure orbital density (one orbital, or the only one with a
 * positive weight), or NULL. */
static const double complex *pure_orbital(const mfh_density *b) {
  if (b->kind != MFH_DENSITY_ORBITALS || !b->orb) return NULL;
  if (b->norb == 1) return b->orb;
  const double complex *psi = NULL;
  size_t N = mfh_xgrid_points(&b->grid);
  for (size_t k = 0; k < b->norb; k++)
    if (b->w[k] > 0) {
      if (psi) return NULL;
      psi = b->orb + k * N;
    }
  return psi;
}

static int pickl_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_density, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  const double complex *psi = pure_orbital(b);
  if (!psi) return mfh_err_set(err, MFH_EINPUT, "pickl: b must be a pure state given by one orbital");
  if (a->grid.dim != b->grid.dim || !same_axis(&a->grid, &b->grid))
    return mfh_err_set(err, MFH_EINPUT, "pickl: a and b must live on the same grid");
  size_t N = mfh_xgrid_points(&a->grid);
  double cell = mfh_xgrid_cell(&a->grid), ev = 0;
  if (a->kind == MFH_DENSITY_KERNEL) {
    double complex s = 0;
    for (size_t i = 0; i < N; i++) {
      double complex row = 0;
      for (size_t j = 0; j < N; j++) row += a->kernel[i * N + j] * psi[j];
      s += conj(psi[i]) * row;
    }
    ev = creal(s) * cell * cell;
  } else {
    for (size_t k = 0; k < a->norb; k++) {
      double complex s = 0;
      for (size_t j = 0; j < N; j++) s += conj(psi[j]) * a->orb[k * N + j];
      s *= cell;
      ev += a->w[k] * (creal(s) * creal(s) + cimag(s) * cimag(s));
    }
  }
  return mfh_values_set(out, "pickl", 1 - ev) ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

const mfh_obs_type mfh_obs_pickl = {
    "pickl",
    "the Pickl functional 1 - <psi|a|psi> of a density a against a pure state b = |psi><psi| on the same grid",
    NULL,
    0,
    "a:density b:density",
    "pickl",
    NULL,
    pickl_eval,
};

static int pair_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_density, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  if (b->kind != MFH_DENSITY_ORBITALS || b->grid.dim != 1)
    return mfh_err_set(err, MFH_EINPUT, "pair_norms: b must be a one-body density of orbitals on a 1D grid");
  if (a->grid.dim != 2 || !same_axis(&a->grid, &b->grid))
    return mfh_err_set(err, MFH_EINPUT,
                       "pair_norms: a must live on the 2D grid of b's axis (got %zu^%d points from %g against "
                       "%zu from %g)",
                       a->grid.n, a->grid.dim, a->grid.xmin, b->grid.n, b->grid.xmin);
  size_t n = b->grid.n, nk = 0;
  for (size_t k = 0; k < b->norb; k++) nk += b->w[k] != 0;
  mfh_density prod = {.grid = a->grid, .kind = MFH_DENSITY_ORBITALS, .norb = nk * nk, .eps = a->eps};
  prod.orb = malloc(nk * nk * n * n * sizeof *prod.orb);
  prod.w = malloc(nk * nk * sizeof *prod.w);
  int rc = prod.orb && prod.w ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "pair_norms: out of memory");
  size_t m = 0;
  for (size_t k = 0; !rc && k < b->norb; k++)
    for (size_t l = 0; b->w[k] != 0 && l < b->norb; l++) {
      if (b->w[l] == 0) continue;
      const double complex *pk = b->orb + k * n, *pl = b->orb + l * n;
      double complex *o = prod.orb + m * n * n;
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) o[i * n + j] = pk[i] * pl[j];
      prod.w[m++] = b->w[k] * b->w[l];
    }
  mfh_sc_norms nr;
  if (!rc) rc = mfh_sc_norms_diff(a, &prod, &nr, err);
  if (!rc && (mfh_values_set(out, "tr", nr.trace) || mfh_values_set(out, "hs", nr.hs) ||
              mfh_values_set(out, "op", nr.op)))
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  free(prod.orb);
  free(prod.w);
  return rc;
}

const mfh_obs_type mfh_obs_pair_norms = {
    "pair_norms",
    "trace (tr), Hilbert-Schmidt (hs) and operator (op) norms of a - b (x) b: a two-particle marginal on the "
    "2D grid against the product of the one-body orbital density b",
    NULL,
    0,
    "a:density b:density",
    "tr hs op",
    NULL,
    pair_eval,
};
