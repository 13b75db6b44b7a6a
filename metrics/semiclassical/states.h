/* Semiclassical quantum states on grids: the objects the Wigner/Husimi
 * transforms (wigner.h) and the quantum-classical distances (distances.h)
 * act on.  Conventions are those of THEOREMS.md section 1 (eps plays hbar,
 * mass 1).
 *
 * Grid (mfh_xgrid, core/grid.h; the layout of a split-step Hartree solver):
 * d = 1 or 2 space dimensions, n points per axis, the same on every axis:
 *   x_j = xmin + j dx, j = 0..n-1 (periodic box [xmin, xmin + n dx)).
 * A wave function is `double complex psi[N]`, N = n^d; in 2D it is
 * row-major, psi[j0 * n + j1] = psi(x_{j0}, x_{j1}).  Every integral is a
 * grid sum times the cell volume dx^d: <phi|psi> = dx^d sum_j conj(phi_j) psi_j.
 * The states are meant to be localised well inside the box (the functions
 * never use the periodic images of a state, except where a header says so).
 *
 * Density operators come in two forms (enum mfh_sc_kind):
 *   - orbitals: R = sum_k w_k |psi_k><psi_k|, weights w_k >= 0 summing to 1,
 *     orbitals normalised on the grid (dx^d sum |psi_k|^2 = 1), not
 *     necessarily orthogonal (a Hartree solver evolves each orbital);
 *   - kernel: the dense Hermitian matrix K[i * N + j] = R(x_i, x_j), with the
 *     cell-volume convention: R acts as (R phi)(x_i) = dx^d sum_j R(x_i, x_j)
 *     phi_j, so tr R = dx^d sum_i R(x_i, x_i), and the matrix whose
 *     eigenvalues are those of R is dx^d K.  The orbital form has kernel
 *     R(x_i, x_j) = sum_k w_k psi_k(x_i) conj(psi_k(x_j)).
 *
 * Nothing here prints or keeps global state; every function is reentrant. */
#ifndef MFH_METRICS_SEMICLASSICAL_STATES_H
#define MFH_METRICS_SEMICLASSICAL_STATES_H

#include "core/cmplx.h"
#include <stddef.h>

#include "core/density.h"
#include "core/grid.h"
#include "core/status.h"

/* Largest accepted |sum w - 1| for a list of weights. */
#define MFH_SC_WEIGHT_TOL 1e-12
/* Largest accepted |tr R - 1| where a function needs a density operator. */
#define MFH_SC_TRACE_TOL 1e-8

/* The grids accepted here (mfh_xgrid, see the header comment; N =
 * mfh_xgrid_points, dx^d = mfh_xgrid_cell): dim 1 or 2, n even >= 4 (at
 * most 2^20, 2^14 in 2D), xmin and dx > 0 finite.  0 or MFH_EINPUT naming
 * the bad field. */
int mfh_sc_grid_check(const mfh_xgrid *g, mfh_err *err);

/* The density operator of this module is the core state kind
 * (core/density.h): the names below are its historical aliases. */
enum mfh_sc_kind {
  MFH_SC_ORBITALS = MFH_DENSITY_ORBITALS, /* R = sum_k w_k |psi_k><psi_k| */
  MFH_SC_KERNEL = MFH_DENSITY_KERNEL      /* dense kernel R(x_i, x_j) */
};
typedef mfh_density mfh_sc_state;

/* Allocate a zero-filled state on grid g: kind MFH_SC_ORBITALS with norb >= 1
 * orbitals (weights 0), or MFH_SC_KERNEL (norb ignored, N*N entries).
 * *out is owned by the caller (mfh_sc_state_destroy).  Returns 0,
 * MFH_EINPUT (grid, kind, norb, size overflow) or MFH_ENOMEM. */
int mfh_sc_state_create(const mfh_xgrid *g, int kind, size_t norb, mfh_sc_state **out,
                        mfh_err *err);
/* Free a state from mfh_sc_state_create (or any function below returning
 * one); accepts NULL. */
void mfh_sc_state_destroy(mfh_sc_state *s);

/* Check weights: n >= 1, every w finite and >= 0, |sum w - 1| <=
 * MFH_SC_WEIGHT_TOL.  `what` names them in the message ("mixture weights").
 * Returns 0 or MFH_EINPUT, e.g. "mixture weights: w[2] = -0.1 is negative". */
