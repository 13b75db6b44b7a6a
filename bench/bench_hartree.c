/* Cost of the Hartree split-step solver (engines/hartree/) against its FFTs.
 *
 * For each case (1D pure n = 4096 and 16384, 1D mixed M = 32 orbitals
 * n = 2048, 2D 256 x 256 pure; Gaussian V in the free mode, i.e. the mean
 * field is a zero-padded convolution of size (2n)^d) it measures, in the same
 * run and on one thread:
 *   - the wall time of one Strang step (median over repetitions of a batch
 *     of steps, after warm-up steps that fill the phase tables);
 *   - the wall time of the FFTs that step needs, executed alone: M complex
 *     forward + M complex backward transforms of size n^d (one pair per
 *     orbital, on M distinct arrays) and one r2c + c2r pair of size (2n)^d
 *     (the mean field of the new density; the step reuses the previous one
 *     for its first half), with the same plans as the solver (FFTW_ESTIMATE,
 *     chosen for reproducibility: plans and hence results do not depend on
 *     timing measurements; executed with the new-array interface; 2D as
 *     rows then columns, the padded r2c / c2r pruned to the rows that
 *     matter, see fft_only below);
 *   - the same for one mfh_hartree_run call over the batch (the half phases
 *     at the junctions of its steps share one pass over the orbitals);
 * and prints the ratio step / FFTs (1 would mean every non-FFT operation -
 * potential phase exp(-i dt U / (2 eps)) on the grid, three pointwise
 * complex multiplications per orbital, the density, padding - is free).
 * Usage: bench_hartree [reps] (default 21). */
#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cplx.h"
#include "core/status.h"
#include "engines/hartree/hartree.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

typedef struct bench_case {
  const char *name;
  int dim, n, norb;
} bench_case;

/* The solver of one case, ready to step. */
static mfh_hartree *make_solver(const bench_case *c) {
  mfh_hartree_params p;
  mfh_hartree_params_init(&p);
  p.dim = c->dim;
  p.n = c->n;
  p.xmin = -8.0;
  p.xmax = 8.0;
  p.eps = c->dim == 1 ? 0.01 : 0.05;
  p.norb = c->norb;
  p.interaction = MFH_HARTREE_FREE;
  p.a = 1.0;
  p.s = 0.5;
  p.threads = 1;
  mfh_hartree *h = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  if (mfh_hartree_create(&p, &h, &err) != MFH_OK) goto fail;
  for (int k = 0; k < c->norb; k++) {
    double q[2] = {-2.0 + 4.0 * k / c->norb, 0.5}, pp[2] = {0.5 - (double)k / c->norb, -0.3};
    if (mfh_hartree_set_coherent(h, k, q, pp, &err) != MFH_OK) goto fail;
  }
  for (int s = 0; s < 3; s++) /* warm-up: phase tables, caches */
    if (mfh_hartree_step(h, 1e-3, &err) != MFH_OK) goto fail;
  return h;
fail:
  mfh_err_print(&err, stderr);
  mfh_hartree_destroy(h);
  return NULL;
}

/* Seconds per step over a batch of steps (one mfh_hartree_step call each,
 * or one mfh_hartree_run call for the batch); -1 on error. */
static double time_steps(mfh_hartree *h, int steps, int batch) {
  mfh_err err;
  mfh_err_clear(&err);
  double t0 = now();
  if (batch) {
    if (mfh_hartree_run(h, 1e-3, steps, &err) != MFH_OK) goto fail;
  } else {
    for (int s = 0; s < steps; s++)
      if (mfh_hartree_step(h, 1e-3, &err) != MFH_OK) goto fail;
  }
  return (now() - t0) / steps;
fail:
  mfh_err_print(&err, stderr);
  return -1.0;
}

/* The FFTs of one step, alone, with the solver's plans (see the header and
 * make_plans in engines/hartree/hartree.c): 1D out of place through a
 * scratch array; 2D as rows then columns (plan_many), the complex ones
 * through a scratch grid of row stride ld (> n, = 4 mod 8), the zero-padded
 * r2c pruned to the n rows that hold the density and the c2r to the n rows
 * of the box.  naive = 1 uses FFTW's own plans instead (dft_2d in place,
 * r2c_2d / c2r_2d on the whole padded grid) for comparison. */
typedef struct fft_only {
  int dim, naive;
  size_t npts, norb;
  double complex *psi, *psi0, *scr, *chat, *chat2;
  double *rin, *rout;
  fftw_plan p[8];
} fft_only;

static void fft_free(fft_only *f) {
  for (int i = 0; i < 8; i++)
    if (f->p[i]) fftw_destroy_plan(f->p[i]);
  fftw_free(f->psi);
  fftw_free(f->psi0);
  fftw_free(f->scr);
  fftw_free(f->chat);
  fftw_free(f->chat2);
  fftw_free(f->rin);
  fftw_free(f->rout);
}

