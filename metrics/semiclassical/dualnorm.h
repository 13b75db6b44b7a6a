/* A computable lower bound of the dual C^{n,n}_b norm of a Wigner-function
 * difference, and a few fixed smooth observables (THEOREMS.md SH-3, RBM-1).
 *
 * Input: a Hermitian kernel difference D on the 1D grid x_i = xmin + i dx,
 * i = 0..M-1, in the semiclassical convention of states.h: D[i * M + j] =
 * D(x_i, x_j), tr D = dx sum_i D_ii.  Scale eps (plays hbar).
 *
 * Wigner characteristic function.  With W_eps[D] the Wigner transform of
 * THEOREMS.md section 1,
 *   chi(k, l) = int int W_eps[D](x, xi) e^{i (k x + l xi)} dx dxi
 *             = int e^{i k x} D(x + eps l/2, x - eps l/2) dx.
 * (The studies use the fixed physical modes below, the same at every eps;
 * this lattice form is the plain grid sum that checks them.)
 * The l are taken on the lattice l_m = 2 m dx / eps (m = 0, 1, .., mmax), so
 * that x_i +- eps l_m / 2 = x_{i +- m} are grid points and chi is the plain
 * grid sum (no interpolation)
 *   chi(k, l_m) = dx sum_i e^{i k x_i} D[(i + m) M + (i - m)],
 * over the i with 0 <= i - m and i + m <= M - 1 (D is taken to vanish
 * outside the box: the states are meant to be localised inside it; the
 * periodic images are not used).  k runs over k_j = j kstep, j = -nk..nk.
 * Negative l are not needed: D Hermitian gives chi(-k, -l) = conj chi(k, l).
 * chi(0, 0) = tr D exactly.
 *
 * Dual-norm proxy (the certified lower bound of SH-3, up to the unknown
 * constant of the norm of the test function e^{i(kx + l xi)}):
 *   max over the mode set of |chi(k, l)| / (max(1, |k|)^2 max(1, |l|)^2),
 * returned with its arg-max.  The mode set depends on dx / eps through the
 * l lattice: compare values at different eps knowing that the modes differ.
 *
 * Smooth observables tr(D a^W) (a^W the Weyl quantisation at scale eps):
 *   gauss_x   a = exp(-x^2/2):  dx sum_i Re D_ii exp(-x_i^2/2)
 *   cos_x     a = cos x:        dx sum_i Re D_ii cos x_i
 *   gauss_xi  a = exp(-xi^2/2): a^W = a(eps P), P = -i d/dx on the periodic
 *             grid, computed exactly in the grid's plane-wave basis
 *             e_m(x) = e^{i k_m x} / sqrt(M dx), k_m = 2 pi m / (M dx),
 *             m = -M/2..M/2-1 (Nyquist |k| = pi/dx):
 *             sum_m a(eps k_m) <e_m|D|e_m>.
 * (Functions of x alone are multiplication operators, so the first two are
 * exact grid quadratures of int rho_D a.)
 *
 * Nothing here allocates more than O(M (2 nk + 1)) scratch, prints or keeps
 * state; every function is reentrant. */
#ifndef MFH_METRICS_SEMICLASSICAL_DUALNORM_H
#define MFH_METRICS_SEMICLASSICAL_DUALNORM_H

#include "core/cplx.h"
#include <stddef.h>

#include "core/status.h"

/* The mode set: k_j = j kstep (j = -nk..nk), l_m = 2 m dx / eps
 * (m = 0..mmax).  Mode index idx = m (2 nk + 1) + (j + nk). */
typedef struct mfh_sc_dual_modes {
  double kstep; /* > 0 */
  int nk;       /* >= 0 */
  int mmax;     /* >= 0, 2 mmax < M */
} mfh_sc_dual_modes;

/* Defaults: kstep 0.25, nk 16 (|k| <= 4), mmax 8. */
void mfh_sc_dual_modes_default(mfh_sc_dual_modes *m);

/* Number of modes (2 nk + 1)(mmax + 1); 0 for a bad set. */
size_t mfh_sc_dual_nmodes(const mfh_sc_dual_modes *m);

/* (k, l) of mode idx and its weight 1 / (max(1,|k|)^2 max(1,|l|)^2). */
void mfh_sc_dual_mode(const mfh_sc_dual_modes *m, double dx, double eps, size_t idx, double *k,
                      double *l, double *weight);

/* chi(k, l_m) for one k and one lattice index m >= 0 (see the header
 * comment).  0 or MFH_EINPUT (NULL, M < 2, dx or eps not > 0, m outside
 * 0..(M-1)/2, k not finite). */
int mfh_sc_dual_chi(const double complex *D, size_t M, double xmin, double dx, double eps,
                    double k, int m, double complex *chi, mfh_err *err);

