/* N-body Schroedinger equation in one space dimension on a tensor-product
 * grid: Strang split-step Fourier solver, full pair dynamics and the random
 * batch method (RBM).
 *
 * Model (THEOREMS.md section 1; eps plays hbar, mass 1).  N = 2..5
 * particles on the periodic box [-L/2, L/2):
 *   i eps d_t Psi = H Psi,  H = sum_j -(eps^2/2) d^2/dx_j^2
 *                              + lambda sum_{j<k} V(x_j - x_k),
 * V(x) = a exp(-x^2/(2 s^2)) evaluated at the minimum image of x.  lambda is
 * 1/N (the harness convention, default), 1/(N-1) (random batch seed 004) or
 * any finite value (enum mfh_nbodyq_coupling).
 *
 * Grid: M points per particle, dx = L/M, x_i = -L/2 + i dx.  Psi holds M^N
 * double complex values, row-major over the particles:
 *   Psi[((i_0 M + i_1) M + ...) M + i_{N-1}] = Psi(x_{i_0}, .., x_{i_{N-1}}).
 * Every integral is the grid sum times dx^(number of variables).
 *
 * Method (Bao, Jin & Markowich, J. Comput. Phys. 175 (2002) 487).  One step
 * of length dt: potential half step Psi <- exp(-i dt U/(2 eps)) Psi, exact
 * kinetic step by an N-dimensional FFT, potential half step.  Order 2 in dt,
 * unitary, time-reversible.  The potential phase is the product of the pair
 * phases exp(-i dt lambda V(x_j - x_k)/(2 eps)) looked up in a table over
 * the M grid offsets (no U array is stored).
 *
 * Random batch method (Golse, Jin & Paul, seed 004; THEOREMS.md RBM): N even;
 * each step draws a uniform random perfect matching of the particles (a
 * uniformly random permutation sigma, pairs (sigma(2k), sigma(2k+1))); in
 * that step only the paired particles interact, each pair with coefficient 1
 * (not lambda): U_step = sum_pairs V(x_a - x_b), in the same Strang
 * splitting.  With N = 2 and lambda = 1 = 1/(N-1) this is the full
 * dynamics.
 *
 * Memory: the wave function (16 M^N bytes) plus O(N M) tables; the FFT is
 * in place.  mfh_nbodyq_create refuses configurations above a caller limit.
 *
 * Threads: pointwise loops and the reduced density matrix use p.threads
 * OpenMP threads (default 1); every value is computed the same way by any
 * thread and every sum runs in a fixed order, so results are bit-identical
 * for any thread count.  FFTW plans (FFTW_ESTIMATE) are made in create under
 * the OpenMP critical section mfh_fftw_planner.  One object must not be used
 * by two threads at once. */
#ifndef MFH_ENGINES_NBODYQ_NBODYQ_H
#define MFH_ENGINES_NBODYQ_NBODYQ_H

#include "core/cplx.h"
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "core/status.h"

enum mfh_nbodyq_coupling {
  MFH_NBODYQ_COUPLING_N = 0,     /* lambda = 1/N (default) */
  MFH_NBODYQ_COUPLING_NM1 = 1,   /* lambda = 1/(N-1) */
  MFH_NBODYQ_COUPLING_CUSTOM = 2 /* lambda = params.coupling */
};

typedef struct mfh_nbodyq_params {
  int N;            /* particles, 2..5 */
  int M;            /* points per particle, 4..4096, even */
  double L;         /* box [-L/2, L/2), > 0 */
  double eps;       /* semiclassical parameter, > 0 */
  double a, s;      /* Gaussian pair potential: amplitude (finite), width > 0 */
  int coupling_kind; /* enum mfh_nbodyq_coupling */
  double coupling;  /* lambda for MFH_NBODYQ_COUPLING_CUSTOM (finite) */
  double max_bytes; /* memory limit in bytes (> 0), default 12e9 */
  int threads;      /* OpenMP threads, default 1; 0 = omp default */
} mfh_nbodyq_params;

typedef struct mfh_nbodyq mfh_nbodyq;

/* Defaults: N 2, M 64, L 16, eps 1, a 1, s 1, coupling 1/N, 12 GB, 1
 * thread. */
void mfh_nbodyq_params_init(mfh_nbodyq_params *p);

/* Bytes needed by an object with N particles and M points per particle
 * (wave function, tables and scratch), as a double so that huge
 * configurations do not overflow.  0 for N < 1 or M < 1. */
double mfh_nbodyq_bytes(int N, int M);

/* Validate p and allocate (Psi = 0, time 0).  MFH_EINPUT naming the bad
 * parameter, or for a configuration above p->max_bytes with the message
 * "N = 5, M = 128 needs 550 GB for the wave function and workspace; limit
 * 12 GB"; MFH_ENOMEM.  The caller frees *out with mfh_nbodyq_destroy. */
int mfh_nbodyq_create(const mfh_nbodyq_params *p, mfh_nbodyq **out, mfh_err *err);

