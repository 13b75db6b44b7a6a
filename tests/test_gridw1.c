/* Tests for metrics/gridw1 (W_1 between a 1D1V cloud and a grid density,
 * certified bracket) and the observable w1_grid over states.  References are
 * independent of the bracket's code: brute-force transport against every
 * fine cell cut into s x s sub-cells with the mass at their centres (exact to
 * within (dx + dv) / (4 s)), closed forms for product laws, and the direct
 * distance for a single point against a single cell. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/kinds.h"
#include "core/param.h"
#include "pipeline/registry.h"
#include "core/status.h"
#include "core/cloud.h"
#include "metrics/gridw1.h"
#include "metrics/transport.h"
#include "observables/w1grid.h"
#include "tests/testutil.h"

/* ---- helpers ------------------------------------------------------------ */

static double tdist(double a, double b, double P) {
  double d = a - b;
  if (P > 0) d -= P * round(d / P);
  return fabs(d);
}

/* A grid nx x nv on x_i = xmin + i dx, v_j = vmin + j dv (owned f). */
static mfh_phase_grid grid_new(size_t nx, size_t nv, double xmin, double dx, double vmin, double dv,
                           int periodic) {
  mfh_phase_grid g = {nx, nv, xmin, dx, vmin, dv, periodic ? (double)nx * dx : 0, NULL};
  g.f = calloc(nx * nv, sizeof *g.f);
  ck_assert_ptr_nonnull(g.f);
  return g;
}

/* Random positive smooth-ish density, normalised to mass 1. */
static void grid_fill_random(mfh_phase_grid *g, gsl_rng *r) {
  double m = 0;
  for (size_t k = 0; k < g->nx * g->nv; k++) {
    g->f[k] = 0.05 + gsl_rng_uniform(r);
    m += g->f[k] * g->dx * g->dv;
  }
  for (size_t k = 0; k < g->nx * g->nv; k++) g->f[k] /= m;
}

static mfh_cloud cloud_new(size_t n) {
  mfh_cloud c;
  ck_assert_int_eq(mfh_cloud_alloc(&c, n, 2), MFH_OK);
  return c;
}

/* Brute force: W_1(mu, nu) for nu = max(f, 0) / m_+ read as piecewise
 * constant, approximated by s x s atoms per cell; *tol gets the exact
 * half-width of the error, (dx + dv) / (4 s). */
static double brute_w1(const mfh_cloud *mu, const mfh_phase_grid *g, size_t s, double *tol) {
  size_t na = g->nx * g->nv * s * s, n = mu->n;
  double *b = malloc(na * sizeof *b), *ax = malloc(na * sizeof *ax), *av = malloc(na * sizeof *av);
  double *a = malloc(n * sizeof *a), *c = malloc(n * na * sizeof *c);
  ck_assert(b && ax && av && a && c);
  double mp = 0;
  size_t k = 0;
  for (size_t i = 0; i < g->nx; i++)
    for (size_t j = 0; j < g->nv; j++) {
      double f = fmax(g->f[i * g->nv + j], 0) * g->dx * g->dv;
      mp += f;
      for (size_t p = 0; p < s; p++)
        for (size_t q = 0; q < s; q++, k++) {
          ax[k] = g->xmin + (double)i * g->dx - g->dx / 2 + ((double)p + 0.5) * g->dx / (double)s;
          av[k] = g->vmin + (double)j * g->dv - g->dv / 2 + ((double)q + 0.5) * g->dv / (double)s;
          b[k] = f / (double)(s * s);
        }
    }
  for (k = 0; k < na; k++) b[k] /= mp;
  for (size_t i = 0; i < n; i++) {
    a[i] = mu->w ? mu->w[i] : 1.0 / (double)n;
    for (k = 0; k < na; k++)
      c[i * na + k] = tdist(mu->x[2 * i], ax[k], g->period) + fabs(mu->x[2 * i + 1] - av[k]);
  }
  double w;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_transport_solve(n, a, na, b, c, &w, &err), MFH_OK);
  *tol = (g->dx + g->dv) / (4.0 * (double)s);
  free(b);
  free(ax);
  free(av);
  free(a);
  free(c);
  return w;
}

