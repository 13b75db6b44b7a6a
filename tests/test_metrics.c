/* Tests for metrics/: exact W_p (1D quantiles, assignment, transport) and
 * 1D cloud-to-law distances.  References are independent of the code under
 * test: brute force over permutations, replication to a common denominator
 * (a transport problem with rational masses is an assignment problem),
 * adaptive quadrature of the full quantile integrand, closed forms. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/status.h"
#include "metrics/assignment.h"
#include "core/cloud.h"
#include "metrics/transport.h"
#include "metrics/wasserstein.h"
#include "tests/testutil.h"

/* ---- helpers ------------------------------------------------------------ */

#define PI 3.14159265358979323846

static double rel_diff(double a, double b) {
  double s = fmax(fabs(a), fabs(b));
  return s > 0 ? fabs(a - b) / s : 0.0;
}

static double cost_pp(const double *x, const double *y, size_t dim, double p) {
  double s = 0;
  for (size_t k = 0; k < dim; k++) s += (x[k] - y[k]) * (x[k] - y[k]);
  return pow(sqrt(s), p);
}

/* Heap's algorithm: minimum over all permutations of sum_i c[i][perm[i]]. */
static double brute_assignment(size_t n, const double *c) {
  size_t perm[8], cnt[8] = {0};
  for (size_t i = 0; i < n; i++) perm[i] = i;
  double best = 0;
  for (size_t i = 0; i < n; i++) best += c[i * n + perm[i]];
  size_t i = 1;
  while (i < n) {
    if (cnt[i] < i) {
      size_t k = (i % 2) ? cnt[i] : 0, t = perm[k];
      perm[k] = perm[i];
      perm[i] = t;
      double s = 0;
      for (size_t r = 0; r < n; r++) s += c[r * n + perm[r]];
      if (s < best) best = s;
      cnt[i]++;
      i = 1;
    } else {
      cnt[i] = 0;
      i++;
    }
  }
  return best;
}

static void random_cloud(mfh_cloud *c, size_t n, size_t dim, gsl_rng *r) {
  ck_assert_int_eq(mfh_cloud_alloc(c, n, dim), MFH_OK);
  for (size_t k = 0; k < n * dim; k++) c->x[k] = gsl_rng_uniform(r) * 2.0 - 0.5;
}

/* Random weights k_i / L with positive integers k_i summing to L. */
static void random_rational_weights(mfh_cloud *c, size_t L, int *k, gsl_rng *r) {
  size_t n = c->n, left = L;
  c->w = malloc(n * sizeof *c->w);
  for (size_t i = 0; i < n; i++) {
    size_t room = left - (n - 1 - i); /* keep >= 1 for each of the rest */
    size_t ki = i + 1 == n ? left : 1 + gsl_rng_uniform_int(r, (unsigned long)(room > 1 ? room / 2 : 1));
    if (ki > room) ki = room;
    k[i] = (int)ki;
    left -= ki;
  }
  for (size_t i = 0; i < n; i++) c->w[i] = (double)k[i] / (double)L;
}

static double wpp_ok(const mfh_cloud *a, const mfh_cloud *b, double p) {
  mfh_err err;
  mfh_err_clear(&err);
  double w = -1;
  int st = mfh_wasserstein_pp(a, b, p, &w, &err);
  ck_assert_msg(st == MFH_OK, "mfh_wasserstein_pp failed: %s", err.msg);
  return w;
}

/* ---- assignment ------------------------------------------------------------ */

START_TEST(test_assignment_brute_force) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  for (int trial = 0; trial < 300; trial++) {
    size_t n = 1 + (size_t)(trial % 7);
    double c[49];
    int kind = trial % 3;
    for (size_t k = 0; k < n * n; k++)
      c[k] = kind == 0 ? gsl_rng_uniform(r) : (double)gsl_rng_uniform_int(r, 3); /* ties */
    if (kind == 2)
      for (size_t k = 0; k < n * n; k++) c[k] = -c[k] * 1e6;
    size_t m[7];
    double tot;
    mfh_err err;
    ck_assert_int_eq(mfh_assignment_solve(n, c, m, &tot, &err), MFH_OK);
    int used[7] = {0};
    double s = 0;
    for (size_t i = 0; i < n; i++) {
      ck_assert_uint_lt(m[i], n);
      ck_assert_int_eq(used[m[i]]++, 0);
      s += c[i * n + m[i]];
    }
    double bf = brute_assignment(n, c);
    ck_assert_msg(fabs(tot - bf) <= 1e-12 * fmax(1.0, fabs(bf)), "n=%zu: %.17g vs brute %.17g", n,
                  tot, bf);
    ck_assert_msg(fabs(s - tot) <= 1e-12 * fmax(1.0, fabs(s)), "total is not the matched sum");
  }
  gsl_rng_free(r);
}
END_TEST

/* n >= 64 takes the sparse warm start; compare with the transport solver
 * (uniform masses: same optimum) on geometric, clustered and tied costs. */
