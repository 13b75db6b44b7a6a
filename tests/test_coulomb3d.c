/* Tests for engines/coulomb3d/: the radial Euler-Poisson reference (and its
 * engine ep3d with its fluids), the 3D Coulomb N-body system (and its engine
 * coulomb3d), measured through the observables modulated_energy and
 * modulated_energy0 (THEOREMS.md CEP-1, CEP-4).
 *
 * Independent references: the closed form of the shell energy integral,
 *   t = tau(a) [sqrt(y(y-1)) + ln(sqrt y + sqrt(y-1))], y = R/a,
 *   tau = sqrt(2 pi a^3 / M(a)),
 * its a-derivative (R_a), and the crossing time it implies (minimised here
 * by golden section, not by the library's Brent on the ODE); Eulerian
 * quadratures of the mass and of phi = V * rho from rho(t, r); the exact
 * t = 0 values phi_0 = erf(r / (sqrt 2 sigma)) / (4 pi r) and
 * int rho phi = 1/(4 pi^{3/2} sigma); the same closed form for the two-body
 * problem; brute-force pair sums with libm's sqrt; the identity
 * E[N P_N(0)] = -int int V rho rho by Monte Carlo. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "core/status.h"
#include "core/values.h"
#include "engines/coulomb3d/pairs.h"
#include "engines/coulomb3d/radial.h"
#include "core/fluid.h"
#include "core/kinds.h"
#include "engines/coulomb3d/coulomb3d.h"
#include "observables/modulated.h"
#include "tests/testutil.h"

#define PI 3.14159265358979323846

/* ---- closed forms --------------------------------------------------------- */

/* g(y) = sqrt(y(y-1)) + ln(sqrt y + sqrt(y-1)), the time of the repulsive
 * Kepler problem in units of tau. */
static double kepler_g(double y) { return sqrt(y * (y - 1)) + log(sqrt(y) + sqrt(y - 1)); }

/* y with g(y) = s (bisection then Newton; g' = sqrt(y/(y-1))). */
static double kepler_y(double s) {
  double lo = 1, hi = 2;
  while (kepler_g(hi) < s) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    double m = 0.5 * (lo + hi);
    if (kepler_g(m) < s)
      lo = m;
    else
      hi = m;
  }
  return 0.5 * (lo + hi);
}

static double tau_of(double a, double sigma) { return sqrt(2 * PI * a * a * a / mfh_radial_mass(a, sigma)); }

/* kappa(a) = a tau'(a) / tau(a) = 3/2 - 2 pi a^3 rho_in(a) / M(a). */
static double kappa_of(double a, double sigma) {
  return 1.5 - 2 * PI * a * a * a * mfh_radial_density0(a, sigma) / mfh_radial_mass(a, sigma);
}

/* Closed-form crossing time of label a (HUGE_VAL if none): R_a = Y - s Y' kappa = 0
 * with Y' = sqrt((Y-1)/Y), i.e. Y = g(Y) sqrt((Y-1)/Y) kappa. */
static double closed_crossing(double a, double sigma) {
  double k = kappa_of(a, sigma);
  if (k <= 1) return HUGE_VAL;
  /* h(y) = y / (g(y) sqrt((y-1)/y)) decreases from inf (y -> 1) to 1 (y -> inf) */
  double lo = 1 + 1e-12, hi = 2;
  while (hi / (kepler_g(hi) * sqrt((hi - 1) / hi)) > k) hi *= 2;
  for (int i = 0; i < 300; i++) {
    double m = 0.5 * (lo + hi);
    if (m / (kepler_g(m) * sqrt((m - 1) / m)) > k)
      lo = m;
    else
      hi = m;
  }
  return tau_of(a, sigma) * kepler_g(0.5 * (lo + hi));
}

/* ---- radial reference ----------------------------------------------------- */

START_TEST(mass_branches_and_derivative) {
  double sigma = 1.3;
  /* the series (z < 1) and the erf form (z >= 1) meet continuously */
  double below = mfh_radial_mass(nextafter(sigma, 0), sigma), at = mfh_radial_mass(sigma, sigma);
  ck_assert_double_eq_tol(below, at, 1e-15);
  ck_assert_double_eq_tol(mfh_radial_mass(40 * sigma, sigma), 1.0, 1e-15);
  /* M' = 4 pi a^2 rho_in, by central differences */
  for (double a = 0.2; a < 6; a += 0.7) {
    double h = 1e-5, d = (mfh_radial_mass(a + h, sigma) - mfh_radial_mass(a - h, sigma)) / (2 * h);
    ck_assert_double_eq_tol(d, 4 * PI * a * a * mfh_radial_density0(a, sigma), 1e-9);
  }
  /* m(a) -> rho_in(0)/3 */
  ck_assert_double_eq_tol(mfh_radial_mean_density(0, sigma), mfh_radial_density0(0, sigma) / 3, 1e-17);
  ck_assert_double_eq_tol(mfh_radial_self_energy0(2.0), 1 / (8 * pow(PI, 1.5)), 1e-17);
}
END_TEST

