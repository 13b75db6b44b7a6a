/* Commutator norms and ||grad W||_1 of density operators (see
 * regularity.h). */
#include "metrics/semiclassical/regularity.h"

#include <complex.h>
#include <fftw3.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/cmplx.h"
#include "core/fftw.h"

#define RG_PI 3.14159265358979323846

static int check_args(const mfh_sc_state *R, mfh_err *err) {
  int st = mfh_sc_operator_check(R, err);
  if (st) return st;
  if (!(R->eps > 0) || !isfinite(R->eps))
    return mfh_err_set(err, MFH_EINPUT, "the state has no semiclassical scale eps (got %g)", R->eps);
  if (mfh_xgrid_points(&R->grid) > (size_t)MFH_BLAS_MAX / 4)
    return mfh_err_set(err, MFH_EINPUT, "grid too large for LAPACK");
  return MFH_OK;
}

/* Eigenvalues of the Hermitian n x n column-major matrix D (destroyed). */
static int eig_values(size_t n, double complex *D, double *lam, mfh_err *err) {
  lapack_int info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, D, (lapack_int)n, lam);
  if (info != 0) return mfh_err_set(err, MFH_ENUMERIC, "LAPACKE_zheevd failed (info %d, n %zu)", (int)info, n);
  return MFH_OK;
}

static double abs_sum(const double *lam, size_t n) {
  double t = 0.0;
  for (size_t i = 0; i < n; i++) t += fabs(lam[i]);
  return t;
}

/* tr|cell C M C^*| (C: npts x r column-major, destroyed; M: r x r
 * column-major Hermitian): a QR of sqrt(cell) C and the r x r problem
 * R M R^* when r < npts, else the dense npts x npts operator. */
static int lowrank_trace(size_t npts, double cell, size_t r, double complex *C, const double complex *M,
                         double *tr, mfh_err *err) {
  int st = MFH_OK, in = (int)npts, ir = (int)r;
  double complex one = 1.0, zero = 0.0;
  double complex *tau = NULL, *Rm = NULL, *T = NULL, *H = NULL;
  double *lam = NULL;
  if (r < npts) {
    double sc = sqrt(cell);
    for (size_t i = 0; i < npts * r; i++) C[i] *= sc;
    tau = malloc(r * sizeof *tau);
    Rm = calloc(r * r, sizeof *Rm);
    T = malloc(r * r * sizeof *T);
    H = malloc(r * r * sizeof *H);
    lam = malloc(r * sizeof *lam);
    if (!tau || !Rm || !T || !H || !lam) {
      st = mfh_err_set(err, MFH_ENOMEM, "commutators: out of memory (rank %zu)", r);
      goto done;
    }
    lapack_int info = LAPACKE_zgeqrf(LAPACK_COL_MAJOR, in, ir, C, in, tau);
    if (info != 0) {
      st = mfh_err_set(err, MFH_ENUMERIC, "LAPACKE_zgeqrf failed (info %d)", (int)info);
      goto done;
    }
    for (size_t l = 0; l < r; l++)
      for (size_t i = 0; i <= l; i++) Rm[l * r + i] = C[l * npts + i];
    zgemm_("N", "N", &ir, &ir, &ir, &one, Rm, &ir, M, &ir, &zero, T, &ir, 1, 1);
    zgemm_("N", "C", &ir, &ir, &ir, &one, T, &ir, Rm, &ir, &zero, H, &ir, 1, 1);
    if ((st = eig_values(r, H, lam, err)) == MFH_OK) *tr = abs_sum(lam, r);
  } else {
    T = malloc(npts * r * sizeof *T);
    H = malloc(npts * npts * sizeof *H);
    lam = malloc(npts * sizeof *lam);
    if (!T || !H || !lam) {
      st = mfh_err_set(err, MFH_ENOMEM, "commutators: out of memory for %zu x %zu", npts, npts);
      goto done;
    }
    double complex cc = cell;
    zgemm_("N", "N", &in, &ir, &ir, &one, C, &in, M, &ir, &zero, T, &in, 1, 1);
    zgemm_("N", "C", &in, &in, &ir, &cc, T, &in, C, &in, &zero, H, &in, 1, 1);
    if ((st = eig_values(npts, H, lam, err)) == MFH_OK) *tr = abs_sum(lam, npts);
  }
done:
  free(tau);
  free(Rm);
  free(T);
  free(H);
  free(lam);
  return st;
}

