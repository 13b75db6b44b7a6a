/* Radial pressureless Euler-Poisson in 3D: the cold Coulomb explosion of a
 * Gaussian (THEOREMS.md section 1 "Coulomb", CEP-1, CEP-4).
 *
 * Data: rho_in(x) = (2 pi sigma^2)^{-3/2} exp(-|x|^2 / (2 sigma^2)) (mass 1,
 * per-axis variance sigma^2), u_in = 0, V(x) = 1/(4 pi |x|) (repulsive,
 * -Lap V = delta).  Until the first shell crossing the solution is radial
 * and Lagrangian: the shell of initial radius a keeps its enclosed mass
 * M(a) and obeys
 *   R'' = M(a) / (4 pi R^2),  R(0) = a,  R'(0) = 0,
 * so u(t, R(t,a)) = R'(t,a) (radially), rho(t, R) = rho_in(a) a^2 / (R^2 R_a),
 * phi(t, R(t,a)) = (V * rho)(R) = M(a)/(4 pi R) + int_a^inf dM(b) / (4 pi R(t,b)).
 * The shells cross (R_a = 0) at a finite time for a Gaussian: the asymptotic
 * speed sqrt(M(a) / (2 pi a)) decreases in a beyond a ~ 1.5 sigma, so inner
 * shells eventually overtake outer ones.
 *
 * Method: for each label a the scaled state (y, y', z, z'), y = R/a, z = R_a,
 *   y'' = m(a) / y^2,   z'' = -2 m(a) z / y^3 + rho_in(a) / y^2,
 *   m(a) = M(a) / (4 pi a^3) (regular at a = 0: rho_in(0)/3),
 * is integrated with GSL's explicit embedded Runge-Kutta Prince-Dormand (8,9)
 * (gsl_odeiv2_step_rk8pd, relative and absolute tolerance 1e-13).  At each
 * requested time the shells of a uniform label grid a_i = i h on [0, a_max]
 * are tabulated (R, R_a, U = R', U_a); R(t, .) and U(t, .) between nodes are
 * cubic Hermite interpolants (their a-derivatives are known exactly at the
 * nodes), r -> a is inverted by bisection on the table and Newton on the
 * cubic, and Q(a) = int_a^inf b^2 rho_in(b) / R(t,b) db is tabulated by
 * cumulative 8-point Gauss-Legendre and interpolated by cubic Hermite
 * (Q' = -b^2 rho_in / R).  With h = sigma/400 the interpolation errors are
 * about h^4/384 ~ 1e-13 relative (R_a itself, hence the density, comes from
 * the derivative of the cubic: about h^3 ~ 1e-9).  The mass beyond
 * a_max = 10 sigma (about 1e-21) is neglected.
 * The closed form of the energy integral, t = tau(a) [sqrt(y(y-1)) +
 * ln(sqrt y + sqrt(y-1))], tau = sqrt(2 pi a^3 / M(a)), is deliberately not
 * used here: the tests check the ODE solution against it.
 *
 * Everything is computed, never printed; errors are int statuses (core/status.h). */
#ifndef MFH_ENGINES_COULOMB3D_RADIAL_H
#define MFH_ENGINES_COULOMB3D_RADIAL_H

#include <stddef.h>

#include "core/status.h"

/* Enclosed mass M(a) = erf(z/sqrt 2) - sqrt(2/pi) z e^{-z^2/2}, z = a/sigma
 * (a series below z = 1, no cancellation). */
double mfh_radial_mass(double a, double sigma);
/* m(a) = M(a) / (4 pi a^3), with the limit rho_in(0)/3 at a = 0. */
double mfh_radial_mean_density(double a, double sigma);
/* rho_in at radius a. */
double mfh_radial_density0(double a, double sigma);
/* int int V rho_in rho_in = 1/(4 pi^{3/2} sigma) (exact, closed form). */
double mfh_radial_self_energy0(double sigma);

/* One shell by the ODE: at time t >= 0 the radius R, velocity U = R', and
 * their label derivatives R_a, U_a of the shell a >= 0 (out[0..3]).  MFH_OK,
 * MFH_EINPUT (bad a, t, sigma) or MFH_ESOLVER (integrator failure). */
int mfh_radial_shell(double sigma, double a, double t, double out[4], mfh_err *err);

/* First shell crossing: *tc = min over a of the first time R_a(t, a) = 0,
 * *ac = the label where it happens (Brent minimisation over a, each t(a)
 * by the ODE with a Newton correction on R_a = 0; tc to ~1e-9 relative).
 * tc scales like sigma^{3/2}.  MFH_OK or MFH_ESOLVER. */
int mfh_radial_crossing(double sigma, double *tc, double *ac, mfh_err *err);

/* Tables of the solution at ntimes times (each >= 0, before the first
 * crossing; any order). */
typedef struct mfh_radial mfh_radial;

/* Build the tables (nlabels + 1 nodes on [0, amax sigma]; 0 = defaults
 * 4000 and 10).  *out owns them (mfh_radial_destroy).  MFH_OK, MFH_EINPUT
 * (sigma <= 0, a negative or non-finite time, a time at or past the first
 * crossing: checked on the tables, R_a > 0 at every node), MFH_ENOMEM or
 * MFH_ESOLVER. */
int mfh_radial_create(double sigma, size_t ntimes, const double *times, size_t nlabels, double amax,
                      mfh_radial **out, mfh_err *err);
void mfh_radial_destroy(mfh_radial *r); /* accepts NULL */

size_t mfh_radial_ntimes(const mfh_radial *r);
double mfh_radial_time(const mfh_radial *r, size_t k);
double mfh_radial_sigma(const mfh_radial *r);

/* The Eulerian fields at radius |x| = radius >= 0 at time index k. */
typedef struct mfh_radial_point {
  double a;   /* label: R(t_k, a) = radius */
  double rho; /* density */
  double u;   /* radial velocity (the velocity field is u x/|x|) */
  double phi; /* potential V * rho */
} mfh_radial_point;

/* MFH_OK, or MFH_EINPUT when radius is negative, not finite, or beyond the
 * outermost tabulated shell R(t_k, a_max) (probability ~1e-21 for a sample
 * point; the message says so). */
int mfh_radial_eval(const mfh_radial *r, size_t k, double radius, mfh_radial_point *out, mfh_err *err);

/* Integrals at time index k: int rho phi dx = int int V rho rho, the
 * kinetic energy (1/2) int |u|^2 rho dx, and sup_x |grad u| (the largest
 * eigenvalue of grad u: max over the nodes of max(|U_a / R_a|, |U / R|)). */
double mfh_radial_pot_energy(const mfh_radial *r, size_t k);
double mfh_radial_kin_energy(const mfh_radial *r, size_t k);
double mfh_radial_lip(const mfh_radial *r, size_t k);
/* ||rho(t_k)||_inf (max over the nodes: the centre early on, the shells
 * about to cross late). */
double mfh_radial_rho_max(const mfh_radial *r, size_t k);
/* min over the nodes of R_a at time index k (> 0 before the crossing). */
double mfh_radial_min_stretch(const mfh_radial *r, size_t k);

#endif
