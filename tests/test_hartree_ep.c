/* Tests for engines/ep1d/ (exact 1D Euler-Poisson reference) and the parts of
 * CEP-5 (Hartree -> Euler-Poisson, THEOREMS.md): engine hartree (state wkb,
 * interaction coulomb1d, the automatic grid and step of umax and dt_div),
 * engine ep1d (rho_in gaussian), the observables modulated_density and
 * modulated_density0 and metrics/semiclassical/modulated.h.
 *
 * Independent references: finite differences of the Eulerian fields (the
 * PDEs themselves, the Lagrangian identities, u_x and u_xxx), brute-force
 * scans for the suprema L and M3, the closed form G(0) = hbar^2 int
 * |(sqrt rho_in)'|^2 = hbar^2, the erf closed form of F_in against the
 * spectral cumulative integral, the Coulomb energy of a density difference
 * computed by the solver's convolution against the F formula (with the
 * Euler-Maclaurin term of the plain kernel predicted exactly), refusals, and
 * the order 2 of the Strang splitting. */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/values.h"
#include "engines/ep1d/ep1d.h"
#include "engines/ep1d/exact.h"
#include "engines/hartree/engine.h"
#include "engines/hartree/hartree.h"
#include "metrics/semiclassical/modulated.h"
#include "observables/modulated.h"
#include "tests/testutil.h"

static double u_at(double t, double x, double beta) {
  mfh_ep1d_point p;
  mfh_ep1d_eval(t, x, beta, &p);
  return p.u;
}
static double rho_at(double t, double x, double beta) {
  mfh_ep1d_point p;
  mfh_ep1d_eval(t, x, beta, &p);
  return p.rho;
}
static double F_at(double t, double x, double beta) {
  mfh_ep1d_point p;
  mfh_ep1d_eval(t, x, beta, &p);
  return p.F;
}

/* ---- the Euler-Poisson reference ------------------------------------------ */

/* Mass, Lagrangian identities, and the PDEs by central differences. */
START_TEST(ep_identities) {
  const double betas[3] = {0.5, 0, -0.7};
  for (int ib = 0; ib < 3; ib++) {
    double beta = betas[ib];
    const double ts[3] = {0, 0.7, 1.6};
    for (int it = 0; it < 3; it++) {
      double t = ts[it];
      /* mass: trapezoid on [-12, 12] (spectral for this smooth density) */
      double m = 0, h = 1e-3;
      for (double x = -12; x <= 12; x += h) {
        double a = mfh_ep1d_label(t, x, beta);
        ck_assert_msg(fabs(mfh_ep1d_X(t, a, beta) - x) < 1e-12, "label residual at t %g x %g", t, x);
        m += rho_at(t, x, beta) * h;
      }
      ck_assert_msg(fabs(m - 1) < 1e-10, "mass %.15g at beta %g t %g", m, beta, t);
      for (double a = -1.9; a <= 1.9; a += 0.37) {
        double X = mfh_ep1d_X(t, a, beta), e = 1e-5;
        ck_assert_double_eq_tol(mfh_ep1d_label(t, X, beta), a, 1e-12);
        double Xa_fd = (mfh_ep1d_X(t, a + e, beta) - mfh_ep1d_X(t, a - e, beta)) / (2 * e);
        ck_assert_double_eq_tol(Xa_fd, mfh_ep1d_Xa(t, a, beta), 1e-8);
        /* rho(t, X) X_a = rho_in(a), F(t, X) = F_in(a), u(t, X) = U(t, a) */
        ck_assert_double_eq_tol(rho_at(t, X, beta) * mfh_ep1d_Xa(t, a, beta), mfh_ep1d_rho_in(a), 1e-14);
        ck_assert_double_eq_tol(F_at(t, X, beta), mfh_ep1d_cdf_in(a), 1e-14);
        ck_assert_double_eq_tol(u_at(t, X, beta), mfh_ep1d_U(t, a, beta), 1e-13);
        /* F_in' = rho_in, rho_in' and rho_in'' by differences */
        double e3 = 1e-4;
        ck_assert_double_eq_tol((mfh_ep1d_cdf_in(a + e3) - mfh_ep1d_cdf_in(a - e3)) / (2 * e3),
                                mfh_ep1d_rho_in(a), 1e-8);
        ck_assert_double_eq_tol((mfh_ep1d_rho_in(a + e3) - mfh_ep1d_rho_in(a - e3)) / (2 * e3),
                                mfh_ep1d_rho_in_d1(a), 1e-7);
        ck_assert_double_eq_tol((mfh_ep1d_rho_in_d1(a + e3) - mfh_ep1d_rho_in_d1(a - e3)) / (2 * e3),
                                mfh_ep1d_rho_in_d2(a), 1e-6);
        ck_assert_double_eq_tol(mfh_ep1d_sqrt_rho_in(a) * mfh_ep1d_sqrt_rho_in(a), mfh_ep1d_rho_in(a), 1e-15);
        if (t == 0) continue;
        /* Eulerian PDEs at x = X: d_t rho + (rho u)_x = 0, d_t u + u u_x = F - 1/2 */
        double x = X, k = 1e-4;
        double rt = (rho_at(t + k, x, beta) - rho_at(t - k, x, beta)) / (2 * k);
        double ru = (rho_at(t, x + k, beta) * u_at(t, x + k, beta) - rho_at(t, x - k, beta) * u_at(t, x - k, beta)) /
                    (2 * k);
        ck_assert_msg(fabs(rt + ru) < 1e-6, "continuity residual %g", rt + ru);
        double ut = (u_at(t + k, x, beta) - u_at(t - k, x, beta)) / (2 * k);
        double ux = (u_at(t, x + k, beta) - u_at(t, x - k, beta)) / (2 * k);
        double res = ut + u_at(t, x, beta) * ux - (F_at(t, x, beta) - 0.5);
        ck_assert_msg(fabs(res) < 1e-6, "Euler residual %g", res);
      }
    }
  }
}
END_TEST

