/* Tests for engines/particles/: pair potentials, the vectorised exp/sin,
 * N-body forces, integrators, random batch method and diagnostics, and the
 * engines nbody and characteristics (initial draws, the stream and
 * declaration contracts, shared work, refined steps, exact free streaming).
 * References are independent of the code under test: naive double loops with
 * libm, closed-form solutions (harmonic oscillator, forced oscillator),
 * algebraic properties (momentum, reversibility, N = 2 identities) and
 * convergence rates fitted from halved time steps. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "core/status.h"
#include "engines/particles/nbody.h"
#include "engines/particles/particles.h"
#include "engines/particles/potential.h"
#include "engines/particles/vmath.h"
#include "tests/testutil.h"

#define PI 3.14159265358979323846
#define MFH_GOLDEN_HASH 0x342ec01aa4a9e4f2ULL

/* ---- helpers ------------------------------------------------------------ */

static gsl_rng *rng_new(unsigned long seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  ck_assert_ptr_nonnull(r);
  gsl_rng_set(r, seed);
  return r;
}

static mfh_potential gaussian(int dim, double a, double s, double L) {
  mfh_potential p;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, dim, a, s, L, &err), MFH_OK);
  return p;
}

static mfh_potential cosine(int dim, double a, double L) {
  mfh_potential p;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_potential_init_cosine(&p, dim, a, L, &err), MFH_OK);
  return p;
}

/* A system with random state: Gaussian positions of std xs (uniform in
 * [0,L)^d on a torus) and Gaussian velocities of std vs. */
static mfh_nbody *make_sys(size_t n, const mfh_potential *p, double coupling, unsigned long seed,
                           double xs, double vs) {
  mfh_nbody *sys = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_nbody_create(n, p->dim, p, coupling, &sys, &err), MFH_OK);
  gsl_rng *r = rng_new(seed);
  size_t m = n * (size_t)p->dim;
  double *x = malloc(m * sizeof *x), *v = malloc(m * sizeof *v);
  ck_assert(x && v);
  for (size_t k = 0; k < m; k++) {
    x[k] = p->L > 0 ? p->L * gsl_rng_uniform(r) : gsl_ran_gaussian(r, xs);
    v[k] = gsl_ran_gaussian(r, vs);
  }
  ck_assert_int_eq(mfh_nbody_set_positions(sys, x, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbody_set_velocities(sys, v, &err), MFH_OK);
  free(x);
  free(v);
  gsl_rng_free(r);
  return sys;
}

/* Minimum image with libm. */
static double min_image(double d, double L) { return L > 0 ? d - L * round(d / L) : d; }

/* acc_j = -c sum_k grad V(x_j - x_k) by the definition, with libm. */
static void naive_acc(const mfh_potential *p, size_t n, const double *x, double c, double *acc) {
  int dim = p->dim;
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < dim; i++) {
      double s = 0;
      for (size_t k = 0; k < n; k++) {
        if (p->kind == MFH_POTENTIAL_GAUSSIAN) {
          double d[3], r2 = 0;
          for (int q = 0; q < dim; q++) {
            d[q] = min_image(x[j * dim + q] - x[k * dim + q], p->L);
            r2 += d[q] * d[q];
          }
          /* -grad_i V(d) = (a/s^2) d_i exp(-r2/(2 s^2)) */
          s += p->a / (p->s * p->s) * d[i] * exp(-r2 / (2 * p->s * p->s));
        } else {
          s += p->a * (2 * PI / p->L) * sin(2 * PI * (x[j * dim + i] - x[k * dim + i]) / p->L);
        }
      }
      acc[j * dim + i] = c * s;
    }
}

/* c sum_{j<k} V(x_j - x_k) with libm. */
static double naive_potential_energy(const mfh_potential *p, size_t n, const double *x, double c) {
  int dim = p->dim;
  double e = 0;
  for (size_t j = 0; j < n; j++)
    for (size_t k = j + 1; k < n; k++) {
      if (p->kind == MFH_POTENTIAL_GAUSSIAN) {
        double r2 = 0;
        for (int q = 0; q < dim; q++) {
          double d = min_image(x[j * dim + q] - x[k * dim + q], p->L);
          r2 += d * d;
        }
        e += p->a * exp(-r2 / (2 * p->s * p->s));
      } else {
        for (int q = 0; q < dim; q++)
          e += p->a * cos(2 * PI * (x[j * dim + q] - x[k * dim + q]) / p->L);
      }
    }
  return c * e;
}

static double *get_x(const mfh_nbody *s) {
  double *x = malloc(mfh_nbody_size(s) * (size_t)mfh_nbody_dim(s) * sizeof *x);
  ck_assert_ptr_nonnull(x);
  mfh_nbody_get_positions(s, x);
  return x;
}

static double *get_v(const mfh_nbody *s) {
  double *v = malloc(mfh_nbody_size(s) * (size_t)mfh_nbody_dim(s) * sizeof *v);
  ck_assert_ptr_nonnull(v);
  mfh_nbody_get_velocities(s, v);
  return v;
}

static double max_abs(const double *a, size_t m) {
  double r = 0;
  for (size_t k = 0; k < m; k++) r = fmax(r, fabs(a[k]));
  return r;
}

static double max_diff(const double *a, const double *b, size_t m) {
  double r = 0;
  for (size_t k = 0; k < m; k++) r = fmax(r, fabs(a[k] - b[k]));
  return r;
}

/* Distance on the circle of length L (or plain) per component. */
static double max_diff_mod(const double *a, const double *b, size_t m, double L) {
  double r = 0;
  for (size_t k = 0; k < m; k++) r = fmax(r, fabs(min_image(a[k] - b[k], L)));
  return r;
}

/* Least-squares slope of log(err) against log(h). */
static double fitted_order(const double *h, const double *err, int m) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int k = 0; k < m; k++) {
    double X = log(h[k]), Y = log(err[k]);
    sx += X, sy += Y, sxx += X * X, sxy += X * Y;
  }
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

static void step_n(mfh_nbody *s, int method, double dt, int nsteps) {
  mfh_err err;
  mfh_err_clear(&err);
  for (int k = 0; k < nsteps; k++) ck_assert_int_eq(mfh_nbody_step(s, method, dt, &err), MFH_OK);
}

/* ---- potentials ---------------------------------------------------------- */

START_TEST(test_potential_constants) {
  mfh_potential_consts c;
  mfh_err err;
  mfh_err_clear(&err);
  for (int d = 1; d <= 3; d++) {
    mfh_potential g = gaussian(d, -1.7, 0.6, 0);
    ck_assert_int_eq(mfh_potential_constants(&g, &c, &err), MFH_OK);
    ck_assert_double_eq_tol(c.vinf, 1.7, 1e-15);
    ck_assert_double_eq_tol(c.gradinf, 1.7 / 0.6 * exp(-0.5), 1e-14);
    ck_assert_double_eq_tol(c.lipgrad, 1.7 / 0.36, 1e-14);
    ck_assert_double_eq_tol(c.vhat_l1, 1.7, 1e-15);
    mfh_potential q = cosine(d, 0.3, 2.5);
    ck_assert_int_eq(mfh_potential_constants(&q, &c, &err), MFH_OK);
    double k = 2 * PI / 2.5;
    ck_assert_double_eq_tol(c.vinf, 0.3 * d, 1e-15);
    ck_assert_double_eq_tol(c.gradinf, 0.3 * k * sqrt(d), 1e-14);
    ck_assert_double_eq_tol(c.lipgrad, 0.3 * k * k, 1e-14);
    ck_assert_double_eq_tol(c.vhat_l1, 0.3 * d, 1e-15);
    mfh_potential gt = gaussian(d, 1.0, 0.2, 3.0);
    ck_assert_int_eq(mfh_potential_constants(&gt, &c, &err), MFH_OK);
    ck_assert_double_eq_tol(c.gradinf, 1.0 / 0.2 * exp(-0.5), 1e-14);
    ck_assert(isnan(c.vhat_l1));
  }
}
END_TEST

/* The closed-form sups against a scan: |V|, |grad V| on a grid, and the
 * Hessian norm (finite differences of grad V) along random directions. */
