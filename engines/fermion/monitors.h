/* Observables of fermionic density matrices (THEOREMS.md HF-1..HF-4): plain
 * functions on kernels and orbitals (see fermion.h for the layouts).
 *
 * Norms.  With D the difference of two density matrices, the operator on
 * the grid is cell D (cell = dx^d), so
 *   ||D||_HS^2 = cell^2 sum_IJ |D_IJ|^2,   tr|D| = sum |eigenvalues of cell D|
 * (LAPACK zheevd, eigenvalues only; a Hermitian row-major matrix read
 * column-major is its conjugate: same eigenvalues, no copy).  The studies
 * fit HS_rel = ||omega - w||_HS / sqrt N and TR_rel = tr|omega - w| / N
 * (HF-1, HF-2) and (1/N) ||omega_HF - omega_H||_1 (HF-4).  Between two
 * orbital sets of total rank r = m_a + m_b < npts the difference is
 * C S C^* with C = [phi_a, phi_b] and S = diag(occ_a, -occ_b): a QR of
 * sqrt(cell) C (zgeqrf) leaves the r x r eigenproblem R S R^*.
 *
 * Characteristic-function modes (HF-3).  For physical (p, q) in R^d x R^d
 * and P = -i eps grad, T = e^{i (p.x + q.P)} acts as
 *   (T f)(x) = e^{i eps p.q / 2} e^{i p.x} f(x + eps q)
 * (Baker-Campbell-Hausdorff), so
 *   (1/N) tr(T D) = (1/N) int e^{i p.u} D(u + eps q/2, u - eps q/2) du
 *                 = the characteristic function of the Wigner function
 *                   W_eps[D / N] at (p, q).
 * On the grid: D(x + eps q, x) by exact trigonometric interpolation of
 * the kernel's second index (FFT of each row; D Hermitian) or of each
 * orbital, then the grid sum.  Weighted maximum (THEOREMS.md HF-3):
 *   max over the modes of |c(p, q)| / (1 + |p| + |q|)^2.
 *
 * Hypothesis monitors of Theorem 3 at t = 0 (HF-3): tr|[x_a, omega]| /
 * (N eps) and tr|[eps d_a, omega]| / (N eps) (maximum over the axes a), by
 * the low-rank route: [x, omega] = C M C^* with C = [x Phi, Phi],
 * M = [[0, L], [-L, 0]] (L = diag occ) and [eps d, omega] with
 * C = [eps d Phi, Phi], M = [[0, L], [L, 0]] (d spectral).  For the 1D
 * oscillator Slater state both are exactly sqrt(2 eps N) / (eps N) =
 * sqrt 2 at N eps = 1 (the commutators are sqrt(eps N / 2) (|N><N-1| -
 * h.c.) in the number basis).  ||grad W_N||_{L^1(R^2d)} of the trap states
 * from the exact Wigner functions of the oscillator eigenstates
 *   W_k(x, xi) = (-1)^k / (pi eps) e^{-z/2} L_k(z),  z = 2 (x^2 + xi^2) / eps
 * (products in 2D), W_N = sum occ_k W_k / N, by Gauss-Legendre panels of
 * width eps / 4 in the radii (a scaled Laguerre recurrence: e^{-z/2} L_k(z)
 * underflows / overflows in its factors for large z, not in the product).
 *
 * Nothing here keeps state; functions that need FFTs plan under the
 * critical section mfh_fftw_planner (they are not hot loops) and may
 * allocate O(npts^2) (dense trace norms) or O(npts r) scratch. */
#ifndef MFH_ENGINES_FERMION_OBSERVABLES_H
#define MFH_ENGINES_FERMION_OBSERVABLES_H

#include <complex.h>
#include <stddef.h>

#include "core/status.h"
#include "engines/fermion/fermion.h"

/* tr omega = cell sum_I Re K_II. */
double mfh_fermion_kernel_trace(const mfh_fermion_grid *g, const double complex *K);
/* max_IJ |K_IJ - conj K_JI| / max_IJ |K_IJ| (0 for an exactly Hermitian K). */
double mfh_fermion_kernel_hermiticity(const mfh_fermion_grid *g, const double complex *K);
/* sum_k occ_k cell sum |phi_k|^2. */
double mfh_fermion_orbitals_trace(const mfh_fermion_orbitals *o);

