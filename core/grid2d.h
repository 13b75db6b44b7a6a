/* Phase-space densities on 1D1V grids (the Vlasov reference's output). */
#ifndef MFH_CORE_GRID2D_H
#define MFH_CORE_GRID2D_H

#include <stddef.h>

/* A phase-space density f(x_i, v_j) on a 1D1V grid: x_i = xmin + i dx
 * (i < nx, periodic or not), v_j = vmin + j dv (j < nv); f[i * nv + j].
 * Cell (i, j) carries mass f dx dv. */
typedef struct mfh_grid2d {
  size_t nx, nv;
  double xmin, dx, vmin, dv;
  double period; /* > 0: x is periodic with this period */
  double *f;     /* owned */
} mfh_grid2d;

#endif
