/* Costs and measured rates of the fermion library (engines/fermion/) and the
 * density metrics its studies read (metrics/semiclassical/).
 *
 *   bench_fermion step [reps]   kernel step (Vlasov, Hartree, Hartree-Fock) against
 *                               the FFTs (and zgemm calls) it makes, 1D n = 720,
 *                               1440, 2880 and 2D n = 48, 64
 *   bench_fermion trace         one HF-1/HF-2 task (1D mixed): where the time goes
 *                               (trap kernel, two runs, zheevd)
 *   bench_fermion rates [max]   the HF-1..HF-4 observables over N (1D up to max,
 *                               default 128; 2D to a fixed small set) with the
 *                               least-squares slopes in eps, and the monitors
 *   bench_fermion sizes [timed] [reach] [PROFILE] [DIR]  the largest N of each
 *                               profile (or of PROFILE) of the studies in DIR (default
 *                               studies/fermions): each part's grid and memory, (timed)
 *                               the engines' time of that task, (reach) the largest N
 *                               the memory limit allows
 *   bench_fermion task KIND DIM N   one task, timed (KIND: mixed, slater, hf4s, hf4m)
 *
 * Protocol of the tasks (what a study would run): trap state at eps =
 * N^(-1/d), T = 0.5 (mixed), dynamics to t = 0.5 in 20 Strang steps, Gaussian
 * V (a = s = 1), the smallest resolving grid (fermion.h, tol 1e-8).  Mixed:
 * Hartree and Weyl-Vlasov both on kernels; Slater: Hartree on orbitals,
 * Vlasov on the kernel.  Modes: p in {0, 0.5, 1, 2, 4}, q in
 * {0, +-0.5, +-1, +-2, +-4} (1D; in 2D the same magnitudes along e1, e2 and
 * the diagonal), weighted max of |c| / (1 + |p| + |q|)^2.
 * One thread for the engines; OpenBLAS uses its own thread count (set
 * OPENBLAS_NUM_THREADS=1 for one-thread figures). */
#include <complex.h>
#include <dirent.h>
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/benchutil.h"
#include "core/blas.h" /* zgemm_ (the exchange cost) */
#include "core/cmplx.h"
#include "core/status.h"
#include "engines/fermion/engine.h"
#include "engines/fermion/engines.h"
#include "engines/fermion/fermion.h"
#include "engines/fermion/monitors.h"
#include "metrics/semiclassical/charfun.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/regularity.h"
#include "pipeline/plan.h"
#include "pipeline/study.h"

#define T_FINAL 0.5
#define NSTEPS 20
#define TEMP 0.5

static mfh_err E;

static int die(void) {
  mfh_err_print(&E, stderr);
  exit(3);
}
#define TRY(x)                 \
  do {                         \
    if ((x) != MFH_OK) die();  \
  } while (0)

static mfh_fermion_setup setup(int dim, int kind, double N) {
  mfh_fermion_setup s;
  mfh_fermion_setup_init(&s);
  s.dim = dim;
  s.kind = kind;
  s.N = N;
  s.T = TEMP;
  s.t_final = T_FINAL;
  return s;
}

static size_t npts_of(const mfh_fermion_grid *g) { return mfh_fermion_grid_points(g); }

/* ---- tasks ----------------------------------------------------------------------- */

typedef struct result {
  double N, eps;
  int n, m;
  double hs, tr, modes; /* HS_rel, TR_rel, weighted max of the modes */
  double hf4;           /* (1/N) ||omega_HF - omega_H||_1 */
  double t_init, t_run, t_obs, t_eig;
} result;

/* Hartree vs Weyl-Vlasov, both on kernels (mixed) or Hartree on orbitals
 * (Slater).  want_tr: trace norm too. */
