/* Quantum-classical distances and operator norms (THEOREMS.md section 2):
 *   - first and second moments of x and P = -i eps grad of a state on its
 *     grid (spectral P), and MK2^eps(R1, R2)^2 by the exact formula when one
 *     state is pure;
 *   - W_2 between Gaussians (closed form, [001:L1204]);
 *   - W_2 between two phase-space densities on grids, by exact discrete
 *     transport (metrics/transport.h) between coarsened grids, returned as a
 *     certified bracket for the W_2 distance between the grid measures;
 *   - trace, Hilbert-Schmidt and operator norms of the difference of two
 *     density operators (Hermitian eigenvalues, LAPACKE).
 * States and grids as in states.h (cell-volume conventions there). */
#ifndef MFH_METRICS_SEMICLASSICAL_DISTANCES_H
#define MFH_METRICS_SEMICLASSICAL_DISTANCES_H

#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"
#include "metrics/semiclassical/states.h"
#include "metrics/semiclassical/wigner.h"

/* Moments of a state, per axis a < dim.  P_a = -i eps d/dx_a acts
 * spectrally: with psi^ the grid DFT and k the grid wave numbers,
 *   <P_a^j> = (dx^d/N) sum_k (eps k_a)^j |psi^_k|^2  (kernel: the diagonal of
 * F R F^*); at the Nyquist wave number k_a = pi/dx, whose sign is ambiguous,
 * odd powers count 0 and even powers (pi eps/dx)^j (the average over +-).
 * Variances are centred sums (no cancellation); for orbitals they combine
 * the orbitals' own means and variances (law of total variance).  All
 * moments are divided by the trace. */
typedef struct mfh_sc_moments {
  int dim;
  double trace;                  /* tr R before normalisation */
  double mean_x[2], mean_p[2];   /* <x_a>, <P_a> */
  double var_x[2], var_p[2];     /* Var x_a, Var P_a */
} mfh_sc_moments;

/* Moments of R (orbitals: one FFT per orbital with w > 0; kernel: one
 * 2d-dimensional FFT of the N x N kernel, 32 N^2 bytes of scratch).  eps > 0.  Needs |tr R - 1| <=
 * MFH_SC_TRACE_TOL (a density operator; the message names the trace and
 * suggests an unresolved state).  0, MFH_EINPUT, MFH_ENOMEM. */
int mfh_sc_state_moments(const mfh_sc_state *R, double eps, mfh_sc_moments *m, mfh_err *err);

/* MK2^eps from moments, assuming one of the two states is pure (then the
 * product is the only coupling, THEOREMS.md section 2 (derived)):
 *   |<x>1 - <x>2|^2 + |<P>1 - <P>2|^2 + sum_a (Var1 x_a + Var2 x_a + Var1 P_a + Var2 P_a).
 * The caller vouches for purity.  0 or MFH_EINPUT (dims differ). */
int mfh_sc_mk2eps_sq_moments(const mfh_sc_moments *a, const mfh_sc_moments *b, double *mk2sq,
                             mfh_err *err);

/* MK2^eps(a, b)^2 for two states on the same grid, at least one of them
 * pure: an orbital list is pure when exactly one weight is positive, or
 * (norb <= 256) when tr R^2 = (tr R)^2 within 1e-10; a kernel when
 * tr R^2 = (tr R)^2 within 1e-10.  MFH_EINPUT (with both purities) when
 * neither is pure: the exact formula does not apply.  [000:L209], MK-1/MK-2. */
int mfh_sc_mk2eps_sq(const mfh_sc_state *a, const mfh_sc_state *b, double eps, double *mk2sq,
                     mfh_err *err);

/* Squared W_2 between the Gaussians N(m1, A1) and N(m2, A2) on R^dim
 * (dim >= 1; A row-major symmetric positive semi-definite):
 *   |m1 - m2|^2 + tr A1 + tr A2 - 2 tr((A1^{1/2} A2 A1^{1/2})^{1/2})
 * [001:L1204] (Dowson & Landau 1982; Givens & Shortt 1984).  dim 1 and 2 in
 * closed form (2x2: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M))), larger dim by
 * symmetric eigen-decompositions (LAPACKE_dsyevd).  Rounding: about
 * 1e-16 (tr A1 + tr A2) absolute.  0, MFH_EINPUT (non-symmetric or
 * indefinite A, non-finite), MFH_ENOMEM, MFH_ENUMERIC (LAPACK failure). */
int mfh_sc_w2sq_gaussian(size_t dim, const double *m1, const double *A1, const double *m2,
                         const double *A2, double *w2sq, mfh_err *err);

