/* Position and phase-space grids: see grid.h. */
#include "core/grid.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int mfh_phase_grid_alloc(mfh_phase_grid *g, size_t nx, size_t nv, mfh_err *err) {
  if (!g) return mfh_err_set(err, MFH_EINPUT, "phase-space grid: NULL");
  memset(g, 0, sizeof *g);
  if (nx < 1 || nv < 1 || nx > SIZE_MAX / sizeof(double) / nv)
    return mfh_err_set(err, MFH_EINPUT, "phase-space grid: bad size %zu x %zu", nx, nv);
  g->f = calloc(nx * nv, sizeof *g->f);
  if (!g->f)
    return mfh_err_set(err, MFH_ENOMEM, "phase-space grid: out of memory (%zu x %zu)", nx, nv);
  g->nx = nx;
  g->nv = nv;
  return MFH_OK;
}

void mfh_phase_grid_free(mfh_phase_grid *g) {
  if (!g) return;
  free(g->f);
  memset(g, 0, sizeof *g);
}

int mfh_phase_grid_moments(const mfh_phase_grid *g, double *mass, double mean[2], double cov[4],
                           mfh_err *err) {
  if (!g || !g->f || g->nx < 1 || g->nv < 1)
    return mfh_err_set(err, MFH_EINPUT, "phase-space moments: empty grid");
  double m0 = 0, m1x = 0, m1v = 0;
  for (size_t i = 0; i < g->nx; i++) {
    double x = mfh_phase_grid_x(g, i);
    for (size_t j = 0; j < g->nv; j++) {
      double f = g->f[i * g->nv + j], v = mfh_phase_grid_v(g, j);
      m0 += f;
      m1x += f * x;
      m1v += f * v;
    }
  }
  double cell = g->dx * g->dv;
  if (mass) *mass = m0 * cell;
  if (!mean && !cov) return MFH_OK;
  if (!(m0 != 0) || !isfinite(m0))
    return mfh_err_set(err, MFH_EINPUT, "phase-space moments: mass is %g", m0 * cell);
  double mx = m1x / m0, mv = m1v / m0, cxx = 0, cxv = 0, cvv = 0;
  for (size_t i = 0; i < g->nx; i++) {
    double x = mfh_phase_grid_x(g, i) - mx;
    for (size_t j = 0; j < g->nv; j++) {
      double f = g->f[i * g->nv + j], v = mfh_phase_grid_v(g, j) - mv;
      cxx += f * x * x;
      cxv += f * x * v;
      cvv += f * v * v;
    }
  }
  if (mean) {
    mean[0] = mx;
    mean[1] = mv;
  }
  if (cov) {
    cov[0] = cxx / m0;
    cov[1] = cov[2] = cxv / m0;
    cov[3] = cvv / m0;
  }
  return MFH_OK;
}
