#include "observables/w1grid.h"

#include <math.h>
#include <string.h>

#include "metrics/gridw1.h"

static const mfh_param_def w1grid_params[] = {
    {"cells_per_particle", MFH_PARAM_REAL, "2", 0.01, 1024, 0, 0, NULL,
     "coarse blocks per particle for the W_1 bracket (more: tighter and slower, memory ~ 33 N^2 "
     "times this, in bytes)",
     0},
};

static int w1grid_validate(const mfh_params *p, const char **param, mfh_err *err) {
  if (mfh_params_int(p, "dim") != 1) {
    *param = "dim";
    return mfh_err_set(err, MFH_EINPUT,
                       "observable w1_grid compares with a 1D1V grid density: it needs dim = 1");
  }
  return MFH_OK;
}

static int one(const mfh_params *p, const mfh_cloud *c, const mfh_phase_grid *g, const char *when,
               mfh_gridw1_result *r, mfh_err *err) {
  if (!c->x || c->dim != 2 || !g->f)
    return mfh_err_set(err, MFH_EINTERNAL, "w1_grid: the state has no phase cloud or grid at %s",
                       when);
  if (strcmp(mfh_params_str(p, "domain"), "torus") == 0) {
    double L = mfh_params_real(p, "L");
    if (!(fabs(g->period - L) <= 1e-12 * L))
      return mfh_err_set(err, MFH_EINTERNAL,
                         "w1_grid: grid period %.17g is not the torus length %.17g", g->period, L);
  }
  mfh_gridw1_opts o;
  mfh_gridw1_opts_init(&o);
  o.cells_per_point = mfh_params_real(p, "cells_per_particle");
  int rc = mfh_gridw1(c, g, &o, r, err);
  if (rc) mfh_err_prefix(err, "w1_grid at %s", when);
  return rc;
}

static int w1grid_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  mfh_gridw1_result r, r0;
  int rc = one(p, &s->cloud, &s->grid, "t", &r, err);
  if (!rc) rc = one(p, &s->cloud0, &s->grid0, "t = 0", &r0, err);
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

const mfh_observable_type mfh_observable_w1_grid = {
    "w1_grid",
    "W_1 between the particle system and the grid density (cost |x - y|_T + |v - w|) at t (w1, "
    "bracket w1_lo..w1_hi) and at 0 (w1_0, w1_0_lo..w1_0_hi), ratio = w1 / w1_0 with certified "
    "ratio_lo..ratio_hi, and the grid's L1 defect from a probability density",
    w1grid_params,
    sizeof w1grid_params / sizeof w1grid_params[0],
    MFH_HAS_CLOUD | MFH_HAS_GRID | MFH_HAS_INITIAL,
    "w1 w1_lo w1_hi w1_0 w1_0_lo w1_0_hi ratio ratio_lo ratio_hi defect",
    w1grid_validate,
    w1grid_eval,
};
