/* Tests for engines/semiclassical/: states, Wigner/Husimi transforms and the
 * quantum-classical distances (THEOREMS.md sections 1-2; MK-1, MK-2, MK-3,
 * WIG-1).  References are independent of the code under test: closed-form
 * Wigner/Husimi functions of coherent and Gaussian states [000:L1242,
 * L1262], the odd state's W(0,0) = -1/(pi eps) [001:L1220], the Toeplitz
 * moment identities [000:L1284], the Gaussian W_2 formula [001:L1204],
 * norms of orthogonal pure states, and cross-checks between two independent
 * routes (kernel vs orbitals, Gaussian smoothing vs coherent overlaps,
 * thermal decomposition vs closed-form kernel, rank-r vs dense
 * eigenvalues).  Measured errors are printed (one "measured:" line each). */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/status.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/states.h"
#include "metrics/semiclassical/wigner.h"
#include "tests/testutil.h"

#define PI 3.14159265358979323846

/* ---- helpers ------------------------------------------------------------ */

static mfh_xgrid grid1(size_t n, double L) {
  mfh_xgrid g = {1, n, -L / 2, L / (double)n};
  return g;
}

static mfh_sc_phase *phase(const mfh_xgrid *g, double eps, size_t nxi, int threads) {
  mfh_sc_phase *ws = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_phase_create(g, eps, nxi, threads, &ws, &err) == MFH_OK, "%s", err.msg);
  return ws;
}

static void ps_alloc(const mfh_sc_phase *ws, mfh_phase_grid *ps) {
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_phase_grid_alloc(ws, ps, &err) == MFH_OK, "%s", err.msg);
}

static void wigner(mfh_sc_phase *ws, const mfh_sc_state *R, mfh_phase_grid *W,
                   mfh_sc_wigner_diag *d) {
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_wigner(ws, R, W, d, &err) == MFH_OK, "%s", err.msg);
}

static void husimi(mfh_sc_phase *ws, const mfh_sc_state *R, mfh_phase_grid *H) {
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_husimi(ws, R, H, NULL, &err) == MFH_OK, "%s", err.msg);
}

/* A pure state (one orbital, weight 1) holding a copy of psi. */
static mfh_sc_state *pure_state(const mfh_xgrid *g, const double complex *psi) {
  mfh_sc_state *s = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_state_create(g, MFH_SC_ORBITALS, 1, &s, &err) == MFH_OK, "%s", err.msg);
  memcpy(s->orb, psi, mfh_xgrid_points(g) * sizeof *psi);
  s->w[0] = 1;
  return s;
}

static mfh_sc_state *coherent_state(const mfh_xgrid *g, double eps, const double *q,
                                    const double *p) {
  size_t N = mfh_xgrid_points(g);
  double complex *psi = malloc(N * sizeof *psi);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_coherent(g, eps, q, p, psi, &err) == MFH_OK, "%s", err.msg);
  mfh_sc_state *s = pure_state(g, psi);
  free(psi);
  return s;
}

static mfh_sc_state *to_kernel(const mfh_sc_state *s) {
  mfh_sc_state *k = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_msg(mfh_sc_state_to_kernel(s, &k, &err) == MFH_OK, "%s", err.msg);
  return k;
}

/* Normalise psi on the grid. */
static void normalise(const mfh_xgrid *g, double complex *psi) {
  size_t N = mfh_xgrid_points(g);
  double s = 0;
  for (size_t j = 0; j < N; j++) s += creal(psi[j] * conj(psi[j]));
  s = 1 / sqrt(s * mfh_xgrid_cell(g));
  for (size_t j = 0; j < N; j++) psi[j] *= s;
}

/* A random smooth pure state: normalised random combination of K coherent
 * states with centres in [-2, 2]^2d. */
static void random_smooth(const mfh_xgrid *g, double eps, gsl_rng *r, size_t K,
                          double complex *psi) {
  size_t N = mfh_xgrid_points(g);
  double complex *c = malloc(N * sizeof *c);
  memset(psi, 0, N * sizeof *psi);
  for (size_t k = 0; k < K; k++) {
    double q[2], p[2];
    for (int a = 0; a < g->dim; a++) {
      q[a] = -2 + 4 * gsl_rng_uniform(r);
      p[a] = -1.5 + 3 * gsl_rng_uniform(r);
    }
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert(mfh_sc_coherent(g, eps, q, p, c, &err) == MFH_OK);
    double complex a = (gsl_rng_uniform(r) - 0.5) + I * (gsl_rng_uniform(r) - 0.5);
    for (size_t j = 0; j < N; j++) psi[j] += a * c[j];
  }
  normalise(g, psi);
  free(c);
}

/* Random mixed state with K orbitals (each a random smooth state). */
static mfh_sc_state *random_mixed(const mfh_xgrid *g, double eps, gsl_rng *r, size_t K) {
  mfh_sc_state *s = NULL;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert(mfh_sc_state_create(g, MFH_SC_ORBITALS, K, &s, &err) == MFH_OK);
  size_t N = mfh_xgrid_points(g);
  double sum = 0;
  for (size_t k = 0; k < K; k++) {
    random_smooth(g, eps, r, 3, s->orb + k * N);
    s->w[k] = 0.1 + gsl_rng_uniform(r);
    sum += s->w[k];
  }
  for (size_t k = 0; k < K; k++) s->w[k] /= sum;
  return s;
}

/* Gaussian density N(m, C) on R^2 at (x, p). */
static double gauss2(double x, double p, const double m[2], const double C[4]) {
  double det = C[0] * C[3] - C[1] * C[2], u = x - m[0], v = p - m[1];
  double qf = (C[3] * u * u - 2 * C[1] * u * v + C[0] * v * v) / det;
  return exp(-0.5 * qf) / (2 * PI * sqrt(det));
}

/* max |ps - N(m, C)| over the grid, and max of N(m, C). */
static double max_err_gauss(const mfh_phase_grid *ps, const double m[2], const double C[4],
                            double *peak) {
  double e = 0, pk = 0;
  for (size_t i = 0; i < ps->nx; i++)
    for (size_t k = 0; k < ps->nv; k++) {
      double x = ps->xmin + (double)i * ps->dx, p = ps->vmin + (double)k * ps->dv;
      double ref = gauss2(x, p, m, C);
      if (ref > pk) pk = ref;
      double d = fabs(ps->f[i * ps->nv + k] - ref);
      if (d > e) e = d;
    }
  if (peak) *peak = pk;
  return e;
}

