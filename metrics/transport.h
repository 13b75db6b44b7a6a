/* Exact discrete optimal transport (the transportation problem). */
#ifndef MFH_METRICS_TRANSPORT_H
#define MFH_METRICS_TRANSPORT_H

#include <stddef.h>

#include "core/status.h"

/* Minimum of sum_ij P_ij cost_ij over plans P >= 0 with row sums a and
 * column sums b.
 * a: na >= 1 supplies, b: nb >= 1 demands; finite, >= 0, each summing to 1
 * within 1e-9 (both are rescaled to sum exactly 1 internally; zero entries
 * are allowed).  cost: na*nb finite doubles, row-major (cost[i*nb + j]).
 * total: the optimal cost (compensated sum over the plan).  Inputs are
 * not modified.  Optimal up to a reduced-cost tolerance tol of about
 * 4e-14 * max|cost| (the simplex stops when no arc has a reduced cost below
 * -tol), so the result is exact to rounding.  Memory ~ 17 na nb bytes on
 * top of cost; ~0.1 s at 1000 x 1200 on one core.
 * Returns 0, MFH_EINPUT (sizes, NULL, non-finite or negative entries, bad
 * sums), MFH_ENOMEM, or MFH_ESOLVER (pivot limit reached: not expected).
 * Method: primal network simplex on the complete bipartite graph plus an
 * artificial root, strongly feasible spanning trees with Cunningham's
 * leaving-arc rule (no cycling), block-search pivoting as in LEMON and in
 * N. Bonneel, M. van de Panne, S. Paris, W. Heidrich, "Displacement
 * interpolation using Lagrangian mass transport", ACM TOG 30(6) 2011;
 * see Ahuja, Magnanti, Orlin, "Network Flows" (1993), ch. 11. */
int mfh_transport_solve(size_t na, const double *a, size_t nb, const double *b,
                        const double *cost, double *total, mfh_err *err);

/* As mfh_transport_solve, and also writes an optimal plan into plan
 * (caller-owned, na*nb doubles, row-major, overwritten; may be NULL).
 * The plan is a basic solution: at most na + nb - 1 non-zero entries. */
int mfh_transport_solve_plan(size_t na, const double *a, size_t nb, const double *b,
                             const double *cost, double *plan, double *total, mfh_err *err);

#endif
