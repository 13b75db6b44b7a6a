/* Timing of the 3D Coulomb pair kernel (engines/coulomb3d/pairs.c).
 *
 * Force evaluation (mfh_c3_forces without and with the potential) at
 * N = 4000 and 16000 on 1 and 2 threads, and one velocity Verlet step.
 * Reported: ns per interaction = time / N^2, counting ordered pairs as
 * REBOUND's direct summation does (its gravity loop visits all N^2 - N
 * ordered pairs); our kernel evaluates each unordered pair once (Newton's
 * third law), so one pair evaluation costs twice the figure printed.
 * Target: REBOUND's direct-sum leapfrog needs about 1.8 ns per interaction
 * at N = 4000 on this class of machine; we must be faster.
 * Times are wall-clock (CLOCK_MONOTONIC) medians and minima over
 * repetitions; the cores are shared with other processes (the load average
 * is printed), so medians are noisy and minima are the cleaner figure. */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/benchutil.h"
#include "core/status.h"
#include "engines/coulomb3d/pairs.h"

#define REBOUND_NS 1.8

static void print_load(const char *when) {
  FILE *f = fopen("/proc/loadavg", "r");
  double l1;
  if (f && fscanf(f, "%lf", &l1) == 1) printf("# load average (1 min) %s: %.2f\n", when, l1);
  if (f) fclose(f);
}

static mfh_c3 *make_system(size_t n, int threads) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_c3 *s = NULL;
  double *x = malloc(3 * n * sizeof *x);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int st = x && r ? MFH_OK : MFH_ENOMEM;
  if (st == MFH_OK) {
    gsl_rng_set(r, 12345);
    for (size_t k = 0; k < 3 * n; k++) x[k] = gsl_ran_gaussian(r, 1.0);
    st = mfh_c3_create(n, 1.0 / (double)n, &s, &err);
  }
  if (st == MFH_OK) st = mfh_c3_set_threads(s, threads, &err);
  if (st == MFH_OK) st = mfh_c3_set_state(s, x, NULL, &err);
  free(x);
  gsl_rng_free(r);
  if (st != MFH_OK) {
    fprintf(stderr, "bench_coulomb3d: %s\n", err.msg);
    mfh_c3_destroy(s);
    return NULL;
  }
  return s;
}

/* mode 0: forces, 1: forces + potential, 2: one Verlet step. */
static int time_it(mfh_c3 *s, int mode, int reps, double *med, double *best) {
  double t[64], pot = 0;
  mfh_err err;
  for (int r = 0; r < reps; r++) {
    double t0 = mfh_bench_now();
    int st = mode == 0   ? mfh_c3_forces(s, NULL, &err)
             : mode == 1 ? mfh_c3_forces(s, &pot, &err)
                         : mfh_c3_step(s, 1e-3, NULL, &err);
    t[r] = mfh_bench_now() - t0;
    if (st) {
      fprintf(stderr, "bench_coulomb3d: %s\n", err.msg);
      return 1;
    }
  }
  *best = t[0];
  for (int r = 1; r < reps; r++)
    if (t[r] < *best) *best = t[r];
  *med = mfh_bench_median(t, reps);
  return 0;
}

int main(void) {
  static const size_t ns[] = {4000, 16000};
  static const char *what[] = {"force", "force+pot", "verlet step"};
  print_load("before");
  printf("# ns per interaction = wall time / N^2 (ordered pairs, REBOUND's count); target < %.1f ns "
         "(REBOUND direct sum, N = 4000)\n",
         REBOUND_NS);
  printf("%-12s %6s %7s %12s %12s %12s %s\n", "kernel", "N", "threads", "median_s", "ns/int(med)",
         "ns/int(min)", "vs REBOUND");
  int fail = 0;
  for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
    for (int threads = 1; threads <= 2; threads++) {
      mfh_c3 *s = make_system(ns[a], threads);
      if (!s) return 1;
      int reps = ns[a] <= 4000 ? 21 : 5;
      for (int mode = 0; mode < 3; mode++) {
        double med, best;
        mfh_c3_forces(s, NULL, NULL); /* warm-up */
        if (time_it(s, mode, reps, &med, &best)) {
          mfh_c3_destroy(s);
          return 1;
        }
        double n2 = (double)ns[a] * (double)ns[a], pm = 1e9 * med / n2, pb = 1e9 * best / n2;
        printf("%-12s %6zu %7d %12.5f %12.3f %12.3f %s (x%.1f)\n", what[mode], ns[a], threads, med, pm, pb,
               pb < REBOUND_NS ? "faster" : "SLOWER", REBOUND_NS / pb);
        if (ns[a] == 4000 && mode == 0 && !(pb < REBOUND_NS)) fail = 1;
      }
      mfh_c3_destroy(s);
    }
  print_load("after");
  return fail;
}