static result task_hf(int dim, int kind, double N, int nsteps, double box, double band, int want_tr) {
  result r = {0};
  mfh_fermion_setup s = setup(dim, kind, N);
  mfh_fermion_grid g;
  TRY(mfh_fermion_grid_for(&s, box, band, &g, NULL, &E));
  size_t np = npts_of(&g);
  r.N = N, r.eps = g.eps, r.n = g.n;
  double t0 = mfh_bench_now();
  mfh_fermion_levels *lv = NULL;
  TRY(mfh_fermion_levels_create(dim, kind, N, g.eps, TEMP, 0, &lv, &E));
  r.m = lv->m;
  mfh_fermion_engine_params p;
  mfh_fermion_engine_params_init(&p);
  p.grid = g;
  p.N = N;
  p.model = MFH_FERMION_VLASOV;
  mfh_fermion_kernel_engine *w = NULL, *h = NULL;
  mfh_fermion_orb_engine *ho = NULL;
  mfh_fermion_orbitals *o = NULL;
  TRY(mfh_fermion_kernel_engine_create(&p, &w, &E));
  TRY(mfh_fermion_trap_kernel(&g, lv, mfh_fermion_kernel_engine_data(w), &E));
  p.model = MFH_FERMION_HARTREE;
  if (kind == MFH_FERMION_MIXED) {
    TRY(mfh_fermion_kernel_engine_create(&p, &h, &E));
    memcpy(mfh_fermion_kernel_engine_data(h), mfh_fermion_kernel_engine_data(w), np * np * sizeof(double complex));
  } else {
    TRY(mfh_fermion_trap_state(&g, lv, &o, &E));
    TRY(mfh_fermion_orb_engine_create(&p, o, &ho, &E));
  }
  r.t_init = mfh_bench_now() - t0;
  t0 = mfh_bench_now();
  double dt = T_FINAL / nsteps;
  TRY(mfh_fermion_kernel_engine_run(w, dt, nsteps, &E));
  if (h) TRY(mfh_fermion_kernel_engine_run(h, dt, nsteps, &E));
  if (ho) TRY(mfh_fermion_orb_engine_run(ho, dt, nsteps, &E));
  r.t_run = mfh_bench_now() - t0;
  t0 = mfh_bench_now();
  double complex *W = mfh_fermion_kernel_engine_data(w);
  mfh_density dw = mfh_fermion_kernel_view(&g, W), dh;
  double pp[2 * MFH_SC_CHARFUN_MAX], qq[2 * MFH_SC_CHARFUN_MAX];
  double complex c1[MFH_SC_CHARFUN_MAX], c2[MFH_SC_CHARFUN_MAX];
  size_t nm = mfh_sc_charfun_standard(dim, pp, qq);
  double hs = 0, tr = 0;
  if (h)
    dh = mfh_fermion_kernel_view(&g, mfh_fermion_kernel_engine_data(h));
  else
    dh = mfh_fermion_orbitals_view(mfh_fermion_orb_engine_state(ho));
  TRY(mfh_sc_charfun(&dh, nm, pp, qq, c1, &E));
  double t1 = mfh_bench_now();
  if (want_tr) {
    mfh_sc_norms nr;
    TRY(mfh_sc_norms_diff(&dh, &dw, &nr, &E));
    hs = nr.hs;
    tr = nr.trace;
  } else {
    TRY(mfh_sc_hs_diff(&dh, &dw, &hs, &E));
  }
  r.t_eig = mfh_bench_now() - t1;
  TRY(mfh_sc_charfun(&dw, nm, pp, qq, c2, &E));
  for (size_t j = 0; j < nm; j++) c1[j] = (c1[j] - c2[j]) / N;
  r.modes = mfh_sc_charfun_weighted_max(dim, nm, pp, qq, c1, NULL);
  r.hs = hs / sqrt(N);
  r.tr = tr / N;
  r.t_obs = mfh_bench_now() - t0;
  mfh_fermion_kernel_engine_destroy(w);
  mfh_fermion_kernel_engine_destroy(h);
  mfh_fermion_orb_engine_destroy(ho);
  mfh_fermion_orbitals_destroy(o);
  mfh_fermion_levels_destroy(lv);
  return r;
}