/* ODE shells against the closed-form t(R), the energy integral and R_a. */
START_TEST(shell_vs_closed_form) {
  static const double as[] = {0.05, 0.5, 1, 2, 2.7, 5, 9};
  static const double ts[] = {0.3, 3, 10, 20};
  double sigma = 1, worst_t = 0, worst_e = 0, worst_ra = 0;
  for (size_t i = 0; i < sizeof as / sizeof *as; i++)
    for (size_t j = 0; j < sizeof ts / sizeof *ts; j++) {
      double a = as[i], t = ts[j], o[4];
      mfh_err err;
      ck_assert_int_eq(mfh_radial_shell(sigma, a, t, o, &err), MFH_OK);
      double y = o[0] / a, tau = tau_of(a, sigma), M = mfh_radial_mass(a, sigma);
      worst_t = fmax(worst_t, fabs(tau * kepler_g(y) - t) / t);
      double e_lhs = 0.5 * o[1] * o[1], e_rhs = M / (4 * PI) * (1 / a - 1 / o[0]);
      worst_e = fmax(worst_e, fabs(e_lhs - e_rhs) / e_rhs);
      double s = t / tau, Y = kepler_y(s), ra = Y - s * sqrt((Y - 1) / Y) * kappa_of(a, sigma);
      worst_ra = fmax(worst_ra, fabs(o[2] - ra) / fabs(ra));
    }
  ck_assert_msg(worst_t < 1e-10, "t(R) relative error %g", worst_t);
  ck_assert_msg(worst_e < 1e-9, "energy integral relative error %g", worst_e);
  ck_assert_msg(worst_ra < 1e-9, "R_a relative error %g", worst_ra);
}
END_TEST

/* Crossing time against the closed form, minimised independently. */
START_TEST(crossing_time) {
  double tc, ac;
  mfh_err err;
  ck_assert_int_eq(mfh_radial_crossing(1.0, &tc, &ac, &err), MFH_OK);
  /* golden section on the closed form */
  double lo = 2.3, hi = 3.5, gr = (sqrt(5) - 1) / 2;
  double x1 = hi - gr * (hi - lo), x2 = lo + gr * (hi - lo);
  double f1 = closed_crossing(x1, 1), f2 = closed_crossing(x2, 1);
  for (int i = 0; i < 100; i++) {
    if (f1 < f2)
      hi = x2, x2 = x1, f2 = f1, x1 = hi - gr * (hi - lo), f1 = closed_crossing(x1, 1);
    else
      lo = x1, x1 = x2, f1 = f2, x2 = lo + gr * (hi - lo), f2 = closed_crossing(x2, 1);
  }
  double tc_ref = fmin(f1, f2);
  ck_assert_msg(fabs(tc - tc_ref) < 1e-8 * tc_ref, "crossing %.12g vs closed form %.12g", tc, tc_ref);
  ck_assert_double_eq_tol(ac, 0.5 * (lo + hi), 1e-4);
  /* R_a changes sign there, and nowhere earlier on a scan of labels */
  double o[4];
  ck_assert_int_eq(mfh_radial_shell(1.0, ac, tc * (1 - 1e-6), o, &err), MFH_OK);
  ck_assert(o[2] > 0);
  ck_assert_int_eq(mfh_radial_shell(1.0, ac, tc * (1 + 1e-4), o, &err), MFH_OK);
  ck_assert(o[2] < 0);
  for (double a = 0.25; a < 10; a += 0.25) {
    ck_assert_int_eq(mfh_radial_shell(1.0, a, tc * (1 - 1e-6), o, &err), MFH_OK);
    ck_assert_msg(o[2] > 0, "R_a(%g) = %g before the crossing", a, o[2]);
  }
  /* scaling t_c ~ sigma^{3/2} */
  double tc2, ac2;
  ck_assert_int_eq(mfh_radial_crossing(2.0, &tc2, &ac2, &err), MFH_OK);
  ck_assert_double_eq_tol(tc2 / tc, pow(2.0, 1.5), 1e-8);
  ck_assert_double_eq_tol(ac2 / ac, 2.0, 1e-4);
}
END_TEST

