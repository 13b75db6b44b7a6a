/* The exact 1D pressureless Euler-Poisson solution with the Coulomb kernel
 * V = -|x|/2 (THEOREMS.md CEP-2), in Lagrangian form, for any initial density
 * rho_in (a profile) and u_in(a) = -beta a:
 *   X(t,a) = a (1 - beta t) + (1/2) f(a) t^2,  U(t,a) = -beta a + f(a) t,
 *   X_a = 1 - beta t + (1/2) rho_in(a) t^2,   f(a) = F_in(a) - 1/2,
 * valid while X_a > 0: before 1/beta for beta > 0 (the zero-density tails
 * break first), forever for beta <= 0.  Eulerian fields: rho(t, X) =
 * rho_in(a)/X_a, F_rho(t, X) = F_in(a), u(t, X) = U(t, a); outside the
 * support the same formulas (F_in = 0 or 1, rho_in = 0) give the natural
 * extension of u (zero-density characteristics).  Two profiles: the
 * parabolic (3/4)(1 - a^2)_+ of the sheet model (parabolic.c) and the
 * Gaussian of CEP-5 (ep1d.c).  The engine `ep1d` (exact.c) makes fluids of
 * them; the sheet engine draws its initial data from the parabolic one.
 * Nothing here allocates or keeps state. */
#ifndef MFH_ENGINES_EP1D_LAGRANGE_H
#define MFH_ENGINES_EP1D_LAGRANGE_H

#include <stddef.h>

typedef struct mfh_ep1d_profile {
  const char *name;            /* "parabolic", "gaussian" */
  double (*force)(double a);   /* f(a) = F_in(a) - 1/2, in (-1/2, 1/2), computed without cancellation */
  double (*density)(double a); /* rho_in(a) >= 0 */
  double (*cdf)(double a);     /* F_in(a), full relative precision in the left tail */
  double (*quantile)(double u);/* F_in^{-1}(u), u in [0, 1] */
  double rho_max;              /* sup rho_in */
  double alo, ahi;             /* the support of rho_in in labels (-+HUGE_VAL: all of R) */
} mfh_ep1d_profile;

/* rho_in = (3/4)(1 - a^2)_+ (parabolic.c) and sqrt(2/pi) e^{-2 a^2} (ep1d.c). */
extern const mfh_ep1d_profile mfh_ep1d_parabolic;
extern const mfh_ep1d_profile mfh_ep1d_gaussian;
/* The parabolic profile's functions: F_in, rho_in, F_in^{-1}(u) = 2 sin(asin(2u - 1)/3). */
double mfh_ep1d_parabolic_cdf(double a);
double mfh_ep1d_parabolic_density(double a);
double mfh_ep1d_parabolic_quantile(double u);

double mfh_ep1d_lag_X(const mfh_ep1d_profile *p, double t, double a, double beta);
double mfh_ep1d_lag_Xa(const mfh_ep1d_profile *p, double t, double a, double beta);
double mfh_ep1d_lag_U(const mfh_ep1d_profile *p, double t, double a, double beta);

/* X^{-1}(t, x): Newton safeguarded as rtsafe (Numerical Recipes 9.4) in the
 * bracket (x -+ t^2/4) / (1 - beta t) (|f| < 1/2), bisecting when the Newton
 * point leaves it or the step does not halve (X is S-shaped near breaking,
 * where plain Newton cycles).  t before breaking. */
double mfh_ep1d_lag_label(const mfh_ep1d_profile *p, double t, double x, double beta);

/* 1/beta for beta > 0, HUGE_VAL otherwise. */
double mfh_ep1d_lag_breaking_time(double beta);

/* sup over s in [0, t] and x of |u_x(s, x)|: at fixed s, u_x = U_a / X_a is a
 * Moebius function of r = rho_in(a) in [0, rho_max], so its sup is at r = 0
 * (the tails: |beta / (1 - beta s)|, monotone in s) or r = rho_max, checked
 * at s = 0, t and the critical points in between.  HUGE_VAL at or past
 * breaking. */
double mfh_ep1d_lag_lip(const mfh_ep1d_profile *p, double t, double beta);

/* The rest needs a compactly supported profile (finite alo, ahi); NaN
 * otherwise. */

/* |supp rho(t)| = X(t, ahi) - X(t, alo). */
double mfh_ep1d_lag_supp(const mfh_ep1d_profile *p, double t, double beta);
/* int F_rho(t)(1 - F_rho(t)) dx = int F_in (1 - F_in) X_a da (5-point
 * Gauss-Legendre on [alo, ahi]: exact for the parabolic profile, a
 * polynomial of degree 8). */
double mfh_ep1d_lag_ff(const mfh_ep1d_profile *p, double t, double beta);
/* int (F_n(x) - F_rho(t, x))^2 dx for the empirical CDF F_n of the n sorted
 * points y[0..n-1] (ascending): exact piecewise integration.  F_n is a step
 * function; outside the support F_rho is 0 or 1 (exact), and on each step
 * inside it F_rho(t, x) = F_in(X^{-1}(t, x)), integrated in the Lagrangian
 * variable (dx = X_a da) with 5-point Gauss-Legendre (exact for the
 * parabolic profile: a polynomial of degree 8). */
double mfh_ep1d_lag_cdf_l2(const mfh_ep1d_profile *p, const double *y, size_t n, double t, double beta);

#endif
