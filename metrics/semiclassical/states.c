/* Semiclassical states on grids: see states.h. */
#include "metrics/semiclassical/states.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SC_PI 3.14159265358979323846

/* ---- grid and state bookkeeping ---------------------------------------- */

int mfh_sc_grid_check(const mfh_xgrid *g, mfh_err *err) {
  if (!g) return mfh_err_set(err, MFH_EINPUT, "grid: NULL");
  if (g->dim != 1 && g->dim != 2)
    return mfh_err_set(err, MFH_EINPUT, "grid.dim: must be 1 or 2 (got %d)", g->dim);
  if (g->n < 4 || g->n % 2 != 0)
    return mfh_err_set(err, MFH_EINPUT, "grid.n: must be an even integer >= 4 (got %zu)", g->n);
  if (g->n > ((size_t)1 << 20) || (g->dim == 2 && g->n > ((size_t)1 << 14)))
    return mfh_err_set(err, MFH_EINPUT, "grid.n: %zu points per axis is too many for dim %d",
                       g->n, g->dim);
  if (!isfinite(g->xmin))
    return mfh_err_set(err, MFH_EINPUT, "grid.xmin: must be finite (got %g)", g->xmin);
  if (!(g->dx > 0) || !isfinite(g->dx))
    return mfh_err_set(err, MFH_EINPUT, "grid.dx: must be finite and > 0 (got %g)", g->dx);
  return MFH_OK;
}

static int check_eps(double eps, mfh_err *err) {
  if (!(eps > 0) || !isfinite(eps))
    return mfh_err_set(err, MFH_EINPUT, "eps: must be finite and > 0 (got %g)", eps);
  return MFH_OK;
}

int mfh_sc_state_create(const mfh_xgrid *g, int kind, size_t norb, mfh_sc_state **out,
                        mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "state: NULL output");
  *out = NULL;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  size_t N = mfh_xgrid_points(g);
  if (kind == MFH_SC_ORBITALS) {
    if (norb < 1) return mfh_err_set(err, MFH_EINPUT, "state: need at least one orbital");
    if (norb > SIZE_MAX / sizeof(double complex) / N)
      return mfh_err_set(err, MFH_EINPUT, "state: %zu orbitals of %zu points overflow", norb, N);
  } else if (kind == MFH_SC_KERNEL) {
    if (N > SIZE_MAX / sizeof(double complex) / N)
      return mfh_err_set(err, MFH_EINPUT, "state: a %zu x %zu kernel overflows", N, N);
  } else {
    return mfh_err_set(err, MFH_EINPUT, "state.kind: must be MFH_SC_ORBITALS or MFH_SC_KERNEL "
                                        "(got %d)", kind);
  }
  mfh_sc_state *s = mfh_density_new(g, kind, norb);
  if (!s)
    return mfh_err_set(err, MFH_ENOMEM, "state: out of memory (%zu grid points, %zu orbitals)", N, norb);
  *out = s;
  return MFH_OK;
}

void mfh_sc_state_destroy(mfh_sc_state *s) { mfh_density_free(s); }

int mfh_sc_weights_check(size_t n, const double *w, const char *what, mfh_err *err) {
  if (!what) what = "weights";
  if (n < 1) return mfh_err_set(err, MFH_EINPUT, "%s: need at least one weight", what);
  if (!w) return mfh_err_set(err, MFH_EINPUT, "%s: NULL", what);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(w[i]))
      return mfh_err_set(err, MFH_EINPUT, "%s: w[%zu] = %g is not finite", what, i, w[i]);
    if (w[i] < 0)
      return mfh_err_set(err, MFH_EINPUT, "%s: w[%zu] = %.17g is negative", what, i, w[i]);
    sum += w[i];
  }
  if (!(fabs(sum - 1) <= MFH_SC_WEIGHT_TOL))
    return mfh_err_set(err, MFH_EINPUT,
                       "%s: the %zu weights sum to %.17g, not 1 (tolerance %g)", what, n, sum,
                       MFH_SC_WEIGHT_TOL);
  return MFH_OK;
}