static mfh_gridw1_result run(const mfh_cloud *mu, const mfh_phase_grid *g, size_t nbx, size_t nbv) {
  mfh_gridw1_opts o;
  mfh_gridw1_opts_init(&o);
  o.nbx = nbx;
  o.nbv = nbv;
  mfh_gridw1_result r;
  mfh_err err;
  mfh_err_clear(&err);
  int rc = mfh_gridw1(mu, g, &o, &r, &err);
  ck_assert_msg(rc == MFH_OK, "mfh_gridw1: %s", err.msg);
  ck_assert(r.lo <= r.est && r.est <= r.hi);
  return r;
}

/* ---- bracket against brute force ------------------------------------------ */

START_TEST(test_bracket_brute_force) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  const size_t blocks[][2] = {{0, 0}, {1, 1}, {2, 2}, {2, 3}, {4, 3}};
  for (int periodic = 0; periodic <= 1; periodic++)
    for (unsigned long seed = 1; seed <= 4; seed++) {
      gsl_rng_set(r, seed + 10 * (unsigned long)periodic);
      mfh_phase_grid g = grid_new(4, 3, 0.25, 0.5, -0.5, 0.5, periodic);
      grid_fill_random(&g, r);
      mfh_cloud mu = cloud_new(5);
      for (size_t i = 0; i < 5; i++) {
        mu.x[2 * i] = -1 + 4 * gsl_rng_uniform(r); /* wraps on the torus */
        mu.x[2 * i + 1] = -1.5 + 3 * gsl_rng_uniform(r); /* partly outside the box */
      }
      double tol, w = brute_w1(&mu, &g, 16, &tol);
      for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        mfh_gridw1_result res = run(&mu, &g, blocks[b][0], blocks[b][1]);
        ck_assert_msg(res.lo <= w + tol + 1e-12 && w - tol - 1e-12 <= res.hi,
                      "periodic %d seed %lu blocks %zux%zu: [%g, %g] misses %g +/- %g", periodic,
                      seed, blocks[b][0], blocks[b][1], res.lo, res.hi, w, tol);
        ck_assert(res.glued <= res.coarse + res.spread + 1e-12);
        ck_assert(res.marg_x + res.marg_v <= w + tol + 1e-12);
      }
      free(g.f);
      mfh_cloud_free(&mu);
    }
  gsl_rng_free(r);
}
END_TEST

/* A weighted cloud goes through the same checks. */
START_TEST(test_bracket_weighted) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 99);
  mfh_phase_grid g = grid_new(6, 4, 0, 1.0, 0, 0.75, 1);
  grid_fill_random(&g, r);
  mfh_cloud mu = cloud_new(4);
  mu.w = malloc(4 * sizeof *mu.w);
  ck_assert_ptr_nonnull(mu.w);
  const double w4[4] = {0.1, 0.2, 0.3, 0.4};
  for (size_t i = 0; i < 4; i++) {
    mu.w[i] = w4[i];
    mu.x[2 * i] = 6 * gsl_rng_uniform(r);
    mu.x[2 * i + 1] = 3 * gsl_rng_uniform(r);
  }
  double tol, w = brute_w1(&mu, &g, 20, &tol);
  mfh_gridw1_result res = run(&mu, &g, 3, 2);
  ck_assert(res.lo <= w + tol + 1e-12 && w - tol - 1e-12 <= res.hi);
  free(g.f);
  mfh_cloud_free(&mu);
  gsl_rng_free(r);
}
END_TEST

/* ---- products of 1D laws: W_1 = W_1(x-marginals) + W_1(v-marginals) ------- */

/* Uniform nu and a product lattice of equally spaced points: on the circle
 * W_1 = P / (4 a), on the line W_v / (4 b), exactly. */