/* Tables: energy conservation, the t = 0 values, Eulerian mass and phi. */
START_TEST(tables_vs_eulerian) {
  double sigma = 1.5, times[] = {0, 4, 15};
  mfh_radial *r = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_radial_create(sigma, 3, times, 0, 0, &r, &err), MFH_OK);
  double D = mfh_radial_self_energy0(sigma);
  ck_assert_double_eq_tol(mfh_radial_pot_energy(r, 0), D, 1e-14 * D);
  ck_assert_double_eq_tol(mfh_radial_kin_energy(r, 0), 0, 1e-20);
  for (size_t k = 0; k < 3; k++) {
    double e = mfh_radial_kin_energy(r, k) + 0.5 * mfh_radial_pot_energy(r, k);
    ck_assert_msg(fabs(e - D / 2) < 1e-12 * D, "t = %g: fluid energy %.17g vs %.17g", times[k], e, D / 2);
  }
  ck_assert(mfh_radial_kin_energy(r, 2) > 0.1 * D); /* the explosion did happen */
  /* t = 0: phi_0 exact, u = 0, rho = rho_in */
  for (double x = 0; x < 6 * sigma; x += 0.37) {
    mfh_radial_point q;
    ck_assert_int_eq(mfh_radial_eval(r, 0, x, &q, &err), MFH_OK);
    double phi0 = x > 0 ? erf(x / (sqrt(2) * sigma)) / (4 * PI * x) : 1 / (pow(2 * PI, 1.5) * sigma);
    ck_assert_msg(fabs(q.phi - phi0) < 1e-13, "phi_0(%g) = %.17g vs %.17g", x, q.phi, phi0);
    ck_assert_double_eq_tol(q.a, x, 1e-13);
    ck_assert_double_eq_tol(q.u, 0, 1e-20);
    ck_assert_double_eq_tol(q.rho, mfh_radial_density0(x, sigma), 1e-12);
  }
  /* t > 0: Eulerian mass and phi(r) = (1/r) int_0^r s^2 rho + int_r^inf s rho
   * (composite Simpson on a fine r grid), u against a shell */
  for (size_t k = 1; k < 3; k++) {
    enum { M = 40000 };
    double outer[4];
    ck_assert_int_eq(mfh_radial_shell(sigma, 10 * sigma, times[k], outer, &err), MFH_OK);
    double rmax = outer[0], hr = rmax / M; /* the outermost tabulated shell */
    double *rho = malloc((M + 1) * sizeof *rho);
    ck_assert_ptr_nonnull(rho);
    for (int i = 0; i <= M; i++) {
      mfh_radial_point q;
      int st = mfh_radial_eval(r, k, i * hr, &q, &err);
      ck_assert_int_eq(st, MFH_OK);
      rho[i] = q.rho;
    }
    double mass = 0;
    for (int i = 0; i <= M; i++) {
      double w = (i == 0 || i == M) ? 1 : (i % 2 ? 4 : 2), x = i * hr;
      mass += w * 4 * PI * x * x * rho[i];
    }
    mass *= hr / 3;
    ck_assert_msg(fabs(mass - 1) < 1e-9, "t = %g: Eulerian mass %.15g", times[k], mass);
    for (int ix = 1; ix <= 5; ix++) {
      int n = ix * M / 16; /* even */
      double x = n * hr, in = 0, out = 0;
      for (int i = 0; i <= n; i++) {
        double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2), s = i * hr;
        in += w * s * s * rho[i];
      }
      for (int i = n; i <= M; i++) {
        double w = (i == n || i == M) ? 1 : ((i - n) % 2 ? 4 : 2), s = i * hr;
        out += w * s * rho[i];
      }
      double phi = (in / x + out) * hr / 3;
      mfh_radial_point q;
      ck_assert_int_eq(mfh_radial_eval(r, k, x, &q, &err), MFH_OK);
      ck_assert_msg(fabs(q.phi - phi) < 1e-9 * phi, "t = %g r = %g: phi %.15g vs Eulerian %.15g", times[k], x,
                    q.phi, phi);
      double o[4];
      ck_assert_int_eq(mfh_radial_shell(sigma, q.a, times[k], o, &err), MFH_OK);
      ck_assert_double_eq_tol(o[0], x, 1e-11 * x);
      ck_assert_double_eq_tol(o[1], q.u, 1e-11 * fabs(q.u));
    }
    free(rho);
  }
  /* the extent is bounded: beyond the outermost shell is an error */
  mfh_radial_point q;
  ck_assert_int_eq(mfh_radial_eval(r, 1, 1e3, &q, &err), MFH_EINPUT);
  mfh_radial_destroy(r);
  /* a time past the crossing is refused */
  double late = 30;
  ck_assert_int_eq(mfh_radial_create(1.0, 1, &late, 0, 0, &r, &err), MFH_EINPUT);
  ck_assert_ptr_null(r);
}
END_TEST

/* ---- N-body ---------------------------------------------------------------- */

static mfh_c3 *make(size_t n, const double *x, const double *v, int threads) {
  mfh_c3 *s = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_c3_create(n, 1.0 / (double)n, &s, &err), MFH_OK);
  ck_assert_int_eq(mfh_c3_set_threads(s, threads, &err), MFH_OK);
  ck_assert_int_eq(mfh_c3_set_state(s, x, v, &err), MFH_OK);
  return s;
}

