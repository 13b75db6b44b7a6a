/* Timing of the classical N-body kernels (engines/particles/nbody.c).
 *
 * 1. Gaussian force evaluation (mfh_nbody_compute_acc) at N = 4096 and
 *    16384, d = 1 and 3, on 1 and 2 threads: ns per interaction =
 *    time / N^2 (ordered pairs; the kernel evaluates each unordered pair
 *    once, so one exp costs twice that).  For comparison: REBOUND's
 *    direct-summation leapfrog needs about 1.8 ns per interaction at
 *    N = 4000 on this class of machine.
 * 2. One full velocity Verlet step (one force evaluation plus the O(N)
 *    kicks and drift), same cases.
 * 3. Cost per step of the random batch method for N = 1024 .. 65536 and of
 *    the direct Verlet step for N = 1024 .. 16384 (d = 3, one thread), with
 *    the least-squares log-log slopes (expected ~1 and ~2).
 * Times are wall-clock (CLOCK_MONOTONIC) medians over repetitions; the
 * minimum is printed too, and the load average, since other processes
 * sharing the cores inflate the medians. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <omp.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/benchutil.h"
#include "core/status.h"
#include "engines/particles/nbody.h"
#include "engines/particles/potential.h"

static void print_load(const char *when) {
  FILE *f = fopen("/proc/loadavg", "r");
  double l1;
  if (f && fscanf(f, "%lf", &l1) == 1) printf("# load average (1 min) %s: %.2f\n", when, l1);
  if (f) fclose(f);
}

/* A Gaussian system (a = 1, s = 1, coupling 1/N) with N(0,1) positions and
 * velocities; NULL on failure (message printed). */
static mfh_nbody *make_system(size_t n, int dim, int threads, unsigned long seed) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_potential pot;
  mfh_nbody *sys = NULL;
  double *buf = malloc(n * (size_t)dim * sizeof *buf);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int st = buf && r ? MFH_OK : MFH_ENOMEM;
  if (st == MFH_OK) st = mfh_potential_init_gaussian(&pot, dim, 1.0, 1.0, 0.0, &err);
  if (st == MFH_OK) st = mfh_nbody_create(n, dim, &pot, 1.0 / (double)n, &sys, &err);
  if (st == MFH_OK) st = mfh_nbody_set_threads(sys, threads, &err);
  if (st == MFH_OK) {
    gsl_rng_set(r, seed);
    for (size_t k = 0; k < n * (size_t)dim; k++) buf[k] = gsl_ran_gaussian(r, 1.0);
    st = mfh_nbody_set_positions(sys, buf, &err);
    for (size_t k = 0; st == MFH_OK && k < n * (size_t)dim; k++) buf[k] = gsl_ran_gaussian(r, 1.0);
    if (st == MFH_OK) st = mfh_nbody_set_velocities(sys, buf, &err);
  }
  free(buf);
  gsl_rng_free(r);
  if (st != MFH_OK) {
    if (err.status == MFH_OK) mfh_err_set(&err, st, "out of memory");
    mfh_err_print(&err, stderr);
    mfh_nbody_destroy(sys);
    return NULL;
  }
  return sys;
}

enum { WHAT_FORCE, WHAT_VERLET, WHAT_RBM };

/* Median and minimum seconds of one operation over reps repetitions (after
 * one warm-up). */
static int time_op(mfh_nbody *sys, int what, int reps, gsl_rng *r, double *med, double *min) {
  double t[32];
  mfh_err err;
  mfh_err_clear(&err);
  for (int k = -1; k < reps; k++) {
    int st;
    double t0 = mfh_bench_now();
    if (what == WHAT_FORCE)
      st = mfh_nbody_compute_acc(sys, &err);
    else if (what == WHAT_VERLET)
      st = mfh_nbody_step(sys, MFH_NBODY_VERLET, 1e-3, &err);
    else
      st = mfh_nbody_step_rbm(sys, 1e-3, r, &err);
    double t1 = mfh_bench_now();
    if (st != MFH_OK) {
      mfh_err_print(&err, stderr);
      return st;
    }
    if (k >= 0) t[k] = t1 - t0;
  }
  *min = t[0];
  for (int k = 1; k < reps; k++) *min = fmin(*min, t[k]);
  *med = mfh_bench_median(t, reps);
  return MFH_OK;
}

int main(void) {
  mfh_gsl_quiet();
  print_load("at start");
  printf("# Gaussian pair kernel: ns per interaction = time / N^2 (wall clock)\n");
  printf("%-12s %6s %2s %7s %12s %14s %14s\n", "what", "N", "d", "threads", "median_ms",
         "ns/int_median", "ns/int_min");
  const size_t sizes[2] = {4096, 16384};
  for (int w = WHAT_FORCE; w <= WHAT_VERLET; w++)
    for (int q = 0; q < 2; q++)
      for (int dim = 1; dim <= 3; dim += 2)
        for (int threads = 1; threads <= 2; threads++) {
          size_t n = sizes[q];
          omp_set_num_threads(threads);
          mfh_nbody *sys = make_system(n, dim, threads, 1);
          if (!sys) return 1;
          double med, min;
          int reps = n > 8192 ? 5 : 9;
          if (time_op(sys, w, reps, NULL, &med, &min) != MFH_OK) return 1;
          double nn = (double)n * (double)n;
          printf("%-12s %6zu %2d %7d %12.3f %14.3f %14.3f\n", w == WHAT_FORCE ? "force" : "verlet_step",
                 n, dim, threads, 1e3 * med, 1e9 * med / nn, 1e9 * min / nn);
          fflush(stdout);
          mfh_nbody_destroy(sys);
        }

  printf("\n# cost per step, d = 3, 1 thread: random batch (O(N)) vs direct Verlet (O(N^2))\n");
  printf("%-8s %8s %14s %14s\n", "method", "N", "median_us", "min_us");
  enum { NR = 7, ND = 5 };
  double nr[NR], tr[NR], nd[ND], td[ND];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) return 1;
  gsl_rng_set(r, 5);
  omp_set_num_threads(1);
  for (int k = 0; k < NR; k++) {
    size_t n = (size_t)1024 << k;
    mfh_nbody *sys = make_system(n, 3, 1, 2);
    if (!sys) return 1;
    double med, min;
    if (time_op(sys, WHAT_RBM, 15, r, &med, &min) != MFH_OK) return 1;
    nr[k] = (double)n, tr[k] = med;
    printf("%-8s %8zu %14.2f %14.2f\n", "rbm", n, 1e6 * med, 1e6 * min);
    fflush(stdout);
    mfh_nbody_destroy(sys);
  }
  for (int k = 0; k < ND; k++) {
    size_t n = (size_t)1024 << k;
    mfh_nbody *sys = make_system(n, 3, 1, 3);
    if (!sys) return 1;
    double med, min;
    if (time_op(sys, WHAT_VERLET, n > 8192 ? 3 : 5, NULL, &med, &min) != MFH_OK) return 1;
    nd[k] = (double)n, td[k] = med;
    printf("%-8s %8zu %14.2f %14.2f\n", "direct", n, 1e6 * med, 1e6 * min);
    fflush(stdout);
    mfh_nbody_destroy(sys);
  }
  gsl_rng_free(r);
  printf("# fitted cost exponent (time ~ N^p): rbm p = %.3f (N = 1024..65536), direct p = %.3f "
         "(N = 1024..16384)\n",
         mfh_bench_loglog_slope(nr, tr, NR), mfh_bench_loglog_slope(nd, td, ND));
  print_load("at end");
  return 0;
}
