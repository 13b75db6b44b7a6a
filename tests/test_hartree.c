/* Tests for engines/hartree/: the Hartree split-step Fourier solver.
 *
 * References independent of the code under test: the exact spreading
 * Gaussian of the free Schroedinger equation (1D and 2D), the harmonic
 * oscillator (the spectrum is eps (n_1 + .. + n_d + d/2), so every state
 * returns to (-1)^d psi after one period 2 pi), closed-form moments of
 * coherent states and mixtures of them (THEOREMS.md section 1), the closed-form Gaussian-Gaussian
 * interaction energy, direct O(n^2) quadrature sums for the mean field,
 * conservation laws, time reversibility and the order of the splitting. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "engines/hartree/hartree.h"
#include "tests/testutil.h"

#define PI 3.14159265358979323846

/* ---- helpers -------------------------------------------------------------- */

static mfh_hartree *make(const mfh_hartree_params *p) {
  mfh_hartree *h = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_hartree_create(p, &h, &err);
  ck_assert_msg(st == MFH_OK, "create failed: %s", err.msg);
  return h;
}

static void run(mfh_hartree *h, double dt, int nsteps) {
  mfh_err err;
  mfh_err_clear(&err);
  for (int s = 0; s < nsteps; s++) {
    int st = mfh_hartree_step(h, dt, &err);
    ck_assert_msg(st == MFH_OK, "step failed: %s", err.msg);
  }
}

static void coherent(mfh_hartree *h, int k, double q0, double q1, double p0, double p1) {
  double q[2] = {q0, q1}, p[2] = {p0, p1};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_hartree_set_coherent(h, k, q, p, &err), MFH_OK);
}

static mfh_hartree_diag diag(mfh_hartree *h) {
  mfh_hartree_diag d;
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_hartree_diagnostics(h, &d, &err);
  ck_assert_msg(st == MFH_OK, "diagnostics failed: %s", err.msg);
  return d;
}

static size_t npts(const mfh_hartree *h) {
  mfh_xgrid g;
  mfh_hartree_get_grid(h, &g);
  return mfh_xgrid_points(&g);
}

/* sqrt(dx^d sum_k w_k |a_k - b_k|^2) over all orbitals. */
static double l2_diff(const mfh_hartree *a, const mfh_hartree *b) {
  mfh_xgrid g;
  mfh_hartree_get_grid(a, &g);
  const double *w = mfh_hartree_weights(a);
  double s = 0.0, cell = mfh_xgrid_cell(&g);
  for (int k = 0; k < mfh_hartree_norb(a); k++) {
    const double complex *pa = mfh_hartree_orbital_const(a, k),
                         *pb = mfh_hartree_orbital_const(b, k);
    double sk = 0.0;
    for (size_t i = 0; i < mfh_xgrid_points(&g); i++) {
      double complex d = pa[i] - pb[i];
      sk += creal(d) * creal(d) + cimag(d) * cimag(d);
    }
    s += w[k] * sk;
  }
  return sqrt(s * cell);
}

static double harmonic(const double *x, void *ctx) {
  int dim = ctx ? *(const int *)ctx : 1;
  double r2 = x[0] * x[0];
  if (dim == 2) r2 += x[1] * x[1];
  return 0.5 * r2;
}

static double coulomb1d(const double *x, void *ctx) {
  (void)ctx;
  return -0.5 * fabs(x[0]);
}

/* ---- bad parameters ------------------------------------------------------- */

static void expect_bad(const mfh_hartree_params *p, const char *needle) {
  mfh_hartree *h = (mfh_hartree *)1;
  mfh_err err;
  mfh_err_clear(&err);
  int st = mfh_hartree_create(p, &h, &err);
  ck_assert_int_eq(st, MFH_EINPUT);
  ck_assert_ptr_null(h);
  ck_assert_msg(strstr(err.msg, needle) != NULL, "message '%s' does not mention '%s'", err.msg,
                needle);
}