/* HF-4: Hartree-Fock vs Hartree, both on orbitals. */
static result task_hf4(int dim, int kind, double N, int nsteps) {
  result r = {0};
  mfh_fermion_setup s = setup(dim, kind, N);
  mfh_fermion_grid g;
  TRY(mfh_fermion_grid_for(&s, 1, 1, &g, NULL, &E));
  r.N = N, r.eps = g.eps, r.n = g.n;
  double t0 = mfh_bench_now();
  mfh_fermion_levels *lv = NULL;
  mfh_fermion_orbitals *o = NULL;
  TRY(mfh_fermion_levels_create(dim, kind, N, g.eps, TEMP, 0, &lv, &E));
  TRY(mfh_fermion_trap_state(&g, lv, &o, &E));
  r.m = o->m;
  mfh_fermion_engine_params p;
  mfh_fermion_engine_params_init(&p);
  p.grid = g;
  p.N = N;
  p.model = MFH_FERMION_HARTREE;
  mfh_fermion_orb_engine *h = NULL, *x = NULL;
  TRY(mfh_fermion_orb_engine_create(&p, o, &h, &E));
  p.model = MFH_FERMION_HF;
  TRY(mfh_fermion_orb_engine_create(&p, o, &x, &E));
  r.t_init = mfh_bench_now() - t0;
  t0 = mfh_bench_now();
  double dt = T_FINAL / nsteps;
  TRY(mfh_fermion_orb_engine_run(h, dt, nsteps, &E));
  TRY(mfh_fermion_orb_engine_run(x, dt, nsteps, &E));
  r.t_run = mfh_bench_now() - t0;
  t0 = mfh_bench_now();
  mfh_density dx = mfh_fermion_orbitals_view(mfh_fermion_orb_engine_state(x));
  mfh_density dh = mfh_fermion_orbitals_view(mfh_fermion_orb_engine_state(h));
  mfh_sc_norms nr;
  TRY(mfh_sc_norms_diff(&dx, &dh, &nr, &E));
  r.hf4 = nr.trace / N;
  r.t_obs = mfh_bench_now() - t0;
  mfh_fermion_orb_engine_destroy(h);
  mfh_fermion_orb_engine_destroy(x);
  mfh_fermion_orbitals_destroy(o);
  mfh_fermion_levels_destroy(lv);
  return r;
}

static void print_result(const char *what, int dim, const result *r) {
  printf("%-10s d=%d N=%-5g eps=%-9.4g n=%-5d m=%-5d HS_rel=%-11.5g TR_rel=%-11.5g modes=%-11.5g "
         "HF4=%-11.5g  init %.2fs run %.2fs obs %.2fs (eig %.2fs)\n",
         what, dim, r->N, r->eps, r->n, r->m, r->hs, r->tr, r->modes, r->hf4, r->t_init, r->t_run, r->t_obs,
         r->t_eig);
  fflush(stdout);
}

/* least-squares slope of log y against log eps */
static void print_slope(const char *what, const result *r, int k, int which) {
  double x[32], y[32];
  int m = 0;
  for (int i = 0; i < k; i++) {
    double v = which == 0 ? r[i].hs : which == 1 ? r[i].tr : which == 2 ? r[i].modes : r[i].hf4;
    if (v > 0) {
      x[m] = which == 3 ? r[i].N : r[i].eps;
      y[m] = v;
      m++;
    }
  }
  if (m < 2) return;
  printf("  %-28s slope in %s: all %.3f", what, which == 3 ? "N" : "eps", mfh_bench_loglog_slope(x, y, m));
  if (m >= 3) printf(", last 3 %.3f", mfh_bench_loglog_slope(x + m - 3, y + m - 3, 3));
  printf(", last 2 %.3f\n", mfh_bench_loglog_slope(x + m - 2, y + m - 2, 2));
}

