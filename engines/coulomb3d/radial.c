/* Radial pressureless Euler-Poisson reference (see radial.h). */
#include "engines/coulomb3d/radial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_odeiv2.h>

#define PI 3.14159265358979323846264338327950288
#define SQRT_2_OVER_PI 0.79788456080286535587989211986876374
#define ODE_TOL 1e-13
#define DEFAULT_NLABELS 4000
#define DEFAULT_AMAX 10.0

/* 8-point Gauss-Legendre on [0, 1]. */
static const double gl_x[8] = {0.019855071751231856, 0.10166676129318664, 0.2372337950418355,
                               0.40828267875217511, 0.59171732124782489, 0.7627662049581645,
                               0.89833323870681336, 0.98014492824876814};
static const double gl_w[8] = {0.050614268145188130, 0.11119051722668724, 0.15685332293894364,
                               0.18134189168918099, 0.18134189168918099, 0.15685332293894364,
                               0.11119051722668724, 0.050614268145188130};

/* ---- the initial data ---------------------------------------------------- */

/* sum_k (-z^2/2)^k / (k! (2k+3)), for z < 1 (alternating, terms decrease). */
static double mass_series(double z) {
  double q = -0.5 * z * z, term = 1, s = 1.0 / 3.0;
  for (int k = 1; k < 40; k++) {
    term *= q / k;
    double add = term / (2 * k + 3);
    s += add;
    if (fabs(add) < 1e-18 * s) break;
  }
  return s;
}

double mfh_radial_mass(double a, double sigma) {
  double z = a / sigma;
  if (z <= 0) return 0;
  if (z < 1) return SQRT_2_OVER_PI * z * z * z * mass_series(z);
  return erf(z / sqrt(2.0)) - SQRT_2_OVER_PI * z * exp(-0.5 * z * z);
}

double mfh_radial_mean_density(double a, double sigma) {
  double z = a / sigma, s3 = sigma * sigma * sigma;
  if (z < 1) return SQRT_2_OVER_PI * mass_series(z) / (4 * PI * s3);
  return mfh_radial_mass(a, sigma) / (4 * PI * a * a * a);
}

double mfh_radial_density0(double a, double sigma) {
  double z = a / sigma;
  return exp(-0.5 * z * z) / (pow(2 * PI, 1.5) * sigma * sigma * sigma);
}

double mfh_radial_self_energy0(double sigma) { return 1.0 / (4 * pow(PI, 1.5) * sigma); }

/* ---- one shell ------------------------------------------------------------ */

typedef struct shell_par {
  double m, rho; /* m(a) and rho_in(a) */
} shell_par;

/* s = (y, y', z, z'), y = R/a, z = R_a. */
static int shell_rhs(double t, const double s[], double ds[], void *params) {
  (void)t;
  const shell_par *p = params;
  double y = s[0], iy2 = 1.0 / (y * y);
  ds[0] = s[1];
  ds[1] = p->m * iy2;
  ds[2] = s[3];
  ds[3] = -2.0 * p->m * s[2] * iy2 / y + p->rho * iy2;
  return GSL_SUCCESS;
}

typedef struct integ {
  shell_par par;
  gsl_odeiv2_system sys;
  gsl_odeiv2_driver *drv;
  double h0;
} integ;

static int integ_init(integ *g, double sigma, mfh_err *err) {
  g->par.m = g->par.rho = 0;
  g->sys.function = shell_rhs;
  g->sys.jacobian = NULL;
  g->sys.dimension = 4;
  g->sys.params = &g->par;
  g->h0 = 1e-3 * sigma * sqrt(sigma);
  g->drv = gsl_odeiv2_driver_alloc_y_new(&g->sys, gsl_odeiv2_step_rk8pd, g->h0, ODE_TOL, ODE_TOL);
  if (!g->drv) return mfh_err_set(err, MFH_ENOMEM, "radial: out of memory (ODE driver)");
  return MFH_OK;
}

static void integ_label(integ *g, double a, double sigma, double s[4]) {
  g->par.m = mfh_radial_mean_density(a, sigma);
  g->par.rho = mfh_radial_density0(a, sigma);
  gsl_odeiv2_driver_reset_hstart(g->drv, g->h0);
  s[0] = 1, s[1] = 0, s[2] = 1, s[3] = 0;
}

