/* State kind "field": a real function on a position grid (core/field.h):
 * the self-consistent acceleration of a Vlasov engine, a density, a
 * potential. */
#include <stdio.h>

#include <xxhash.h>

#include "core/field.h"
#include "core/kinds.h"

static void field_free(void *data) { mfh_field_free(data); }

static int field_copy(const void *data, void **out, mfh_err *err) {
  mfh_field *c = NULL;
  int rc = mfh_field_copy(data, &c, err);
  if (!rc) *out = c;
  return rc;
}

static int field_hash(const void *data, uint64_t *out, mfh_err *err) {
  const mfh_field *f = data;
  if (!f || !f->v) return mfh_err_set(err, MFH_EINPUT, "field: no data");
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  size_t shape[2] = {(size_t)f->grid.dim, f->grid.n};
  double geom[2] = {f->grid.xmin, f->grid.dx};
  XXH3_64bits_update(h, shape, sizeof shape);
  XXH3_64bits_update(h, geom, sizeof geom);
  XXH3_64bits_update(h, f->v, mfh_xgrid_points(&f->grid) * sizeof *f->v);
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return MFH_OK;
}

static void field_describe(const void *data, char *buf, size_t len) {
  const mfh_field *f = data;
  snprintf(buf, len, "field on %zu^%d points, x from %g step %g", f->grid.n, f->grid.dim, f->grid.xmin, f->grid.dx);
}

const mfh_kind mfh_kind_field = {
    "field", "a real function u(x_j) on a position grid (a self-consistent field, a density)",
    "mfh_field (core/field.h)", field_free, field_copy, field_hash, field_describe,
};