static double ps_min(const mfh_phase_grid *ps) {
  double m = INFINITY;
  for (size_t i = 0; i < ps->nx * ps->nv; i++)
    if (ps->f[i] < m) m = ps->f[i];
  return m;
}

static double ps_max(const mfh_phase_grid *ps) {
  double m = -INFINITY;
  for (size_t i = 0; i < ps->nx * ps->nv; i++)
    if (ps->f[i] > m) m = ps->f[i];
  return m;
}

/* ---- WIG-1 ---------------------------------------------------------------- */

START_TEST(test_wigner_coherent) {
  /* W of |z> = (pi eps)^{-1} exp(-((x-q)^2 + (xi-p)^2)/eps), int W = 1. */
  mfh_xgrid g = grid1(256, 16);
  double eps = 0.1, q = 0.7, p = -1.1;
  mfh_sc_state *s = coherent_state(&g, eps, &q, &p);
  double m[2] = {q, p}, C[4] = {eps / 2, 0, 0, eps / 2};
  size_t nxis[2] = {256, 512};
  for (int t = 0; t < 2; t++) {
    mfh_sc_phase *ws = phase(&g, eps, nxis[t], 1);
    mfh_phase_grid W;
    ps_alloc(ws, &W);
    mfh_sc_wigner_diag dg;
    wigner(ws, s, &W, &dg);
    double peak, e = max_err_gauss(&W, m, C, &peak), mass;
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert(mfh_phase_grid_moments(&W, &mass, NULL, NULL, &err) == MFH_OK);
    printf("measured: coherent Wigner nxi=%zu: max|W - exact| = %.3g (peak %.3g), |int W - 1| = "
           "%.3g, window_edge %.3g, band_edge %.3g\n",
           nxis[t], e, peak, fabs(mass - 1), dg.window_edge, dg.band_edge);
    ck_assert_msg(e < 1e-10, "Wigner error %g", e);
    ck_assert_msg(fabs(mass - 1) < 1e-12, "int W = %.17g", mass);
    /* Its Husimi: N(z, eps I); G_eps * delta_z. */
    mfh_phase_grid H;
    ps_alloc(ws, &H);
    husimi(ws, s, &H);
    double CH[4] = {eps, 0, 0, eps};
    double eh = max_err_gauss(&H, m, CH, &peak);
    printf("measured: coherent Husimi (smoothing) nxi=%zu: max err %.3g (peak %.3g)\n", nxis[t],
           eh, peak);
    ck_assert_msg(eh < 1e-10, "Husimi error %g", eh);
    mfh_phase_grid_free(&W);
    mfh_phase_grid_free(&H);
    mfh_sc_phase_destroy(ws);
  }
  mfh_sc_state_destroy(s);
}
END_TEST

START_TEST(test_wigner_odd_state) {
  /* psi(x) = 2^{1/2} pi^{-1/4} x e^{-x^2/2} (eps-independent) and its
   * eps-scaled version h_1: W_eps(0,0) = -1/(pi eps) for both; W takes
   * negative values, the Husimi function does not. */
  mfh_xgrid g = grid1(256, 20);
  size_t n = g.n;
  double complex *psi = malloc(n * sizeof *psi), *h = malloc(2 * n * sizeof *h);
  for (size_t j = 0; j < n; j++) {
    double x = g.xmin + (double)j * g.dx;
    psi[j] = sqrt(2.0) * pow(PI, -0.25) * x * exp(-x * x / 2);
  }
  double epss[3] = {1.0, 0.3, 0.1};
  for (int t = 0; t < 3; t++) {
    double eps = epss[t];
    mfh_err err;
    mfh_err_clear(&err);
    double dev;
    ck_assert(mfh_sc_hermite(&g, eps, 2, h, &dev, &err) == MFH_OK);
    mfh_sc_state *s1 = pure_state(&g, psi), *s2 = pure_state(&g, h + n);
    mfh_sc_phase *ws = phase(&g, eps, 2 * n, 0);
    mfh_phase_grid W, H;
    ps_alloc(ws, &W);
    ps_alloc(ws, &H);
    for (int v = 0; v < 2; v++) {
      const mfh_sc_state *s = v ? s2 : s1;
      wigner(ws, s, &W, NULL);
      double w00 = W.f[(n / 2) * W.nv + W.nv / 2], ref = -1 / (PI * eps);
      ck_assert(fabs(g.xmin + (double)(n / 2) * g.dx) < 1e-15);
      ck_assert(fabs(W.vmin + (double)(W.nv / 2) * W.dv) < 1e-12);
      printf("measured: odd state (%s) eps=%g: W(0,0) = %.15g, -1/(pi eps) = %.15g, rel err "
             "%.3g\n", v ? "h_1 at scale eps" : "eps-independent", eps, w00, ref,
             fabs(w00 / ref - 1));
      ck_assert_msg(fabs(w00 / ref - 1) < 1e-11, "W(0,0) = %.17g vs %.17g", w00, ref);
      ck_assert(ps_min(&W) < -0.9 / (PI * eps));
      husimi(ws, s, &H);
      double hmin = ps_min(&H), hmax = ps_max(&H);
      printf("measured: odd state Husimi (smoothing): min %.3g, max %.3g\n", hmin, hmax);
      ck_assert_msg(hmin > -1e-12 * hmax, "Husimi min %g", hmin);
      /* Pointwise Husimi (coherent overlaps) >= 0 everywhere on a coarse
       * lattice, and agrees with the smoothed one. */
      double worst = 0, pmin = INFINITY;
      for (size_t i = 0; i < n; i += 8)
        for (size_t k = 0; k < H.nv; k += 16) {
          double z[2] = {H.xmin + (double)i * H.dx, H.vmin + (double)k * H.dv}, val;
          ck_assert(mfh_sc_husimi_at(s, eps, 1, z, &val, &err) == MFH_OK);
          if (val < pmin) pmin = val;
          double d = fabs(val - H.f[i * H.nv + k]);
          if (d > worst) worst = d;
        }
      printf("measured: odd state Husimi pointwise vs smoothing: max diff %.3g (max %.3g), "
             "pointwise min %.3g\n", worst, hmax, pmin);
      ck_assert(pmin >= 0);
      ck_assert_msg(worst < 1e-10 * fmax(1, hmax), "Husimi routes differ by %g", worst);
    }
    mfh_phase_grid_free(&W);
    mfh_phase_grid_free(&H);
    mfh_sc_phase_destroy(ws);
    mfh_sc_state_destroy(s1);
    mfh_sc_state_destroy(s2);
  }
  free(psi);
  free(h);
}
END_TEST

