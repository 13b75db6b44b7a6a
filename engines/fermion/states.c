/* Trap states of fermions (see fermion.h): levels, orbitals on the grid,
 * kernels from orbitals. */
#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_hermite.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/fermion/fermion.h"
#include "engines/fermion/internal.h"

#define FM_OCC_MIN_DEFAULT 1e-14
#define FM_MAX_LEVELS 50000000 /* refuse more kept levels than this */

/* ---- levels ------------------------------------------------------------------ */

/* Fermi-Dirac occupation 1 / (1 + e^x), stable for large |x|. */
static double fermi(double x) {
  if (x > 0) {
    double e = exp(-x);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + exp(x));
}

/* Energy and degeneracy of shell s (1D: level s). */
static double shell_energy(int dim, double eps, long s) {
  return dim == 1 ? eps * (2.0 * (double)s + 1.0) : eps * (2.0 * (double)s + 2.0);
}
static double shell_deg(int dim, long s) { return dim == 1 ? 1.0 : (double)(s + 1); }

/* sum over all shells of deg * fermi((E - mu) / T), in increasing s, up to
 * where the terms are below 1e-30 of... negligible in double. */
static double fd_count(int dim, double eps, double T, double mu) {
  double sum = 0.0;
  for (long s = 0;; s++) {
    double E = shell_energy(dim, eps, s), g = shell_deg(dim, s);
    double term = g * fermi((E - mu) / T);
    sum += term;
    if (E > mu && term <= 1e-30 * (sum > 1.0 ? sum : 1.0)) break;
    if (s > 4L * FM_MAX_LEVELS) break; /* unreachable for valid input */
  }
  return sum;
}

void mfh_fermion_levels_destroy(mfh_fermion_levels *lv) {
  if (!lv) return;
  free(lv->occ);
  free(lv->energy);
  free(lv->qn);
  free(lv);
}

/* Allocate m levels. */
static mfh_fermion_levels *levels_alloc(int dim, long m) {
  mfh_fermion_levels *lv = calloc(1, sizeof *lv);
  if (!lv) return NULL;
  lv->occ = malloc((size_t)m * sizeof *lv->occ);
  lv->energy = malloc((size_t)m * sizeof *lv->energy);
  lv->qn = malloc((size_t)m * (size_t)dim * sizeof *lv->qn);
  if (!lv->occ || !lv->energy || !lv->qn) {
    mfh_fermion_levels_destroy(lv);
    return NULL;
  }
  lv->m = (int)m;
  lv->dim = dim;
  return lv;
}

/* Fill the m levels of the shells 0.. in order, with occupation f(E). */
static void levels_fill(mfh_fermion_levels *lv, double eps, double T, double mu, double occ_min,
                        int slater) {
  int dim = lv->dim, k = 0;
  double tr = 0.0;
  for (long s = 0; k < lv->m; s++) {
    double E = shell_energy(dim, eps, s);
    double f = slater ? 1.0 : fermi((E - mu) / T);
    if (!slater && !(f > occ_min)) continue;
    long deg = dim == 1 ? 1 : s + 1;
    for (long j = 0; j < deg && k < lv->m; j++, k++) {
      lv->occ[k] = f;
      lv->energy[k] = E;
      if (dim == 1) {
        lv->qn[k] = (int)s;
      } else {
        lv->qn[2 * k] = (int)(s - j);
        lv->qn[2 * k + 1] = (int)j;
      }
      tr += f;
    }
  }
  lv->trace = tr;
}