START_TEST(test_bad_params) {
  mfh_hartree_params p;
  double w_bad_sum[3] = {0.5, 0.4, 0.0999}, w_neg[2] = {1.2, -0.2}, w_ok[3] = {0.25, 0.5, 0.25};
  mfh_hartree_params_init(&p);
  p.eps = 0.0;
  expect_bad(&p, "eps");
  p.eps = -0.1;
  expect_bad(&p, "eps");
  p.eps = NAN;
  expect_bad(&p, "eps");
  mfh_hartree_params_init(&p);
  p.n = 7;
  expect_bad(&p, "n = 7");
  p.n = 4;
  p.dim = 2;
  expect_bad(&p, "n = 4");
  mfh_hartree_params_init(&p);
  p.dim = 3;
  expect_bad(&p, "dim");
  mfh_hartree_params_init(&p);
  p.xmax = p.xmin;
  expect_bad(&p, "box");
  mfh_hartree_params_init(&p);
  p.norb = 3;
  p.weights = w_bad_sum;
  expect_bad(&p, "sum to");
  p.norb = 2;
  p.weights = w_neg;
  expect_bad(&p, "weights[1]");
  p.norb = 0;
  p.weights = NULL;
  expect_bad(&p, "norb");
  mfh_hartree_params_init(&p);
  p.interaction = 7;
  expect_bad(&p, "interaction");
  p.interaction = MFH_HARTREE_FREE;
  p.s = 0.0;
  expect_bad(&p, "s = 0");
  p.s = 1.0;
  p.a = INFINITY;
  expect_bad(&p, "a = inf");
  p.a = 1.0;
  p.coupling = NAN;
  expect_bad(&p, "coupling");
  mfh_hartree_params_init(&p);
  p.threads = -1;
  expect_bad(&p, "threads");

  /* accepted: weights summing to 1 within 1e-12 */
  mfh_hartree_params_init(&p);
  p.norb = 3;
  p.weights = w_ok;
  mfh_hartree *h = make(&p);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_hartree_step(h, 0.0, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_hartree_step(h, NAN, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_hartree_set_coherent(h, 3, w_ok, w_ok, &err), MFH_EINPUT);
  ck_assert_ptr_null(mfh_hartree_orbital(h, -1));
  ck_assert_int_eq(mfh_hartree_normalize(h, &err), MFH_EINPUT); /* zero orbitals */
  mfh_hartree_destroy(h);
  mfh_hartree_destroy(NULL);
  ck_assert_int_eq(mfh_hartree_create(NULL, &h, &err), MFH_EINPUT);
}
END_TEST

/* ---- free Schroedinger: exact spreading Gaussian -------------------------- */

/* 1D factor of the exact solution started from the coherent state (q, p). */
static double complex free_1d(double x, double t, double q, double p, double eps) {
  double complex a = 1.0 + I * t, y = x - q - p * t;
  return pow(PI * eps, -0.25) / csqrt(a) *
         cexp(-y * y / (2.0 * eps * a) + I * (p * x - 0.5 * p * p * t) / eps);
}

static double free_error(int dim, int n, double len, double eps, const double *q, const double *p,
                         double dt, int nsteps) {
  mfh_hartree_params par;
  mfh_hartree_params_init(&par);
  par.dim = dim;
  par.n = n;
  par.xmin = -0.5 * len;
  par.xmax = 0.5 * len;
  par.eps = eps;
  mfh_hartree *h = make(&par);
  coherent(h, 0, q[0], dim == 2 ? q[1] : 0, p[0], dim == 2 ? p[1] : 0);
  run(h, dt, nsteps);
  double t = mfh_hartree_time(h), err = 0.0, dx = len / n;
  const double complex *ps = mfh_hartree_orbital_const(h, 0);
  for (size_t i = 0; i < npts(h); i++) {
    size_t ia = dim == 1 ? i : i / (size_t)n, ib = dim == 1 ? 0 : i % (size_t)n;
    double complex ex = free_1d(par.xmin + (double)ia * dx, t, q[0], p[0], eps);
    if (dim == 2) ex *= free_1d(par.xmin + (double)ib * dx, t, q[1], p[1], eps);
    err = fmax(err, cabs(ps[i] - ex));
  }
  mfh_hartree_destroy(h);
  return err;
}

START_TEST(test_free_gaussian) {
  double q[2] = {-1.0, 0.5}, p[2] = {1.5, -0.5};
  /* V = 0: the kinetic step is exact, so only the grid matters: spectral
   * convergence, then round-off */
  double e64 = free_error(1, 64, 32.0, 0.5, q, p, 0.2, 10);
  double e128 = free_error(1, 128, 32.0, 0.5, q, p, 0.2, 10);
  double e256 = free_error(1, 256, 32.0, 0.5, q, p, 0.2, 10);
  double e256b = free_error(1, 256, 32.0, 0.5, q, p, 2.0, 1);
  printf("free 1D: max error n = 64: %.3g, 128: %.3g, 256: %.3g (one step: %.3g)\n", e64, e128,
         e256, e256b);
  ck_assert_msg(e64 > 1e-3 && e128 < 1e-6 && e256 < 1e-13 && e256b < 1e-13, "1D errors %g %g %g %g",
                e64, e128, e256, e256b);
  double f32 = free_error(2, 32, 24.0, 0.5, q, p, 0.25, 6);
  double f128 = free_error(2, 128, 24.0, 0.5, q, p, 0.25, 6);
  printf("free 2D: max error n = 32: %.3g, 128: %.3g\n", f32, f128);
  ck_assert_msg(f32 > 1e-4 && f128 < 1e-13, "2D errors %g %g", f32, f128);
}
END_TEST

/* ---- harmonic oscillator: psi(2 pi) = (-1)^d psi(0) ------------------------ */

static double ho_error(int dim, int nsteps, double *xerr) {
  static int dims[3] = {0, 1, 2};
  mfh_hartree_params par;
  mfh_hartree_params_init(&par);
  par.dim = dim;
  par.n = dim == 1 ? 256 : 64;
  par.xmin = -6.0;
  par.xmax = 6.0;
  par.eps = dim == 1 ? 0.1 : 0.25;
  par.ext = harmonic;
  par.ext_ctx = &dims[dim];
  mfh_hartree *h = make(&par), *h0 = make(&par);
  coherent(h, 0, 1.0, -0.5, 0.5, 0.8);
  coherent(h0, 0, 1.0, -0.5, 0.5, 0.8);
  run(h, 2.0 * PI / nsteps, nsteps);
  mfh_hartree_diag d = diag(h);
  *xerr = fmax(fabs(d.mean_x[0] - 1.0), fabs(d.mean_p[0] - 0.5));
  /* compare with (-1)^d psi(0): the spectrum is eps (n_1 + .. + n_d + d/2) */
  double complex *p0 = mfh_hartree_orbital(h0, 0);
  for (size_t i = 0; i < npts(h0); i++) p0[i] = dim == 1 ? -p0[i] : p0[i];
  double e = l2_diff(h, h0);
  mfh_hartree_destroy(h);
  mfh_hartree_destroy(h0);
  return e;
}

START_TEST(test_harmonic_oscillator) {
  double x1, x2, x3;
  double e1 = ho_error(1, 500, &x1), e2 = ho_error(1, 1000, &x2);
  double f1 = ho_error(2, 250, &x3);
  printf(
      "harmonic oscillator, one period: 1D L2 error %.3g (500 steps), %.3g (1000 steps), "
      "order %.3f; <x>,<P> error %.3g; 2D (250 steps) %.3g\n",
      e1, e2, log2(e1 / e2), x2, f1);
  ck_assert_msg(e2 < 2e-3 && f1 < 1e-2, "errors %g %g", e2, f1);
  ck_assert_msg(fabs(log2(e1 / e2) - 2.0) < 0.1, "order %g", log2(e1 / e2));
  ck_assert_msg(x2 < 1e-4, "<x>, <P> error %g", x2);
}
END_TEST

/* ---- diagnostics of coherent states and mixtures -------------------------- */

START_TEST(test_diagnostics) {
  /* Toeplitz state sum_i w_i |z_i><z_i| in 2D: tr(|x|^2 R) = sum w |q|^2 +
   * d eps/2, tr(|P|^2 R) = sum w |p|^2 + d eps/2 (THEOREMS.md). */
  double w[3] = {0.2, 0.5, 0.3}, q[3][2] = {{0.5, -1.0}, {-1.5, 0.3}, {0.0, 1.2}},
         p[3][2] = {{1.0, 0.0}, {-0.4, 0.7}, {0.2, -1.1}}, eps = 0.2;
  mfh_hartree_params par;
  mfh_hartree_params_init(&par);
  par.dim = 2;
  par.n = 96;
  par.xmin = -7.0;
  par.xmax = 7.0;
  par.eps = eps;
  par.norb = 3;
  par.weights = w;
  mfh_hartree *h = make(&par);
  double x2 = 0, p2 = 0, mx[2] = {0, 0}, mp[2] = {0, 0}, qq[2] = {0, 0}, pp[2] = {0, 0};
  for (int k = 0; k < 3; k++) {
    coherent(h, k, q[k][0], q[k][1], p[k][0], p[k][1]);
    for (int j = 0; j < 2; j++) {
      x2 += w[k] * q[k][j] * q[k][j];
      p2 += w[k] * p[k][j] * p[k][j];
      mx[j] += w[k] * q[k][j];
      mp[j] += w[k] * p[k][j];
      qq[j] += w[k] * q[k][j] * q[k][j];
      pp[j] += w[k] * p[k][j] * p[k][j];
    }
  }
  x2 += eps;
  p2 += eps;
  mfh_hartree_diag d = diag(h);
  ck_assert_double_eq_tol(d.mass, 1.0, 1e-13);
  ck_assert_double_eq_tol(d.x2, x2, 1e-12);
  ck_assert_double_eq_tol(d.p2, p2, 1e-12);
  ck_assert_double_eq_tol(d.kinetic, 0.5 * p2, 1e-12);
  for (int j = 0; j < 2; j++) {
    ck_assert_double_eq_tol(d.mean_x[j], mx[j], 1e-12);
    ck_assert_double_eq_tol(d.mean_p[j], mp[j], 1e-12);
    ck_assert_double_eq_tol(d.var_x[j], qq[j] - mx[j] * mx[j] + 0.5 * eps, 1e-12);
    ck_assert_double_eq_tol(d.var_p[j], pp[j] - mp[j] * mp[j] + 0.5 * eps, 1e-12);
  }
  ck_assert_msg(d.edge_max < 1e-10 && d.tail < 1e-15, "edge %g tail %g", d.edge_max, d.tail);
  ck_assert_double_eq_tol(d.psi_max, 1.0 / sqrt(PI * eps), 1e-2); /* peak between nodes */
  mfh_hartree_destroy(h);

  /* 1D Gaussian-Gaussian interaction energy: rho = N(q, eps/2),
   * (1/2) int int a e^{-(x-y)^2/(2 s^2)} rho rho = (a/2) / sqrt(1 + eps/s^2);
   * coupling lambda multiplies it. */
  mfh_hartree_params_init(&par);
  par.n = 256;
  par.xmin = -8.0;
  par.xmax = 8.0;
  par.eps = 0.3;
  par.interaction = MFH_HARTREE_FREE;
  par.a = 1.7;
  par.s = 0.6;
  par.coupling = 0.75;
  h = make(&par);
  coherent(h, 0, 0.7, 0, -0.3, 0);
  d = diag(h);
  double eint = 0.75 * 0.5 * 1.7 / sqrt(1.0 + 0.3 / (0.6 * 0.6));
  printf("Gaussian interaction energy: %.17g (exact %.17g)\n", d.interaction, eint);
  ck_assert_double_eq_tol(d.interaction, eint, 1e-13);
  ck_assert_double_eq_tol(d.kinetic, 0.5 * (0.09 + 0.15), 1e-13);
  ck_assert_double_eq_tol(d.energy, d.kinetic + eint, 1e-13);
  mfh_hartree_destroy(h);
}
END_TEST

/* ---- mean field against direct O(n^2) sums -------------------------------- */

static double complex wave_a(const double *x, void *ctx) {
  int dim = *(const int *)ctx;
  double r2 = x[0] * x[0] + (dim == 2 ? x[1] * x[1] : 0.0);
  double y = dim == 2 ? x[1] : 0.0;
  return exp(-r2) * (1.0 + 0.5 * x[0] - 0.3 * I * y + 0.2 * I * x[0] * x[0]) +
         0.3 * exp(-4.0 * (x[0] - 0.5) * (x[0] - 0.5));
}

static double gauss_pot(const double *x, double a, double s, int dim) {
  double r2 = x[0] * x[0] + (dim == 2 ? x[1] * x[1] : 0.0);
  return a * exp(-r2 / (2.0 * s * s));
}

/* Kernels of the direct-sum test: 0 the built-in Gaussian, 1 -|x|/2, 2 an
 * asymmetric 1D kernel (general complex multiplier), 3 the Gaussian as a 2D
 * callback (periodised by the solver's image sums). */
static double asym_pot(const double *x, void *ctx) {
  (void)ctx;
  return exp(-(x[0] - 0.3) * (x[0] - 0.3)) + 0.1 * x[0];
}

static double gauss2_cb(const double *x, void *ctx) {
  (void)ctx;
  return gauss_pot(x, -1.3, 0.4, 2);
}

/* max |U - direct| / max |U| for one configuration. */
static double field_error(int dim, int n, int mode, int kind, double len) {
  static int dims[3] = {0, 1, 2};
  mfh_hartree_params par;
  mfh_hartree_params_init(&par);
  par.dim = dim;
  par.n = n;
  par.xmin = -0.5 * len + 0.1;
  par.xmax = 0.5 * len + 0.1;
  par.interaction = mode;
  par.a = -1.3;
  par.s = 0.4;
  par.coupling = 0.9;
  if (kind == 1) par.V = coulomb1d;
  if (kind == 2) par.V = asym_pot;
  if (kind == 3) {
    par.V = gauss2_cb;
    par.a = NAN; /* unused with a callback */
  }
  mfh_hartree *h = make(&par);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_hartree_set_orbital(h, 0, wave_a, &dims[dim], &err), MFH_OK);
  size_t np = npts(h);
  double *rho = malloc(np * sizeof *rho), *u = malloc(np * sizeof *u);
  ck_assert_int_eq(mfh_hartree_density(h, rho, &err), MFH_OK);
  ck_assert_int_eq(mfh_hartree_mean_field(h, u, &err), MFH_OK);
  double dx = len / n, cell = dim == 1 ? dx : dx * dx, emax = 0.0, umax = 0.0;
  for (size_t i = 0; i < np; i++) {
    long ia = dim == 1 ? (long)i : (long)(i / (size_t)n), ib = dim == 1 ? 0 : (long)(i % (size_t)n);
    long double s = 0.0L;
    for (size_t j = 0; j < np; j++) {
      long ja = dim == 1 ? (long)j : (long)(j / (size_t)n),
           jb = dim == 1 ? 0 : (long)(j % (size_t)n);
      double y[2] = {(double)(ia - ja) * dx, (double)(ib - jb) * dx}, v = 0.0;
      if (mode == MFH_HARTREE_FREE) {
        v = kind == 1   ? coulomb1d(y, NULL)
            : kind == 2 ? asym_pot(y, NULL)
                        : gauss_pot(y, -1.3, 0.4, dim);
      } else { /* periodised Gaussian: enough images by brute force */
        for (int m0 = -4; m0 <= 4; m0++)
          for (int m1 = (dim == 2 ? -4 : 0); m1 <= (dim == 2 ? 4 : 0); m1++) {
            double z[2] = {y[0] + m0 * len, y[1] + m1 * len};
            v += gauss_pot(z, -1.3, 0.4, dim);
          }
      }
      s += (long double)v * rho[j];
    }
    double direct = 0.9 * cell * (double)s;
    emax = fmax(emax, fabs(u[i] - direct));
    umax = fmax(umax, fabs(direct));
  }
  free(rho);
  free(u);
  mfh_hartree_destroy(h);
  return emax / umax;
}