static void rates(double nmax) {
  result r[16];
  int k;
  printf("== HF-1 / HF-2 / HF-3(mixed), 1D mixed T = %g, t = %g, %d steps\n", TEMP, T_FINAL, NSTEPS);
  k = 0;
  for (double N = 8; N <= nmax; N *= 2) {
    r[k] = task_hf(1, MFH_FERMION_MIXED, N, NSTEPS, 1, 1, 1);
    print_result("mixed1d", 1, &r[k]);
    k++;
  }
  print_slope("HF-1 HS_rel", r, k, 0);
  print_slope("HF-2 TR_rel", r, k, 1);
  print_slope("HF-3 modes (mixed)", r, k, 2);
  printf("== HF-3, 1D Slater (HS / TR: negative control)\n");
  k = 0;
  for (double N = 8; N <= 4 * nmax; N *= 2) {
    r[k] = task_hf(1, MFH_FERMION_SLATER, N, NSTEPS, 1, 1, 1);
    print_result("slater1d", 1, &r[k]);
    k++;
  }
  print_slope("HF-3 modes", r, k, 2);
  print_slope("HS_rel (control)", r, k, 0);
  print_slope("TR_rel (control)", r, k, 1);
  printf("== HF-1 / HF-3, 2D mixed\n");
  double N2m[4] = {4, 9, 16, 25};
  k = 0;
  for (int i = 0; i < 4; i++) {
    r[k] = task_hf(2, MFH_FERMION_MIXED, N2m[i], NSTEPS, 1, 1, N2m[i] <= 16);
    print_result("mixed2d", 2, &r[k]);
    k++;
  }
  print_slope("HF-1 HS_rel 2D", r, k, 0);
  print_slope("HF-3 modes 2D mixed", r, k, 2);
  printf("== HF-3, 2D Slater\n");
  double N2s[5] = {6, 10, 15, 21, 28};
  k = 0;
  for (int i = 0; i < 5; i++) {
    r[k] = task_hf(2, MFH_FERMION_SLATER, N2s[i], NSTEPS, 1, 1, 0);
    print_result("slater2d", 2, &r[k]);
    k++;
  }
  print_slope("HF-3 modes 2D", r, k, 2);
  printf("== HF-4, 1D (report only)\n");
  k = 0;
  for (double N = 8; N <= 4 * nmax; N *= 2) {
    r[k] = task_hf4(1, MFH_FERMION_SLATER, N, NSTEPS);
    print_result("hf4-slater", 1, &r[k]);
    k++;
  }
  print_slope("HF-4 Slater", r, k, 3);
  k = 0;
  for (double N = 8; N <= nmax / 2; N *= 2) {
    r[k] = task_hf4(1, MFH_FERMION_MIXED, N, NSTEPS);
    print_result("hf4-mixed", 1, &r[k]);
    k++;
  }
  print_slope("HF-4 mixed", r, k, 3);
  printf("== monitors at t = 0 (HF-3 hypotheses)\n");
  for (int kind = 0; kind < 2; kind++)
    for (double N = 8; N <= 4 * nmax; N *= 2) {
      mfh_fermion_setup s = setup(1, kind, N);
      mfh_fermion_grid g;
      TRY(mfh_fermion_grid_for(&s, 1, 1, &g, NULL, &E));
      mfh_fermion_levels *lv = NULL;
      mfh_fermion_orbitals *o = NULL;
      TRY(mfh_fermion_levels_create(1, kind, N, g.eps, TEMP, 0, &lv, &E));
      TRY(mfh_fermion_trap_state(&g, lv, &o, &E));
      double cx = NAN, cp = NAN, gw;
      mfh_density d = mfh_fermion_orbitals_view(o);
      if (2 * o->m < g.n || N <= 128) {
        TRY(mfh_sc_commutators(&d, &cx, &cp, &E));
        cx /= N * g.eps;
        cp /= N * g.eps;
      }
      TRY(mfh_fermion_wigner_grad_l1(lv, &gw, &E));
      printf("  1D %-6s N=%-5g tr|[x,w]|/(N eps)=%.6f tr|[eps d,w]|/(N eps)=%.6f ||grad W_N||_1=%.5f "
             "(/sqrt N %.4f)\n",
             kind ? "Slater" : "mixed", N, cx, cp, gw, gw / sqrt(N));
      mfh_fermion_orbitals_destroy(o);
      mfh_fermion_levels_destroy(lv);
    }
  for (int kind = 0; kind < 2; kind++) {
    double Ns[5] = {6, 15, 28, 55, 105};
    for (int i = 0; i < 5; i++) {
      double N = Ns[i];
      mfh_fermion_levels *lv = NULL;
      TRY(mfh_fermion_levels_create(2, kind, N, 1 / sqrt(N), TEMP, 0, &lv, &E));
      double gw;
      TRY(mfh_fermion_wigner_grad_l1(lv, &gw, &E));
      printf("  2D %-6s N=%-5g ||grad W_N||_1=%.5f (/N^(1/4) %.4f)\n", kind ? "Slater" : "mixed", N, gw,
             gw / pow(N, 0.25));
      mfh_fermion_levels_destroy(lv);
    }
  }
}

/* ---- step cost ------------------------------------------------------------------ */

/* The FFTs of one kernel step alone: 2 forward + 2 backward row passes with
 * the engine's plan shape (blocks of 16 rows). */