static int integ_to(integ *g, double *t, double t1, double s[4], mfh_err *err) {
  if (t1 == *t) return MFH_OK;
  int st = gsl_odeiv2_driver_apply(g->drv, t, t1, s);
  if (st != GSL_SUCCESS || !isfinite(s[0]) || !isfinite(s[2]))
    return mfh_err_set(err, MFH_ESOLVER, "radial: ODE integration failed at t = %g (GSL status %d)", *t, st);
  return MFH_OK;
}

int mfh_radial_shell(double sigma, double a, double t, double out[4], mfh_err *err) {
  if (!(sigma > 0) || !isfinite(sigma) || !(a >= 0) || !isfinite(a) || !(t >= 0) || !isfinite(t))
    return mfh_err_set(err, MFH_EINPUT, "radial: need sigma > 0, a >= 0, t >= 0 (got %g, %g, %g)", sigma, a, t);
  integ g;
  int st = integ_init(&g, sigma, err);
  if (st) return st;
  double s[4], t0 = 0;
  integ_label(&g, a, sigma, s);
  st = integ_to(&g, &t0, t, s, err);
  gsl_odeiv2_driver_free(g.drv);
  if (st) return st;
  out[0] = a * s[0], out[1] = a * s[1], out[2] = s[2], out[3] = s[3];
  return MFH_OK;
}

/* ---- shell crossing ------------------------------------------------------ */

/* First time R_a(t, a) = 0 for the label a, or HUGE_VAL if none before tmax. */
static int crossing_of(integ *g, double a, double sigma, double tmax, double *tc, mfh_err *err) {
  double s[4], t = 0, sp[4], tp = 0;
  integ_label(g, a, sigma, s);
  gsl_odeiv2_step *stp = gsl_odeiv2_step_alloc(gsl_odeiv2_step_rk8pd, 4);
  gsl_odeiv2_control *ctl = gsl_odeiv2_control_y_new(ODE_TOL, ODE_TOL);
  gsl_odeiv2_evolve *ev = gsl_odeiv2_evolve_alloc(4);
  int rc = MFH_OK;
  *tc = HUGE_VAL;
  if (!stp || !ctl || !ev) {
    rc = mfh_err_set(err, MFH_ENOMEM, "radial: out of memory (ODE stepper)");
    goto done;
  }
  double h = g->h0;
  while (t < tmax) {
    memcpy(sp, s, sizeof sp);
    tp = t;
    int st = gsl_odeiv2_evolve_apply(ev, ctl, stp, &g->sys, &t, tmax, &h, s);
    if (st != GSL_SUCCESS) {
      rc = mfh_err_set(err, MFH_ESOLVER, "radial: ODE integration failed at t = %g (GSL status %d)", t, st);
      goto done;
    }
    if (s[2] <= 0) break;
  }
  if (!(s[2] <= 0)) goto done;
  /* R_a changed sign in [tp, t]: start from the secant root, then Newton
   * steps (dR_a/dt = U_a) re-integrating from (tp, sp). */
  double tg = tp + (t - tp) * sp[2] / (sp[2] - s[2]);
  for (int it = 0; it < 30; it++) {
    double y[4], tt = tp;
    memcpy(y, sp, sizeof y);
    gsl_odeiv2_driver_reset_hstart(g->drv, g->h0);
    if ((rc = integ_to(g, &tt, tg, y, err))) goto done;
    double dt = -y[2] / y[3];
    if (!(y[3] < 0)) dt = 0.5 * (t - tg); /* not expected: R_a decreasing at the root */
    tg += dt;
    if (fabs(dt) < 1e-12 * tg) break;
  }
  *tc = tg;
done:
  gsl_odeiv2_evolve_free(ev);
  gsl_odeiv2_control_free(ctl);
  gsl_odeiv2_step_free(stp);
  return rc;
}

typedef struct min_ctx {
  integ *g;
  double sigma, tmax;
  int status;
  mfh_err *err;
} min_ctx;

static double crossing_fn(double a, void *p) {
  min_ctx *c = p;
  double tc = HUGE_VAL;
  if (c->status == MFH_OK) c->status = crossing_of(c->g, a, c->sigma, c->tmax, &tc, c->err);
  return isfinite(tc) ? tc : 1e300;
}

