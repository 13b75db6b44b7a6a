/* Throughput of the semi-Lagrangian Vlasov solver (engines/vlasov/).
 *
 * For square grids n x n (n = 256, 512, 1024) and 1 and 2 threads: cell
 * updates per second (nx * nv per Strang step / wall time per step, median
 * of a few repetitions) for the Vlasov-Poisson and the Gaussian pair
 * (free, zero-padded) models, and the share of the step spent in the FFTs
 * of the x-advection, measured by replaying the same transforms (nv columns
 * of length nx, r2c + c2r, twice per step; FFTW_ESTIMATE plans executed with
 * the new-array interface, as the solver does) on their own.  The field
 * solve (one FFT pair of length nx or 2 nx per step) is negligible and not
 * counted.  Usage: bench_vlasov [max_n]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fftw3.h>
#include <omp.h>

#include "bench/benchutil.h"
#include "core/status.h"
#include "engines/vlasov/vlasov.h"

#define PI 3.14159265358979323846

static double f0_landau(double x, double v, void *ctx) {
  (void)ctx;
  return (1.0 + 0.05 * cos(0.5 * x)) * exp(-0.5 * v * v) / sqrt(2.0 * PI);
}

/* Median seconds per step over `reps` timings of `steps` steps; -1 on error. */
static double time_steps(int model, int n, int threads, int steps, int reps) {
  mfh_vlasov_params p;
  mfh_vlasov_params_init(&p);
  p.model = model;
  p.nx = n;
  p.nv = n;
  p.xmin = model == MFH_VLASOV_POISSON ? 0.0 : -2.0 * PI;
  p.xmax = model == MFH_VLASOV_POISSON ? 4.0 * PI : 2.0 * PI;
  p.vmin = -6.0;
  p.vmax = 6.0;
  p.threads = threads;
  mfh_vlasov *vl = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  double t[16], res = -1.0;
  if (mfh_vlasov_create(&p, &vl, &err) != MFH_OK) {
    mfh_err_print(&err, stderr);
    return -1.0;
  }
  if (mfh_vlasov_set_f(vl, f0_landau, NULL, &err) != MFH_OK) goto done;
  if (mfh_vlasov_step(vl, 0.1, &err) != MFH_OK) goto done; /* warm-up (phase table) */
  for (int r = 0; r < reps; r++) {
    double t0 = mfh_bench_now();
    for (int s = 0; s < steps; s++)
      if (mfh_vlasov_step(vl, 0.1, &err) != MFH_OK) goto done;
    t[r] = (mfh_bench_now() - t0) / steps;
  }
  qsort(t, (size_t)reps, sizeof *t, mfh_bench_cmp_double);
  res = t[reps / 2];
done:
  if (res < 0) mfh_err_print(&err, stderr);
  mfh_vlasov_destroy(vl);
  return res;
}

/* Seconds per step of the x-advection FFTs alone (2 x nv x (r2c + c2r)). */
static double time_ffts(int n, int threads, int steps, int reps) {
  size_t ld = (size_t)n + 8, ldc = (size_t)n / 2 + 8;
  double *x = fftw_malloc((size_t)threads * ld * sizeof *x), t[16], res = -1.0;
  fftw_complex *c = fftw_malloc((size_t)threads * ldc * sizeof *c);
  fftw_plan pf = NULL, pb = NULL;
  if (!x || !c) goto done;
  for (size_t i = 0; i < (size_t)threads * ld; i++) x[i] = sin(0.1 * (double)i);
  pf = fftw_plan_dft_r2c_1d(n, x, c, FFTW_ESTIMATE);
  pb = fftw_plan_dft_c2r_1d(n, c, x, FFTW_ESTIMATE);
  if (!pf || !pb) goto done;
  for (int r = 0; r < reps; r++) {
    double t0 = mfh_bench_now();
    for (int s = 0; s < steps; s++) {
#pragma omp parallel for schedule(static) num_threads(threads)
      for (int col = 0; col < 2 * n; col++) {
        int tid = omp_get_thread_num();
        double *xc = x + (size_t)tid * ld;
        fftw_complex *cc = c + (size_t)tid * ldc;
        fftw_execute_dft_r2c(pf, xc, cc);
        fftw_execute_dft_c2r(pb, cc, xc);
        xc[0] *= 1.0 / n; /* keep the data bounded */
      }
    }
    t[r] = (mfh_bench_now() - t0) / steps;
  }
  qsort(t, (size_t)reps, sizeof *t, mfh_bench_cmp_double);
  res = t[reps / 2];
done:
  if (pf) fftw_destroy_plan(pf);
  if (pb) fftw_destroy_plan(pb);
  fftw_free(x);
  fftw_free(c);
  return res;
}

int main(int argc, char **argv) {
  int maxn = argc > 1 ? atoi(argv[1]) : 1024;
  const int sizes[3] = {256, 512, 1024};
  const int models[2] = {MFH_VLASOV_POISSON, MFH_VLASOV_PAIR_FREE};
  const char *mname[2] = {"poisson", "pair-free"};
  mfh_gsl_quiet();
  printf(
      "# Vlasov semi-Lagrangian solver: Strang step = 2 x-advections (spectral) + field + 1\n"
      "# v-advection (6-point Lagrange); %d hardware threads available (omp)\n",
      omp_get_num_procs());
  printf("%-10s %6s %7s %12s %14s %10s %10s\n", "model", "n", "threads", "ms/step", "cells/s",
         "fft ms", "fft share");
  for (int si = 0; si < 3; si++) {
    int n = sizes[si];
    if (n > maxn) break;
    double cells = (double)n * (double)n;
    int steps = (int)fmax(3.0, 2e7 / cells), reps = 5;
    for (int threads = 1; threads <= 2; threads++) {
      double tf = time_ffts(n, threads, steps, reps);
      for (int mi = 0; mi < 2; mi++) {
        double ts = time_steps(models[mi], n, threads, steps, reps);
        if (ts < 0 || tf < 0) {
          fprintf(stderr, "bench_vlasov: failed at n = %d\n", n);
          return 1;
        }
        printf("%-10s %6d %7d %12.3f %14.4g %10.3f %9.0f%%\n", mname[mi], n, threads, 1e3 * ts,
               cells / ts, 1e3 * tf, 100.0 * tf / ts);
      }
    }
  }
  return 0;
}