START_TEST(test_potential_constants_scan) {
  mfh_err err;
  mfh_err_clear(&err);
  gsl_rng *r = rng_new(11);
  for (int d = 1; d <= 3; d++) {
    mfh_potential pots[2] = {gaussian(d, 0.8, 0.5, 0), cosine(d, -0.4, 3.0)};
    for (int w = 0; w < 2; w++) {
      const mfh_potential *p = &pots[w];
      mfh_potential_consts c;
      ck_assert_int_eq(mfh_potential_constants(p, &c, &err), MFH_OK);
      double vmax = 0, gmax = 0, hmax = 0;
      for (int t = 0; t < 200000; t++) {
        double x[3], g[3], gp[3], u[3], nu = 0;
        for (int i = 0; i < d; i++) {
          x[i] = (gsl_rng_uniform(r) - 0.5) * (w == 0 ? 4.0 : 3.0);
          u[i] = gsl_ran_gaussian(r, 1.0);
          nu += u[i] * u[i];
        }
        if (t < 8) x[0] = x[1 % d] = x[2 % d] = 0; /* the maxima of |V| and |Hess| */
        vmax = fmax(vmax, fabs(mfh_potential_value(p, x)));
        mfh_potential_grad(p, x, g);
        double gn = 0;
        for (int i = 0; i < d; i++) gn += g[i] * g[i];
        gmax = fmax(gmax, sqrt(gn));
        double h = 1e-5, hn = 0, xp[3];
        for (int i = 0; i < d; i++) xp[i] = x[i] + h * u[i] / sqrt(nu);
        mfh_potential_grad(p, xp, gp);
        for (int i = 0; i < d; i++) hn += (gp[i] - g[i]) * (gp[i] - g[i]);
        hmax = fmax(hmax, sqrt(hn) / h);
      }
      ck_assert_msg(vmax <= c.vinf * (1 + 1e-12) && vmax > 0.999 * c.vinf, "vinf %g vs %g", vmax,
                    c.vinf);
      ck_assert_msg(gmax <= c.gradinf * (1 + 1e-12) && gmax > 0.97 * c.gradinf,
                    "gradinf %g vs %g", gmax, c.gradinf);
      ck_assert_msg(hmax <= c.lipgrad * (1 + 1e-4) && hmax > 0.95 * c.lipgrad, "lipgrad %g vs %g",
                    hmax, c.lipgrad);
    }
  }
  gsl_rng_free(r);
}
END_TEST

/* value and grad against libm and against each other. */
START_TEST(test_potential_value_grad) {
  gsl_rng *r = rng_new(5);
  for (int d = 1; d <= 3; d++) {
    mfh_potential g = gaussian(d, 1.3, 0.7, 0), q = cosine(d, 0.9, 2.0), gt = gaussian(d, 1, 0.3, 4);
    for (int t = 0; t < 1000; t++) {
      double x[3], gr[3], r2 = 0, cs = 0, gq[3], gtt[3], r2t = 0;
      for (int i = 0; i < d; i++) {
        x[i] = 3 * gsl_ran_gaussian(r, 1.0);
        r2 += x[i] * x[i];
        cs += cos(2 * PI * x[i] / 2.0);
        double y = min_image(x[i], 4.0);
        r2t += y * y;
      }
      double ve = 1.3 * exp(-r2 / (2 * 0.49));
      ck_assert_double_eq_tol(mfh_potential_value(&g, x), ve, 1e-14 * (1 + fabs(ve)) + 1e-300);
      ck_assert_double_eq_tol(mfh_potential_value(&q, x), 0.9 * cs, 1e-13);
      ck_assert_double_eq_tol(mfh_potential_value(&gt, x), exp(-r2t / (2 * 0.09)), 1e-13);
      mfh_potential_grad(&g, x, gr);
      mfh_potential_grad(&q, x, gq);
      mfh_potential_grad(&gt, x, gtt);
      for (int i = 0; i < d; i++) {
        ck_assert_double_eq_tol(gr[i], -1.3 / 0.49 * x[i] * exp(-r2 / (2 * 0.49)), 1e-13);
        ck_assert_double_eq_tol(gq[i], -0.9 * PI * sin(PI * x[i]), 1e-12);
        double y = min_image(x[i], 4.0);
        ck_assert_double_eq_tol(gtt[i], -1 / 0.09 * y * exp(-r2t / (2 * 0.09)), 1e-12);
      }
    }
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_potential_bad) {
  mfh_potential p;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 4, 1, 1, 0, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "dim = 4"));
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 0, 1, 1, 0, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 2, 1, 0, 0, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "width s = 0"));
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 2, 1, -1, 0, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 2, 1, NAN, 0, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 2, NAN, 1, 0, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "amplitude"));
  ck_assert_int_eq(mfh_potential_init_gaussian(&p, 2, 1, 1, -2, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_potential_init_cosine(&p, 2, 1, 0, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "period L = 0"));
  ck_assert_int_eq(mfh_potential_init_cosine(&p, 2, 1, INFINITY, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_potential_init_cosine(&p, 3, 0, 1, &err), MFH_OK); /* a = 0 allowed */
  mfh_potential bad = {99, 1, 1, 1, 0};
  mfh_potential_consts c;
  ck_assert_int_eq(mfh_potential_constants(&bad, &c, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_potential_constants(NULL, &c, &err), MFH_EINPUT);
}
END_TEST

/* ---- vectorised exp / exp2 / sincos --------------------------------------- */

static double rel_err(double got, double want) {
  return want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
}

START_TEST(test_vmath_accuracy) {
  enum { M = 1000000 };
  gsl_rng *r = rng_new(2024);
  double e_exp = 0, e_exp2 = 0, e_sin = 0, e_cos = 0, e_small = 0;
  int bits_x2 = 1;
  for (int t = 0; t < M; t++) {
    double u = -708.0 + 1417.0 * gsl_rng_uniform(r);
    e_exp = fmax(e_exp, rel_err(mfh_vm_exp(u), exp(u)));
    double w = -1021.0 + 2044.0 * gsl_rng_uniform(r);
    double w2 = -1021.0 * gsl_rng_uniform(r);
    e_exp2 = fmax(e_exp2, rel_err(mfh_vm_exp2(w), exp2(w)));
    mfh_vm_pair p2 = mfh_vm_exp2x2(w, w2);
    if (p2.a != mfh_vm_exp2(w) || p2.b != mfh_vm_exp2(w2)) bits_x2 = 0;
    double small = (gsl_rng_uniform(r) - 0.5) * 1e-3; /* near 0: relative accuracy */
    e_small = fmax(e_small, rel_err(mfh_vm_exp(small), exp(small)));
    double th = -100.0 + 200.0 * gsl_rng_uniform(r), s, c;
    mfh_vm_sincos(th, &s, &c);
    e_sin = fmax(e_sin, rel_err(s, sin(th)));
    e_cos = fmax(e_cos, rel_err(c, cos(th)));
  }
  printf("vmath on 1e6 points: max rel err exp %.3g (on [-708,709]), exp2 %.3g (on [-1021,1023]), "
         "sin %.3g, cos %.3g (on [-100,100])\n",
         e_exp, e_exp2, e_sin, e_cos);
  ck_assert_msg(e_exp < 1e-14, "exp %g", e_exp);
  ck_assert_msg(e_small < 1e-15, "exp near 0 %g", e_small);
  ck_assert_msg(e_exp2 < 1e-14, "exp2 %g", e_exp2);
  ck_assert_msg(e_sin < 1e-14, "sin %g", e_sin);
  ck_assert_msg(e_cos < 1e-14, "cos %g", e_cos);
  ck_assert_msg(bits_x2, "exp2x2 differs from exp2");
  /* special values */
  ck_assert(mfh_vm_exp(0.0) == 1.0 && mfh_vm_exp2(0.0) == 1.0 && mfh_vm_exp2(-3.0) == 0.125);
  ck_assert(mfh_vm_exp(-750.0) == 0.0 && mfh_vm_exp(-INFINITY) == 0.0);
  ck_assert(mfh_vm_exp2(-1030.0) == 0.0 && mfh_vm_exp2(-INFINITY) == 0.0 && mfh_vm_exp2(-1e300) == 0.0);
  ck_assert(isnan(mfh_vm_exp(NAN)) && isnan(mfh_vm_exp2(NAN)));
  double s, c;
  mfh_vm_sincos(0.0, &s, &c);
  ck_assert(s == 0.0 && c == 1.0);
  gsl_rng_free(r);
}
END_TEST

/* ---- forces --------------------------------------------------------------- */

/* max |a - a_naive| / max |a_naive| for one system. */
static double force_error(const mfh_potential *p, size_t n, double c, unsigned long seed) {
  mfh_nbody *s = make_sys(n, p, c, seed, 1.0, 0.0);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_nbody_compute_acc(s, &err), MFH_OK);
  int d = p->dim;
  double *x = get_x(s), *ref = malloc(n * d * sizeof *ref), *got = malloc(n * d * sizeof *got);
  ck_assert(ref && got);
  naive_acc(p, n, x, c, ref);
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < d; i++) got[j * d + i] = mfh_nbody_acc(s, i)[j];
  double scale = max_abs(ref, n * d);
  double e = max_diff(got, ref, n * d) / (scale > 0 ? scale : 1.0);
  free(x);
  free(ref);
  free(got);
  mfh_nbody_destroy(s);
  return e;
}