/* Structure and finite entries; weights finite, and (density = 1) a
 * probability vector. */
static int check_state(const mfh_sc_state *s, int density, mfh_err *err) {
  int st;
  if (!s) return mfh_err_set(err, MFH_EINPUT, "state: NULL");
  if ((st = mfh_sc_grid_check(&s->grid, err)) != MFH_OK) return st;
  size_t N = mfh_xgrid_points(&s->grid);
  if (s->kind == MFH_SC_ORBITALS) {
    if (s->norb < 1 || !s->orb || !s->w)
      return mfh_err_set(err, MFH_EINPUT, "state: orbitals need norb >= 1, orb and w");
    if (density && (st = mfh_sc_weights_check(s->norb, s->w, "state weights", err)) != MFH_OK) return st;
    for (size_t k = 0; k < s->norb; k++)
      if (!isfinite(s->w[k]))
        return mfh_err_set(err, MFH_EINPUT, "state weights: w[%zu] = %g is not finite", k, s->w[k]);
    for (size_t i = 0; i < s->norb * N; i++)
      if (!isfinite(creal(s->orb[i])) || !isfinite(cimag(s->orb[i])))
        return mfh_err_set(err, MFH_EINPUT, "state: orbital %zu is not finite at node %zu",
                           i / N, i % N);
  } else if (s->kind == MFH_SC_KERNEL) {
    if (!s->kernel) return mfh_err_set(err, MFH_EINPUT, "state: kernel is NULL");
    for (size_t i = 0; i < N * N; i++)
      if (!isfinite(creal(s->kernel[i])) || !isfinite(cimag(s->kernel[i])))
        return mfh_err_set(err, MFH_EINPUT, "state: kernel is not finite at (%zu, %zu)", i / N,
                           i % N);
  } else {
    return mfh_err_set(err, MFH_EINPUT, "state.kind: must be MFH_SC_ORBITALS or MFH_SC_KERNEL "
                                        "(got %d)", s->kind);
  }
  return MFH_OK;
}

int mfh_sc_state_check(const mfh_sc_state *s, mfh_err *err) { return check_state(s, 1, err); }

int mfh_sc_operator_check(const mfh_sc_state *s, mfh_err *err) { return check_state(s, 0, err); }

int mfh_sc_state_trace(const mfh_sc_state *s, double *trace, mfh_err *err) {
  int st = mfh_sc_operator_check(s, err);
  if (st != MFH_OK) return st;
  size_t N = mfh_xgrid_points(&s->grid);
  double cell = mfh_xgrid_cell(&s->grid), t = 0;
  if (s->kind == MFH_SC_ORBITALS) {
    for (size_t k = 0; k < s->norb; k++) {
      const double complex *p = s->orb + k * N;
      double nk = 0;
      for (size_t j = 0; j < N; j++) nk += creal(p[j]) * creal(p[j]) + cimag(p[j]) * cimag(p[j]);
      t += s->w[k] * nk;
    }
  } else {
    for (size_t i = 0; i < N; i++) t += creal(s->kernel[i * N + i]);
  }
  *trace = cell * t;
  return MFH_OK;
}

int mfh_sc_state_purity(const mfh_sc_state *s, double *purity, mfh_err *err) {
  int st = mfh_sc_state_check(s, err);
  if (st != MFH_OK) return st;
  size_t N = mfh_xgrid_points(&s->grid);
  double cell = mfh_xgrid_cell(&s->grid), t = 0;
  if (s->kind == MFH_SC_ORBITALS) {
    for (size_t k = 0; k < s->norb; k++) {
      if (s->w[k] == 0) continue;
      for (size_t l = 0; l <= k; l++) {
        if (s->w[l] == 0) continue;
        const double complex *a = s->orb + k * N, *b = s->orb + l * N;
        double complex ov = 0;
        for (size_t j = 0; j < N; j++) ov += conj(a[j]) * b[j];
        ov *= cell;
        double v = s->w[k] * s->w[l] * (creal(ov) * creal(ov) + cimag(ov) * cimag(ov));
        t += (l == k) ? v : 2 * v;
      }
    }
    *purity = t;
  } else {
    for (size_t i = 0; i < N * N; i++) {
      double complex v = s->kernel[i];
      t += creal(v) * creal(v) + cimag(v) * cimag(v);
    }
    *purity = cell * cell * t;
  }
  return MFH_OK;
}