/* chi at every mode of the set: chi[idx], mfh_sc_dual_nmodes entries
 * (caller-owned).  0, MFH_EINPUT (bad arguments or mode set), MFH_ENOMEM. */
int mfh_sc_dual_chi_all(const double complex *D, size_t M, double xmin, double dx, double eps,
                        const mfh_sc_dual_modes *modes, double complex *chi, mfh_err *err);

typedef struct mfh_sc_dual_result {
  double value;       /* max weighted |chi| */
  double k, l;        /* arg-max */
  double complex chi; /* chi at the arg-max (unweighted) */
  double weight;      /* the weight there */
  size_t mode;        /* its index (first one on ties) */
} mfh_sc_dual_result;

/* The maximum of weight |chi| over a chi array from mfh_sc_dual_chi_all. */
void mfh_sc_dual_max(const double complex *chi, const mfh_sc_dual_modes *modes, double dx,
                     double eps, mfh_sc_dual_result *out);

/* The dual-norm proxy of D: chi_all then max.  0, MFH_EINPUT, MFH_ENOMEM. */
int mfh_sc_dual_norm(const double complex *D, size_t M, double xmin, double dx, double eps,
                     const mfh_sc_dual_modes *modes, mfh_sc_dual_result *out, mfh_err *err);

typedef struct mfh_sc_dual_obs {
  double gauss_x;  /* tr(D a^W), a = exp(-x^2/2) */
  double gauss_xi; /* tr(D a^W), a = exp(-xi^2/2) */
  double cos_x;    /* tr(D a^W), a = cos x */
} mfh_sc_dual_obs;

/* The three smooth observables (real parts; exact for Hermitian D).  O(M^2).
 * 0 or MFH_EINPUT. */
int mfh_sc_dual_observables(const double complex *D, size_t M, double xmin, double dx, double eps,
                            mfh_sc_dual_obs *out, mfh_err *err);

/* ---- fixed physical modes (any l) -----------------------------------------
 * The lattice above ties l to dx / eps, so the mode set changes along an eps
 * sweep on a fixed grid.  For comparisons across eps (SH-3: uniformity in
 * eps) the modes must be the same physical test functions: these functions
 * take l anywhere, from the trigonometric interpolant of D on the periodic
 * box [xmin, xmin + L), L = M dx.  With the grid DFT
 *   D^_{pq} = M^-2 sum_{ij} D_ij e^{-i k_p (x_i - xmin)} e^{+i k_q (x_j - xmin)},
 * k_p = 2 pi p / L (p = -M/2..M/2-1), and k on the box lattice k_j = j 2 pi / L,
 *   chi(k_j, l) = L e^{i k_j xmin} sum_p D^_{p, p+j} e^{i (2 k_p + k_j) eps l / 2}
 * exactly for the interpolant (terms with p + j outside the band are absent).
 * chi(0, 0) = tr D; at l on the lattice 2 m dx / eps it agrees with the grid
 * sum above up to the periodic images (nil for a state localised in the box).
 * The mode set: k_j for |j| <= nk, l = m lstep for m = 0..nl-1; weights as
 * above.  Cost: one M x M FFT (FFTW, planned under mfh_fftw_planner) and
 * O(M) per mode. */
typedef struct mfh_sc_dual_fixed {
  int nk;       /* k_j = j 2 pi / L, |j| <= nk (>= 0, 2 nk < M) */
  double lstep; /* > 0 */
  int nl;       /* l = 0, lstep, .., (nl - 1) lstep; >= 1 */
} mfh_sc_dual_fixed;

/* The studies' default set on a box of width L with M points: |k| <= 4
 * (nk = floor(4 L / (2 pi)), capped so that 2 nk < M), l = 0, 0.25, .., 4. */
void mfh_sc_dual_fixed_default(double L, size_t M, mfh_sc_dual_fixed *modes);

/* Number of modes (2 nk + 1) nl. */
size_t mfh_sc_dual_fixed_nmodes(const mfh_sc_dual_fixed *modes);

/* chi at every mode: chi[m (2 nk + 1) + (j + nk)] (caller-owned,
 * (2 nk + 1) nl entries).  0, MFH_EINPUT (bad arguments or modes),
 * MFH_ENOMEM. */
int mfh_sc_dual_chi_fixed(const double complex *D, size_t M, double xmin, double dx, double eps,
                          const mfh_sc_dual_fixed *modes, double complex *chi, mfh_err *err);

/* The proxy max weight |chi| over the fixed modes, with its arg-max
 * (out->mode indexes as in mfh_sc_dual_chi_fixed).  0, MFH_EINPUT,
 * MFH_ENOMEM. */
int mfh_sc_dual_norm_fixed(const double complex *D, size_t M, double xmin, double dx, double eps,
                           const mfh_sc_dual_fixed *modes, mfh_sc_dual_result *out, mfh_err *err);

#endif