START_TEST(test_forces_vs_naive) {
  /* sizes: one tile, a partial second block, an odd block count with a bye */
  const size_t sizes[] = {1, 2, 7, 300, 777};
  for (int d = 1; d <= 3; d++)
    for (size_t q = 0; q < sizeof sizes / sizeof *sizes; q++) {
      size_t n = sizes[q];
      mfh_potential pots[3] = {gaussian(d, 1.0, 0.5, 0), gaussian(d, -0.7, 0.4, 3.0),
                               cosine(d, 0.6, 2.0)};
      for (int w = 0; w < 3; w++) {
        double e = force_error(&pots[w], n, 1.0 / (double)n, 100 + n + 10 * d + w);
        ck_assert_msg(e < 1e-13, "d=%d n=%zu pot=%d: rel err %g", d, n, w, e);
      }
    }
}
END_TEST

/* A widely spread system in R^d: most pairs underflow (exp2 flush path). */
START_TEST(test_forces_dilute) {
  mfh_potential p = gaussian(2, 1.0, 0.05, 0);
  double e = force_error(&p, 500, 1.0 / 500, 77);
  ck_assert_msg(e < 1e-13, "rel err %g", e);
}
END_TEST

START_TEST(test_potential_energy_vs_naive) {
  for (int d = 1; d <= 3; d++) {
    mfh_potential pots[3] = {gaussian(d, 1.0, 0.5, 0), gaussian(d, -0.7, 0.4, 3.0),
                             cosine(d, 0.6, 2.0)};
    for (int w = 0; w < 3; w++) {
      size_t n = 333;
      mfh_nbody *s = make_sys(n, &pots[w], 1.0 / n, 9 + d + w, 1.0, 1.0);
      double *x = get_x(s);
      double ref = naive_potential_energy(&pots[w], n, x, 1.0 / n);
      double got = mfh_nbody_potential_energy(s);
      /* cosine: c |a| sum of N^2/2 terms of size 1 that cancel to O(N) */
      double scale = w == 2 ? fabs(pots[w].a) * d : fabs(ref);
      ck_assert_msg(fabs(got - ref) <= 1e-13 * scale, "d=%d pot=%d: %.17g vs %.17g", d, w, got,
                    ref);
      double *v = get_v(s), ke = 0;
      for (size_t k = 0; k < n * d; k++) ke += 0.5 * v[k] * v[k];
      ck_assert_double_eq_tol(mfh_nbody_kinetic_energy(s), ke, 1e-13 * ke);
      ck_assert_double_eq_tol(mfh_nbody_total_energy(s), ke + got, 1e-13 * (ke + fabs(got)));
      free(x);
      free(v);
      mfh_nbody_destroy(s);
    }
  }
}
END_TEST

/* Newton's third law: the forces sum to zero and momentum is conserved. */
START_TEST(test_momentum) {
  for (int d = 1; d <= 3; d++) {
    mfh_potential pots[3] = {gaussian(d, 1.0, 0.5, 0), gaussian(d, 1.0, 0.4, 3.0),
                             cosine(d, 0.6, 2.0)};
    for (int w = 0; w < 3; w++) {
      size_t n = 600;
      mfh_nbody *s = make_sys(n, &pots[w], 1.0 / n, 31 + d + w, 1.0, 1.0);
      double p0[3], p1[3];
      mfh_nbody_momentum(s, p0);
      mfh_err err;
      mfh_err_clear(&err);
      ck_assert_int_eq(mfh_nbody_compute_acc(s, &err), MFH_OK);
      for (int i = 0; i < d; i++) {
        double sum = 0, abs_sum = 0;
        for (size_t j = 0; j < n; j++) {
          sum += mfh_nbody_acc(s, i)[j];
          abs_sum += fabs(mfh_nbody_acc(s, i)[j]);
        }
        ck_assert_msg(fabs(sum) <= 1e-14 * abs_sum, "d=%d pot=%d axis %d: sum %g of %g", d, w, i,
                      sum, abs_sum);
      }
      step_n(s, MFH_NBODY_VERLET, 0.01, 50);
      step_n(s, MFH_NBODY_YOSHIDA4, 0.01, 20);
      mfh_nbody_momentum(s, p1);
      for (int i = 0; i < d; i++)
        ck_assert_msg(fabs(p1[i] - p0[i]) <= 1e-13 * sqrt((double)n), "d=%d pot=%d: %g -> %g", d,
                      w, p0[i], p1[i]);
      mfh_nbody_destroy(s);
    }
  }
}
END_TEST

/* ---- integrators ---------------------------------------------------------- */

/* Error of the final positions and velocities after T with nsteps steps,
 * against a reference state (max norm). */
static double traj_error(const mfh_potential *p, size_t n, int method, double T, int nsteps,
                         const double *xref, const double *vref) {
  mfh_nbody *s = make_sys(n, p, 1.0 / n, 4242, 1.0, 0.7);
  step_n(s, method, T / nsteps, nsteps);
  double *x = get_x(s), *v = get_v(s);
  size_t m = n * (size_t)p->dim;
  double e = fmax(max_diff_mod(x, xref, m, p->L), max_diff(v, vref, m));
  free(x);
  free(v);
  mfh_nbody_destroy(s);
  return e;
}

START_TEST(test_convergence_order) {
  mfh_potential pots[2] = {gaussian(2, 1.5, 0.6, 0), cosine(2, 1.0, 2.0)};
  for (int w = 0; w < 2; w++) {
    const mfh_potential *p = &pots[w];
    size_t n = 8;
    double T = 2.0;
    mfh_nbody *ref = make_sys(n, p, 1.0 / n, 4242, 1.0, 0.7);
    step_n(ref, MFH_NBODY_YOSHIDA4, T / 8192, 8192);
    double *xr = get_x(ref), *vr = get_v(ref);
    double h2[4], e2[4], h4[3], e4[3];
    for (int k = 0; k < 4; k++) {
      int m = 32 << k;
      h2[k] = T / m;
      e2[k] = traj_error(p, n, MFH_NBODY_VERLET, T, m, xr, vr);
    }
    for (int k = 0; k < 3; k++) {
      int m = 16 << k;
      h4[k] = T / m;
      e4[k] = traj_error(p, n, MFH_NBODY_YOSHIDA4, T, m, xr, vr);
    }
    double o2 = fitted_order(h2, e2, 4), o4 = fitted_order(h4, e4, 3);
    printf("convergence (%s): Verlet errors %.3g %.3g %.3g %.3g, order %.3f; Yoshida errors "
           "%.3g %.3g %.3g, order %.3f\n",
           w ? "cosine" : "gaussian", e2[0], e2[1], e2[2], e2[3], o2, e4[0], e4[1], e4[2], o4);
    ck_assert_msg(fabs(o2 - 2) < 0.2, "Verlet order %g", o2);
    ck_assert_msg(fabs(o4 - 4) < 0.2, "Yoshida order %g", o4);
    free(xr);
    free(vr);
    mfh_nbody_destroy(ref);
  }
}
END_TEST

/* Max |E(t) - E(0)| over [0, T]. */
static double energy_drift(const mfh_potential *p, size_t n, int method, double T, int nsteps) {
  mfh_nbody *s = make_sys(n, p, 1.0 / n, 777, 1.0, 1.0);
  double e0 = mfh_nbody_total_energy(s), worst = 0;
  mfh_err err;
  mfh_err_clear(&err);
  for (int k = 0; k < nsteps; k++) {
    ck_assert_int_eq(mfh_nbody_step(s, method, T / nsteps, &err), MFH_OK);
    worst = fmax(worst, fabs(mfh_nbody_total_energy(s) - e0));
  }
  mfh_nbody_destroy(s);
  return worst;
}

START_TEST(test_energy_conservation) {
  mfh_potential pots[2] = {gaussian(3, 2.0, 0.5, 0), cosine(1, 1.0, 2.0)};
  for (int w = 0; w < 2; w++) {
    size_t n = 64;
    double T = 2.0, h2[3], e2[3], h4[3], e4[3];
    for (int k = 0; k < 3; k++) {
      h2[k] = T / (40 << k);
      e2[k] = energy_drift(&pots[w], n, MFH_NBODY_VERLET, T, 40 << k);
      h4[k] = T / (20 << k);
      e4[k] = energy_drift(&pots[w], n, MFH_NBODY_YOSHIDA4, T, 20 << k);
    }
    double o2 = fitted_order(h2, e2, 3), o4 = fitted_order(h4, e4, 3);
    printf("energy error (%s): Verlet %.3g %.3g %.3g (order %.3f), Yoshida %.3g %.3g %.3g "
           "(order %.3f)\n",
           w ? "cosine" : "gaussian", e2[0], e2[1], e2[2], o2, e4[0], e4[1], e4[2], o4);
    ck_assert_msg(fabs(o2 - 2) < 0.2, "Verlet energy order %g", o2);
    ck_assert_msg(fabs(o4 - 4) < 0.3, "Yoshida energy order %g", o4);
  }
}
END_TEST

