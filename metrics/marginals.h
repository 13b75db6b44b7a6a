/* Reduced density matrices (marginals) of an N-body wave function on a
 * tensor-product grid.
 *
 * Psi holds M^N complex values, row-major over the particles,
 *   psi[((i_0 M + i_1) M + ...) M + i_{N-1}] = Psi(x_{i_0}, .., x_{i_{N-1}}),
 * on a one-body grid of M points of spacing dx; every integral is the grid
 * sum times dx^(number of variables).  Nothing is assumed of the symmetry
 * of Psi: the marginals average over the particles, so for a bosonic or
 * fermionic Psi they are the usual R_{N:1} and R_{N:2}, and for any other
 * Psi the symmetrised ones.
 *
 * Both sums run in a fixed order whatever the thread count (each thread
 * owns whole rows of the Gram tile), so the results are bit-identical for
 * any number of threads.  Used by the N-body Schroedinger engine (its rdm1
 * and rdm2 outputs) and by the observables that read an N-body wave
 * function (state kind nbody_wave), so both give the same bits. */
#ifndef MFH_METRICS_MARGINALS_H
#define MFH_METRICS_MARGINALS_H

#include <complex.h>
#include <stddef.h>

#include "core/status.h"

/* One-particle marginal, averaged over the particle index:
 *   R(x_i, x_k) = (1/N) sum_p dx^(N-1) sum_Z Psi(.., x_i at p, ..)
 *                 conj(Psi(.., x_k at p, ..)),
 * written as the kernel R[i M + k] (M x M, caller-owned; Hermitian, real
 * diagonal).  Its trace dx sum_i R[i M + i] equals the norm of Psi.
 * Allocates an O(M) column tile and the M^2 accumulators.  MFH_EINPUT for
 * NULL pointers or N < 1, M < 1; MFH_ENOMEM. */
int mfh_marginal1(const double complex *psi, int N, int M, double dx, int threads, double complex *R,
                  mfh_err *err);

/* Two-particle marginal, averaged over the ordered pairs (p, r), p != r:
 *   R2(x_a, x_b; x_c, x_d) = (1 / (N (N-1))) sum_{p != r} dx^(N-2)
 *       sum_Z Psi(.., x_a at p, .., x_b at r, ..) conj(Psi(.., x_c at p, .., x_d at r, ..)),
 * written as an M^2 x M^2 kernel R[(a M + b) M^2 + (c M + d)] (caller-owned,
 * Hermitian, symmetric under (a, b; c, d) -> (b, a; d, c)): a density
 * operator on the 2D grid (x_1, x_2) with cell dx^2, whose partial trace over
 * x_2 is the one-particle marginal.  Cost O(M^(N+2)) per unordered pair.
 * MFH_EINPUT for NULL pointers or N < 2; MFH_ENOMEM. */
int mfh_marginal2(const double complex *psi, int N, int M, double dx, int threads, double complex *R,
                  mfh_err *err);

/* Scratch bytes mfh_marginal2 allocates for M points (its output, M^4
 * complex values, is the caller's). */
double mfh_marginal2_bytes(int M);

#endif