START_TEST(test_assignment_large_vs_transport) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 12);
  const size_t ns[4] = {64, 100, 150, 200};
  for (int t = 0; t < 4; t++) {
    size_t n = ns[t];
    double *c = malloc(n * n * sizeof *c), *u = malloc(n * sizeof *u);
    double *pa = malloc(2 * n * sizeof *pa), *pb = malloc(2 * n * sizeof *pb);
    size_t *m = malloc(n * sizeof *m);
    for (size_t i = 0; i < n; i++) u[i] = 1.0 / (double)n;
    for (size_t k = 0; k < 2 * n; k++) {
      pa[k] = gsl_rng_uniform(r);
      /* t = 1: clustered; t = 3: points on a coarse grid (many ties) */
      pb[k] = t == 1 ? 0.9 + 0.1 * gsl_rng_uniform(r) : gsl_rng_uniform(r);
      if (t == 3) {
        pa[k] = floor(4 * pa[k]) / 4;
        pb[k] = floor(4 * pb[k]) / 4;
      }
    }
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) c[i * n + j] = cost_pp(pa + 2 * i, pb + 2 * j, 2, t == 2 ? 1.0 : 2.0);
    double ta, tt;
    mfh_err err;
    ck_assert_int_eq(mfh_assignment_solve(n, c, m, &ta, &err), MFH_OK);
    ck_assert_int_eq(mfh_transport_solve(n, u, n, u, c, &tt, &err), MFH_OK);
    char *used = calloc(n, 1);
    for (size_t i = 0; i < n; i++) {
      ck_assert_uint_lt(m[i], n);
      ck_assert_int_eq(used[m[i]]++, 0);
    }
    ck_assert_msg(rel_diff(ta / (double)n, tt) <= 1e-12, "n=%zu case %d: assignment %.17g vs transport %.17g",
                  n, t, ta / (double)n, tt);
    free(used);
    free(c);
    free(u);
    free(pa);
    free(pb);
    free(m);
  }
  gsl_rng_free(r);
}
END_TEST

/* Transport on a mid-size, highly degenerate problem (uniform masses,
 * n x n): many pivots, deep trees; must match the assignment optimum. */
START_TEST(test_transport_midsize_degenerate) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  const size_t ns[2] = {200, 400};
  for (int t = 0; t < 2; t++) {
    size_t n = ns[t];
    double *x = malloc(4 * n * sizeof *x), *c = malloc(n * n * sizeof *c), *u = malloc(n * sizeof *u);
    size_t *m = malloc(n * sizeof *m);
    for (size_t k = 0; k < 4 * n; k++) x[k] = gsl_rng_uniform(r);
    for (size_t i = 0; i < n; i++) {
      u[i] = 1.0 / (double)n;
      for (size_t j = 0; j < n; j++) c[i * n + j] = cost_pp(x + 2 * i, x + 2 * n + 2 * j, 2, 2.0);
    }
    double ta, tt;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_int_eq(mfh_assignment_solve(n, c, m, &ta, &err), MFH_OK);
    ck_assert_msg(mfh_transport_solve(n, u, n, u, c, &tt, &err) == MFH_OK, "n=%zu: %s", n, err.msg);
    ck_assert_msg(rel_diff(ta / (double)n, tt) <= 1e-12, "n=%zu: %.17g vs %.17g", n, tt, ta / (double)n);
    free(x);
    free(c);
    free(u);
    free(m);
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_assignment_all_equal) {
  size_t n = 300;
  double *c = calloc(n * n, sizeof *c);
  size_t *m = malloc(n * sizeof *m);
  double tot = -1;
  mfh_err err;
  ck_assert_int_eq(mfh_assignment_solve(n, c, m, &tot, &err), MFH_OK);
  ck_assert(tot == 0.0);
  char *used = calloc(n, 1);
  for (size_t i = 0; i < n; i++) ck_assert_int_eq(used[m[i]]++, 0);
  /* a permutation matrix of zeros in a sea of ones */
  for (size_t k = 0; k < n * n; k++) c[k] = 1.0;
  for (size_t i = 0; i < n; i++) c[i * n + (i * 7 + 3) % n] = 0.0;
  ck_assert_int_eq(mfh_assignment_solve(n, c, m, &tot, &err), MFH_OK);
  ck_assert(tot == 0.0);
  for (size_t i = 0; i < n; i++) ck_assert_uint_eq(m[i], (i * 7 + 3) % n);
  free(used);
  free(c);
  free(m);
}
END_TEST