START_TEST(test_time_reversibility) {
  mfh_potential pots[3] = {gaussian(3, 1.0, 0.5, 0), gaussian(2, 1.0, 0.3, 2.0),
                           cosine(2, 0.8, 2.0)};
  int methods[2] = {MFH_NBODY_VERLET, MFH_NBODY_YOSHIDA4};
  mfh_err err;
  mfh_err_clear(&err);
  for (int w = 0; w < 3; w++)
    for (int q = 0; q < 2; q++) {
      size_t n = 100, m = n * (size_t)pots[w].dim;
      mfh_nbody *s = make_sys(n, &pots[w], 1.0 / n, 55 + w, 1.0, 1.0);
      double *x0 = get_x(s), *v0 = get_v(s);
      step_n(s, methods[q], 0.02, 100);
      double *v = get_v(s);
      for (size_t k = 0; k < m; k++) v[k] = -v[k];
      ck_assert_int_eq(mfh_nbody_set_velocities(s, v, &err), MFH_OK);
      step_n(s, methods[q], 0.02, 100);
      double *x1 = get_x(s), *v1 = get_v(s);
      for (size_t k = 0; k < m; k++) v1[k] = -v1[k];
      double ex = max_diff_mod(x1, x0, m, pots[w].L), ev = max_diff(v1, v0, m);
      ck_assert_msg(ex < 1e-12 && ev < 1e-12, "pot %d method %d: %g %g", w, q, ex, ev);
      free(x0), free(v0), free(v), free(x1), free(v1);
      mfh_nbody_destroy(s);
    }
}
END_TEST

/* Positions, velocities and energies bit for bit with 1 and 2 threads. */
START_TEST(test_threads_bit_identical) {
  mfh_potential pots[4] = {gaussian(3, 1.0, 0.5, 0), gaussian(1, 1.0, 0.2, 3.0),
                           gaussian(2, -1.0, 0.5, 0), cosine(3, 0.5, 2.0)};
  const size_t sizes[4] = {1000, 1300, 700, 20000};
  mfh_err err;
  mfh_err_clear(&err);
  for (int w = 0; w < 4; w++) {
    size_t n = sizes[w], m = n * (size_t)pots[w].dim;
    double *x[2], *v[2], e[2];
    for (int t = 0; t < 2; t++) {
      mfh_nbody *s = make_sys(n, &pots[w], 1.0 / n, 99, 1.0, 1.0);
      ck_assert_int_eq(mfh_nbody_set_threads(s, t + 1, &err), MFH_OK);
      step_n(s, MFH_NBODY_VERLET, 0.01, 15);
      step_n(s, MFH_NBODY_YOSHIDA4, 0.01, 5);
      x[t] = get_x(s);
      v[t] = get_v(s);
      e[t] = mfh_nbody_potential_energy(s);
      mfh_nbody_destroy(s);
    }
    ck_assert_msg(memcmp(x[0], x[1], m * sizeof(double)) == 0, "pot %d: positions differ", w);
    ck_assert_msg(memcmp(v[0], v[1], m * sizeof(double)) == 0, "pot %d: velocities differ", w);
    ck_assert_msg(memcmp(&e[0], &e[1], sizeof(double)) == 0, "pot %d: energies differ", w);
    free(x[0]), free(x[1]), free(v[0]), free(v[1]);
  }
  /* random batch: 20000 particles go through the threaded pair loop */
  double *x[2];
  for (int t = 0; t < 2; t++) {
    mfh_nbody *s = make_sys(20000, &pots[0], 1.0, 7, 1.0, 1.0);
    ck_assert_int_eq(mfh_nbody_set_threads(s, t + 1, &err), MFH_OK);
    gsl_rng *r = rng_new(3);
    for (int k = 0; k < 20; k++) ck_assert_int_eq(mfh_nbody_step_rbm(s, 0.01, r, &err), MFH_OK);
    x[t] = get_x(s);
    gsl_rng_free(r);
    mfh_nbody_destroy(s);
  }
  ck_assert(memcmp(x[0], x[1], 20000 * 3 * sizeof(double)) == 0);
  free(x[0]), free(x[1]);
}
END_TEST

/* Golden bits: positions and velocities after a few steps of every kernel,
 * hashed (FNV-1a).  The initial data use only gsl_rng_uniform and +-* (no
 * libm), and the library uses no libm in its kernels, so the hash is the same
 * on every x86-64 machine, vector width and thread count (checked here with
 * SSE2, AVX2 and AVX-512 builds, GCC and Clang, -O1..-O3).  A change of this
 * value means results are no longer reproducible across versions: update it
 * only for an intended change of the arithmetic. */
static uint64_t fnv1a(const void *p, size_t n, uint64_t h) {
  const unsigned char *c = p;
  for (size_t k = 0; k < n; k++) h = (h ^ c[k]) * 1099511628211ULL;
  return h;
}

START_TEST(test_golden_bits) {
  mfh_potential pots[4] = {gaussian(3, 1.0, 0.5, 0), gaussian(2, -0.8, 0.3, 2.0),
                           gaussian(1, 1.0, 0.2, 0), cosine(2, 0.7, 2.0)};
  uint64_t h = 1469598103934665603ULL;
  mfh_err err;
  mfh_err_clear(&err);
  for (int w = 0; w < 4; w++) {
    size_t n = 600, m = n * (size_t)pots[w].dim;
    mfh_nbody *s = NULL;
    ck_assert_int_eq(mfh_nbody_create(n, pots[w].dim, &pots[w], 1.0 / n, &s, &err), MFH_OK);
    ck_assert_int_eq(mfh_nbody_set_threads(s, 1 + w % 2, &err), MFH_OK);
    gsl_rng *r = rng_new(31337);
    double *buf = malloc(m * sizeof *buf);
    ck_assert_ptr_nonnull(buf);
    for (size_t k = 0; k < m; k++) buf[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    ck_assert_int_eq(mfh_nbody_set_positions(s, buf, &err), MFH_OK);
    for (size_t k = 0; k < m; k++) buf[k] = gsl_rng_uniform(r) - 0.5;
    ck_assert_int_eq(mfh_nbody_set_velocities(s, buf, &err), MFH_OK);
    step_n(s, MFH_NBODY_VERLET, 0.01, 5);
    step_n(s, MFH_NBODY_YOSHIDA4, 0.01, 3);
    for (int k = 0; k < 4; k++) ck_assert_int_eq(mfh_nbody_step_rbm(s, 0.01, r, &err), MFH_OK);
    mfh_nbody_get_positions(s, buf);
    h = fnv1a(buf, m * sizeof *buf, h);
    mfh_nbody_get_velocities(s, buf);
    h = fnv1a(buf, m * sizeof *buf, h);
    double e = mfh_nbody_total_energy(s);
    h = fnv1a(&e, sizeof e, h);
    free(buf);
    gsl_rng_free(r);
    mfh_nbody_destroy(s);
  }
  ck_assert_msg(h == MFH_GOLDEN_HASH, "hash %016llx, expected %016llx: results changed",
                (unsigned long long)h, (unsigned long long)MFH_GOLDEN_HASH);
}
END_TEST

START_TEST(test_torus_wrap) {
  mfh_potential p = cosine(2, 1.0, 2.0);
  mfh_nbody *s = make_sys(50, &p, 1.0 / 50, 1, 1.0, 5.0);
  step_n(s, MFH_NBODY_VERLET, 0.1, 30);
  double *x = get_x(s);
  for (size_t k = 0; k < 100; k++) ck_assert(x[k] >= 0 && x[k] < 2.0);
  mfh_err err;
  mfh_err_clear(&err);
  double y[4] = {-0.5, 4.25, 2.0, -1e-300};
  mfh_nbody *t = NULL;
  ck_assert_int_eq(mfh_nbody_create(2, 2, &p, 0.5, &t, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbody_set_positions(t, y, &err), MFH_OK);
  ck_assert_double_eq(mfh_nbody_x(t, 0)[0], 1.5);
  ck_assert_double_eq(mfh_nbody_x(t, 1)[0], 0.25);
  ck_assert_double_eq(mfh_nbody_x(t, 0)[1], 0.0);
  ck_assert(mfh_nbody_x(t, 1)[1] >= 0 && mfh_nbody_x(t, 1)[1] < 2.0);
  free(x);
  mfh_nbody_destroy(s);
  mfh_nbody_destroy(t);
}
END_TEST

/* ---- external field ------------------------------------------------------- */

typedef struct field_ctx {
  long calls;
  const mfh_potential *pot; /* for the interaction field */
  double coupling;
} field_ctx;

/* a(t, x) = -x + cos(2t): x(t) = (x0 + 1/3) cos t + v0 sin t - cos(2t)/3. */
static int forced_oscillator(double t, size_t n, int dim, const double *const *x,
                             double *const *acc, void *ctx) {
  ((field_ctx *)ctx)->calls++;
  for (int i = 0; i < dim; i++)
    for (size_t j = 0; j < n; j++) acc[i][j] = -x[i][j] + cos(2 * t);
  return MFH_OK;
}

/* The N-body interaction itself, by the naive loop. */
static int interaction_field(double t, size_t n, int dim, const double *const *x,
                             double *const *acc, void *vctx) {
  (void)t;
  field_ctx *c = vctx;
  c->calls++;
  double *row = calloc(n * dim, sizeof *row), *a = calloc(n * dim, sizeof *a);
  if (!row || !a) {
    free(row);
    free(a);
    return MFH_ENOMEM;
  }
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < dim; i++) row[j * dim + i] = x[i][j];
  naive_acc(c->pot, n, row, c->coupling, a);
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < dim; i++) acc[i][j] = a[j * dim + i];
  free(row);
  free(a);
  return MFH_OK;
}