/* f * d_a of each of the cnt arrays of npts values in `in` (spectral on the
 * periodic grid, Nyquist -> 0) into out (may equal in). */
static int spectral_derivative(const mfh_xgrid *g, int a, double f, size_t cnt, const double complex *in,
                               double complex *out, mfh_err *err) {
  size_t n = g->n, np = mfh_xgrid_points(g);
  double complex *s = fftw_malloc(np * sizeof *s);
  fftw_plan pf = NULL, pb = NULL;
  int st = MFH_OK, nn[2] = {(int)n, (int)n};
  if (!s) return mfh_err_set(err, MFH_ENOMEM, "derivative: out of memory");
#pragma omp critical(mfh_fftw_planner)
  {
    pf = fftw_plan_dft(g->dim, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
    pb = fftw_plan_dft(g->dim, nn, s, s, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!pf || !pb) {
    st = mfh_err_set(err, MFH_ENOMEM, "derivative: FFTW could not plan");
    goto done;
  }
  double c = f / (double)np;
  for (size_t k = 0; k < cnt; k++) {
    memcpy(s, in + k * np, np * sizeof *s);
    fftw_execute_dft(pf, s, s);
    for (size_t ix = 0; ix < np; ix++) {
      size_t l = g->dim == 1 ? ix : (a == 0 ? ix / n : ix % n);
      double kk = l == n / 2 ? 0.0 : mfh_dft_wave(l, n, g->dx);
      s[ix] = mfh_cmul(s[ix], CMPLX(0.0, c * kk));
    }
    fftw_execute_dft(pb, s, s);
    memcpy(out + k * np, s, np * sizeof *s);
  }
done:
  mfh_fftw_destroy_plans(pf, pb);
  fftw_free(s);
  return st;
}

/* Coordinate a of node ix. */
static double coord(const mfh_xgrid *g, size_t ix, int a) {
  size_t n = g->n, i = g->dim == 1 ? ix : (a == 0 ? ix / n : ix % n);
  return mfh_xgrid_node(g, i);
}

/* The orbital route (rank 2m). */
static int commutators_orbitals(const mfh_sc_state *R, double *cx, double *cp, mfh_err *err) {
  const mfh_xgrid *g = &R->grid;
  size_t np = mfh_xgrid_points(g), m = R->norb, r = 2 * m;
  int st = MFH_OK;
  double complex *C = malloc(np * r * sizeof *C), *M = calloc(r * r, sizeof *M);
  if (!C || !M) {
    st = mfh_err_set(err, MFH_ENOMEM, "commutators: out of memory (rank %zu)", r);
    goto done;
  }
  double bx = 0.0, bp = 0.0;
  for (int which = 0; which < 2; which++) {
    if ((which == 0 && !cx) || (which == 1 && !cp)) continue;
    for (int a = 0; a < g->dim; a++) {
      if (which == 0) {
        for (size_t k = 0; k < m; k++)
          for (size_t ix = 0; ix < np; ix++) C[k * np + ix] = coord(g, ix, a) * R->orb[k * np + ix];
      } else if ((st = spectral_derivative(g, a, R->eps, m, R->orb, C, err)) != MFH_OK) {
        goto done;
      }
      memcpy(C + m * np, R->orb, m * np * sizeof *C);
      memset(M, 0, r * r * sizeof *M);
      for (size_t k = 0; k < m; k++) { /* column-major (row, col) at col * r + row */
        double l = R->w[k];
        if (which == 0) { /* i [[0, L], [-L, 0]]: i [x, R] */
          M[(m + k) * r + k] = CMPLX(0.0, l);
          M[k * r + m + k] = CMPLX(0.0, -l);
        } else { /* [[0, L], [L, 0]] */
          M[(m + k) * r + k] = l;
          M[k * r + m + k] = l;
        }
      }
      double t = 0.0;
      if ((st = lowrank_trace(np, mfh_xgrid_cell(g), r, C, M, &t, err)) != MFH_OK) goto done;
      if (which == 0)
        bx = fmax(bx, t);
      else
        bp = fmax(bp, t);
    }
  }
  if (cx) *cx = bx;
  if (cp) *cp = bp;
done:
  free(C);
  free(M);
  return st;
}

/* The dense route for kernels. */
static int commutators_kernel(const mfh_sc_state *R, double *cx, double *cp, mfh_err *err) {
  const mfh_xgrid *g = &R->grid;
  size_t np = mfh_xgrid_points(g);
  double cell = mfh_xgrid_cell(g), bx = 0.0, bp = 0.0;
  int st = MFH_OK;
  double complex *D = malloc(np * np * sizeof *D), *G = cp ? malloc(np * np * sizeof *G) : NULL;
  double *lam = malloc(np * sizeof *lam);
  if (!D || !lam || (cp && !G)) {
    st = mfh_err_set(err, MFH_ENOMEM, "commutators: out of memory for %zu x %zu", np, np);
    goto done;
  }
  for (int a = 0; a < g->dim; a++) {
    if (cx) { /* i cell (x_i - x_j) K_ij, read column-major: its conjugate (same spectrum) */
      for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < np; j++)
          D[i * np + j] = mfh_cmul(CMPLX(0.0, cell * (coord(g, i, a) - coord(g, j, a))), R->kernel[i * np + j]);
      if ((st = eig_values(np, D, lam, err)) != MFH_OK) goto done;
      bx = fmax(bx, abs_sum(lam, np));
    }
    if (cp) { /* cell eps (G + G^*), G = d_2 K row by row */
      if ((st = spectral_derivative(g, a, R->eps, np, R->kernel, G, err)) != MFH_OK) goto done;
      for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < np; j++) D[i * np + j] = cell * (G[i * np + j] + conj(G[j * np + i]));
      if ((st = eig_values(np, D, lam, err)) != MFH_OK) goto done;
      bp = fmax(bp, abs_sum(lam, np));
    }
  }
  if (cx) *cx = bx;
  if (cp) *cp = bp;
done:
  free(D);
  free(G);
  free(lam);
  return st;
}