int mfh_fermion_levels_create(int dim, int kind, double N, double eps, double T, double occ_min,
                              mfh_fermion_levels **out, mfh_err *err) {
  if (!out) return mfh_err_set(err, MFH_EINPUT, "levels: NULL output");
  *out = NULL;
  if (dim != 1 && dim != 2) return mfh_err_set(err, MFH_EINPUT, "dim: must be 1 or 2 (got %d)", dim);
  if (!(eps > 0) || !isfinite(eps))
    return mfh_err_set(err, MFH_EINPUT, "eps: must be finite and > 0 (got %g)", eps);
  if (!(N >= 1) || !(N <= 1e7))
    return mfh_err_set(err, MFH_EINPUT, "N: must be in [1, 1e7] (got %g)", N);
  mfh_fermion_levels *lv = NULL;
  if (kind == MFH_FERMION_SLATER) {
    if (N != floor(N)) return mfh_err_set(err, MFH_EINPUT, "N: a Slater state needs an integer N (got %g)", N);
    long Ni = (long)N, K = 0;
    if (dim == 2) {
      while ((K + 1) * (K + 2) / 2 <= Ni) K++;
      if (K * (K + 1) / 2 != Ni)
        return mfh_err_set(err, MFH_EINPUT,
                           "N: Slater N = %ld in 2D is not a closed shell K(K+1)/2: nearest %ld "
                           "and %ld",
                           Ni, K * (K + 1) / 2, (K + 1) * (K + 2) / 2);
    }
    if (Ni > FM_MAX_LEVELS) return mfh_err_set(err, MFH_EINPUT, "N: too large (%ld)", Ni);
    lv = levels_alloc(dim, Ni);
    if (!lv) return mfh_err_set(err, MFH_ENOMEM, "levels: out of memory for %ld levels", Ni);
    levels_fill(lv, eps, 0.0, 0.0, 0.0, 1);
    lv->mu = lv->energy[lv->m - 1];
    lv->T = 0.0;
    lv->occ_min = 0.0;
  } else if (kind == MFH_FERMION_MIXED) {
    if (!(T > 0) || !isfinite(T))
      return mfh_err_set(err, MFH_EINPUT, "T: a mixed state needs a finite temperature > 0 (got %g)", T);
    if (occ_min == 0) occ_min = FM_OCC_MIN_DEFAULT;
    if (!(occ_min > 0) || !(occ_min <= 1e-3))
      return mfh_err_set(err, MFH_EINPUT, "occ_min: must be in (0, 1e-3] (got %g)", occ_min);
    /* bracket: count(lo) < N < count(hi) */
    long cum = 0, s = 0;
    while (cum < (long)ceil(N) + 1) cum += (long)shell_deg(dim, s++);
    double E0 = shell_energy(dim, eps, 0);
    double lo = E0 - T * (50.0 + 2.0 * log(1.0 + T / eps));
    double hi = shell_energy(dim, eps, s) + 50.0 * T;
    for (int it = 0; it < 400; it++) {
      double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (fd_count(dim, eps, T, mid) < N)
        lo = mid;
      else
        hi = mid;
    }
    double mu = 0.5 * (lo + hi);
    long m = 0;
    for (long sh = 0;; sh++) {
      double E = shell_energy(dim, eps, sh);
      if (fermi((E - mu) / T) > occ_min)
        m += (long)shell_deg(dim, sh);
      else if (E > mu)
        break;
      if (m > FM_MAX_LEVELS)
        return mfh_err_set(err, MFH_EINPUT,
                           "mixed state: more than %d levels above occ_min = %g (N = %g, T = %g)",
                           FM_MAX_LEVELS, occ_min, N, T);
    }
    lv = levels_alloc(dim, m);
    if (!lv) return mfh_err_set(err, MFH_ENOMEM, "levels: out of memory for %ld levels", m);
    levels_fill(lv, eps, T, mu, occ_min, 0);
    lv->mu = mu;
    lv->T = T;
    lv->occ_min = occ_min;
  } else {
    return mfh_err_set(err, MFH_EINPUT, "state: unknown kind %d (mixed 0, Slater 1)", kind);
  }
  lv->kind = kind;
  lv->N = N;
  lv->eps = eps;
  *out = lv;
  return MFH_OK;
}

/* ---- orbitals ---------------------------------------------------------------- */

size_t mfh_fermion_grid_points(const mfh_fermion_grid *g) { return g ? fm_npts(g) : 0; }

void mfh_fermion_orbitals_destroy(mfh_fermion_orbitals *o) {
  if (!o) return;
  free(o->occ);
  free(o->phi);
  free(o);
}

int mfh_fermion_orbitals_create(const mfh_fermion_grid *g, int m, double N,
                                mfh_fermion_orbitals **out, mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "orbitals: NULL output");
  *out = NULL;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  if (m < 1) return mfh_err_set(err, MFH_EINPUT, "orbitals: need m >= 1 (got %d)", m);
  if (!(N > 0) || !isfinite(N)) return mfh_err_set(err, MFH_EINPUT, "N: must be finite and > 0 (got %g)", N);
  size_t npts = fm_npts(g);
  if ((size_t)m > SIZE_MAX / sizeof(double complex) / npts)
    return mfh_err_set(err, MFH_EINPUT, "orbitals: %d x %zu values overflow", m, npts);
  mfh_fermion_orbitals *o = calloc(1, sizeof *o);
  if (!o) return mfh_err_set(err, MFH_ENOMEM, "orbitals: out of memory");
  o->grid = *g;
  o->m = m;
  o->N = N;
  o->occ = calloc((size_t)m, sizeof *o->occ);
  o->phi = calloc((size_t)m * npts, sizeof *o->phi);
  if (!o->occ || !o->phi) {
    mfh_fermion_orbitals_destroy(o);
    return mfh_err_set(err, MFH_ENOMEM, "orbitals: out of memory for %d orbitals of %zu points (%.3g GiB)",
                       m, npts, (double)m * (double)npts * 16.0 / 1073741824.0);
  }
  *out = o;
  return MFH_OK;
}