START_TEST(test_assignment_bad_input) {
  double c[4] = {1, 2, NAN, 4};
  size_t m[2];
  double tot;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_assignment_solve(2, c, m, &tot, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not finite"));
  ck_assert_int_eq(mfh_assignment_solve(2, NULL, m, &tot, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_assignment_solve(0, NULL, NULL, &tot, &err), MFH_OK);
  ck_assert(tot == 0.0);
}
END_TEST

/* ---- W_p^p on clouds --------------------------------------------------------- */

START_TEST(test_wpp_brute_force) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 21);
  const double ps[3] = {1.0, 1.5, 2.0};
  int count = 0;
  for (size_t dim = 1; dim <= 3; dim++)
    for (size_t n = 1; n <= 7; n++)
      for (int ip = 0; ip < 3; ip++)
        for (int rep = 0; rep < 3; rep++) {
          mfh_cloud a = {0}, b = {0};
          random_cloud(&a, n, dim, r);
          random_cloud(&b, n, dim, r);
          if (rep == 2 && n > 1) /* repeated points */
            memcpy(a.x + dim, a.x, dim * sizeof *a.x);
          double c[49];
          for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) c[i * n + j] = cost_pp(a.x + i * dim, b.x + j * dim, dim, ps[ip]);
          double bf = brute_assignment(n, c) / (double)n;
          double w = wpp_ok(&a, &b, ps[ip]);
          ck_assert_msg(rel_diff(w, bf) <= 1e-12, "dim=%zu n=%zu p=%g: %.17g vs brute %.17g", dim, n,
                        ps[ip], w, bf);
          /* same measure with explicit weights 1/n, one of them one ulp
           * off so they are not all equal: the weighted 1D merge and, in
           * dim >= 2, the transport solver */
          a.w = malloc(n * sizeof *a.w);
          for (size_t i = 0; i < n; i++) a.w[i] = 1.0 / (double)n;
          a.w[0] = nextafter(a.w[0], 1.0);
          double w2 = wpp_ok(&a, &b, ps[ip]);
          ck_assert_msg(rel_diff(w2, bf) <= 1e-12, "explicit weights: %.17g vs %.17g", w2, bf);
          mfh_cloud_free(&a);
          mfh_cloud_free(&b);
          count++;
        }
  ck_assert_int_eq(count, 189);
  gsl_rng_free(r);
}
END_TEST

/* Unequal sizes and rational weights: replicate each point k_i (resp. l_j)
 * times to a common denominator L and solve the assignment by brute force
 * (L <= 6) or by the assignment solver (larger L). */
START_TEST(test_transport_vs_replicated_assignment) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 31);
  const double ps[3] = {1.0, 1.5, 2.0};
  for (int trial = 0; trial < 120; trial++) {
    size_t dim = 1 + (size_t)(trial % 3);
    double p = ps[(trial / 3) % 3];
    int weighted = trial % 2;
    size_t na, nb, L;
    if (!weighted) {
      const size_t sz[4][2] = {{2, 3}, {3, 2}, {1, 4}, {4, 6}};
      na = sz[(trial / 9) % 4][0];
      nb = sz[(trial / 9) % 4][1];
      L = na * nb / (na == 4 && nb == 6 ? 2 : 1); /* lcm */
    } else {
      na = 2 + gsl_rng_uniform_int(r, 5);
      nb = 2 + gsl_rng_uniform_int(r, 5);
      L = 12;
    }
    mfh_cloud a = {0}, b = {0};
    random_cloud(&a, na, dim, r);
    random_cloud(&b, nb, dim, r);
    int ka[8], kb[8];
    if (weighted) {
      random_rational_weights(&a, L, ka, r);
      random_rational_weights(&b, L, kb, r);
    } else {
      for (size_t i = 0; i < na; i++) ka[i] = (int)(L / na);
      for (size_t j = 0; j < nb; j++) kb[j] = (int)(L / nb);
    }
    /* replicated clouds */
    double *ra = malloc(L * dim * sizeof *ra), *rb = malloc(L * dim * sizeof *rb);
    size_t o = 0;
    for (size_t i = 0; i < na; i++)
      for (int t = 0; t < ka[i]; t++) memcpy(ra + dim * o++, a.x + dim * i, dim * sizeof *ra);
    ck_assert_uint_eq(o, L);
    o = 0;
    for (size_t j = 0; j < nb; j++)
      for (int t = 0; t < kb[j]; t++) memcpy(rb + dim * o++, b.x + dim * j, dim * sizeof *rb);
    ck_assert_uint_eq(o, L);
    double *c = malloc(L * L * sizeof *c);
    size_t *m = malloc(L * sizeof *m);
    for (size_t i = 0; i < L; i++)
      for (size_t j = 0; j < L; j++) c[i * L + j] = cost_pp(ra + dim * i, rb + dim * j, dim, p);
    double ref;
    if (L <= 7) {
      ref = brute_assignment(L, c) / (double)L;
    } else {
      mfh_err err;
      ck_assert_int_eq(mfh_assignment_solve(L, c, m, &ref, &err), MFH_OK);
      ref /= (double)L;
    }
    double w = wpp_ok(&a, &b, p);
    ck_assert_msg(rel_diff(w, ref) <= 1e-11, "trial %d (dim %zu, %zu x %zu, p %g): %.17g vs %.17g",
                  trial, dim, na, nb, p, w, ref);
    /* the transport solver directly, with its plan */
    double *cab = malloc(na * nb * sizeof *cab), *plan = malloc(na * nb * sizeof *plan);
    double *wa = malloc(na * sizeof *wa), *wb = malloc(nb * sizeof *wb);
    for (size_t i = 0; i < na; i++) wa[i] = a.w ? a.w[i] : 1.0 / (double)na;
    for (size_t j = 0; j < nb; j++) wb[j] = b.w ? b.w[j] : 1.0 / (double)nb;
    for (size_t i = 0; i < na; i++)
      for (size_t j = 0; j < nb; j++) cab[i * nb + j] = cost_pp(a.x + dim * i, b.x + dim * j, dim, p);
    double tt;
    mfh_err err;
    ck_assert_int_eq(mfh_transport_solve_plan(na, wa, nb, wb, cab, plan, &tt, &err), MFH_OK);
    ck_assert_msg(rel_diff(tt, ref) <= 1e-11, "transport %.17g vs %.17g", tt, ref);
    double pc = 0;
    for (size_t i = 0; i < na; i++) {
      double rs = 0;
      for (size_t j = 0; j < nb; j++) {
        ck_assert(plan[i * nb + j] >= 0);
        rs += plan[i * nb + j];
        pc += plan[i * nb + j] * cab[i * nb + j];
      }
      ck_assert_msg(fabs(rs - wa[i]) <= 1e-14, "plan row %zu sums to %.17g, not %.17g", i, rs, wa[i]);
    }
    for (size_t j = 0; j < nb; j++) {
      double cs = 0;
      for (size_t i = 0; i < na; i++) cs += plan[i * nb + j];
      ck_assert_msg(fabs(cs - wb[j]) <= 1e-14, "plan column %zu sums to %.17g", j, cs);
    }
    ck_assert_msg(rel_diff(pc, tt) <= 1e-13, "plan cost %.17g vs total %.17g", pc, tt);
    free(cab);
    free(plan);
    free(wa);
    free(wb);
    free(ra);
    free(rb);
    free(c);
    free(m);
    mfh_cloud_free(&a);
    mfh_cloud_free(&b);
  }
  gsl_rng_free(r);
}
END_TEST