int mfh_sc_commutators(const mfh_sc_state *R, double *cx, double *cp, mfh_err *err) {
  int st = check_args(R, err);
  if (st) return st;
  if (R->kind == MFH_SC_KERNEL) return commutators_kernel(R, cx, cp, err);
  if (2 * R->norb < mfh_xgrid_points(&R->grid)) return commutators_orbitals(R, cx, cp, err);
  /* rank 2m >= N: the dense kernel is cheaper than the dense C M C^* */
  mfh_sc_state *K = NULL;
  if ((st = mfh_sc_state_to_kernel(R, &K, err)) == MFH_OK) st = commutators_kernel(K, cx, cp, err);
  mfh_sc_state_destroy(K);
  return st;
}

/* ---- ||grad W||_1 ------------------------------------------------------------------ */

/* The orbitals and weights of R: its own, or (kernel) the eigenvectors of
 * dx^d K with eigenvalue above 1e-14 of the largest in modulus, scaled to
 * unit grid norm.  *orb and *w are malloc'd. */
static int orbitals_of(const mfh_sc_state *R, double complex **orb, double **w, size_t *m, mfh_err *err) {
  size_t np = mfh_xgrid_points(&R->grid);
  if (R->kind == MFH_SC_ORBITALS) {
    *orb = malloc(R->norb * np * sizeof **orb);
    *w = malloc(R->norb * sizeof **w);
    if (!*orb || !*w) return mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory");
    memcpy(*orb, R->orb, R->norb * np * sizeof **orb);
    memcpy(*w, R->w, R->norb * sizeof **w);
    *m = R->norb;
    return MFH_OK;
  }
  double cell = mfh_xgrid_cell(&R->grid);
  double complex *D = malloc(np * np * sizeof *D);
  double *lam = malloc(np * sizeof *lam);
  if (!D || !lam) {
    free(D);
    free(lam);
    return mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory for %zu x %zu", np, np);
  }
  for (size_t i = 0; i < np * np; i++) D[i] = cell * R->kernel[i];
  /* row-major K read column-major is conj K: its eigenvectors are the
   * conjugates of K's */
  lapack_int info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)np, D, (lapack_int)np, lam);
  if (info != 0) {
    free(D);
    free(lam);
    return mfh_err_set(err, MFH_ENUMERIC, "LAPACKE_zheevd failed (info %d, n %zu)", (int)info, np);
  }
  double big = 0.0;
  size_t cnt = 0;
  for (size_t i = 0; i < np; i++) big = fmax(big, fabs(lam[i]));
  for (size_t i = 0; i < np; i++) cnt += fabs(lam[i]) > 1e-14 * big;
  *orb = malloc((cnt ? cnt : 1) * np * sizeof **orb);
  *w = malloc((cnt ? cnt : 1) * sizeof **w);
  if (!*orb || !*w) {
    free(D);
    free(lam);
    return mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory");
  }
  double f = 1.0 / sqrt(cell);
  size_t k = 0;
  for (size_t i = 0; i < np; i++) {
    if (!(fabs(lam[i]) > 1e-14 * big)) continue;
    for (size_t j = 0; j < np; j++) (*orb)[k * np + j] = f * conj(D[i * np + j]);
    (*w)[k++] = lam[i];
  }
  *m = cnt;
  free(D);
  free(lam);
  return MFH_OK;
}