/* u_x, u_xx, u_xxx from the closed forms against central differences of u;
 * u_x(0, .) = -beta. */
START_TEST(ep_derivatives_fd) {
  double beta = 0.5;
  for (double x = -2; x <= 2; x += 0.25) {
    mfh_ep1d_point p0;
    mfh_ep1d_eval(0, x, beta, &p0);
    ck_assert_double_eq_tol(p0.ux, -beta, 1e-15);
    ck_assert_double_eq_tol(p0.uxxx, 0, 1e-15);
  }
  const double ts[3] = {0.5, 1.2, 1.8};
  for (int it = 0; it < 3; it++) {
    double t = ts[it];
    for (double x = -1.6; x <= 1.6; x += 0.2) {
      mfh_ep1d_point p;
      mfh_ep1d_eval(t, x, beta, &p);
      /* u_x: 4th-order differences; u_xx, u_xxx: 2nd-order differences
       * with h and h/2, Richardson-extrapolated (the fields are sharp near
       * breaking: |u_xxx| ~ 300 at t = 1.8) */
      double h = 2e-3, ux = 0, uxx[2], uxxx[2];
      for (int lev = 0; lev < 2; lev++, h /= 2) {
        double u[5];
        for (int k = -2; k <= 2; k++) u[k + 2] = u_at(t, x + k * h, beta);
        ux = (u[0] - 8 * u[1] + 8 * u[3] - u[4]) / (12 * h);
        uxx[lev] = (u[1] - 2 * u[2] + u[3]) / (h * h);
        uxxx[lev] = (-u[0] + 2 * u[1] - 2 * u[3] + u[4]) / (2 * h * h * h);
      }
      double uxx_r = uxx[1] + (uxx[1] - uxx[0]) / 3, uxxx_r = uxxx[1] + (uxxx[1] - uxxx[0]) / 3;
      double sc = fmax(1, fabs(p.uxxx));
      ck_assert_msg(fabs(ux - p.ux) < 1e-7 * fmax(1, fabs(p.ux)), "u_x %g vs %g at t %g x %g", ux, p.ux, t, x);
      ck_assert_msg(fabs(uxx_r - p.uxx) < 1e-6 * fmax(1, fabs(p.uxx)), "u_xx %.10g vs %.10g", uxx_r, p.uxx);
      ck_assert_msg(fabs(uxxx_r - p.uxxx) < 1e-5 * sc, "u_xxx %.10g vs %.10g at t %g x %g", uxxx_r, p.uxxx, t, x);
    }
  }
}
END_TEST

