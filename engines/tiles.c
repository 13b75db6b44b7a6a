#include "engines/tiles.h"

/* Round r of the circle method on nbe (even) players: game i's two players,
 * smaller first. */
static void circle_pair(size_t r, size_t i, size_t nbe, size_t *p, size_t *q) {
  size_t m = nbe - 1;
  if (i == 0) {
    *p = r, *q = m;
  } else {
    *p = (r + i) % m, *q = (r + m - i) % m;
  }
  if (*p > *q) {
    size_t t = *p;
    *p = *q, *q = t;
  }
}

void mfh_tiles_run(size_t n, size_t tile, mfh_tile_fn fn, const void *ctx) {
  size_t nb = (n + tile - 1) / tile, nbe = nb + (nb & 1);
#pragma omp for schedule(static)
  for (size_t b = 0; b < nb; b++) {
    size_t j0 = b * tile, j1 = j0 + tile < n ? j0 + tile : n;
    fn(ctx, j0, j1, j0, j1, 1);
  }
  for (size_t r = 0; r + 1 < nbe; r++) {
#pragma omp for schedule(static)
    for (size_t i = 0; i < nbe / 2; i++) {
      size_t p, q;
      circle_pair(r, i, nbe, &p, &q);
      if (q >= nb) continue; /* the bye of an odd block count */
      size_t j0 = p * tile, k0 = q * tile, k1 = k0 + tile < n ? k0 + tile : n;
      fn(ctx, j0, j0 + tile, k0, k1, 0);
    }
  }
}

double mfh_sum_lanes(const double *a, size_t n) {
  double acc[MFH_LANES] = {0};
  size_t k = 0;
  for (; k + MFH_LANES <= n; k += MFH_LANES)
#pragma omp simd
    for (int l = 0; l < MFH_LANES; l++) acc[l] += a[k + (size_t)l];
  for (int l = 0; k + (size_t)l < n; l++) acc[l] += a[k + (size_t)l];
  return mfh_lane_sum(acc);
}

double mfh_sum_sq_lanes(const double *a, size_t n) {
  double acc[MFH_LANES] = {0};
  size_t k = 0;
  for (; k + MFH_LANES <= n; k += MFH_LANES)
#pragma omp simd
    for (int l = 0; l < MFH_LANES; l++) acc[l] += a[k + (size_t)l] * a[k + (size_t)l];
  for (int l = 0; k + (size_t)l < n; l++) acc[l] += a[k + (size_t)l] * a[k + (size_t)l];
  return mfh_lane_sum(acc);
}

void mfh_axpy(size_t n, double h, const double *x, double *y) {
#pragma omp simd
  for (size_t j = 0; j < n; j++) y[j] += h * x[j];
}