int mfh_radial_crossing(double sigma, double *tc, double *ac, mfh_err *err) {
  if (!(sigma > 0) || !isfinite(sigma)) return mfh_err_set(err, MFH_EINPUT, "radial: sigma = %g: must be > 0", sigma);
  integ g;
  int rc = integ_init(&g, sigma, err);
  if (rc) return rc;
  /* Scan the labels (crossing needs a M'(a)/M(a) < 1, i.e. a > ~2.2 sigma),
   * then Brent on the bracket around the smallest value. */
  min_ctx c = {&g, sigma, 1e4 * sigma * sqrt(sigma), MFH_OK, err};
  enum { NS = 64 };
  double as[NS], ts[NS];
  size_t best = 0;
  for (size_t i = 0; i < NS; i++) {
    as[i] = sigma * (1.5 + 0.125 * (double)i);
    ts[i] = crossing_fn(as[i], &c);
    if (ts[i] < ts[best]) best = i;
  }
  gsl_min_fminimizer *m = NULL;
  if (c.status) {
    rc = c.status;
    goto done;
  }
  if (best == 0 || best + 1 == NS || !(ts[best] < 1e300)) {
    rc = mfh_err_set(err, MFH_ESOLVER, "radial: no interior minimum of the crossing time over the labels");
    goto done;
  }
  m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (!m) {
    rc = mfh_err_set(err, MFH_ENOMEM, "radial: out of memory (minimiser)");
    goto done;
  }
  gsl_function F = {crossing_fn, &c};
  if (gsl_min_fminimizer_set_with_values(m, &F, as[best], ts[best], as[best - 1], ts[best - 1], as[best + 1],
                                         ts[best + 1]) != GSL_SUCCESS) {
    rc = mfh_err_set(err, MFH_ESOLVER, "radial: minimiser set-up failed");
    goto done;
  }
  for (int it = 0; it < 200; it++) {
    if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS || c.status) break;
    double lo = gsl_min_fminimizer_x_lower(m), hi = gsl_min_fminimizer_x_upper(m);
    if (gsl_min_test_interval(lo, hi, 1e-7 * sigma, 0) == GSL_SUCCESS) break;
  }
  if (c.status) {
    rc = c.status;
    goto done;
  }
  /* t_c is quadratic at its minimum: a to 1e-7 gives t_c to ~1e-14 */
  *ac = gsl_min_fminimizer_x_minimum(m);
  *tc = gsl_min_fminimizer_f_minimum(m);
done:
  gsl_min_fminimizer_free(m);
  gsl_odeiv2_driver_free(g.drv);
  return rc;
}

/* ---- the tables ---------------------------------------------------------- */

typedef struct table {
  double t;
  double *R, *Ra, *U, *Ua, *Q, *f; /* f = -Q' = a^2 rho_in(a) / R */
  double pot, kin, lip, minRa, rhomax;
} table;

struct mfh_radial {
  double sigma, h, amax;
  size_t n; /* nodes 0..n */
  size_t ntimes;
  table *tab;
  double *mem;
};

size_t mfh_radial_ntimes(const mfh_radial *r) { return r->ntimes; }
double mfh_radial_time(const mfh_radial *r, size_t k) { return r->tab[k].t; }
double mfh_radial_sigma(const mfh_radial *r) { return r->sigma; }
double mfh_radial_pot_energy(const mfh_radial *r, size_t k) { return r->tab[k].pot; }
double mfh_radial_kin_energy(const mfh_radial *r, size_t k) { return r->tab[k].kin; }
double mfh_radial_lip(const mfh_radial *r, size_t k) { return r->tab[k].lip; }
double mfh_radial_min_stretch(const mfh_radial *r, size_t k) { return r->tab[k].minRa; }
double mfh_radial_rho_max(const mfh_radial *r, size_t k) { return r->tab[k].rhomax; }

void mfh_radial_destroy(mfh_radial *r) {
  if (!r) return;
  free(r->mem);
  free(r->tab);
  free(r);
}

/* Cubic Hermite on one cell: values p0, p1, slopes d0, d1 (per unit a),
 * width h, at s in [0, 1]; *dp = derivative per unit a. */
