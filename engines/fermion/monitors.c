/* Observables of fermionic density matrices (see observables.h). */
#include "engines/fermion/observables.h"

#include <complex.h>
#include <fftw3.h>
#include <gsl/gsl_integration.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/fermion/internal.h"

/* ---- small helpers ------------------------------------------------------------------ */

double mfh_fermion_kernel_trace(const mfh_fermion_grid *g, const double complex *K) {
  size_t np = fm_npts(g);
  double s = 0.0;
  for (size_t i = 0; i < np; i++) s += creal(K[i * np + i]);
  return fm_cell(g) * s;
}

double mfh_fermion_kernel_hermiticity(const mfh_fermion_grid *g, const double complex *K) {
  size_t np = fm_npts(g);
  double dmax = 0.0, kmax = 0.0;
  for (size_t i = 0; i < np; i++)
    for (size_t j = i; j < np; j++) {
      dmax = fmax(dmax, cabs(K[i * np + j] - conj(K[j * np + i])));
      kmax = fmax(kmax, cabs(K[i * np + j]));
    }
  return kmax > 0 ? dmax / kmax : 0.0;
}

double mfh_fermion_orbitals_trace(const mfh_fermion_orbitals *o) {
  size_t np = fm_npts(&o->grid);
  double t = 0.0;
  for (int k = 0; k < o->m; k++) {
    const double complex *p = o->phi + (size_t)k * np;
    double s = 0.0;
    for (size_t i = 0; i < np; i++) s += creal(p[i]) * creal(p[i]) + cimag(p[i]) * cimag(p[i]);
    t += o->occ[k] * s;
  }
  return fm_cell(&o->grid) * t;
}

static int same_grid(const mfh_fermion_grid *a, const mfh_fermion_grid *b) {
  return a->dim == b->dim && a->n == b->n && a->dx == b->dx && a->xmin == b->xmin && a->eps == b->eps;
}

/* Eigenvalues of the Hermitian n x n matrix D (destroyed). */
static int eig_values(size_t n, double complex *D, double *lam, mfh_err *err) {
  if (n > FM_BLAS_MAX) return mfh_err_set(err, MFH_EINPUT, "eigenvalues: %zu exceeds LAPACK sizes", n);
  lapack_int info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, D, (lapack_int)n, lam);
  if (info != 0) return mfh_err_set(err, MFH_ENUMERIC, "LAPACKE_zheevd failed (info %d, n %zu)", (int)info, n);
  return MFH_OK;
}

static void norms_from(const double *lam, size_t n, double *tr, double *hs) {
  double t = 0.0, h = 0.0;
  for (size_t i = 0; i < n; i++) {
    t += fabs(lam[i]);
    h += lam[i] * lam[i];
  }
  if (tr) *tr = t;
  if (hs) *hs = sqrt(h);
}

/* ---- norms of kernels ------------------------------------------------------------ */

int mfh_fermion_hs_norm(const mfh_fermion_grid *g, const double complex *A,
                        const double complex *B, double *hs, mfh_err *err) {
  int st;
  if (!A || !hs) return mfh_err_set(err, MFH_EINPUT, "HS norm: NULL argument");
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  size_t kk = fm_npts(g) * fm_npts(g);
  double s = 0.0;
  for (size_t i = 0; i < kk; i++) {
    double complex d = B ? A[i] - B[i] : A[i];
    s += creal(d) * creal(d) + cimag(d) * cimag(d);
  }
  *hs = fm_cell(g) * sqrt(s);
  return MFH_OK;
}

double mfh_fermion_trace_norm_bytes(const mfh_fermion_grid *g) {
  double np = (double)fm_npts(g);
  return 16.0 * np * np + 8.0 * np + 16.0 * (np + 1.0);
}

int mfh_fermion_trace_norm(const mfh_fermion_grid *g, const double complex *A,
                           const double complex *B, double *tr, double *hs, mfh_err *err) {
  int st;
  if (!A || !tr) return mfh_err_set(err, MFH_EINPUT, "trace norm: NULL argument");
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  size_t np = fm_npts(g), kk = np * np;
  double cell = fm_cell(g);
  double complex *D = malloc(kk * sizeof *D);
  double *lam = malloc(np * sizeof *lam);
  if (!D || !lam) {
    free(D);
    free(lam);
    return mfh_err_set(err, MFH_ENOMEM, "trace norm: out of memory for %zu x %zu", np, np);
  }
  for (size_t i = 0; i < kk; i++) D[i] = cell * (B ? A[i] - B[i] : A[i]);
  st = eig_values(np, D, lam, err);
  if (st == MFH_OK) norms_from(lam, np, tr, hs);
  free(D);
  free(lam);
  return st;
}

