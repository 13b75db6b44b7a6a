/* The Lagrangian solution of 1D Euler-Poisson for a profile (lagrange.h). */
#include "engines/ep1d/lagrange.h"

#include <math.h>

double mfh_ep1d_lag_X(const mfh_ep1d_profile *p, double t, double a, double beta) {
  return a * (1 - beta * t) + 0.5 * p->force(a) * t * t;
}

double mfh_ep1d_lag_Xa(const mfh_ep1d_profile *p, double t, double a, double beta) {
  return 1 - beta * t + 0.5 * p->density(a) * t * t;
}

double mfh_ep1d_lag_U(const mfh_ep1d_profile *p, double t, double a, double beta) {
  return -beta * a + p->force(a) * t;
}

double mfh_ep1d_lag_breaking_time(double beta) { return beta > 0 ? 1 / beta : HUGE_VAL; }

double mfh_ep1d_lag_label(const mfh_ep1d_profile *p, double t, double x, double beta) {
  double c = 1 - beta * t, q = 0.25 * t * t;
  double alo = (x - q) / c, ahi = (x + q) / c, a = x / c, dold = ahi - alo;
  for (int it = 0; it < 300; it++) {
    double fx = mfh_ep1d_lag_X(p, t, a, beta) - x;
    if (fx == 0) return a;
    if (fx < 0)
      alo = a;
    else
      ahi = a;
    double d = fx / mfh_ep1d_lag_Xa(p, t, a, beta), an = a - d;
    int newton = an > alo && an < ahi && fabs(2 * d) <= fabs(dold);
    if (!newton) {
      an = 0.5 * (alo + ahi);
      d = a - an;
    }
    dold = d;
    a = an;
    if (newton && fabs(d) < 1e-12 * fmax(1, fabs(a))) /* quadratic convergence: one more step is full precision */
      return a - (mfh_ep1d_lag_X(p, t, a, beta) - x) / mfh_ep1d_lag_Xa(p, t, a, beta);
    if (!(ahi - alo > 1e-15 * fmax(1, fabs(a)))) break;
  }
  return a;
}

/* |u_x| on the branch r = rho_in(a) at time s. */
static double ux_branch(double s, double r, double beta) {
  return fabs((-beta + r * s) / (1 - beta * s + 0.5 * r * s * s));
}

double mfh_ep1d_lag_lip(const mfh_ep1d_profile *p, double t, double beta) {
  if (!(t < mfh_ep1d_lag_breaking_time(beta))) return HUGE_VAL;
  const double R = p->rho_max;
  double m = fmax(fabs(beta), fabs(beta / (1 - beta * t)));
  m = fmax(m, fmax(ux_branch(0, R, beta), ux_branch(t, R, beta)));
  /* r = R: d/ds of (-beta + R s)/(1 - beta s + R s^2/2) vanishes at the
   * roots of -(R^2/2) s^2 + R beta s + (R - beta^2) */
  double A = -0.5 * R * R, B = R * beta, C = R - beta * beta, disc = B * B - 4 * A * C;
  if (disc >= 0) {
    for (int k = -1; k <= 1; k += 2) {
      double s = (-B + k * sqrt(disc)) / (2 * A);
      if (s > 0 && s < t) m = fmax(m, ux_branch(s, R, beta));
    }
  }
  return m;
}

/* ---- compactly supported profiles ------------------------------------------ */

static int compact(const mfh_ep1d_profile *p) { return isfinite(p->alo) && isfinite(p->ahi); }

static const double gl_x[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831,
                                0.9061798459386640};
static const double gl_w[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889,
                                0.4786286704993665, 0.2369268850561891};

double mfh_ep1d_lag_supp(const mfh_ep1d_profile *p, double t, double beta) {
  if (!compact(p)) return NAN;
  return mfh_ep1d_lag_X(p, t, p->ahi, beta) - mfh_ep1d_lag_X(p, t, p->alo, beta);
}

double mfh_ep1d_lag_ff(const mfh_ep1d_profile *p, double t, double beta) {
  if (!compact(p)) return NAN;
  double h = 0.5 * (p->ahi - p->alo), m = 0.5 * (p->ahi + p->alo), s = 0;
  for (int i = 0; i < 5; i++) {
    double a = m + h * gl_x[i], F = p->cdf(a);
    s += gl_w[i] * F * (1 - F) * mfh_ep1d_lag_Xa(p, t, a, beta);
  }
  return h * s;
}

/* int_{a0}^{a1} (c - F_in(a))^2 X_a(t, a) da, [a0, a1] inside the support. */
static double piece(const mfh_ep1d_profile *p, double c, double a0, double a1, double t, double beta) {
  double h = 0.5 * (a1 - a0), m = 0.5 * (a1 + a0), s = 0;
  for (int i = 0; i < 5; i++) {
    double a = m + h * gl_x[i], d = c - p->cdf(a);
    s += gl_w[i] * d * d * mfh_ep1d_lag_Xa(p, t, a, beta);
  }
  return h * s;
}

double mfh_ep1d_lag_cdf_l2(const mfh_ep1d_profile *p, const double *y, size_t n, double t, double beta) {
  if (!compact(p) || n == 0) return NAN;
  double lo = mfh_ep1d_lag_X(p, t, p->alo, beta), hi = mfh_ep1d_lag_X(p, t, p->ahi, beta), sum = 0;
  double prev = -HUGE_VAL, ap = p->alo; /* left end of the current step and its label */
  for (size_t k = 0; k <= n; k++) {
    double c = (double)k / (double)n, q = k < n ? y[k] : HUGE_VAL;
    double aq = (q > lo && q < hi) ? mfh_ep1d_lag_label(p, t, q, beta) : (q <= lo ? p->alo : p->ahi);
    if (c > 0 && prev < lo) sum += c * c * (fmin(q, lo) - prev);
    if (c < 1 && q > hi) sum += (1 - c) * (1 - c) * (q - fmax(prev, hi));
    double s = fmax(prev, lo), e = fmin(q, hi);
    if (s < e) sum += piece(p, c, prev > lo ? ap : p->alo, q < hi ? aq : p->ahi, t, beta);
    prev = q;
    ap = aq;
  }
  return sum;
}
