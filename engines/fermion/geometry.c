/* Pair potentials, grid checks, the box / band a run needs, memory limits
 * (see fermion.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_hermite.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engines/fermion/fermion.h"
#include "engines/fermion/internal.h"

/* ---- potentials --------------------------------------------------------------- */

void mfh_fermion_potential_default(mfh_fermion_potential *V) {
  if (!V) return;
  V->kind = MFH_FERMION_V_GAUSSIAN;
  V->a = 1.0;
  V->s = 1.0;
}

int mfh_fermion_pot_check(const mfh_fermion_potential *V, mfh_err *err) {
  if (!V) return mfh_err_set(err, MFH_EINPUT, "potential: NULL");
  switch (V->kind) {
  case MFH_FERMION_V_GAUSSIAN:
    if (!(V->s > 0) || !isfinite(V->s))
      return mfh_err_set(err, MFH_EINPUT, "potential: Gaussian width s must be finite and > 0 (got %g)", V->s);
    /* fall through */
  case MFH_FERMION_V_QUADRATIC:
    if (!isfinite(V->a))
      return mfh_err_set(err, MFH_EINPUT, "potential: amplitude a must be finite (got %g)", V->a);
    return MFH_OK;
  case MFH_FERMION_V_NONE:
    return MFH_OK;
  default:
    return mfh_err_set(err, MFH_EINPUT, "potential: unknown kind %d", V->kind);
  }
}

double mfh_fermion_potential_force(const mfh_fermion_potential *V) {
  if (!V) return NAN;
  switch (V->kind) {
  case MFH_FERMION_V_GAUSSIAN:
    return fabs(V->a) / V->s * exp(-0.5);
  case MFH_FERMION_V_NONE:
    return 0.0;
  default:
    return INFINITY;
  }
}

double mfh_fermion_pot_value(const mfh_fermion_potential *V, int dim, const double *x) {
  double r2 = x[0] * x[0] + (dim == 2 ? x[1] * x[1] : 0.0);
  switch (V->kind) {
  case MFH_FERMION_V_GAUSSIAN:
    return V->a * exp(-r2 / (2.0 * V->s * V->s));
  case MFH_FERMION_V_QUADRATIC:
    return V->a * r2;
  default:
    return 0.0;
  }
}

void mfh_fermion_pot_grad(const mfh_fermion_potential *V, int dim, const double *x, double *gr) {
  double r2 = x[0] * x[0] + (dim == 2 ? x[1] * x[1] : 0.0);
  for (int a = 0; a < dim; a++) {
    switch (V->kind) {
    case MFH_FERMION_V_GAUSSIAN:
      gr[a] = -x[a] / (V->s * V->s) * V->a * exp(-r2 / (2.0 * V->s * V->s));
      break;
    case MFH_FERMION_V_QUADRATIC:
      gr[a] = 2.0 * V->a * x[a];
      break;
    default:
      gr[a] = 0.0;
    }
  }
}

double *mfh_fermion_pot_offsets(const mfh_fermion_potential *V, const mfh_fermion_grid *g) {
  long n = g->n, w = 2 * n - 1;
  size_t cnt = g->dim == 1 ? (size_t)w : (size_t)w * (size_t)w;
  double *t = malloc(cnt * sizeof *t);
  if (!t) return NULL;
  if (g->dim == 1) {
    for (long d = -(n - 1); d <= n - 1; d++) {
      double x[1] = {(double)d * g->dx};
      t[d + n - 1] = mfh_fermion_pot_value(V, 1, x);
    }
  } else {
    for (long d1 = -(n - 1); d1 <= n - 1; d1++)
      for (long d2 = -(n - 1); d2 <= n - 1; d2++) {
        double x[2] = {(double)d1 * g->dx, (double)d2 * g->dx};
        t[(size_t)(d1 + n - 1) * (size_t)w + (size_t)(d2 + n - 1)] = mfh_fermion_pot_value(V, 2, x);
      }
  }
  return t;
}

/* ---- grids ---------------------------------------------------------------------- */

