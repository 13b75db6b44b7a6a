/* Exact 1D pressureless Euler-Poisson solution for the Gaussian
 * rho_in = sqrt(2/pi) e^{-2 a^2}, u_in = -beta a (see ep1d.h for the formulas and their derivation). */
#include "engines/ep1d/ep1d.h"
#include "engines/ep1d/lagrange.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#define EP_PI 3.14159265358979323846

double mfh_ep1d_rho_in(double a) { return MFH_EP1D_RHO_MAX * exp(-2 * a * a); }

double mfh_ep1d_rho_in_d1(double a) { return -4 * a * mfh_ep1d_rho_in(a); }

double mfh_ep1d_rho_in_d2(double a) { return (16 * a * a - 4) * mfh_ep1d_rho_in(a); }

double mfh_ep1d_cdf_in(double a) {
  /* erfc for the left tail keeps full relative precision there */
  return a < 0 ? 0.5 * erfc(-sqrt(2.0) * a) : 0.5 * (1 + erf(sqrt(2.0) * a));
}

/* (2/pi)^{1/4} e^{-a^2} */
double mfh_ep1d_sqrt_rho_in(double a) { return 0.89324384173800226 * exp(-a * a); }

/* F_in(a) - 1/2 = erf(sqrt 2 a)/2, without the cancellation of cdf - 1/2 */
static double force_in(double a) { return 0.5 * erf(sqrt(2.0) * a); }

/* F_in^{-1}(u): the standard normal quantile times sigma = 1/2 */
static double quantile_in(double u) {
  if (u <= 0) return -HUGE_VAL;
  if (u >= 1) return HUGE_VAL;
  return MFH_EP1D_SIGMA * gsl_cdf_ugaussian_Pinv(u);
}

const mfh_ep1d_profile mfh_ep1d_gaussian = {
    "gaussian", force_in, mfh_ep1d_rho_in, mfh_ep1d_cdf_in, quantile_in, MFH_EP1D_RHO_MAX, -HUGE_VAL, HUGE_VAL,
};

double mfh_ep1d_X(double t, double a, double beta) { return mfh_ep1d_lag_X(&mfh_ep1d_gaussian, t, a, beta); }

double mfh_ep1d_Xa(double t, double a, double beta) { return mfh_ep1d_lag_Xa(&mfh_ep1d_gaussian, t, a, beta); }

double mfh_ep1d_U(double t, double a, double beta) { return mfh_ep1d_lag_U(&mfh_ep1d_gaussian, t, a, beta); }

double mfh_ep1d_Ua(double t, double a, double beta) { return -beta + mfh_ep1d_rho_in(a) * t; }

double mfh_ep1d_breaking_time(double beta) { return mfh_ep1d_lag_breaking_time(beta); }

double mfh_ep1d_label(double t, double x, double beta) { return mfh_ep1d_lag_label(&mfh_ep1d_gaussian, t, x, beta); }

/* u_xxx(s, X(s, a)) from the closed form. */
static double uxxx_at_label(double s, double a, double beta) {
  double r = mfh_ep1d_rho_in(a), r1 = mfh_ep1d_rho_in_d1(a), r2 = mfh_ep1d_rho_in_d2(a);
  double Xa = 1 - beta * s + 0.5 * r * s * s, k = s * (1 - 0.5 * beta * s);
  double X2 = Xa * Xa, X4 = X2 * X2;
  return k * (r2 / X4 - 1.5 * s * s * r1 * r1 / (X4 * Xa));
}

void mfh_ep1d_eval(double t, double x, double beta, mfh_ep1d_point *pt) {
  double a = mfh_ep1d_label(t, x, beta);
  double r = mfh_ep1d_rho_in(a), r1 = mfh_ep1d_rho_in_d1(a);
  double Xa = 1 - beta * t + 0.5 * r * t * t, k = t * (1 - 0.5 * beta * t);
  pt->a = a;
  pt->rho = r / Xa;
  pt->F = mfh_ep1d_cdf_in(a);
  pt->u = mfh_ep1d_U(t, a, beta);
  pt->ux = (-beta + r * t) / Xa;
  pt->uxx = k * r1 / (Xa * Xa * Xa);
  pt->uxxx = uxxx_at_label(t, a, beta);
}

double mfh_ep1d_lip(double t, double beta) { return mfh_ep1d_lag_lip(&mfh_ep1d_gaussian, t, beta); }

/* Golden-section search for the max of f on [lo, hi]; returns the value. */
typedef double (*scalar_fn)(double x, const void *ctx);

static double golden_max(scalar_fn f, const void *ctx, double lo, double hi) {
  const double g = 0.61803398874989484820;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = f(x1, ctx), f2 = f(x2, ctx), best = fmax(f1, f2);
  for (int it = 0; it < 60 && hi - lo > 1e-12 * fmax(1, fabs(hi)); it++) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2, ctx);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1, ctx);
    }
    best = fmax(best, fmax(f1, f2));
  }
  return best;
}

/* Max of f over a uniform grid of m points on [lo, hi], refined by golden
 * section on the two cells around the best point. */
static double grid_max(scalar_fn f, const void *ctx, double lo, double hi, int m) {
  double h = (hi - lo) / (m - 1), best = -HUGE_VAL;
  int ib = 0;
  for (int i = 0; i < m; i++) {
    double v = f(i == m - 1 ? hi : lo + i * h, ctx);
    if (v > best) {
      best = v;
      ib = i;
    }
  }
  double a0 = ib > 0 ? lo + (ib - 1) * h : lo, a1 = ib < m - 1 ? lo + (ib + 1) * h : hi;
  if (a1 > a0) best = fmax(best, golden_max(f, ctx, a0, a1));
  return best;
}

typedef struct time_beta {
  double s, beta;
} time_beta;

static double uxxx_abs_label(double a, const void *ctx) {
  const time_beta *tb = ctx;
  return fabs(uxxx_at_label(tb->s, a, tb->beta));
}

double mfh_ep1d_uxxx_sup_at(double s, double beta) {
  if (!(s < mfh_ep1d_breaking_time(beta))) return HUGE_VAL;
  if (s == 0) return 0;
  time_beta tb = {s, beta};
  return grid_max(uxxx_abs_label, &tb, 0, 12 * MFH_EP1D_SIGMA, 1025);
}

static double uxxx_sup_time(double s, const void *ctx) {
  return mfh_ep1d_uxxx_sup_at(s, *(const double *)ctx);
}

double mfh_ep1d_uxxx_sup(double t, double beta) {
  if (!(t < mfh_ep1d_breaking_time(beta))) return HUGE_VAL;
  if (t == 0) return 0;
  return grid_max(uxxx_sup_time, &beta, 0, t, 257);
}

double mfh_ep1d_vmax(double t, double beta) { return 6 * MFH_EP1D_SIGMA * fabs(beta) + 0.5 * t; }

double mfh_ep1d_xmax(double t, double beta) {
  double a = 10 * MFH_EP1D_SIGMA;
  return fmax(mfh_ep1d_X(0, a, beta), mfh_ep1d_X(t, a, beta));
}