int mfh_fermion_orbitals_copy(const mfh_fermion_orbitals *src, mfh_fermion_orbitals **out,
                              mfh_err *err) {
  if (!src) return mfh_err_set(err, MFH_EINPUT, "orbitals: NULL source");
  int st = mfh_fermion_orbitals_create(&src->grid, src->m, src->N, out, err);
  if (st != MFH_OK) return st;
  memcpy((*out)->occ, src->occ, (size_t)src->m * sizeof *src->occ);
  memcpy((*out)->phi, src->phi, (size_t)src->m * fm_npts(&src->grid) * sizeof *src->phi);
  return MFH_OK;
}

/* Table t[k * n + i] = c_k h_k(x_i / sqrt eps), k = 0..kmax, with c_k
 * ~ eps^(-1/4) chosen so that dx sum_i t_ki^2 = 1 (the 2D orbitals are
 * products, so they are normalised too).  *kmax_out from the levels. */
static int hermite_table(const mfh_fermion_grid *g, const mfh_fermion_levels *lv, double **out,
                         int *kmax_out, mfh_err *err) {
  int kmax = 0;
  for (size_t i = 0; i < (size_t)lv->m * (size_t)lv->dim; i++)
    if (lv->qn[i] > kmax) kmax = lv->qn[i];
  size_t n = (size_t)g->n;
  double se = sqrt(g->eps), f = pow(g->eps, -0.25);
  double *t = malloc((size_t)(kmax + 1) * n * sizeof *t), *h = malloc((size_t)(kmax + 1) * sizeof *h);
  int st = MFH_OK;
  if (!t || !h) {
    st = mfh_err_set(err, MFH_ENOMEM, "trap state: out of memory (%d levels x %zu points)", kmax + 1, n);
    goto fail;
  }
  for (size_t i = 0; i < n; i++) {
    double y = (g->xmin + (double)i * g->dx) / se;
    int gs = gsl_sf_hermite_func_array(kmax, y, h);
    if (gs != GSL_SUCCESS) {
      st = mfh_err_set(err, MFH_ENUMERIC, "Hermite functions: GSL error %d (%s) at y = %g", gs,
                       gsl_strerror(gs), y);
      goto fail;
    }
    for (int k = 0; k <= kmax; k++) t[(size_t)k * n + i] = f * h[k];
  }
  for (int k = 0; k <= kmax; k++) {
    double *tk = t + (size_t)k * n, q = 0.0;
    for (size_t i = 0; i < n; i++) q += tk[i] * tk[i];
    q *= g->dx;
    if (!(q > 0) || !isfinite(q)) {
      st = mfh_err_set(err, MFH_ENUMERIC, "trap state: Hermite function %d has grid norm %g", k, q);
      goto fail;
    }
    double c = 1.0 / sqrt(q);
    for (size_t i = 0; i < n; i++) tk[i] *= c;
  }
  free(h);
  *out = t;
  *kmax_out = kmax;
  return MFH_OK;
fail:
  free(t);
  free(h);
  return st;
}

static int check_trap_args(const mfh_fermion_grid *g, const mfh_fermion_levels *lv, mfh_err *err) {
  int st;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  if (g->dim != lv->dim)
    return mfh_err_set(err, MFH_EINPUT, "trap state: grid dim %d, levels dim %d", g->dim, lv->dim);
  if (fabs(g->eps - lv->eps) > 1e-14 * lv->eps)
    return mfh_err_set(err, MFH_EINPUT, "trap state: grid eps %.17g differs from the levels' %.17g",
                       g->eps, lv->eps);
  return MFH_OK;
}