/* Degenerate transportation problems: zero masses, tied integer costs,
 * negative costs.  Reference: the same problem as an assignment after
 * replicating each node k (resp. l) times (masses k/L, l/L). */
START_TEST(test_transport_degenerate) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 35);
  for (int t = 0; t < 800; t++) {
    size_t L = 4 + gsl_rng_uniform_int(r, 40);
    size_t na = 1 + gsl_rng_uniform_int(r, L < 12 ? L : 12), nb = 1 + gsl_rng_uniform_int(r, L < 12 ? L : 12);
    int ka[12] = {0}, kb[12] = {0};
    for (size_t k = 0; k < L; k++) { /* random compositions, zeros allowed */
      ka[gsl_rng_uniform_int(r, na)]++;
      kb[gsl_rng_uniform_int(r, nb)]++;
    }
    int kind = t % 4;
    double c[144], a[12], b[12];
    for (size_t i = 0; i < na; i++)
      for (size_t j = 0; j < nb; j++)
        c[i * nb + j] = kind == 0   ? gsl_rng_uniform(r)
                        : kind == 1 ? (double)gsl_rng_uniform_int(r, 3)
                        : kind == 2 ? fabs((double)(i % 3) - (double)(j % 3))
                                    : -1e3 * (double)gsl_rng_uniform_int(r, 5);
    for (size_t i = 0; i < na; i++) a[i] = (double)ka[i] / (double)L;
    for (size_t j = 0; j < nb; j++) b[j] = (double)kb[j] / (double)L;
    double *C = malloc(L * L * sizeof *C);
    size_t *m = malloc(L * sizeof *m), ri = 0;
    for (size_t i = 0; i < na; i++)
      for (int x = 0; x < ka[i]; x++, ri++) {
        size_t rj = 0;
        for (size_t j = 0; j < nb; j++)
          for (int y = 0; y < kb[j]; y++, rj++) C[ri * L + rj] = c[i * nb + j];
      }
    double ta, tt;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert_int_eq(mfh_assignment_solve(L, C, m, &ta, &err), MFH_OK);
    ta /= (double)L;
    ck_assert_msg(mfh_transport_solve(na, a, nb, b, c, &tt, &err) == MFH_OK, "trial %d: %s", t, err.msg);
    ck_assert_msg(fabs(ta - tt) <= 1e-12 * fmax(1.0, fabs(ta)), "trial %d (kind %d, %zu x %zu, L %zu): %.17g vs %.17g",
                  t, kind, na, nb, L, tt, ta);
    free(C);
    free(m);
  }
  gsl_rng_free(r);
}
END_TEST

/* In 1D the quantile formula and the transportation problem must agree,
 * for any sizes and real weights. */