int mfh_fermion_orbital_kernel_norms(const mfh_fermion_orbitals *a, const double complex *B,
                                     double *tr, double *hs, mfh_err *err) {
  int st;
  if (!a || !B) return mfh_err_set(err, MFH_EINPUT, "norms: NULL argument");
  const mfh_fermion_grid *g = &a->grid;
  size_t np = fm_npts(g), kk = np * np;
  double cell = fm_cell(g);
  double complex *D = malloc(kk * sizeof *D);
  double *lam = tr ? malloc(np * sizeof *lam) : NULL;
  if (!D || (tr && !lam)) {
    st = mfh_err_set(err, MFH_ENOMEM, "norms: out of memory for %zu x %zu", np, np);
    goto done;
  }
  if ((st = mfh_fermion_kernel_from_orbitals(a, D, err)) != MFH_OK) goto done;
  double s = 0.0;
  for (size_t i = 0; i < kk; i++) {
    double complex d = D[i] - B[i];
    s += creal(d) * creal(d) + cimag(d) * cimag(d);
    D[i] = cell * d;
  }
  if (hs) *hs = cell * sqrt(s);
  if (tr) {
    if ((st = eig_values(np, D, lam, err)) != MFH_OK) goto done;
    norms_from(lam, np, tr, NULL);
  }
done:
  free(D);
  free(lam);
  return st;
}

/* Eigenvalues of cell C M C^* (C: npts x r column-major, destroyed; M: r x r
 * column-major Hermitian) into lam (r values when r < npts, else npts);
 * *nl their count. */
static int lowrank_eigs(size_t npts, double cell, size_t r, double complex *C,
                        const double complex *M, double *lam, size_t *nl, mfh_err *err) {
  int st = MFH_OK;
  if (npts > FM_BLAS_MAX || r > FM_BLAS_MAX)
    return mfh_err_set(err, MFH_EINPUT, "low-rank norms: sizes exceed LAPACK ints");
  int in = (int)npts, ir = (int)r;
  double complex one = 1.0, zero = 0.0;
  if (r < npts) {
    double sc = sqrt(cell);
    for (size_t i = 0; i < npts * r; i++) C[i] *= sc;
    double complex *tau = malloc(r * sizeof *tau), *R = calloc(r * r, sizeof *R),
                   *T = malloc(r * r * sizeof *T), *H = malloc(r * r * sizeof *H);
    if (!tau || !R || !T || !H) {
      st = mfh_err_set(err, MFH_ENOMEM, "low-rank norms: out of memory (rank %zu)", r);
      goto lr_done;
    }
    lapack_int info = LAPACKE_zgeqrf(LAPACK_COL_MAJOR, in, ir, C, in, tau);
    if (info != 0) {
      st = mfh_err_set(err, MFH_ENUMERIC, "LAPACKE_zgeqrf failed (info %d)", (int)info);
      goto lr_done;
    }
    for (size_t l = 0; l < r; l++)
      for (size_t i = 0; i <= l; i++) R[l * r + i] = C[l * npts + i];
    zgemm_("N", "N", &ir, &ir, &ir, &one, R, &ir, M, &ir, &zero, T, &ir, 1, 1);
    zgemm_("N", "C", &ir, &ir, &ir, &one, T, &ir, R, &ir, &zero, H, &ir, 1, 1);
    st = eig_values(r, H, lam, err);
    *nl = r;
  lr_done:
    free(tau);
    free(R);
    free(T);
    free(H);
    return st;
  }
  double complex *T = malloc(npts * r * sizeof *T), *D = malloc(npts * npts * sizeof *D);
  if (!T || !D) {
    st = mfh_err_set(err, MFH_ENOMEM, "norms: out of memory for %zu x %zu", npts, npts);
    goto d_done;
  }
  double complex cc = cell;
  zgemm_("N", "N", &in, &ir, &ir, &one, C, &in, M, &ir, &zero, T, &in, 1, 1);
  zgemm_("N", "C", &in, &in, &ir, &cc, T, &in, C, &in, &zero, D, &in, 1, 1);
  st = eig_values(npts, D, lam, err);
  *nl = npts;
d_done:
  free(T);
  free(D);
  return st;
}

int mfh_fermion_orbital_norms(const mfh_fermion_orbitals *a, const mfh_fermion_orbitals *b,
                              double *tr, double *hs, mfh_err *err) {
  if (!a || !b || !tr) return mfh_err_set(err, MFH_EINPUT, "orbital norms: NULL argument");
  if (!same_grid(&a->grid, &b->grid)) return mfh_err_set(err, MFH_EINPUT, "orbital norms: different grids");
  size_t np = fm_npts(&a->grid), ma = (size_t)a->m, mb = (size_t)b->m, r = ma + mb;
  double complex *C = malloc(np * r * sizeof *C), *M = calloc(r * r, sizeof *M);
  double *lam = malloc((r > np ? r : np) * sizeof *lam);
  int st;
  if (!C || !M || !lam) {
    st = mfh_err_set(err, MFH_ENOMEM, "orbital norms: out of memory (rank %zu)", r);
    goto done;
  }
  memcpy(C, a->phi, ma * np * sizeof *C);
  memcpy(C + ma * np, b->phi, mb * np * sizeof *C);
  for (size_t k = 0; k < ma; k++) M[k * r + k] = a->occ[k];
  for (size_t k = 0; k < mb; k++) M[(ma + k) * r + ma + k] = -b->occ[k];
  size_t nl = 0;
  if ((st = lowrank_eigs(np, fm_cell(&a->grid), r, C, M, lam, &nl, err)) != MFH_OK) goto done;
  norms_from(lam, nl, tr, hs);
done:
  free(C);
  free(M);
  free(lam);
  return st;
}

