/* Point clouds: the discrete measures every distance in metrics/ works on. */
#ifndef MFH_CORE_CLOUD_H
#define MFH_CORE_CLOUD_H

#include <stddef.h>

/* A discrete probability measure sum_i w_i delta_{x_i} on R^dim.
 * x holds n*dim doubles, row-major (point i is x[i*dim .. i*dim+dim-1]).
 * w is NULL for uniform weights 1/n, else n non-negative weights summing
 * to 1.  The struct does not own x or w unless a function says so. */
typedef struct mfh_cloud {
  size_t n, dim;
  double *x;
  double *w;
  /* Phase-space geometry, for clouds of particles (positions then
   * velocities, dim = 2 d): d the space dimension (0: a plain point cloud)
   * and the torus period of the positions (0: the whole space R^d). */
  size_t d;
  double period;
} mfh_cloud;

/* Allocate an n x dim cloud (uniform weights, w = NULL, no phase-space
 * geometry: d = 0, period = 0); 0 or MFH_ENOMEM. */
int mfh_cloud_alloc(mfh_cloud *c, size_t n, size_t dim);
/* Free x and w of a cloud filled by mfh_cloud_alloc or a reader; accepts
 * a zeroed struct. */
void mfh_cloud_free(mfh_cloud *c);

#endif