START_TEST(test_1d_quantile_vs_transport) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 41);
  const double ps[4] = {1.0, 1.5, 2.0, 3.0};
  for (int trial = 0; trial < 80; trial++) {
    size_t na = 1 + gsl_rng_uniform_int(r, 40), nb = 1 + gsl_rng_uniform_int(r, 40);
    double p = ps[trial % 4];
    mfh_cloud a = {0}, b = {0};
    random_cloud(&a, na, 1, r);
    random_cloud(&b, nb, 1, r);
    if (trial % 3 == 1) b.x[nb / 2] = a.x[0]; /* a shared point */
    double *wa = malloc(na * sizeof *wa), *wb = malloc(nb * sizeof *wb);
    double sa = 0, sb = 0;
    for (size_t i = 0; i < na; i++) sa += wa[i] = (trial % 2) ? gsl_rng_uniform_pos(r) : 1.0;
    for (size_t j = 0; j < nb; j++) sb += wb[j] = (trial % 2) ? gsl_rng_uniform_pos(r) : 1.0;
    for (size_t i = 0; i < na; i++) wa[i] /= sa;
    for (size_t j = 0; j < nb; j++) wb[j] /= sb;
    if (trial % 2) {
      a.w = malloc(na * sizeof *a.w);
      b.w = malloc(nb * sizeof *b.w);
      memcpy(a.w, wa, na * sizeof *wa);
      memcpy(b.w, wb, nb * sizeof *wb);
    }
    double *c = malloc(na * nb * sizeof *c);
    for (size_t i = 0; i < na; i++)
      for (size_t j = 0; j < nb; j++) c[i * nb + j] = pow(fabs(a.x[i] - b.x[j]), p);
    double tt;
    mfh_err err;
    ck_assert_int_eq(mfh_transport_solve(na, wa, nb, wb, c, &tt, &err), MFH_OK);
    double w = wpp_ok(&a, &b, p);
    ck_assert_msg(rel_diff(w, tt) <= 1e-11, "trial %d (%zu x %zu, p %g): quantile %.17g vs transport %.17g",
                  trial, na, nb, p, w, tt);
    free(c);
    free(wa);
    free(wb);
    mfh_cloud_free(&a);
    mfh_cloud_free(&b);
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_translation_and_symmetry) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 51);
  const double ps[4] = {1.0, 1.5, 2.0, 3.0};
  for (size_t dim = 1; dim <= 3; dim++)
    for (int ip = 0; ip < 4; ip++)
      for (int weighted = 0; weighted < 2; weighted++) {
        size_t n = 30 + 7 * dim;
        mfh_cloud a = {0}, b = {0}, c = {0};
        random_cloud(&a, n, dim, r);
        random_cloud(&c, n + 5, dim, r);
        ck_assert_int_eq(mfh_cloud_alloc(&b, n, dim), MFH_OK);
        double shift[3] = {0.3, -0.7, 0.25}, norm = 0;
        for (size_t k = 0; k < dim; k++) norm += shift[k] * shift[k];
        norm = sqrt(norm);
        for (size_t i = 0; i < n; i++)
          for (size_t k = 0; k < dim; k++) b.x[i * dim + k] = a.x[i * dim + k] + shift[k];
        if (weighted) {
          a.w = malloc(n * sizeof *a.w);
          b.w = malloc(n * sizeof *b.w);
          double s = 0;
          for (size_t i = 0; i < n; i++) s += a.w[i] = gsl_rng_uniform_pos(r);
          for (size_t i = 0; i < n; i++) b.w[i] = a.w[i] /= s;
        }
        double p = ps[ip], w = wpp_ok(&a, &b, p);
        ck_assert_msg(rel_diff(pow(w, 1.0 / p), norm) <= 1e-12,
                      "dim %zu p %g weighted %d: W_p = %.17g, |c| = %.17g", dim, p, weighted,
                      pow(w, 1.0 / p), norm);
        ck_assert_msg(wpp_ok(&a, &a, p) <= 1e-15, "W_p(a, a) != 0");
        double wac = wpp_ok(&a, &c, p), wca = wpp_ok(&c, &a, p);
        ck_assert_msg(rel_diff(wac, wca) <= 1e-12, "not symmetric: %.17g vs %.17g", wac, wca);
        mfh_cloud_free(&a);
        mfh_cloud_free(&b);
        mfh_cloud_free(&c);
      }
  gsl_rng_free(r);
}
END_TEST

/* 1D clouds large enough for the radix sort (n >= 1024): negative values,
 * -0.0, duplicates; translation identity and a permuted copy. */
START_TEST(test_1d_large_sort) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 55);
  size_t n = 5000;
  for (int weighted = 0; weighted < 2; weighted++) {
    mfh_cloud a = {0}, b = {0}, c = {0};
    ck_assert_int_eq(mfh_cloud_alloc(&a, n, 1), MFH_OK);
    ck_assert_int_eq(mfh_cloud_alloc(&b, n, 1), MFH_OK);
    ck_assert_int_eq(mfh_cloud_alloc(&c, n, 1), MFH_OK);
    for (size_t i = 0; i < n; i++) a.x[i] = (gsl_rng_uniform(r) - 0.5) * pow(10.0, (double)(i % 7) - 3);
    a.x[0] = -0.0;
    a.x[1] = 0.0;
    a.x[2] = a.x[3];
    for (size_t i = 0; i < n; i++) {
      b.x[i] = a.x[i] - 2.5;
      c.x[(i * 613) % n] = a.x[i];
    }
    if (weighted) {
      a.w = malloc(n * sizeof *a.w);
      b.w = malloc(n * sizeof *b.w);
      c.w = malloc(n * sizeof *c.w);
      double s = 0;
      for (size_t i = 0; i < n; i++) s += a.w[i] = gsl_rng_uniform_pos(r);
      for (size_t i = 0; i < n; i++) {
        a.w[i] /= s;
        b.w[i] = a.w[i];
        c.w[(i * 613) % n] = a.w[i];
      }
    }
    const double ps[3] = {1.0, 2.0, 3.0};
    for (int ip = 0; ip < 3; ip++) {
      double w = wpp_ok(&a, &b, ps[ip]);
      ck_assert_msg(rel_diff(pow(w, 1.0 / ps[ip]), 2.5) <= 1e-12, "weighted %d p %g: W_p = %.17g", weighted,
                    ps[ip], pow(w, 1.0 / ps[ip]));
      ck_assert_msg(wpp_ok(&a, &c, ps[ip]) == 0.0, "permuted copy: W_p != 0");
    }
    mfh_cloud_free(&a);
    mfh_cloud_free(&b);
    mfh_cloud_free(&c);
  }
  gsl_rng_free(r);
}
END_TEST

