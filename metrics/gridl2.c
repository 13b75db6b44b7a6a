/* L2 differences on nested grids (metrics/gridl2.h). */
#include "metrics/gridl2.h"

#include <math.h>

#define NEST_TOL 1e-9 /* node coordinates agree to this fraction of the fine step */

int mfh_gridl2_nest_axis(double c0, double h, size_t n, double f0, double s, size_t m, size_t *stride,
                         size_t *offset) {
  if (n < 1 || m < 1 || !(s > 0) || !isfinite(c0) || !isfinite(f0)) return 0;
  double r = n > 1 ? round(h / s) : 1.0, o = round((c0 - f0) / s);
  if (!(r >= 1) || !(o >= 0) || o + r * (double)(n - 1) > (double)(m - 1)) return 0;
  if (n > 1 && !(fabs(r * s - h) * (double)(n - 1) <= NEST_TOL * s)) return 0;
  if (!(fabs(f0 + o * s - c0) <= NEST_TOL * s)) return 0;
  *stride = (size_t)r;
  *offset = (size_t)o;
  return 1;
}

/* Axis geometry of a phase grid: 0 = x, 1 = v. */
static int nest_phase(const mfh_phase_grid *c, const mfh_phase_grid *f, size_t st[2], size_t off[2]) {
  return mfh_gridl2_nest_axis(c->xmin, c->dx, c->nx, f->xmin, f->dx, f->nx, &st[0], &off[0]) &&
         mfh_gridl2_nest_axis(c->vmin, c->dv, c->nv, f->vmin, f->dv, f->nv, &st[1], &off[1]);
}

int mfh_gridl2_phase(const mfh_phase_grid *a, const mfh_phase_grid *b, double *out, mfh_err *err) {
  if (!a || !b || !a->f || !b->f || !a->nx || !a->nv || !b->nx || !b->nv)
    return mfh_err_set(err, MFH_EINPUT, "grid L2: empty phase grid");
  size_t st[2], off[2];
  const mfh_phase_grid *c = a, *f = b;
  if (!nest_phase(c, f, st, off)) {
    c = b;
    f = a;
    if (!nest_phase(c, f, st, off))
      return mfh_err_set(err, MFH_EINPUT,
                         "grid L2: the phase grids %zu x %zu (x from %g step %g, v from %g step %g) and %zu x %zu "
                         "(x from %g step %g, v from %g step %g) are not nested",
                         a->nx, a->nv, a->xmin, a->dx, a->vmin, a->dv, b->nx, b->nv, b->xmin, b->dx, b->vmin,
                         b->dv);
  }
  double s = 0;
  for (size_t i = 0; i < c->nx; i++) {
    const double *fr = f->f + (off[0] + i * st[0]) * f->nv + off[1];
    for (size_t j = 0; j < c->nv; j++) {
      double e = c->f[i * c->nv + j] - fr[j * st[1]];
      s += e * e;
    }
  }
  *out = sqrt(s * c->dx * c->dv);
  return MFH_OK;
}

int mfh_gridl2_x(const mfh_xgrid *ga, const double *u, const mfh_xgrid *gb, const double *w, double *out,
                 mfh_err *err) {
  if (!ga || !gb || !u || !w || !ga->n || !gb->n)
    return mfh_err_set(err, MFH_EINPUT, "grid L2: empty position grid");
  if (ga->dim != gb->dim || (ga->dim != 1 && ga->dim != 2))
    return mfh_err_set(err, MFH_EINPUT, "grid L2: position grids of dimension %d and %d", ga->dim, gb->dim);
  const mfh_xgrid *c = ga, *f = gb;
  const double *cu = u, *fu = w;
  size_t st, off;
  if (!mfh_gridl2_nest_axis(c->xmin, c->dx, c->n, f->xmin, f->dx, f->n, &st, &off)) {
    c = gb;
    f = ga;
    cu = w;
    fu = u;
    if (!mfh_gridl2_nest_axis(c->xmin, c->dx, c->n, f->xmin, f->dx, f->n, &st, &off))
      return mfh_err_set(err, MFH_EINPUT,
                         "grid L2: the position grids of %zu nodes (from %g step %g) and %zu nodes (from %g step "
                         "%g) are not nested",
                         ga->n, ga->xmin, ga->dx, gb->n, gb->xmin, gb->dx);
  }
  double s = 0;
  if (c->dim == 1) {
    for (size_t j = 0; j < c->n; j++) {
      double e = cu[j] - fu[off + j * st];
      s += e * e;
    }
  } else {
    for (size_t j0 = 0; j0 < c->n; j0++)
      for (size_t j1 = 0; j1 < c->n; j1++) {
        double e = cu[j0 * c->n + j1] - fu[(off + j0 * st) * f->n + off + j1 * st];
        s += e * e;
      }
  }
  *out = sqrt(s * mfh_xgrid_cell(c));
  return MFH_OK;
}