static double fft_only(const mfh_fermion_grid *g, int reps) {
  size_t np = npts_of(g), blk = 16;
  double complex *a = fftw_malloc(np * np * sizeof *a);
  for (size_t i = 0; i < np * np; i++) a[i] = CMPLX(sin(0.1 * (double)i), cos(0.3 * (double)i));
  int nn[2] = {g->n, g->n}, inp = (int)np;
  fftw_plan f = fftw_plan_many_dft(g->dim, nn, (int)blk, a, NULL, 1, inp, a, NULL, 1, inp, FFTW_FORWARD, FFTW_ESTIMATE);
  fftw_plan b = fftw_plan_many_dft(g->dim, nn, (int)blk, a, NULL, 1, inp, a, NULL, 1, inp, FFTW_BACKWARD, FFTW_ESTIMATE);
  double t[32];
  for (int r = 0; r < reps; r++) {
    double t0 = mfh_bench_now();
    for (int pass = 0; pass < 2; pass++)
      for (size_t r0 = 0; r0 + blk <= np; r0 += blk) {
        fftw_execute_dft(f, a + r0 * np, a + r0 * np);
        fftw_execute_dft(b, a + r0 * np, a + r0 * np);
      }
    t[r] = mfh_bench_now() - t0;
  }
  fftw_destroy_plan(f);
  fftw_destroy_plan(b);
  fftw_free(a);
  return mfh_bench_median(t, reps);
}

static void step_cost(int reps) {
  int cases[5][2] = {{1, 720}, {1, 1440}, {1, 2880}, {2, 48}, {2, 64}};
  printf("kernel step (median of %d) against its row FFTs (2 forward + 2 backward passes)\n", reps);
  for (int c = 0; c < 5; c++) {
    mfh_fermion_grid g = {cases[c][0], cases[c][1], -5.0, 10.0 / cases[c][1], 0.02};
    double tf = fft_only(&g, reps);
    printf("  %dD n=%-5d npts^2=%-9.3g FFTs %.4fs |", g.dim, g.n, (double)npts_of(&g) * (double)npts_of(&g), tf);
    for (int model = MFH_FERMION_FREE; model <= MFH_FERMION_VLASOV; model++) {
      if (model == MFH_FERMION_HF && npts_of(&g) > 2000) continue;
      mfh_fermion_engine_params p;
      mfh_fermion_engine_params_init(&p);
      p.grid = g;
      p.N = 1;
      p.model = model;
      mfh_fermion_kernel_engine *e = NULL;
      TRY(mfh_fermion_kernel_engine_create(&p, &e, &E));
      double complex *K = mfh_fermion_kernel_engine_data(e);
      size_t np = npts_of(&g);
      for (size_t i = 0; i < np; i++) /* a Gaussian-ish Hermitian kernel */
        for (size_t j = 0; j < np; j++) {
          double x = (double)i / (double)np - 0.5, y = (double)j / (double)np - 0.5;
          K[i * np + j] = exp(-10 * (x * x + y * y)) * cexp(I * 3 * (x - y));
        }
      TRY(mfh_fermion_kernel_engine_run(e, 1e-3, 1, &E));
      double t[32];
      for (int r = 0; r < reps; r++) {
        double t0 = mfh_bench_now();
        TRY(mfh_fermion_kernel_engine_run(e, 1e-3, 1, &E));
        t[r] = mfh_bench_now() - t0;
      }
      double ts = mfh_bench_median(t, reps);
      static const char *nm[4] = {"free", "hartree", "hf", "vlasov"};
      if (model == MFH_FERMION_HF) {
        /* its 4 zgemm calls (one RK4 exchange sub-step per step) */
        double complex *A = fftw_malloc(np * np * sizeof *A), *C = fftw_malloc(np * np * sizeof *C);
        for (size_t i = 0; i < np * np; i++) A[i] = K[i];
        double t0 = mfh_bench_now();
        int in = (int)np;
        double complex one = 1, zero = 0;
        for (int z = 0; z < 4; z++) zgemm_("N", "N", &in, &in, &in, &one, A, &in, K, &in, &zero, C, &in, 1, 1);
        double tz = mfh_bench_now() - t0;
        printf(" %s %.4fs (%.2fx FFTs + 4 zgemm %.4fs)", nm[model], ts, ts / (tf + tz), tz);
        fftw_free(A);
        fftw_free(C);
      } else {
        printf(" %s %.4fs (%.2fx)", nm[model], ts, ts / tf);
      }
      mfh_fermion_kernel_engine_destroy(e);
    }
    printf("\n");
    fflush(stdout);
  }
}

/* ---- sizes per profile ------------------------------------------------------------
 * For every study file in a folder (default studies/fermions) and every
 * profile: the point with the largest N and, for each fermion part there
 * (the system and its references), the run its engine makes of it
 * (engine.h, mfh_fermion_run_config_of: the grid of the resolution rule,
 * the trap orbitals, the memory validate() holds to mem_gib), read from
 * the study files themselves, so the table cannot fall out of step with
 * them.  reach (slow: the trap levels of every N tried, ~1 min): the
 * largest N of the same family (closed shells for 2D
 * Slater states) that validate() accepts for the task's largest part at
 * its mem_gib.
 * timed: each part's trap state and two Strang steps of its stepper,
 * scaled to its steps: the task's engine time (the observables come on top;
 * the trace norm's eigenvalues on a dense kernel dominate there, see
 * `trace`). */

