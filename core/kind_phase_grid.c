/* State kind "phase_grid": a phase-space density on a 1D1V grid
 * (core/grid.h): the Vlasov solution, a Wigner or Husimi function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/kinds.h"

static void grid_free(void *data) {
  mfh_phase_grid *g = data;
  if (!g) return;
  free(g->f);
  free(g);
}

static int grid_copy(const void *data, void **out, mfh_err *err) {
  const mfh_phase_grid *g = data;
  mfh_phase_grid *d = malloc(sizeof *d);
  double *f = d ? malloc(g->nx * g->nv * sizeof *f) : NULL;
  if (!f) {
    free(d);
    return mfh_err_set(err, MFH_ENOMEM, "out of memory for a %zu x %zu grid", g->nx, g->nv);
  }
  *d = *g;
  memcpy(f, g->f, g->nx * g->nv * sizeof *f);
  d->f = f;
  *out = d;
  return MFH_OK;
}

static int grid_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_phase_grid *g = data;
  if (!g || !g->f) return mfh_err_set(err, MFH_EINPUT, "phase_grid: no data");
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  size_t shape[2] = {g->nx, g->nv};
  double geom[5] = {g->xmin, g->dx, g->vmin, g->dv, g->period};
  XXH3_64bits_update(h, shape, sizeof shape);
  XXH3_64bits_update(h, geom, sizeof geom);
  XXH3_64bits_update(h, g->f, g->nx * g->nv * sizeof *g->f);
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return MFH_OK;
}

static void grid_describe(const void *data, char *buf, size_t len) {
  const mfh_phase_grid *g = data;
  snprintf(buf, len, "phase-space grid %zu x %zu, x from %g step %g%s, v from %g step %g", g->nx, g->nv, g->xmin,
           g->dx, g->period > 0 ? " (periodic)" : "", g->vmin, g->dv);
}

const mfh_kind mfh_kind_phase_grid = {
    "phase_grid", "a phase-space density f(x_i, v_j) on a 1D1V grid", "mfh_phase_grid (core/grid.h)",
    grid_free, grid_copy, grid_hash, grid_describe,
};
