/* State kind "nbody_wave": an N-body wave function on the M^N tensor grid
 * of a one-body grid (core/nbody_wave.h). */
#include <stdio.h>

#include <xxhash.h>

#include "core/kinds.h"

static void wave_free(void *data) { mfh_nbody_wave_free(data); }

static int wave_copy(const void *data, void **out, mfh_err *err) {
  mfh_nbody_wave *c = NULL;
  int rc = mfh_nbody_wave_copy(data, &c, err);
  if (!rc) *out = c;
  return rc;
}

static int wave_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_nbody_wave *w = data;
  size_t size = w ? mfh_nbody_wave_size(w->N, w->grid.n) : 0;
  if (!w || !w->psi || !size || w->grid.dim != 1) return mfh_err_set(err, MFH_EINPUT, "nbody_wave: no data");
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  size_t shape[2] = {(size_t)w->N, w->grid.n};
  double geom[3] = {w->grid.xmin, w->grid.dx, w->eps};
  XXH3_64bits_update(h, shape, sizeof shape);
  XXH3_64bits_update(h, geom, sizeof geom);
  XXH3_64bits_update(h, w->psi, size * sizeof *w->psi);
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return MFH_OK;
}

static void wave_describe(const void *data, char *buf, size_t len) {
  const mfh_nbody_wave *w = data;
  snprintf(buf, len, "wave function of %d particles on %zu^%d points (x from %g step %g), eps %g", w->N, w->grid.n,
           w->N, w->grid.xmin, w->grid.dx, w->eps);
}

const mfh_kind mfh_kind_nbody_wave = {
    "nbody_wave", "an N-body wave function Psi(x_1, .., x_N) on the M^N tensor grid of a one-body grid",
    "mfh_nbody_wave (core/nbody_wave.h)", wave_free, wave_copy, wave_hash, wave_describe,
};