/* The fermion parts of study s at point params pt: their run configurations
 * (at most MFH_MAX_PARTS); returns how many, or -1 when one is refused
 * (validate()'s message in E) and -2 on another error. */
static int part_configs(const mfh_study *s, const mfh_params *pt, mfh_fermion_run_config *cfg, size_t *idx) {
  int k = 0;
  for (size_t i = 0; i < s->nparts; i++) {
    const mfh_engine_type *t = s->parts[i].engine;
    if (t != &mfh_engine_fermion_kernel && t != &mfh_engine_fermion_orbitals) continue;
    mfh_params pp = {0, NULL};
    if (mfh_part_params(s, i, pt, &pp, &E)) return -2;
    int rc = mfh_fermion_run_config_of(t, &pp, &cfg[k], NULL, &E);
    if (!rc && cfg[k].need_bytes > mfh_params_real(&pp, "mem_gib") * 1073741824.0) rc = MFH_EINPUT;
    mfh_params_free(&pp);
    if (rc) return rc == MFH_EINPUT ? -1 : -2;
    idx[k++] = i;
  }
  return k;
}

/* pt with N set. */
static int with_N(const mfh_params *pt, double N, mfh_params *out) {
  if (mfh_params_copy(out, pt)) return MFH_ENOMEM;
  mfh_param_val v = *mfh_params_find(pt, "N");
  v.str = NULL;
  v.num = N;
  return mfh_params_put(out, &v);
}

/* Whether part i of s accepts N at point pt (1, 0; -1 on an error other
 * than a refusal). */
static int part_fits(const mfh_study *s, size_t i, const mfh_params *pt, double N) {
  mfh_params q = {0, NULL}, pp = {0, NULL};
  mfh_fermion_run_config c;
  int rc = with_N(pt, N, &q);
  if (!rc) rc = mfh_part_params(s, i, &q, &pp, &E);
  if (!rc) rc = mfh_fermion_run_config_of(s->parts[i].engine, &pp, &c, NULL, &E);
  int fits = rc == MFH_EINPUT ? 0 : rc ? -1 : c.need_bytes <= mfh_params_real(&pp, "mem_gib") * 1073741824.0;
  mfh_params_free(&q);
  mfh_params_free(&pp);
  return fits;
}

/* The largest N >= N0 of the family that part i (the task's largest)
 * accepts (0 if N0 is refused, NaN on an error): doubling, then bisection;
 * 2D Slater states over closed shells K (K + 1) / 2. */
static double reach(const mfh_study *s, size_t i, const mfh_params *pt, double N0, int shells) {
#define NOF(x) (shells ? (x) * ((x) + 1) / 2 : (x))
  double lo = shells ? floor((sqrt(8 * N0 + 1) - 1) / 2 + 1e-9) : N0, hi, cap = shells ? 1400 : 1e6;
  int f = part_fits(s, i, pt, NOF(lo));
  if (f <= 0) return f ? NAN : 0;
  for (;;) { /* doubling: lo fits */
    hi = fmin(2 * lo, cap);
    if ((f = part_fits(s, i, pt, NOF(hi))) < 0) return NAN;
    if (!f) break;
    lo = hi;
    if (hi >= cap) return NOF(hi);
  }
  while (hi - lo > 1) { /* bisection: lo fits, hi does not */
    double mid = floor((lo + hi) / 2);
    if ((f = part_fits(s, i, pt, NOF(mid))) < 0) return NAN;
    if (f)
      lo = mid;
    else
      hi = mid;
  }
  return NOF(lo);
#undef NOF
}

