/* Stable sorts of doubles with payloads: what the exact 1D distances and
 * the 1D modulated energy sort positions with.  An LSD radix sort on the
 * order-preserving unsigned image of a double (11-bit digits; qsort is
 * 5-10x slower at n = 10^6), a bottom-up merge sort below 1024 entries;
 * both stable, so equal keys keep their input order and the result is one
 * permutation whatever the size. */
#ifndef MFH_METRICS_SORT_H
#define MFH_METRICS_SORT_H

#include <stddef.h>
#include <stdint.h>

/* A key and its payload. */
typedef struct mfh_sort_kv {
  uint64_t k;
  double v;
} mfh_sort_kv;

/* The order-preserving image of a finite double (-0 below +0) and back. */
uint64_t mfh_sort_key(double x);
double mfh_sort_unkey(uint64_t k);

/* Sort a[0..n-1] by k, stably.  0 or MFH_ENOMEM. */
int mfh_sort_kv_stable(mfh_sort_kv *a, size_t n);

/* Sort x[0..n-1] ascending in the order (x_i, i): equal values (-0 and +0
 * included) keep their input order.  0 or MFH_ENOMEM. */
int mfh_sort_doubles(double *x, size_t n);

#endif