/* Sizes where the solvers take their large-n paths. */
START_TEST(test_2d_large_consistency) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 61);
  mfh_cloud a = {0}, b = {0};
  random_cloud(&a, 300, 2, r);
  random_cloud(&b, 300, 2, r);
  double w_assign = wpp_ok(&a, &b, 2.0);
  a.w = malloc(300 * sizeof *a.w);
  for (size_t i = 0; i < 300; i++) a.w[i] = 1.0 / 300;
  a.w[0] *= 1.0 + 1e-12; /* not exactly uniform any more: transport path */
  double w_transport = wpp_ok(&a, &b, 2.0);
  ck_assert_msg(rel_diff(w_assign, w_transport) <= 1e-9, "assignment %.17g vs transport %.17g",
                w_assign, w_transport);
  mfh_cloud_free(&a);
  mfh_cloud_free(&b);
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_1d_large_known_values) {
  /* a = {0,1,...,N-1}/N, b = a + 1/(2N) shuffled: W_p = 1/(2N) exactly */
  size_t N = 100000;
  mfh_cloud a = {0}, b = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&a, N, 1), MFH_OK);
  ck_assert_int_eq(mfh_cloud_alloc(&b, N, 1), MFH_OK);
  for (size_t i = 0; i < N; i++) {
    a.x[i] = (double)i / (double)N;
    b.x[(i * 7919) % N] = ((double)i + 0.5) / (double)N;
  }
  double w1 = wpp_ok(&a, &b, 1.0), w2 = wpp_ok(&a, &b, 2.0);
  ck_assert_msg(rel_diff(w1, 0.5 / (double)N) <= 1e-9, "W1 = %.17g", w1);
  ck_assert_msg(rel_diff(w2, 0.25 / ((double)N * N)) <= 1e-9, "W2^2 = %.17g", w2);
  /* unequal sizes: {0} vs {-1, 1}: W_p^p = 1 */
  mfh_cloud c = {0}, d = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&c, 1, 1), MFH_OK);
  ck_assert_int_eq(mfh_cloud_alloc(&d, 2, 1), MFH_OK);
  d.x[0] = -1;
  d.x[1] = 1;
  ck_assert(fabs(wpp_ok(&c, &d, 2.5) - 1.0) <= 1e-15);
  mfh_cloud_free(&a);
  mfh_cloud_free(&b);
  mfh_cloud_free(&c);
  mfh_cloud_free(&d);
}
END_TEST

/* ---- laws ----------------------------------------------------------------- */

typedef struct qref {
  const mfh_law1d *law;
  const double *xs; /* sorted */
  const double *cum;
  size_t n;
  double p;
} qref;

static double full_integrand(double u, void *vp) {
  const qref *q = vp;
  size_t i = 0;
  while (i + 1 < q->n && u > q->cum[i]) i++;
  return pow(fabs(q->xs[i] - q->law->quantile(u, q->law->ctx)), q->p);
}

static double law_reference(const mfh_law1d *law, const double *xs, const double *cum, size_t n,
                            double p) {
  qref q = {law, xs, cum, n, p};
  gsl_function f = {full_integrand, &q};
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(20000);
  double res = 0, err = 0;
  gsl_integration_qags(&f, 0.0, 1.0, 1e-13, 1e-11, 20000, ws, &res, &err);
  gsl_integration_workspace_free(ws);
  return res;
}