static double hermite(double p0, double d0, double p1, double d1, double h, double s, double *dp) {
  double s2 = s * s, s3 = s2 * s;
  double h00 = 2 * s3 - 3 * s2 + 1, h10 = s3 - 2 * s2 + s, h01 = -2 * s3 + 3 * s2, h11 = s3 - s2;
  if (dp) {
    double g00 = 6 * s2 - 6 * s, g10 = 3 * s2 - 4 * s + 1, g11 = 3 * s2 - 2 * s;
    *dp = (g00 * (p0 - p1)) / h + g10 * d0 + g11 * d1;
  }
  return h00 * p0 + h10 * h * d0 + h01 * p1 + h11 * h * d1;
}

/* Quadratures over the cells of table T: Q (cumulative from outside), the
 * potential and kinetic energies. */
static void table_integrals(const mfh_radial *r, table *T) {
  size_t n = r->n;
  double h = r->h, sigma = r->sigma, q = 0, pot = 0, kin = 0;
  T->Q[n] = 0;
  for (size_t i = n; i-- > 0;) {
    double cq = 0, cp = 0, ck = 0;
    for (int g = 0; g < 8; g++) {
      double s = gl_x[g], b = ((double)i + s) * h;
      double R = hermite(T->R[i], T->Ra[i], T->R[i + 1], T->Ra[i + 1], h, s, NULL);
      double U = hermite(T->U[i], T->Ua[i], T->U[i + 1], T->Ua[i + 1], h, s, NULL);
      double rho = mfh_radial_density0(b, sigma), f = b * b * rho / R;
      cq += gl_w[g] * f;
      cp += gl_w[g] * mfh_radial_mass(b, sigma) * f;
      ck += gl_w[g] * U * U * b * b * rho;
    }
    q += h * cq;
    T->Q[i] = q;
    pot += h * cp;
    kin += h * ck;
  }
  T->pot = 2 * pot;     /* int rho phi = 2 int M(a) a^2 rho_in(a) / R(t, a) da */
  T->kin = 2 * PI * kin; /* (1/2) int U^2 4 pi a^2 rho_in da */
}

int mfh_radial_create(double sigma, size_t ntimes, const double *times, size_t nlabels, double amax,
                      mfh_radial **out, mfh_err *err) {
  *out = NULL;
  if (!(sigma > 0) || !isfinite(sigma)) return mfh_err_set(err, MFH_EINPUT, "radial: sigma = %g: must be > 0", sigma);
  if (ntimes == 0) return mfh_err_set(err, MFH_EINPUT, "radial: no output times");
  for (size_t k = 0; k < ntimes; k++)
    if (!(times[k] >= 0) || !isfinite(times[k]))
      return mfh_err_set(err, MFH_EINPUT, "radial: t = %g: must be finite and >= 0", times[k]);
  if (nlabels == 0) nlabels = DEFAULT_NLABELS;
  if (!(amax > 0)) amax = DEFAULT_AMAX;
  mfh_radial *r = calloc(1, sizeof *r);
  integ g = {0};
  int rc = MFH_OK;
  if (!r) goto nomem;
  r->sigma = sigma;
  r->n = nlabels;
  r->amax = amax * sigma;
  r->h = r->amax / (double)nlabels;
  r->ntimes = ntimes;
  size_t n1 = nlabels + 1;
  r->tab = calloc(ntimes, sizeof *r->tab);
  r->mem = malloc(6 * n1 * ntimes * sizeof *r->mem);
  if (!r->tab || !r->mem) goto nomem;
  for (size_t k = 0; k < ntimes; k++) {
    table *T = &r->tab[k];
    double *p = r->mem + 6 * n1 * k;
    T->t = times[k];
    T->R = p, T->Ra = p + n1, T->U = p + 2 * n1, T->Ua = p + 3 * n1, T->Q = p + 4 * n1, T->f = p + 5 * n1;
  }
  /* every time is integrated from t = 0 on its own (the steps, hence the
   * bits, of a table do not depend on the other requested times) */
  if ((rc = integ_init(&g, sigma, err))) goto fail;
  for (size_t i = 0; i <= nlabels; i++) {
    double a = (double)i * r->h;
    for (size_t k = 0; k < ntimes; k++) {
      table *T = &r->tab[k];
      double s[4], t = 0;
      integ_label(&g, a, sigma, s);
      if ((rc = integ_to(&g, &t, T->t, s, err))) goto fail;
      T->R[i] = a * s[0], T->U[i] = a * s[1], T->Ra[i] = s[2], T->Ua[i] = s[3];
    }
  }
  for (size_t k = 0; k < ntimes; k++) {
    table *T = &r->tab[k];
    double lip = 0, minRa = HUGE_VAL, rhomax = 0;
    for (size_t i = 0; i <= nlabels; i++) {
      if (T->Ra[i] < minRa) minRa = T->Ra[i];
      double y = i ? T->R[i] / ((double)i * r->h) : T->Ra[i];
      rhomax = fmax(rhomax, mfh_radial_density0((double)i * r->h, sigma) / (y * y * T->Ra[i]));
      double e1 = T->Ua[i] / T->Ra[i], e2 = i ? T->U[i] / T->R[i] : e1;
      lip = fmax(lip, fmax(fabs(e1), fabs(e2)));
    }
    T->minRa = minRa;
    T->rhomax = rhomax;
    T->lip = lip;
    if (!(minRa > 0)) {
      rc = mfh_err_set(err, MFH_EINPUT,
                       "radial: t = %g is at or past the first shell crossing (R_a = %g <= 0 on the label grid)",
                       T->t, minRa);
      goto fail;
    }
    for (size_t i = 0; i <= nlabels; i++) {
      double a = (double)i * r->h;
      T->f[i] = i ? a * a * mfh_radial_density0(a, sigma) / T->R[i] : 0;
    }
    table_integrals(r, T);
  }
  gsl_odeiv2_driver_free(g.drv);
  *out = r;
  return MFH_OK;
nomem:
  rc = mfh_err_set(err, MFH_ENOMEM, "radial: out of memory (%zu labels, %zu times)", nlabels, ntimes);
fail:
  if (g.drv) gsl_odeiv2_driver_free(g.drv);
  mfh_radial_destroy(r);
  return rc;
}

