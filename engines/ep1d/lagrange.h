/* The exact 1D pressureless Euler-Poisson solution with the Coulomb kernel
 * V = -|x|/2 (THEOREMS.md CEP-2), in Lagrangian form, for any initial density
 * rho_in (a profile) and u_in(a) = -beta a:
 *   X(t,a) = a (1 - beta t) + (1/2) f(a) t^2,  U(t,a) = -beta a + f(a) t,
 *   X_a = 1 - beta t + (1/2) rho_in(a) t^2,   f(a) = F_in(a) - 1/2,
 * valid while X_a > 0: before 1/beta for beta > 0 (the zero-density tails
 * break first), forever for beta <= 0.  Shared by the sheet-model reference
 * (solvers/sheet, rho_in = (3/4)(1 - x^2)_+) and the CEP-5 reference
 * (solvers/ep1d, a Gaussian).  Nothing here allocates or keeps state. */
#ifndef MFH_ENGINES_EP1D_LAGRANGE_H
#define MFH_ENGINES_EP1D_LAGRANGE_H

typedef struct mfh_ep1d_profile {
  double (*force)(double a);   /* f(a) = F_in(a) - 1/2, in (-1/2, 1/2), computed without cancellation */
  double (*density)(double a); /* rho_in(a) >= 0 */
  double rho_max;              /* sup rho_in */
} mfh_ep1d_profile;

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

#endif