static int failing_field(double t, size_t n, int dim, const double *const *x, double *const *acc,
                         void *ctx) {
  (void)t, (void)n, (void)dim, (void)x, (void)acc, (void)ctx;
  return MFH_ENUMERIC;
}

START_TEST(test_field_orders_and_cache) {
  mfh_potential p = gaussian(2, 0.0, 1.0, 0);
  int methods[2] = {MFH_NBODY_VERLET, MFH_NBODY_YOSHIDA4};
  double want[2] = {2, 4};
  mfh_err err;
  mfh_err_clear(&err);
  for (int q = 0; q < 2; q++) {
    double h[3], e[3];
    for (int k = 0; k < 3; k++) {
      int nsteps = (q ? 10 : 40) << k;
      double T = 3.0, dt = T / nsteps, t = 0.5;
      mfh_nbody *s = make_sys(5, &p, 0.2, 8, 1.0, 1.0);
      double *x0 = get_x(s), *v0 = get_v(s);
      field_ctx c = {0, NULL, 0};
      for (int st = 0; st < nsteps; st++, t += dt)
        ck_assert_int_eq(mfh_nbody_step_field(s, methods[q], t, dt, forced_oscillator, &c, &err),
                         MFH_OK);
      ck_assert_int_eq(c.calls, (q ? 3 : 1) * nsteps + 1); /* FSAL: the end field is reused */
      double *x = get_x(s), err_max = 0;
      for (size_t k2 = 0; k2 < 10; k2++) {
        /* solution started at t0 = 0.5 */
        double t0 = 0.5, t1 = t0 + T, x0k = x0[k2], v0k = v0[k2];
        /* x = A cos t + B sin t - cos(2t)/3 */
        double c0 = x0k + cos(2 * t0) / 3, c1 = v0k - 2 * sin(2 * t0) / 3;
        double A = c0 * cos(t0) - c1 * sin(t0), B = c0 * sin(t0) + c1 * cos(t0);
        double xe = A * cos(t1) + B * sin(t1) - cos(2 * t1) / 3;
        err_max = fmax(err_max, fabs(x[k2] - xe));
      }
      h[k] = dt;
      e[k] = err_max;
      free(x0), free(v0), free(x);
      mfh_nbody_destroy(s);
    }
    double o = fitted_order(h, e, 3);
    printf("forced oscillator, method %d: errors %.3g %.3g %.3g, order %.3f\n", methods[q], e[0],
           e[1], e[2], o);
    ck_assert_msg(fabs(o - want[q]) < 0.2, "method %d order %g", methods[q], o);
  }
  /* a different t, ctx or field invalidates the reused end field */
  mfh_nbody *s = make_sys(5, &p, 0.2, 8, 1.0, 1.0);
  field_ctx c1 = {0, NULL, 0}, c2 = {0, NULL, 0};
  ck_assert_int_eq(mfh_nbody_step_field(s, MFH_NBODY_VERLET, 0.0, 0.1, forced_oscillator, &c1, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbody_step_field(s, MFH_NBODY_VERLET, 0.1, 0.1, forced_oscillator, &c2, &err), MFH_OK);
  ck_assert_int_eq(c2.calls, 2);
  ck_assert_int_eq(mfh_nbody_step_field(s, MFH_NBODY_VERLET, 0.7, 0.1, forced_oscillator, &c2, &err), MFH_OK);
  ck_assert_int_eq(c2.calls, 4);
  ck_assert_int_eq(mfh_nbody_step_field(s, MFH_NBODY_VERLET, 0.8, 0.1, failing_field, &c2, &err),
                   MFH_ENUMERIC);
  ck_assert_ptr_nonnull(strstr(err.msg, "field"));
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_nbody_step_field(s, MFH_NBODY_VERLET, 0.8, 0.1, NULL, &c2, &err), MFH_EINPUT);
  mfh_nbody_destroy(s);
}
END_TEST

/* The field variant with the interaction as its field reproduces the N-body
 * trajectory: the same time discretisation. */
START_TEST(test_field_matches_nbody) {
  mfh_potential pots[2] = {gaussian(2, 1.0, 0.5, 0), cosine(1, 0.7, 2.0)};
  int methods[2] = {MFH_NBODY_VERLET, MFH_NBODY_YOSHIDA4};
  mfh_err err;
  mfh_err_clear(&err);
  for (int w = 0; w < 2; w++)
    for (int q = 0; q < 2; q++) {
      size_t n = 40, m = n * (size_t)pots[w].dim;
      mfh_nbody *a = make_sys(n, &pots[w], 1.0 / n, 12, 1.0, 1.0);
      mfh_nbody *b = make_sys(n, &pots[w], 1.0 / n, 12, 1.0, 1.0);
      field_ctx c = {0, &pots[w], 1.0 / n};
      double t = 0;
      for (int k = 0; k < 50; k++, t += 0.05) {
        ck_assert_int_eq(mfh_nbody_step(a, methods[q], 0.05, &err), MFH_OK);
        ck_assert_int_eq(mfh_nbody_step_field(b, methods[q], t, 0.05, interaction_field, &c, &err),
                         MFH_OK);
      }
      double *xa = get_x(a), *xb = get_x(b), *va = get_v(a), *vb = get_v(b);
      double e = fmax(max_diff_mod(xa, xb, m, pots[w].L), max_diff(va, vb, m));
      ck_assert_msg(e < 1e-12, "pot %d method %d: %g", w, q, e);
      free(xa), free(xb), free(va), free(vb);
      mfh_nbody_destroy(a);
      mfh_nbody_destroy(b);
    }
}
END_TEST

/* ---- random batch method --------------------------------------------------- */

/* N = 2: the only pairing is (0,1), and one RBM step is one Verlet step of
 * the full system with coupling 1/(N-1) = 1. */
START_TEST(test_rbm_two_particles) {
  mfh_potential pots[3] = {gaussian(3, 1.2, 0.7, 0), gaussian(2, -0.8, 0.5, 2.0),
                           cosine(2, 0.9, 3.0)};
  mfh_err err;
  mfh_err_clear(&err);
  for (int w = 0; w < 3; w++) {
    size_t m = 2 * (size_t)pots[w].dim;
    mfh_nbody *a = make_sys(2, &pots[w], 1.0, 3 + w, 0.6, 1.0);
    mfh_nbody *b = make_sys(2, &pots[w], 1.0, 3 + w, 0.6, 1.0);
    gsl_rng *r = rng_new(17);
    for (int k = 0; k < 10; k++) {
      ck_assert_int_eq(mfh_nbody_step_rbm(a, 0.05, r, &err), MFH_OK);
      ck_assert_int_eq(mfh_nbody_step(b, MFH_NBODY_VERLET, 0.05, &err), MFH_OK);
    }
    double *xa = get_x(a), *xb = get_x(b), *va = get_v(a), *vb = get_v(b);
    double e = fmax(max_diff_mod(xa, xb, m, pots[w].L), max_diff(va, vb, m));
    ck_assert_msg(e < 1e-14, "pot %d: %g", w, e);
    if (w < 2) /* the Gaussian kernels do the same operations: same bits */
      ck_assert_msg(memcmp(xa, xb, m * sizeof(double)) == 0, "pot %d: not bit-identical", w);
    free(xa), free(xb), free(va), free(vb);
    gsl_rng_free(r);
    mfh_nbody_destroy(a);
    mfh_nbody_destroy(b);
  }
}
END_TEST

/* Each particle's partner is uniform over the N-1 others (chi-square with a
 * fixed seed), and every pairing is a permutation. */