int mfh_fermion_grid_check(const mfh_fermion_grid *g, mfh_err *err) {
  if (!g) return mfh_err_set(err, MFH_EINPUT, "grid: NULL");
  if (g->dim != 1 && g->dim != 2)
    return mfh_err_set(err, MFH_EINPUT, "grid: dim must be 1 or 2 (got %d)", g->dim);
  int nmax = g->dim == 1 ? 65536 : 1024;
  if (g->n < 8 || g->n % 2 || g->n > nmax)
    return mfh_err_set(err, MFH_EINPUT, "grid: n must be even, in [8, %d] for dim %d (got %d)", nmax,
                       g->dim, g->n);
  if (!(g->dx > 0) || !isfinite(g->dx) || !isfinite(g->xmin))
    return mfh_err_set(err, MFH_EINPUT, "grid: need finite xmin and dx > 0 (got %g, %g)", g->xmin, g->dx);
  if (!(g->eps > 0) || !isfinite(g->eps))
    return mfh_err_set(err, MFH_EINPUT, "grid: eps must be finite and > 0 (got %g)", g->eps);
  return MFH_OK;
}

/* ---- extent of a setup ------------------------------------------------------------ */

void mfh_fermion_setup_init(mfh_fermion_setup *s) {
  if (!s) return;
  memset(s, 0, sizeof *s);
  s->dim = 1;
  s->kind = MFH_FERMION_MIXED;
  s->N = 16;
  s->T = 0.5;
  s->t_final = 0.5;
  mfh_fermion_potential_default(&s->V);
}

static double setup_eps(const mfh_fermion_setup *s) {
  return s->eps > 0 ? s->eps : pow(s->N, -1.0 / s->dim);
}

/* rho(x, 0) along the x_1 axis from the levels (up to a constant factor):
 * sum occ_k h_{k1}(y)^2 [h_{k2}(0)^2]. */
static int axis_density(const mfh_fermion_levels *lv, double y, double *h, const double *h0,
                        double *out, mfh_err *err) {
  int kmax = 0;
  for (size_t i = 0; i < (size_t)lv->m * (size_t)lv->dim; i++)
    if (lv->qn[i] > kmax) kmax = lv->qn[i];
  int gs = gsl_sf_hermite_func_array(kmax, y, h);
  if (gs != GSL_SUCCESS)
    return mfh_err_set(err, MFH_ENUMERIC, "Hermite functions: GSL error %d (%s) at y = %g", gs,
                       gsl_strerror(gs), y);
  double r = 0.0;
  for (int k = 0; k < lv->m; k++) {
    double a = h[lv->qn[lv->dim * k]];
    double f = lv->occ[k] * a * a;
    if (lv->dim == 2) f *= h0[lv->qn[2 * k + 1]] * h0[lv->qn[2 * k + 1]];
    r += f;
  }
  *out = r;
  return MFH_OK;
}

