/* The 1D sheet model (THEOREMS.md section 1, "Coulomb"; CEP-2, CEP-3):
 * N particles on the line with V(x) = -|x|/2 (repulsive, coupling 1/N), so
 * the force on the particle of rank r (sorted, 1-based) is (r - 1/2)/N - 1/2,
 * and its exact pressureless Euler-Poisson reference for
 * rho_in = (3/4)(1 - x^2)_+, u_in(x) = -beta x, in Lagrangian form
 *   X(t,a) = a + u_in(a) t + (1/2)(F_in(a) - 1/2) t^2,
 *   U(t,a) = u_in(a) + (F_in(a) - 1/2) t,
 * valid before the breaking time (1/beta for beta > 0, never for beta <= 0).
 * For a outside [-1, 1] the same formulas (F_in = 0 or 1, rho_in = 0) give
 * the natural extension of u to the whole line (zero-density characteristics).
 * Numbers are computed, never printed; the functions below allocate nothing
 * unless said so. */
#ifndef MFH_ENGINES_SHEET_SHEET_H
#define MFH_ENGINES_SHEET_SHEET_H

#include <stddef.h>

#include "core/plugin.h"

/* The registry entry (`solver: sheet`). */
extern const mfh_solver_type mfh_solver_sheet;

/* F_in and rho_in of (3/4)(1 - x^2)_+. */
double mfh_sheet_cdf(double a);
double mfh_sheet_density(double a);
/* F_in^{-1}(u), u in [0, 1] (closed form: a = 2 sin(asin(2u - 1)/3)). */
double mfh_sheet_quantile(double u);
/* Exact Lagrangian map X(t,a), its a-derivative and velocity U(t,a). */
double mfh_sheet_X(double t, double a, double beta);
double mfh_sheet_Xa(double t, double a, double beta);
double mfh_sheet_U(double t, double a, double beta);
/* X^{-1}(t, x) (Newton safeguarded by bisection; t before breaking). */
double mfh_sheet_label(double t, double x, double beta);
/* Breaking time of the data: 1/beta for beta > 0, HUGE_VAL otherwise. */
double mfh_sheet_breaking_time(double beta);
/* sup over s in [0, t] and x in R of |u_x(s, x)| (the natural extension
 * outside the support included); t before breaking. */
double mfh_sheet_lip(double t, double beta);
/* int F_rho(t)(1 - F_rho(t)) dx (exact: 5-point Gauss-Legendre on a
 * polynomial of degree 8). */
double mfh_sheet_ff(double t, double beta);

/* Forces on n particles: f[j] = (rank_j - 1/2)/n - 1/2, ranks by (x, index).
 * perm (n entries) holds a permutation on entry (e.g. the previous order:
 * it is re-sorted by insertion, falling back to a merge sort with tmp, n
 * entries, when the order changed a lot) and the sorted order on return.
 * 0 or MFH_EINPUT (n = 0). */
int mfh_sheet_forces(const double *x, size_t n, size_t *perm, size_t *tmp, double *f);

/* P_N = int (F_{mu_N}(x) - F_rho(t, x))^2 dx for sorted positions y[0..n-1]
 * (ascending): exact piecewise integration, Lagrangian variable on each
 * piece, 5-point Gauss-Legendre (exact here: polynomial of degree 8). */
double mfh_sheet_pn(const double *y, size_t n, double t, double beta);

#endif