/* Trap state and two Strang steps of run c: *t_init, *t_step (seconds). */
static void time_run(const mfh_fermion_run_config *c, int kernel, double *t_init, double *t_step) {
  mfh_fermion_levels *lv = NULL;
  mfh_fermion_orbitals *o = NULL;
  double t0 = mfh_bench_now();
  TRY(mfh_fermion_levels_create(c->setup.dim, c->setup.kind, c->setup.N, c->engine.grid.eps, c->setup.T, 0, &lv,
                                &E));
  if (kernel) {
    mfh_fermion_kernel_engine *e = NULL;
    TRY(mfh_fermion_kernel_engine_create(&c->engine, &e, &E));
    TRY(mfh_fermion_trap_kernel(&c->engine.grid, lv, mfh_fermion_kernel_engine_data(e), &E));
    *t_init = mfh_bench_now() - t0;
    t0 = mfh_bench_now();
    TRY(mfh_fermion_kernel_engine_run(e, c->dt, 2, &E));
    mfh_fermion_kernel_engine_destroy(e);
  } else {
    mfh_fermion_orb_engine *e = NULL;
    TRY(mfh_fermion_trap_state(&c->engine.grid, lv, &o, &E));
    TRY(mfh_fermion_orb_engine_create(&c->engine, o, &e, &E));
    *t_init = mfh_bench_now() - t0;
    t0 = mfh_bench_now();
    TRY(mfh_fermion_orb_engine_run(e, c->dt, 2, &E));
    mfh_fermion_orb_engine_destroy(e);
  }
  *t_step = (mfh_bench_now() - t0) / 2;
  mfh_fermion_orbitals_destroy(o);
  mfh_fermion_levels_destroy(lv);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void sizes(const char *dir, int timed, int with_reach, const char *only) {
  static const char *dyn[4] = {"free", "hartree", "hf", "vlasov"};
  char *files[256];
  size_t nf = 0;
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "bench_fermion sizes: cannot open %s\n", dir);
    exit(2);
  }
  for (struct dirent *de; (de = readdir(d)) && nf < 256;) {
    size_t l = strlen(de->d_name), len = strlen(dir) + l + 2;
    if (l > 5 && !strcmp(de->d_name + l - 5, ".yaml") && (files[nf] = malloc(len)))
      snprintf(files[nf++], len, "%s/%s", dir, de->d_name);
  }
  closedir(d);
  qsort(files, nf, sizeof *files, by_name);
  printf("The largest N of each profile, read from the study files: the system's grid n^d and trap orbitals m;\n"
         "the largest part's memory as validate() counts it (engine + 3 states) and the output states a task\n"
         "holds at once%s%s.\n",
         with_reach ? "; reach: the largest N of the family that the largest part accepts at its mem_gib" : "",
         timed ? "; engines: every part's trap state + 2 timed Strang steps scaled to its steps (no observables)"
               : "");
  for (size_t f = 0; f < nf; f++) {
    double reach_N = NAN;
    for (int k = 0; mfh_profiles[k]; k++) {
      if (only && strcmp(only, mfh_profiles[k])) continue;
      mfh_study s;
      mfh_plan plan;
      memset(&plan, 0, sizeof plan);
      if (mfh_study_load(files[f], mfh_profiles[k], -1, &s, &E)) die();
      if (!s.nparts || mfh_plan_build(&s, &plan, &E)) {
        mfh_study_free(&s);
        break;
      }
      size_t best = 0;
      int swept = 0;
      for (size_t a = 0; a < s.naxes; a++) swept |= !strcmp(s.axes[a].name, "N");
      for (size_t i = 0; i < plan.npoints; i++)
        if (mfh_params_real(&plan.points[i].params, "N") > mfh_params_real(&plan.points[best].params, "N")) best = i;
      const mfh_params *pt = &plan.points[best].params;
      mfh_fermion_run_config cfg[MFH_MAX_PARTS];
      size_t idx[MFH_MAX_PARTS];
      int np = part_configs(&s, pt, cfg, idx);
      if (np == -2) die();
      double N = mfh_params_real(pt, "N");
      if (k == 0 || only) {
        printf("%s:", s.id);
        for (int j = 0; j < np; j++)
          printf("%s %s %s/%s", j ? "," : "", s.parts[idx[j]].name,
                 s.parts[idx[j]].engine == &mfh_engine_fermion_kernel ? "kernel" : "orbitals",
                 dyn[cfg[j].engine.model]);
        printf("\n");
      }
      printf("  %-7s N=%-5g", mfh_profiles[k], N);
      if (np <= 0) {
        printf(np ? " refused: %s\n" : " no fermion part\n", E.msg);
      } else {
        double outputs = 0, t_task = 0;
        int big = 0;
        for (int j = 0; j < np; j++) {
          const mfh_fermion_run_config *c = &cfg[j];
          outputs += c->state_bytes;
          if (c->need_bytes > cfg[big].need_bytes) big = j;
          if (timed) {
            double ti, ts;
            time_run(c, s.parts[idx[j]].engine == &mfh_engine_fermion_kernel, &ti, &ts);
            t_task += ti + ts * (double)c->steps;
          }
        }
        printf(" n=%4d^%d m=%-5zu %2ld steps | largest part %-11s %8.3g GiB, outputs %8.3g GiB", cfg[0].engine.grid.n,
               cfg[0].engine.grid.dim, cfg[0].m, cfg[0].steps, s.parts[idx[big]].name,
               cfg[big].need_bytes / 1073741824.0, outputs / 1073741824.0);
        if (timed) printf(" | engines %7.2fs", t_task);
        printf("\n");
        if (with_reach && swept && (only || !mfh_profiles[k + 1])) /* once: the full (or only) profile's point */
          reach_N = reach(&s, idx[big], pt, N, cfg[0].setup.dim == 2 && cfg[0].setup.kind == MFH_FERMION_SLATER);
      }
      fflush(stdout);
      mfh_plan_free(&plan);
      mfh_study_free(&s);
    }
    if (!isnan(reach_N)) printf("  reach   N=%g\n", reach_N);
  }
  for (size_t f = 0; f < nf; f++) free(files[f]);
}