int mfh_sc_state_to_kernel(const mfh_sc_state *s, mfh_sc_state **out, mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "state: NULL output");
  *out = NULL;
  if ((st = mfh_sc_operator_check(s, err)) != MFH_OK) return st;
  mfh_sc_state *k = NULL;
  if ((st = mfh_sc_state_create(&s->grid, MFH_SC_KERNEL, 0, &k, err)) != MFH_OK) return st;
  k->eps = s->eps;
  size_t N = mfh_xgrid_points(&s->grid);
  if (s->kind == MFH_SC_KERNEL) {
    memcpy(k->kernel, s->kernel, N * N * sizeof *k->kernel);
  } else {
    /* Lower triangle, then mirror: exactly Hermitian, real diagonal. */
    for (size_t o = 0; o < s->norb; o++) {
      double w = s->w[o];
      if (w == 0) continue;
      const double complex *p = s->orb + o * N;
      for (size_t i = 0; i < N; i++) {
        double complex a = w * p[i];
        double complex *row = k->kernel + i * N;
        for (size_t j = 0; j <= i; j++) row[j] += a * conj(p[j]);
      }
    }
    for (size_t i = 0; i < N; i++) {
      k->kernel[i * N + i] = creal(k->kernel[i * N + i]);
      for (size_t j = 0; j < i; j++) k->kernel[j * N + i] = conj(k->kernel[i * N + j]);
    }
  }
  *out = k;
  return MFH_OK;
}

/* ---- wave functions ------------------------------------------------------ */

int mfh_sc_coherent(const mfh_xgrid *g, double eps, const double *q, const double *p,
                    double complex *psi, mfh_err *err) {
  int st;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  if ((st = check_eps(eps, err)) != MFH_OK) return st;
  if (!q || !p || !psi) return mfh_err_set(err, MFH_EINPUT, "coherent state: NULL q, p or psi");
  for (int a = 0; a < g->dim; a++)
    if (!isfinite(q[a]) || !isfinite(p[a]))
      return mfh_err_set(err, MFH_EINPUT, "coherent state: q[%d] = %g, p[%d] = %g must be finite",
                         a, q[a], a, p[a]);
  size_t n = g->n;
  /* One factor per axis: (pi eps)^{-1/4} exp(-(x-q)^2/(2 eps) + i p x/eps). */
  double c = pow(SC_PI * eps, -0.25);
  if (g->dim == 1) {
    for (size_t j = 0; j < n; j++) {
      double x = mfh_xgrid_node(g, j), u = x - q[0], ph = p[0] * x / eps;
      psi[j] = c * exp(-u * u / (2 * eps)) * (cos(ph) + I * sin(ph));
    }
  } else {
    for (size_t j0 = 0; j0 < n; j0++) {
      double x0 = mfh_xgrid_node(g, j0), u0 = x0 - q[0], ph0 = p[0] * x0 / eps;
      double complex f0 = c * exp(-u0 * u0 / (2 * eps)) * (cos(ph0) + I * sin(ph0));
      for (size_t j1 = 0; j1 < n; j1++) {
        double x1 = mfh_xgrid_node(g, j1), u1 = x1 - q[1], ph1 = p[1] * x1 / eps;
        psi[j0 * n + j1] = f0 * (c * exp(-u1 * u1 / (2 * eps)) * (cos(ph1) + I * sin(ph1)));
      }
    }
  }
  return MFH_OK;
}