START_TEST(test_mean_field_direct) {
  double e1 = field_error(1, 256, MFH_HARTREE_FREE, 0, 6.0);
  double e2 = field_error(1, 256, MFH_HARTREE_FREE, 1, 3.2);
  double e3 = field_error(1, 200, MFH_HARTREE_PERIODIC, 0, 3.0);
  double e4 = field_error(2, 24, MFH_HARTREE_FREE, 0, 5.0);
  double e5 = field_error(2, 20, MFH_HARTREE_PERIODIC, 0, 2.0);
  double e6 = field_error(1, 128, MFH_HARTREE_FREE, 2, 4.0);
  double e7 = field_error(2, 16, MFH_HARTREE_PERIODIC, 3, 2.0);
  printf(
      "mean field vs direct sum (relative): 1D free Gaussian %.3g, 1D free -|x|/2 %.3g, "
      "1D periodic Gaussian %.3g, 2D free Gaussian %.3g, 2D periodic Gaussian %.3g, "
      "1D free asymmetric %.3g, 2D periodic callback %.3g\n",
      e1, e2, e3, e4, e5, e6, e7);
  ck_assert_msg(e1 < 1e-13 && e2 < 1e-13 && e3 < 1e-13 && e4 < 1e-13 && e5 < 1e-13 && e6 < 1e-13 &&
                    e7 < 1e-13,
                "errors %g %g %g %g %g %g %g", e1, e2, e3, e4, e5, e6, e7);
}
END_TEST

