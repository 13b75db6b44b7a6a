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
 *               as density_norms (metrics/semiclassical/distances.h);
 *   marginal_norms the same norms of R_{N:k} - b^(x)k (k = 1, 2), the
 *               marginal computed here from an N-body wave function a (state
 *               kind nbody_wave) by metrics/marginals.h: the route for an
 *               engine that hands over Psi itself rather than its marginals. */
#include "observables/meanfield.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "core/kinds.h"
#include "metrics/marginals.h"
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

const mfh_observable_type mfh_obs_pickl = {
    "pickl",
    "the Pickl functional 1 - <psi|a|psi> of a density a against a pure state b = |psi><psi| on the same grid",
    NULL,
    0,
    "a:density b:density",
    "pickl",
    NULL,
    pickl_eval,
};

/* The norms of a - b (x) b: a a density on the 2D grid of b's 1D axis
 * (named `who` in messages), b a density of orbitals. */
static int pair_norms_of(const char *who, const mfh_density *a, const mfh_density *b, mfh_sc_norms *nr, mfh_err *err) {
  if (b->kind != MFH_DENSITY_ORBITALS || b->grid.dim != 1)
    return mfh_err_set(err, MFH_EINPUT, "%s: b must be a one-body density of orbitals on a 1D grid", who);
  if (a->grid.dim != 2 || !same_axis(&a->grid, &b->grid))
    return mfh_err_set(err, MFH_EINPUT,
                       "%s: a must live on the 2D grid of b's axis (got %zu^%d points from %g against "
                       "%zu from %g)",
                       who, a->grid.n, a->grid.dim, a->grid.xmin, b->grid.n, b->grid.xmin);
  size_t n = b->grid.n, nk = 0;
  for (size_t k = 0; k < b->norb; k++) nk += b->w[k] != 0;
  mfh_density prod = {.grid = a->grid, .kind = MFH_DENSITY_ORBITALS, .norb = nk * nk, .eps = a->eps};
  prod.orb = malloc(nk * nk * n * n * sizeof *prod.orb);
  prod.w = malloc(nk * nk * sizeof *prod.w);
  int rc = prod.orb && prod.w ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", who);
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
  if (!rc) rc = mfh_sc_norms_diff(a, &prod, nr, err);
  free(prod.orb);
  free(prod.w);
  return rc;
}

static int set_norms(mfh_values *out, const mfh_sc_norms *nr, mfh_err *err) {
  if (mfh_values_set(out, "tr", nr->trace) || mfh_values_set(out, "hs", nr->hs) || mfh_values_set(out, "op", nr->op))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

static int pair_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_density *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_density, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  mfh_sc_norms nr;
  int rc = pair_norms_of("pair_norms", a, b, &nr, err);
  return rc ? rc : set_norms(out, &nr, err);
}

const mfh_observable_type mfh_obs_pair_norms = {
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

/* ---- marginal_norms --------------------------------------------------------------- */

static const mfh_param_def marginal_params[] = {
    {"k", MFH_PARAM_INT, "1", 1, 2, 0, 0, NULL,
     "the marginal: 1 for R_{N:1} against b, 2 for R_{N:2} against b (x) b", 0},
};

static int marginal_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_nbody_wave *w = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_nbody_wave, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  int k = (int)mfh_params_int(p, "k");
  if (w->grid.dim != 1 || !same_axis(&w->grid, &b->grid) || b->grid.dim != 1)
    return mfh_err_set(err, MFH_EINPUT,
                       "marginal_norms: the wave function's axis (%zu points from %g) and b's 1D grid (%zu^%d from %g) "
                       "must be the same",
                       w->grid.n, w->grid.xmin, b->grid.n, b->grid.dim, b->grid.xmin);
  if (k > w->N)
    return mfh_err_set(err, MFH_EINPUT, "marginal_norms: k = %d needs at least %d particles (the state has %d)", k, k,
                       w->N);
  mfh_xgrid g = w->grid;
  g.dim = k;
  mfh_density *R = mfh_density_new(&g, MFH_DENSITY_KERNEL, 0);
  if (!R) return mfh_err_set(err, MFH_ENOMEM, "marginal_norms: out of memory for R_{N:%d} on %zu^%d points", k, g.n, k);
  R->eps = w->eps;
  int rc = k == 1 ? mfh_marginal1(w->psi, w->N, (int)w->grid.n, w->grid.dx, 1, R->kernel, err)
                  : mfh_marginal2(w->psi, w->N, (int)w->grid.n, w->grid.dx, 1, R->kernel, err);
  mfh_sc_norms nr;
  if (!rc) rc = k == 1 ? mfh_sc_norms_diff(R, b, &nr, err) : pair_norms_of("marginal_norms", R, b, &nr, err);
  mfh_density_free(R);
  return rc ? rc : set_norms(out, &nr, err);
}

const mfh_observable_type mfh_obs_marginal_norms = {
    "marginal_norms",
    "trace (tr), Hilbert-Schmidt (hs) and operator (op) norms of R_{N:k} - b^(x)k: the k-particle marginal of an "
    "N-body wave function a (computed here, metrics/marginals.h) against the orbital density b on its axis",
    marginal_params,
    sizeof marginal_params / sizeof marginal_params[0],
    "a:nbody_wave b:density",
    "tr hs op",
    NULL,
    marginal_eval,
};