/* ||A - B||_HS (B may be NULL: ||A||_HS).  MFH_EINPUT for NULL / bad grid. */
int mfh_fermion_hs_norm(const mfh_fermion_grid *g, const double complex *A,
                        const double complex *B, double *hs, mfh_err *err);

/* Bytes the dense trace norm allocates (one npts^2 copy and the
 * eigenvalues; LAPACK's zheevd workspace for eigenvalues only is O(npts)). */
double mfh_fermion_trace_norm_bytes(const mfh_fermion_grid *g);

/* tr|A - B| and ||A - B||_HS from the eigenvalues of cell (A - B) (B may
 * be NULL; hs may be NULL).  Allocates one npts^2 copy.  MFH_EINPUT,
 * MFH_ENOMEM, MFH_ENUMERIC (LAPACK failure). */
int mfh_fermion_trace_norm(const mfh_fermion_grid *g, const double complex *A,
                           const double complex *B, double *tr, double *hs, mfh_err *err);

/* The same for the kernel of orbitals a minus the kernel B (forms a's
 * kernel in an npts^2 buffer; tr may be NULL to skip the eigenvalues). */
int mfh_fermion_orbital_kernel_norms(const mfh_fermion_orbitals *a, const double complex *B,
                                     double *tr, double *hs, mfh_err *err);

/* tr|omega_a - omega_b| and ||omega_a - omega_b||_HS between two orbital
 * sets on the same grid (low-rank route if m_a + m_b < npts, else dense;
 * hs may be NULL).  MFH_EINPUT, MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_fermion_orbital_norms(const mfh_fermion_orbitals *a, const mfh_fermion_orbitals *b,
                              double *tr, double *hs, mfh_err *err);

/* Modes c_j = (1/N) tr(e^{i (p_j.x + q_j.P)} K), j < nm, p and q holding
 * nm * dim coordinates (p[j * dim + a]).  O(npts^2 (nm + log npts)).
 * MFH_EINPUT, MFH_ENOMEM. */
int mfh_fermion_modes_kernel(const mfh_fermion_grid *g, const double complex *K, double N,
                             size_t nm, const double *p, const double *q, double complex *c,
                             mfh_err *err);
/* The same for the orbitals (N = o->N).  O(m npts (nq log npts + nm)),
 * nq the number of distinct q. */
int mfh_fermion_modes_orbitals(const mfh_fermion_orbitals *o, size_t nm, const double *p,
                               const double *q, double complex *c, mfh_err *err);
/* max_j |c_j| / (1 + |p_j| + |q_j|)^2 (Euclidean norms); *arg (may be
 * NULL) the maximising j. */
double mfh_fermion_modes_weighted_max(int dim, size_t nm, const double *p, const double *q,
                                      const double complex *c, size_t *arg);

/* Hypothesis monitors: *cx = max_a tr|[x_a, omega]| / (N eps),
 * *cp = max_a tr|[eps d_a, omega]| / (N eps) (either may be NULL).
 * MFH_EINPUT, MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_fermion_commutator_norms(const mfh_fermion_orbitals *o, double *cx, double *cp,
                                 mfh_err *err);

/* ||grad W_N||_{L^1(R^2d)} of the trap state with levels lv (see above;
 * cost O(m r_max / eps) in 1D, O((r_max / eps)^2 K) in 2D).  MFH_EINPUT,
 * MFH_ENOMEM. */
int mfh_fermion_wigner_grad_l1(const mfh_fermion_levels *lv, double *out, mfh_err *err);

/* Resolution monitors of a kernel: *edge = max |K| over the rows whose
 * point lies on the box edge (first or last index on some axis) / max |K|;
 * *band = max |row spectrum| over the top 10% of the momenta on some axis
 * (|k_a| >= 0.9 pi / dx) / max |row spectrum|.  Both should be below the
 * run's tolerance.  MFH_EINPUT, MFH_ENOMEM. */
int mfh_fermion_kernel_edges(const mfh_fermion_grid *g, const double complex *K, double *edge,
                             double *band, mfh_err *err);
/* The same bounds for orbitals through |K(x, y)| <= sqrt(K(x, x) K(y, y)):
 * *edge = sqrt(max_edge rho / max rho), *band = sqrt(max_band S / max S),
 * S(k) = sum occ |phi_k^(k)|^2. */
int mfh_fermion_orbital_edges(const mfh_fermion_orbitals *o, double *edge, double *band,
                              mfh_err *err);

#endif