int mfh_radial_eval(const mfh_radial *r, size_t k, double radius, mfh_radial_point *out, mfh_err *err) {
  const table *T = &r->tab[k];
  size_t n = r->n;
  double h = r->h, sigma = r->sigma;
  if (!(radius >= 0) || !isfinite(radius))
    return mfh_err_set(err, MFH_EINPUT, "radial: radius = %g: must be finite and >= 0", radius);
  if (radius > T->R[n])
    return mfh_err_set(err, MFH_EINPUT,
                       "radial: radius %g at t = %g is beyond the outermost tabulated shell R(t, %g sigma) = %g "
                       "(mass outside ~1e-21)",
                       radius, T->t, r->amax / sigma, T->R[n]);
  /* cell i with R[i] <= radius <= R[i+1] */
  size_t lo = 0, hi = n;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (T->R[mid] <= radius)
      lo = mid;
    else
      hi = mid;
  }
  size_t i = lo;
  double R0 = T->R[i], R1 = T->R[i + 1], d0 = T->Ra[i], d1 = T->Ra[i + 1];
  double slo = 0, shi = 1, s = (radius - R0) / (R1 - R0), dR = 0;
  for (int it = 0; it < 60; it++) {
    double f = hermite(R0, d0, R1, d1, h, s, &dR) - radius;
    if (f < 0)
      slo = s;
    else
      shi = s;
    double sn = s - f / (dR * h);
    if (!(sn > slo && sn < shi)) sn = 0.5 * (slo + shi);
    double step = fabs(sn - s);
    s = sn;
    if (step < 1e-15 || shi - slo < 1e-16) break;
  }
  double Ra;
  hermite(R0, d0, R1, d1, h, s, &Ra);
  double a = ((double)i + s) * h;
  double u = hermite(T->U[i], T->Ua[i], T->U[i + 1], T->Ua[i + 1], h, s, NULL);
  double Q = hermite(T->Q[i], -T->f[i], T->Q[i + 1], -T->f[i + 1], h, s, NULL);
  double y = a > 0 ? radius / a : Ra; /* R / a */
  double m = mfh_radial_mean_density(a, sigma);
  out->a = a;
  out->u = u;
  out->rho = mfh_radial_density0(a, sigma) / (y * y * Ra);
  /* M(a)/(4 pi r) = m(a) a^3 / r = m(a) a^2 / y */
  out->phi = m * a * a / y + Q;
  return MFH_OK;
}