/* Position of signed frequency s on an axis of 2n points. */
static size_t pad_pos(long s, size_t n2) { return s >= 0 ? (size_t)s : (size_t)((long)n2 + s); }

/* The orbital u (n^d values) and its derivatives d_a u, interpolated to the
 * grid of spacing dx/2: out[0] (values) and out[1 + a] ((2n)^d each).
 * spec: scratch of (2n)^d; fin/fout: FFT buffers with their plans. */
static void upsample(const mfh_xgrid *g, const double complex *u, double complex *fin, fftw_plan pf,
                     double complex *spec, double complex *const *out, fftw_plan pb) {
  int d = g->dim;
  size_t n = g->n, n2 = 2 * n, np = mfh_xgrid_points(g), np2 = d == 1 ? n2 : n2 * n2;
  memcpy(fin, u, np * sizeof *fin);
  fftw_execute_dft(pf, fin, fin);
  double inv = 1.0 / (double)np;
  for (int c = 0; c <= d; c++) {
    memset(spec, 0, np2 * sizeof *spec);
    for (size_t ix = 0; ix < np; ix++) {
      size_t l1 = d == 1 ? ix : ix / n, l2 = d == 1 ? 0 : ix % n;
      long s1 = l1 < n / 2 ? (long)l1 : (long)l1 - (long)n, s2 = l2 < n / 2 ? (long)l2 : (long)l2 - (long)n;
      int ny1 = l1 == n / 2, ny2 = d == 2 && l2 == n / 2;
      double complex v = fin[ix] * inv;
      if (c > 0) { /* i k_a (the Nyquist halves get +- k: the interpolant's derivative) */
        double k = 2.0 * RG_PI * (double)(c == 1 ? s1 : s2) / ((double)n * g->dx);
        v = mfh_cmul(v, CMPLX(0.0, k));
      }
      /* a Nyquist index on an axis splits into +-n/2 halves (opposite signs
       * for the derivative along it) */
      for (int h1 = 0; h1 <= ny1; h1++)
        for (int h2 = 0; h2 <= ny2; h2++) {
          long t1 = h1 ? -s1 : s1, t2 = h2 ? -s2 : s2;
          double f = (ny1 ? 0.5 : 1.0) * (ny2 ? 0.5 : 1.0);
          if ((c == 1 && h1) || (c == 2 && h2)) f = -f;
          size_t pos = d == 1 ? pad_pos(t1, n2) : pad_pos(t1, n2) * n2 + pad_pos(t2, n2);
          spec[pos] += f * v;
        }
    }
    fftw_execute_dft(pb, spec, out[c]);
  }
}

