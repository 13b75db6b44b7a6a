/* Fields on a position grid: allocation, copy, release (core/field.h). */
#include "core/field.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

mfh_field *mfh_field_new(const mfh_xgrid *g) {
  if (!g || (g->dim != 1 && g->dim != 2) || g->n < 1) return NULL;
  size_t N = mfh_xgrid_points(g);
  if ((g->dim == 2 && g->n > SIZE_MAX / g->n) || N > SIZE_MAX / sizeof(double)) return NULL;
  mfh_field *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->grid = *g;
  if (!(f->v = calloc(N, sizeof *f->v))) {
    free(f);
    return NULL;
  }
  return f;
}

void mfh_field_free(mfh_field *f) {
  if (!f) return;
  free(f->v);
  free(f);
}

int mfh_field_copy(const mfh_field *f, mfh_field **out, mfh_err *err) {
  mfh_field *c = mfh_field_new(&f->grid);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "out of memory copying a field on %zu^%d points", f->grid.n, f->grid.dim);
  memcpy(c->v, f->v, mfh_xgrid_points(&f->grid) * sizeof *c->v);
  *out = c;
  return MFH_OK;
}