int mfh_sc_wkb(const mfh_xgrid *g, double eps, mfh_sc_fn rho, mfh_sc_fn S, void *ctx,
               double complex *psi, double *mass, mfh_err *err) {
  int st;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  if ((st = check_eps(eps, err)) != MFH_OK) return st;
  if (!rho || !psi) return mfh_err_set(err, MFH_EINPUT, "WKB state: NULL rho or psi");
  size_t N = mfh_xgrid_points(g), n = g->n;
  double m = 0;
  for (size_t j = 0; j < N; j++) {
    double x[2];
    x[0] = mfh_xgrid_node(g, g->dim == 2 ? j / n : j);
    x[1] = g->dim == 2 ? mfh_xgrid_node(g, j % n) : 0;
    double r = rho(x, ctx), s = S ? S(x, ctx) : 0;
    if (!isfinite(r) || r < 0)
      return mfh_err_set(err, MFH_EINPUT, "WKB state: rho(%g%s%g) = %g must be finite and >= 0",
                         x[0], g->dim == 2 ? ", " : "", g->dim == 2 ? x[1] : 0.0, r);
    if (!isfinite(s))
      return mfh_err_set(err, MFH_EINPUT, "WKB state: S(%g) = %g is not finite", x[0], s);
    double ph = s / eps;
    psi[j] = sqrt(r) * (cos(ph) + I * sin(ph));
    m += r;
  }
  m *= mfh_xgrid_cell(g);
  if (!(m > 0))
    return mfh_err_set(err, MFH_EINPUT, "WKB state: rho has zero mass on the grid");
  double c = 1 / sqrt(m);
  for (size_t j = 0; j < N; j++) psi[j] *= c;
  if (mass) *mass = m;
  return MFH_OK;
}

/* Normalised Hermite functions phi_k(u) (scale 1), k = 0..count-1, at one
 * point u, into val[k]: phi_0 = pi^{-1/4} e^{-u^2/2}, phi_1 = sqrt(2) u phi_0,
 * phi_{k+1} = sqrt(2/(k+1)) u phi_k - sqrt(k/(k+1)) phi_{k-1}.  The
 * Gaussian factor is carried as a separate exponent and the recurrence is
 * rescaled when it grows, so nothing overflows or underflows early. */
static void hermite_point(double u, size_t count, const double *sq, double *val) {
  const double big = 1e150, lbig = log(1e150);
  double logs = -0.5 * u * u; /* value = A * exp(logs) */
  double a0 = pow(SC_PI, -0.25), a1 = 0;
  val[0] = a0 * exp(logs);
  if (count < 2) return;
  a1 = sq[2] * u * a0; /* sqrt(2) u phi_0 */
  val[1] = a1 == 0 ? 0.0 : copysign(exp(log(fabs(a1)) + logs), a1);
  for (size_t k = 1; k + 1 < count; k++) {
    /* sq[i] = sqrt(i): phi_{k+1} = (sqrt(2) u phi_k - sqrt(k) phi_{k-1}) / sqrt(k+1) */
    double a2 = (sq[2] * u * a1 - sq[k] * a0) / sq[k + 1];
    a0 = a1;
    a1 = a2;
    if (fabs(a1) > big) {
      a0 /= big;
      a1 /= big;
      logs += lbig;
    }
    val[k + 1] = a1 == 0 ? 0.0 : copysign(exp(log(fabs(a1)) + logs), a1);
  }
}

/* out[k * n + j] = e^{i p0 x/eps + i c (x-q0)^2/(2 eps)} a^{-1/2} h_k((x_j - q0)/a)
 * for k < count, renormalised on the grid; *dev = max |analytic norm - 1|. */