static int fft_init(fft_only *f, const bench_case *c, int naive) {
  int n = c->n, nf = 2 * n, nfh = n + 1, ld = n + 1 + (12 - (n + 1) % 8) % 8;
  size_t nfr = c->dim == 1 ? (size_t)nf : (size_t)nf * (size_t)nf;
  size_t nfc = (c->dim == 1 ? 1 : (size_t)nf) * (size_t)nfh;
  const unsigned fl = FFTW_ESTIMATE;
  memset(f, 0, sizeof *f);
  f->dim = c->dim;
  f->naive = naive;
  f->npts = c->dim == 1 ? (size_t)n : (size_t)n * (size_t)n;
  f->norb = (size_t)c->norb;
  f->psi = fftw_malloc(f->norb * f->npts * sizeof *f->psi);
  f->psi0 = fftw_malloc(f->norb * f->npts * sizeof *f->psi0);
  f->scr = fftw_malloc((size_t)n * (size_t)ld * sizeof *f->scr);
  f->chat = fftw_malloc(nfc * sizeof *f->chat);
  f->chat2 = fftw_malloc(nfc * sizeof *f->chat2);
  f->rin = fftw_malloc(nfr * sizeof *f->rin);
  f->rout = fftw_malloc(nfr * sizeof *f->rout);
  if (!f->psi || !f->psi0 || !f->scr || !f->chat || !f->chat2 || !f->rin || !f->rout) return -1;
  for (size_t i = 0; i < f->norb * f->npts; i++)
    f->psi0[i] = CMPLX(sin(0.1 * (double)i), cos(0.3 * (double)i));
  memset(f->rin, 0, nfr * sizeof *f->rin);
  memset(f->chat, 0, nfc * sizeof *f->chat);
  for (size_t r = 0; r < (c->dim == 1 ? 1 : (size_t)n); r++)
    for (int i = 0; i < n; i++) f->rin[r * (size_t)nf + (size_t)i] = cos(0.2 * (double)i);
  double complex *ps = f->psi;
  fftw_plan *p = f->p;
  if (c->dim == 1) {
    p[0] = fftw_plan_dft_1d(n, ps, f->scr, FFTW_FORWARD, fl);
    p[1] = fftw_plan_dft_1d(n, f->scr, ps, FFTW_BACKWARD, fl);
    p[2] = fftw_plan_dft_r2c_1d(nf, f->rin, f->chat, fl);
    p[3] = fftw_plan_dft_c2r_1d(nf, f->chat, f->rout, fl);
    return p[0] && p[1] && p[2] && p[3] ? 0 : -1;
  }
  if (naive) {
    p[0] = fftw_plan_dft_2d(n, n, ps, ps, FFTW_FORWARD, fl);
    p[1] = fftw_plan_dft_2d(n, n, ps, ps, FFTW_BACKWARD, fl);
    p[2] = fftw_plan_dft_r2c_2d(nf, nf, f->rin, f->chat, fl);
    p[3] = fftw_plan_dft_c2r_2d(nf, nf, f->chat, f->rout, fl);
    return p[0] && p[1] && p[2] && p[3] ? 0 : -1;
  }
  double complex *sc = f->scr;
  p[0] = fftw_plan_many_dft(1, &n, n, ps, NULL, 1, n, sc, NULL, 1, ld, FFTW_FORWARD, fl);
  p[1] = fftw_plan_many_dft(1, &n, n, sc, NULL, ld, 1, sc, NULL, ld, 1, FFTW_FORWARD, fl);
  p[2] = fftw_plan_many_dft(1, &n, n, sc, NULL, ld, 1, sc, NULL, ld, 1, FFTW_BACKWARD, fl);
  p[3] = fftw_plan_many_dft(1, &n, n, sc, NULL, 1, ld, ps, NULL, 1, n, FFTW_BACKWARD, fl);
  p[4] = fftw_plan_many_dft_r2c(1, &nf, n, f->rin, NULL, 1, nf, f->chat, NULL, 1, nfh, fl);
  p[5] = fftw_plan_many_dft(1, &nf, nfh, f->chat, NULL, nfh, 1, f->chat2, NULL, nfh, 1,
                            FFTW_FORWARD, fl);
  p[6] = fftw_plan_many_dft(1, &nf, nfh, f->chat2, NULL, nfh, 1, f->chat2, NULL, nfh, 1,
                            FFTW_BACKWARD, fl);
  p[7] = fftw_plan_many_dft_c2r(1, &nf, n, f->chat2, NULL, 1, nfh, f->rout, NULL, 1, nf, fl);
  for (int i = 0; i < 8; i++)
    if (!p[i]) return -1;
  return 0;
}

/* Seconds per step of the FFTs alone over a batch.  The orbitals are reset
 * (untimed) first: unnormalised transform pairs scale them by n^d each (the
 * r2c input is preserved). */
