/* Timing helpers shared by the benchmark programs (header-only: each
 * bench_*.c is its own executable). */
#ifndef MFH_BENCH_BENCHUTIL_H
#define MFH_BENCH_BENCHUTIL_H

#include <math.h>
#include <stdlib.h>
#include <time.h>

/* Monotonic wall clock in seconds. */
static inline double mfh_bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int mfh_bench_cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* Median of t[0..k-1] (sorts t in place). */
static inline double mfh_bench_median(double *t, int k) {
  qsort(t, (size_t)k, sizeof *t, mfh_bench_cmp_double);
  return k % 2 ? t[k / 2] : 0.5 * (t[k / 2 - 1] + t[k / 2]);
}

/* Least-squares slope of log y against log x over m points: a cost exponent. */
static inline double mfh_bench_loglog_slope(const double *x, const double *y, int m) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int k = 0; k < m; k++) {
    double X = log(x[k]), Y = log(y[k]);
    sx += X, sy += Y, sxx += X * X, sxy += X * Y;
  }
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

#endif