static void gaussian_cloud(size_t n, unsigned long long seed, double *x, double *v, double sv) {
  gsl_rng *r = mfh_rng_alloc(seed);
  for (size_t k = 0; k < 3 * n; k++) x[k] = gsl_ran_gaussian(r, 1.0);
  if (v)
    for (size_t k = 0; k < 3 * n; k++) v[k] = gsl_ran_gaussian(r, sv);
  gsl_rng_free(r);
}

/* Forces and potential against a brute-force double loop with libm. */
START_TEST(forces_vs_brute_force) {
  enum { N = 600 };
  double *x = malloc(3 * N * sizeof *x);
  gaussian_cloud(N, 3, x, NULL, 0);
  mfh_c3 *s = make(N, x, NULL, 1);
  double pot, worst = 0, pref = 1.0 / (N * 4 * PI), brute_pot = 0;
  mfh_err err;
  ck_assert_int_eq(mfh_c3_forces(s, &pot, &err), MFH_OK);
  for (size_t j = 0; j < N; j++) {
    double f[3] = {0, 0, 0}, scale = 0;
    for (size_t k = 0; k < N; k++) {
      if (k == j) continue;
      double d[3], r2 = 0;
      for (int i = 0; i < 3; i++) d[i] = x[3 * j + i] - x[3 * k + i], r2 += d[i] * d[i];
      double r = sqrt(r2);
      for (int i = 0; i < 3; i++) f[i] += pref * d[i] / (r2 * r);
      scale += pref / r2;
      brute_pot += 1 / (4 * PI * r);
    }
    for (int i = 0; i < 3; i++) worst = fmax(worst, fabs(mfh_c3_acc(s, i)[j] - f[i]) / scale);
  }
  ck_assert_msg(worst < 1e-13, "force error %g (relative to sum |F_jk|)", worst);
  ck_assert_double_eq_tol(pot, brute_pot, 1e-13 * brute_pot);
  ck_assert_double_eq_tol(mfh_c3_potential(s), brute_pot, 1e-13 * brute_pot);
  /* repulsive: the particle farthest out is pushed outwards */
  size_t far = 0;
  for (size_t j = 1; j < N; j++)
    if (x[3 * j] > x[3 * far]) far = j;
  ck_assert(mfh_c3_acc(s, 0)[far] > 0);
  mfh_c3_destroy(s);
  free(x);
}
END_TEST

/* 1/r over 26 decades against libm (through a two-body potential). */
START_TEST(rsqrt_accuracy) {
  gsl_rng *r = mfh_rng_alloc(5);
  double worst = 0;
  for (int i = 0; i < 20000; i++) {
    double d = pow(10, -13 + 26 * gsl_rng_uniform(r));
    double x[6] = {0, 0, 0, d * gsl_rng_uniform(r), d, -d * gsl_rng_uniform(r)};
    mfh_c3 *s = make(2, x, NULL, 1);
    double dist = sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5]);
    double want = 2 / (4 * PI * dist), got = mfh_c3_potential(s);
    worst = fmax(worst, fabs(got - want) / want);
    mfh_c3_destroy(s);
  }
  gsl_rng_free(r);
  ck_assert_msg(worst < 2e-15, "1/r relative error %g", worst);
}
END_TEST

/* Two particles released at rest: r(t) from the closed form; Verlet
 * converges with order 2. */
START_TEST(two_body_exact) {
  double r0 = 0.3, T = 2.0, err_dt[3];
  /* N = 2, coupling 1/2: relative acceleration 2 (1/2) / (4 pi r^2) = k / r^2 */
  double k = 1 / (4 * PI), tau = sqrt(r0 * r0 * r0 / (2 * k));
  for (int m = 0; m < 3; m++) {
    double dt = 0.02 / (1 << m), x[6] = {0.1, -0.2, 0.05, 0.1 + r0 * 0.6, -0.2 + r0 * 0.8, 0.05};
    mfh_c3 *s = make(2, x, NULL, 1);
    mfh_err err;
    long steps = lround(T / dt);
    for (long i = 0; i < steps; i++) ck_assert_int_eq(mfh_c3_step(s, dt, NULL, &err), MFH_OK);
    double d[3], r2 = 0;
    for (int i = 0; i < 3; i++) d[i] = mfh_c3_x(s, i)[1] - mfh_c3_x(s, i)[0], r2 += d[i] * d[i];
    double y_exact = kepler_y(T / tau);
    err_dt[m] = fabs(sqrt(r2) / r0 - y_exact);
    /* the centre of mass stays put, the motion stays on the line */
    ck_assert_double_eq_tol(mfh_c3_x(s, 0)[0] + mfh_c3_x(s, 0)[1], 0.2 + r0 * 0.6, 1e-14);
    ck_assert_double_eq_tol(d[2], 0, 1e-14);
    mfh_c3_destroy(s);
  }
  ck_assert_msg(err_dt[0] < 1e-4, "error %g at dt = 0.02", err_dt[0]);
  for (int m = 0; m < 2; m++) {
    double ratio = err_dt[m] / err_dt[m + 1];
    ck_assert_msg(ratio > 3.6 && ratio < 4.4, "error ratio %g (errors %g, %g)", ratio, err_dt[m], err_dt[m + 1]);
  }
}
END_TEST