int mfh_fermion_trap_state(const mfh_fermion_grid *g, const mfh_fermion_levels *lv,
                           mfh_fermion_orbitals **out, mfh_err *err) {
  int st, kmax = 0;
  if (!out || !lv) return mfh_err_set(err, MFH_EINPUT, "trap state: NULL argument");
  *out = NULL;
  if ((st = check_trap_args(g, lv, err)) != MFH_OK) return st;
  size_t n = (size_t)g->n, npts = fm_npts(g);
  mfh_fermion_orbitals *o = NULL;
  double *t = NULL;
  if ((st = hermite_table(g, lv, &t, &kmax, err)) != MFH_OK) goto fail;
  if ((st = mfh_fermion_orbitals_create(g, lv->m, lv->N, &o, err)) != MFH_OK) goto fail;
  for (int k = 0; k < lv->m; k++) {
    o->occ[k] = lv->occ[k];
    double complex *p = o->phi + (size_t)k * npts;
    if (g->dim == 1) {
      const double *tk = t + (size_t)lv->qn[k] * n;
      for (size_t i = 0; i < n; i++) p[i] = tk[i];
    } else {
      const double *ta = t + (size_t)lv->qn[2 * k] * n, *tb = t + (size_t)lv->qn[2 * k + 1] * n;
      for (size_t i1 = 0; i1 < n; i1++)
        for (size_t i2 = 0; i2 < n; i2++) p[i1 * n + i2] = ta[i1] * tb[i2];
    }
  }
  free(t);
  *out = o;
  return MFH_OK;
fail:
  free(t);
  mfh_fermion_orbitals_destroy(o);
  return st;
}

int mfh_fermion_trap_kernel(const mfh_fermion_grid *g, const mfh_fermion_levels *lv,
                            double complex *K, mfh_err *err) {
  int st, kmax = 0;
  if (!K || !lv) return mfh_err_set(err, MFH_EINPUT, "trap kernel: NULL argument");
  if ((st = check_trap_args(g, lv, err)) != MFH_OK) return st;
  size_t n = (size_t)g->n, npts = fm_npts(g), m = (size_t)lv->m;
  if (npts > FM_BLAS_MAX || m > FM_BLAS_MAX) return mfh_err_set(err, MFH_EINPUT, "trap kernel: sizes exceed BLAS ints");
  double *t = NULL, *A = NULL, *B = NULL;
  if ((st = hermite_table(g, lv, &t, &kmax, err)) != MFH_OK) return st;
  /* Build the real kernel in the first half of K (npts^2 doubles), then
   * widen it in place to complex (from the end: entry i moves to 2i >= i). */
  double *R = (double *)K;
  size_t K1 = (size_t)kmax + 1;
  if (g->dim == 1) {
    /* R = A A^T, A = the occupied functions scaled by sqrt(occ) (n x m,
     * column-major); dsyrk fills the lower triangle (column-major). */
    A = malloc(n * m * sizeof *A);
    if (!A) {
      st = mfh_err_set(err, MFH_ENOMEM, "trap kernel: out of memory (%zu x %zu)", n, m);
      goto done;
    }
    for (size_t k = 0; k < m; k++) {
      double f = sqrt(lv->occ[k]);
      const double *tk = t + (size_t)lv->qn[k] * n;
      for (size_t i = 0; i < n; i++) A[k * n + i] = f * tk[i];
    }
    int in = (int)n, im = (int)m;
    double one = 1.0, zero = 0.0;
    dsyrk_("L", "N", &in, &im, &one, A, &in, &zero, R, &in, 1, 1);
    for (size_t j = 0; j < n; j++) /* column-major lower (i >= j) -> upper */
      for (size_t i = j + 1; i < n; i++) R[i * n + j] = R[j * n + i];
  } else {
    /* K[(x1, x2), (y1, y2)] = sum_a t_a(x1) t_a(y1) B_a(x2, y2),
     * B_a = sum_b occ(a, b) t_b t_b^T: O(n^2 K^2 + n^4 K) */
    B = malloc(n * n * sizeof *B);
    double *occ = calloc(K1 * K1, sizeof *occ);
    if (!B || !occ) {
      free(occ);
      st = mfh_err_set(err, MFH_ENOMEM, "trap kernel: out of memory");
      goto done;
    }
    for (size_t k = 0; k < m; k++) occ[(size_t)lv->qn[2 * k] * K1 + (size_t)lv->qn[2 * k + 1]] = lv->occ[k];
    memset(R, 0, npts * npts * sizeof *R);
    for (size_t a = 0; a < K1; a++) {
      int any = 0;
      memset(B, 0, n * n * sizeof *B);
      for (size_t b = 0; b < K1; b++) {
        double w = occ[a * K1 + b];
        if (w == 0) continue;
        any = 1;
        const double *tb = t + b * n;
        for (size_t x2 = 0; x2 < n; x2++) /* w (t t): exactly symmetric */
          for (size_t y2 = 0; y2 < n; y2++) B[x2 * n + y2] += w * (tb[x2] * tb[y2]);
      }
      if (!any) continue;
      const double *ta = t + a * n;
      for (size_t x1 = 0; x1 < n; x1++)
        for (size_t y1 = 0; y1 < n; y1++) {
          double c = ta[x1] * ta[y1];
          for (size_t x2 = 0; x2 < n; x2++) {
            double *row = R + (x1 * n + x2) * npts + y1 * n;
            const double *br = B + x2 * n;
            for (size_t y2 = 0; y2 < n; y2++) row[y2] += c * br[y2];
          }
        }
    }
    free(occ);
  }
  for (size_t i = npts * npts; i-- > 0;) K[i] = R[i];
  st = MFH_OK;
done:
  free(t);
  free(A);
  free(B);
  return st;
}

