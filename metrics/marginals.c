/* Reduced density matrices of an N-body wave function (metrics/marginals.h).
 *
 * Both marginals are Gram matrices: for R_{N:1}, the rows are the M values
 * of the coordinate of particle p and the columns the M^(N-1) values of the
 * others, gathered tile by tile (TILE_ELEMS values at a time, split into
 * real and imaginary parts so the inner loop vectorises); R_{N:2} the same
 * with the M^2 values of a pair (p, r) as rows. */
#include "metrics/marginals.h"

#include <math.h>
#include <stdlib.h>

#include "core/cmplx.h"

#define MARGINAL_NMAX 16      /* the digits of a column index (M^N overflows long before) */
#define TILE_ELEMS 16384      /* column tile: rows * T values */

static size_t ipow(int M, int k) {
  size_t r = 1;
  for (int j = 0; j < k; j++) r *= (size_t)M;
  return r;
}

/* Upper triangle of the Gram matrix of a gathered tile, accumulated:
 * r[a][b] += sum_{u < t} X[a][u] conj(X[b][u]) for a <= b < n, X[a][u] =
 * xr[a T + u] + i xi[a T + u].  Called inside an OpenMP parallel region:
 * each thread owns whole rows a and sums u in order, so the result does not
 * depend on the thread count. */
static void gram_tile(const double *xr, const double *xi, size_t n, size_t T, size_t t, double *rr,
                      double *ri) {
#pragma omp for schedule(static, 1)
  for (size_t a = 0; a < n; a++) {
    const double *ar = xr + a * T, *ai = xi + a * T;
    for (size_t b = a; b < n; b++) {
      const double *br = xr + b * T, *bi = xi + b * T;
      double sr = 0.0, si = 0.0;
      for (size_t u = 0; u < t; u++) {
        sr += ar[u] * br[u] + ai[u] * bi[u];
        si += ai[u] * br[u] - ar[u] * bi[u];
      }
      rr[a * n + b] += sr;
      ri[a * n + b] += si;
    }
  }
}

int mfh_marginal1(const double complex *psi, int N, int M, double dx, int threads, double complex *R,
                  mfh_err *err) {
  if (!psi || !R || N < 1 || M < 1 || N > MARGINAL_NMAX)
    return mfh_err_set(err, MFH_EINPUT, "marginal1: bad arguments (N = %d, M = %d)", N, M);
  size_t T = TILE_ELEMS / (size_t)M;
  if (T < 1) T = 1;
  /* Tile X[i][t] (M x T), stored as separate real and imaginary parts. */
  double *xr = malloc((size_t)M * T * sizeof *xr), *xi = malloc((size_t)M * T * sizeof *xi);
  double *rr = calloc((size_t)M * M, sizeof *rr), *ri = calloc((size_t)M * M, sizeof *ri);
  if (!xr || !xi || !rr || !ri) {
    free(xr);
    free(xi);
    free(rr);
    free(ri);
    return mfh_err_set(err, MFH_ENOMEM, "marginal1: out of memory");
  }
  const size_t ncol = ipow(M, N - 1); /* columns (b, a) per particle p */
  for (int p = 0; p < N; p++) {
    size_t A = 1;
    for (int j = p + 1; j < N; j++) A *= (size_t)M;
    for (size_t c0 = 0; c0 < ncol; c0 += T) {
      size_t t = ncol - c0 < T ? ncol - c0 : T;
#pragma omp parallel num_threads(threads)
      {
#pragma omp for schedule(static)
        for (int i = 0; i < M; i++)
          for (size_t u = 0; u < t; u++) {
            size_t c = c0 + u, b = c / A, a = c % A;
            double complex v = psi[(b * (size_t)M + (size_t)i) * A + a];
            xr[(size_t)i * T + u] = creal(v);
            xi[(size_t)i * T + u] = cimag(v);
          }
        gram_tile(xr, xi, (size_t)M, T, t, rr, ri);
      }
    }
  }
  double scale = pow(dx, N - 1) / N;
  for (int i = 0; i < M; i++) {
    for (int k = i; k < M; k++) {
      double re = scale * rr[(size_t)i * M + k], im = scale * ri[(size_t)i * M + k];
      R[(size_t)i * M + k] = CMPLX(re, im);
      R[(size_t)k * M + i] = CMPLX(re, -im);
    }
    R[(size_t)i * M + i] = CMPLX(creal(R[(size_t)i * M + i]), 0.0);
  }
  free(xr);
  free(xi);
  free(rr);
  free(ri);
  return MFH_OK;
}