/* Breaking time; L and M3 against brute-force scans; both monotone in t. */
START_TEST(ep_breaking_and_suprema) {
  ck_assert_double_eq(mfh_ep1d_breaking_time(0.5), 2);
  ck_assert(isinf(mfh_ep1d_breaking_time(0)) && isinf(mfh_ep1d_breaking_time(-1)));
  ck_assert(mfh_ep1d_Xa(1.999, 50, 0.5) > 0 && mfh_ep1d_Xa(2.001, 50, 0.5) < 0);
  ck_assert(isinf(mfh_ep1d_lip(2, 0.5)) && isinf(mfh_ep1d_uxxx_sup(2.5, 0.5)));
  ck_assert_double_eq_tol(mfh_ep1d_lip(0, 0.5), 0.5, 1e-15);
  const double betas[3] = {0.5, 0, -0.7};
  for (int ib = 0; ib < 3; ib++) {
    double beta = betas[ib], t = ib == 0 ? 1.5 : 2.5;
    double Lb = 0, Mb = 0; /* brute force over (s, a) */
    for (int i = 0; i <= 300; i++) {
      double s = t * i / 300.0;
      for (double a = -8; a <= 8; a += 0.004) {
        double x = mfh_ep1d_X(s, a, beta);
        mfh_ep1d_point p;
        mfh_ep1d_eval(s, x, beta, &p);
        Lb = fmax(Lb, fabs(p.ux));
        Mb = fmax(Mb, fabs(p.uxxx));
      }
    }
    double L = mfh_ep1d_lip(t, beta), M = mfh_ep1d_uxxx_sup(t, beta);
    /* the scan is a lower bound, close to the sup (the r -> 0 branch of u_x
     * is reached only in the far tails: |a| = 8 gives rho_in ~ 1e-56) */
    ck_assert_msg(Lb <= L * (1 + 1e-12) && Lb >= L * (1 - 1e-4), "L %.12g scan %.12g beta %g", L, Lb, beta);
    ck_assert_msg(Mb <= M * (1 + 1e-9) && Mb >= M * (1 - 1e-4), "M3 %.12g scan %.12g beta %g", M, Mb, beta);
    ck_assert(mfh_ep1d_uxxx_sup(0.5 * t, beta) <= M && mfh_ep1d_lip(0.5 * t, beta) <= L);
  }
}
END_TEST

/* ---- the CEP-5 functionals ---------------------------------------------- */

/* Spectral cumulative integral of the Gaussian against the erf closed form. */
START_TEST(cumulative_vs_erf) {
  size_t n = 512;
  double L = 12, dx = L / n, xmin = -6;
  mfh_sc_modulated_work *w = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_sc_modulated_work_create(n, &w, &err), MFH_OK);
  double *rho = malloc(n * sizeof *rho), *F = malloc(n * sizeof *F);
  for (size_t j = 0; j < n; j++) rho[j] = mfh_ep1d_rho_in(xmin + j * dx - 0.3);
  mfh_sc_modulated_cumulative(w, rho, dx, F);
  double emax = 0;
  for (size_t j = 0; j < n; j++) emax = fmax(emax, fabs(F[j] - mfh_ep1d_cdf_in(xmin + j * dx - 0.3)));
  ck_assert_msg(emax < 1e-13, "cumulative error %g", emax);
  free(rho);
  free(F);
  mfh_sc_modulated_work_destroy(w);
}
END_TEST

/* The CEP-5 parts at the output times t[0..n-1]: the hartree engine with the
 * study's system (WKB data of the Gaussian, chirp = -beta, corrected Coulomb
 * kernel, automatic grid and step) plus `extra`, against ep1d; out[k]: the
 * outputs of modulated_density and modulated_density0 and the scalars of
 * both parts (free each with mfh_values_free). */
