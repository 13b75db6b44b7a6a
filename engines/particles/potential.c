/* Pair potentials and their constants (see potential.h). */
#include "engines/particles/potential.h"

#include <math.h>

#include "engines/particles/vmath.h"

#define TWO_PI 6.283185307179586476925286766559

int mfh_potential_check(const mfh_potential *p, mfh_err *err) {
  if (!p) return mfh_err_set(err, MFH_EINPUT, "potential: NULL");
  if (p->dim < 1 || p->dim > 3)
    return mfh_err_set(err, MFH_EINPUT, "potential: dim = %d: must be 1, 2 or 3", p->dim);
  if (!isfinite(p->a))
    return mfh_err_set(err, MFH_EINPUT, "potential: amplitude a = %g: must be finite", p->a);
  switch (p->kind) {
  case MFH_POTENTIAL_GAUSSIAN:
    if (!(p->s > 0) || !isfinite(p->s))
      return mfh_err_set(err, MFH_EINPUT, "gaussian potential: width s = %g: must be > 0 and finite",
                         p->s);
    if (!(p->L >= 0) || !isfinite(p->L))
      return mfh_err_set(err, MFH_EINPUT,
                         "gaussian potential: period L = %g: must be 0 (whole space) or > 0 (torus)",
                         p->L);
    return MFH_OK;
  case MFH_POTENTIAL_COSINE:
    if (!(p->L > 0) || !isfinite(p->L))
      return mfh_err_set(err, MFH_EINPUT, "cosine potential: period L = %g: must be > 0 and finite",
                         p->L);
    return MFH_OK;
  default:
    return mfh_err_set(err, MFH_EINPUT, "potential: unknown kind %d", p->kind);
  }
}

int mfh_potential_init_gaussian(mfh_potential *p, int dim, double a, double s, double L,
                                mfh_err *err) {
  mfh_potential q = {MFH_POTENTIAL_GAUSSIAN, dim, a, s, L};
  int st = mfh_potential_check(&q, err);
  if (st == MFH_OK && p) *p = q;
  return st;
}

int mfh_potential_init_cosine(mfh_potential *p, int dim, double a, double L, mfh_err *err) {
  mfh_potential q = {MFH_POTENTIAL_COSINE, dim, a, 0.0, L};
  int st = mfh_potential_check(&q, err);
  if (st == MFH_OK && p) *p = q;
  return st;
}

int mfh_potential_constants(const mfh_potential *p, mfh_potential_consts *out, mfh_err *err) {
  int st = mfh_potential_check(p, err);
  if (st != MFH_OK) return st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "potential constants: NULL output");
  double a = fabs(p->a), d = (double)p->dim;
  if (p->kind == MFH_POTENTIAL_GAUSSIAN) {
    double s = p->s;
    out->vinf = a;
    /* |grad V|(r) = (|a|/s^2) r e^{-r^2/(2 s^2)} peaks at r = s; on the torus
     * r ranges up to sqrt(d) L/2 (corner of the minimum-image cell) */
    double rmax = p->L > 0 ? sqrt(d) * p->L / 2 : INFINITY;
    out->gradinf = s <= rmax ? a / s * exp(-0.5) : a / (s * s) * rmax * exp(-rmax * rmax / (2 * s * s));
    /* Hessian eigenvalues (a/s^2) e^{-r^2/(2s^2)} {-1, r^2/s^2 - 1}: largest at r = 0 */
    out->lipgrad = a / (s * s);
    out->vhat_l1 = p->L > 0 ? NAN : a;
  } else {
    double k = TWO_PI / p->L;
    out->vinf = a * d;
    out->gradinf = a * k * sqrt(d);
    out->lipgrad = a * k * k;
    out->vhat_l1 = a * d;
  }
  return MFH_OK;
}

double mfh_potential_value(const mfh_potential *p, const double *x) {
  if (p->kind == MFH_POTENTIAL_GAUSSIAN) {
    double r2 = 0;
    for (int i = 0; i < p->dim; i++) {
      double xi = x[i];
      if (p->L > 0) xi -= p->L * mfh_vm_round(xi * (1.0 / p->L));
      r2 += xi * xi;
    }
    return p->a * mfh_vm_exp(r2 * (-0.5 / (p->s * p->s)));
  }
  double v = 0;
  for (int i = 0; i < p->dim; i++) {
    double u = x[i] / p->L, s, c;
    mfh_vm_sincos(TWO_PI * (u - mfh_vm_round(u)), &s, &c);
    v += c;
  }
  return p->a * v;
}

void mfh_potential_grad(const mfh_potential *p, const double *x, double *g) {
  if (p->kind == MFH_POTENTIAL_GAUSSIAN) {
    double r2 = 0, y[3];
    for (int i = 0; i < p->dim; i++) {
      y[i] = x[i];
      if (p->L > 0) y[i] -= p->L * mfh_vm_round(y[i] * (1.0 / p->L));
      r2 += y[i] * y[i];
    }
    double e = mfh_vm_exp(r2 * (-0.5 / (p->s * p->s)));
    for (int i = 0; i < p->dim; i++) g[i] = -(p->a / (p->s * p->s)) * (y[i] * e);
    return;
  }
  double k = TWO_PI / p->L;
  for (int i = 0; i < p->dim; i++) {
    double u = x[i] / p->L, s, c;
    mfh_vm_sincos(TWO_PI * (u - mfh_vm_round(u)), &s, &c);
    g[i] = -p->a * k * s;
  }
}
