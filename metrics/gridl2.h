/* L2 differences of grid functions on nested grids: a coarse solve against
 * a refined one (a refined reference: dt / r, nx r, velocity cells split in
 * r), or a function against another sampled on a superset of its nodes.
 *
 * Two uniform grids are nested when every node of the coarser is a node of
 * the finer: per axis, node i of the coarse grid is node offset + i stride
 * of the fine one (stride >= 1, offset >= 0, the last coarse node inside the
 * fine grid), to 1e-9 of the fine step.  The difference is taken on the
 * coarse nodes only, with the coarse cell:
 *   phase grids  (dx dv sum_ij (f_ij - g_{I(i) J(j)})^2)^(1/2),
 *   position grids  (dx^dim sum_j (u_j - w_{J(j)})^2)^(1/2),
 * summed in node order (i outer, j inner), so the numbers do not depend on
 * which of the two grids is passed first. */
#ifndef MFH_METRICS_GRIDL2_H
#define MFH_METRICS_GRIDL2_H

#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"

/* Where the n nodes c0 + i h of a coarse axis sit on the m nodes
 * f0 + k s of a fine axis: 1 and *stride, *offset when nested, 0 when not. */
int mfh_gridl2_nest_axis(double c0, double h, size_t n, double f0, double s, size_t m, size_t *stride,
                         size_t *offset);

/* The L2 difference of two phase-space grid functions on the nodes of the
 * coarser (see above).  MFH_EINPUT when a grid is empty or neither grid's
 * nodes are a subset of the other's. */
int mfh_gridl2_phase(const mfh_phase_grid *a, const mfh_phase_grid *b, double *out, mfh_err *err);

/* The same for functions u on ga and w on gb (mfh_xgrid_points values each;
 * the same dim). */
int mfh_gridl2_x(const mfh_xgrid *ga, const double *u, const mfh_xgrid *gb, const double *w, double *out,
                 mfh_err *err);

#endif