/* One line of the sums P, Q_1 (and Q_2 when f2, the second derivative
 * component, is given) at positions pos.. pos + cnt - 1 of the k arrays:
 * the orbital values f0 (f1 = f0 + np2, its derivative d_1, f2 = d_2) at
 * ip + j and im - j. */
static void accum_line(double wk, const double complex *f0, const double complex *f2, size_t np2, size_t ip,
                       size_t im, double complex *P, double complex *Q1, double complex *Q2, size_t pos,
                       size_t cnt) {
  const double *a0 = (const double *)(f0 + ip), *a1 = (const double *)(f0 + np2 + ip);
  const double *b0 = (const double *)(f0 + im), *b1 = (const double *)(f0 + np2 + im);
  double *p = (double *)(P + pos), *q = (double *)(Q1 + pos);
  for (size_t j = 0; j < cnt; j++) {
    /* v = a0[j], c = conj b0[-j] */
    double vr = a0[2 * j], vi = a0[2 * j + 1], cr = b0[-2 * (long)j], ci = -b0[-2 * (long)j + 1];
    double dr = a1[2 * j], di = a1[2 * j + 1], er = b1[-2 * (long)j], ei = -b1[-2 * (long)j + 1];
    p[2 * j] += wk * (vr * cr - vi * ci);
    p[2 * j + 1] += wk * (vr * ci + vi * cr);
    q[2 * j] += wk * ((dr * cr - di * ci) + (vr * er - vi * ei));
    q[2 * j + 1] += wk * ((dr * ci + di * cr) + (vr * ei + vi * er));
  }
  if (!f2) return;
  const double *a2 = (const double *)(f2 + ip), *b2 = (const double *)(f2 + im);
  double *q2 = (double *)(Q2 + pos);
  for (size_t j = 0; j < cnt; j++) {
    double vr = a0[2 * j], vi = a0[2 * j + 1], cr = b0[-2 * (long)j], ci = -b0[-2 * (long)j + 1];
    double dr = a2[2 * j], di = a2[2 * j + 1], er = b2[-2 * (long)j], ei = -b2[-2 * (long)j + 1];
    q2[2 * j] += wk * ((dr * cr - di * ci) + (vr * er - vi * ei));
    q2[2 * j + 1] += wk * ((dr * ci + di * cr) + (vr * ei + vi * er));
  }
}

/* The 1D route: the kernel K2 = Phi2 diag(w) Phi2^* of the fine-grid
 * orbitals phi2 (m columns of stride ld) on the support [lo, hi] (one
 * zgemm); per X its anti-diagonal P(k) = K2(X + k, X - k) and
 * F = -i k (dx / eps) P, both Hermitian in k, so one FFT of P + i F gives
 * W / c0 (real part) and d_xi W / c0 (imaginary part); W is stored and
 * d_X W taken by FFTs along X (spacing h = dx / 2, Nyquist -> 0).
 * *sum: the grid sum of |grad W| / c0. */
