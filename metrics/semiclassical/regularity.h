/* Semiclassical regularity of a density operator: the quantities the
 * hypotheses of the Hartree-Fock -> Vlasov theorems bound (THEOREMS.md
 * HF-3; Benedikter-Porta-Saffirio-Schlein, Theorem 3 [003:L390-408]):
 *   tr|[x_a, R]| and tr|[eps d_a, R]|   (the commutator bounds, <= C N eps
 *                                        for N fermions at scale eps),
 *   ||grad W_eps[R]||_{L^1(R^2d)}       (the W^{1,1} bound).
 * R is a state on its grid at its own scale eps (states.h, core/density.h),
 * given by orbitals (weights of any sign) or by a Hermitian kernel.
 *
 * Commutators.  Orbitals: the rank-2m route [x, R] = C M C^* with
 * C = [x Phi, Phi], M = i [[0, L], [-L, 0]] (L = diag w), and
 * [eps d, R] with C = [eps d Phi, Phi], M = [[0, L], [L, 0]] (d spectral,
 * Nyquist mode 0): a QR of sqrt(dx^d) C leaves a 2m x 2m eigenproblem
 * (dense N x N when 2m >= N).  Kernels: the dense operators
 * dx^d (x_i - x_j) K_ij and dx^d eps (d_1 + d_2) K (spectral derivatives
 * along the rows; d_1 K = (d_2 K)^* for Hermitian K), LAPACK zheevd
 * (values only).  For the 1D oscillator Slater state both traces are
 * exactly sqrt(2 N eps) (number basis: sqrt(eps N / 2) (|N><N-1| + h.c.)).
 *
 * ||grad W||_1 on the phase-space grid.  The orbitals (a kernel is first
 * diagonalised, eigenvalues below 1e-14 of the largest dropped) are
 * interpolated spectrally to the grid of spacing h = dx/2 (as are their
 * gradients), so that for X on that grid and y = k dx (k in [-n, n)^d)
 * both X +- y/2 are nodes; then
 *   W(X, xi) = (2 pi eps)^-d dx^d sum_k P(k) e^{-i xi.k dx / eps},
 *   P(k) = sum_m w_m phi_m(X + y/2) conj phi_m(X - y/2)
 * on xi_l = l pi eps / (n dx) (the band |xi| < pi eps / dx), by one FFT per
 * X and component: d_xi W from (-i k dx / eps) P, d_X W from the same sum
 * with one factor differentiated.  The L^1 norm of |grad W| is the grid sum
 * times h^d (pi eps / (n dx))^d: x is sampled at its Nyquist rate (W has
 * twice the band of the orbitals in x) and xi at the box's.  A state that
 * the grid resolves (support and band inside the box) is resolved here;
 * the kinks of |grad W| at the zeros of the gradient limit the accuracy to
 * about 1e-3 relative on the oscillator states of the tests.
 * Cost: O((2n)^(2d) m (1 + 2d)) operations and O((2n)^d m) memory;
 * a kernel adds one O(N^3) eigendecomposition.
 *
 * FFT plans are made under the critical section mfh_fftw_planner; nothing
 * here keeps state. */
#ifndef MFH_METRICS_SEMICLASSICAL_REGULARITY_H
#define MFH_METRICS_SEMICLASSICAL_REGULARITY_H

#include "core/status.h"
#include "metrics/semiclassical/states.h"

/* *cx = max_a tr|[x_a, R]|, *cp = max_a tr|[eps d_a, R]| (either may be
 * NULL; eps = R->eps > 0).  0, MFH_EINPUT, MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_sc_commutators(const mfh_sc_state *R, double *cx, double *cp, mfh_err *err);

/* ||grad W_eps[R]||_{L^1(R^2d)} (not normalised: divide by tr R for the
 * Wigner function of R / tr R).  0, MFH_EINPUT, MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_sc_wigner_grad_l1(const mfh_sc_state *R, double *out, mfh_err *err);

#endif