/* ---- kernels ---------------------------------------------------------------- */

void mfh_fermion_herm_fill(double complex *a, size_t n, int lower) {
  const size_t B = 64;
  for (size_t ib = 0; ib < n; ib += B)
    for (size_t jb = 0; jb <= ib; jb += B) {
      size_t ie = ib + B < n ? ib + B : n, je = jb + B < n ? jb + B : n;
      for (size_t i = ib; i < ie; i++)
        for (size_t j = jb; j < je && j < i; j++) {
          /* (i, j) is below the diagonal */
          if (lower)
            a[j * n + i] = conj(a[i * n + j]);
          else
            a[i * n + j] = conj(a[j * n + i]);
        }
    }
  for (size_t i = 0; i < n; i++) a[i * n + i] = creal(a[i * n + i]);
}

int mfh_fermion_kernel_from_orbitals(const mfh_fermion_orbitals *o, double complex *K,
                                     mfh_err *err) {
  int st;
  if (!o || !K) return mfh_err_set(err, MFH_EINPUT, "kernel: NULL argument");
  if ((st = mfh_fermion_grid_check(&o->grid, err)) != MFH_OK) return st;
  size_t npts = fm_npts(&o->grid), m = (size_t)o->m;
  if (npts > FM_BLAS_MAX || m > FM_BLAS_MAX)
    return mfh_err_set(err, MFH_EINPUT, "kernel: %zu points / %zu orbitals exceed BLAS sizes", npts, m);
  double complex *A = malloc(m * npts * sizeof *A);
  if (!A) return mfh_err_set(err, MFH_ENOMEM, "kernel: out of memory for %zu x %zu scratch", m, npts);
  for (size_t k = 0; k < m; k++) {
    double occ = o->occ[k];
    if (!(occ >= 0) || !isfinite(occ)) {
      free(A);
      return mfh_err_set(err, MFH_EINPUT, "kernel: occupation %zu is %g", k, occ);
    }
    double f = sqrt(occ);
    const double complex *p = o->phi + k * npts;
    double complex *q = A + k * npts;
    for (size_t i = 0; i < npts; i++) q[i] = CMPLX(f * creal(p[i]), -f * cimag(p[i]));
  }
  /* Column-major A (npts x m) = conj(sqrt(occ) phi): A A^H read row-major is
   * sum occ phi phi^* (see fermion.h); zherk fills the column-major lower
   * triangle = the row-major upper triangle. */
  int in = (int)npts, im = (int)m;
  double one = 1.0, zero = 0.0;
  zherk_("L", "N", &in, &im, &one, A, &in, &zero, K, &in, 1, 1);
  free(A);
  mfh_fermion_herm_fill(K, npts, 0);
  return MFH_OK;
}

/* ---- views as the core density kind -------------------------------------------- */

mfh_xgrid mfh_fermion_xgrid(const mfh_fermion_grid *g) {
  mfh_xgrid x = {g->dim, (size_t)g->n, g->xmin, g->dx};
  return x;
}

mfh_density mfh_fermion_kernel_view(const mfh_fermion_grid *g, double complex *K) {
  mfh_density d = {mfh_fermion_xgrid(g), MFH_DENSITY_KERNEL, 0, NULL, NULL, K, g->eps, 0, NULL};
  return d;
}

mfh_density mfh_fermion_orbitals_view(const mfh_fermion_orbitals *o) {
  mfh_density d = {mfh_fermion_xgrid(&o->grid), MFH_DENSITY_ORBITALS, (size_t)o->m, o->phi, o->occ, NULL,
                   o->grid.eps, 0, NULL};
  return d;
}
