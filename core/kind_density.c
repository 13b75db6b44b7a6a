/* State kind "density": a density operator on a grid (core/density.h):
 * orbitals and weights or a dense kernel, at a semiclassical scale eps. */
#include <stdio.h>

#include <xxhash.h>

#include "core/kinds.h"

static void density_free(void *data) { mfh_density_free(data); }

static int density_copy(const void *data, void **out, mfh_err *err) {
  mfh_density *c = NULL;
  int rc = mfh_density_copy(data, &c, err);
  if (!rc) *out = c;
  return rc;
}

static int density_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_density *d = data;
  if (!d) return mfh_err_set(err, MFH_EINPUT, "density: no data");
  size_t N = mfh_xgrid_points(&d->grid);
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  size_t shape[4] = {(size_t)d->grid.dim, d->grid.n, (size_t)d->kind, d->norb};
  double geom[3] = {d->grid.xmin, d->grid.dx, d->eps};
  XXH3_64bits_update(h, shape, sizeof shape);
  XXH3_64bits_update(h, geom, sizeof geom);
  if (d->kind == MFH_DENSITY_ORBITALS) {
    XXH3_64bits_update(h, d->orb, d->norb * N * sizeof *d->orb);
    XXH3_64bits_update(h, d->w, d->norb * sizeof *d->w);
  } else {
    XXH3_64bits_update(h, d->kernel, N * N * sizeof *d->kernel);
  }
  if (d->samples) XXH3_64bits_update(h, d->samples, d->nsamples * N * N * sizeof *d->samples);
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return MFH_OK;
}

static void density_describe(const void *data, char *buf, size_t len) {
  const mfh_density *d = data;
  if (d->kind == MFH_DENSITY_ORBITALS)
    snprintf(buf, len, "density: %zu orbital%s on %zu^%d points (dx %g), eps %g", d->norb, d->norb == 1 ? "" : "s",
             d->grid.n, d->grid.dim, d->grid.dx, d->eps);
  else
    snprintf(buf, len, "density: kernel on %zu^%d points (dx %g), eps %g%s", d->grid.n, d->grid.dim, d->grid.dx,
             d->eps, d->nsamples ? " (Monte Carlo mean)" : "");
}

const mfh_kind mfh_kind_density = {
    "density", "a density operator on a position grid: orbitals and weights, or a dense kernel",
    "mfh_density (core/density.h)", density_free, density_copy, density_hash, density_describe,
};
