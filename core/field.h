/* Real functions on a position grid: the state kind "field" (a Vlasov
 * engine's self-consistent acceleration, a density rho(x), a potential).
 *
 * v[j] = u(x_j) on the nodes of grid (mfh_xgrid: n^dim values, row-major in
 * 2D).  Whether the box is periodic is the producing engine's convention,
 * as for every mfh_xgrid. */
#ifndef MFH_CORE_FIELD_H
#define MFH_CORE_FIELD_H

#include "core/grid.h"
#include "core/status.h"

/* Fields are public: v is owned by the struct when it comes from
 * mfh_field_new (freed by mfh_field_free). */
typedef struct mfh_field {
  mfh_xgrid grid;
  double *v;
} mfh_field;

/* A zero-filled owned field on g (dim 1 or 2, n >= 1).  NULL when out of
 * memory or the grid is malformed. */
mfh_field *mfh_field_new(const mfh_xgrid *g);
/* Free an owned field and its values; accepts NULL. */
void mfh_field_free(mfh_field *f);
/* A deep copy (owned); 0 or MFH_ENOMEM. */
int mfh_field_copy(const mfh_field *f, mfh_field **out, mfh_err *err);

#endif