START_TEST(test_wigner_kernel_vs_orbitals) {
  /* The two input forms give the same W; int W = tr R; threads do not change bits. */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  mfh_xgrid g = grid1(128, 14);
  double eps = 0.15;
  mfh_sc_state *s = random_mixed(&g, eps, r, 4), *k = to_kernel(s);
  mfh_sc_phase *ws1 = phase(&g, eps, 128, 1), *ws2 = phase(&g, eps, 128, 2);
  mfh_phase_grid W1, W2, W3;
  ps_alloc(ws1, &W1);
  ps_alloc(ws1, &W2);
  ps_alloc(ws1, &W3);
  wigner(ws1, s, &W1, NULL);
  wigner(ws1, k, &W2, NULL);
  wigner(ws2, s, &W3, NULL);
  double e = 0, mx = ps_max(&W1), mass;
  for (size_t i = 0; i < W1.nx * W1.nv; i++) e = fmax(e, fabs(W1.f[i] - W2.f[i]));
  ck_assert(memcmp(W1.f, W3.f, W1.nx * W1.nv * sizeof(double)) == 0);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert(mfh_phase_grid_moments(&W2, &mass, NULL, NULL, &err) == MFH_OK);
  printf("measured: Wigner kernel vs orbitals max diff %.3g (max %.3g); int W - 1 = %.3g\n", e,
         mx, mass - 1);
  ck_assert(e < 1e-12 * mx);
  ck_assert(fabs(mass - 1) < 1e-12);
  mfh_phase_grid_free(&W1);
  mfh_phase_grid_free(&W2);
  mfh_phase_grid_free(&W3);
  mfh_sc_phase_destroy(ws1);
  mfh_sc_phase_destroy(ws2);
  mfh_sc_state_destroy(s);
  mfh_sc_state_destroy(k);
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_toeplitz_mixture) {
  /* mu = sum w_i delta_{z_i}: W = G_{eps/2} * mu, Husimi = G_eps * mu (both routes). */
  mfh_xgrid g = grid1(256, 16);
  double eps = 0.08;
  double z[6] = {-1.5, 0.5, 0.3, -0.8, 1.8, 1.2}, w[3] = {0.5, 0.3, 0.2};
  mfh_err err;
  mfh_err_clear(&err);
  mfh_sc_state *s = NULL, *k = NULL;
  ck_assert(mfh_sc_toeplitz_mixture(&g, eps, 3, z, w, MFH_SC_ORBITALS, &s, &err) == MFH_OK);
  ck_assert(mfh_sc_toeplitz_mixture(&g, eps, 3, z, w, MFH_SC_KERNEL, &k, &err) == MFH_OK);
  mfh_sc_phase *ws = phase(&g, eps, 256, 1);
  mfh_phase_grid W, H;
  ps_alloc(ws, &W);
  ps_alloc(ws, &H);
  for (int form = 0; form < 2; form++) {
    wigner(ws, form ? k : s, &W, NULL);
    husimi(ws, form ? k : s, &H);
    double ew = 0, eh = 0, ep = 0;
    for (size_t i = 0; i < W.nx; i++)
      for (size_t j = 0; j < W.nv; j++) {
        double x = W.xmin + (double)i * W.dx, p = W.vmin + (double)j * W.dv, rw = 0, rh = 0;
        for (int a = 0; a < 3; a++) {
          double m[2] = {z[2 * a], z[2 * a + 1]};
          double Cw[4] = {eps / 2, 0, 0, eps / 2}, Ch[4] = {eps, 0, 0, eps};
          rw += w[a] * gauss2(x, p, m, Cw);
          rh += w[a] * gauss2(x, p, m, Ch);
        }
        ew = fmax(ew, fabs(W.f[i * W.nv + j] - rw));
        eh = fmax(eh, fabs(H.f[i * H.nv + j] - rh));
        if (i % 16 == 0 && j % 16 == 0) {
          double zz[2] = {x, p}, v;
          ck_assert(mfh_sc_husimi_at(form ? k : s, eps, 1, zz, &v, &err) == MFH_OK);
          ep = fmax(ep, fabs(v - rh));
        }
      }
    printf("measured: Toeplitz mixture (%s): W err %.3g, Husimi(smoothing) err %.3g, "
           "Husimi(pointwise) err %.3g\n", form ? "kernel" : "orbitals", ew, eh, ep);
    ck_assert(ew < 1e-10 && eh < 1e-10 && ep < 1e-12);
  }
  mfh_phase_grid_free(&W);
  mfh_phase_grid_free(&H);
  mfh_sc_phase_destroy(ws);
  mfh_sc_state_destroy(s);
  mfh_sc_state_destroy(k);
}
END_TEST

