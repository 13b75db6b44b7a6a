/* Timing of the exact Wasserstein solvers.
 *
 * 2D: W_2 between two clouds of n i.i.d. uniform points in [0,1]^2 (equal
 * sizes, uniform weights -> assignment), n = 500 .. 4000; the time includes
 * building the n x n cost matrix.  Reports the median over a few seeds and
 * the log-log slope of time against n (least squares).
 * 1D: W_1 and W_2 between two clouds of N = 10^6 uniform points (sorting).
 * Also one transportation problem (unequal sizes, random weights). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "bench/benchutil.h"
#include "core/status.h"
#include "core/cloud.h"
#include "metrics/wasserstein.h"

static int fill_uniform(mfh_cloud *c, size_t n, size_t dim, gsl_rng *r) {
  if (mfh_cloud_alloc(c, n, dim) != MFH_OK) return MFH_ENOMEM;
  for (size_t k = 0; k < n * dim; k++) c->x[k] = gsl_rng_uniform(r);
  return MFH_OK;
}

/* Time one W_p^p on fresh clouds (seed s); returns seconds or -1. */
static double time_one(size_t na, size_t nb, size_t dim, double p, int weighted,
                       unsigned long seed, double *wpp) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) return -1.0;
  gsl_rng_set(r, seed);
  mfh_cloud a = {0}, b = {0};
  double t = -1.0;
  if (fill_uniform(&a, na, dim, r) != MFH_OK || fill_uniform(&b, nb, dim, r) != MFH_OK) goto done;
  if (weighted) {
    a.w = malloc(na * sizeof *a.w);
    b.w = malloc(nb * sizeof *b.w);
    if (!a.w || !b.w) goto done;
    double sa = 0, sb = 0;
    for (size_t i = 0; i < na; i++) sa += a.w[i] = 0.1 + gsl_rng_uniform(r);
    for (size_t j = 0; j < nb; j++) sb += b.w[j] = 0.1 + gsl_rng_uniform(r);
    for (size_t i = 0; i < na; i++) a.w[i] /= sa;
    for (size_t j = 0; j < nb; j++) b.w[j] /= sb;
  }
  mfh_err err;
  mfh_err_clear(&err);
  double t0 = mfh_bench_now();
  int st = mfh_wasserstein_pp(&a, &b, p, wpp, &err);
  double t1 = mfh_bench_now();
  if (st != MFH_OK) {
    mfh_err_print(&err, stderr);
    goto done;
  }
  t = t1 - t0;
done:
  mfh_cloud_free(&a);
  mfh_cloud_free(&b);
  gsl_rng_free(r);
  return t;
}

int main(void) {
  mfh_gsl_quiet();
  enum { REPS = 5, NSIZES = 4 };
  const size_t sizes[NSIZES] = {500, 1000, 2000, 4000};
  const int reps[NSIZES] = {REPS, REPS, REPS, 3};
  double med[NSIZES];
  printf("# exact W_2 in 2D (assignment), uniform points in [0,1]^2, time incl. the n x n cost matrix\n");
  printf("%8s %12s %12s %6s %14s\n", "n", "median_s", "min_s", "reps", "W2(seed 1)");
  for (int k = 0; k < NSIZES; k++) {
    double t[REPS], w = 0.0, w1 = 0.0;
    for (int r = 0; r < reps[k]; r++) {
      t[r] = time_one(sizes[k], sizes[k], 2, 2.0, 0, 1000 * (unsigned long)sizes[k] + (unsigned long)r + 1, &w);
      if (t[r] < 0) return 3;
      if (r == 0) w1 = w;
    }
    med[k] = mfh_bench_median(t, reps[k]);
    printf("%8zu %12.4f %12.4f %6d %14.6g\n", sizes[k], med[k], t[0], reps[k], sqrt(w1));
    fflush(stdout);
  }
  double xs[NSIZES];
  for (int k = 0; k < NSIZES; k++) xs[k] = (double)sizes[k];
  double slope = mfh_bench_loglog_slope(xs, med, NSIZES);
  printf("# fitted cost exponent (log-log slope of median time vs n): %.3f\n\n", slope);

  printf("# exact W_p in 1D (quantile coupling), two clouds of N uniform points\n");
  printf("%8s %4s %12s %6s %14s\n", "N", "p", "median_s", "reps", "W_p");
  const double ps[2] = {1.0, 2.0};
  for (int k = 0; k < 2; k++) {
    double t[3], w = 0.0;
    for (int r = 0; r < 3; r++) {
      t[r] = time_one(1000000, 1000000, 1, ps[k], 0, 77 + (unsigned long)r, &w);
      if (t[r] < 0) return 3;
    }
    printf("%8d %4g %12.4f %6d %14.6g\n", 1000000, ps[k], mfh_bench_median(t, 3), 3, pow(w, 1.0 / ps[k]));
  }
  {
    double t[3], w = 0.0;
    for (int r = 0; r < 3; r++) {
      t[r] = time_one(1000000, 999999, 1, 2.0, 1, 99 + (unsigned long)r, &w);
      if (t[r] < 0) return 3;
    }
    printf("%8s %4g %12.4f %6d %14.6g  (weighted, N and N-1 points)\n", "1e6", 2.0, mfh_bench_median(t, 3),
           3, sqrt(w));
  }

  printf("\n# exact transport (network simplex), random weights, 2D, p = 2\n");
  printf("%8s %8s %12s %6s %14s\n", "na", "nb", "median_s", "reps", "W2");
  const size_t tn[3][2] = {{300, 400}, {1000, 1200}, {2000, 2500}};
  for (int k = 0; k < 3; k++) {
    double t[3], w = 0.0;
    for (int r = 0; r < 3; r++) {
      t[r] = time_one(tn[k][0], tn[k][1], 2, 2.0, 1, 500 + (unsigned long)r, &w);
      if (t[r] < 0) return 3;
    }
    printf("%8zu %8zu %12.4f %6d %14.6g\n", tn[k][0], tn[k][1], mfh_bench_median(t, 3), 3, sqrt(w));
  }
  return 0;
}