static int squeezed_hermite(const mfh_xgrid *g, double eps, double q0, double p0, double a,
                            double c, size_t count, double complex *out, double *dev,
                            mfh_err *err) {
  size_t n = g->n;
  double *sq = malloc((count + 2) * sizeof *sq);
  double *val = malloc(count * sizeof *val);
  double *nrm = calloc(count, sizeof *nrm);
  if (!sq || !val || !nrm) {
    free(sq);
    free(val);
    free(nrm);
    return mfh_err_set(err, MFH_ENOMEM, "Hermite functions: out of memory (%zu)", count);
  }
  for (size_t i = 0; i < count + 2; i++) sq[i] = sqrt((double)i);
  double scale = 1 / (a * sqrt(eps)), amp = pow(eps, -0.25) / sqrt(a);
  for (size_t j = 0; j < n; j++) {
    double x = mfh_xgrid_node(g, j), u = (x - q0) * scale;
    hermite_point(u, count, sq, val);
    double ph = p0 * x / eps + c * (x - q0) * (x - q0) / (2 * eps);
    double complex e = (c == 0 && p0 == 0) ? 1.0 : cos(ph) + I * sin(ph);
    for (size_t k = 0; k < count; k++) {
      double v = amp * val[k];
      out[k * n + j] = v * e;
      nrm[k] += v * v;
    }
  }
  double worst = 0;
  for (size_t k = 0; k < count; k++) {
    double nk = nrm[k] * g->dx;
    if (!(nk > 0)) {
      free(sq);
      free(val);
      free(nrm);
      return mfh_err_set(err, MFH_EINPUT,
                         "Hermite function %zu vanishes on the grid (box too small?)", k);
    }
    double d = fabs(nk - 1);
    if (d > worst) worst = d;
    double f = 1 / sqrt(nk);
    for (size_t j = 0; j < n; j++) out[k * n + j] *= f;
  }
  if (dev) *dev = worst;
  free(sq);
  free(val);
  free(nrm);
  return MFH_OK;
}

int mfh_sc_hermite(const mfh_xgrid *g, double eps, size_t count, double complex *out,
                   double *norm_dev, mfh_err *err) {
  int st;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  if (g->dim != 1) return mfh_err_set(err, MFH_EINPUT, "Hermite functions: grid.dim must be 1");
  if ((st = check_eps(eps, err)) != MFH_OK) return st;
  if (count < 1 || !out) return mfh_err_set(err, MFH_EINPUT, "Hermite functions: need count >= 1 "
                                                             "and an output array");
  return squeezed_hermite(g, eps, 0, 0, 1, 0, count, out, norm_dev, err);
}

/* ---- Toeplitz states ----------------------------------------------------- */

int mfh_sc_toeplitz_mixture(const mfh_xgrid *g, double eps, size_t nz, const double *z,
                            const double *w, int kind, mfh_sc_state **out, mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "Toeplitz mixture: NULL output");
  *out = NULL;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  if ((st = check_eps(eps, err)) != MFH_OK) return st;
  if (kind != MFH_SC_ORBITALS && kind != MFH_SC_KERNEL)
    return mfh_err_set(err, MFH_EINPUT, "Toeplitz mixture: kind must be MFH_SC_ORBITALS or "
                                        "MFH_SC_KERNEL (got %d)", kind);
  if (nz < 1 || !z) return mfh_err_set(err, MFH_EINPUT, "Toeplitz mixture: need nz >= 1 points z");
  if ((st = mfh_sc_weights_check(nz, w, "mixture weights", err)) != MFH_OK) return st;
  mfh_sc_state *s = NULL;
  if ((st = mfh_sc_state_create(g, MFH_SC_ORBITALS, nz, &s, err)) != MFH_OK) return st;
  size_t N = mfh_xgrid_points(g);
  int d = g->dim;
  for (size_t i = 0; i < nz; i++) {
    s->w[i] = w[i];
    if ((st = mfh_sc_coherent(g, eps, z + i * 2 * d, z + i * 2 * d + d, s->orb + i * N, err)) !=
        MFH_OK) {
      mfh_err_prefix(err, "Toeplitz mixture point %zu", i);
      mfh_sc_state_destroy(s);
      return st;
    }
  }
  if (kind == MFH_SC_ORBITALS) {
    *out = s;
    return MFH_OK;
  }
  st = mfh_sc_state_to_kernel(s, out, err);
  mfh_sc_state_destroy(s);
  return st;
}