START_TEST(test_product_uniform) {
  const size_t nx = 8, nv = 6, a = 4, b = 3;
  mfh_phase_grid g = grid_new(nx, nv, 0.1, 0.25, -1.0, 0.4, 1);
  double P = g.period, Wv = (double)nv * g.dv, x0 = g.xmin - g.dx / 2, v0 = g.vmin - g.dv / 2;
  for (size_t k = 0; k < nx * nv; k++) g.f[k] = 1.0 / (P * Wv);
  mfh_cloud mu = cloud_new(a * b);
  for (size_t i = 0; i < a; i++)
    for (size_t j = 0; j < b; j++) {
      mu.x[2 * (i * b + j)] = x0 + 0.3 + P * (double)i / (double)a; /* any rotation */
      mu.x[2 * (i * b + j) + 1] = v0 + Wv * ((double)j + 0.5) / (double)b;
    }
  double exact = P / (4.0 * (double)a) + Wv / (4.0 * (double)b);
  const size_t blocks[][2] = {{0, 0}, {2, 2}, {8, 6}};
  for (size_t k = 0; k < 3; k++) {
    mfh_gridw1_result res = run(&mu, &g, blocks[k][0], blocks[k][1]);
    ck_assert_double_eq_tol(res.marg_x, P / (4.0 * (double)a), 1e-12);
    ck_assert_double_eq_tol(res.marg_v, Wv / (4.0 * (double)b), 1e-12);
    ck_assert(res.lo <= exact && exact <= res.hi);
    ck_assert_double_eq_tol(res.lo, exact, 1e-8); /* the marginal bound is tight */
  }
  free(g.f);
  mfh_cloud_free(&mu);
}
END_TEST

/* 1D brute force on the circle (P > 0) or line: points against m cells
 * [e0 + k h, e0 + (k+1) h) with masses cm, each cut into s atoms. */
static double brute_1d(size_t n, const double *x, size_t m, double e0, double h, const double *cm,
                       double P, size_t s, double *tol) {
  size_t na = m * s;
  double *b = malloc(na * sizeof *b), *a = malloc(n * sizeof *a), *c = malloc(n * na * sizeof *c);
  ck_assert(b && a && c);
  for (size_t k = 0; k < m; k++)
    for (size_t p = 0; p < s; p++) b[k * s + p] = cm[k] / (double)s;
  for (size_t i = 0; i < n; i++) {
    a[i] = 1.0 / (double)n;
    for (size_t k = 0; k < na; k++)
      c[i * na + k] = tdist(x[i], e0 + ((double)k + 0.5) * h / (double)s, P);
  }
  double w;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_transport_solve(n, a, na, b, c, &w, &err), MFH_OK);
  *tol = h / (4.0 * (double)s);
  free(a);
  free(b);
  free(c);
  return w;
}

/* Non-uniform product rho(x) g(v) and a product lattice of arbitrary points. */
START_TEST(test_product_general) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  const size_t nx = 6, nv = 5, a = 3, b = 4;
  mfh_phase_grid g = grid_new(nx, nv, 0.5, 1.0, -2.0, 1.0, 1);
  double rho[6], gv[5], sr = 0, sg = 0;
  for (size_t i = 0; i < nx; i++) sr += rho[i] = 0.1 + gsl_rng_uniform(r);
  for (size_t j = 0; j < nv; j++) sg += gv[j] = 0.1 + gsl_rng_uniform(r);
  for (size_t i = 0; i < nx; i++) rho[i] /= sr;
  for (size_t j = 0; j < nv; j++) gv[j] /= sg;
  for (size_t i = 0; i < nx; i++)
    for (size_t j = 0; j < nv; j++) g.f[i * nv + j] = rho[i] * gv[j] / (g.dx * g.dv);
  double X[3], V[4];
  for (size_t i = 0; i < a; i++) X[i] = -3 + 12 * gsl_rng_uniform(r);
  for (size_t j = 0; j < b; j++) V[j] = -3.5 + 7 * gsl_rng_uniform(r);
  mfh_cloud mu = cloud_new(a * b);
  for (size_t i = 0; i < a; i++)
    for (size_t j = 0; j < b; j++) {
      mu.x[2 * (i * b + j)] = X[i];
      mu.x[2 * (i * b + j) + 1] = V[j];
    }
  double tx, tv;
  double wx = brute_1d(a, X, nx, 0, 1.0, rho, g.period, 200, &tx);
  double wv = brute_1d(b, V, nv, -2.5, 1.0, gv, 0, 200, &tv);
  mfh_gridw1_result res = run(&mu, &g, 0, 0);
  ck_assert_double_eq_tol(res.marg_x, wx, tx + 1e-12);
  ck_assert_double_eq_tol(res.marg_v, wv, tv + 1e-12);
  ck_assert(res.lo <= wx + wv + tx + tv && wx + wv - tx - tv <= res.hi);
  ck_assert_double_eq_tol(res.lo, wx + wv, tx + tv + 1e-8);
  free(g.f);
  mfh_cloud_free(&mu);
  gsl_rng_free(r);
}
END_TEST