START_TEST(test_toeplitz_gaussian) {
  /* mu = N(m, Sigma): thermal orbitals vs closed-form kernel (trace norm),
   * W = N(m, Sigma + eps/2 I), Husimi = N(m, Sigma + eps I), and the moments
   * tr(x^2 rho) = int q^2 dmu + eps/2, tr(P^2 rho) = int p^2 dmu + eps/2. */
  mfh_xgrid g = grid1(512, 24);
  double eps = 0.1, m[2] = {0.5, -0.3}, Sg[4] = {0.5, 0.1, 0.1, 0.3};
  mfh_err err;
  mfh_err_clear(&err);
  size_t M;
  ck_assert(mfh_sc_toeplitz_gaussian_count(eps, Sg, 1e-14, &M, &err) == MFH_OK);
  mfh_sc_state *so = NULL, *sk = NULL;
  double dev;
  ck_assert_msg(mfh_sc_toeplitz_gaussian(&g, eps, m, Sg, MFH_SC_ORBITALS, 1e-14, 1000, &so, &dev,
                                         &err) == MFH_OK, "%s", err.msg);
  ck_assert(mfh_sc_toeplitz_gaussian(&g, eps, m, Sg, MFH_SC_KERNEL, 0, 0, &sk, NULL, &err) ==
            MFH_OK);
  ck_assert_uint_eq(so->norb, M);
  printf("measured: Gaussian Toeplitz: %zu thermal orbitals, max norm deviation %.3g\n", M, dev);
  mfh_sc_norms nm;
  ck_assert_msg(mfh_sc_norms_diff(so, sk, &nm, &err) == MFH_OK, "%s", err.msg);
  printf("measured: Gaussian Toeplitz orbitals vs kernel: trace norm %.3g, op %.3g\n", nm.trace,
         nm.op);
  ck_assert(nm.trace < 1e-9);
  for (int form = 0; form < 2; form++) {
    const mfh_sc_state *s = form ? sk : so;
    mfh_sc_moments mo;
    ck_assert_msg(mfh_sc_state_moments(s, eps, &mo, &err) == MFH_OK, "%s", err.msg);
    double x2 = mo.var_x[0] + mo.mean_x[0] * mo.mean_x[0];
    double p2 = mo.var_p[0] + mo.mean_p[0] * mo.mean_p[0];
    double x2r = m[0] * m[0] + Sg[0] + eps / 2, p2r = m[1] * m[1] + Sg[3] + eps / 2;
    printf("measured: Gaussian Toeplitz (%s): tr(x^2 rho) err %.3g, tr(P^2 rho) err %.3g, "
           "<x> err %.3g, <P> err %.3g\n", form ? "kernel" : "orbitals", fabs(x2 - x2r),
           fabs(p2 - p2r), fabs(mo.mean_x[0] - m[0]), fabs(mo.mean_p[0] - m[1]));
    ck_assert(fabs(x2 - x2r) < 1e-10 && fabs(p2 - p2r) < 1e-10);
    ck_assert(fabs(mo.mean_x[0] - m[0]) < 1e-10 && fabs(mo.mean_p[0] - m[1]) < 1e-10);
  }
  mfh_sc_phase *ws = phase(&g, eps, 256, 0);
  mfh_phase_grid W, H;
  ps_alloc(ws, &W);
  ps_alloc(ws, &H);
  double Cw[4] = {Sg[0] + eps / 2, Sg[1], Sg[2], Sg[3] + eps / 2};
  double Ch[4] = {Sg[0] + eps, Sg[1], Sg[2], Sg[3] + eps};
  for (int form = 0; form < 2; form++) {
    const mfh_sc_state *s = form ? sk : so;
    mfh_sc_wigner_diag dg;
    wigner(ws, s, &W, &dg);
    husimi(ws, s, &H);
    double pk, ew = max_err_gauss(&W, m, Cw, &pk), eh = max_err_gauss(&H, m, Ch, NULL), ep = 0;
    for (size_t i = 0; i < H.nx; i += 32)
      for (size_t k = 0; k < H.nv; k += 8) {
        double z[2] = {H.xmin + (double)i * H.dx, H.vmin + (double)k * H.dv}, v;
        ck_assert(mfh_sc_husimi_at(s, eps, 1, z, &v, &err) == MFH_OK);
        ep = fmax(ep, fabs(v - gauss2(z[0], z[1], m, Ch)));
      }
    printf("measured: Gaussian Toeplitz (%s): W err %.3g, Husimi smoothing err %.3g, pointwise "
           "err %.3g (peak %.3g, window_edge %.3g)\n", form ? "kernel" : "orbitals", ew, eh, ep,
           pk, dg.window_edge);
    ck_assert(ew < 1e-9 && eh < 1e-9 && ep < 1e-9);
  }
  mfh_phase_grid_free(&W);
  mfh_phase_grid_free(&H);
  mfh_sc_phase_destroy(ws);
  mfh_sc_state_destroy(so);
  mfh_sc_state_destroy(sk);
}
END_TEST

START_TEST(test_hermite_wkb) {
  /* Hermite functions: orthonormal on the grid; <x^2> + <P^2> = 2 eps (m + 1/2)
   * (virial, eigenvalue eps (m + 1/2) of the oscillator).  WKB: <P> = p0. */
  mfh_xgrid g = grid1(512, 16);
  double eps = 0.05;
  size_t K = 40, n = g.n;
  double complex *h = malloc(K * n * sizeof *h);
  mfh_err err;
  mfh_err_clear(&err);
  double dev;
  ck_assert(mfh_sc_hermite(&g, eps, K, h, &dev, &err) == MFH_OK);
  double eo = 0, ee = 0;
  for (size_t a = 0; a < K; a++) {
    for (size_t b = 0; b <= a; b++) {
      double complex s = 0;
      for (size_t j = 0; j < n; j++) s += conj(h[a * n + j]) * h[b * n + j];
      eo = fmax(eo, cabs(s * g.dx - (a == b ? 1.0 : 0.0)));
    }
    mfh_sc_state *s = pure_state(&g, h + a * n);
    mfh_sc_moments mo;
    ck_assert(mfh_sc_state_moments(s, eps, &mo, &err) == MFH_OK);
    ee = fmax(ee, fabs(mo.var_x[0] + mo.var_p[0] - 2 * eps * ((double)a + 0.5)));
    mfh_sc_state_destroy(s);
  }
  printf("measured: Hermite m<%zu: norm deviation %.3g, orthonormality %.3g, energy %.3g\n", K,
         dev, eo, ee);
  ck_assert(dev < 1e-12 && eo < 1e-12 && ee < 1e-11);
  /* Large m: finite values, no overflow (recurrence rescaling). */
  mfh_xgrid gb = grid1(256, 200);
  double complex *hb = malloc(3000 * gb.n * sizeof *hb);
  ck_assert(mfh_sc_hermite(&gb, 1.0, 3000, hb, &dev, &err) == MFH_OK);
  for (size_t i = 0; i < 3000 * gb.n; i++) ck_assert(isfinite(creal(hb[i])));
  free(hb);
  free(h);
}
END_TEST

static double wkb_rho(const double *x, void *ctx) {
  (void)ctx;
  return exp(-x[0] * x[0] / 2) / sqrt(2 * PI);
}
static double wkb_S(const double *x, void *ctx) { return *(const double *)ctx * x[0]; }

START_TEST(test_wkb) {
  mfh_xgrid g = grid1(512, 24);
  double eps = 0.02, p0 = 0.7, mass;
  double complex *psi = malloc(g.n * sizeof *psi);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert(mfh_sc_wkb(&g, eps, wkb_rho, wkb_S, &p0, psi, &mass, &err) == MFH_OK);
  mfh_sc_state *s = pure_state(&g, psi);
  mfh_sc_moments mo;
  ck_assert(mfh_sc_state_moments(s, eps, &mo, &err) == MFH_OK);
  /* psi = sqrt(rho) e^{i p0 x/eps}: <P> = p0, Var P = eps^2 int |d sqrt rho|^2 = eps^2/4. */
  printf("measured: WKB mass-1 %.3g, <P>-p0 %.3g, Var P - eps^2/4 %.3g\n", mass - 1,
         mo.mean_p[0] - p0, mo.var_p[0] - eps * eps / 4);
  ck_assert(fabs(mass - 1) < 1e-12 && fabs(mo.mean_p[0] - p0) < 1e-12);
  ck_assert(fabs(mo.var_p[0] - eps * eps / 4) < 1e-12);
  mfh_sc_state_destroy(s);
  free(psi);
}
END_TEST