/* ---- characteristic-function modes -------------------------------------------- */

/* e^{i k_l b} for the DFT indices l of one axis (Nyquist: cos(k_N b), the
 * symmetric interpolant). */
static void shift_table(size_t n, double dx, double b, double complex *beta) {
  for (size_t l = 0; l < n; l++) {
    double k = fm_wave(l, n, dx);
    beta[l] = (l == n / 2) ? cos(k * b) : CMPLX(cos(k * b), sin(k * b));
  }
}

/* e^{i p x_i} for one axis. */
static void plane_table(const mfh_fermion_grid *g, double p, double complex *t) {
  for (int i = 0; i < g->n; i++) {
    double x = g->xmin + (double)i * g->dx;
    t[i] = CMPLX(cos(p * x), sin(p * x));
  }
}

static int check_modes(const mfh_fermion_grid *g, size_t nm, const double *p, const double *q,
                       const double complex *c, mfh_err *err) {
  int st;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  if (nm && (!p || !q || !c)) return mfh_err_set(err, MFH_EINPUT, "modes: NULL arrays");
  for (size_t j = 0; j < nm * (size_t)g->dim; j++)
    if (!isfinite(p[j]) || !isfinite(q[j])) return mfh_err_set(err, MFH_EINPUT, "modes: (p, q) %zu not finite", j / (size_t)g->dim);
  return MFH_OK;
}

int mfh_fermion_modes_kernel(const mfh_fermion_grid *g, const double complex *K, double N,
                             size_t nm, const double *p, const double *q, double complex *c,
                             mfh_err *err) {
  int st;
  if (!K) return mfh_err_set(err, MFH_EINPUT, "modes: NULL kernel");
  if ((st = check_modes(g, nm, p, q, c, err)) != MFH_OK) return st;
  if (!(N > 0)) return mfh_err_set(err, MFH_EINPUT, "modes: N must be > 0 (got %g)", N);
  if (nm == 0) return MFH_OK;
  int d = g->dim;
  size_t n = (size_t)g->n, np = fm_npts(g);
  double complex *s = fftw_malloc(np * sizeof *s), *tw = malloc(n * sizeof *tw);
  double complex *beta = malloc(nm * (size_t)d * n * sizeof *beta), *pw = malloc(nm * (size_t)d * n * sizeof *pw);
  double complex *acc = calloc(nm, sizeof *acc);
  fftw_plan pl = NULL;
  if (!s || !tw || !beta || !pw || !acc) {
    st = mfh_err_set(err, MFH_ENOMEM, "modes: out of memory");
    goto done;
  }
  int nn[2] = {g->n, g->n};
#pragma omp critical(mfh_fftw_planner)
  pl = fftw_plan_dft(d, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!pl) {
    st = mfh_err_set(err, MFH_ENOMEM, "modes: FFTW could not plan");
    goto done;
  }
  for (size_t j = 0; j < n; j++) tw[j] = CMPLX(cos(2 * FM_PI * (double)j / (double)n), sin(2 * FM_PI * (double)j / (double)n));
  for (size_t j = 0; j < nm; j++)
    for (int a = 0; a < d; a++) {
      shift_table(n, g->dx, g->eps * q[j * (size_t)d + (size_t)a], beta + (j * (size_t)d + (size_t)a) * n);
      plane_table(g, p[j * (size_t)d + (size_t)a], pw + (j * (size_t)d + (size_t)a) * n);
    }
  double inv = 1.0 / (double)np;
  for (size_t J = 0; J < np; J++) {
    memcpy(s, K + J * np, np * sizeof *s);
    fftw_execute_dft(pl, s, s);
    size_t J1 = d == 1 ? J : J / n, J2 = d == 1 ? 0 : J % n;
    for (size_t j = 0; j < nm; j++) {
      const double complex *b1 = beta + j * (size_t)d * n;
      double complex dv = 0.0, ex;
      if (d == 1) {
        for (size_t l = 0; l < n; l++) dv += fm_mul(fm_mul(s[l], tw[(l * J1) % n]), b1[l]);
        ex = pw[j * n + J1];
      } else {
        const double complex *b2 = b1 + n;
        for (size_t l1 = 0; l1 < n; l1++) {
          double complex in = 0.0;
          const double complex *row = s + l1 * n;
          for (size_t l2 = 0; l2 < n; l2++) in += fm_mul(fm_mul(row[l2], tw[(l2 * J2) % n]), b2[l2]);
          dv += fm_mul(fm_mul(in, tw[(l1 * J1) % n]), b1[l1]);
        }
        ex = fm_mul(pw[(2 * j) * n + J1], pw[(2 * j + 1) * n + J2]);
      }
      dv *= inv; /* = K(x_J, x_J + eps q) */
      acc[j] += fm_mul(ex, conj(dv));
    }
  }
  double cell = fm_cell(g);
  for (size_t j = 0; j < nm; j++) {
    double pq = 0.0;
    for (int a = 0; a < d; a++) pq += p[j * (size_t)d + (size_t)a] * q[j * (size_t)d + (size_t)a];
    double ph = 0.5 * g->eps * pq;
    c[j] = fm_mul(CMPLX(cos(ph), sin(ph)), acc[j]) * (cell / N);
  }
  st = MFH_OK;
done:
  if (pl) {
#pragma omp critical(mfh_fftw_planner)
    fftw_destroy_plan(pl);
  }
  fftw_free(s);
  free(tw);
  free(beta);
  free(pw);
  free(acc);
  return st;
}