static double time_ffts(fft_only *f, int steps) {
  fftw_plan *p = f->p;
  memcpy(f->psi, f->psi0, f->norb * f->npts * sizeof *f->psi);
  double t0 = now();
  for (int s = 0; s < steps; s++) {
    for (size_t k = 0; k < f->norb; k++) {
      double complex *q = f->psi + k * f->npts;
      if (f->dim == 1) {
        fftw_execute_dft(p[0], q, f->scr);
        fftw_execute_dft(p[1], f->scr, q);
      } else if (f->naive) {
        fftw_execute_dft(p[0], q, q);
        fftw_execute_dft(p[1], q, q);
      } else {
        fftw_execute_dft(p[0], q, f->scr);
        fftw_execute_dft(p[1], f->scr, f->scr);
        fftw_execute_dft(p[2], f->scr, f->scr);
        fftw_execute_dft(p[3], f->scr, q);
      }
    }
    if (f->dim == 1 || f->naive) {
      fftw_execute_dft_r2c(p[2], f->rin, f->chat);
      fftw_execute_dft_c2r(p[3], f->chat, f->rout);
    } else {
      fftw_execute_dft_r2c(p[4], f->rin, f->chat);
      fftw_execute_dft(p[5], f->chat, f->chat2);
      fftw_execute_dft(p[6], f->chat2, f->chat2);
      fftw_execute_dft_c2r(p[7], f->chat2, f->rout);
    }
  }
  return (now() - t0) / steps;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 21;
  if (reps < 1 || reps > 64) reps = 21;
  const bench_case cases[] = {
      {"1D pure", 1, 4096, 1},
      {"1D pure", 1, 16384, 1},
      {"1D mixed", 1, 2048, 32},
      {"2D pure", 2, 256, 1},
  };
  mfh_gsl_quiet();
  printf(
      "# Hartree Strang split-step, free-mode Gaussian V, 1 thread, FFTW_ESTIMATE plans\n"
      "# (%d hardware threads available).  %d triples of batches, back to back: FFTs\n"
      "# alone, mfh_hartree_step calls, one mfh_hartree_run call.  ratio = median over the\n"
      "# triples of step/FFTs (robust to a varying load); best = ratio of the fastest\n"
      "# batches; run = median ratio for mfh_hartree_run\n",
      omp_get_num_procs(), reps);
  printf("%-9s %6s %4s %10s %10s %8s %8s %8s\n", "case", "n", "M", "step ms", "FFTs ms", "ratio",
         "best", "run");
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const bench_case *c = &cases[ci];
    double pts = (double)c->norb * pow((double)c->n, (double)c->dim);
    /* unnormalised FFT pairs grow the data by n^d per step: stay < 2^900 */
    int growth = (int)(900.0 / (log2(pow((double)c->n, (double)c->dim)) + 1.0));
    int steps = (int)fmin((double)growth, fmax(4.0, 4e6 / pts));
    fft_only f;
    mfh_hartree *h = make_solver(c);
    int ok = h != NULL && fft_init(&f, c, 0) == 0;
    double ts[64], tf[64], tr[64], ratio[64], rratio[64];
    for (int r = 0; ok && r < reps; r++) {
      tf[r] = time_ffts(&f, steps);
      ts[r] = time_steps(h, steps, 0);
      tr[r] = time_steps(h, steps, 1);
      ratio[r] = ts[r] / tf[r];
      rratio[r] = tr[r] / tf[r];
      ok = ts[r] > 0.0 && tf[r] > 0.0 && tr[r] > 0.0;
    }
    if (h) fft_free(&f);
    mfh_hartree_destroy(h);
    if (!ok) {
      fprintf(stderr, "bench_hartree: failed for %s n = %d\n", c->name, c->n);
      return 1;
    }
    qsort(ts, (size_t)reps, sizeof *ts, cmp_double);
    qsort(tf, (size_t)reps, sizeof *tf, cmp_double);
    qsort(ratio, (size_t)reps, sizeof *ratio, cmp_double);
    qsort(rratio, (size_t)reps, sizeof *rratio, cmp_double);
    printf("%-9s %6d %4d %10.4f %10.4f %8.3f %8.3f %8.3f\n", c->name, c->n, c->norb,
           1e3 * ts[reps / 2], 1e3 * tf[reps / 2], ratio[reps / 2], ts[0] / tf[0],
           rratio[reps / 2]);
    if (c->dim == 2) { /* reference: FFTW's own 2D plans for the same transforms */
      fft_only g;
      double tg[64];
      if (fft_init(&g, c, 1) != 0) {
        fft_free(&g);
        fprintf(stderr, "bench_hartree: cannot plan the reference 2D transforms\n");
        return 1;
      }
      for (int r = 0; r < reps; r++) tg[r] = time_ffts(&g, steps);
      fft_free(&g);
      qsort(tg, (size_t)reps, sizeof *tg, cmp_double);
      printf("#   (the same transforms with FFTW's own 2D ESTIMATE plans, unpruned: %.4f ms)\n",
             1e3 * tg[reps / 2]);
    }
  }
  return 0;
}