/* ---- nonlinear run: mass, energy, reversibility --------------------------- */

static void nonlinear_params(mfh_hartree_params *par, int norb, const double *w) {
  mfh_hartree_params_init(par);
  par->n = 256;
  par->xmin = -8.0;
  par->xmax = 8.0;
  par->eps = 0.25;
  par->interaction = MFH_HARTREE_FREE;
  par->a = 2.0;
  par->s = 0.5;
  par->norb = norb;
  par->weights = w;
}

static void nonlinear_init(mfh_hartree *h, int norb) {
  for (int k = 0; k < norb; k++) coherent(h, k, -0.8 + 0.6 * k, 0, 0.7 - 0.5 * k, 0);
}

/* Maximal energy drift over [0, 2]. */
static double energy_drift(double dt, double *mass_drift) {
  double w[3] = {0.3, 0.5, 0.2};
  mfh_hartree_params par;
  nonlinear_params(&par, 3, w);
  mfh_hartree *h = make(&par);
  nonlinear_init(h, 3);
  mfh_hartree_diag d0 = diag(h);
  int nsteps = (int)lround(2.0 / dt);
  double de = 0.0, dm = 0.0;
  for (int s = 0; s < nsteps; s++) {
    run(h, dt, 1);
    mfh_hartree_diag d = diag(h);
    de = fmax(de, fabs(d.energy - d0.energy));
    dm = fmax(dm, fabs(d.mass - d0.mass));
  }
  *mass_drift = dm / d0.mass;
  mfh_hartree_destroy(h);
  return de;
}

