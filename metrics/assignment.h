/* Exact linear assignment (minimum-cost perfect matching, dense costs). */
#ifndef MFH_METRICS_ASSIGNMENT_H
#define MFH_METRICS_ASSIGNMENT_H

#include <stddef.h>

#include "core/status.h"

/* Minimum-cost perfect matching of an n x n dense cost matrix.
 * cost: n*n finite doubles, row-major (cost[i*n + j] = cost of row i with
 * column j); not modified.  match: caller-owned array of n entries, gets
 * the column matched to row i.  total (may be NULL): sum of the matched
 * costs (compensated summation).  n == 0 is the empty matching (total 0).
 * Exact up to floating-point rounding of the reduced costs; ties and
 * repeated rows/columns are fine.  O(n^3) worst case, O(n) workspace;
 * n = 2000 points in the plane (cost |x-y|^2) takes ~0.06 s.
 * Returns 0, MFH_EINPUT (NULL pointers, non-finite cost) or MFH_ENOMEM.
 * Method: R. Jonker and A. Volgenant, "A shortest augmenting path algorithm
 * for dense and sparse linear assignment problems", Computing 38 (1987)
 * 325-340 (column reduction, reduction transfer, augmenting row reduction,
 * Dijkstra shortest augmenting paths).  For n >= 64 a warm start on a
 * sparse candidate graph (nearest columns/rows, grown by column generation
 * until the full-matrix reduced costs certify it) precedes the dense
 * augmentation; the optimality certificate is the same. */
int mfh_assignment_solve(size_t n, const double *cost, size_t *match, double *total,
                         mfh_err *err);

#endif