static void cep5(double eps, double beta, const char *extra, size_t n, const double *t, mfh_values *out) {
  mfh_params ph = mfh_test_engine_valid(&mfh_engine_hartree,
                                        "state=wkb sq=0.5 chirp=%.17g interaction=coulomb1d kernel=corrected L=12 "
                                        "umax=%.17g dt_div=20 eps=%.17g t=%.17g %s",
                                        -beta, mfh_ep1d_vmax(fmin(mfh_ep1d_breaking_time(beta), 4), beta), eps,
                                        t[n - 1], extra);
  mfh_params pf = mfh_test_engine_valid(&mfh_engine_ep1d, "rho_in=gaussian beta=%.17g t=%.17g", beta, t[n - 1]);
  mfh_state h0, f0[1], h[8], f[8];
  double zero = 0;
  ck_assert(n <= 8);
  mfh_test_engine_initial(&mfh_engine_hartree, &ph, 1, &h0);
  mfh_test_engine_run(&mfh_engine_hartree, &ph, &h0, n, t, 1, h);
  mfh_test_engine_run(&mfh_engine_ep1d, &pf, NULL, n, t, 1, f);
  mfh_test_engine_run(&mfh_engine_ep1d, &pf, NULL, 1, &zero, 1, f0);
  for (size_t k = 0; k < n; k++) {
    mfh_err err;
    memset(&out[k], 0, sizeof out[k]);
    ck_assert_msg(mfh_test_obs_eval(&mfh_obs_modulated_density, &h[k], &f[k], NULL, NULL, t[k], &out[k], &err) ==
                      MFH_OK,
                  "%s", err.msg);
    ck_assert_msg(mfh_test_obs_eval(&mfh_obs_modulated_density0, NULL, NULL, &h0, f0, t[k], &out[k], &err) == MFH_OK,
                  "%s", err.msg);
    for (size_t i = 0; i < h[k].scalars.n; i++) mfh_values_set(&out[k], h[k].scalars.v[i].name, h[k].scalars.v[i].v);
    for (size_t i = 0; i < f[k].scalars.n; i++) mfh_values_set(&out[k], f[k].scalars.v[i].name, f[k].scalars.v[i].v);
    mfh_state_clear(&h[k]);
    mfh_state_clear(&f[k]);
  }
  mfh_state_clear(&h0);
  mfh_state_clear(f0);
  mfh_params_free(&ph);
  mfh_params_free(&pf);
}

static double value(const mfh_values *v, const char *name) {
  const double *x = mfh_values_get(v, name);
  ck_assert_msg(x != NULL, "no value '%s'", name);
  return *x;
}

/* The CEP-5 right-hand side G0 e^{kappa t} + (1/2) hbar^2 M3 (e^{kappa t} - 1)/kappa,
 * kappa = 2 L: the study's derive formula. */
static double bound(double G0, double hbar, double L, double M3, double t) {
  return G0 * exp(2 * L * t) + 0.5 * hbar * hbar * M3 * (expm1(2 * L * t) / (2 * L));
}

/* G(0) = hbar^2 int |(sqrt rho_in)'|^2 = hbar^2 exactly (the Coulomb part and
 * the current error vanish: rho_hbar = rho, J_hbar = rho u_in). */
START_TEST(g0_closed_form) {
  const double cases[][2] = {{0.2, 0.5}, {0.05, 0.5}, {0.1, -0.8}, {0.02, 0.001}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double eps = cases[i][0], t0 = 0;
    mfh_values v;
    cep5(eps, cases[i][1], "", 1, &t0, &v);
    ck_assert_msg(fabs(value(&v, "G") / (eps * eps) - MFH_EP1D_FISHER) < 1e-12, "eps %g: G(0)/eps^2 = %.17g", eps,
                  value(&v, "G") / (eps * eps));
    ck_assert(value(&v, "G_pot") < 1e-25 && value(&v, "cur_L1") < 1e-13);
    ck_assert_double_eq(value(&v, "G"), value(&v, "G0"));
    ck_assert_double_eq(value(&v, "G") / bound(value(&v, "G0"), eps, value(&v, "L"), value(&v, "M3"), 0), 1);
    mfh_values_free(&v);
  }
}
END_TEST

/* V = -|x|/2 by the solver's convolution against the F formula:
 * int int V sigma sigma = int (U_1 - U_2)(rho_1 - rho_2) = int (F_1 - F_2)^2,
 * sigma = rho_1 - rho_2.  The plain trapezoidal kernel is off by the
 * Euler-Maclaurin term (dx^2/12) int sigma^2 + O(dx^4) (checked); the
 * corrected kernel V(0) = -dx/12 of the solver removes it. */
typedef struct wave2 {
  double q, w;
} wave2;
static double complex gauss_wave(const double *x, void *ctx) {
  const wave2 *g = ctx;
  double y = (x[0] - g->q) / g->w;
  return exp(-0.5 * y * y) * cexp(I * 0.7 * x[0]);
}
static double coulomb_plain(const double *x, void *ctx) {
  (void)ctx;
  return -0.5 * fabs(x[0]);
}
static double coulomb_corr(const double *x, void *ctx) {
  if (x[0] == 0) return -*(const double *)ctx / 12;
  return -0.5 * fabs(x[0]);
}