static int grad_sum_1d(const mfh_xgrid *g, double eps, size_t m, const double complex *phi2, size_t ld,
                       const double *w, long lo, long hi, double *sum, mfh_err *err) {
  size_t n = g->n, n2 = 2 * n, L = (size_t)(hi - lo + 1);
  int st = MFH_OK, iL = (int)L, im = (int)m;
  double complex *A = malloc(L * m * sizeof *A), *B = malloc(L * m * sizeof *B), *K2 = malloc(L * L * sizeof *K2);
  double complex *z = fftw_malloc(n2 * sizeof *z);
  double *Wst = calloc(n2 * n2, sizeof *Wst), *S = calloc(n2 * n2, sizeof *S);
  fftw_plan pf = NULL, pb = NULL;
  if (!A || !B || !K2 || !z || !Wst || !S || L > (size_t)MFH_BLAS_MAX || m > (size_t)MFH_BLAS_MAX) {
    st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory (%zu x %zu kernel)", L, L);
    goto done;
  }
#pragma omp critical(mfh_fftw_planner)
  {
    pf = fftw_plan_dft_1d((int)n2, z, z, FFTW_FORWARD, FFTW_ESTIMATE);
    pb = fftw_plan_dft_1d((int)n2, z, z, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!pf || !pb) {
    st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: FFTW could not plan");
    goto done;
  }
  for (size_t k = 0; k < m; k++)
    for (size_t i = 0; i < L; i++) {
      A[k * L + i] = phi2[k * ld + (size_t)lo + i];
      B[k * L + i] = w[k] * A[k * L + i];
    }
  double complex one = 1.0, zero = 0.0;
  zgemm_("N", "C", &iL, &iL, &im, &one, B, &iL, A, &iL, &zero, K2, &iL, 1, 1);
  double kdx = g->dx / eps;
  long kn = (long)n;
  for (long X = lo; X <= hi; X++) {
    long a = X - lo < hi - X ? X - lo : hi - X;
    if (a > kn - 1) a = kn - 1;
    memset(z, 0, n2 * sizeof *z);
    for (long k = -a; k <= a; k++) {
      double complex P = K2[(size_t)(X - k - lo) * L + (size_t)(X + k - lo)]; /* column-major */
      z[pad_pos(k, n2)] = (1.0 + (double)k * kdx) * P;                       /* P + i F */
    }
    fftw_execute_dft(pf, z, z);
    double *Wx = Wst + (size_t)X * n2, *Sx = S + (size_t)X * n2;
    for (size_t l = 0; l < n2; l++) {
      Wx[l] = creal(z[l]);
      Sx[l] = cimag(z[l]) * cimag(z[l]);
    }
  }
  double h = 0.5 * g->dx, inv = 1.0 / (double)n2;
  for (size_t l = 0; l < n2; l++) {
    for (size_t X = 0; X < n2; X++) z[X] = Wst[X * n2 + l];
    fftw_execute_dft(pf, z, z);
    for (size_t j = 0; j < n2; j++) z[j] = mfh_cmul(z[j], CMPLX(0.0, (j == n ? 0.0 : mfh_dft_wave(j, n2, h)) * inv));
    fftw_execute_dft(pb, z, z);
    for (size_t X = 0; X < n2; X++) S[X * n2 + l] += creal(z[X]) * creal(z[X]);
  }
  double tot = 0.0;
  for (size_t i = 0; i < n2 * n2; i++) tot += sqrt(S[i]);
  *sum = tot;
done:
  if (pf || pb) {
    mfh_fftw_destroy_plans(pf, pb);
  }
  free(A);
  free(B);
  free(K2);
  fftw_free(z);
  free(Wst);
  free(S);
  return st;
}

int mfh_sc_wigner_grad_l1(const mfh_sc_state *R, double *out, mfh_err *err) {
  int st = check_args(R, err);
  if (st) return st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "Wigner gradient: NULL output");
  const mfh_xgrid *g = &R->grid;
  int d = g->dim;
  size_t n = g->n, n2 = 2 * n, np = mfh_xgrid_points(g), np2 = d == 1 ? n2 : n2 * n2, m = 0;
  double eps = R->eps, dx = g->dx;
  double complex *orb = NULL, *up = NULL, *fin = NULL, *spec = NULL, *buf = NULL;
  double *w = NULL, *dens = NULL;
  fftw_plan pf = NULL, pb = NULL, pk = NULL;
  if ((st = orbitals_of(R, &orb, &w, &m, err)) != MFH_OK) goto done;
  size_t nc = 1 + (size_t)d; /* values and d derivatives per orbital */
  if (m > SIZE_MAX / (nc * np2 * sizeof *up)) {
    st = mfh_err_set(err, MFH_EINPUT, "Wigner gradient: %zu orbitals on (%zu)^%d points overflow", m, n2, d);
    goto done;
  }
  up = fftw_malloc(m * nc * np2 * sizeof *up);
  fin = fftw_malloc(np * sizeof *fin);
  spec = fftw_malloc(np2 * sizeof *spec);
  buf = fftw_malloc((size_t)d * np2 * sizeof *buf); /* Q_a + i F_a: d_X and d_xi of W */
  dens = calloc(np2, sizeof *dens);
  if (!up || !fin || !spec || !buf || !dens) {
    st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory (%zu orbitals on (%zu)^%d points, %.3g GiB)",
                     m, n2, d, (double)m * (double)(nc * np2) * 16.0 / 1073741824.0);
    goto done;
  }
  int nn[2] = {(int)n, (int)n}, nn2[2] = {(int)n2, (int)n2};