int mfh_sc_weights_check(size_t n, const double *w, const char *what, mfh_err *err);

/* Check a state's structure: grid, kind, non-NULL arrays, weights (as
 * mfh_sc_weights_check), finite entries.  Orbital normalisation and the
 * Hermitian symmetry of a kernel are checked where they matter (see each
 * function).  Returns 0 or MFH_EINPUT. */
int mfh_sc_state_check(const mfh_sc_state *s, mfh_err *err);

/* Check a state as an operator, not as a density: the structure and
 * finiteness of mfh_sc_state_check, with weights that need only be finite
 * (any sign, any sum: the operator sum_k w_k |psi_k><psi_k| of N fermions
 * has trace N; a difference has weights of both signs).  Functions that
 * take norms or transforms of operators (distances.h, charfun.h,
 * regularity.h) check with this.  0 or MFH_EINPUT. */
int mfh_sc_operator_check(const mfh_sc_state *s, mfh_err *err);

/* tr R (dx^d sum_i R_ii; for orbitals sum_k w_k ||psi_k||^2), R checked as
 * an operator (any weights).  0 or MFH_EINPUT. */
int mfh_sc_state_trace(const mfh_sc_state *s, double *trace, mfh_err *err);

/* tr R^2 = dx^{2d} sum_ij |R_ij|^2 (kernel; O(N^2)) or
 * sum_kl w_k w_l |<psi_k|psi_l>|^2 (orbitals; O(norb^2 N)).  0 or MFH_EINPUT. */
int mfh_sc_state_purity(const mfh_sc_state *s, double *purity, mfh_err *err);

/* The dense kernel of s (a copy if s is already a kernel), with s's eps;
 * s is checked as an operator (mfh_sc_operator_check).  Needs N*N complex
 * entries (16 N^2 bytes).  *out owned by the caller.  0, MFH_EINPUT,
 * MFH_ENOMEM. */
int mfh_sc_state_to_kernel(const mfh_sc_state *s, mfh_sc_state **out, mfh_err *err);

/* ---- wave functions (written into caller-owned arrays of N points) ----- */

/* Coherent state |z> at scale eps > 0, z = (q, p), q and p of length dim:
 *   psi(x) = (pi eps)^{-d/4} exp(-|x - q|^2/(2 eps) + i p.x/eps)
 * sampled exactly (analytic normalisation, not renormalised: the grid norm
 * is 1 to spectral accuracy when the state is resolved, i.e. q well inside
 * the box, sqrt(eps) >> dx and |p| + a few sqrt(eps) < pi eps/dx).
 * THEOREMS.md section 1, [000:L1242].  0 or MFH_EINPUT. */
int mfh_sc_coherent(const mfh_xgrid *g, double eps, const double *q, const double *p,
                    double complex *psi, mfh_err *err);

/* A real function of a point x (dim coordinates) with a caller context. */
typedef double (*mfh_sc_fn)(const double *x, void *ctx);

/* WKB state psi(x) = sqrt(rho(x)) exp(i S(x)/eps), eps > 0, from callbacks
 * (rho >= 0 a probability density, S a real phase; S may be NULL for 0),
 * renormalised on the grid; *mass (may be NULL) gets the grid mass
 * dx^d sum rho(x_j) before renormalisation (about 1 when rho is resolved
 * and inside the box).  Returns 0, MFH_EINPUT (bad grid or eps, NULL rho,
 * rho negative or not finite at a node (named), S not finite, zero mass). */
int mfh_sc_wkb(const mfh_xgrid *g, double eps, mfh_sc_fn rho, mfh_sc_fn S, void *ctx,
               double complex *psi, double *mass, mfh_err *err);

/* Hermite functions at scale eps (d = 1): the eigenfunctions of
 * -(eps^2/2) d^2/dx^2 + x^2/2 (eigenvalue eps (m + 1/2)),
 *   h_m(x) = (pi eps)^{-1/4} (2^m m!)^{-1/2} H_m(x/sqrt(eps)) exp(-x^2/(2 eps)),
 * for m = 0..count-1 into out[m * n + j] (real, stored complex).  Evaluated
 * by the normalised three-term recurrence with an exponent carried
 * separately (no overflow or underflow for any m), then renormalised on the
 * grid; *norm_dev (may be NULL) gets max_m |grid norm of the analytic h_m -
 * 1|, a resolution diagnostic (about 1e-15 when all are resolved: the box
 * must contain |x| < sqrt((2m+1) eps) plus a margin, and pi eps/dx must
 * exceed sqrt((2m+1) eps)).  Returns 0 or MFH_EINPUT (dim != 1, count 0). */
