/* Cost of the N-body Schroedinger split-step (engines/nbodyq/) against its
 * FFTs, and the throughput of the random batch method (RBM) Monte Carlo.
 *
 * For each case (N = 3, M = 64 and 128; N = 4, M = 32 and 64; Gaussian V,
 * one thread) it measures in the same run:
 *   - the wall time of one mfh_nbodyq_step (full dynamics, all N(N-1)/2
 *     pairs) and of one mfh_nbodyq_rbm_step (N even: N/2 pairs), median over
 *     repetitions after a warm-up step;
 *   - the wall time of the FFTs that step does, alone: one forward and one
 *     backward N-dimensional complex transform of size M^N, in place, with
 *     plans made exactly as the solver makes them (fftw_plan_dft, rank N,
 *     FFTW_ESTIMATE, on an fftw_malloc'd array);
 * and prints step / FFTs (1 would mean the potential half steps, the kinetic
 * phase and the scaling were free).
 * Then RBM realisations per second for the `rbm` configurations of
 * studies/quantum/rbm1-weak-dt.yaml (quick and nightly): one realisation =
 * set the product state, t/dt RBM steps for each dt of the sweep, and at
 * the output time the rdm1, the Wigner characteristic function at every
 * mode of the default set and the three smooth observables (what rbm.c does
 * per realisation).
 * The machine is shared: figures are noisy; medians are printed.
 * Usage: bench_nbodyq [reps] (default 7). */
#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "bench/benchutil.h"
#include "core/rng.h"
#include "core/status.h"
#include "engines/nbodyq/nbodyq.h"
#include "metrics/semiclassical/dualnorm.h"

static mfh_nbodyq *make(int N, int M, double L, double eps, int nm1) {
  mfh_nbodyq_params p;
  mfh_nbodyq_params_init(&p);
  p.N = N;
  p.M = M;
  p.L = L;
  p.eps = eps;
  p.a = 1.0;
  p.s = 1.0;
  p.coupling_kind = nm1 ? MFH_NBODYQ_COUPLING_NM1 : MFH_NBODYQ_COUPLING_N;
  p.threads = 1;
  mfh_nbodyq *q = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  if (mfh_nbodyq_create(&p, &q, &err) != MFH_OK) {
    mfh_err_print(&err, stderr);
    return NULL;
  }
  double complex *phi = malloc((size_t)M * sizeof *phi);
  double dx = L / M;
  for (int i = 0; i < M; i++) {
    double x = -L / 2 + i * dx;
    phi[i] = cexp(-x * x / (2 * eps) + 0.3 * I * x / eps);
  }
  if (mfh_nbodyq_set_product(q, phi, &err) != MFH_OK) {
    mfh_err_print(&err, stderr);
    mfh_nbodyq_destroy(q);
    q = NULL;
  }
  free(phi);
  return q;
}

static void bench_case(int N, int M, int reps) {
  mfh_nbodyq *q = make(N, M, 10.0, 1.0, 1);
  if (!q) return;
  mfh_err err;
  mfh_err_clear(&err);
  gsl_rng *r = mfh_rng_alloc(7);
  double *ts = malloc((size_t)reps * sizeof *ts), *tr = malloc((size_t)reps * sizeof *tr);
  double *tf = malloc((size_t)reps * sizeof *tf);
  mfh_nbodyq_step(q, 1e-3, &err); /* warm-up */
  for (int k = 0; k < reps; k++) {
    double t0 = mfh_bench_now();
    mfh_nbodyq_step(q, 1e-3, &err);
    ts[k] = mfh_bench_now() - t0;
    t0 = mfh_bench_now();
    if (N % 2 == 0) mfh_nbodyq_rbm_step(q, 1e-3, r, NULL, &err);
    tr[k] = mfh_bench_now() - t0;
  }
  /* The FFTs alone, with the solver's plans. */
  size_t size = mfh_nbodyq_size(q);
  fftw_complex *buf = fftw_malloc(size * sizeof *buf);
  int n[8];
  for (int j = 0; j < N; j++) n[j] = M;
  fftw_plan fwd = fftw_plan_dft(N, n, buf, buf, FFTW_FORWARD, FFTW_ESTIMATE);
  fftw_plan bwd = fftw_plan_dft(N, n, buf, buf, FFTW_BACKWARD, FFTW_ESTIMATE);
  memcpy(buf, mfh_nbodyq_psi_const(q), size * sizeof *buf);
  fftw_execute(fwd);
  fftw_execute(bwd);
  for (int k = 0; k < reps; k++) {
    memcpy(buf, mfh_nbodyq_psi_const(q), size * sizeof *buf);
    double t0 = mfh_bench_now();
    fftw_execute(fwd);
    fftw_execute(bwd);
    tf[k] = mfh_bench_now() - t0;
  }
  double ms = mfh_bench_median(ts, reps), mr = mfh_bench_median(tr, reps);
  double mf = mfh_bench_median(tf, reps);
  printf("N = %d  M = %4d  M^N = %9zu  step %9.3f ms  FFTs %9.3f ms  step/FFTs %5.2f", N, M, size,
         1e3 * ms, 1e3 * mf, ms / mf);
  if (N % 2 == 0)
    printf("  rbm step %9.3f ms  rbm/FFTs %5.2f", 1e3 * mr, mr / mf);
  printf("\n");
  fftw_destroy_plan(fwd);
  fftw_destroy_plan(bwd);
  fftw_free(buf);
  free(ts);
  free(tr);
  free(tf);
  gsl_rng_free(r);
  mfh_nbodyq_destroy(q);
}

