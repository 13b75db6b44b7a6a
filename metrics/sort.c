/* Stable sorts of doubles (sort.h). */
#include "metrics/sort.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

#define RADIX_MIN 1024
#define RADIX_BITS 11
#define RADIX_PASSES 6 /* 6 * 11 >= 64 */

uint64_t mfh_sort_key(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return (b >> 63) ? ~b : b | ((uint64_t)1 << 63);
}

double mfh_sort_unkey(uint64_t k) {
  uint64_t b = (k >> 63) ? k & ~((uint64_t)1 << 63) : ~k;
  double x;
  memcpy(&x, &b, sizeof x);
  return x;
}

static int radix_sort(mfh_sort_kv *a, size_t n) {
  const size_t nb = (size_t)1 << RADIX_BITS, mask = nb - 1;
  mfh_sort_kv *tmp = malloc(n * sizeof *tmp);
  size_t *cnt = calloc(RADIX_PASSES * nb, sizeof *cnt);
  if (!tmp || !cnt) {
    free(tmp);
    free(cnt);
    return MFH_ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    for (int d = 0; d < RADIX_PASSES; d++) cnt[d * nb + ((a[i].k >> (d * RADIX_BITS)) & mask)]++;
  mfh_sort_kv *src = a, *dst = tmp;
  for (int d = 0; d < RADIX_PASSES; d++) {
    size_t *c = cnt + d * nb, shift = (size_t)d * RADIX_BITS;
    if (c[(src[0].k >> shift) & mask] == n) continue; /* digit constant */
    size_t sum = 0;
    for (size_t b = 0; b < nb; b++) {
      size_t t = c[b];
      c[b] = sum;
      sum += t;
    }
    for (size_t i = 0; i < n; i++) dst[c[(src[i].k >> shift) & mask]++] = src[i];
    mfh_sort_kv *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
  free(tmp);
  free(cnt);
  return MFH_OK;
}

static int merge_sort(mfh_sort_kv *a, size_t n) {
  mfh_sort_kv *tmp = malloc(n * sizeof *tmp), *src = a, *dst = tmp;
  if (!tmp) return MFH_ENOMEM;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = src[j].k < src[i].k ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    mfh_sort_kv *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
  free(tmp);
  return MFH_OK;
}

int mfh_sort_kv_stable(mfh_sort_kv *a, size_t n) {
  if (n < 2) return MFH_OK;
  return n < RADIX_MIN ? merge_sort(a, n) : radix_sort(a, n);
}

int mfh_sort_doubles(double *x, size_t n) {
  mfh_sort_kv *a = malloc((n ? n : 1) * sizeof *a);
  if (!a) return MFH_ENOMEM;
  for (size_t i = 0; i < n; i++) a[i] = (mfh_sort_kv){mfh_sort_key(x[i] == 0 ? 0.0 : x[i]), x[i]};
  int rc = mfh_sort_kv_stable(a, n);
  for (size_t i = 0; !rc && i < n; i++) x[i] = a[i].v;
  free(a);
  return rc;
}