/* Total momentum stays zero to round-off; the energy error is O(dt^2). */
START_TEST(momentum_and_energy_order) {
  enum { N = 125 };
  double x[3 * N], v[3 * N], e[3];
  /* a jittered lattice (no close pairs) with random velocities */
  gsl_rng *r = mfh_rng_alloc(9);
  for (int j = 0; j < N; j++) {
    int c[3] = {j % 5, (j / 5) % 5, j / 25};
    for (int i = 0; i < 3; i++) {
      x[3 * j + i] = 0.5 * c[i] + 0.1 * gsl_rng_uniform(r);
      v[3 * j + i] = 0.1 * gsl_ran_gaussian(r, 1.0);
    }
  }
  gsl_rng_free(r);
  double pm[3] = {0, 0, 0};
  for (int j = 0; j < N; j++)
    for (int i = 0; i < 3; i++) pm[i] += v[3 * j + i] / N;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < 3; i++) v[3 * j + i] -= pm[i];
  for (int m = 0; m < 3; m++) {
    double dt = 0.04 / (1 << m), pot;
    mfh_c3 *s = make(N, x, v, 1);
    mfh_err err;
    ck_assert_int_eq(mfh_c3_forces(s, &pot, &err), MFH_OK);
    double H0 = mfh_c3_kinetic(s) / N + pot / (2.0 * N * N), H = H0;
    for (long i = 0; i < lround(2.0 / dt); i++) {
      ck_assert_int_eq(mfh_c3_step(s, dt, &pot, &err), MFH_OK);
      H = mfh_c3_kinetic(s) / N + pot / (2.0 * N * N);
    }
    e[m] = fabs(H - H0) / H0;
    double p[3];
    mfh_c3_momentum(s, p);
    for (int i = 0; i < 3; i++) ck_assert_msg(fabs(p[i]) < 1e-13, "momentum %g", p[i]);
    mfh_c3_destroy(s);
  }
  ck_assert_msg(e[0] < 1e-4, "relative energy error %g", e[0]);
  for (int m = 0; m < 2; m++) {
    double ratio = e[m] / e[m + 1];
    ck_assert_msg(ratio > 3.4 && ratio < 4.6, "energy error ratio %g (%g, %g)", ratio, e[m], e[m + 1]);
  }
}
END_TEST

/* Bit-identical trajectories for 1 and 2 threads (several tiles, an odd
 * block count, a partial last tile). */
START_TEST(threads_bit_identical) {
  enum { N = 1100 };
  double *x = malloc(3 * N * sizeof *x), *v = malloc(3 * N * sizeof *v);
  gaussian_cloud(N, 17, x, v, 0.05);
  mfh_c3 *a = make(N, x, v, 1), *b = make(N, x, v, 2);
  double pa, pb;
  mfh_err err;
  for (int i = 0; i < 4; i++) {
    ck_assert_int_eq(mfh_c3_step(a, 0.01, &pa, &err), MFH_OK);
    ck_assert_int_eq(mfh_c3_step(b, 0.01, &pb, &err), MFH_OK);
  }
  ck_assert(memcmp(&pa, &pb, sizeof pa) == 0);
  for (int i = 0; i < 3; i++) {
    ck_assert(memcmp(mfh_c3_x(a, i), mfh_c3_x(b, i), N * sizeof(double)) == 0);
    ck_assert(memcmp(mfh_c3_v(a, i), mfh_c3_v(b, i), N * sizeof(double)) == 0);
  }
  mfh_c3_destroy(a);
  mfh_c3_destroy(b);
  free(x);
  free(v);
}
END_TEST

/* E[N P_N(0)] = -int int V rho rho = -1/(4 pi^{3/2} sigma), N = 8, by Monte
 * Carlo with the closed-form phi_0 (sd of N P_N(0) ~ 0.05: 40000 draws give
 * se ~ 2.5e-4, 0.6% of the value). */