/* ---- torus wrap-around ---------------------------------------------------- */

/* All mass in column 0, one point just left of it (or the same point given
 * modulo the period): W_1 = delta + dx/2 + dv/4 on the torus; on the line
 * the shifted copies are far away. */
START_TEST(test_torus_wrap) {
  mfh_phase_grid g = grid_new(8, 1, 0.0, 0.5, 1.0, 0.2, 1);
  g.f[0] = 1.0 / (g.dx * g.dv);
  double P = g.period, x0 = g.xmin - g.dx / 2, delta = 0.3;
  double exact = delta + g.dx / 2 + g.dv / 4;
  const double shifts[] = {0, 1, 3, -2};
  mfh_cloud mu = cloud_new(1);
  for (size_t k = 0; k < 4; k++) {
    mu.x[0] = x0 - delta + shifts[k] * P;
    mu.x[1] = g.vmin;
    mfh_gridw1_result res = run(&mu, &g, 0, 0);
    ck_assert_double_eq_tol(res.est, exact, 1e-8); /* clamped to lo */
    ck_assert_double_eq_tol(res.lo, exact, 1e-8);
    ck_assert_double_eq_tol(res.hi, exact, 1e-8);
    ck_assert_double_eq_tol(res.marg_x, delta + g.dx / 2, 1e-12);
  }
  /* a point at the cell's centre: dx/4 + dv/4; at the antipode of the
   * centre: P/2 - dx/4 + dv/4 (the cell straddles the circle's far kink;
   * the centroid is P/2 away, so est is clamped down to the bracket) */
  const double where[2] = {g.xmin, g.xmin + P / 2}, want[2] = {g.dx / 4, P / 2 - g.dx / 4};
  for (size_t k = 0; k < 2; k++) {
    mu.x[0] = where[k];
    mu.x[1] = g.vmin;
    mfh_gridw1_result res = run(&mu, &g, 0, 0);
    ck_assert_double_eq_tol(res.lo, want[k] + g.dv / 4, 1e-8);
    ck_assert_double_eq_tol(res.hi, want[k] + g.dv / 4, 1e-8);
    ck_assert_double_eq_tol(res.glued, want[k] + g.dv / 4, 1e-12);
    ck_assert_double_eq_tol(res.spread, g.dx / 4 + g.dv / 4, 1e-12);
  }
  /* the same point on the line (period 0): the far copy is P away */
  g.period = 0;
  mu.x[0] = x0 - delta + P;
  mfh_gridw1_result res = run(&mu, &g, 0, 0);
  ck_assert_double_eq_tol(res.lo, P - delta - g.dx / 2 + g.dv / 4, 1e-8);
  ck_assert_double_eq_tol(res.hi, P - delta - g.dx / 2 + g.dv / 4, 1e-8);
  free(g.f);
  mfh_cloud_free(&mu);
}
END_TEST

/* ---- negative values and mass deficit ------------------------------------ */