static void coulomb_energy(int n, int corrected, double *conv, double *ff, double *s2) {
  double L = 16, dx = L / n;
  mfh_hartree *h[2] = {NULL, NULL};
  wave2 g[2] = {{-0.4, 0.6}, {0.5, 0.9}};
  mfh_err err;
  double *rho[2], *U[2];
  for (int k = 0; k < 2; k++) {
    mfh_hartree_params p;
    mfh_hartree_params_init(&p);
    p.n = n;
    p.xmin = -L / 2;
    p.xmax = L / 2;
    p.eps = 0.1;
    p.interaction = MFH_HARTREE_FREE;
    p.V = corrected ? coulomb_corr : coulomb_plain;
    p.V_ctx = &dx;
    ck_assert_int_eq(mfh_hartree_create(&p, &h[k], &err), MFH_OK);
    ck_assert_int_eq(mfh_hartree_set_orbital(h[k], 0, gauss_wave, &g[k], &err), MFH_OK);
    ck_assert_int_eq(mfh_hartree_normalize(h[k], &err), MFH_OK);
    rho[k] = malloc((size_t)n * sizeof *rho[k]);
    U[k] = malloc((size_t)n * sizeof *U[k]);
    ck_assert_int_eq(mfh_hartree_density(h[k], rho[k], &err), MFH_OK);
    ck_assert_int_eq(mfh_hartree_mean_field(h[k], U[k], &err), MFH_OK);
  }
  mfh_sc_modulated_work *w = NULL;
  ck_assert_int_eq(mfh_sc_modulated_work_create((size_t)n, &w, &err), MFH_OK);
  double *F1 = malloc((size_t)n * sizeof *F1), *F2 = malloc((size_t)n * sizeof *F2);
  mfh_sc_modulated_cumulative(w, rho[0], dx, F1);
  mfh_sc_modulated_cumulative(w, rho[1], dx, F2);
  *conv = *ff = *s2 = 0;
  for (int j = 0; j < n; j++) {
    double sg = rho[0][j] - rho[1][j];
    *conv += (U[0][j] - U[1][j]) * sg * dx;
    *ff += (F1[j] - F2[j]) * (F1[j] - F2[j]) * dx;
    *s2 += sg * sg * dx;
  }
  free(F1);
  free(F2);
  for (int k = 0; k < 2; k++) {
    free(rho[k]);
    free(U[k]);
    mfh_hartree_destroy(h[k]);
  }
  mfh_sc_modulated_work_destroy(w);
}

START_TEST(coulomb_convolution_vs_F) {
  double conv, ff, s2, prev = 0;
  for (int n = 256; n <= 1024; n *= 2) {
    double dx = 16.0 / n;
    coulomb_energy(n, 0, &conv, &ff, &s2);
    ck_assert(ff > 0.01);
    double em = (dx * dx / 12) * s2; /* predicted Euler-Maclaurin term */
    ck_assert_msg(fabs(conv - ff - em) < 0.02 * em, "plain n %d: conv - ff = %g, predicted %g", n, conv - ff, em);
    coulomb_energy(n, 1, &conv, &ff, &s2);
    double e = fabs(conv - ff);
    fprintf(stderr, "corrected n %d: error %g (plain %g)\n", n, e, em);
    ck_assert_msg(e < 2e-3 * em, "corrected n %d: %.15g vs %.15g (em %g)", n, conv, ff, em);
    if (prev > 0) ck_assert_msg(prev / e > 12, "corrected kernel: order below 4 (ratio %g)", prev / e);
    prev = e;
  }
}
END_TEST

/* ---- the parts ------------------------------------------------------------ */

START_TEST(refusals) {
  mfh_test_engine_expect_bad(&mfh_engine_ep1d, "rho_in=gaussian beta=0.5 t=2", "t", "at the breaking time");
  mfh_test_engine_expect_bad(&mfh_engine_ep1d, "rho_in=gaussian beta=0.5 t=2.5", "t", "past the breaking time");
  mfh_test_engine_expect_bad(&mfh_engine_hartree, "state=wkb n=1048576 n_mul=8", "n_mul", "2^22");
  mfh_test_engine_expect_bad(&mfh_engine_hartree, "state=wkb t=0.3 dt=0.25", "t", "whole number of steps");
  /* a mixed state has no single velocity field: refused by the observable */
  mfh_params ph = mfh_test_engine_valid(&mfh_engine_hartree, "state=mixture M=2 n=256 eps=0.1 t=0");
  mfh_params pf = mfh_test_engine_valid(&mfh_engine_ep1d, "rho_in=gaussian beta=0.5 t=0");
  mfh_state h[1], f[1];
  double t0 = 0;
  mfh_test_engine_run_ok(&mfh_engine_hartree, &ph, 1, &t0, 1, h);
  mfh_test_engine_run(&mfh_engine_ep1d, &pf, NULL, 1, &t0, 1, f);
  mfh_test_obs_fails(&mfh_obs_modulated_density, h, f, MFH_EINPUT, "pure 1D state");
  mfh_state_clear(h);
  mfh_state_clear(f);
  mfh_params_free(&ph);
  mfh_params_free(&pf);
}
END_TEST