START_TEST(pn0_mean_identity) {
  enum { N = 8, REPS = 40000 };
  double sigma = 1, D = mfh_radial_self_energy0(sigma), sum = 0, sum2 = 0, x[3 * N];
  gsl_rng *r = mfh_rng_alloc(21);
  mfh_c3 *s = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_c3_create(N, 1.0 / N, &s, &err), MFH_OK);
  for (int rep = 0; rep < REPS; rep++) {
    for (int k = 0; k < 3 * N; k++) x[k] = gsl_ran_gaussian(r, sigma);
    ck_assert_int_eq(mfh_c3_set_state(s, x, NULL, &err), MFH_OK);
    double pot = mfh_c3_potential(s), sphi = 0;
    for (int j = 0; j < N; j++) {
      double rr = sqrt(x[3 * j] * x[3 * j] + x[3 * j + 1] * x[3 * j + 1] + x[3 * j + 2] * x[3 * j + 2]);
      sphi += erf(rr / (sqrt(2) * sigma)) / (4 * PI * rr);
    }
    double np = N * (pot / (N * N) - 2 * sphi / N + D);
    sum += np, sum2 += np * np;
  }
  mfh_c3_destroy(s);
  gsl_rng_free(r);
  double mean = sum / REPS, se = sqrt((sum2 / REPS - mean * mean) / REPS);
  ck_assert_msg(fabs(mean + D) < 4 * se, "E[N P_N(0)] = %g +/- %g, expected %g", mean, se, -D);
  ck_assert(se < 0.02 * D);
}
END_TEST

/* ---- the engines ------------------------------------------------------------ */

START_TEST(validate_refusals) {
  mfh_test_engine_expect_bad(&mfh_engine_ep3d, "t=30", "t", "past the first shell crossing");
  mfh_test_engine_expect_bad(&mfh_engine_ep3d, "sigma=0.5 t=9", "t", "first shell crossing");
  mfh_test_engine_expect_bad(&mfh_engine_coulomb3d, "t=1.005 dt=0.01", "t", "whole number of steps");
  mfh_test_engine_expect_bad(&mfh_engine_coulomb3d, "dt=0.5 t=1", "dt", "too coarse");
  /* N < 2 is outside the parameter range */
  const mfh_param_def *def = NULL;
  for (size_t i = 0; i < mfh_engine_coulomb3d.nparams; i++)
    if (!strcmp(mfh_engine_coulomb3d.params[i].name, "N")) def = &mfh_engine_coulomb3d.params[i];
  ck_assert_ptr_nonnull(def);
  mfh_param_val val;
  mfh_err err;
  mfh_mark at = {NULL, 0, 0};
  ck_assert_int_eq(mfh_param_parse(def, "1", at, "model.N", &val, &err), MFH_EINPUT);
  /* good ones pass */
  const char *bad = NULL;
  mfh_params ok = mfh_test_engine_params(&mfh_engine_ep3d, "t=24");
  ck_assert_int_eq(mfh_engine_ep3d.validate(&ok, &bad, &err), MFH_OK);
  mfh_params_free(&ok);
  ok = mfh_test_engine_params(&mfh_engine_coulomb3d, "t=24 dt=0.02");
  ck_assert_int_eq(mfh_engine_coulomb3d.validate(&ok, &bad, &err), MFH_OK);
  mfh_params_free(&ok);
}
END_TEST

/* One modulated-energy value of particles s against the fluid of f. */
static double me(const mfh_state *s, const mfh_state *f, const char *item, const char *name) {
  mfh_state view = *f; /* a shallow view with the fluid `item` first */
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->item[i].name, item)) {
      view.item[0] = f->item[i];
      view.item[i] = f->item[0];
    }
  mfh_values v = {0};
  mfh_err err;
  ck_assert_msg(mfh_test_obs_eval(&mfh_obs_modulated_energy, s, &view, NULL, NULL, 0, &v, &err) == MFH_OK, "%s",
                err.msg);
  double r = *mfh_values_get(&v, name);
  mfh_values_free(&v);
  return r;
}

/* The engines' values: P_N(0) from the table equals the closed form, the
 * Onsager bound holds, halving dt changes E_N little, a single-time run
 * equals the same time of a sweep (bit for bit), and threads do not change
 * any bit. */