START_TEST(test_rbm_pair_frequency) {
  enum { N = 8, STEPS = 28000 };
  mfh_potential p = gaussian(1, 1.0, 1.0, 0);
  mfh_nbody *s = make_sys(N, &p, 1.0 / (N - 1), 1, 1.0, 0.1);
  gsl_rng *r = rng_new(123456);
  long counts[N][N] = {{0}};
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_ptr_null(mfh_nbody_rbm_pairing(s));
  for (int k = 0; k < STEPS; k++) {
    ck_assert_int_eq(mfh_nbody_step_rbm(s, 0.0, r, &err), MFH_OK);
    const size_t *pm = mfh_nbody_rbm_pairing(s);
    ck_assert_ptr_nonnull(pm);
    int seen[N] = {0};
    for (int q = 0; q < N; q++) seen[pm[q]]++;
    for (int q = 0; q < N; q++) ck_assert_int_eq(seen[q], 1);
    for (int q = 0; q < N / 2; q++) {
      counts[pm[2 * q]][pm[2 * q + 1]]++;
      counts[pm[2 * q + 1]][pm[2 * q]]++;
    }
  }
  double expect = (double)STEPS / (N - 1), worst_p = 1;
  for (int j = 0; j < N; j++) {
    double chi2 = 0;
    ck_assert_int_eq(counts[j][j], 0);
    for (int k = 0; k < N; k++)
      if (k != j) chi2 += (counts[j][k] - expect) * (counts[j][k] - expect) / expect;
    double pval = gsl_cdf_chisq_Q(chi2, N - 2);
    worst_p = fmin(worst_p, pval);
    ck_assert_msg(pval > 1e-3, "particle %d: chi2 = %g, p = %g", j, chi2, pval);
  }
  printf("RBM partner frequencies: N = %d, %d steps, smallest chi-square p-value %.3g\n", N,
         STEPS, worst_p);
  gsl_rng_free(r);
  mfh_nbody_destroy(s);
}
END_TEST

/* V = 0: random batch and full dynamics are the same free flight. */
START_TEST(test_rbm_zero_potential) {
  mfh_potential pots[2] = {gaussian(3, 0.0, 0.5, 0), cosine(2, 0.0, 2.0)};
  mfh_err err;
  mfh_err_clear(&err);
  for (int w = 0; w < 2; w++) {
    size_t n = 100, m = n * (size_t)pots[w].dim;
    mfh_nbody *a = make_sys(n, &pots[w], 1.0 / (n - 1), 5, 1.0, 1.0);
    mfh_nbody *b = make_sys(n, &pots[w], 1.0 / (n - 1), 5, 1.0, 1.0);
    gsl_rng *r = rng_new(2);
    for (int k = 0; k < 50; k++) {
      ck_assert_int_eq(mfh_nbody_step_rbm(a, 0.03, r, &err), MFH_OK);
      ck_assert_int_eq(mfh_nbody_step(b, MFH_NBODY_VERLET, 0.03, &err), MFH_OK);
    }
    double *xa = get_x(a), *xb = get_x(b), *va = get_v(a), *vb = get_v(b);
    ck_assert(max_diff(xa, xb, m) == 0 && max_diff(va, vb, m) == 0);
    free(xa), free(xb), free(va), free(vb);
    gsl_rng_free(r);
    mfh_nbody_destroy(a);
    mfh_nbody_destroy(b);
  }
}
END_TEST

/* RBM-4 sanity: the RBM trajectory-averaged energy stays close to the full
 * system's over a short time (a loose check, the weak-error study is the
 * harness's job), and the RBM step conserves momentum exactly in pairs. */
START_TEST(test_rbm_momentum) {
  mfh_potential p = gaussian(2, 1.0, 0.5, 0);
  size_t n = 1000;
  mfh_nbody *s = make_sys(n, &p, 1.0 / (n - 1), 21, 1.0, 1.0);
  gsl_rng *r = rng_new(4);
  mfh_err err;
  mfh_err_clear(&err);
  double p0[3], p1[3];
  mfh_nbody_momentum(s, p0);
  for (int k = 0; k < 100; k++) ck_assert_int_eq(mfh_nbody_step_rbm(s, 0.01, r, &err), MFH_OK);
  mfh_nbody_momentum(s, p1);
  for (int i = 0; i < 2; i++) ck_assert_double_eq_tol(p1[i], p0[i], 1e-11);
  gsl_rng_free(r);
  mfh_nbody_destroy(s);
}
END_TEST

/* ---- bad parameters -------------------------------------------------------- */