int mfh_sc_hermite(const mfh_xgrid *g, double eps, size_t count, double complex *out,
                   double *norm_dev, mfh_err *err);

/* ---- Toeplitz (anti-Wick) states: rho = int |z><z| mu(dz) ------------- */

/* Finite mixture rho = sum_i w_i |z_i><z_i| (coherent states at scale eps),
 * z[i * 2 dim ..] = (q_1..q_d, p_1..p_d), weights w checked by
 * mfh_sc_weights_check ("mixture weights").  kind MFH_SC_ORBITALS gives the
 * nz coherent states (not orthogonal) with weights w; MFH_SC_KERNEL their
 * dense kernel.  *out owned by the caller.  Its Wigner function is
 * G_{eps/2} * mu and its Husimi function G_eps * mu, mu = sum w_i delta_{z_i}
 * (THEOREMS.md section 1, [000:L1262]).  0, MFH_EINPUT, MFH_ENOMEM. */
int mfh_sc_toeplitz_mixture(const mfh_xgrid *g, double eps, size_t nz, const double *z,
                            const double *w, int kind, mfh_sc_state **out, mfh_err *err);

/* Number of orbitals of the thermal decomposition of the Gaussian Toeplitz
 * state (see mfh_sc_toeplitz_gaussian) for symbol covariance Sigma (2x2,
 * row-major, symmetric positive semi-definite) and truncation tail in
 * (0, 1): the smallest M with q^M <= tail.  0 or MFH_EINPUT. */
int mfh_sc_toeplitz_gaussian_count(double eps, const double Sigma[4], double tail, size_t *count,
                                   mfh_err *err);

/* Toeplitz state (d = 1) with Gaussian symbol mu = N(m, Sigma) on phase
 * space R^2, m = (q0, p0), Sigma 2x2 row-major symmetric positive
 * semi-definite.  The state is Gaussian: its Wigner function is N(m, C),
 * C = Sigma + (eps/2) I, and its Husimi function N(m, Sigma + eps I).
 *   MFH_SC_KERNEL: the closed-form kernel, with X = (x+y)/2, r = x - y,
 *     R(x,y) = N(X; q0, Cxx) exp(i (p0 + (Cxp/Cxx)(X - q0)) r/eps
 *                                - (det C/Cxx) r^2/(2 eps^2))
 *     (exact on the grid; tail and max_orbitals ignored).
 *   MFH_SC_ORBITALS: the thermal-state decomposition.  With
 *     nu = sqrt(det C) (symplectic eigenvalue), q = (nu - eps/2)/(nu + eps/2),
 *     a = sqrt(Cxx/nu), c = Cxp/Cxx:
 *       rho = sum_{k>=0} (1 - q) q^k |psi_k><psi_k|,
 *       psi_k(x) = exp(i p0 x/eps + i c (x-q0)^2/(2 eps)) a^{-1/2} h_k((x - q0)/a)
 *     (h_k the Hermite functions at scale eps: the thermal state of the
 *     oscillator, squeezed by a, sheared by the chirp c, displaced to m),
 *     truncated at the first M with q^M <= tail (tail in (0, 1), e.g. 1e-14;
 *     0 means 1e-14): dropped trace q^M, weights renormalised to sum 1.
 *     M must not exceed max_orbitals (MFH_EINPUT otherwise; see
 *     mfh_sc_toeplitz_gaussian_count).  Each orbital is renormalised on the
 *     grid; *norm_dev (may be NULL) gets the largest pre-normalisation
 *     deviation (a resolution diagnostic, see mfh_sc_hermite).
 * Derivation: Simon, Sudarshan, Mukunda, Phys. Rev. A 36 (1987) 3868
 * (Gaussian Wigner functions and their symplectic normal form); the kernel
 * is the inverse Weyl transform R(x,y) = int W((x+y)/2, xi) e^{i xi (x-y)/eps} dxi.
 * *out owned by the caller.  0, MFH_EINPUT, MFH_ENOMEM. */
int mfh_sc_toeplitz_gaussian(const mfh_xgrid *g, double eps, const double m[2],
                             const double Sigma[4], int kind, double tail, size_t max_orbitals,
                             mfh_sc_state **out, double *norm_dev, mfh_err *err);

#endif