/* ---- MK-1, MK-2, MK-3 ---------------------------------------------------- */

START_TEST(test_mk2_coherent) {
  /* MK-2: MK2^eps(|z1>, |z2>)^2 = |z1 - z2|^2 + 2 d eps, d = 1 and 2. */
  for (int d = 1; d <= 2; d++) {
    mfh_xgrid g = {d, d == 1 ? 256 : 128, d == 1 ? -8.0 : -7.0, d == 1 ? 16.0 / 256 : 14.0 / 128};
    double epss[3] = {0.4, 0.2, 0.1};
    for (int t = 0; t < 3; t++) {
      double eps = epss[t];
      double q1[2] = {0.5, -1.0}, p1[2] = {1.0, 0.3}, q2[2] = {-0.7, 0.4}, p2[2] = {-0.2, 0.9};
      mfh_sc_state *a = coherent_state(&g, eps, q1, p1), *b = coherent_state(&g, eps, q2, p2);
      double ref = 2 * d * eps;
      for (int k = 0; k < d; k++)
        ref += (q1[k] - q2[k]) * (q1[k] - q2[k]) + (p1[k] - p2[k]) * (p1[k] - p2[k]);
      double v;
      mfh_err err;
      mfh_err_clear(&err);
      ck_assert_msg(mfh_sc_mk2eps_sq(a, b, eps, &v, &err) == MFH_OK, "%s", err.msg);
      printf("measured: MK-2 d=%d eps=%g: MK2^2 = %.15g, |z1-z2|^2 + 2 d eps = %.15g, err %.3g\n",
             d, eps, v, ref, fabs(v - ref));
      ck_assert_msg(fabs(v - ref) < 1e-10, "MK2^2 %.17g vs %.17g", v, ref);
      if (d == 1) { /* Kernel form of the pure state gives the same. */
        mfh_sc_state *ak = to_kernel(a);
        double v2;
        ck_assert(mfh_sc_mk2eps_sq(ak, b, eps, &v2, &err) == MFH_OK);
        ck_assert(fabs(v2 - ref) < 1e-10);
        mfh_sc_state_destroy(ak);
      }
      mfh_sc_state_destroy(a);
      mfh_sc_state_destroy(b);
    }
  }
}
END_TEST

START_TEST(test_mk1_random) {
  /* MK-1: MK2^eps(rho, rho')^2 >= 2 d eps on random pure/mixed pairs. */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2024);
  double worst = INFINITY;
  for (int d = 1; d <= 2; d++) {
    mfh_xgrid g = {d, d == 1 ? 256 : 64, d == 1 ? -10.0 : -8.0, d == 1 ? 20.0 / 256 : 16.0 / 64};
    size_t N = mfh_xgrid_points(&g);
    double complex *psi = malloc(N * sizeof *psi);
    for (int trial = 0; trial < (d == 1 ? 20 : 6); trial++) {
      double eps = d == 1 ? 0.05 + 0.4 * gsl_rng_uniform(r) : 0.3 + 0.3 * gsl_rng_uniform(r);
      random_smooth(&g, eps, r, 1 + trial % 4, psi);
      mfh_sc_state *a = pure_state(&g, psi);
      mfh_sc_state *b;
      if (trial % 2) {
        b = random_mixed(&g, eps, r, 1 + (size_t)trial % 5);
      } else {
        random_smooth(&g, eps, r, 2, psi);
        b = pure_state(&g, psi);
      }
      mfh_sc_state *bk = d == 1 ? to_kernel(b) : NULL;
      double v, v2;
      mfh_err err;
      mfh_err_clear(&err);
      ck_assert_msg(mfh_sc_mk2eps_sq(b, a, eps, &v, &err) == MFH_OK, "%s", err.msg);
      double ratio = v / (2 * d * eps);
      if (ratio < worst) worst = ratio;
      ck_assert_msg(ratio >= 1 - 1e-12, "MK-1 violated: %.17g < %.17g", v, 2 * d * eps);
      if (bk) {
        ck_assert(mfh_sc_mk2eps_sq(a, bk, eps, &v2, &err) == MFH_OK);
        ck_assert_msg(fabs(v - v2) < 1e-10 * v, "kernel vs orbitals %g %g", v, v2);
      }
      mfh_sc_state_destroy(a);
      mfh_sc_state_destroy(b);
      mfh_sc_state_destroy(bk);
    }
    free(psi);
  }
  printf("measured: MK-1 min over random pairs of MK2^2/(2 d eps) = %.6g\n", worst);
  /* Equality case: a coherent state against itself (d = 1, 2). */
  for (int d = 1; d <= 2; d++) {
    mfh_xgrid g = {d, d == 1 ? 256 : 96, -7.0, d == 1 ? 14.0 / 256 : 14.0 / 96};
    double eps = 0.3, q[2] = {0.4, -0.2}, p[2] = {-0.5, 0.7}, v;
    mfh_sc_state *a = coherent_state(&g, eps, q, p);
    mfh_err err;
    mfh_err_clear(&err);
    ck_assert(mfh_sc_mk2eps_sq(a, a, eps, &v, &err) == MFH_OK);
    printf("measured: MK-1 equality case d=%d: MK2^2/(2 d eps) - 1 = %.3g\n", d,
           v / (2 * d * eps) - 1);
    ck_assert(fabs(v / (2 * d * eps) - 1) < 1e-12);
    mfh_sc_state_destroy(a);
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_mk2_needs_pure) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  mfh_xgrid g = grid1(128, 16);
  mfh_sc_state *a = random_mixed(&g, 0.2, r, 3), *b = random_mixed(&g, 0.2, r, 2);
  double v;
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert_int_eq(mfh_sc_mk2eps_sq(a, b, 0.2, &v, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "needs one pure state") != NULL, "%s", err.msg);
  printf("message: %s\n", err.msg);
  mfh_sc_state_destroy(a);
  mfh_sc_state_destroy(b);
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_mk3_coherent) {
  /* MK-3: MK2^2 >= W_2(Husimi1, Husimi2)^2 - 2 d eps.  Husimis are N(z_i, eps I),
   * W_2 = |z1 - z2|; the grid bracket's upper end certifies the inequality. */
  mfh_xgrid g = grid1(256, 16);
  double eps = 0.2, q1 = -0.5, p1 = 0.4, q2 = 0.9, p2 = -0.3;
  mfh_sc_state *a = coherent_state(&g, eps, &q1, &p1), *b = coherent_state(&g, eps, &q2, &p2);
  mfh_sc_phase *ws = phase(&g, eps, 128, 1);
  mfh_phase_grid H1, H2;
  ps_alloc(ws, &H1);
  ps_alloc(ws, &H2);
  husimi(ws, a, &H1);
  husimi(ws, b, &H2);
  mfh_sc_w2grid res;
  mfh_err err;
  mfh_err_clear(&err);
  mfh_sc_w2grid_opts o;
  mfh_sc_w2grid_opts_init(&o);
  o.max_points = 600;
  ck_assert_msg(mfh_sc_w2_grid(&H1, &H2, &o, &res, &err) == MFH_OK, "%s", err.msg);
  double mk2, dz = sqrt((q1 - q2) * (q1 - q2) + (p1 - p2) * (p1 - p2));
  ck_assert(mfh_sc_mk2eps_sq(a, b, eps, &mk2, &err) == MFH_OK);
  printf("measured: MK-3: MK2^2 = %.6g >= W2^2 - 2 eps with W2 in [%.6g, %.6g] (continuum "
         "%.6g, cells %.3g); certified: %s\n", mk2, res.lower, res.upper, dz, res.cell_f,
         res.upper * res.upper - 2 * eps <= mk2 ? "yes" : "no");
  ck_assert(res.upper * res.upper - 2 * eps <= mk2);
  /* The continuum W_2 = |z1 - z2| differs from the grid measures' W_2 by at
   * most the cell terms (the Husimis are resolved). */
  ck_assert(res.lower - res.cell_f - res.cell_g <= dz && dz <= res.upper + res.cell_f + res.cell_g);
  mfh_phase_grid_free(&H1);
  mfh_phase_grid_free(&H2);
  mfh_sc_phase_destroy(ws);
  mfh_sc_state_destroy(a);
  mfh_sc_state_destroy(b);
}
END_TEST