/* Free everything; accepts NULL. */
void mfh_nbodyq_destroy(mfh_nbodyq *q);

/* N, M, M^N, dx, the coupling lambda in use. */
int mfh_nbodyq_N(const mfh_nbodyq *q);
int mfh_nbodyq_M(const mfh_nbodyq *q);
size_t mfh_nbodyq_size(const mfh_nbodyq *q);
double mfh_nbodyq_dx(const mfh_nbodyq *q);
double mfh_nbodyq_coupling(const mfh_nbodyq *q);
/* Grid point x_i = -L/2 + i dx. */
double mfh_nbodyq_x(const mfh_nbodyq *q, int i);

/* The wave function (M^N values, owned by q); writable for initial data. */
double complex *mfh_nbodyq_psi(mfh_nbodyq *q);
const double complex *mfh_nbodyq_psi_const(const mfh_nbodyq *q);

/* Bosonic product Psi = phi^(x)N from the M values phi[i] = phi(x_i)
 * (copied), phi first normalised to dx sum |phi|^2 = 1.  Time reset to 0.
 * MFH_EINPUT for phi NULL, zero or not finite. */
int mfh_nbodyq_set_product(mfh_nbodyq *q, const double complex *phi, mfh_err *err);

/* One Strang step of the full dynamics (dt finite, nonzero; may be < 0).
 * Allocates nothing.  MFH_EINPUT for a bad dt. */
int mfh_nbodyq_step(mfh_nbodyq *q, double dt, mfh_err *err);

/* One RBM Strang step with the matching given by the permutation
 * perm[0..N-1] of 0..N-1: pairs (perm[2k], perm[2k+1]), each with
 * coefficient 1.  MFH_EINPUT for odd N, a bad permutation or a bad dt. */
int mfh_nbodyq_rbm_step_matching(mfh_nbodyq *q, double dt, const int *perm, mfh_err *err);

/* One RBM step with a uniform random matching drawn from r (a uniform
 * shuffle by gsl_ran_shuffle; the caller owns r).  If perm_out != NULL the
 * N-entry permutation used is written there.  Errors as above, and
 * MFH_EINPUT for r NULL. */
int mfh_nbodyq_rbm_step(mfh_nbodyq *q, double dt, gsl_rng *r, int *perm_out, mfh_err *err);

/* Time reached (sum of the dt of all steps since create/set_product). */
double mfh_nbodyq_time(const mfh_nbodyq *q);

/* dx^N sum |Psi|^2. */
double mfh_nbodyq_norm(const mfh_nbodyq *q);

/* Energy <Psi|H|Psi> (kinetic spectrally, line by line, Nyquist mode with
 * |k| = pi/dx; interaction with lambda), not divided by the norm.  kin and
 * pot may be NULL.  Uses q's line scratch (not const). */
double mfh_nbodyq_energy(mfh_nbodyq *q, double *kin, double *pot);

/* One-particle reduced density matrix, averaged over the particle index:
 *   R(x_i, x_k) = (1/N) sum_p dx^(N-1) sum_Z Psi(.., x_i at p, ..)
 *                 conj(Psi(.., x_k at p, ..)),
 * written as the kernel R[i M + k] (M x M, caller-owned; Hermitian).  Its
 * trace dx sum_i R[i M + i] equals the norm (1 for a normalised state).
 * Allocates an O(M) column tile.  MFH_EINPUT for R NULL, MFH_ENOMEM. */
int mfh_nbodyq_rdm1(const mfh_nbodyq *q, double complex *R, mfh_err *err);

/* Two-particle reduced density matrix, averaged over the ordered pairs of
 * particles (p, r), p != r:
 *   R2(x_a, x_b; x_c, x_d) = (1 / (N (N-1))) sum_{p != r} dx^(N-2)
 *       sum_Z Psi(.., x_a at p, .., x_b at r, ..) conj(Psi(.., x_c at p, .., x_d at r, ..)),
 * written as an M^2 x M^2 kernel R[(a M + b) M^2 + (c M + d)] (caller-owned,
 * Hermitian, symmetric under the swap (a, b; c, d) -> (b, a; d, c)), i.e. a
 * density operator on the 2D grid (x_1, x_2) with cell dx^2: its trace
 * dx^2 sum R_{(ab),(ab)} equals the norm, and its partial trace over x_2 is
 * R_{N:1}.  Cost O(M^(N+2)) per unordered pair; allocates the M^4 real and
 * imaginary accumulators (mfh_nbodyq_rdm2_bytes) and a column tile.  Bit
 * identical for any thread count.  MFH_EINPUT for NULL, MFH_ENOMEM. */
int mfh_nbodyq_rdm2(const mfh_nbodyq *q, double complex *R, mfh_err *err);
/* Scratch bytes mfh_nbodyq_rdm2 allocates for M points (its output, M^4
 * complex values, is the caller's). */
double mfh_nbodyq_rdm2_bytes(int M);

#endif