START_TEST(test_conservation) {
  double m1, m2;
  double e1 = energy_drift(0.02, &m1), e2 = energy_drift(0.01, &m2);
  printf(
      "nonlinear Gaussian-V Hartree (3 orbitals): energy drift %.3g (dt 0.02), %.3g (dt 0.01), "
      "order %.3f; relative mass drift %.3g\n",
      e1, e2, log2(e1 / e2), fmax(m1, m2));
  ck_assert_msg(fmax(m1, m2) < 1e-13, "mass drift %g", fmax(m1, m2));
  ck_assert_msg(fabs(log2(e1 / e2) - 2.0) < 0.2, "energy drift order %g", log2(e1 / e2));

  /* time reversibility: 200 steps forward, 200 back */
  double w[3] = {0.3, 0.5, 0.2};
  mfh_hartree_params par;
  nonlinear_params(&par, 3, w);
  mfh_hartree *h = make(&par), *h0 = make(&par);
  nonlinear_init(h, 3);
  nonlinear_init(h0, 3);
  run(h, 0.01, 200);
  double moved = l2_diff(h, h0);
  run(h, -0.01, 200);
  double back = l2_diff(h, h0);
  printf("time reversibility: |psi(2) - psi(0)| = %.3g, after 200 steps back: %.3g\n", moved, back);
  ck_assert_msg(moved > 0.1 && back < 1e-12, "moved %g, back %g", moved, back);
  ck_assert_double_eq_tol(mfh_hartree_time(h), 0.0, 1e-12);
  mfh_hartree_destroy(h);
  mfh_hartree_destroy(h0);
}
END_TEST