/* ---- norms ----------------------------------------------------------------- */

START_TEST(test_norms_orthogonal) {
  /* |h0><h0| - |h1><h1|: trace 2, op 1, HS sqrt 2 (rank route and dense). */
  mfh_xgrid g = grid1(128, 16);
  size_t n = g.n;
  double complex *h = malloc(2 * n * sizeof *h);
  mfh_err err;
  mfh_err_clear(&err);
  ck_assert(mfh_sc_hermite(&g, 0.3, 2, h, NULL, &err) == MFH_OK);
  mfh_sc_state *a = pure_state(&g, h), *b = pure_state(&g, h + n);
  mfh_sc_state *ak = to_kernel(a), *bk = to_kernel(b);
  mfh_sc_norms r1, r2;
  ck_assert(mfh_sc_norms_diff(a, b, &r1, &err) == MFH_OK);
  ck_assert(mfh_sc_norms_diff(ak, b, &r2, &err) == MFH_OK);
  ck_assert(r1.rank_route == 1 && r2.rank_route == 0);
  printf("measured: orthogonal pure states: rank route trace-2 %.3g op-1 %.3g hs-sqrt2 %.3g; "
         "dense trace-2 %.3g op-1 %.3g hs-sqrt2 %.3g\n", r1.trace - 2, r1.op - 1,
         r1.hs - sqrt(2.0), r2.trace - 2, r2.op - 1, r2.hs - sqrt(2.0));
  ck_assert(fabs(r1.trace - 2) < 1e-12 && fabs(r1.op - 1) < 1e-12 &&
            fabs(r1.hs - sqrt(2.0)) < 1e-12);
  ck_assert(fabs(r2.trace - 2) < 1e-12 && fabs(r2.op - 1) < 1e-12 &&
            fabs(r2.hs - sqrt(2.0)) < 1e-12);
  /* Identical states: all zero. */
  ck_assert(mfh_sc_norms_diff(ak, a, &r1, &err) == MFH_OK);
  ck_assert(r1.trace < 1e-13);
  /* Non-Hermitian kernel: MFH_EINPUT. */
  bk->kernel[3 * n + 5] += 0.1;
  ck_assert_int_eq(mfh_sc_norms_diff(a, bk, &r1, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "not Hermitian") != NULL, "%s", err.msg);
  printf("message: %s\n", err.msg);
  mfh_sc_state_destroy(a);
  mfh_sc_state_destroy(b);
  mfh_sc_state_destroy(ak);
  mfh_sc_state_destroy(bk);
  free(h);
}
END_TEST

START_TEST(test_norms_random) {
  /* trace >= HS >= op on random differences; rank route = dense route. */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 99);
  double agree = 0;
  for (int d = 1; d <= 2; d++) {
    mfh_xgrid g = {d, d == 1 ? 128 : 24, d == 1 ? -10.0 : -6.0, d == 1 ? 20.0 / 128 : 0.5};
    for (int trial = 0; trial < 6; trial++) {
      double eps = 0.3 + 0.5 * gsl_rng_uniform(r);
      mfh_sc_state *a = random_mixed(&g, eps, r, 1 + (size_t)trial % 4);
      mfh_sc_state *b = random_mixed(&g, eps, r, 1 + (size_t)(trial + 1) % 3);
      mfh_sc_state *ak = to_kernel(a);
      mfh_sc_norms r1, r2;
      mfh_err err;
      mfh_err_clear(&err);
      ck_assert(mfh_sc_norms_diff(a, b, &r1, &err) == MFH_OK);
      ck_assert(mfh_sc_norms_diff(ak, b, &r2, &err) == MFH_OK);
      ck_assert(r1.trace >= r1.hs * (1 - 1e-14) && r1.hs >= r1.op * (1 - 1e-14));
      ck_assert(r1.trace <= 2 + 1e-12);
      agree = fmax(agree, fabs(r1.trace - r2.trace) + fabs(r1.hs - r2.hs) + fabs(r1.op - r2.op));
      /* HS directly: dx^{2d} sum |K_a - K_b|^2. */
      mfh_sc_state *bk = to_kernel(b);
      size_t N = mfh_xgrid_points(&g);
      double hs = 0, c = mfh_xgrid_cell(&g);
      for (size_t i = 0; i < N * N; i++) {
        double complex dd = ak->kernel[i] - bk->kernel[i];
        hs += creal(dd * conj(dd));
      }
      hs = sqrt(hs) * c;
      agree = fmax(agree, fabs(hs - r1.hs));
      mfh_sc_state_destroy(a);
      mfh_sc_state_destroy(b);
      mfh_sc_state_destroy(ak);
      mfh_sc_state_destroy(bk);
    }
  }
  printf("measured: norms rank vs dense vs direct HS: max disagreement %.3g\n", agree);
  ck_assert(agree < 1e-11);
  gsl_rng_free(r);
}
END_TEST

