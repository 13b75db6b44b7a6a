/* Exact pressureless Euler-Poisson reference in 1D for smooth data
 * (THEOREMS.md section 1 "Coulomb"; CEP-2 formula, used for CEP-5):
 *   d_t rho + (rho u)_x = 0,  d_t u + u u_x = F_rho - 1/2,
 * the force of the repulsive kernel V(x) = -|x|/2 (-(V * rho)_x = F_rho - 1/2,
 * F_rho the cumulative distribution of rho).
 *
 * Data: the Gaussian rho_in(a) = sqrt(2/pi) e^{-2 a^2} (mean 0, standard
 * deviation sigma = 1/2), u_in(a) = -beta a.  Why this profile: CEP-5 needs
 * sqrt(rho_in) in H^1 and sup |u_xxx| finite; sqrt(rho_in) = (2/pi)^{1/4}
 * e^{-a^2} is smooth with int |(sqrt rho_in)'|^2 = 1/(4 sigma^2) = 1, so
 * G(0) = hbar^2 exactly, and everything (psi_in, rho, u) is smooth, so the
 * split-step solver converges spectrally in space.  The compactly supported
 * alternative (4/3) cos^4(pi a/2) was tried first: sqrt(rho_in) = cos^2 has a
 * jump in its second derivative, the grid error of G(0) then decays only
 * like dx^3 and the current error of the Hartree run had 2% grid error on the
 * automatic grid; the (3/4)(1 - a^2)_+ profile of the sheet model has
 * int |(sqrt rho)'|^2 = infinity.  The Gaussian is not compactly supported:
 * the zero-padded convolution on the box is exact up to the mass outside
 * the box (< 1e-30 for the boxes used, |x| >= 6 = 12 sigma).
 *   F_in(a) = (1 + erf(sqrt(2) a))/2,  rho_in' = -4 a rho_in,
 *   rho_in'' = (16 a^2 - 4) rho_in.
 *
 * Lagrangian solution (exact before breaking; the force on a characteristic
 * is F_in(a) - 1/2, constant in time because characteristics keep their
 * order):
 *   X(t,a) = a (1 - beta t) + (1/2)(F_in(a) - 1/2) t^2,
 *   U(t,a) = -beta a + (F_in(a) - 1/2) t,
 *   X_a = 1 - beta t + rho_in(a) t^2/2,  U_a = -beta + rho_in(a) t,
 *   rho(t, X) = rho_in(a)/X_a,  F_rho(t, X) = F_in(a),  u(t, X) = U.
 * X(t, .) maps R onto R.  The breaking time (where inf_a X_a reaches 0) is
 * 1/beta for beta > 0 (approached in the tails |a| -> infinity where
 * rho_in -> 0, so u_x blows up there like -beta/(1 - beta t)), never for
 * beta <= 0.
 *
 * Eulerian derivatives, with r = rho_in(a), k = t (1 - beta t / 2)
 * (derived by differentiating u(t, X(t,a)) = U(t,a) in a):
 *   u_x   = (-beta + r t)/X_a,
 *   u_xx  = k r'/X_a^3,
 *   u_xxx = k (r''/X_a^4 - (3/2) t^2 r'^2/X_a^5).
 * Every function is pure and reentrant; nothing allocates. */
#ifndef MFH_ENGINES_EP1D_EP1D_H
#define MFH_ENGINES_EP1D_EP1D_H

/* The standard deviation of rho_in and max rho_in = rho_in(0) = sqrt(2/pi). */
#define MFH_EP1D_SIGMA 0.5
#define MFH_EP1D_RHO_MAX 0.79788456080286535588
/* int |(sqrt rho_in)'|^2 dx = 1/(4 sigma^2) = 1: G(0) = hbar^2 for the WKB state (CEP-5). */
#define MFH_EP1D_FISHER 1.0

/* rho_in, its first two derivatives, F_in and sqrt(rho_in) at a. */
double mfh_ep1d_rho_in(double a);
double mfh_ep1d_rho_in_d1(double a);
double mfh_ep1d_rho_in_d2(double a);
double mfh_ep1d_cdf_in(double a);
double mfh_ep1d_sqrt_rho_in(double a);

/* Lagrangian map and velocity, their a-derivatives. */
double mfh_ep1d_X(double t, double a, double beta);
double mfh_ep1d_Xa(double t, double a, double beta);
double mfh_ep1d_U(double t, double a, double beta);
double mfh_ep1d_Ua(double t, double a, double beta);

/* The label a = X(t, .)^{-1}(x) (Newton safeguarded by bisection in the
 * bracket (x -+ t^2/4)/(1 - beta t), to full precision).  t before breaking. */
double mfh_ep1d_label(double t, double x, double beta);

/* Breaking time: 1/beta for beta > 0, HUGE_VAL otherwise. */
double mfh_ep1d_breaking_time(double beta);

/* The Eulerian fields at (t, x), t before breaking. */
typedef struct mfh_ep1d_point {
  double a;                 /* label */
  double rho, F, u;         /* density, cumulative distribution, velocity */
  double ux, uxx, uxxx;     /* x-derivatives of u */
} mfh_ep1d_point;
void mfh_ep1d_eval(double t, double x, double beta, mfh_ep1d_point *pt);

/* L(t) = sup over s in [0, t] and x in R of |u_x(s, x)| (closed form: at
 * fixed s, u_x is a Moebius function of r = rho_in(a) in (0, RHO_MAX],
 * monotone, so the sup over x is at r -> 0 (the tails) or r = RHO_MAX; in s
 * the r = RHO_MAX branch is checked at its critical points).  HUGE_VAL at or
 * past breaking. */
double mfh_ep1d_lip(double t, double beta);

/* M3(t) = sup over s in [0, t] and x in R of |u_xxx(s, x)|, computed from
 * the closed form above: at fixed s, the max over a in [0, 6] = [0, 12 sigma]
 * (u_xxx is even in a; beyond, |u_xxx| < 1e-28 / (1 - beta s)^5) of a 1025-point grid, refined by golden-section search on the two
 * cells around the best grid point; in s, the same on a 257-point grid of
 * [0, t] (endpoint t included) with the inner sup refined at every
 * evaluation.  Relative accuracy about 1e-9 when the maxima are isolated at
 * the grid scale (tests/test_hartree_ep.c compares with a dense scan).
 * HUGE_VAL at or past breaking. */
double mfh_ep1d_uxxx_sup(double t, double beta);

/* sup over x of |u_xxx(s, x)| at one time s (the inner sup above). */
double mfh_ep1d_uxxx_sup_at(double s, double beta);

/* 3 |beta| + t/2: an upper bound of |u(s, X(s, a))| = |U(s, a)| over s in
 * [0, t] and |a| <= 6 sigma = 3, where the WKB amplitude is >= e^{-9} of its
 * maximum: the velocities a grid must carry. */
double mfh_ep1d_vmax(double t, double beta);

/* max over s in [0, t] of X(s, 10 sigma) = -X(s, -10 sigma) (convex in s, so
 * the larger of the two ends): where the density is e^{-50} of its maximum,
 * the region a box must hold.  t before breaking. */
double mfh_ep1d_xmax(double t, double beta);

#endif