/* ---- order 2 by successive halving ---------------------------------------- */

static double fitted_order(const mfh_hartree_params *par, int norb, double tend, double dt0,
                           double *errs) {
  mfh_hartree *prev = NULL;
  double lx[4], ly[4];
  for (int r = 0; r < 5; r++) {
    mfh_hartree *h = make(par);
    if (par->dim == 1)
      nonlinear_init(h, norb);
    else
      for (int k = 0; k < norb; k++) coherent(h, k, 0.3 * k, -0.4, 0.5, 0.2 * k);
    double dt = dt0 / (double)(1 << r);
    run(h, dt, (int)lround(tend / dt));
    if (prev) {
      errs[r - 1] = l2_diff(h, prev);
      lx[r - 1] = log(dt);
      ly[r - 1] = log(errs[r - 1]);
      mfh_hartree_destroy(prev);
    }
    prev = h;
  }
  mfh_hartree_destroy(prev);
  double mx = 0, my = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < 4; i++) {
    mx += lx[i] / 4;
    my += ly[i] / 4;
  }
  for (int i = 0; i < 4; i++) {
    sxx += (lx[i] - mx) * (lx[i] - mx);
    sxy += (lx[i] - mx) * (ly[i] - my);
  }
  return sxy / sxx;
}

START_TEST(test_order) {
  double errs[4], w[3] = {0.3, 0.5, 0.2};
  mfh_hartree_params par;
  nonlinear_params(&par, 3, w);
  double o1 = fitted_order(&par, 3, 1.0, 0.1, errs);
  printf("order, 1D Gaussian V (3 orbitals): errors %.3g %.3g %.3g %.3g, fitted order %.4f\n",
         errs[0], errs[1], errs[2], errs[3], o1);
  ck_assert_msg(o1 >= 1.9 && o1 <= 2.1, "order %g", o1);

  /* 1D Coulomb kernel -|x|/2 (attractive sign: coupling -1), free mode */
  nonlinear_params(&par, 1, NULL);
  par.V = coulomb1d;
  par.coupling = -1.0;
  par.xmin = -6.0;
  par.xmax = 6.0;
  double o2 = fitted_order(&par, 1, 1.0, 0.1, errs);
  printf("order, 1D Coulomb -|x|/2 (pure): errors %.3g %.3g %.3g %.3g, fitted order %.4f\n",
         errs[0], errs[1], errs[2], errs[3], o2);
  ck_assert_msg(o2 >= 1.9 && o2 <= 2.1, "order %g", o2);

  /* 2D Gaussian V, 2 orbitals, periodic mode */
  mfh_hartree_params_init(&par);
  par.dim = 2;
  par.n = 64;
  par.xmin = -5.0;
  par.xmax = 5.0;
  par.eps = 0.3;
  par.interaction = MFH_HARTREE_PERIODIC;
  par.a = 3.0;
  par.s = 0.7;
  par.norb = 2;
  double o3 = fitted_order(&par, 2, 0.5, 0.05, errs);
  printf(
      "order, 2D Gaussian V periodic (2 orbitals): errors %.3g %.3g %.3g %.3g, fitted order "
      "%.4f\n",
      errs[0], errs[1], errs[2], errs[3], o3);
  ck_assert_msg(o3 >= 1.9 && o3 <= 2.1, "order %g", o3);
}
END_TEST

/* ---- mixed states --------------------------------------------------------- */