int mfh_fermion_extent_of(const mfh_fermion_setup *s, mfh_fermion_extent *e, mfh_err *err) {
  int st;
  if (!s || !e) return mfh_err_set(err, MFH_EINPUT, "extent: NULL argument");
  memset(e, 0, sizeof *e);
  if (!(s->t_final >= 0) || !isfinite(s->t_final))
    return mfh_err_set(err, MFH_EINPUT, "t_final: must be finite and >= 0 (got %g)", s->t_final);
  double tol = s->tol == 0 ? 1e-8 : s->tol;
  if (!(tol > 0) || !(tol < 1)) return mfh_err_set(err, MFH_EINPUT, "tol: must be in (0, 1) (got %g)", tol);
  if ((st = mfh_fermion_pot_check(&s->V, err)) != MFH_OK) return st;
  double F = mfh_fermion_potential_force(&s->V);
  if (!isfinite(F) && s->t_final > 0)
    return mfh_err_set(err, MFH_EINPUT,
                       "extent: the force of this potential is unbounded: give the grid explicitly");
  if (!isfinite(F)) F = 0.0;
  if (s->dim != 1 && s->dim != 2) return mfh_err_set(err, MFH_EINPUT, "dim: must be 1 or 2 (got %d)", s->dim);
  double eps = setup_eps(s);
  mfh_fermion_levels *lv = NULL;
  double *h = NULL, *h0 = NULL;
  if ((st = mfh_fermion_levels_create(s->dim, s->kind, s->N, eps, s->T, s->occ_min, &lv, err)) != MFH_OK)
    return st;
  int kmax = 0;
  double Emax = 0.0;
  for (size_t i = 0; i < (size_t)lv->m * (size_t)lv->dim; i++)
    if (lv->qn[i] > kmax) kmax = lv->qn[i];
  for (int k = 0; k < lv->m; k++)
    if (lv->energy[k] > Emax) Emax = lv->energy[k];
  h = malloc((size_t)(kmax + 1) * sizeof *h);
  h0 = malloc((size_t)(kmax + 1) * sizeof *h0);
  if (!h || !h0) {
    st = mfh_err_set(err, MFH_ENOMEM, "extent: out of memory");
    goto done;
  }
  int gs = gsl_sf_hermite_func_array(kmax, 0.0, h0);
  if (gs != GSL_SUCCESS) {
    st = mfh_err_set(err, MFH_ENUMERIC, "Hermite functions: GSL error %d", gs);
    goto done;
  }
  /* In units y = x / sqrt eps: max of rho over y in [0, ymax] (step 1/16),
   * then the outermost y (step 1/32) with rho(y) > tol max. */
  double level = tol, se = sqrt(eps);
  double ymax = sqrt(Emax / eps + 2.0 * log(1.0 / tol) + 40.0) + 2.0;
  double rmax = 0.0, r;
  for (;;) {
    if ((st = axis_density(lv, ymax, h, h0, &r, err)) != MFH_OK) goto done;
    double rm = 0.0;
    for (double y = 0.0; y <= ymax; y += 1.0 / 16.0) {
      double ry;
      if ((st = axis_density(lv, y, h, h0, &ry, err)) != MFH_OK) goto done;
      if (ry > rm) rm = ry;
    }
    rmax = rm;
    if (r <= 1e-3 * level * rmax) break;
    ymax *= 1.5;
  }
  double yR = ymax;
  for (double y = ymax; y > 0; y -= 1.0 / 32.0) {
    if ((st = axis_density(lv, y, h, h0, &r, err)) != MFH_OK) goto done;
    if (r > level * rmax) {
      yR = y + 1.0 / 32.0;
      break;
    }
  }
  double t = s->t_final;
  e->eps = eps;
  e->R = yR * se;
  e->force = F;
  e->x_need = e->R * sqrt(1.0 + 4.0 * t * t) + F * t * t;
  e->p_need = e->R + F * t;
  e->dx_max = FM_PI * eps / e->p_need;
  e->n_min = 2 * (int)ceil(e->x_need / e->dx_max);
  st = MFH_OK;
done:
  free(h);
  free(h0);
  mfh_fermion_levels_destroy(lv);
  return st;
}

/* Smallest even 2^a 3^b 5^c >= m. */
static long smooth_even(long m) {
  if (m < 8) m = 8;
  for (long c = m + (m % 2);; c += 2) {
    long r = c;
    while (r % 2 == 0) r /= 2;
    while (r % 3 == 0) r /= 3;
    while (r % 5 == 0) r /= 5;
    if (r == 1) return c;
  }
}

int mfh_fermion_grid_for(const mfh_fermion_setup *s, double box_scale, double band_scale,
                         mfh_fermion_grid *g, mfh_fermion_extent *e, mfh_err *err) {
  int st;
  mfh_fermion_extent ex;
  if (!g) return mfh_err_set(err, MFH_EINPUT, "grid: NULL output");
  if (!(box_scale >= 1) || !(band_scale >= 1) || !isfinite(box_scale) || !isfinite(band_scale))
    return mfh_err_set(err, MFH_EINPUT, "grid: box and band scales must be finite and >= 1 (got %g, %g)",
                       box_scale, band_scale);
  if ((st = mfh_fermion_extent_of(s, &ex, err)) != MFH_OK) return st;
  double dx = FM_PI * ex.eps / (band_scale * ex.p_need);
  long n = smooth_even((long)ceil(2.0 * box_scale * ex.x_need / dx - 1e-9));
  g->dim = s->dim;
  g->n = (int)n;
  g->dx = dx;
  g->xmin = -0.5 * (double)n * dx;
  g->eps = ex.eps;
  if (e) *e = ex;
  return mfh_fermion_grid_check(g, err);
}

