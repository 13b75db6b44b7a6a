/* The schedule of a symmetric pair sum over n bodies (each unordered pair
 * once, Newton's third law), shared by the direct-sum kernels
 * (engines/particles/nbody.c, engines/coulomb3d/pairs.c).
 *
 * The bodies are cut into blocks of `tile`; the diagonal blocks run first,
 * then the off-diagonal block pairs in the rounds of the circle method
 * (round-robin tournament): within a round every block appears in exactly
 * one pair, so two threads never write the same rows, and the rounds are
 * separated by the barriers of the worksharing loops.  Which thread runs a
 * tile does not change what it adds where, so results do not depend on the
 * thread count. */
#ifndef MFH_ENGINES_TILES_H
#define MFH_ENGINES_TILES_H

#include <stddef.h>

/* One tile: rows j0..j1-1 against k0..k1-1; diag = 1 for a diagonal block
 * (j0 == k0, each pair inside once). */
typedef void (*mfh_tile_fn)(const void *ctx, size_t j0, size_t j1, size_t k0, size_t k1, int diag);

/* Run every tile of n bodies.  Must be called by every thread of an OpenMP
 * parallel region (the loops inside are orphaned worksharing constructs);
 * also right outside one (one thread). */
void mfh_tiles_run(size_t n, size_t tile, mfh_tile_fn fn, const void *ctx);

/* The kernels accumulate in MFH_LANES lanes; the lanes are summed in one
 * fixed order (pairwise), so the result does not depend on the vector width. */
#define MFH_LANES 8
static inline double mfh_lane_sum(const double *a) {
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* Fixed-order sum of a[0..n-1] through MFH_LANES lane accumulators. */
double mfh_sum_lanes(const double *a, size_t n);
/* The same for sum a[i]^2. */
double mfh_sum_sq_lanes(const double *a, size_t n);
/* y[i] += h x[i], i < n (the kick and drift of velocity Verlet). */
void mfh_axpy(size_t n, double h, const double *x, double *y);

#endif
