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
 *   bench_fermion sizes [timed]  the largest N of each profile of the studies: grid,
 *                               memory, and (timed) two Strang steps of the engine
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
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/benchutil.h"
#include "core/status.h"
#include "engines/fermion/engines.h"
#include "engines/fermion/fermion.h"
#include "core/blas.h" /* zgemm_ (the exchange cost) */
#include "core/cmplx.h"
#include "engines/fermion/monitors.h"
#include "metrics/semiclassical/charfun.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/regularity.h"

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
 * The largest N of each profile of the studies under studies/fermions/ (kept
 * in step with them by hand), the grid the resolution rule gives, the
 * memory of one task, and the measured cost of two Strang steps of the
 * dominant engine there (a task runs 20 per part). */
static void sizes(int timed) {
  static const struct {
    const char *study;
    int dim, kind, model, orbitals;
    double band;
    double N[3]; /* quick, nightly, full */
  } rows[] = {
      {"hf1/hf2-mixed-1d", 1, MFH_FERMION_MIXED, MFH_FERMION_VLASOV, 0, 1.25, {64, 256, 512}},
      {"hf1-mixed-2d", 2, MFH_FERMION_MIXED, MFH_FERMION_VLASOV, 0, 1, {9, 36, 64}},
      {"hf3-slater-1d", 1, MFH_FERMION_SLATER, MFH_FERMION_VLASOV, 0, 1, {128, 512, 1024}},
      {"hf3-slater-2d", 2, MFH_FERMION_SLATER, MFH_FERMION_VLASOV, 0, 1, {15, 55, 78}},
      {"hf4-mixed-1d (HF)", 1, MFH_FERMION_MIXED, MFH_FERMION_HF, 1, 1, {16, 64, 128}},
      {"hf4-slater-1d (HF)", 1, MFH_FERMION_SLATER, MFH_FERMION_HF, 1, 1, {128, 256, 512}},
      {"hf4-slater-2d (HF)", 2, MFH_FERMION_SLATER, MFH_FERMION_HF, 1, 1, {15, 55, 105}},
  };
  static const char *prof[3] = {"quick", "nightly", "full"};
  printf("largest N per profile: grid (resolution rule), one part's memory (engine + 3 states), 2 steps timed\n");
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
    for (int k = 0; k < 3; k++) {
      mfh_fermion_setup s = setup(rows[r].dim, rows[r].kind, rows[r].N[k]);
      mfh_fermion_grid g;
      TRY(mfh_fermion_grid_for(&s, 1, rows[r].band, &g, NULL, &E));
      mfh_fermion_levels *lv = NULL;
      TRY(mfh_fermion_levels_create(s.dim, s.kind, s.N, g.eps, TEMP, 0, &lv, &E));
      mfh_fermion_engine_params p;
      mfh_fermion_engine_params_init(&p);
      p.grid = g;
      p.N = s.N;
      p.model = rows[r].model;
      double np = (double)npts_of(&g), st = rows[r].orbitals ? 16.0 * np * lv->m : 16.0 * np * np;
      double eng = rows[r].orbitals ? mfh_fermion_orb_engine_bytes(&p, lv->m) : mfh_fermion_kernel_engine_bytes(&p);
      printf("  %-20s %-7s N=%-5g n=%-5d m=%-6d %.3g GiB", rows[r].study, prof[k], s.N, g.n, lv->m,
             (eng + 3 * st) / 1073741824.0);
      if (timed) {
        mfh_fermion_orbitals *o = NULL;
        TRY(mfh_fermion_trap_state(&g, lv, &o, &E));
        double t0 = mfh_bench_now();
        if (rows[r].orbitals) {
          mfh_fermion_orb_engine *e = NULL;
          TRY(mfh_fermion_orb_engine_create(&p, o, &e, &E));
          t0 = mfh_bench_now();
          TRY(mfh_fermion_orb_engine_run(e, T_FINAL / NSTEPS, 2, &E));
          mfh_fermion_orb_engine_destroy(e);
        } else {
          mfh_fermion_kernel_engine *e = NULL;
          TRY(mfh_fermion_kernel_engine_create(&p, &e, &E));
          TRY(mfh_fermion_trap_kernel(&g, lv, mfh_fermion_kernel_engine_data(e), &E));
          t0 = mfh_bench_now();
          TRY(mfh_fermion_kernel_engine_run(e, T_FINAL / NSTEPS, 2, &E));
          mfh_fermion_kernel_engine_destroy(e);
        }
        double ts = (mfh_bench_now() - t0) / 2;
        printf("  step %.3gs (run of %d steps ~%.3gs)", ts, NSTEPS, ts * NSTEPS);
        mfh_fermion_orbitals_destroy(o);
      }
      printf("\n");
      fflush(stdout);
      mfh_fermion_levels_destroy(lv);
    }
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
    sizes(argc > 2 && !strcmp(argv[2], "timed"));
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
    fprintf(stderr, "usage: bench_fermion step [reps] | trace [Nmax] | rates [Nmax] | sizes [timed] | task KIND DIM N "
                    "[steps box band]\n");
    return 2;
  }
  return 0;
}
