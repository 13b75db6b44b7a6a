/* Observable `w1_grid`: W_1 between N particles in 1D1V phase space and a
 * density on a phase-space grid (MF-3: the N-body empirical measure against
 * the Vlasov solution), at t and at 0, as certified brackets
 * (metrics/gridw1.h).  The torus period comes from the cloud and must be
 * the grid's. */
#include "observables/w1grid.h"

#include <math.h>

#include "core/kinds.h"
#include "metrics/gridw1.h"

static const mfh_param_def w1grid_params[] = {
    {"cells_per_particle", MFH_PARAM_REAL, "2", 0.01, 1024, 0, 0, NULL,
     "coarse blocks per particle for the W_1 bracket (more: tighter and slower, memory ~ 33 N^2 "
     "times this, in bytes)",
     0},
};

/* W_1 between the cloud and the grid of roles ra, rb ("when": t or t = 0). */
static int one(const mfh_params *p, const mfh_obs_args *in, int ra, int rb, const char *when, mfh_gridw1_result *r,
               mfh_err *err) {
  const mfh_cloud *c = mfh_state_get(in->s[ra], &mfh_kind_cloud, NULL);
  const mfh_phase_grid *g = mfh_state_get(in->s[rb], &mfh_kind_phase_grid, NULL);
  if (!c || !g || !c->x || !g->f)
    return mfh_err_set(err, MFH_EINPUT, "w1_grid: no particle cloud or no grid at %s", when);
  if (c->d != 1 || c->dim != 2)
    return mfh_err_set(err, MFH_EINPUT,
                       "w1_grid compares with a 1D1V grid density: it needs particles in d = 1 (got a cloud of "
                       "dimension %zu, d = %zu)",
                       c->dim, c->d);
  if (c->period > 0 && !(fabs(g->period - c->period) <= 1e-12 * c->period))
    return mfh_err_set(err, MFH_EINPUT, "w1_grid: grid period %.17g is not the particles' torus period %.17g",
                       g->period, c->period);
  mfh_gridw1_opts o;
  mfh_gridw1_opts_init(&o);
  o.cells_per_point = mfh_params_real(p, "cells_per_particle");
  int rc = mfh_gridw1(c, g, &o, r, err);
  if (rc) mfh_err_prefix(err, "w1_grid at %s", when);
  return rc;
}

static int w1grid_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  mfh_gridw1_result r, r0;
  int rc = one(p, in, MFH_ROLE_A, MFH_ROLE_B, "t", &r, err);
  if (!rc) rc = one(p, in, MFH_ROLE_A0, MFH_ROLE_B0, "t = 0", &r0, err);
  if (!rc && !(r0.lo > 0))
    rc = mfh_err_set(err, MFH_ENUMERIC, "w1_grid: the certified lower bound of W_1 at t = 0 is 0");
  if (!rc) rc = mfh_values_set(out, "w1", r.est);
  if (!rc) rc = mfh_values_set(out, "w1_lo", r.lo);
  if (!rc) rc = mfh_values_set(out, "w1_hi", r.hi);
  if (!rc) rc = mfh_values_set(out, "w1_0", r0.est);
  if (!rc) rc = mfh_values_set(out, "w1_0_lo", r0.lo);
  if (!rc) rc = mfh_values_set(out, "w1_0_hi", r0.hi);
  if (!rc) rc = mfh_values_set(out, "ratio", r.est / r0.est);
  if (!rc) rc = mfh_values_set(out, "ratio_lo", r.lo / r0.hi);
  if (!rc) rc = mfh_values_set(out, "ratio_hi", r.hi / r0.lo);
  if (!rc) rc = mfh_values_set(out, "defect", fmax(r.defect, r0.defect));
  return rc;
}

const mfh_observable_type mfh_obs_w1_grid = {
    "w1_grid",
    "W_1 between the particles of a (d = 1) and the grid density of b (cost |x - y|_T + |v - w|) at t (w1, "
    "bracket w1_lo..w1_hi) and at 0 (w1_0, w1_0_lo..w1_0_hi), ratio = w1 / w1_0 with certified "
    "ratio_lo..ratio_hi, and the grid's L1 defect from a probability density",
    w1grid_params,
    sizeof w1grid_params / sizeof w1grid_params[0],
    "a:cloud b:phase_grid a0:cloud b0:phase_grid",
    "w1 w1_lo w1_hi w1_0 w1_0_lo w1_0_hi ratio ratio_lo ratio_hi defect",
    NULL,
    w1grid_eval,
};