/* Norms of the difference A - B of two operators on the same grid:
 * eigenvalues lambda of dx^d (K_A - K_B) (K the kernels), trace norm
 * sum |lambda|, Hilbert-Schmidt sqrt(sum lambda^2), operator norm max |lambda|.
 * Two orbital lists with r = (orbitals with w != 0 in A and B) <= N use a
 * rank-r route: V = [sqrt(|w| dx^d) psi ...] = QR (LAPACKE_zgeqrf),
 * eigenvalues of the r x r matrix R S R^* (S = diag(sign w_A, -sign w_B)); otherwise
 * the N x N kernel difference (LAPACKE_zheevd, O(N^3), 16 N^2 bytes).
 * Kernels must be Hermitian to 1e-10 relative (checked).  Orbital
 * normalisation is not required (the operators are used as given). */
typedef struct mfh_sc_norms {
  double trace, hs, op;
  int rank_route; /* 1 if the rank-r orbital route was used, 0 for dense */
} mfh_sc_norms;

/* The states are checked as operators (mfh_sc_operator_check: orbital
 * weights of any sign and sum, e.g. N fermions of trace N; a negative
 * weight enters the rank-r route with its sign).  0, MFH_EINPUT (grids
 * differ, bad states, non-Hermitian kernel), MFH_ENOMEM, MFH_ENUMERIC
 * (LAPACK failure). */
int mfh_sc_norms_diff(const mfh_sc_state *a, const mfh_sc_state *b, mfh_sc_norms *out,
                      mfh_err *err);

/* ||A - B||_HS alone, from the entries (no eigenvalues): dx^d sqrt(sum
 * |K_A - K_B|^2), forming the dense difference (16 N^2 bytes) unless both
 * are kernels.  O(N^2 (1 + norb)) instead of O(N^3); equal to the hs of
 * mfh_sc_norms_diff up to rounding.  0, MFH_EINPUT, MFH_ENOMEM. */
int mfh_sc_hs_diff(const mfh_sc_state *a, const mfh_sc_state *b, double *hs, mfh_err *err);

/* ---- W_2 between phase-space densities on grids --------------------------
 *
 * Each grid function f >= 0 (mfh_phase_grid, any geometry; values below
 * -neg_tol max f are an error, the others are clipped to 0) defines the
 * discrete probability measure mu_f = sum_ik f_ik delta_(x_i, xi_k) / sum f
 * (the node masses; the cell volume cancels).  The two measures may live on
 * different grids (e.g. a Husimi function and a Vlasov solution).  The
 * cost is |x - y|^2 + |xi - eta|^2.
 *
 * Coarsening: the grid is cut into blocks of bx x bxi nodes; each block of
 * relative mass above `drop` becomes one point at its barycentre (the other
 * blocks, total relative mass tau, are dropped).  W_c = W_2 between the two
 * coarse measures is exact (mfh_transport_solve_plan).  With
 *   q_f = sqrt(sum over blocks of the mass-weighted squared distance of the
 *         nodes to their barycentre / total mass)  (>= W_2(mu_f, coarse f)),
 *   t_f = sqrt(tau_f) x (diameter of f's grid)   (>= W_2 between mu_f and its
 *         kept blocks renormalised),
 * the bracket for W = W_2(mu_f, mu_g) is
 *   upper = min(t_f + t_g + sqrt(C), sqrt(|m_f - m_g|^2 + tr Cov_f + tr Cov_g)),
 *     C the cost of an explicit coupling of the kept fine measures: every
 *     coarse pair (A, B) of the optimal coarse plan is split into an optimal
 *     coupling of the two blocks' normalised node masses (exact transport
 *     per pair), then `sweeps` domain-decomposition sweeps re-solve the
 *     transport exactly inside cells of one block of f, alternately
 *     shifted by half a block (the cost never increases; Benamou 2003,
 *     Bonafini & Schmitzer 2021).  Blocks of more than 400 nodes split each
 *     pair independently (cost |b_A - b_B|^2 + var_A + var_B), no sweeps.
 *     The second term is the product coupling;
 *   lower = max(dual, marginal, W_c - q_f - t_f - q_g - t_g), with
 *     dual^2 = the best of two Kantorovich dual objectives
 *     sum phi^{cc} dmu_f + sum phi^c dmu_g (a feasible pair for any phi, so
 *     a lower bound however phi is obtained): phi from the coarse optimal
 *     dual, affine in each block with slope 2 (b_A - T_A) (T_A the plan's
 *     barycentric image), and phi integrated by least squares on f's grid
 *     from the fine coupling's barycentric map T, grad phi = 2 (x - T(x))
 *     (Brenier); c-transforms are exact over the grid nodes (separable);
 *     marginal^2 = W_2(x-marginals)^2 + W_2(xi-marginals)^2 (exact 1D
 *     quantile couplings on the fine grids; the cost splits).
 * W lies in [lower, upper] up to floating-point rounding: this bracket is
 * certified for the grid measures.  Measured with the defaults (1000
 * coarse points, 8 sweeps) on 128 x 128 grids of Gaussians (about 0.3 s):
 * width 9e-4 for a shift (W = 1.12), 5e-3 for a covariance change
 * (W = 0.40), 9e-3 for a shift with W = 0.12; on 256 x 256 grids (a
 * sheared three-bump density, W = 0.42) 5e-3 in 3 s.  More sweeps or
 * points narrow it slowly.  When W is below the block size the upper end
 * stays good but the lower end relies on the marginal bound (tight for
 * shifts, not in general) and the integrated-potential dual.
 *
 * What it does not certify: the distance between the continuum densities
 * that the grids sample.  If the node masses are cell integrals of a density
 * spread uniformly over each cell, W_2(continuum, mu_f) <= cell_f =
 * sqrt((dx^2 + dxi^2)/12) (widen both ends by cell_f + cell_g).  For point
 * samples of a smooth density the node masses also carry a quadrature error
 * that is not bounded here, and mass outside the grids (truncated domain)
 * or an unresolved density is invisible to the bracket.  The discrete W_2
 * of a grid measure against a continuum one is itself O(grid step): compare
 * two measures on the same grid when the difference must be resolved below
 * that scale (example: two Gaussians shifted by 0.022 sampled on a grid of
 * step 0.078 are 0.048 apart as grid measures, bracket [0.04841, 0.04843]).
 * Cost: the exact transport on npts_f x npts_g (at most 2000 x 2000: about
 * 100 MB), O(grid x npts) for the coarse dual, O(n^3) per c-transform on
 * n x n grids, a conjugate-gradient solve on the grid, and per sweep one
 * small exact transport per cell; about 0.3 s for 128 x 128 grids, 3 s for
 * 256 x 256 (single thread). */