double mfh_marginal2_bytes(int M) { return 16.0 * pow((double)M, 4) + 16.0 * TILE_ELEMS; }

int mfh_marginal2(const double complex *psi, int N, int M, double dx, int threads, double complex *R,
                  mfh_err *err) {
  if (!psi || !R || N < 2 || M < 1 || N > MARGINAL_NMAX)
    return mfh_err_set(err, MFH_EINPUT, "marginal2: bad arguments (N = %d, M = %d)", N, M);
  const size_t n = (size_t)M * (size_t)M;
  size_t T = TILE_ELEMS / n;
  if (T < 1) T = 1;
  double *xr = malloc(n * T * sizeof *xr), *xi = malloc(n * T * sizeof *xi);
  double *rr = calloc(n * n, sizeof *rr), *ri = calloc(n * n, sizeof *ri);
  size_t *base = malloc(T * sizeof *base);
  if (!xr || !xi || !rr || !ri || !base) {
    free(xr);
    free(xi);
    free(rr);
    free(ri);
    free(base);
    return mfh_err_set(err, MFH_ENOMEM, "marginal2: out of memory (M^4 = %zu entries)", n * n);
  }
  size_t place[MARGINAL_NMAX]; /* M^(N-1-j): the stride of particle j */
  place[N - 1] = 1;
  for (int j = N - 2; j >= 0; j--) place[j] = place[j + 1] * (size_t)M;
  const size_t ncol = ipow(M, N - 2); /* the other N - 2 particles */
  int npair = 0;
  for (int p = 0; p < N; p++)
    for (int r = p + 1; r < N; r++, npair++) {
      int other[MARGINAL_NMAX], no = 0;
      for (int j = 0; j < N; j++)
        if (j != p && j != r) other[no++] = j;
      for (size_t c0 = 0; c0 < ncol; c0 += T) {
        size_t t = ncol - c0 < T ? ncol - c0 : T;
        for (size_t u = 0; u < t; u++) { /* column c: the other digits, first slowest */
          size_t c = c0 + u, b = 0;
          for (int k = no - 1; k >= 0; k--) {
            b += (c % (size_t)M) * place[other[k]];
            c /= (size_t)M;
          }
          base[u] = b;
        }
#pragma omp parallel num_threads(threads)
        {
#pragma omp for schedule(static)
          for (size_t a = 0; a < n; a++) {
            size_t off = (a / (size_t)M) * place[p] + (a % (size_t)M) * place[r];
            for (size_t u = 0; u < t; u++) {
              double complex v = psi[base[u] + off];
              xr[a * T + u] = creal(v);
              xi[a * T + u] = cimag(v);
            }
          }
          gram_tile(xr, xi, n, T, t, rr, ri);
        }
      }
    }
  /* average over the ordered pairs: (p, r) and (r, p) differ by the swap
   * (x1, x2; y1, y2) -> (x2, x1; y2, y1) */
  double scale = pow(dx, N - 2) / npair;
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      size_t a1 = a <= b ? a : b, b1 = a <= b ? b : a;
      double sg = a <= b ? 1.0 : -1.0;
      R[a * n + b] = scale * CMPLX(rr[a1 * n + b1], sg * ri[a1 * n + b1]);
    }
  for (size_t a = 0; a < n; a++)
    for (size_t b = a; b < n; b++) {
      size_t as = (a % (size_t)M) * (size_t)M + a / (size_t)M, bs = (b % (size_t)M) * (size_t)M + b / (size_t)M;
      double complex v = 0.5 * (R[a * n + b] + R[as * n + bs]);
      R[a * n + b] = v;
      R[as * n + bs] = v;
      R[b * n + a] = conj(v);
      R[bs * n + as] = conj(v);
    }
  for (size_t a = 0; a < n; a++) R[a * n + a] = CMPLX(creal(R[a * n + a]), 0.0);
  free(xr);
  free(xi);
  free(rr);
  free(ri);
  free(base);
  return MFH_OK;
}