START_TEST(test_law_vs_quadrature) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 71);
  const double ps[4] = {1.0, 1.5, 2.0, 3.0};
  const mfh_law1d *laws[2] = {mfh_law1d_uniform01(), mfh_law1d_std_normal()};
  for (int il = 0; il < 2; il++)
    for (int ip = 0; ip < 4; ip++)
      for (int weighted = 0; weighted < 2; weighted++) {
        size_t n = 5;
        mfh_cloud a = {0};
        ck_assert_int_eq(mfh_cloud_alloc(&a, n, 1), MFH_OK);
        double xs[5], cum[5], s = 0, w[5];
        for (size_t i = 0; i < n; i++) {
          xs[i] = il == 0 ? gsl_rng_uniform(r) * 1.4 - 0.2 : gsl_ran_ugaussian(r) * 1.5;
          w[i] = weighted ? gsl_rng_uniform_pos(r) : 1.0;
          s += w[i];
        }
        /* sort by x (insertion) */
        for (size_t i = 1; i < n; i++)
          for (size_t k = i; k > 0 && xs[k] < xs[k - 1]; k--) {
            double t = xs[k];
            xs[k] = xs[k - 1];
            xs[k - 1] = t;
            t = w[k];
            w[k] = w[k - 1];
            w[k - 1] = t;
          }
        double c = 0;
        for (size_t i = 0; i < n; i++) {
          w[i] /= s;
          c += w[i];
          cum[i] = c;
          a.x[(i * 3) % n] = xs[i]; /* unsorted input */
        }
        if (weighted) {
          a.w = malloc(n * sizeof *a.w);
          for (size_t i = 0; i < n; i++) a.w[(i * 3) % n] = w[i];
        }
        double ref = law_reference(laws[il], xs, cum, n, ps[ip]), got = -1;
        mfh_err err;
        mfh_err_clear(&err);
        ck_assert_msg(mfh_wasserstein_law1d_pp(&a, laws[il], ps[ip], &got, &err) == MFH_OK, "%s",
                      err.msg);
        ck_assert_msg(rel_diff(got, ref) <= 1e-8, "law %d p %g weighted %d: %.17g vs quadrature %.17g",
                      il, ps[ip], weighted, got, ref);
        /* the quadrature path (no partial moments) agrees with the closed forms */
        mfh_law1d noclosed = *laws[il];
        noclosed.partial_moment = NULL;
        double got2 = -1;
        ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, &noclosed, ps[ip], &got2, &err), MFH_OK);
        ck_assert_msg(rel_diff(got, got2) <= 1e-9, "closed form %.17g vs quadrature path %.17g", got,
                      got2);
        mfh_cloud_free(&a);
      }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_law_known_values) {
  mfh_cloud a = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&a, 1, 1), MFH_OK);
  mfh_err err;
  double w;
  /* uniform law, single point at 1/2: W_1 = 1/4, W_2^2 = 1/12,
   * W_p^p = 2 int_0^{1/2} t^p dt = 2^{-p} / (p + 1) */
  a.x[0] = 0.5;
  const double ps[4] = {1.0, 1.5, 2.0, 3.0};
  for (int ip = 0; ip < 4; ip++) {
    double p = ps[ip];
    ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), p, &w, &err), MFH_OK);
    ck_assert_msg(rel_diff(w, pow(2.0, -p) / (p + 1)) <= 1e-12, "uniform p=%g: %.17g", p, w);
  }
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), 1.0, &w, &err), MFH_OK);
  ck_assert(fabs(w - 0.25) <= 1e-15);
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), 2.0, &w, &err), MFH_OK);
  ck_assert(fabs(w - 1.0 / 12) <= 1e-15);
  /* Gaussian, single point at 0: W_p^p = E|Z|^p = 2^{p/2} Gamma((p+1)/2) / sqrt(pi) */
  a.x[0] = 0.0;
  for (int ip = 0; ip < 4; ip++) {
    double p = ps[ip], ex = pow(2.0, p / 2) * gsl_sf_gamma((p + 1) / 2) / sqrt(PI);
    ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_std_normal(), p, &w, &err), MFH_OK);
    ck_assert_msg(rel_diff(w, ex) <= 1e-10, "Gaussian p=%g: %.17g vs %.17g", p, w, ex);
  }
  /* Gaussian, single point at m: W_2^2 = 1 + m^2 */
  a.x[0] = 0.7;
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_std_normal(), 2.0, &w, &err), MFH_OK);
  ck_assert(rel_diff(w, 1.49) <= 1e-14);
  mfh_cloud_free(&a);
  /* N quantile points of the uniform law, (i - 1/2)/N: W_1 = 1/(4N), W_2^2 = 1/(12 N^2) */
  size_t N = 1000;
  ck_assert_int_eq(mfh_cloud_alloc(&a, N, 1), MFH_OK);
  for (size_t i = 0; i < N; i++) a.x[i] = ((double)i + 0.5) / (double)N;
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), 1.0, &w, &err), MFH_OK);
  ck_assert_msg(rel_diff(w, 0.25 / N) <= 1e-10, "%.17g", w);
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), 2.0, &w, &err), MFH_OK);
  ck_assert_msg(rel_diff(w, 1.0 / (12.0 * N * N)) <= 1e-6, "%.17g", w);
  mfh_cloud_free(&a);
}
END_TEST

/* Empirical sample of the law itself: W_1 decays; FG-1 calibration
 * E W_1 ~ 0.3133 N^{-1/2} for the uniform law (loose check, one sample). */
START_TEST(test_law_sample_scale) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 81);
  size_t N = 5000;
  mfh_cloud a = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&a, N, 1), MFH_OK);
  double mean = 0;
  int reps = 40;
  for (int k = 0; k < reps; k++) {
    for (size_t i = 0; i < N; i++) a.x[i] = gsl_rng_uniform(r);
    double w;
    mfh_err err;
    ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), 1.0, &w, &err), MFH_OK);
    mean += w / reps;
  }
  double scaled = mean * sqrt((double)N);
  ck_assert_msg(scaled > 0.25 && scaled < 0.38, "sqrt(N) E W_1 = %g, expected about 0.3133", scaled);
  mfh_cloud_free(&a);
  gsl_rng_free(r);
}
END_TEST

/* ---- bad input ---------------------------------------------------------------- */

static void expect_einput(const mfh_cloud *a, const mfh_cloud *b, double p, const char *frag) {
  mfh_err err;
  mfh_err_clear(&err);
  double w = 0;
  int st = mfh_wasserstein_pp(a, b, p, &w, &err);
  ck_assert_msg(st == MFH_EINPUT, "expected MFH_EINPUT for '%s', got %d", frag, st);
  ck_assert_msg(strstr(err.msg, frag) != NULL, "message '%s' lacks '%s'", err.msg, frag);
}