START_TEST(engine_values) {
  mfh_params ps = mfh_test_engine_params(&mfh_engine_coulomb3d, "N=300 dt=0.05");
  mfh_params pf = mfh_test_engine_params(&mfh_engine_coulomb3d, "N=300 dt=0.025");
  mfh_params pe = mfh_test_engine_params(&mfh_engine_ep3d, "");
  double times[] = {0, 1, 2}, N = 300;
  mfh_state out[3], fine[3], ref[3], one, thr[3];
  mfh_test_engine_run(&mfh_engine_coulomb3d, &ps, NULL, 3, times, 11, out);
  mfh_test_engine_run(&mfh_engine_coulomb3d, &pf, NULL, 3, times, 11, fine);
  mfh_test_engine_run(&mfh_engine_ep3d, &pe, NULL, 3, times, 11, ref);
  double np = N * me(&out[0], &ref[0], "fluid", "P_N"), np0 = N * me(&out[0], &ref[0], "initial", "P_N");
  ck_assert_msg(fabs(np - np0) < 1e-10 * fabs(np0), "N P_N(0) table %.15g vs closed form %.15g", np, np0);
  ck_assert_double_eq_tol(me(&out[0], &ref[0], "fluid", "K_N"), 0, 1e-30);
  double D0 = mfh_radial_self_energy0(1);
  for (int k = 0; k < 3; k++) {
    double P = me(&out[k], &ref[k], "fluid", "P_N"), E = me(&out[k], &ref[k], "fluid", "E_N");
    double lb = -cbrt(N * N) * P / (MFH_C3_ONSAGER * cbrt(mfh_test_scalar(&ref[k], "rho_max")));
    ck_assert_msg(lb < 1, "Onsager ratio %g at t = %g", lb, times[k]);
    ck_assert(mfh_test_scalar(&out[k], "drift") < 1e-3);
    ck_assert_double_eq_tol(me(&fine[k], &ref[k], "fluid", "E_N"), E, 0.05 * fabs(E) + 1e-12);
    ck_assert_double_eq_tol(mfh_test_scalar(&ref[k], "e_fluid"), D0 / 2, 1e-15);
  }
  ck_assert(me(&out[2], &ref[2], "fluid", "K_N") > 0);
  /* one time alone: the same bits (particles, scalars, fluid) */
  mfh_test_engine_run(&mfh_engine_coulomb3d, &ps, NULL, 1, &times[2], 11, &one);
  uint64_t h1, h2;
  mfh_err err;
  ck_assert_int_eq(mfh_state_hash(&one, &h1, &err), MFH_OK);
  ck_assert_int_eq(mfh_state_hash(&out[2], &h2, &err), MFH_OK);
  ck_assert(h1 == h2);
  mfh_state_clear(&one);
  mfh_test_engine_run(&mfh_engine_ep3d, &pe, NULL, 1, &times[2], 11, &one);
  ck_assert_int_eq(mfh_state_hash(&one, &h1, &err), MFH_OK);
  ck_assert_int_eq(mfh_state_hash(&ref[2], &h2, &err), MFH_OK);
  ck_assert(h1 == h2);
  mfh_state_clear(&one);
  mfh_params_free(&ps);
  ps = mfh_test_engine_params(&mfh_engine_coulomb3d, "N=300 dt=0.05 threads=2");
  mfh_test_engine_run(&mfh_engine_coulomb3d, &ps, NULL, 3, times, 11, thr);
  for (int k = 0; k < 3; k++) {
    ck_assert_int_eq(mfh_state_hash(&thr[k], &h1, &err), MFH_OK);
    ck_assert_int_eq(mfh_state_hash(&out[k], &h2, &err), MFH_OK);
    ck_assert_msg(h1 == h2, "threads: t = %g", times[k]);
  }
  for (int k = 0; k < 3; k++) {
    mfh_state_clear(&out[k]);
    mfh_state_clear(&fine[k]);
    mfh_state_clear(&ref[k]);
    mfh_state_clear(&thr[k]);
  }
  mfh_params_free(&ps);
  mfh_params_free(&pf);
  mfh_params_free(&pe);
  /* model constants */
  mfh_params pc = mfh_test_engine_params(&mfh_engine_coulomb3d, "sigma=1");
  mfh_values cv = {0};
  ck_assert_int_eq(mfh_engine_coulomb3d.constants(&pc, &cv, &err), MFH_OK);
  ck_assert_double_eq_tol(*mfh_values_get(&cv, "mD0"), -1 / (4 * pow(PI, 1.5)), 1e-17);
  ck_assert_double_eq_tol(*mfh_values_get(&cv, "tcross"), 24.7739417, 1e-6);
  ck_assert_double_eq_tol(*mfh_values_get(&cv, "C_O"), 0.9 * 2 / (4 * PI) * cbrt(4 * PI / 3), 1e-15);
  mfh_values_free(&cv);
  mfh_params_free(&pc);
}
END_TEST

/* The pair-energy form against a brute-force double loop: P_N(0) of a
 * small system with the closed-form phi_0. */
