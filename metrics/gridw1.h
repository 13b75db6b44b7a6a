/* W_1 between a point cloud in 1D1V phase space and a density on a grid,
 * as a certified bracket [lo, hi] plus an estimate (MF-3).
 *
 * Cost: c((x, v), (y, w)) = |x - y|_T + |v - w|, where |.|_T is the
 * distance on the circle of length P = grid->period (minimum image) when
 * the grid is periodic, and |x - y| otherwise (seed 001 Lecture 1's cost,
 * THEOREMS.md section 2).  It is a metric.
 *
 * What the grid means.  Node (i, j) stands for the cell
 *   Q_ij = [x_i - dx/2, x_i + dx/2) x [v_j - dv/2, v_j + dv/2)
 * and the grid density is read as piecewise constant, f_ij on Q_ij (the
 * midpoint-rule reading, second-order close to a smooth density; reading
 * the nodes as point masses would move mass by (dx + dv)/4 on average).
 * The grid may be slightly negative (semi-Lagrangian undershoot) and its
 * mass m = sum f_ij dx dv may differ from 1.  The measure compared with is
 *   nu = f_+ / m_+,   f_+ = max(f, 0),  m_+ = sum f_+ dx dv,
 * the probability measure closest to the grid in L1: its distance to the
 * grid density is e0 = m_- + |m_+ - 1| (m_- the clipped negative mass), and
 * no probability density is closer.  Every probability measure rho on the
 * grid's box B (the union of the cells) with ||rho - f||_1 <= e0 satisfies
 * ||rho - nu||_TV <= e0 (TV = half the L1 norm), hence W_1(rho, nu) <= D e0,
 * D the cost-diameter of B (P/2 + nv dv on the torus; nx dx + nv dv on the
 * line).  The bracket is widened by D e0 on each side, so it holds for
 * every such rho, nu included: the clipped and missing mass cost at most
 * their size times the diameter, never silently nothing.
 *
 * Method (a coarse transport and three certified bounds):
 *  1. Coarse measure f_h.  The columns are split into nbx contiguous bands
 *     and the rows into nbv bands; a block (band x band) puts its nu-mass
 *     m_B at its mass centroid c_B (x unwrapped inside the band).  Bands are
 *     chosen by equal shares of sum sqrt(marginal mass) (the L1-optimal
 *     density of quantisation points in 1D), with nbx/nbv ~ S_x/S_v and
 *     nbx nbv ~ cells_per_point * n (or given); empty blocks are dropped.
 *  2. coarse = W_1(mu_N, f_h), exact (mfh_transport_solve_plan, n points
 *     against the K non-empty blocks, dense n x K cost).
 *  3. spread = int |z - c(z)| dnu(z), c(z) the point of z's block, computed
 *     exactly cell by cell (nu is uniform on each cell, so each cell's mean
 *     distance to a point is a closed form, with the circle's kinks at 0 and
 *     at the antipode).  The map z -> c(z) pushes nu onto f_h, so
 *     W_1(nu, f_h) <= spread and |W_1(mu_N, nu) - coarse| <= spread.
 *  4. glued = the cost of the coupling that sends the plan's mass P_iB from
 *     point i to block B spread like nu on B (marginals mu_N and nu):
 *     sum_iB P_iB E_{z ~ nu|B} c(p_i, z), exact per cell as in 3.  An upper
 *     bound, <= coarse + spread by the triangle inequality.
 *  5. marginals: a coupling of the joint laws couples the marginals and the
 *     cost is a sum, so W_1(mu_N, nu) >= W_1^circle(x-marginals) +
 *     W_1(v-marginals).  Both are exact: int |F - G| dv on the line, and on
 *     the circle min_a int_0^P |F - G - a| dx (Rabin, Delon & Gousseau,
 *     J. Math. Imaging Vis. 41 (2011); a = a median of F - G), F the step
 *     CDF of the cloud, G the piecewise-linear CDF of nu's marginal; the
 *     median is bisected and the remaining error bounded (the integral is
 *     P-Lipschitz in a) and subtracted.
 *  lo = max(coarse - spread, marginals) - D e0 - r,  hi = min(glued,
 *  coarse + spread) + D e0 + r, with a rounding allowance r = 1e-10 D;
 *  est = coarse, clamped to [lo, hi].
 * So lo <= W_1(mu_N, rho) <= hi for every rho above; est is the value to
 * fit (its bias shrinks like the blocks; keeping K / n fixed keeps the
 * relative bias about fixed along an N sweep).
 * Cost: memory ~ 33 n K bytes (cost matrix, plan, simplex); time that of
 * the transport, one core: about 0.3 s at n = 1024, K = 2048 and 9 s at
 * n = 4096, K = 8192 (the rest is O(n K + nx nv)). */
#ifndef MFH_METRICS_GRIDW1_H
#define MFH_METRICS_GRIDW1_H

#include <stddef.h>

#include "core/grid.h" /* mfh_phase_grid */
#include "core/status.h"
#include "core/cloud.h"

typedef struct mfh_gridw1_opts {
  double cells_per_point; /* > 0: aim at K ~ cells_per_point * n blocks (default 2) */
  size_t nbx, nbv;        /* both > 0: use these band counts instead (capped at nx, nv) */
} mfh_gridw1_opts;

/* Defaults: cells_per_point = 2, nbx = nbv = 0. */
void mfh_gridw1_opts_init(mfh_gridw1_opts *o);

typedef struct mfh_gridw1_result {
  double est, lo, hi;    /* the estimate and the certified bracket */
  double coarse;         /* W_1(mu_N, f_h), exact */
  double spread;         /* int |z - c(z)| dnu >= W_1(nu, f_h) */
  double glued;          /* cost of the glued coupling >= W_1(mu_N, nu) */
  double marg_x, marg_v; /* exact W_1 of the marginals (x on the circle when periodic) */
  double mass_pos, mass_neg; /* m_+ and m_- of the grid */
  double defect;         /* e0 = m_- + |m_+ - 1| */
  double diam;           /* D */
  double slack;          /* D e0 + rounding allowance, taken off lo and added to hi */
  size_t nbx, nbv, ncoarse; /* bands and non-empty blocks */
} mfh_gridw1_result;

/* Bracket and estimate of W_1(mu, nu) as described above.
 * mu: dim 2 (columns x, v), n >= 1 finite points, weights NULL (uniform) or
 * >= 0 summing to 1 within 1e-9; x is taken modulo the period on a periodic
 * grid.  g: nx, nv >= 1 (nx >= 2 when periodic), dx, dv > 0 finite, f
 * finite with positive mass after clipping, period 0 or nx dx (within
 * 1e-9 relative).  opt may be NULL (defaults).  Inputs are not modified.
 * Returns 0 and fills *res, MFH_EINPUT (dim != 2, empty cloud, bad weights,
 * non-finite values, bad grid, no positive mass, bad options), MFH_ENOMEM,
 * or the transport solver's error. */
int mfh_gridw1(const mfh_cloud *mu, const mfh_phase_grid *g, const mfh_gridw1_opts *opt,
               mfh_gridw1_result *res, mfh_err *err);

#endif