typedef struct mfh_sc_w2grid_opts {
  size_t fblock[2];  /* block of f in nodes (x, xi); {0, 0} = automatic */
  size_t gblock[2];  /* block of g; {0, 0} = automatic */
  size_t max_points; /* automatic blocks: at most this many kept coarse points
                        per measure (0 = 1000; at most 2000) */
  double drop;       /* relative block mass at or below which a block is
                        dropped (counted in t); default 1e-14 */
  double neg_tol;    /* relative clipping tolerance for negative values (0 = 1e-10) */
  int sweeps;        /* decomposition sweeps refining the upper coupling (default 8) */
} mfh_sc_w2grid_opts;

typedef struct mfh_sc_w2grid {
  double lower, upper;         /* the certified bracket for W_2(mu_f, mu_g) */
  double w2_coarse;            /* W_c */
  double dual, marginal;       /* the two lower bounds that usually win */
  double refined;              /* the refined-coupling upper bound (before t_f + t_g) */
  int sweeps;                  /* decomposition sweeps done */
  double quant_f, quant_g;     /* q_f, q_g */
  double drop_f, drop_g;       /* t_f, t_g */
  double mean_gap;             /* |m_f - m_g| */
  double cell_f, cell_g;       /* continuum cell terms (not in the bracket) */
  double mass_f, mass_g;       /* dx dxi sum f (after clipping) */
  double clipped_f, clipped_g; /* negative mass clipped, relative */
  size_t npts_f, npts_g;       /* coarse support sizes */
  size_t block_f[2], block_g[2]; /* blocks used */
} mfh_sc_w2grid;

/* Fill o with the defaults (automatic blocks, 1000 points, drop 1e-14,
 * neg_tol 1e-10, 8 sweeps); start from these and override fields. */
void mfh_sc_w2grid_opts_init(mfh_sc_w2grid_opts *o);

/* The bracket above (opts NULL = defaults).  0, MFH_EINPUT (sizes, geometry,
 * non-finite or too negative values naming the node, zero mass, bad
 * options), MFH_ENOMEM, or the transport solver's error. */
int mfh_sc_w2_grid(const mfh_phase_grid *f, const mfh_phase_grid *g, const mfh_sc_w2grid_opts *opts,
                   mfh_sc_w2grid *out, mfh_err *err);

#endif