START_TEST(test_negative_and_deficit) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  mfh_phase_grid g = grid_new(5, 4, 0, 0.4, -0.6, 0.4, 1);
  grid_fill_random(&g, r);
  for (size_t k = 0; k < 20; k++) g.f[k] *= 0.9; /* mass 0.9 */
  g.f[3] = -0.05;                                /* undershoots */
  g.f[11] = -0.02;
  mfh_phase_grid clean = grid_new(5, 4, 0, 0.4, -0.6, 0.4, 1);
  double mp = 0, mn = 0, cell = g.dx * g.dv;
  for (size_t k = 0; k < 20; k++) {
    if (g.f[k] > 0) mp += g.f[k] * cell;
    else mn -= g.f[k] * cell;
  }
  for (size_t k = 0; k < 20; k++) clean.f[k] = fmax(g.f[k], 0) / mp;
  mfh_cloud mu = cloud_new(6);
  for (size_t i = 0; i < 6; i++) {
    mu.x[2 * i] = 2 * gsl_rng_uniform(r);
    mu.x[2 * i + 1] = -1 + 2 * gsl_rng_uniform(r);
  }
  mfh_gridw1_result res = run(&mu, &g, 2, 2), rc = run(&mu, &clean, 2, 2);
  double e0 = mn + fabs(mp - 1), D = g.period / 2 + (double)g.nv * g.dv;
  ck_assert_double_eq_tol(res.mass_pos, mp, 1e-14);
  ck_assert_double_eq_tol(res.mass_neg, mn, 1e-14);
  ck_assert_double_eq_tol(res.defect, e0, 1e-14);
  ck_assert_double_eq_tol(res.diam, D, 1e-14);
  ck_assert(e0 > 0.1);
  /* the same bracket as the clean grid, widened by D e0 on each side */
  ck_assert_double_eq_tol(res.hi, rc.hi + D * e0, 1e-12);
  ck_assert_double_eq_tol(res.lo, fmax(0, rc.lo - D * e0), 1e-12);
  ck_assert_double_eq_tol(res.coarse, rc.coarse, 1e-12);
  /* it holds for nu = f_+ / m_+ and for rho = f_+ + (1 - m_+) spread
   * uniformly (a probability at L1 distance e0 from the grid) */
  double tol, w = brute_w1(&mu, &g, 16, &tol);
  ck_assert(res.lo <= w + tol && w - tol <= res.hi);
  mfh_phase_grid rho = grid_new(5, 4, 0, 0.4, -0.6, 0.4, 1);
  double area = g.period * (double)g.nv * g.dv;
  ck_assert(mp < 1);
  for (size_t k = 0; k < 20; k++) rho.f[k] = fmax(g.f[k], 0) + (1 - mp) / area;
  double wr = brute_w1(&mu, &rho, 16, &tol);
  ck_assert(res.lo <= wr + tol && wr - tol <= res.hi);
  free(g.f);
  free(clean.f);
  free(rho.f);
  mfh_cloud_free(&mu);
  gsl_rng_free(r);
}
END_TEST

/* ---- finer blocks, tighter bracket ---------------------------------------- */

START_TEST(test_bracket_shrinks) {
  const size_t nx = 16, nv = 16;
  mfh_phase_grid g = grid_new(nx, nv, 0, 2 * M_PI / 16, -4, 8.0 / 15, 1);
  double m = 0;
  for (size_t i = 0; i < nx; i++)
    for (size_t j = 0; j < nv; j++) {
      double x = g.xmin + (double)i * g.dx, v = g.vmin + (double)j * g.dv;
      g.f[i * nv + j] = (1 + 0.5 * cos(x)) * exp(-v * v / 2);
      m += g.f[i * nv + j] * g.dx * g.dv;
    }
  for (size_t k = 0; k < nx * nv; k++) g.f[k] /= m;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  mfh_cloud mu = cloud_new(40);
  for (size_t i = 0; i < 40; i++) {
    mu.x[2 * i] = 2 * M_PI * gsl_rng_uniform(r);
    mu.x[2 * i + 1] = -2 + 4 * gsl_rng_uniform(r);
  }
  const size_t nb[] = {2, 4, 8, 16};
  double width = INFINITY, spread = INFINITY;
  for (size_t k = 0; k < 4; k++) {
    mfh_gridw1_result res = run(&mu, &g, nb[k], nb[k]);
    ck_assert_uint_eq(res.nbx, nb[k]);
    ck_assert_msg(res.hi - res.lo < width && res.spread < spread,
                  "%zu blocks: width %g (before %g), spread %g (before %g)", nb[k], res.hi - res.lo,
                  width, res.spread, spread);
    width = res.hi - res.lo;
    spread = res.spread;
  }
  /* the spread of single cells is exactly (dx + dv) / 4 */
  ck_assert_double_eq_tol(spread, (g.dx + g.dv) / 4, 1e-12);
  /* default choice: about cells_per_point * n blocks */
  mfh_gridw1_opts o;
  mfh_gridw1_opts_init(&o);
  o.cells_per_point = 2;
  mfh_gridw1_result res;
  mfh_err err;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, &o, &res, &err), MFH_OK);
  ck_assert(res.nbx * res.nbv >= 60 && res.nbx * res.nbv <= 100);
  ck_assert(res.nbx > res.nbv); /* the x range (2 pi) is wider than the v bulk */
  free(g.f);
  mfh_cloud_free(&mu);
  gsl_rng_free(r);
}
END_TEST

/* ---- bad input ------------------------------------------------------------ */