START_TEST(test_mixed_equals_pure) {
  /* V = 0 (harmonic external field): each orbital evolves alone, bit for
   * bit as in a pure run. */
  double w[4] = {0.1, 0.2, 0.3, 0.4};
  mfh_hartree_params par;
  mfh_hartree_params_init(&par);
  par.n = 128;
  par.xmin = -6.0;
  par.xmax = 6.0;
  par.eps = 0.2;
  par.ext = harmonic;
  par.norb = 4;
  par.weights = w;
  mfh_hartree *mix = make(&par);
  for (int k = 0; k < 4; k++) coherent(mix, k, -1.0 + 0.7 * k, 0, 0.3 * k, 0);
  run(mix, 0.01, 100);
  par.norb = 1;
  par.weights = NULL;
  for (int k = 0; k < 4; k++) {
    mfh_hartree *pure = make(&par);
    coherent(pure, 0, -1.0 + 0.7 * k, 0, 0.3 * k, 0);
    run(pure, 0.01, 100);
    ck_assert_msg(memcmp(mfh_hartree_orbital_const(pure, 0), mfh_hartree_orbital_const(mix, k),
                         128 * sizeof(double complex)) == 0,
                  "orbital %d differs from its pure run", k);
    mfh_hartree_destroy(pure);
  }
  mfh_hartree_destroy(mix);

  /* nonlinear: two copies of one orbital with weights 1/2 = the pure state */
  double w2[2] = {0.5, 0.5};
  nonlinear_params(&par, 2, w2);
  mix = make(&par);
  coherent(mix, 0, 0.3, 0, 0.4, 0);
  coherent(mix, 1, 0.3, 0, 0.4, 0);
  nonlinear_params(&par, 1, NULL);
  mfh_hartree *pure = make(&par);
  coherent(pure, 0, 0.3, 0, 0.4, 0);
  run(mix, 0.02, 50);
  run(pure, 0.02, 50);
  for (int k = 0; k < 2; k++)
    ck_assert(memcmp(mfh_hartree_orbital_const(pure, 0), mfh_hartree_orbital_const(mix, k),
                     256 * sizeof(double complex)) == 0);
  mfh_hartree_destroy(mix);
  mfh_hartree_destroy(pure);
}
END_TEST

/* ---- resolution check ----------------------------------------------------- */

START_TEST(test_resolution) {
  mfh_hartree_extent ext;
  mfh_hartree_resolution res;
  mfh_err err;
  mfh_err_clear(&err);
  double q = 0.3, p = 0.8, eps = 0.01;
  ck_assert_int_eq(mfh_hartree_coherent_extent(1, eps, 0.0, 1, &q, &p, &ext, &err), MFH_OK);
  /* p_need = 0.8 + 6 sqrt(0.005) = 1.2243, dx_max = pi 0.01 / p_need = 0.02566,
   * n_min = ceil(3.2 / dx_max) = 125 */
  ck_assert_int_eq(mfh_hartree_check_extent(eps, -1.6, 1.6, 256, &ext, 0.0, &res, &err), MFH_OK);
  ck_assert_int_eq(res.resolved, 1);
  ck_assert_int_eq(res.n_min, 125);
  ck_assert_int_eq(mfh_hartree_check_extent(eps, -1.6, 1.6, 64, &ext, 0.0, &res, &err), MFH_EINPUT);
  ck_assert_int_eq(res.resolved, 0);
  ck_assert_str_eq(err.msg,
                   "under-resolved: eps = 0.01 needs dx <= 0.026 (n >= 125 on a box of "
                   "width 3.2), got n = 64");
  printf("resolution check message: %s\n", err.msg);
  q = 1.4;
  ck_assert_int_eq(mfh_hartree_coherent_extent(1, eps, 0.0, 1, &q, &p, &ext, &err), MFH_OK);
  ck_assert_int_eq(mfh_hartree_check_extent(eps, -1.6, 1.6, 256, &ext, 0.0, &res, &err),
                   MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "box too small") != NULL, "%s", err.msg);

  /* the same cases measured on the solver's state */
  mfh_hartree_params par;
  mfh_hartree_params_init(&par);
  par.xmin = -1.6;
  par.xmax = 1.6;
  par.eps = eps;
  par.n = 256;
  mfh_hartree *h = make(&par);
  coherent(h, 0, 0.3, 0, 0.8, 0);
  ck_assert_int_eq(mfh_hartree_check_resolution(h, 0.0, &res, &err), MFH_OK);
  printf(
      "resolved case: p_need %.6g (a priori %.6g), dx %.4g <= dx_max %.4g, edge %.3g, "
      "tail %.3g\n",
      res.p_need, 0.8 + 6 * sqrt(0.005), res.dx, res.dx_max, res.edge_rel, res.tail);
  ck_assert_double_eq_tol(res.p_need, 0.8 + 6 * sqrt(0.005), 1e-9);
  mfh_hartree_destroy(h);
  par.n = 64;
  h = make(&par);
  coherent(h, 0, 0.3, 0, 0.8, 0);
  ck_assert_int_eq(mfh_hartree_check_resolution(h, 0.0, &res, &err), MFH_EINPUT);
  ck_assert_msg(strncmp(err.msg, "under-resolved: eps = 0.01 needs dx <= ", 39) == 0 &&
                    strstr(err.msg, "got n = 64") != NULL,
                "%s", err.msg);
  printf("measured under-resolved case: %s\n", err.msg);
  mfh_hartree_destroy(h);
  /* moments inside, but a tail at the edge: a Lorentzian-like profile */
  par.n = 512;
  h = make(&par);
  double complex *ps = mfh_hartree_orbital(h, 0);
  for (int i = 0; i < 512; i++) {
    double x = -1.6 + i * 3.2 / 512;
    ps[i] = 1.0 / (1.0 + 100.0 * x * x);
  }
  ck_assert_int_eq(mfh_hartree_check_resolution(h, 0.0, &res, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "box edge") != NULL, "%s", err.msg);
  mfh_hartree_destroy(h);
}
END_TEST