int mfh_fermion_modes_orbitals(const mfh_fermion_orbitals *o, size_t nm, const double *p,
                               const double *q, double complex *c, mfh_err *err) {
  int st;
  if (!o) return mfh_err_set(err, MFH_EINPUT, "modes: NULL orbitals");
  const mfh_fermion_grid *g = &o->grid;
  if ((st = check_modes(g, nm, p, q, c, err)) != MFH_OK) return st;
  if (nm == 0) return MFH_OK;
  int d = g->dim;
  size_t n = (size_t)g->n, np = fm_npts(g), D = (size_t)d;
  /* distinct q */
  size_t *qi = malloc(nm * sizeof *qi), nq = 0;
  double complex *hat = fftw_malloc(np * sizeof *hat), *sh = fftw_malloc(np * sizeof *sh);
  double complex *beta = NULL, *pw = malloc(nm * D * n * sizeof *pw), *acc = calloc(nm, sizeof *acc);
  fftw_plan pf = NULL, pb = NULL;
  if (!qi || !hat || !sh || !pw || !acc) {
    st = mfh_err_set(err, MFH_ENOMEM, "modes: out of memory");
    goto done;
  }
  size_t *first = malloc(nm * sizeof *first); /* mode index of distinct q u */
  if (!first) {
    st = mfh_err_set(err, MFH_ENOMEM, "modes: out of memory");
    goto done;
  }
  for (size_t j = 0; j < nm; j++) {
    size_t u;
    for (u = 0; u < nq; u++) {
      int same = 1;
      for (size_t a = 0; a < D; a++) same = same && q[first[u] * D + a] == q[j * D + a];
      if (same) break;
    }
    if (u == nq) first[nq++] = j;
    qi[j] = u;
  }
  beta = malloc(nq * D * n * sizeof *beta);
  if (!beta) {
    free(first);
    st = mfh_err_set(err, MFH_ENOMEM, "modes: out of memory");
    goto done;
  }
  for (size_t u = 0; u < nq; u++)
    for (size_t a = 0; a < D; a++) shift_table(n, g->dx, g->eps * q[first[u] * D + a], beta + (u * D + a) * n);
  free(first);
  for (size_t j = 0; j < nm; j++)
    for (size_t a = 0; a < D; a++) plane_table(g, p[j * D + a], pw + (j * D + a) * n);
  int nn[2] = {g->n, g->n};
#pragma omp critical(mfh_fftw_planner)
  {
    pf = fftw_plan_dft(d, nn, hat, hat, FFTW_FORWARD, FFTW_ESTIMATE);
    pb = fftw_plan_dft(d, nn, sh, sh, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!pf || !pb) {
    st = mfh_err_set(err, MFH_ENOMEM, "modes: FFTW could not plan");
    goto done;
  }
  double inv = 1.0 / (double)np;
  for (int k = 0; k < o->m; k++) {
    const double complex *ph = o->phi + (size_t)k * np;
    memcpy(hat, ph, np * sizeof *hat);
    fftw_execute_dft(pf, hat, hat);
    for (size_t u = 0; u < nq; u++) {
      const double complex *b1 = beta + u * D * n;
      for (size_t ix = 0; ix < np; ix++) {
        double complex f = d == 1 ? b1[ix] : fm_mul(b1[ix / n], b1[n + ix % n]);
        sh[ix] = fm_mul(hat[ix], f);
      }
      fftw_execute_dft(pb, sh, sh); /* npts phi(x + eps q) */
      for (size_t j = 0; j < nm; j++) {
        if (qi[j] != u) continue;
        double complex s = 0.0;
        for (size_t ix = 0; ix < np; ix++) {
          double complex e = d == 1 ? pw[j * n + ix] : fm_mul(pw[(2 * j) * n + ix / n], pw[(2 * j + 1) * n + ix % n]);
          s += fm_mul(fm_mul(conj(ph[ix]), e), sh[ix]);
        }
        acc[j] += o->occ[k] * inv * s;
      }
    }
  }
  double cell = fm_cell(g);
  for (size_t j = 0; j < nm; j++) {
    double pq = 0.0;
    for (size_t a = 0; a < D; a++) pq += p[j * D + a] * q[j * D + a];
    double phs = 0.5 * g->eps * pq;
    c[j] = fm_mul(CMPLX(cos(phs), sin(phs)), acc[j]) * (cell / o->N);
  }
  st = MFH_OK;
done:
  if (pf || pb) {
#pragma omp critical(mfh_fftw_planner)
    {
      if (pf) fftw_destroy_plan(pf);
      if (pb) fftw_destroy_plan(pb);
    }
  }
  free(qi);
  fftw_free(hat);
  fftw_free(sh);
  free(beta);
  free(pw);
  free(acc);
  return st;
}

double mfh_fermion_modes_weighted_max(int dim, size_t nm, const double *p, const double *q,
                                      const double complex *c, size_t *arg) {
  double best = 0.0;
  size_t bj = 0;
  for (size_t j = 0; j < nm; j++) {
    double np2 = 0.0, nq2 = 0.0;
    for (int a = 0; a < dim; a++) {
      np2 += p[j * (size_t)dim + (size_t)a] * p[j * (size_t)dim + (size_t)a];
      nq2 += q[j * (size_t)dim + (size_t)a] * q[j * (size_t)dim + (size_t)a];
    }
    double w = 1.0 + sqrt(np2) + sqrt(nq2), v = cabs(c[j]) / (w * w);
    if (v > best) {
      best = v;
      bj = j;
    }
  }
  if (arg) *arg = bj;
  return best;
}

/* ---- commutator monitors ----------------------------------------------------------- */

/* eps d_a of every orbital (spectral; Nyquist -> 0) into out (m x npts). */
static int orbital_gradient(const mfh_fermion_orbitals *o, int a, double complex *out, mfh_err *err) {
  const mfh_fermion_grid *g = &o->grid;
  size_t n = (size_t)g->n, np = fm_npts(g);
  double complex *s = fftw_malloc(np * sizeof *s);
  fftw_plan pf = NULL, pb = NULL;
  int st = MFH_OK, nn[2] = {g->n, g->n};
  if (!s) return mfh_err_set(err, MFH_ENOMEM, "gradient: out of memory");
#pragma omp critical(mfh_fftw_planner)
  {
    pf = fftw_plan_dft(g->dim, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
    pb = fftw_plan_dft(g->dim, nn, s, s, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!pf || !pb) {
    st = mfh_err_set(err, MFH_ENOMEM, "gradient: FFTW could not plan");
    goto done;
  }
  double f = g->eps / (double)np;
  for (int k = 0; k < o->m; k++) {
    memcpy(s, o->phi + (size_t)k * np, np * sizeof *s);
    fftw_execute_dft(pf, s, s);
    for (size_t ix = 0; ix < np; ix++) {
      size_t l = g->dim == 1 ? ix : (a == 0 ? ix / n : ix % n);
      double kk = l == n / 2 ? 0.0 : fm_wave(l, n, g->dx);
      s[ix] = fm_mul(s[ix], CMPLX(0.0, f * kk));
    }
    fftw_execute_dft(pb, s, s);
    memcpy(out + (size_t)k * np, s, np * sizeof *s);
  }
done:
#pragma omp critical(mfh_fftw_planner)
  {
    if (pf) fftw_destroy_plan(pf);
    if (pb) fftw_destroy_plan(pb);
  }
  fftw_free(s);
  return st;
}

int mfh_fermion_commutator_norms(const mfh_fermion_orbitals *o, double *cx, double *cp,
                                 mfh_err *err) {
  int st;
  if (!o) return mfh_err_set(err, MFH_EINPUT, "commutators: NULL orbitals");
  if ((st = mfh_fermion_grid_check(&o->grid, err)) != MFH_OK) return st;
  const mfh_fermion_grid *g = &o->grid;
  size_t np = fm_npts(g), m = (size_t)o->m, r = 2 * m, n = (size_t)g->n;
  double complex *C = malloc(np * r * sizeof *C), *M = calloc(r * r, sizeof *M);
  double *lam = malloc((r > np ? r : np) * sizeof *lam);
  if (!C || !M || !lam) {
    st = mfh_err_set(err, MFH_ENOMEM, "commutators: out of memory (rank %zu)", r);
    goto done;
  }
  double scale = 1.0 / (o->N * g->eps), bx = 0.0, bp = 0.0;
  for (int which = 0; which < 2; which++) {
    if ((which == 0 && !cx) || (which == 1 && !cp)) continue;
    for (int a = 0; a < g->dim; a++) {
      if (which == 0) {
        for (size_t k = 0; k < m; k++)
          for (size_t ix = 0; ix < np; ix++) {
            size_t i = g->dim == 1 ? ix : (a == 0 ? ix / n : ix % n);
            C[k * np + ix] = (g->xmin + (double)i * g->dx) * o->phi[k * np + ix];
          }
      } else if ((st = orbital_gradient(o, a, C, err)) != MFH_OK) {
        goto done;
      }
      memcpy(C + m * np, o->phi, m * np * sizeof *C);
      memset(M, 0, r * r * sizeof *M);
      for (size_t k = 0; k < m; k++) {
        /* column-major (row, col) at col * r + row */
        double l = o->occ[k];
        if (which == 0) { /* i [[0, L], [-L, 0]] */
          M[(m + k) * r + k] = CMPLX(0.0, l);
          M[k * r + m + k] = CMPLX(0.0, -l);
        } else { /* [[0, L], [L, 0]] */
          M[(m + k) * r + k] = l;
          M[k * r + m + k] = l;
        }
      }
      size_t nl = 0;
      if ((st = lowrank_eigs(np, fm_cell(g), r, C, M, lam, &nl, err)) != MFH_OK) goto done;
      double t = 0.0;
      norms_from(lam, nl, &t, NULL);
      if (which == 0)
        bx = fmax(bx, scale * t);
      else
        bp = fmax(bp, scale * t);
    }
  }
  if (cx) *cx = bx;
  if (cp) *cp = bp;
  st = MFH_OK;
done:
  free(C);
  free(M);
  free(lam);
  return st;
}

/* ---- ||grad W_N||_1 of trap states ------------------------------------------------ */

/* ell[k] = e^{-z/2} L_k(z), dell[k] = d/dz of it, k = 0..kmax (scaled
 * three-term recurrence; L_k' = -sum_{j<k} L_j). */
static void laguerre_functions(int kmax, double z, double *ell, double *dell) {
  double S = 0.0; /* log of the common scale of the recurrence variables */
  double lm = 0.0, l = 1.0, cum = 0.0; /* L_{k-1}, L_k, sum_{j<k} L_j (scaled) */
  double big = 1e150, lbig = log(1e150);
  for (int k = 0; k <= kmax; k++) {
    double f = S - 0.5 * z;
    double ek = f > -700.0 ? exp(f) : 0.0;
    double lk, ck;
    if (ek > 0.0) {
      lk = l * ek;
      ck = cum * ek;
    } else {
      lk = l == 0.0 ? 0.0 : copysign(exp(f + log(fabs(l))), l);
      ck = cum == 0.0 ? 0.0 : copysign(exp(f + log(fabs(cum))), cum);
    }
    ell[k] = lk;
    dell[k] = -ck - 0.5 * lk;
    /* advance */
    cum += l;
    double ln = ((2.0 * k + 1.0 - z) * l - (double)k * lm) / (double)(k + 1);
    lm = l;
    l = ln;
    if (fabs(l) > big || fabs(cum) > big) {
      l /= big;
      lm /= big;
      cum /= big;
      S += lbig;
    }
  }
}

/* r dW/dr of the 1D trap state at r (see below). */
static double radial_rdw(const mfh_fermion_levels *lv, int kmax, double r, double *ell, double *dell) {
  double eps = lv->eps;
  laguerre_functions(kmax, 2.0 * r * r / eps, ell, dell);
  double dw = 0.0;
  for (int k = 0; k < lv->m; k++) {
    int q = lv->qn[k];
    dw += (q % 2 ? -lv->occ[k] : lv->occ[k]) * dell[q];
  }
  return dw * 4.0 * r / eps / (lv->N * FM_PI * eps) * r;
}

/* int_a^b |r dW/dr| dr by Gauss-Legendre, halving the panel (depth times)
 * where the integrand changes sign (at the nodes or the end points). */
static double radial_panel(const mfh_fermion_levels *lv, int kmax, gsl_integration_glfixed_table *tab,
                           size_t ng, double a, double b, double *ell, double *dell, int depth) {
  double s = 0.0, f[16], fa = radial_rdw(lv, kmax, a, ell, dell), fb = radial_rdw(lv, kmax, b, ell, dell);
  int pos = fa > 0 || fb > 0, neg = fa < 0 || fb < 0; /* the end points catch a kink next to them */
  for (size_t i = 0; i < ng; i++) {
    double xi, wi;
    gsl_integration_glfixed_point(a, b, i, &xi, &wi, tab);
    f[i] = radial_rdw(lv, kmax, xi, ell, dell);
    pos |= f[i] > 0;
    neg |= f[i] < 0;
    s += wi * fabs(f[i]);
  }
  if (pos && neg && depth > 0) {
    double m = 0.5 * (a + b);
    return radial_panel(lv, kmax, tab, ng, a, m, ell, dell, depth - 1) +
           radial_panel(lv, kmax, tab, ng, m, b, ell, dell, depth - 1);
  }
  return s;
}

int mfh_fermion_wigner_grad_l1(const mfh_fermion_levels *lv, double *out, mfh_err *err) {
  if (!lv || !out) return mfh_err_set(err, MFH_EINPUT, "Wigner gradient: NULL argument");
  int dim = lv->dim, st = MFH_OK;
  double eps = lv->eps;
  int kmax = 0;
  double Emax = 0.0;
  for (size_t i = 0; i < (size_t)lv->m * (size_t)dim; i++)
    if (lv->qn[i] > kmax) kmax = lv->qn[i];
  for (int k = 0; k < lv->m; k++) Emax = fmax(Emax, lv->energy[k]);
  double rmax = sqrt(2.0 * Emax + 40.0 * eps), h = 0.25 * eps;
  size_t npan = (size_t)ceil(rmax / h), ng = 8, Q = npan * ng;
  gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(ng);
  double *r = malloc(Q * sizeof *r), *wq = malloc(Q * sizeof *wq);
  double *ell = malloc((size_t)(kmax + 1) * sizeof *ell), *dell = malloc((size_t)(kmax + 1) * sizeof *dell);
  double *L = NULL, *Lp = NULL, *Cm = NULL, *T = NULL, *G1 = NULL, *G2 = NULL;
  if (!tab || !r || !wq || !ell || !dell) {
    st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory (%zu nodes)", Q);
    goto done;
  }
  for (size_t pn = 0; pn < npan; pn++)
    for (size_t i = 0; i < ng; i++) {
      double xi, wi;
      gsl_integration_glfixed_point(pn * h, (pn + 1) * h, i, &xi, &wi, tab);
      r[pn * ng + i] = xi;
      wq[pn * ng + i] = wi;
    }
  if (dim == 1) {
    /* W(r) = sum c_k ell_k(z), z = 2 r^2 / eps, c_k = occ (-1)^k / (N pi eps);
     * dW/dr = (4 r / eps) sum c_k ell_k'(z); integral 2 pi int |dW/dr| r dr.
     * |.| has kinks at the zeros of dW/dr: a panel whose nodes change sign
     * is halved (down to h / 2^20) so that the kinks cost no accuracy. */
    double s = 0.0;
    for (size_t pn = 0; pn < npan; pn++) s += radial_panel(lv, kmax, tab, ng, pn * h, (pn + 1) * h, ell, dell, 20);
    *out = 2.0 * FM_PI * s;
  } else {
    /* G = sum_ab c_ab ell_a(z1) ell_b(z2), c_ab = occ (-1)^(a+b) / (N pi^2 eps^2);
     * |grad W| = (4 / eps) sqrt(r1^2 G_1^2 + r2^2 G_2^2), G_1 = sum c ell'_a ell_b;
     * integral (2 pi)^2 int int |grad W| r1 r2 dr1 dr2 */
    size_t K = (size_t)kmax + 1;
    L = malloc(K * Q * sizeof *L);
    Lp = malloc(K * Q * sizeof *Lp);
    Cm = calloc(K * K, sizeof *Cm);
    T = malloc(K * Q * sizeof *T);
    G1 = malloc(Q * Q * sizeof *G1);
    G2 = malloc(Q * Q * sizeof *G2);
    if (!L || !Lp || !Cm || !T || !G1 || !G2 || Q > FM_BLAS_MAX) {
      st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory (%zu x %zu nodes)", Q, Q);
      goto done;
    }
    for (size_t i = 0; i < Q; i++) {
      laguerre_functions(kmax, 2.0 * r[i] * r[i] / eps, ell, dell);
      for (size_t a = 0; a < K; a++) {
        L[i * K + a] = ell[a]; /* column-major K x Q: (a, i) */
        Lp[i * K + a] = dell[a];
      }
    }
    double cn = 1.0 / (lv->N * FM_PI * FM_PI * eps * eps);
    for (int k = 0; k < lv->m; k++) {
      int a = lv->qn[2 * k], b = lv->qn[2 * k + 1];
      Cm[(size_t)b * K + (size_t)a] += ((a + b) % 2 ? -1.0 : 1.0) * lv->occ[k] * cn;
    }
    /* G1 = Lp^T C L (Q x Q), G2 = L^T C Lp; column-major */
    int iK = (int)K, iQ = (int)Q;
    double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &iK, &iQ, &iK, &one, Cm, &iK, L, &iK, &zero, T, &iK, 1, 1);  /* T = C L */
    dgemm_("T", "N", &iQ, &iQ, &iK, &one, Lp, &iK, T, &iK, &zero, G1, &iQ, 1, 1); /* Lp^T C L */
    dgemm_("N", "N", &iK, &iQ, &iK, &one, Cm, &iK, Lp, &iK, &zero, T, &iK, 1, 1); /* C Lp */
    dgemm_("T", "N", &iQ, &iQ, &iK, &one, L, &iK, T, &iK, &zero, G2, &iQ, 1, 1);  /* L^T C Lp */
    double s = 0.0;
    for (size_t j = 0; j < Q; j++) {
      double sj = 0.0;
      for (size_t i = 0; i < Q; i++) {
        /* G1(i, j): d/dz1 at (r_i, r_j) */
        double a = r[i] * G1[j * Q + i], b = r[j] * G2[j * Q + i];
        sj += wq[i] * r[i] * sqrt(a * a + b * b);
      }
      s += wq[j] * r[j] * sj;
    }
    *out = 4.0 * FM_PI * FM_PI * (4.0 / eps) * s;
  }
done:
  if (tab) gsl_integration_glfixed_table_free(tab);
  free(r);
  free(wq);
  free(ell);
  free(dell);
  free(L);
  free(Lp);
  free(Cm);
  free(T);
  free(G1);
  free(G2);
  return st;
}

/* ---- resolution monitors ---------------------------------------------------------- */

static int on_edge(const mfh_fermion_grid *g, size_t ix) {
  size_t n = (size_t)g->n;
  if (g->dim == 1) return ix == 0 || ix == n - 1;
  size_t i1 = ix / n, i2 = ix % n;
  return i1 == 0 || i1 == n - 1 || i2 == 0 || i2 == n - 1;
}

static int in_band(const mfh_fermion_grid *g, size_t ix) {
  size_t n = (size_t)g->n;
  for (int a = 0; a < g->dim; a++) {
    size_t l = g->dim == 1 ? ix : (a == 0 ? ix / n : ix % n);
    double m = l < n / 2 ? (double)l : (double)n - (double)l;
    if (m >= 0.45 * (double)n) return 1;
  }
  return 0;
}

int mfh_fermion_kernel_edges(const mfh_fermion_grid *g, const double complex *K, double *edge,
                             double *band, mfh_err *err) {
  int st;
  if (!K || !edge || !band) return mfh_err_set(err, MFH_EINPUT, "edges: NULL argument");
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  size_t np = fm_npts(g);
  double complex *s = fftw_malloc(np * sizeof *s);
  fftw_plan pl = NULL;
  int nn[2] = {g->n, g->n};
  if (!s) return mfh_err_set(err, MFH_ENOMEM, "edges: out of memory");
#pragma omp critical(mfh_fftw_planner)
  pl = fftw_plan_dft(g->dim, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!pl) {
    fftw_free(s);
    return mfh_err_set(err, MFH_ENOMEM, "edges: FFTW could not plan");
  }
  double kmax = 0.0, emax = 0.0, smax = 0.0, bmax = 0.0;
  for (size_t ix = 0; ix < np; ix++) {
    const double complex *row = K + ix * np;
    int e = on_edge(g, ix);
    for (size_t J = 0; J < np; J++) {
      double a = cabs(row[J]);
      kmax = fmax(kmax, a);
      if (e || on_edge(g, J)) emax = fmax(emax, a);
    }
    memcpy(s, row, np * sizeof *s);
    fftw_execute_dft(pl, s, s);
    for (size_t J = 0; J < np; J++) {
      double a = cabs(s[J]);
      smax = fmax(smax, a);
      if (in_band(g, J)) bmax = fmax(bmax, a);
    }
  }
#pragma omp critical(mfh_fftw_planner)
  fftw_destroy_plan(pl);
  fftw_free(s);
  *edge = kmax > 0 ? emax / kmax : 0.0;
  *band = smax > 0 ? bmax / smax : 0.0;
  return MFH_OK;
}

int mfh_fermion_orbital_edges(const mfh_fermion_orbitals *o, double *edge, double *band,
                              mfh_err *err) {
  int st;
  if (!o || !edge || !band) return mfh_err_set(err, MFH_EINPUT, "edges: NULL argument");
  const mfh_fermion_grid *g = &o->grid;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  size_t np = fm_npts(g);
  double complex *s = fftw_malloc(np * sizeof *s);
  double *rho = calloc(np, sizeof *rho), *S = calloc(np, sizeof *S);
  fftw_plan pl = NULL;
  int nn[2] = {g->n, g->n};
  if (!s || !rho || !S) {
    st = mfh_err_set(err, MFH_ENOMEM, "edges: out of memory");
    goto done;
  }
#pragma omp critical(mfh_fftw_planner)
  pl = fftw_plan_dft(g->dim, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!pl) {
    st = mfh_err_set(err, MFH_ENOMEM, "edges: FFTW could not plan");
    goto done;
  }
  for (int k = 0; k < o->m; k++) {
    const double complex *p = o->phi + (size_t)k * np;
    memcpy(s, p, np * sizeof *s);
    fftw_execute_dft(pl, s, s);
    for (size_t ix = 0; ix < np; ix++) {
      rho[ix] += o->occ[k] * (creal(p[ix]) * creal(p[ix]) + cimag(p[ix]) * cimag(p[ix]));
      S[ix] += o->occ[k] * (creal(s[ix]) * creal(s[ix]) + cimag(s[ix]) * cimag(s[ix]));
    }
  }
  double rmax = 0, remax = 0, smax = 0, sbmax = 0;
  for (size_t ix = 0; ix < np; ix++) {
    rmax = fmax(rmax, rho[ix]);
    if (on_edge(g, ix)) remax = fmax(remax, rho[ix]);
    smax = fmax(smax, S[ix]);
    if (in_band(g, ix)) sbmax = fmax(sbmax, S[ix]);
  }
  *edge = rmax > 0 ? sqrt(remax / rmax) : 0.0;
  *band = smax > 0 ? sqrt(sbmax / smax) : 0.0;
  st = MFH_OK;
done:
  if (pl) {
#pragma omp critical(mfh_fftw_planner)
    fftw_destroy_plan(pl);
  }
  fftw_free(s);
  free(rho);
  free(S);
  return st;
}