START_TEST(test_bad_input) {
  mfh_err err;
  mfh_gridw1_result res;
  mfh_phase_grid g = grid_new(4, 4, 0, 0.5, 0, 0.5, 1);
  for (size_t k = 0; k < 16; k++) g.f[k] = 1;
  mfh_cloud c3;
  ck_assert_int_eq(mfh_cloud_alloc(&c3, 3, 3), MFH_OK);
  memset(c3.x, 0, 9 * sizeof *c3.x);
  ck_assert_int_eq(mfh_gridw1(&c3, &g, NULL, &res, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "dim"));
  mfh_cloud_free(&c3);
  mfh_cloud mu = cloud_new(2);
  memset(mu.x, 0, 4 * sizeof *mu.x);
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_OK);
  mu.n = 0;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  mu.n = 2;
  mu.x[1] = NAN;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  mu.x[1] = 0;
  double w[2] = {0.5, 0.6};
  mu.w = w;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  mu.w = NULL;
  g.period = 3; /* not nx dx */
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  g.period = 2;
  g.dv = 0;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  g.dv = 0.5;
  for (size_t k = 0; k < 16; k++) g.f[k] = -1;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  g.f[0] = INFINITY;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, NULL, &res, &err), MFH_EINPUT);
  for (size_t k = 0; k < 16; k++) g.f[k] = 1;
  mfh_gridw1_opts o;
  mfh_gridw1_opts_init(&o);
  o.cells_per_point = 0;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, &o, &res, &err), MFH_EINPUT);
  o.cells_per_point = 2;
  ck_assert_int_eq(mfh_gridw1(&mu, &g, &o, &res, &err), MFH_OK);
  mfh_phase_grid g1 = grid_new(1, 4, 0, 0.5, 0, 0.5, 1);
  for (size_t k = 0; k < 4; k++) g1.f[k] = 1;
  ck_assert_int_eq(mfh_gridw1(&mu, &g1, NULL, &res, &err), MFH_EINPUT);
  free(g1.f);
  free(g.f);
  mfh_cloud_free(&mu);
}
END_TEST

/* ---- the observable -------------------------------------------------------- */

/* The observable's parameters at their defaults. */
static mfh_params obs_params(void) {
  mfh_params ps = {0, NULL};
  mfh_mark none = {NULL, 0, 0};
  mfh_err err;
  const mfh_observable_type *o = &mfh_obs_w1_grid;
  for (size_t k = 0; k < o->nparams; k++) {
    mfh_param_val v;
    const mfh_param_def *d = &o->params[k];
    ck_assert_int_eq(mfh_param_parse(d, d->def, none, d->name, &v, &err), MFH_OK);
    ck_assert_int_eq(mfh_params_put(&ps, &v), MFH_OK);
  }
  return ps;
}

/* A state holding a heap copy of a cloud of particles in d = 1 on the torus L, or of a grid. */
static void put_cloud(mfh_state *s, const mfh_cloud *c, double L) {
  void *copy = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_kind_cloud.copy(c, &copy, &err), MFH_OK);
  ((mfh_cloud *)copy)->d = 1;
  ((mfh_cloud *)copy)->period = L;
  ck_assert_int_eq(mfh_state_put(s, "particles", &mfh_kind_cloud, copy, &err), MFH_OK);
}

static void put_grid(mfh_state *s, const mfh_phase_grid *g) {
  void *copy = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_kind_phase_grid.copy(g, &copy, &err), MFH_OK);
  ck_assert_int_eq(mfh_state_put(s, "f", &mfh_kind_phase_grid, copy, &err), MFH_OK);
}

START_TEST(test_observable_registered) {
  const mfh_observable_type *o = mfh_obs_find("w1_grid");
  ck_assert_ptr_eq(o, &mfh_obs_w1_grid);
  ck_assert_str_eq(o->needs, "a:cloud b:phase_grid a0:cloud b0:phase_grid");
  ck_assert_ptr_nonnull(strstr(o->outputs, "ratio_hi"));
}
END_TEST

/* The observable gives the metric's bracket at t and at 0 (the same numbers
 * as mfh_gridw1 on the same inputs), their ratios, and refuses particles
 * that are not in d = 1 or live on another torus than the grid. */