/* ---- Gaussian W_2 and grid W_2 --------------------------------------------- */

START_TEST(test_w2_gaussian) {
  mfh_err err;
  mfh_err_clear(&err);
  double v;
  /* 1D and commuting 2D: sum (sqrt a - sqrt b)^2 + |dm|^2. */
  double m1[3] = {0.1, -0.2, 0.3}, m2[3] = {0.4, 0.1, -0.2};
  double a1 = 2.0, a2 = 0.5;
  ck_assert(mfh_sc_w2sq_gaussian(1, m1, &a1, m2, &a2, &v, &err) == MFH_OK);
  ck_assert(fabs(v - (0.09 + 0.5)) < 1e-15);
  double A1[4] = {2, 0, 0, 0.5}, A2[4] = {0.5, 0, 0, 2};
  ck_assert(mfh_sc_w2sq_gaussian(2, m1, A1, m2, A2, &v, &err) == MFH_OK);
  ck_assert(fabs(v - (0.09 + 0.09 + 0.5 + 0.5)) < 1e-14);
  /* 3D general route vs 2D + 1D blocks. */
  double B1[4] = {1.0, 0.3, 0.3, 0.6}, B2[4] = {0.4, -0.1, -0.1, 0.9};
  double C1[9] = {1.0, 0.3, 0, 0.3, 0.6, 0, 0, 0, 2.0};
  double C2[9] = {0.4, -0.1, 0, -0.1, 0.9, 0, 0, 0, 0.5};
  double v2, v1, v3;
  ck_assert(mfh_sc_w2sq_gaussian(2, m1, B1, m2, B2, &v2, &err) == MFH_OK);
  ck_assert(mfh_sc_w2sq_gaussian(1, m1 + 2, C1 + 8, m2 + 2, C2 + 8, &v1, &err) == MFH_OK);
  ck_assert(mfh_sc_w2sq_gaussian(3, m1, C1, m2, C2, &v3, &err) == MFH_OK);
  printf("measured: Gaussian W2 3D general vs 2D+1D closed forms: %.3g\n", fabs(v3 - v1 - v2));
  ck_assert(fabs(v3 - v1 - v2) < 1e-13);
  /* Indefinite: MFH_EINPUT. */
  double bad[4] = {1, 2, 2, 1};
  ck_assert_int_eq(mfh_sc_w2sq_gaussian(2, m1, bad, m2, B2, &v, &err), MFH_EINPUT);
}
END_TEST

/* Fill a phase-space grid with N(m, C). */
static void fill_gauss(mfh_phase_grid *ps, const double m[2], const double C[4]) {
  for (size_t i = 0; i < ps->nx; i++)
    for (size_t k = 0; k < ps->nv; k++)
      ps->f[i * ps->nv + k] =
          gauss2(ps->xmin + (double)i * ps->dx, ps->vmin + (double)k * ps->dv, m, C);
}

START_TEST(test_w2_grid) {
  /* (a) Same grid, shift by whole nodes: the grid measures are translates,
   * so W_2 = |shift| exactly and must lie in the certified bracket.
   * (b) Different grids and covariances: the continuum closed form must lie
   * in the bracket widened by the cell terms. */
  mfh_err err;
  mfh_err_clear(&err);
  mfh_phase_grid f, g;
  ck_assert(mfh_phase_grid_alloc(&f, 160, 140, &err) == MFH_OK);
  ck_assert(mfh_phase_grid_alloc(&g, 160, 140, &err) == MFH_OK);
  f.xmin = g.xmin = -6;
  f.dx = g.dx = 12.0 / 160;
  f.vmin = g.vmin = -5;
  f.dv = g.dv = 10.0 / 140;
  double mf[2] = {-0.6, 0.2}, mg[2] = {-0.6 + 13 * f.dx, 0.2 - 9 * f.dv};
  double Cf[4] = {0.5, 0.1, 0.1, 0.4};
  fill_gauss(&f, mf, Cf);
  fill_gauss(&g, mg, Cf);
  mfh_sc_w2grid res;
  mfh_sc_w2grid_opts o;
  mfh_sc_w2grid_opts_init(&o);
  double ref = sqrt(169 * f.dx * f.dx + 81 * f.dv * f.dv);
  size_t pts[3] = {200, 600, 1500};
  for (int t = 0; t < 3; t++) {
    o.max_points = pts[t];
    ck_assert_msg(mfh_sc_w2_grid(&f, &g, &o, &res, &err) == MFH_OK, "%s", err.msg);
    printf("measured: W2 grid, node-shifted Gaussians, %zu x %zu coarse points (blocks {%zu,%zu}): "
           "bracket [%.9f, %.9f] width %.3g, exact %.9f; W_c %.6f dual %.9f marginal %.9f "
           "q %.3g drop %.3g\n",
           res.npts_f, res.npts_g, res.block_f[0], res.block_f[1], res.lower, res.upper,
           res.upper - res.lower, ref, res.w2_coarse, res.dual, res.marginal, res.quant_f,
           res.drop_f);
    ck_assert(res.lower <= ref * (1 + 1e-12) && ref <= res.upper * (1 + 1e-12));
  }
  mfh_phase_grid_free(&g);
  /* (b) another grid, another covariance. */
  ck_assert(mfh_phase_grid_alloc(&g, 120, 200, &err) == MFH_OK);
  g.xmin = -5.5;
  g.dx = 11.0 / 120;
  g.vmin = -6;
  g.dv = 12.0 / 200;
  double mg2[2] = {0.5, -0.45}, Cg2[4] = {0.2, -0.05, -0.05, 0.8};
  fill_gauss(&g, mg2, Cg2);
  double w2sq;
  ck_assert(mfh_sc_w2sq_gaussian(2, mf, Cf, mg2, Cg2, &w2sq, &err) == MFH_OK);
  o.max_points = 1000;
  ck_assert(mfh_sc_w2_grid(&f, &g, &o, &res, &err) == MFH_OK);
  ref = sqrt(w2sq);
  printf("measured: W2 grid, different grids/covariances: bracket [%.6f, %.6f], closed form "
         "%.6f, cell terms %.3g + %.3g\n",
         res.lower, res.upper, ref, res.cell_f, res.cell_g);
  ck_assert(res.lower - res.cell_f - res.cell_g <= ref &&
            ref <= res.upper + res.cell_f + res.cell_g);
  /* A signed density (Wigner-like) is rejected. */
  g.f[10 * g.nv + 100] = -0.01;
  ck_assert_int_eq(mfh_sc_w2_grid(&f, &g, &o, &res, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "< 0") != NULL, "%s", err.msg);
  printf("message: %s\n", err.msg);
  o.max_points = 5000;
  ck_assert_int_eq(mfh_sc_w2_grid(&f, &f, &o, &res, &err), MFH_EINPUT);
  mfh_phase_grid_free(&f);
  mfh_phase_grid_free(&g);
}
END_TEST