/* Validate Sigma, form C = Sigma + (eps/2) I and its thermal parameters. */
typedef struct gauss_params {
  double cxx, cxp, cpp, det, nu, q;
} gauss_params;

static int gaussian_setup(double eps, const double Sigma[4], gauss_params *gp, mfh_err *err) {
  int st;
  if ((st = check_eps(eps, err)) != MFH_OK) return st;
  if (!Sigma) return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: NULL Sigma");
  for (int i = 0; i < 4; i++)
    if (!isfinite(Sigma[i]))
      return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: Sigma[%d] = %g is not finite", i,
                         Sigma[i]);
  double sxx = Sigma[0], sxp = Sigma[1], spp = Sigma[3];
  double scale = fabs(sxx) + fabs(spp) + fabs(sxp);
  if (fabs(Sigma[1] - Sigma[2]) > 1e-14 * (scale > 0 ? scale : 1))
    return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: Sigma is not symmetric (%g vs %g)",
                       Sigma[1], Sigma[2]);
  double detS = sxx * spp - sxp * sxp;
  if (sxx < 0 || spp < 0 || detS < -1e-14 * scale * scale)
    return mfh_err_set(err, MFH_EINPUT,
                       "Gaussian symbol: Sigma = [[%g, %g], [%g, %g]] is not positive "
                       "semi-definite", sxx, sxp, Sigma[2], spp);
  gp->cxx = sxx + eps / 2;
  gp->cpp = spp + eps / 2;
  gp->cxp = sxp;
  /* det C = det Sigma + (eps/2) tr Sigma + eps^2/4 >= eps^2/4 (no cancellation). */
  gp->det = (detS > 0 ? detS : 0) + (eps / 2) * (sxx + spp) + eps * eps / 4;
  gp->nu = sqrt(gp->det);
  /* q = (nu - eps/2)/(nu + eps/2) with nu - eps/2 = (det C - eps^2/4)/(nu + eps/2). */
  double num = ((detS > 0 ? detS : 0) + (eps / 2) * (sxx + spp)) / (gp->nu + eps / 2);
  gp->q = num / (gp->nu + eps / 2);
  return MFH_OK;
}

static int gaussian_count(const gauss_params *gp, double tail, size_t *count, mfh_err *err) {
  if (gp->q <= 0) {
    *count = 1;
    return MFH_OK;
  }
  if (!(gp->q < 1))
    return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: thermal ratio q = %g is not < 1", gp->q);
  double m = ceil(log(tail) / log(gp->q));
  if (!(m >= 1)) m = 1;
  if (m > 1e9)
    return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: %g orbitals needed (q = %.17g)", m,
                       gp->q);
  size_t M = (size_t)m;
  /* Guard the rounding of ceil(log/log): make q^M <= tail < q^{M-1}. */
  while (M > 1 && pow(gp->q, (double)(M - 1)) <= tail) M--;
  while (pow(gp->q, (double)M) > tail) M++;
  *count = M;
  return MFH_OK;
}

static double check_tail(double tail) { return tail == 0 ? 1e-14 : tail; }

int mfh_sc_toeplitz_gaussian_count(double eps, const double Sigma[4], double tail, size_t *count,
                                   mfh_err *err) {
  int st;
  gauss_params gp;
  tail = check_tail(tail);
  if (!count) return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: NULL count");
  if (!(tail > 0 && tail < 1))
    return mfh_err_set(err, MFH_EINPUT, "Gaussian symbol: tail must be in (0, 1) (got %g)", tail);
  if ((st = gaussian_setup(eps, Sigma, &gp, err)) != MFH_OK) return st;
  return gaussian_count(&gp, tail, count, err);
}