START_TEST(test_observable_eval) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  double L = 2 * M_PI;
  mfh_phase_grid g = grid_new(16, 12, 0, L / 16, -3, 6.0 / 11, 1), g0 = grid_new(16, 12, 0, L / 16, -3, 6.0 / 11, 1);
  grid_fill_random(&g, r);
  grid_fill_random(&g0, r);
  mfh_cloud c = cloud_new(30), c0 = cloud_new(30);
  for (size_t k = 0; k < 60; k++) {
    c.x[k] = (k % 2 ? 4 : L) * gsl_rng_uniform(r) - (k % 2 ? 2 : 0);
    c0.x[k] = (k % 2 ? 4 : L) * gsl_rng_uniform(r) - (k % 2 ? 2 : 0);
  }
  mfh_state sa = {0}, sb = {0}, sa0 = {0}, sb0 = {0};
  put_cloud(&sa, &c, L);
  put_cloud(&sa0, &c0, L);
  put_grid(&sb, &g);
  put_grid(&sb0, &g0);
  mfh_obs_args in = {{&sa, &sb, &sa0, &sb0}, 1.0};
  mfh_params p = obs_params();
  mfh_values out = {0, 0, NULL};
  mfh_err err;
  int rc = mfh_obs_w1_grid.eval(&p, &in, &out, &err);
  ck_assert_msg(rc == MFH_OK, "%s", err.msg);
  const double *w1 = mfh_values_get(&out, "w1"), *lo = mfh_values_get(&out, "w1_lo"),
               *hi = mfh_values_get(&out, "w1_hi"), *w0 = mfh_values_get(&out, "w1_0"),
               *lo0 = mfh_values_get(&out, "w1_0_lo"), *hi0 = mfh_values_get(&out, "w1_0_hi"),
               *ratio = mfh_values_get(&out, "ratio"), *rhi = mfh_values_get(&out, "ratio_hi");
  ck_assert(w1 && lo && hi && w0 && lo0 && hi0 && ratio && rhi);
  ck_assert(*lo > 0 && *lo <= *w1 && *w1 <= *hi && *lo0 > 0 && *lo0 <= *w0 && *w0 <= *hi0);
  ck_assert_double_eq_tol(*ratio, *w1 / *w0, 1e-15);
  ck_assert_double_eq_tol(*rhi, *hi / *lo0, 1e-15);
  mfh_gridw1_opts o;
  mfh_gridw1_opts_init(&o);
  o.cells_per_point = 2;
  mfh_gridw1_result direct;
  ck_assert_int_eq(mfh_gridw1(&c, &g, &o, &direct, &err), MFH_OK);
  ck_assert(direct.est == *w1 && direct.lo == *lo && direct.hi == *hi);
  /* particles on another torus than the grid's */
  ((mfh_cloud *)sa.item[0].data)->period = 16 * 0.3;
  ck_assert_int_eq(mfh_obs_w1_grid.eval(&p, &in, &out, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "period"));
  /* particles in d = 2 */
  ((mfh_cloud *)sa.item[0].data)->period = L;
  ((mfh_cloud *)sa.item[0].data)->d = 2;
  ck_assert_int_eq(mfh_obs_w1_grid.eval(&p, &in, &out, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "d = 1"));
  mfh_values_free(&out);
  mfh_params_free(&p);
  mfh_state_clear(&sa);
  mfh_state_clear(&sb);
  mfh_state_clear(&sa0);
  mfh_state_clear(&sb0);
  mfh_cloud_free(&c);
  mfh_cloud_free(&c0);
  free(g.f);
  free(g0.f);
  gsl_rng_free(r);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("gridw1");
  TCase *tc = tcase_create("bracket");
  tcase_add_test(tc, test_bracket_brute_force);
  tcase_add_test(tc, test_bracket_weighted);
  tcase_add_test(tc, test_product_uniform);
  tcase_add_test(tc, test_product_general);
  tcase_add_test(tc, test_torus_wrap);
  tcase_add_test(tc, test_negative_and_deficit);
  tcase_add_test(tc, test_bracket_shrinks);
  tcase_add_test(tc, test_bad_input);
  suite_add_tcase(s, tc);
  TCase *to = tcase_create("observable");
  tcase_add_test(to, test_observable_registered);
  tcase_add_test(to, test_observable_eval);
  suite_add_tcase(s, to);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