int main(int argc, char **argv) {
  mfh_gsl_quiet();
  mfh_err_clear(&E);
  const char *mode = argc > 1 ? argv[1] : "step";
  if (!strcmp(mode, "step")) {
    step_cost(argc > 2 ? atoi(argv[2]) : 5);
  } else if (!strcmp(mode, "trace")) {
    for (double N = 64; N <= (argc > 2 ? atof(argv[2]) : 256); N *= 2) {
      result r = task_hf(1, MFH_FERMION_MIXED, N, NSTEPS, 1, 1, 1);
      print_result("mixed1d", 1, &r);
      double tot = r.t_init + r.t_run + r.t_obs;
      printf("  total %.2fs: trap kernel %.0f%%, runs %.0f%%, zheevd %.0f%%, other observables %.0f%%\n", tot,
             100 * r.t_init / tot, 100 * r.t_run / tot, 100 * r.t_eig / tot, 100 * (r.t_obs - r.t_eig) / tot);
    }
  } else if (!strcmp(mode, "sizes")) {
    int timed = 0, with_reach = 0;
    const char *dir = "studies/fermions", *only = NULL;
    for (int a = 2; a < argc; a++) {
      int profile = 0;
      for (int k = 0; mfh_profiles[k]; k++) profile |= !strcmp(argv[a], mfh_profiles[k]);
      if (!strcmp(argv[a], "timed"))
        timed = 1;
      else if (!strcmp(argv[a], "reach"))
        with_reach = 1;
      else if (profile)
        only = argv[a];
      else
        dir = argv[a];
    }
    sizes(dir, timed, with_reach, only);
  } else if (!strcmp(mode, "rates")) {
    rates(argc > 2 ? atof(argv[2]) : 128);
  } else if (!strcmp(mode, "task") && argc >= 5) {
    int dim = atoi(argv[3]);
    double N = atof(argv[4]);
    int nsteps = argc > 5 ? atoi(argv[5]) : NSTEPS;
    double box = argc > 6 ? atof(argv[6]) : 1, band = argc > 7 ? atof(argv[7]) : 1;
    result r;
    if (!strcmp(argv[2], "mixed"))
      r = task_hf(dim, MFH_FERMION_MIXED, N, nsteps, box, band, 1), print_result("mixed", dim, &r);
    else if (!strcmp(argv[2], "mixed-notr"))
      r = task_hf(dim, MFH_FERMION_MIXED, N, nsteps, box, band, 0), print_result("mixed", dim, &r);
    else if (!strcmp(argv[2], "slater"))
      r = task_hf(dim, MFH_FERMION_SLATER, N, nsteps, box, band, 0), print_result("slater", dim, &r);
    else if (!strcmp(argv[2], "hf4s"))
      r = task_hf4(dim, MFH_FERMION_SLATER, N, nsteps), print_result("hf4-slater", dim, &r);
    else if (!strcmp(argv[2], "hf4m"))
      r = task_hf4(dim, MFH_FERMION_MIXED, N, nsteps), print_result("hf4-mixed", dim, &r);
    else
      return 2;
  } else {
    fprintf(stderr, "usage: bench_fermion step [reps] | trace [Nmax] | rates [Nmax] | sizes [timed] [reach] [PROFILE] [DIR] "
                    "| task KIND DIM N [steps box band]\n");
    return 2;
  }
  return 0;
}