/* ---- threads -------------------------------------------------------------- */

START_TEST(test_threads) {
  double w[5] = {0.1, 0.3, 0.2, 0.25, 0.15};
  mfh_hartree *h[2];
  for (int t = 0; t < 2; t++) {
    mfh_hartree_params par;
    nonlinear_params(&par, 5, w);
    par.threads = t + 1;
    par.ext = harmonic;
    h[t] = make(&par);
    for (int k = 0; k < 5; k++) coherent(h[t], k, -1.0 + 0.5 * k, 0, 0.4 - 0.2 * k, 0);
    run(h[t], 0.01, 50);
  }
  for (int k = 0; k < 5; k++)
    ck_assert_msg(memcmp(mfh_hartree_orbital_const(h[0], k), mfh_hartree_orbital_const(h[1], k),
                         256 * sizeof(double complex)) == 0,
                  "orbital %d differs between 1 and 2 threads", k);
  mfh_hartree_diag d0 = diag(h[0]), d1 = diag(h[1]);
  ck_assert(memcmp(&d0, &d1, sizeof d0) == 0);
  /* diagnostics never change a trajectory */
  run(h[0], 0.01, 5);
  for (int s = 0; s < 5; s++) {
    (void)diag(h[1]);
    run(h[1], 0.01, 1);
  }
  ck_assert(memcmp(mfh_hartree_orbital_const(h[0], 2), mfh_hartree_orbital_const(h[1], 2),
                   256 * sizeof(double complex)) == 0);
  mfh_hartree_destroy(h[0]);
  mfh_hartree_destroy(h[1]);
}
END_TEST

/* ---- mfh_hartree_run = repeated steps, bit for bit ----------------------- */

static void run_vs_steps(const mfh_hartree_params *par) {
  mfh_hartree *a = make(par), *b = make(par);
  mfh_err err;
  mfh_err_clear(&err);
  for (int k = 0; k < par->norb; k++) {
    coherent(a, k, -0.5 + 0.4 * k, 0.3, 0.6 - 0.3 * k, -0.2);
    coherent(b, k, -0.5 + 0.4 * k, 0.3, 0.6 - 0.3 * k, -0.2);
  }
  run(a, 0.01, 23);
  run(a, -0.005, 4);
  run(a, 0.02, 1);
  ck_assert_int_eq(mfh_hartree_run(b, 0.01, 23, &err), MFH_OK);
  ck_assert_int_eq(mfh_hartree_run(b, -0.005, 4, &err), MFH_OK);
  ck_assert_int_eq(mfh_hartree_run(b, 0.02, 1, &err), MFH_OK);
  ck_assert_int_eq(mfh_hartree_run(b, 0.02, 0, &err), MFH_OK);
  ck_assert_int_eq(mfh_hartree_run(b, 0.02, -1, &err), MFH_EINPUT);
  for (int k = 0; k < par->norb; k++)
    ck_assert_msg(memcmp(mfh_hartree_orbital_const(a, k), mfh_hartree_orbital_const(b, k),
                         npts(a) * sizeof(double complex)) == 0,
                  "orbital %d: run differs from repeated steps (dim %d)", k, par->dim);
  ck_assert(mfh_hartree_time(a) == mfh_hartree_time(b));
  mfh_hartree_destroy(a);
  mfh_hartree_destroy(b);
}

START_TEST(test_run) {
  static int dim2 = 2;
  double w[3] = {0.3, 0.5, 0.2};
  mfh_hartree_params par;
  nonlinear_params(&par, 3, w);
  run_vs_steps(&par);
  par.threads = 2;
  run_vs_steps(&par);
  mfh_hartree_params_init(&par);
  par.dim = 2;
  par.n = 32;
  par.xmin = -5.0;
  par.xmax = 5.0;
  par.eps = 0.3;
  par.norb = 2;
  par.interaction = MFH_HARTREE_FREE;
  par.ext = harmonic;
  par.ext_ctx = &dim2;
  run_vs_steps(&par);
  par.interaction = MFH_HARTREE_NONE;
  run_vs_steps(&par);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("hartree");
  TCase *tc = tcase_create("hartree");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_bad_params);
  tcase_add_test(tc, test_free_gaussian);
  tcase_add_test(tc, test_harmonic_oscillator);
  tcase_add_test(tc, test_diagnostics);
  tcase_add_test(tc, test_mean_field_direct);
  tcase_add_test(tc, test_conservation);
  tcase_add_test(tc, test_order);
  tcase_add_test(tc, test_mixed_equals_pure);
  tcase_add_test(tc, test_resolution);
  tcase_add_test(tc, test_threads);
  tcase_add_test(tc, test_run);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
