/* Unstable roots of the electrostatic (Vlasov-Poisson) dispersion relation
 *   D(omega) = 1 - (1/k^2) int f0'(v) / (v - omega/k) dv = 0,   Im omega > 0
 * (e.g. Krall & Trivelpiece, Principles of Plasma Physics, ch. 8).  For
 * Im omega > 0 the integrand is regular: with u = omega/k = ur + i ui,
 *   1/(v - u) = ((v - ur) + i ui) / ((v - ur)^2 + ui^2),
 * so D is two real integrals, done by GSL adaptive quadrature, and the root
 * by Newton's method in the complex plane (D is analytic there). */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "engines/vlasov/vlasov.h"

#define DISP_LIMIT 1000
#define DISP_MAXIT 60

typedef struct disp_ctx {
  mfh_vlasov_fn1 df0;
  void *ctx;
  double ur, ui;
} disp_ctx;

static double integrand_re(double v, void *p) {
  const disp_ctx *c = p;
  double y = v - c->ur;
  return c->df0(v, c->ctx) * y / (y * y + c->ui * c->ui);
}

static double integrand_im(double v, void *p) {
  const disp_ctx *c = p;
  double y = v - c->ur;
  return c->df0(v, c->ctx) * c->ui / (y * y + c->ui * c->ui);
}

/* int_{-inf}^{inf} g split at ur -+ w (the Lorentzian peak is in the middle
 * piece).  GSL_EROUND (tolerance below round-off) is accepted when the
 * error estimate is still small. */
static int integrate(gsl_function *g, double ur, double w, gsl_integration_workspace *ws,
                     double *out) {
  const double epsabs = 1e-13, epsrel = 1e-11;
  double r[3], e[3];
  int st[3];
  st[0] = gsl_integration_qagil(g, ur - w, epsabs, epsrel, DISP_LIMIT, ws, &r[0], &e[0]);
  st[1] = gsl_integration_qags(g, ur - w, ur + w, epsabs, epsrel, DISP_LIMIT, ws, &r[1], &e[1]);
  st[2] = gsl_integration_qagiu(g, ur + w, epsabs, epsrel, DISP_LIMIT, ws, &r[2], &e[2]);
  *out = 0.0;
  for (int q = 0; q < 3; q++) {
    if (st[q] != GSL_SUCCESS && !(st[q] == GSL_EROUND && e[q] < 1e-9)) return st[q];
    *out += r[q];
  }
  return GSL_SUCCESS;
}

/* D(omega) for omega = (wr, wi), wi > 0. */
static int disp_eval(disp_ctx *c, double k, double wr, double wi, gsl_integration_workspace *ws,
                     double d[2]) {
  gsl_function gre = {integrand_re, c}, gim = {integrand_im, c};
  double ire, iim;
  c->ur = wr / k;
  c->ui = wi / k;
  double w = 10.0 * fmax(1.0, c->ui);
  int st = integrate(&gre, c->ur, w, ws, &ire);
  if (st == GSL_SUCCESS) st = integrate(&gim, c->ur, w, ws, &iim);
  if (st != GSL_SUCCESS) return st;
  d[0] = 1.0 - ire / (k * k);
  d[1] = -iim / (k * k);
  return GSL_SUCCESS;
}

int mfh_vlasov_dispersion_root(mfh_vlasov_fn1 df0, void *ctx, double k, const double guess[2],
                               double root[2], mfh_err *err) {
  if (!df0 || !guess || !root)
    return mfh_err_set(err, MFH_EINPUT, "vlasov: dispersion_root: NULL argument");
  if (!(k > 0.0) || !isfinite(k))
    return mfh_err_set(err, MFH_EINPUT, "vlasov: dispersion_root: k = %g: must be finite and > 0",
                       k);
  if (!isfinite(guess[0]) || !(guess[1] > 0.0) || !isfinite(guess[1]))
    return mfh_err_set(err, MFH_EINPUT,
                       "vlasov: dispersion_root: guess = %g%+gi: need finite values with Im > 0",
                       guess[0], guess[1]);
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(DISP_LIMIT);
  if (!ws) return mfh_err_set(err, MFH_ENOMEM, "vlasov: dispersion_root: out of memory");
  disp_ctx c = {df0, ctx, 0.0, 0.0};
  double wr = guess[0], wi = guess[1];
  int st = MFH_OK, done = 0;
  for (int it = 0; it < DISP_MAXIT && !done; it++) {
    double d[2], dp[2], dm[2], h = 1e-5 * fmax(1.0, hypot(wr, wi));
    if (h > 0.5 * wi) h = 0.5 * wi;
    int gs = disp_eval(&c, k, wr, wi, ws, d);
    /* D is analytic for Im > 0, so D' is the derivative along Re omega */
    if (gs == GSL_SUCCESS) gs = disp_eval(&c, k, wr + h, wi, ws, dp);
    if (gs == GSL_SUCCESS) gs = disp_eval(&c, k, wr - h, wi, ws, dm);
    if (gs != GSL_SUCCESS) {
      st = mfh_err_set(err, MFH_ENUMERIC,
                       "vlasov: dispersion_root: quadrature at omega = %g%+gi: %s", wr, wi,
                       gsl_strerror(gs));
      break;
    }
    double jr = (dp[0] - dm[0]) / (2.0 * h), ji = (dp[1] - dm[1]) / (2.0 * h);
    double den = jr * jr + ji * ji;
    if (!(den > 0.0) || !isfinite(den)) {
      st = mfh_err_set(err, MFH_ENUMERIC,
                       "vlasov: dispersion_root: zero derivative at omega = %g%+gi", wr, wi);
      break;
    }
    /* step = D / D' */
    double sr = (d[0] * jr + d[1] * ji) / den, si = (d[1] * jr - d[0] * ji) / den;
    wr -= sr;
    wi -= si;
    if (!(wi > 0.0) || !isfinite(wr) || !isfinite(wi)) {
      st = mfh_err_set(err, MFH_ENUMERIC,
                       "vlasov: dispersion_root: iterate %g%+gi left Im omega > 0 (damped roots "
                       "need the analytic continuation)",
                       wr, wi);
      break;
    }
    if (hypot(sr, si) <= 1e-12 * fmax(1.0, hypot(wr, wi))) done = 1;
  }
  gsl_integration_workspace_free(ws);
  if (st != MFH_OK) return st;
  if (!done)
    return mfh_err_set(err, MFH_ENUMERIC,
                       "vlasov: dispersion_root: no convergence in %d Newton steps", DISP_MAXIT);
  root[0] = wr;
  root[1] = wi;
  return MFH_OK;
}