int mfh_sc_toeplitz_gaussian(const mfh_xgrid *g, double eps, const double m[2],
                             const double Sigma[4], int kind, double tail, size_t max_orbitals,
                             mfh_sc_state **out, double *norm_dev, mfh_err *err) {
  int st;
  gauss_params gp;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "Gaussian Toeplitz state: NULL output");
  *out = NULL;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  if (g->dim != 1)
    return mfh_err_set(err, MFH_EINPUT, "Gaussian Toeplitz state: grid.dim must be 1");
  if (!m || !isfinite(m[0]) || !isfinite(m[1]))
    return mfh_err_set(err, MFH_EINPUT, "Gaussian Toeplitz state: mean m must be 2 finite values");
  if ((st = gaussian_setup(eps, Sigma, &gp, err)) != MFH_OK) return st;
  size_t n = g->n;
  double q0 = m[0], p0 = m[1];
  if (kind == MFH_SC_KERNEL) {
    mfh_sc_state *s = NULL;
    if ((st = mfh_sc_state_create(g, MFH_SC_KERNEL, 0, &s, err)) != MFH_OK) return st;
    double slope = gp.cxp / gp.cxx, s2 = gp.det / gp.cxx;
    double gnorm = 1 / sqrt(2 * SC_PI * gp.cxx);
    for (size_t i = 0; i < n; i++) {
      double x = mfh_xgrid_node(g, i);
      for (size_t j = 0; j <= i; j++) {
        double y = mfh_xgrid_node(g, j), X = 0.5 * (x + y), r = x - y, u = X - q0;
        double mag = gnorm * exp(-u * u / (2 * gp.cxx) - s2 * r * r / (2 * eps * eps));
        double ph = (p0 + slope * u) * r / eps;
        double complex v = (i == j) ? (double complex)mag : mag * (cos(ph) + I * sin(ph));
        s->kernel[i * n + j] = v;
        s->kernel[j * n + i] = conj(v);
      }
    }
    if (norm_dev) *norm_dev = 0;
    *out = s;
    return MFH_OK;
  }
  if (kind != MFH_SC_ORBITALS)
    return mfh_err_set(err, MFH_EINPUT, "Gaussian Toeplitz state: kind must be MFH_SC_ORBITALS "
                                        "or MFH_SC_KERNEL (got %d)", kind);
  tail = check_tail(tail);
  if (!(tail > 0 && tail < 1))
    return mfh_err_set(err, MFH_EINPUT, "Gaussian Toeplitz state: tail must be in (0, 1) (got %g)",
                       tail);
  size_t M;
  if ((st = gaussian_count(&gp, tail, &M, err)) != MFH_OK) return st;
  if (M > max_orbitals)
    return mfh_err_set(err, MFH_EINPUT,
                       "Gaussian Toeplitz state: the thermal decomposition needs %zu orbitals "
                       "(q = %.6g, tail %g) but max_orbitals is %zu; raise it or use the kernel "
                       "form", M, gp.q, tail, max_orbitals);
  mfh_sc_state *s = NULL;
  if ((st = mfh_sc_state_create(g, MFH_SC_ORBITALS, M, &s, err)) != MFH_OK) return st;
  double a = sqrt(gp.cxx / gp.nu), c = gp.cxp / gp.cxx;
  if ((st = squeezed_hermite(g, eps, q0, p0, a, c, M, s->orb, norm_dev, err)) != MFH_OK) {
    mfh_err_prefix(err, "Gaussian Toeplitz state");
    mfh_sc_state_destroy(s);
    return st;
  }
  /* Weights (1 - q) q^k, renormalised by 1 - q^M (the kept trace). */
  double sum = 0, qk = 1, omq = eps / (gp.nu + eps / 2); /* 1 - q, no cancellation */
  for (size_t k = 0; k < M; k++) {
    s->w[k] = omq * qk;
    sum += s->w[k];
    qk *= gp.q;
  }
  for (size_t k = 0; k < M; k++) s->w[k] /= sum;
  *out = s;
  return MFH_OK;
}