START_TEST(test_bad_input) {
  mfh_cloud a = {0}, b = {0}, c = {0}, e = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&a, 3, 2), MFH_OK);
  ck_assert_int_eq(mfh_cloud_alloc(&b, 3, 2), MFH_OK);
  ck_assert_int_eq(mfh_cloud_alloc(&c, 3, 3), MFH_OK);
  ck_assert_int_eq(mfh_cloud_alloc(&e, 0, 2), MFH_OK);
  expect_einput(&a, &c, 2.0, "dimension mismatch");
  expect_einput(&a, &e, 2.0, "empty");
  expect_einput(&e, &a, 2.0, "empty");
  expect_einput(&a, &b, 0.5, "p must be");
  expect_einput(&a, &b, NAN, "p must be");
  expect_einput(&a, &b, INFINITY, "p must be");
  a.x[3] = NAN;
  expect_einput(&a, &b, 1.0, "non-finite coordinate");
  a.x[3] = 0;
  b.w = malloc(3 * sizeof *b.w);
  b.w[0] = -0.1;
  b.w[1] = 0.6;
  b.w[2] = 0.5;
  expect_einput(&a, &b, 1.0, "negative");
  b.w[0] = 0.1;
  b.w[1] = 0.1;
  expect_einput(&a, &b, 1.0, "sum to");
  b.w[0] = 0.5 + 1e-8;
  b.w[1] = 0.0;
  expect_einput(&a, &b, 1.0, "sum to");
  b.w[0] = 0.5 + 1e-10; /* within the tolerance */
  double w;
  mfh_err err;
  ck_assert_int_eq(mfh_wasserstein_pp(&a, &b, 1.0, &w, &err), MFH_OK);
  ck_assert_int_eq(mfh_wasserstein_pp(&a, &b, 1.0, NULL, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_wasserstein_pp(NULL, &b, 1.0, &w, &err), MFH_EINPUT);
  /* law interface */
  mfh_cloud d = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&d, 2, 1), MFH_OK);
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, mfh_law1d_uniform01(), 1.0, &w, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "dimension 1"));
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&d, NULL, 1.0, &w, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "law"));
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&d, mfh_law1d_uniform01(), 0.9, &w, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "p must be"));
  /* transport */
  double m1[2] = {0.5, 0.5}, m2[2] = {0.7, 0.7}, m3[2] = {1.5, -0.5}, cost[4] = {0, 1, 1, 0};
  ck_assert_int_eq(mfh_transport_solve(2, m1, 2, m2, cost, &w, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "sums to"));
  ck_assert_int_eq(mfh_transport_solve(2, m3, 2, m1, cost, &w, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, ">= 0"));
  cost[1] = INFINITY;
  ck_assert_int_eq(mfh_transport_solve(2, m1, 2, m1, cost, &w, &err), MFH_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "not finite"));
  ck_assert_int_eq(mfh_transport_solve(0, m1, 2, m1, cost, &w, &err), MFH_EINPUT);
  mfh_cloud_free(&a);
  mfh_cloud_free(&b);
  mfh_cloud_free(&c);
  mfh_cloud_free(&d);
  mfh_cloud_free(&e);
}
END_TEST

/* A law that returns NaN is a numerical failure, not a crash. */
static double nan_q(double u, const void *ctx) {
  (void)ctx;
  return u < 0.5 ? u : NAN;
}
static double nan_cdf(double x, const void *ctx) {
  (void)ctx;
  return x;
}

START_TEST(test_law_numeric_failure) {
  mfh_law1d bad = {nan_cdf, nan_q, NULL, NULL, "NaN law"};
  mfh_cloud a = {0};
  ck_assert_int_eq(mfh_cloud_alloc(&a, 2, 1), MFH_OK);
  a.x[1] = 1;
  double w;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_wasserstein_law1d_pp(&a, &bad, 1.5, &w, &err), MFH_ENUMERIC);
  ck_assert_ptr_nonnull(strstr(err.msg, "law integral failed"));
  mfh_cloud_free(&a);
}
END_TEST

static Suite *suite(void) {
  mfh_gsl_quiet();
  Suite *s = suite_create("metrics");
  TCase *tc = tcase_create("assignment");
  tcase_add_test(tc, test_assignment_brute_force);
  tcase_add_test(tc, test_assignment_large_vs_transport);
  tcase_add_test(tc, test_assignment_all_equal);
  tcase_add_test(tc, test_transport_midsize_degenerate);
  tcase_add_test(tc, test_assignment_bad_input);
  suite_add_tcase(s, tc);
  tc = tcase_create("wasserstein");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_wpp_brute_force);
  tcase_add_test(tc, test_transport_vs_replicated_assignment);
  tcase_add_test(tc, test_transport_degenerate);
  tcase_add_test(tc, test_1d_quantile_vs_transport);
  tcase_add_test(tc, test_translation_and_symmetry);
  tcase_add_test(tc, test_2d_large_consistency);
  tcase_add_test(tc, test_1d_large_known_values);
  tcase_add_test(tc, test_1d_large_sort);
  tcase_add_test(tc, test_bad_input);
  suite_add_tcase(s, tc);
  tc = tcase_create("law1d");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_law_vs_quadrature);
  tcase_add_test(tc, test_law_known_values);
  tcase_add_test(tc, test_law_sample_scale);
  tcase_add_test(tc, test_law_numeric_failure);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
