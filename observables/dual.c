/* Weak distances between two density operators a and b on the same 1D
 * grid, at a's scale eps (THEOREMS.md SH-3, RBM-1;
 * metrics/semiclassical/dualnorm.h), with D = a - b:
 *   dual_proxy      dual: the certified lower bound of the dual C^{n,n}_b
 *                   norm of the Wigner difference W[a] - W[b], the max over
 *                   the FIXED physical modes k = j 2 pi / L (|k| <= 4),
 *                   l = 0, 0.25, .., 4 of |chi_D(k, l)| / (max(1,|k|)^2
 *                   max(1,|l|)^2), chi the Wigner characteristic function
 *                   (the same test functions at every eps, so values compare
 *                   along an eps or dt sweep); dual_k, dual_l its arg-max;
 *   smooth_obs      gx, gxi, cosx: tr(D A^W) for the smooth bounded symbols
 *                   A = exp(-x^2/2), exp(-xi^2/2), cos x (signed).
 * When a is a Monte Carlo mean carrying its samples a_r (r = 1..R, e.g. the
 * random batch method's realisations), the standard errors come from the
 * samples, each sum taken in sample order:
 *   dual_se         weight x sqrt(s^2 / R) at the arg-max mode, s^2 =
 *                   (1/(R-1)) sum_r |chi_r - mean chi|^2 the sample variance
 *                   of the complex chi of each a_r (Welford); this bounds the
 *                   error of |mean chi| to first order (the arg-max is chosen
 *                   from the same data, so dual is biased upwards by about
 *                   dual_se when dual_se is not small);
 *   gx, gxi, cosx   then the sample mean (Welford) of tr(a_r A^W) minus
 *                   tr(b A^W), with gx_se, gxi_se, cosx_se the standard
 *                   errors of those means.
 * Without samples every *_se is 0 (no Monte Carlo error). */
#include "observables/dual.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "core/kinds.h"
#include "metrics/semiclassical/dualnorm.h"

/* The kernel of d on its n x n grid: d's own, or (orbitals) a new one,
 * sum_k (w_k psi_k(x_i)) conj(psi_k(x_j)) over the orbitals with w_k != 0
 * (*owned set to free).  NULL when out of memory. */
static const double complex *kernel_of(const mfh_density *d, double complex **owned) {
  *owned = NULL;
  if (d->kind == MFH_DENSITY_KERNEL) return d->kernel;
  size_t n = d->grid.n;
  double complex *K = calloc(n * n, sizeof *K);
  if (!K) return NULL;
  int first = 1;
  for (size_t o = 0; o < d->norb; o++) {
    double w = d->w[o];
    if (w == 0) continue;
    const double complex *p = d->orb + o * n;
    for (size_t i = 0; i < n; i++) {
      double complex a = w * p[i], *row = K + i * n;
      for (size_t j = 0; j < n; j++) row[j] = first ? a * conj(p[j]) : row[j] + a * conj(p[j]);
    }
    first = 0;
  }
  *owned = K;
  return K;
}

/* Welford updates of a complex and a real running mean and sum of squared
 * deviations (n: the count including x). */
static void welford_c(double complex *mean, double *m2, double complex x, double n) {
  double complex d = x - *mean;
  *mean += d / n;
  double complex d2 = x - *mean;
  *m2 += creal(d) * creal(d2) + cimag(d) * cimag(d2);
}

static void welford_r(double *mean, double *m2, double x, double n) {
  double d = x - *mean;
  *mean += d / n;
  *m2 += d * (x - *mean);
}

/* What both observables read: a's grid, eps and samples, the kernels of a
 * and b and D = a - b. */
typedef struct pair {
  const mfh_density *a;
  const mfh_xgrid *g;
  size_t n, R;
  double eps;
  double complex *ka_own, *kb_own, *D;
  const double complex *Kb;
} pair;

static void pair_free(pair *pr) {
  free(pr->ka_own);
  free(pr->kb_own);
  free(pr->D);
}

static int pair_load(const char *who, const mfh_obs_args *in, pair *pr, mfh_err *err) {
  const mfh_density *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_density, NULL);
  const mfh_density *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_density, NULL);
  const mfh_xgrid *g = &a->grid;
  *pr = (pair){.a = a, .g = g, .n = g->n, .eps = a->eps};
  if (g->dim != 1 || b->grid.dim != 1 || b->grid.n != g->n || b->grid.xmin != g->xmin || b->grid.dx != g->dx)
    return mfh_err_set(err, MFH_EINPUT,
                       "%s: a and b must live on the same 1D grid (got %zu^%d points from %g and %zu^%d from %g)",
                       who, g->n, g->dim, g->xmin, b->grid.n, b->grid.dim, b->grid.xmin);
  if (!(a->eps > 0)) return mfh_err_set(err, MFH_EINPUT, "%s: the state a has no scale eps", who);
  pr->R = a->kind == MFH_DENSITY_KERNEL && a->samples && a->nsamples >= 2 ? a->nsamples : 0;
  size_t n2 = pr->n * pr->n;
  const double complex *Ka = kernel_of(a, &pr->ka_own);
  pr->Kb = kernel_of(b, &pr->kb_own);
  pr->D = malloc(n2 * sizeof *pr->D);
  if (!Ka || !pr->Kb || !pr->D) return mfh_err_set(err, MFH_ENOMEM, "%s: out of memory", who);
  for (size_t i = 0; i < n2; i++) pr->D[i] = Ka[i] - pr->Kb[i];
  return MFH_OK;
}