/* Realisations per second of the rbm solver's Monte Carlo loop for one
 * configuration: N, M, L, eps, output time t, the dt values of the sweep. */
static void bench_rbm(const char *name, int N, int M, double L, double eps, double t,
                      const double *dts, int ndt, int nreal) {
  mfh_nbodyq *q = make(N, M, L, eps, 1);
  if (!q) return;
  mfh_err err;
  mfh_err_clear(&err);
  double complex *phi = malloc((size_t)M * sizeof *phi);
  double complex *R = malloc((size_t)M * M * sizeof *R);
  mfh_sc_dual_fixed modes;
  mfh_sc_dual_fixed_default(L, (size_t)M, &modes);
  double complex *chi = malloc(mfh_sc_dual_fixed_nmodes(&modes) * sizeof *chi);
  double dx = L / M;
  for (int i = 0; i < M; i++) {
    double x = -L / 2 + i * dx;
    phi[i] = cexp(-x * x / (2 * eps));
  }
  for (int d = 0; d < ndt; d++) {
    long nsteps = lround(t / dts[d]);
    double t0 = mfh_bench_now(), tsteps = 0;
    for (int r = 0; r < nreal; r++) {
      gsl_rng *rr = mfh_rng_alloc(1000 + (unsigned long long)r);
      mfh_nbodyq_set_product(q, phi, &err);
      double s0 = mfh_bench_now();
      for (long s = 0; s < nsteps; s++) mfh_nbodyq_rbm_step(q, dts[d], rr, NULL, &err);
      tsteps += mfh_bench_now() - s0;
      mfh_nbodyq_rdm1(q, R, &err);
      mfh_sc_dual_chi_fixed(R, (size_t)M, -L / 2, dx, eps, &modes, chi, &err);
      mfh_sc_dual_obs ob;
      mfh_sc_dual_observables(R, (size_t)M, -L / 2, dx, eps, &ob, &err);
      gsl_rng_free(rr);
    }
    double el = mfh_bench_now() - t0;
    printf("%-8s N = %d  M = %3d  t = %g  dt = %-7g  %5ld steps: %8.1f realisations/s  "
           "(%.3f ms per step, %.0f%% of the time in steps)\n",
           name, N, M, t, dts[d], nsteps, nreal / el, 1e3 * tsteps / ((double)nreal * nsteps),
           100 * tsteps / el);
  }
  free(phi);
  free(R);
  free(chi);
  mfh_nbodyq_destroy(q);
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  if (reps < 1) reps = 1;
  printf("one thread; FFTW_ESTIMATE plans (as the solver); median of %d\n", reps);
  bench_case(3, 64, reps);
  bench_case(3, 128, reps);
  bench_case(4, 32, reps);
  bench_case(4, 64, reps > 3 ? 3 : reps);
  bench_case(4, 16, 5 * reps);
  const double quick[] = {0.25, 0.125, 0.0625, 0.03125};
  const double nightly[] = {0.1, 0.05, 0.025, 0.0125};
  bench_rbm("quick", 4, 16, 8.0, 0.65, 0.5, quick, 4, 50);
  bench_rbm("nightly", 4, 16, 8.0, 0.65, 1.0, nightly, 4, 20);
  return 0;
}