/* Order 2 in dt: G(t = 1) with dt, dt/2, dt/4 against dt/64 (same grid). */
START_TEST(dt_order_two) {
  double G[4];
  const char *dts[4] = {"0.05", "0.025", "0.0125", "0.00078125"};
  for (int k = 0; k < 4; k++) {
    char o[128];
    snprintf(o, sizeof o, "n=512 dt=%s", dts[k]);
    double t = 1;
    mfh_values v;
    cep5(0.1, 0.5, o, 1, &t, &v);
    G[k] = value(&v, "G");
    ck_assert(value(&v, "mass_err") < 1e-12);
    mfh_values_free(&v);
  }
  double e0 = fabs(G[0] - G[3]), e1 = fabs(G[1] - G[3]), e2 = fabs(G[2] - G[3]);
  ck_assert_msg(e0 > 1e-9 * G[3], "dt error too small to measure: %g", e0);
  ck_assert_msg(e0 / e1 > 3.6 && e0 / e1 < 4.4 && e1 / e2 > 3.6 && e1 / e2 < 4.4, "ratios %g %g (errors %g %g %g)",
                e0 / e1, e1 / e2, e0, e1, e2);
}
END_TEST

/* The automatic grid and step (umax, dt_div) and their refinements (dt_div
 * 40: dt/2 exactly; n_mul 2: 2n points): the discretisation errors are far
 * below G; the CEP-5 bound holds; the Cauchy-Schwarz identity check holds. */
START_TEST(auto_resolution_bound) {
  const double times[3] = {0.5, 1, 1.5};
  mfh_values v[3], vd[3], vn[3];
  cep5(0.05, 0.5, "", 3, times, v);
  cep5(0.05, 0.5, "dt_div=40", 3, times, vd);
  cep5(0.05, 0.5, "n_mul=2", 3, times, vn);
  /* pi n / 12 >= 2 * 2.5 / 0.05 + 40 = 140: n = 1024; dt = 2^-9 <= 0.05/20 */
  ck_assert_double_eq(value(&v[0], "n_grid"), 1024);
  ck_assert_double_eq(value(&vn[0], "n_grid"), 2048);
  ck_assert_double_eq(value(&v[0], "dt_used"), 0.001953125);
  ck_assert_double_eq(value(&vd[0], "dt_used"), 0.0009765625);
  for (int k = 0; k < 3; k++) {
    double G = value(&v[k], "G");
    ck_assert_msg(fabs(G - value(&vd[k], "G")) / G < 1e-6 && fabs(G - value(&vn[k], "G")) / G < 1e-6,
                  "t %g: %g %g", times[k], fabs(G - value(&vd[k], "G")) / G, fabs(G - value(&vn[k], "G")) / G);
    double r = G / bound(value(&v[k], "G0"), 0.05, value(&v[k], "L"), value(&v[k], "M3"), times[k]);
    ck_assert(r < 1 && r > 0);
    ck_assert(value(&v[k], "jmod_ratio") <= 1);
    ck_assert(value(&v[k], "energy_err") < 1e-7 && value(&v[k], "edge") < 1e-12);
    mfh_values_free(&v[k]);
    mfh_values_free(&vd[k]);
    mfh_values_free(&vn[k]);
  }
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("hartree_ep");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, ep_identities);
  tcase_add_test(tc, ep_derivatives_fd);
  tcase_add_test(tc, ep_breaking_and_suprema);
  tcase_add_test(tc, cumulative_vs_erf);
  tcase_add_test(tc, g0_closed_form);
  tcase_add_test(tc, coulomb_convolution_vs_F);
  tcase_add_test(tc, refusals);
  tcase_add_test(tc, dt_order_two);
  tcase_add_test(tc, auto_resolution_bound);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