START_TEST(test_bad_parameters) {
  mfh_potential g = gaussian(2, 1.0, 0.5, 0);
  mfh_nbody *s = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_nbody_create(0, 2, &g, 1.0, &s, &err), MFH_EINPUT);
  ck_assert_ptr_null(s);
  ck_assert_ptr_nonnull(strstr(err.msg, "N = 0"));
  ck_assert_int_eq(mfh_nbody_create(10, 4, &g, 1.0, &s, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "dim = 4"));
  ck_assert_int_eq(mfh_nbody_create(10, 3, &g, 1.0, &s, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "potential has dim = 2"));
  ck_assert_int_eq(mfh_nbody_create(10, 2, &g, NAN, &s, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "coupling"));
  mfh_potential bad = g;
  bad.s = -1;
  ck_assert_int_eq(mfh_nbody_create(10, 2, &bad, 1.0, &s, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "width s = -1"));
  bad.s = 0;
  ck_assert_int_eq(mfh_nbody_create(10, 2, &bad, 1.0, &s, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_nbody_create(10, 2, NULL, 1.0, &s, &err), MFH_EINPUT);
  ck_assert_ptr_null(s);

  ck_assert_int_eq(mfh_nbody_create(7, 2, &g, 1.0 / 6, &s, &err), MFH_OK);
  gsl_rng *r = rng_new(1);
  ck_assert_int_eq(mfh_nbody_step_rbm(s, 0.1, r, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "even number of particles (N = 7)"));
  ck_assert_int_eq(mfh_nbody_step(s, 42, 0.1, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "unknown integrator"));
  ck_assert_int_eq(mfh_nbody_step(s, MFH_NBODY_VERLET, NAN, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_nbody_set_threads(s, 0, &err), MFH_EINPUT);
  double x[14] = {0};
  x[5] = INFINITY;
  ck_assert_int_eq(mfh_nbody_set_positions(s, x, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "position[5]"));
  x[5] = NAN;
  ck_assert_int_eq(mfh_nbody_set_velocities(s, x, &err), MFH_EINPUT);
  gsl_rng_free(r);
  mfh_nbody_destroy(s);
  mfh_nbody_destroy(NULL);

  mfh_nbody *e = NULL;
  ck_assert_int_eq(mfh_nbody_create(8, 2, &g, 1.0 / 7, &e, &err), MFH_OK);
  ck_assert_int_eq(mfh_nbody_step_rbm(e, 0.1, NULL, &err), MFH_EINPUT);
  mfh_nbody_destroy(e);
}
END_TEST

/* ---- the engines ------------------------------------------------------------ */

static const mfh_cloud *cloud_of(const mfh_state *s) {
  const mfh_cloud *c = mfh_state_get(s, &mfh_kind_cloud, "particles");
  ck_assert_ptr_nonnull(c);
  return c;
}

static void clear_states(mfh_state *s, size_t n) {
  for (size_t k = 0; k < n; k++) mfh_state_clear(&s[k]);
}

/* The initial cloud is N draws of the law from the initial data's stream,
 * in the documented order: positions particle by particle (x_1 by rejection
 * for init perturbed), then velocities; with init_seed > 0 from a stream of
 * its own, whatever the task's. */
START_TEST(test_engine_initial_draws) {
  const double L = 3.0, alpha = 0.4, sv = 0.7, sx = 1.3;
  mfh_params ps = mfh_test_engine_params(&mfh_engine_nbody, "dim=2 N=40 L=3 init=perturbed alpha=0.4 sv=0.7");
  mfh_state s0;
  mfh_test_engine_initial(&mfh_engine_nbody, &ps, 99, &s0);
  const mfh_cloud *c = cloud_of(&s0);
  ck_assert(c->n == 40 && c->dim == 4 && c->d == 2 && c->period == L);
  gsl_rng *r = mfh_rng_alloc(99);
  for (size_t j = 0; j < 40; j++) {
    double x;
    for (;;) {
      x = L * gsl_rng_uniform(r);
      if (gsl_rng_uniform(r) * (1 + alpha) <= 1 + alpha * cos(2 * PI * x / L)) break;
    }
    ck_assert(c->x[j * 4] == x);
    ck_assert(c->x[j * 4 + 1] == L * gsl_rng_uniform(r));
  }
  for (size_t m = 0; m < 80; m++) ck_assert(c->x[(m / 2) * 4 + 2 + m % 2] == sv * gsl_ran_gaussian_ziggurat(r, 1.0));
  gsl_rng_free(r);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
  /* the Gaussian law on R^3 */
  ps = mfh_test_engine_params(&mfh_engine_nbody, "dim=3 N=7 domain=free potential=gaussian init=gaussian sx=1.3");
  mfh_test_engine_initial(&mfh_engine_nbody, &ps, 5, &s0);
  c = cloud_of(&s0);
  ck_assert(c->d == 3 && c->period == 0);
  r = mfh_rng_alloc(5);
  for (size_t m = 0; m < 21; m++) ck_assert(c->x[(m / 3) * 6 + m % 3] == sx * gsl_ran_gaussian_ziggurat(r, 1.0));
  gsl_rng_free(r);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
  /* init_seed: the same data from any task stream */
  ps = mfh_test_engine_params(&mfh_engine_nbody, "N=16 init_seed=7");
  mfh_state s1;
  mfh_test_engine_initial(&mfh_engine_nbody, &ps, 1, &s0);
  mfh_test_engine_initial(&mfh_engine_nbody, &ps, 2, &s1);
  ck_assert(mfh_test_state_hash(&s0) == mfh_test_state_hash(&s1));
  r = mfh_rng_alloc(7);
  ck_assert(cloud_of(&s0)->x[0] == 2 * PI * gsl_rng_uniform(r));
  gsl_rng_free(r);
  mfh_state_clear(&s0);
  mfh_state_clear(&s1);
  mfh_params_free(&ps);
}
END_TEST

/* The engine's trajectory is the library's (no arithmetic of its own), and a
 * run with dt / 8 takes exactly the steps of the legacy "dt / refine, refine
 * substeps per step" reference of DT-1 (the harness's refined reference). */
START_TEST(test_engine_refined_steps) {
  const char *methods[2] = {"verlet", "yoshida4"};
  for (int q = 0; q < 2; q++) {
    char over[256];
    snprintf(over, sizeof over, "N=64 init=perturbed method=%s dt=0.0125", methods[q]);
    mfh_params ps = mfh_test_engine_params(&mfh_engine_nbody, over);
    mfh_state s0, out[1];
    mfh_test_engine_initial(&mfh_engine_nbody, &ps, 3, &s0);
    double t = 1.0;
    mfh_test_engine_run(&mfh_engine_nbody, &ps, &s0, 1, &t, 3, out);
    /* legacy: 10 coarse steps of 0.1, each 8 substeps of 0.1 / 8 */
    const mfh_cloud *c0 = cloud_of(&s0);
    mfh_potential p = cosine(1, 1.0, 2 * PI);
    mfh_nbody *sys = NULL;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_int_eq(mfh_nbody_create(64, 1, &p, 1.0 / 64, &sys, &err), MFH_OK);
    double x[64], v[64];
    for (size_t j = 0; j < 64; j++) x[j] = c0->x[2 * j], v[j] = c0->x[2 * j + 1];
    ck_assert_int_eq(mfh_nbody_set_positions(sys, x, &err), MFH_OK);
    ck_assert_int_eq(mfh_nbody_set_velocities(sys, v, &err), MFH_OK);
    double dt = 0.1;
    int refine = 8;
    for (long long step = 0; step < llround(t / dt); step++)
      for (int r = 0; r < refine; r++) step_n(sys, q ? MFH_NBODY_YOSHIDA4 : MFH_NBODY_VERLET, dt / (double)refine, 1);
    const mfh_cloud *c = cloud_of(&out[0]);
    for (size_t j = 0; j < 64; j++) {
      ck_assert_msg(c->x[2 * j] == mfh_nbody_x(sys, 0)[j], "%s: x[%zu] differs", methods[q], j);
      ck_assert(c->x[2 * j + 1] == mfh_nbody_v(sys, 0)[j]);
    }
    mfh_nbody_destroy(sys);
    clear_states(out, 1);
    mfh_state_clear(&s0);
    mfh_params_free(&ps);
  }
}
END_TEST

/* The stream contract (out[k] equals a run asked only for t[k]) for the
 * full dynamics and for random batches (their draws from the engine's own
 * stream); a start outside the torus is wrapped; energy is conserved. */
START_TEST(test_engine_stream_contract) {
  const char *overs[2] = {"N=32 dim=2 init=perturbed", "N=32 init=perturbed coupling=1/(N-1) batches=random"};
  double t[4] = {0, 0.05, 0.1, 0.3};
  for (int q = 0; q < 2; q++) {
    mfh_params ps = mfh_test_engine_params(&mfh_engine_nbody, overs[q]);
    mfh_state all[4], one[1];
    mfh_test_engine_run(&mfh_engine_nbody, &ps, NULL, 4, t, 11, all);
    for (size_t k = 0; k < 4; k++) {
      mfh_test_engine_run(&mfh_engine_nbody, &ps, NULL, 1, &t[k], 11, one);
      ck_assert_msg(mfh_test_state_hash(&all[k]) == mfh_test_state_hash(&one[0]), "%s: t = %g", overs[q], t[k]);
      clear_states(one, 1);
    }
    const double *drift = mfh_values_get(&all[3].scalars, "energy_drift");
    ck_assert_msg(drift && (q || *drift < 1e-5), "energy drift %g", drift ? *drift : NAN); /* Verlet: O(dt^2) */
    ck_assert(*mfh_values_get(&all[0].scalars, "energy_drift") == 0);
    clear_states(all, 4);
    mfh_params_free(&ps);
  }
  /* a perturbed start (positions moved outside [0, L)) is wrapped */
  mfh_params ps = mfh_test_engine_params(&mfh_engine_nbody, "N=8");
  mfh_state s0, out[1];
  mfh_test_engine_initial(&mfh_engine_nbody, &ps, 4, &s0);
  mfh_cloud *c0 = s0.item[0].data;
  c0->x[0] = -0.25;
  c0->x[2] = 2 * PI + 0.5;
  double t0 = 0;
  mfh_test_engine_run(&mfh_engine_nbody, &ps, &s0, 1, &t0, 4, out);
  const mfh_cloud *c = cloud_of(&out[0]);
  ck_assert_double_eq_tol(c->x[0], 2 * PI - 0.25, 1e-14);
  ck_assert_double_eq_tol(c->x[2], 0.5, 1e-14);
  clear_states(out, 1);
  mfh_state_clear(&s0);
  mfh_params_free(&ps);
}
END_TEST

/* KLIM-1: with coupling 1/N the empirical measure is a weak Vlasov solution
 * (residual at round-off); with 1/(N-1) it is off by O(1/N). */
START_TEST(test_engine_klim) {
  double t = 0.1, res[2];
  const char *overs[2] = {"N=256 init=perturbed klim=yes dt=0.01", "N=256 init=perturbed klim=yes coupling=1/(N-1)"};
  for (int q = 0; q < 2; q++) {
    mfh_params ps = mfh_test_engine_params(&mfh_engine_nbody, overs[q]);
    mfh_state out[1];
    mfh_test_engine_run(&mfh_engine_nbody, &ps, NULL, 1, &t, 21, out);
    res[q] = *mfh_values_get(&out[0].scalars, "klim");
    ck_assert(*mfh_values_get(&out[0].scalars, "klim_scale") > 0.01);
    clear_states(out, 1);
    mfh_params_free(&ps);
  }
  printf("KLIM-1 residual at N = 256: %.3g (1/N), %.3g (1/(N-1))\n", res[0], res[1]);
  ck_assert_msg(res[0] < 1e-14, "%g", res[0]);
  ck_assert_msg(res[1] > 1e-5, "%g", res[1]);
}
END_TEST

/* Field zero: free streaming x0 + v0 t on the torus, velocities unchanged,
 * at the whole number of steps nearest t. */
START_TEST(test_characteristics_free_streaming) {
  mfh_params pn = mfh_test_engine_params(&mfh_engine_nbody, "dim=3 N=50 L=2");
  mfh_params pc = mfh_test_engine_params(&mfh_engine_characteristics, "dim=3 L=2 field=zero dt=0.01");
  mfh_state s0, out[2];
  mfh_test_engine_initial(&mfh_engine_nbody, &pn, 8, &s0);
  double t[2] = {0, 0.37};
  mfh_test_engine_run(&mfh_engine_characteristics, &pc, &s0, 2, t, 8, out);
  const mfh_cloud *c0 = cloud_of(&s0);
  for (int k = 0; k < 2; k++) {
    const mfh_cloud *c = cloud_of(&out[k]);
    ck_assert(c->n == 50 && c->d == 3 && c->period == 2);
    for (size_t m = 0; m < 150; m++) {
      size_t j = m / 3, i = m % 3;
      double v = c0->x[j * 6 + 3 + i], x = fmod(c0->x[j * 6 + i] + v * t[k], 2.0);
      ck_assert(c->x[j * 6 + 3 + i] == v);
      ck_assert_msg(fabs(min_image(c->x[j * 6 + i] - x, 2.0)) < 1e-14, "t = %g: %.17g vs %.17g", t[k],
                    c->x[j * 6 + i], x);
      ck_assert(c->x[j * 6 + i] >= 0 && c->x[j * 6 + i] < 2.0);
    }
  }
  clear_states(out, 2);
  mfh_state_clear(&s0);
  mfh_params_free(&pn);
  mfh_params_free(&pc);
}
END_TEST

/* Field vlasov: the work prepared once per point changes nothing (and a
 * preparation that does not reach the times asked is not used); the stream
 * contract; for homogeneous data the Vlasov field vanishes and the
 * characteristics are free streaming; grid: yes gives f(t) of mass 1. */
START_TEST(test_characteristics_vlasov) {
  mfh_params pn = mfh_test_engine_params(&mfh_engine_nbody, "N=40 init=perturbed alpha=0.5");
  mfh_params pc = mfh_test_engine_params(&mfh_engine_characteristics,
                                         "field=vlasov init=perturbed alpha=0.5 nx=64 nv=64 grid=yes");
  mfh_state s0, a[3], b[3], one[1];
  mfh_test_engine_initial(&mfh_engine_nbody, &pn, 12, &s0);
  double t[3] = {0, 0.1, 0.25};
  void *shared = NULL, *short_prep = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_engine_characteristics.prepare(&pc, 3, t, &shared, &err), MFH_OK);
  ck_assert_int_eq(mfh_engine_characteristics.prepare(&pc, 2, t, &short_prep, &err), MFH_OK);
  ck_assert_ptr_nonnull(shared);
  mfh_test_engine_run_shared(&mfh_engine_characteristics, &pc, &s0, 3, t, 12, shared, a);
  mfh_test_engine_run(&mfh_engine_characteristics, &pc, &s0, 3, t, 12, b);
  for (int k = 0; k < 3; k++) ck_assert(mfh_test_state_hash(&a[k]) == mfh_test_state_hash(&b[k]));
  clear_states(b, 3);
  mfh_test_engine_run_shared(&mfh_engine_characteristics, &pc, &s0, 3, t, 12, short_prep, b);
  for (int k = 0; k < 3; k++) ck_assert(mfh_test_state_hash(&a[k]) == mfh_test_state_hash(&b[k]));
  for (int k = 0; k < 3; k++) {
    mfh_test_engine_run(&mfh_engine_characteristics, &pc, &s0, 1, &t[k], 12, one);
    ck_assert_msg(mfh_test_state_hash(&a[k]) == mfh_test_state_hash(&one[0]), "t = %g", t[k]);
    clear_states(one, 1);
    const mfh_phase_grid *g = mfh_state_get(&a[k], &mfh_kind_phase_grid, "f");
    ck_assert_ptr_nonnull(g);
    double mass;
    ck_assert_int_eq(mfh_phase_grid_moments(g, &mass, NULL, NULL, &err), MFH_OK);
    ck_assert_double_eq_tol(mass, 1.0, 1e-9);
    ck_assert_double_eq_tol(g->period, 2 * PI, 1e-15);
  }
  /* the particles feel the field: not free streaming */
  ck_assert(cloud_of(&a[2])->x[1] != cloud_of(&s0)->x[1]);
  mfh_engine_characteristics.release(shared);
  mfh_engine_characteristics.release(short_prep);
  clear_states(a, 3);
  clear_states(b, 3);
  mfh_state_clear(&s0);
  mfh_params_free(&pn);
  mfh_params_free(&pc);
  /* homogeneous data: the Vlasov characteristics are free streaming */
  pn = mfh_test_engine_params(&mfh_engine_nbody, "N=40");
  pc = mfh_test_engine_params(&mfh_engine_characteristics, "field=vlasov nx=64 nv=64");
  mfh_params pz = mfh_test_engine_params(&mfh_engine_characteristics, "field=zero");
  mfh_test_engine_initial(&mfh_engine_nbody, &pn, 13, &s0);
  mfh_test_engine_run(&mfh_engine_characteristics, &pc, &s0, 1, &t[2], 13, a);
  mfh_test_engine_run(&mfh_engine_characteristics, &pz, &s0, 1, &t[2], 13, b);
  const mfh_cloud *ca = cloud_of(&a[0]), *cb = cloud_of(&b[0]);
  double e = 0;
  for (size_t j = 0; j < 40; j++)
    e = fmax(e, fmax(fabs(min_image(ca->x[2 * j] - cb->x[2 * j], 2 * PI)), fabs(ca->x[2 * j + 1] - cb->x[2 * j + 1])));
  ck_assert_msg(e < 1e-10, "homogeneous data: %g from free streaming", e);
  clear_states(a, 1);
  clear_states(b, 1);
  mfh_state_clear(&s0);
  mfh_params_free(&pn);
  mfh_params_free(&pc);
  mfh_params_free(&pz);
}
END_TEST