START_TEST(pair_form_vs_brute_force) {
  enum { N = 50 };
  mfh_params ps = mfh_test_engine_params(&mfh_engine_coulomb3d, "N=50 sigma=1.5 dt=0.05");
  mfh_params pe = mfh_test_engine_params(&mfh_engine_ep3d, "sigma=1.5");
  double t = 0;
  mfh_state s, f;
  mfh_test_engine_run(&mfh_engine_coulomb3d, &ps, NULL, 1, &t, 5, &s);
  mfh_test_engine_run(&mfh_engine_ep3d, &pe, NULL, 1, &t, 5, &f);
  const mfh_cloud *c = mfh_state_get(&s, &mfh_kind_cloud, NULL);
  double pot = 0, sphi = 0, sigma = 1.5;
  for (size_t i = 0; i < N; i++) {
    const double *x = c->x + 6 * i;
    for (size_t j = 0; j < N; j++) {
      if (j == i) continue;
      const double *y = c->x + 6 * j;
      pot += 1 / (4 * PI * sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) + (x[2] - y[2]) * (x[2] - y[2])));
    }
    double r = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    sphi += erf(r / (sqrt(2) * sigma)) / (4 * PI * r);
  }
  double P = pot / (N * N) - 2 * sphi / N + mfh_radial_self_energy0(sigma);
  ck_assert_double_eq_tol(me(&s, &f, "initial", "P_N"), P, 1e-14);
  ck_assert_double_eq_tol(mfh_test_scalar(&s, "pair_energy"), pot / (N * N), 1e-15);
  mfh_state_clear(&s);
  mfh_state_clear(&f);
  mfh_params_free(&ps);
  mfh_params_free(&pe);
}
END_TEST

/* The fluids of shared tables outlive the harness's release of them
 * (reference counting), copy and hash like the original. */
START_TEST(fluid_outlives_shared_tables) {
  mfh_params pe = mfh_test_engine_params(&mfh_engine_ep3d, "");
  double times[2] = {0, 3};
  void *shared = NULL;
  mfh_err err;
  ck_assert_int_eq(mfh_engine_ep3d.prepare(&pe, 2, times, &shared, &err), MFH_OK);
  mfh_state out;
  memset(&out, 0, sizeof out);
  mfh_engine_ctx ctx = {1, &times[1], NULL, NULL, NULL, 0, 0, ".", shared, 0, 0, NULL};
  ck_assert_int_eq(mfh_engine_ep3d.run(&pe, &ctx, &out, &err), MFH_OK);
  mfh_engine_ep3d.release(shared);
  const mfh_fluid *f = mfh_state_get(&out, &mfh_kind_fluid, "fluid");
  void *copy = NULL;
  ck_assert_int_eq(mfh_kind_fluid.copy(f, &copy, &err), MFH_OK);
  mfh_state_clear(&out); /* the copy holds the last reference */
  double x[3] = {0.5, -1, 2}, r = sqrt(5.25);
  mfh_fluid_point q;
  ck_assert_int_eq(((mfh_fluid *)copy)->ops->eval(copy, x, &q, &err), MFH_OK);
  mfh_radial *rad = NULL;
  ck_assert_int_eq(mfh_radial_create(1, 1, &times[1], 0, 0, &rad, &err), MFH_OK);
  mfh_radial_point rp;
  ck_assert_int_eq(mfh_radial_eval(rad, 0, r, &rp, &err), MFH_OK);
  ck_assert(memcmp(&q.phi, &rp.phi, sizeof q.phi) == 0 && memcmp(&q.rho, &rp.rho, sizeof q.rho) == 0);
  ck_assert_double_eq_tol(q.u[2], rp.u * 2 / r, 1e-15);
  mfh_radial_destroy(rad);
  /* the same fluid from a run without shared tables hashes alike */
  mfh_state again;
  mfh_test_engine_run(&mfh_engine_ep3d, &pe, NULL, 1, &times[1], 0, &again);
  uint64_t h1, h2;
  ck_assert_int_eq(mfh_kind_fluid.hash(copy, &h1, &err), MFH_OK);
  ck_assert_int_eq(mfh_kind_fluid.hash(mfh_state_get(&again, &mfh_kind_fluid, "fluid"), &h2, &err), MFH_OK);
  ck_assert(h1 == h2);
  char buf[256];
  mfh_kind_fluid.describe(copy, buf, sizeof buf);
  ck_assert_msg(strstr(buf, "R^3 at t = 3") && strstr(buf, "sigma 1"), "%s", buf);
  mfh_kind_fluid.free(copy);
  mfh_state_clear(&again);
  mfh_params_free(&pe);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("coulomb3d");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, mass_branches_and_derivative);
  tcase_add_test(tc, shell_vs_closed_form);
  tcase_add_test(tc, crossing_time);
  tcase_add_test(tc, tables_vs_eulerian);
  tcase_add_test(tc, forces_vs_brute_force);
  tcase_add_test(tc, rsqrt_accuracy);
  tcase_add_test(tc, two_body_exact);
  tcase_add_test(tc, momentum_and_energy_order);
  tcase_add_test(tc, threads_bit_identical);
  tcase_add_test(tc, pn0_mean_identity);
  tcase_add_test(tc, validate_refusals);
  tcase_add_test(tc, engine_values);
  tcase_add_test(tc, pair_form_vs_brute_force);
  tcase_add_test(tc, fluid_outlives_shared_tables);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