static int dual_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  pair pr;
  double complex *chi = NULL;
  int rc = pair_load("dual_proxy", in, &pr, err);
  const mfh_xgrid *g = pr.g;
  mfh_sc_dual_fixed modes;
  mfh_sc_dual_fixed_default((double)pr.n * g->dx, pr.n, &modes);
  mfh_sc_dual_result res;
  if (!rc) rc = mfh_sc_dual_norm_fixed(pr.D, pr.n, g->xmin, g->dx, pr.eps, &modes, &res, err);
  double se = 0, cv = 0;
  double complex cm = 0;
  if (!rc && pr.R && !(chi = malloc(mfh_sc_dual_fixed_nmodes(&modes) * sizeof *chi)))
    rc = mfh_err_set(err, MFH_ENOMEM, "dual_proxy: out of memory");
  for (size_t r = 0; !rc && r < pr.R; r++) {
    rc = mfh_sc_dual_chi_fixed(pr.a->samples + r * pr.n * pr.n, pr.n, g->xmin, g->dx, pr.eps, &modes, chi, err);
    if (!rc) welford_c(&cm, &cv, chi[res.mode], (double)(r + 1));
  }
  if (!rc && pr.R) se = res.weight * sqrt(cv / ((double)(pr.R - 1) * (double)pr.R));
  if (!rc && (mfh_values_set(out, "dual", res.value) || mfh_values_set(out, "dual_k", res.k) ||
              mfh_values_set(out, "dual_l", res.l) || mfh_values_set(out, "dual_se", se)))
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  pair_free(&pr);
  free(chi);
  return rc;
}

const mfh_observable_type mfh_obs_dual_proxy = {
    "dual_proxy",
    "dual-norm proxy of the Wigner difference of a - b on a 1D grid at a's eps: max over fixed characteristic-"
    "function modes (dual, arg-max dual_k, dual_l), its Monte Carlo standard error dual_se from a's samples",
    NULL,
    0,
    "a:density b:density",
    "dual dual_k dual_l dual_se",
    NULL,
    dual_eval,
};

static int smooth_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  pair pr;
  int rc = pair_load("smooth_obs", in, &pr, err);
  const mfh_xgrid *g = pr.g;
  double ob[3] = {0, 0, 0}, obse[3] = {0, 0, 0};
  mfh_sc_dual_obs o;
  if (!rc && !pr.R) {
    rc = mfh_sc_dual_observables(pr.D, pr.n, g->xmin, g->dx, pr.eps, &o, err);
    ob[0] = o.gauss_x, ob[1] = o.gauss_xi, ob[2] = o.cos_x;
  } else if (!rc) {
    double om[3] = {0, 0, 0}, ov[3] = {0, 0, 0};
    for (size_t r = 0; !rc && r < pr.R; r++) {
      rc = mfh_sc_dual_observables(pr.a->samples + r * pr.n * pr.n, pr.n, g->xmin, g->dx, pr.eps, &o, err);
      if (rc) break;
      double x[3] = {o.gauss_x, o.gauss_xi, o.cos_x};
      for (int j = 0; j < 3; j++) welford_r(&om[j], &ov[j], x[j], (double)(r + 1));
    }
    if (!rc) rc = mfh_sc_dual_observables(pr.Kb, pr.n, g->xmin, g->dx, pr.eps, &o, err);
    double rr = (double)(pr.R - 1) * (double)pr.R, of[3] = {o.gauss_x, o.gauss_xi, o.cos_x};
    for (int j = 0; !rc && j < 3; j++) {
      ob[j] = om[j] - of[j];
      obse[j] = sqrt(ov[j] / rr);
    }
  }
  static const char *const name[3][2] = {{"gx", "gx_se"}, {"gxi", "gxi_se"}, {"cosx", "cosx_se"}};
  for (int j = 0; !rc && j < 3; j++)
    if (mfh_values_set(out, name[j][0], ob[j]) || mfh_values_set(out, name[j][1], obse[j]))
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  pair_free(&pr);
  return rc;
}

const mfh_observable_type mfh_obs_smooth_obs = {
    "smooth_obs",
    "smooth observables tr((a - b) A^W) at a's eps for A = exp(-x^2/2), exp(-xi^2/2), cos x (gx, gxi, cosx), "
    "with Monte Carlo standard errors (gx_se, gxi_se, cosx_se) from a's samples",
    NULL,
    0,
    "a:density b:density",
    "gx gxi cosx gx_se gxi_se cosx_se",
    NULL,
    smooth_eval,
};