int mfh_fermion_check_grid(const mfh_fermion_setup *s, const mfh_fermion_grid *g,
                           mfh_fermion_extent *e, mfh_err *err) {
  int st;
  mfh_fermion_extent ex;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  if ((st = mfh_fermion_extent_of(s, &ex, err)) != MFH_OK) return st;
  if (e) *e = ex;
  if (fabs(g->eps - ex.eps) > 1e-12 * ex.eps)
    return mfh_err_set(err, MFH_EINPUT, "grid: eps %.17g is not the setup's %.17g", g->eps, ex.eps);
  double L = (double)g->n * g->dx, lo = -g->xmin, hi = g->xmin + L;
  double half = lo < hi ? lo : hi;
  const char *what = s->kind == MFH_FERMION_SLATER ? "Slater" : "mixed";
  if (g->dx > ex.dx_max * (1.0 + 1e-12))
    return mfh_err_set(err, MFH_EINPUT,
                       "under-resolved: %s N = %g (eps = %g)%s, t <= %g needs |p| <= %.4g: dx <= "
                       "%.4g (n >= %ld on this box), got n = %d (dx = %.4g)",
                       what, s->N, ex.eps, s->kind == MFH_FERMION_MIXED ? ", T > 0" : "",
                       s->t_final, ex.p_need, ex.dx_max, (long)ceil(L / ex.dx_max - 1e-9), g->n, g->dx);
  if (half < ex.x_need * (1.0 - 1e-12))
    return mfh_err_set(err, MFH_EINPUT,
                       "box too small: %s N = %g (eps = %g), t <= %g needs |x| <= %.4g (half-width; n "
                       ">= %ld at this dx, centred), got [%.4g, %.4g)",
                       what, s->N, ex.eps, s->t_final, ex.x_need,
                       2 * (long)ceil(ex.x_need / g->dx - 1e-9), g->xmin, g->xmin + L);
  return MFH_OK;
}

/* ---- memory ----------------------------------------------------------------------- */

double mfh_fermion_kernel_bytes(const mfh_fermion_grid *g) {
  double np = (double)fm_npts(g);
  return 16.0 * np * np;
}

int mfh_fermion_check_memory(double need, double limit, const char *what, mfh_err *err) {
  if (!(limit > 0)) return mfh_err_set(err, MFH_EINPUT, "memory limit must be > 0 (got %g)", limit);
  if (need > limit)
    return mfh_err_set(err, MFH_EINPUT, "%s needs %.3g GiB, more than the limit %.3g GiB",
                       what ? what : "this run", need / 1073741824.0, limit / 1073741824.0);
  return MFH_OK;
}

void mfh_fermion_rk4(size_t n, double tau, double complex *y, double complex *S, double complex *A,
                     const double complex *z, void (*rhs)(void *ctx, const double complex *in), void *ctx,
                     int nthr) {
  static const double wst[4] = {1.0, 2.0, 2.0, 1.0};
  static const double cst[3] = {0.5, 0.5, 1.0};
  const double complex *in = y;
  (void)nthr;
  for (int s = 0; s < 4; s++) {
    rhs(ctx, in);
    double ws = wst[s];
#pragma omp parallel for num_threads(nthr) schedule(static)
    for (size_t i = 0; i < n; i++) {
      A[i] = s == 0 ? z[i] : A[i] + ws * z[i];
      if (s < 3) S[i] = y[i] + cst[s] * tau * z[i];
    }
    in = S;
  }
  double f = tau / 6.0;
#pragma omp parallel for num_threads(nthr) schedule(static)
  for (size_t i = 0; i < n; i++) y[i] += f * A[i];
}
