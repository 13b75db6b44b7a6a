/* Observables `grid_l2` and `field_l2`: the L2 distance between the phase
 * grids (fields) of two parts on the nodes of the coarser grid, which must
 * be nodes of the finer (metrics/gridl2.h).  The geometry is the states'
 * own, so any engine producing phase grids (fields) can be compared with
 * any other, a refined reference included. */
#include "observables/gridl2.h"

#include "core/field.h"
#include "core/kinds.h"
#include "metrics/gridl2.h"

static int grid_l2_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_phase_grid *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_phase_grid, NULL);
  const mfh_phase_grid *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_phase_grid, NULL);
  double d;
  int rc = mfh_gridl2_phase(a, b, &d, err);
  if (!rc && mfh_values_set(out, "grid_l2", d)) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return rc;
}

const mfh_observable_type mfh_obs_grid_l2 = {
    "grid_l2",
    "L2 distance (dx dv sum (f - g)^2)^(1/2) between the phase-space grids of two parts, on the nodes of the "
    "coarser one (each must be a node of the finer: nested grids)",
    NULL,
    0,
    "a:phase_grid b:phase_grid",
    "grid_l2",
    NULL,
    grid_l2_eval,
};

static int field_l2_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_field *a = mfh_state_get(in->s[MFH_ROLE_A], &mfh_kind_field, NULL);
  const mfh_field *b = mfh_state_get(in->s[MFH_ROLE_B], &mfh_kind_field, NULL);
  if (!a || !b) return mfh_err_set(err, MFH_EINPUT, "field L2: a part has no field");
  double d;
  int rc = mfh_gridl2_x(&a->grid, a->v, &b->grid, b->v, &d, err);
  if (!rc && mfh_values_set(out, "field_l2", d)) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return rc;
}

const mfh_observable_type mfh_obs_field_l2 = {
    "field_l2",
    "L2 distance (dx^dim sum (u - w)^2)^(1/2) between the fields (position-grid functions) of two parts, on "
    "the nodes of the coarser grid (nested grids)",
    NULL,
    0,
    "a:field b:field",
    "field_l2",
    NULL,
    field_l2_eval,
};
