/* Throughput of the 1D sheet model (engines/sheet/sheet.h; THEOREMS.md
 * CEP-2, CEP-3): particle-steps per second of velocity Verlet with the rank
 * force (r - 1/2)/N - 1/2, the loop of the `sheet` engine:
 *   v += dt/2 f;  x += dt v;  f = mfh_sheet_forces(x)  (re-sort from the
 *   previous order: insertion sort, merge sort when it moved too much);
 *   v += dt/2 f.
 * Data: rho_in = (3/4)(1 - x^2)_+, u_in = -beta x, beta = 0.5 (breaking at
 * t = 2), dt = 0.01, steps from t = 0 to t = 1:
 *   - quantile: x_r = F_in^{-1}((r - 1/2)/N): no crossings before breaking,
 *     every re-sort is one pass of a sorted array (O(N));
 *   - iid: N i.i.d. positions: neighbours cross all the time (gaps ~ 1/N),
 *     the insertion sort does O(N) short moves per step, or falls back to a
 *     merge sort (O(N log N)) when there are more than 16 N + 64 moves.
 * For each case: the median over repetitions of the wall time of a batch of
 * steps (one thread), as particle-steps per second, and the share of the
 * force/sort call in a step.  Timings on a shared machine are noisy: read
 * the medians, not single runs.
 * Usage: bench_sheet [N] [reps] (defaults 1000000 and 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "bench/benchutil.h"
#include "core/rng.h"
#include "core/status.h"
#include "engines/ep1d/lagrange.h"
#include "engines/sheet/sheet.h"

#define BENCH_MAX_REPS 101

typedef struct sheet_sys {
  size_t n;
  double *x, *v, *f;
  size_t *perm, *tmp;
} sheet_sys;

static void sys_free(sheet_sys *s) {
  free(s->x);
  free(s->v);
  free(s->f);
  free(s->perm);
  free(s->tmp);
}

static int sys_init(sheet_sys *s, size_t n, int iid, double beta) {
  memset(s, 0, sizeof *s);
  s->n = n;
  s->x = malloc(n * sizeof *s->x);
  s->v = malloc(n * sizeof *s->v);
  s->f = malloc(n * sizeof *s->f);
  s->perm = malloc(n * sizeof *s->perm);
  s->tmp = malloc(n * sizeof *s->tmp);
  if (!s->x || !s->v || !s->f || !s->perm || !s->tmp) return MFH_ENOMEM;
  gsl_rng *rng = iid ? mfh_rng_alloc(12345) : NULL;
  if (iid && !rng) return MFH_ENOMEM;
  for (size_t j = 0; j < n; j++) {
    double u = iid ? gsl_rng_uniform(rng) : ((double)j + 0.5) / (double)n;
    s->x[j] = mfh_ep1d_parabolic_quantile(u);
    s->v[j] = -beta * s->x[j];
    s->perm[j] = j;
  }
  gsl_rng_free(rng);
  return mfh_sheet_forces(s->x, n, s->perm, s->tmp, s->f);
}

/* nsteps Verlet steps; adds the time spent in the force call to *tforce. */
static int steps(sheet_sys *s, double dt, int nsteps, double *tforce) {
  size_t n = s->n;
  for (int k = 0; k < nsteps; k++) {
    for (size_t j = 0; j < n; j++) {
      s->v[j] += 0.5 * dt * s->f[j];
      s->x[j] += dt * s->v[j];
    }
    double t0 = mfh_bench_now();
    int rc = mfh_sheet_forces(s->x, n, s->perm, s->tmp, s->f);
    *tforce += mfh_bench_now() - t0;
    if (rc) return rc;
    for (size_t j = 0; j < n; j++) s->v[j] += 0.5 * dt * s->f[j];
  }
  return MFH_OK;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)strtod(argv[1], NULL) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (n < 2 || reps < 1 || reps > BENCH_MAX_REPS) {
    fprintf(stderr, "usage: bench_sheet [N >= 2] [reps in 1..%d]\n", BENCH_MAX_REPS);
    return 2;
  }
  const double beta = 0.5, dt = 0.01;
  const int batch = 100 / reps > 0 ? 100 / reps : 1; /* reps batches cover t in [0, 1] */
  printf("sheet model, velocity Verlet + rank force, N = %zu, dt = %g, %d batches of %d steps "
         "(t from 0 to %g), one thread\n",
         n, dt, reps, batch, dt * batch * reps);
  printf("%-9s %12s %14s %16s %12s %14s\n", "init", "setup [s]", "step [ms]", "particle-steps/s",
         "force share", "ns/particle");
  const char *names[2] = {"quantile", "iid"};
  for (int iid = 0; iid < 2; iid++) {
    sheet_sys s;
    double t0 = mfh_bench_now();
    if (sys_init(&s, n, iid, beta) != MFH_OK) {
      fprintf(stderr, "bench_sheet: out of memory (N = %zu)\n", n);
      sys_free(&s);
      return 3;
    }
    double setup = mfh_bench_now() - t0, per[BENCH_MAX_REPS], share[BENCH_MAX_REPS];
    for (int r = 0; r < reps; r++) {
      double tf = 0, a = mfh_bench_now();
      if (steps(&s, dt, batch, &tf) != MFH_OK) {
        fprintf(stderr, "bench_sheet: force call failed\n");
        sys_free(&s);
        return 3;
      }
      double el = mfh_bench_now() - a;
      per[r] = el / batch;
      share[r] = tf / el;
    }
    double med = mfh_bench_median(per, reps), sh = mfh_bench_median(share, reps);
    printf("%-9s %12.3f %14.3f %16.4g %11.1f%% %14.2f\n", names[iid], setup, 1e3 * med, (double)n / med,
           100 * sh, 1e9 * med / (double)n);
    sys_free(&s);
  }
  return 0;
}