#pragma omp critical(mfh_fftw_planner)
  {
    pf = fftw_plan_dft(d, nn, fin, fin, FFTW_FORWARD, FFTW_ESTIMATE);
    pb = fftw_plan_dft(d, nn2, spec, up, FFTW_BACKWARD, FFTW_ESTIMATE | FFTW_UNALIGNED);
    pk = fftw_plan_many_dft(d, nn2, d, buf, NULL, 1, (int)np2, buf, NULL, 1, (int)np2, FFTW_FORWARD,
                            FFTW_ESTIMATE);
  }
  if (!pf || !pb || !pk) {
    st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: FFTW could not plan");
    goto done;
  }
  double wmax = 0.0;
  for (size_t k = 0; k < m; k++) {
    double complex *o[3];
    for (size_t c = 0; c < nc; c++) o[c] = up + (k * nc + c) * np2;
    upsample(g, orb + k * np, fin, pf, spec, o, pb);
    for (size_t i = 0; i < np2; i++) dens[i] += fabs(w[k]) * (creal(o[0][i]) * creal(o[0][i]) + cimag(o[0][i]) * cimag(o[0][i]));
  }
  for (size_t i = 0; i < np2; i++) wmax = fmax(wmax, dens[i]);
  /* the support box [lo_a, hi_a] of the state on the fine grid (density
   * above 1e-24 of its maximum: |phi| ~ 1e-12 of its peak) */
  long lo[2] = {(long)n2, (long)n2}, hi[2] = {-1, -1};
  for (size_t i = 0; i < np2; i++) {
    if (!(dens[i] > 1e-24 * wmax)) continue;
    long c0 = d == 1 ? (long)i : (long)(i / n2), c1 = d == 1 ? 0 : (long)(i % n2);
    lo[0] = c0 < lo[0] ? c0 : lo[0];
    hi[0] = c0 > hi[0] ? c0 : hi[0];
    lo[1] = c1 < lo[1] ? c1 : lo[1];
    hi[1] = c1 > hi[1] ? c1 : hi[1];
  }
  if (d == 1) lo[1] = hi[1] = 0;
  double total = 0.0;
  long kn = (long)n;
  double kdx = dx / eps;
  if (d == 1 && hi[0] >= lo[0]) {
    if ((st = grad_sum_1d(g, eps, m, up, nc * np2, w, lo[0], hi[0], &total, err)) != MFH_OK) goto done;
    lo[0] = 1, hi[0] = 0; /* done: skip the orbital route */
  }
  for (long X1 = lo[0]; hi[0] >= lo[0] && X1 <= hi[0]; X1++)
    for (long X2 = lo[1]; X2 <= hi[1]; X2++) {
      /* offsets k with X +- k inside the support box (and |k| < n) */
      long a1 = X1 - lo[0] < hi[0] - X1 ? X1 - lo[0] : hi[0] - X1;
      long a2 = X2 - lo[1] < hi[1] - X2 ? X2 - lo[1] : hi[1] - X2;
      if (a1 > kn - 1) a1 = kn - 1;
      if (a2 > kn - 1) a2 = kn - 1;
      double complex *P = spec, *Q1 = buf, *Q2 = buf + np2;
      memset(P, 0, np2 * sizeof *P);
      memset(buf, 0, (size_t)d * np2 * sizeof *buf);
      for (size_t k = 0; k < m; k++) {
        const double complex *f0 = up + (k * nc) * np2, *f2 = d == 2 ? f0 + 2 * np2 : NULL;
        if (d == 1) {
          /* k in [-a1, -1] at positions n2 + k, then [0, a1] at k */
          accum_line(w[k], f0, f2, np2, (size_t)(X1 - a1), (size_t)(X1 + a1), P, Q1, Q2, n2 - (size_t)a1, (size_t)a1);
          accum_line(w[k], f0, f2, np2, (size_t)X1, (size_t)X1, P, Q1, Q2, 0, (size_t)a1 + 1);
          continue;
        }
        for (long k1 = -a1; k1 <= a1; k1++) {
          size_t rp = (size_t)(X1 + k1) * n2 + (size_t)X2, rm = (size_t)(X1 - k1) * n2 + (size_t)X2;
          size_t row = pad_pos(k1, n2) * n2;
          accum_line(w[k], f0, f2, np2, rp - (size_t)a2, rm + (size_t)a2, P, Q1, Q2, row + n2 - (size_t)a2, (size_t)a2);
          accum_line(w[k], f0, f2, np2, rp, rm, P, Q1, Q2, row, (size_t)a2 + 1);
        }
      }
      /* P, Q_a and F_a = (-i k_a dx / eps) P are Hermitian in k (R is), so
       * their transforms are real: one FFT of Q_a + i F_a gives both */
      for (int a = 0; a < d; a++) {
        double complex *Z = buf + (size_t)a * np2;
        for (size_t i = 0; i < np2; i++) {
          size_t la = d == 1 ? i : (a == 0 ? i / n2 : i % n2);
          long sk = la < n ? (long)la : (long)la - (long)n2;
          double f = la == n ? 0.0 : -(double)sk * kdx; /* F = i f P */
          /* Z = Q + i F = Q + i (i f P) = Q - f P */
          Z[i] -= f * P[i];
        }
      }
      fftw_execute_dft(pk, buf, buf);
      double sx = 0.0;
      for (size_t i = 0; i < np2; i++) {
        double g2 = 0.0;
        for (int a = 0; a < d; a++) {
          double complex z = buf[(size_t)a * np2 + i];
          g2 += creal(z) * creal(z) + cimag(z) * cimag(z);
        }
        sx += sqrt(g2);
      }
      total += sx;
    }
  /* W = (dx / (2 pi eps))^d sum_k ...; cells h^d (h = dx/2) and
   * (pi eps / (n dx))^d */
  double c1 = dx / (2.0 * RG_PI * eps) * (0.5 * dx) * (RG_PI * eps / ((double)n * dx));
  *out = total * (d == 1 ? c1 : c1 * c1);
  st = MFH_OK;
done:
  if (pf || pb || pk) {
    mfh_fftw_destroy_plans(pf, pb, pk);
  }
  free(orb);
  free(w);
  fftw_free(up);
  fftw_free(fin);
  fftw_free(spec);
  fftw_free(buf);
  free(dens);
  return st;
}