/* ---- bad inputs ------------------------------------------------------------ */

START_TEST(test_bad_inputs) {
  mfh_err err;
  mfh_err_clear(&err);
  mfh_xgrid g = grid1(128, 16), bad = grid1(127, 16);
  mfh_sc_state *s = NULL;
  double z[4] = {0, 0, 1, 1}, wneg[2] = {1.2, -0.2}, wsum[2] = {0.5, 0.4};
  ck_assert_int_eq(mfh_sc_toeplitz_mixture(&g, 0.1, 2, z, wneg, MFH_SC_ORBITALS, &s, &err),
                   MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "mixture weights") && strstr(err.msg, "negative"), "%s", err.msg);
  printf("message: %s\n", err.msg);
  ck_assert_int_eq(mfh_sc_toeplitz_mixture(&g, 0.1, 2, z, wsum, MFH_SC_ORBITALS, &s, &err),
                   MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "sum to"), "%s", err.msg);
  printf("message: %s\n", err.msg);
  ck_assert(s == NULL);
  double complex psi[128];
  double q = 0, p = 0;
  ck_assert_int_eq(mfh_sc_coherent(&bad, 0.1, &q, &p, psi, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "grid.n"), "%s", err.msg);
  ck_assert_int_eq(mfh_sc_coherent(&g, -1, &q, &p, psi, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "eps"), "%s", err.msg);
  mfh_sc_phase *ws = NULL;
  ck_assert_int_eq(mfh_sc_phase_create(&g, 0.1, 7, 1, &ws, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "nxi"), "%s", err.msg);
  double m[2] = {0, 0}, Sbad[4] = {1, 2, 2, 1}, Sok[4] = {1, 0, 0, 1};
  ck_assert_int_eq(mfh_sc_toeplitz_gaussian(&g, 0.1, m, Sbad, MFH_SC_KERNEL, 0, 0, &s, NULL, &err),
                   MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "positive semi-definite"), "%s", err.msg);
  printf("message: %s\n", err.msg);
  ck_assert_int_eq(
      mfh_sc_toeplitz_gaussian(&g, 0.01, m, Sok, MFH_SC_ORBITALS, 0, 100, &s, NULL, &err),
      MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "max_orbitals"), "%s", err.msg);
  printf("message: %s\n", err.msg);
  /* A state with bad weights, and an unnormalised state for moments. */
  mfh_sc_state *st = NULL;
  ck_assert(mfh_sc_state_create(&g, MFH_SC_ORBITALS, 2, &st, &err) == MFH_OK);
  st->w[0] = 0.7;
  st->w[1] = 0.2;
  mfh_sc_moments mo;
  ck_assert_int_eq(mfh_sc_state_moments(st, 0.1, &mo, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "state weights"), "%s", err.msg);
  st->w[1] = 0.3;
  ck_assert(mfh_sc_coherent(&g, 0.1, &q, &p, st->orb, &err) == MFH_OK);
  ck_assert(mfh_sc_coherent(&g, 0.1, &q, &p, st->orb + 128, &err) == MFH_OK);
  for (int j = 0; j < 128; j++) st->orb[128 + j] *= 1.1;
  ck_assert_int_eq(mfh_sc_state_moments(st, 0.1, &mo, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "tr R"), "%s", err.msg);
  printf("message: %s\n", err.msg);
  /* Different grids in the norms. */
  mfh_xgrid g2 = grid1(128, 18);
  mfh_sc_state *o1 = coherent_state(&g, 0.1, &q, &p), *o2 = coherent_state(&g2, 0.1, &q, &p);
  mfh_sc_norms nr;
  ck_assert_int_eq(mfh_sc_norms_diff(o1, o2, &nr, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "different grids"), "%s", err.msg);
  /* Wigner with a state on another grid. */
  ws = phase(&g, 0.1, 128, 1);
  mfh_phase_grid W;
  ps_alloc(ws, &W);
  ck_assert_int_eq(mfh_sc_wigner(ws, o2, &W, NULL, &err), MFH_EINPUT);
  ck_assert_msg(strstr(err.msg, "differs from the workspace"), "%s", err.msg);
  mfh_phase_grid_free(&W);
  mfh_sc_phase_destroy(ws);
  mfh_sc_state_destroy(o1);
  mfh_sc_state_destroy(o2);
  mfh_sc_state_destroy(st);
  mfh_sc_state_destroy(NULL);
  mfh_sc_phase_destroy(NULL);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("semiclassical");
  TCase *tc = tcase_create("semiclassical");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_wigner_coherent);
  tcase_add_test(tc, test_wigner_odd_state);
  tcase_add_test(tc, test_wigner_kernel_vs_orbitals);
  tcase_add_test(tc, test_toeplitz_mixture);
  tcase_add_test(tc, test_toeplitz_gaussian);
  tcase_add_test(tc, test_hermite_wkb);
  tcase_add_test(tc, test_wkb);
  tcase_add_test(tc, test_mk2_coherent);
  tcase_add_test(tc, test_mk1_random);
  tcase_add_test(tc, test_mk2_needs_pure);
  tcase_add_test(tc, test_mk3_coherent);
  tcase_add_test(tc, test_norms_orthogonal);
  tcase_add_test(tc, test_norms_random);
  tcase_add_test(tc, test_w2_gaussian);
  tcase_add_test(tc, test_w2_grid);
  tcase_add_test(tc, test_bad_inputs);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