START_TEST(test_engine_bad_parameters) {
  const mfh_engine_type *n = &mfh_engine_nbody, *c = &mfh_engine_characteristics;
  mfh_test_engine_expect_bad(n, "domain=free", "potential", "the cosine potential lives on the torus");
  mfh_test_engine_expect_bad(n, "init=gaussian", "init", "init gaussian is for domain: free");
  mfh_test_engine_expect_bad(n, "domain=free potential=gaussian", "init", "on the whole space use init: gaussian");
  mfh_test_engine_expect_bad(n, "potential=gaussian s=1", "s", "s <= L/8");
  mfh_test_engine_expect_bad(n, "t=0.105 dt=0.01", "t", "not a whole number of steps");
  mfh_test_engine_expect_bad(n, "N=7 batches=random coupling=1/(N-1)", "N", "N must be even");
  mfh_test_engine_expect_bad(n, "N=8 batches=random", "coupling", "coupling 1/(N-1)");
  mfh_test_engine_expect_bad(n, "N=8 batches=random coupling=1/(N-1) method=yoshida4", "method", "Verlet");
  mfh_test_engine_expect_bad(c, "init=perturbed", "field", "homogeneous");
  mfh_test_engine_expect_bad(c, "grid=yes", "grid", "field: vlasov");
  mfh_test_engine_expect_bad(c, "field=vlasov dim=2", "dim", "1D");
  mfh_test_engine_expect_bad(c, "field=vlasov domain=free potential=gaussian init=gaussian", "domain", "torus");
  mfh_test_engine_expect_bad(c, "field=vlasov init=gaussian", "init", "domain: free");
  mfh_test_engine_expect_bad(c, "t=0.105", "t", "not a whole number of steps");
  /* a start from a cloud of another geometry is refused at run time */
  mfh_params pn = mfh_test_engine_params(n, "dim=2 N=4"), pc = mfh_test_engine_params(c, "");
  mfh_state s0, out[1];
  mfh_test_engine_initial(n, &pn, 1, &s0);
  double t = 0.1;
  gsl_rng *r = mfh_rng_alloc(1);
  mfh_engine_ctx ctx = {1, &t, &s0, r, r, 1, 0, ".", NULL, 0, 0, NULL};
  memset(out, 0, sizeof out);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(c->run(&pc, &ctx, out, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "d = 2"));
  mfh_params_free(&pn);
  pn = mfh_test_engine_params(n, "N=5");
  ck_assert_int_eq(n->run(&pn, &ctx, out, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not N = 5"));
  clear_states(out, 1);
  gsl_rng_free(r);
  mfh_state_clear(&s0);
  mfh_params_free(&pn);
  mfh_params_free(&pc);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("particles");
  TCase *tc = tcase_create("potential");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_potential_constants);
  tcase_add_test(tc, test_potential_constants_scan);
  tcase_add_test(tc, test_potential_value_grad);
  tcase_add_test(tc, test_potential_bad);
  tcase_add_test(tc, test_vmath_accuracy);
  suite_add_tcase(s, tc);
  tc = tcase_create("nbody");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_forces_vs_naive);
  tcase_add_test(tc, test_forces_dilute);
  tcase_add_test(tc, test_potential_energy_vs_naive);
  tcase_add_test(tc, test_momentum);
  tcase_add_test(tc, test_convergence_order);
  tcase_add_test(tc, test_energy_conservation);
  tcase_add_test(tc, test_time_reversibility);
  tcase_add_test(tc, test_threads_bit_identical);
  tcase_add_test(tc, test_golden_bits);
  tcase_add_test(tc, test_torus_wrap);
  tcase_add_test(tc, test_field_orders_and_cache);
  tcase_add_test(tc, test_field_matches_nbody);
  tcase_add_test(tc, test_bad_parameters);
  suite_add_tcase(s, tc);
  tc = tcase_create("rbm");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_rbm_two_particles);
  tcase_add_test(tc, test_rbm_pair_frequency);
  tcase_add_test(tc, test_rbm_zero_potential);
  tcase_add_test(tc, test_rbm_momentum);
  suite_add_tcase(s, tc);
  tc = tcase_create("engines");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_engine_initial_draws);
  tcase_add_test(tc, test_engine_refined_steps);
  tcase_add_test(tc, test_engine_stream_contract);
  tcase_add_test(tc, test_engine_klim);
  tcase_add_test(tc, test_characteristics_free_streaming);
  tcase_add_test(tc, test_characteristics_vlasov);
  tcase_add_test(tc, test_engine_bad_parameters);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
