/* Engine `ep1d`: the exact pressureless Euler-Poisson solution in 1D with
 * the Coulomb kernel V = -|x|/2 (THEOREMS.md CEP-2; CEP-5's reference), in
 * Lagrangian form (lagrange.h), from rho_in (parabolic (3/4)(1 - x^2)_+, the
 * sheet model's data, or the Gaussian of CEP-5) and u_in = -beta x, before
 * the breaking time 1/beta.  An exact solution named in a study as a
 * reference (`{engine: ep1d}`); it draws nothing.
 *
 * At every output time t: the item "fluid" (core/fluid.h): u(t, x), rho(t,
 * x), F_rho(t, x) at any x by inverting X(t, .) (safeguarded Newton), and
 * for the parabolic profile int (F_N - F_rho(t))^2 dx exactly (cdf_l2:
 * piecewise, Gauss-Legendre in the label).  Its values are bit for bit those
 * of the former `sheet` solver's reference and of mfh_ep1d_eval (Gaussian),
 * so a Hartree density measured against this fluid reproduces CEP-5.
 * Scalars: parabolic: supp = |supp rho(t)| (CEP-2: N^2 P_N -> supp/12), FF =
 * int F_rho(1 - F_rho) dx (CEP-3: N E[E_N(0)] -> FF at t = 0), L = sup_{s<=t}
 * ||u_x(s)||_inf (closed form); Gaussian: L and M3 = sup_{s<=t}
 * ||u_xxx(s)||_inf (ep1d.h; the CEP-5 bound). */
#include "engines/ep1d/exact.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/fluid.h"
#include "core/kinds.h"
#include "engines/ep1d/ep1d.h"
#include "engines/ep1d/lagrange.h"

static const mfh_param_def ep1d_params[] = {
    {"rho_in", MFH_PARAM_CHOICE, "parabolic", 0, 0, 0, 0, "parabolic|gaussian",
     "initial density: (3/4)(1 - x^2)_+ (the sheet model's data) or sqrt(2/pi) e^{-2x^2} (sd 1/2, CEP-5's "
     "WKB data)",
     0},
    {"beta", MFH_PARAM_REAL, "0", -100, 100, 0, 0, NULL,
     "initial velocity u_in(x) = -beta x (beta > 0 focusing: breaking time 1/beta)", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time, before breaking (one run gives every t)",
     MFH_PARAM_STREAM},
};

static const mfh_ep1d_profile *profile_of(const mfh_params *p) {
  return strcmp(mfh_params_str(p, "rho_in"), "gaussian") ? &mfh_ep1d_parabolic : &mfh_ep1d_gaussian;
}

/* ---- the fluid ------------------------------------------------------------- */

/* ctx: the (static) profile; param[0] = beta. */
static int lag_eval(const mfh_fluid *f, const double *x, mfh_fluid_point *q, mfh_err *err) {
  (void)err;
  const mfh_ep1d_profile *p = f->ctx;
  double beta = f->param[0], t = f->t, a = mfh_ep1d_lag_label(p, t, x[0], beta);
  mfh_fluid_point_nan(q);
  q->rho = p->density(a) / mfh_ep1d_lag_Xa(p, t, a, beta);
  q->u[0] = mfh_ep1d_lag_U(p, t, a, beta);
  q->F = p->cdf(a);
  return MFH_OK;
}

static int lag_cdf_l2(const mfh_fluid *f, const double *y, size_t n, double *out, mfh_err *err) {
  if (n == 0) return mfh_err_set(err, MFH_EINPUT, "ep1d: no points");
  *out = mfh_ep1d_lag_cdf_l2(f->ctx, y, n, f->t, f->param[0]);
  return MFH_OK;
}

static const mfh_fluid_ops lag_compact_ops = {
    "exact 1D Euler-Poisson, V = -|x|/2 (Lagrangian)", lag_eval, lag_cdf_l2, NULL, NULL,
};
static const mfh_fluid_ops lag_ops = {
    "exact 1D Euler-Poisson, V = -|x|/2 (Lagrangian)", lag_eval, NULL, NULL, NULL,
};

/* ---- the engine ------------------------------------------------------------ */

static int ep1d_validate(const mfh_params *p, const char **param, mfh_err *err) {
  double t = mfh_params_real(p, "t"), tb = mfh_ep1d_lag_breaking_time(mfh_params_real(p, "beta"));
  if (!(t < tb))
    return mfh_param_reject(param, "t", err,
                            "t = %g is %s the breaking time %.3g = 1/beta of this initial data "
                            "(characteristics cross at the edges of the support; the exact solution "
                            "ends there)",
                            t, t == tb ? "at" : "past", tb);
  return MFH_OK;
}

static const char *scalars_of(const mfh_ep1d_profile *p) {
  return p == &mfh_ep1d_gaussian ? "L M3" : "supp FF L";
}

/* Item "fluid"; scalars: supp FF L (parabolic), L M3 (Gaussian). */
static int ep1d_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "fluid", &mfh_kind_fluid);
  if (!rc) rc = mfh_decl_scalars(d, scalars_of(profile_of(p)));
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "ep1d: bad declaration") : MFH_OK;
}

static int ep1d_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  double tb = mfh_ep1d_lag_breaking_time(mfh_params_real(p, "beta"));
  if (isfinite(tb) && mfh_values_set(out, "tbreak", tb)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

static int ep1d_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  const mfh_ep1d_profile *prof = profile_of(p);
  double beta = mfh_params_real(p, "beta"), tb = mfh_ep1d_lag_breaking_time(beta);
  int gauss = prof == &mfh_ep1d_gaussian;
  for (size_t k = 0; k < ctx->nout; k++) {
    double t = ctx->t[k];
    if (!(t < tb)) return mfh_err_set(err, MFH_EINPUT, "ep1d: t = %g is not before the breaking time %g", t, tb);
    mfh_fluid *f = mfh_fluid_new(gauss ? &lag_ops : &lag_compact_ops, (void *)prof);
    if (!f) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
    f->d = 1;
    f->t = t;
    f->scale = gauss ? MFH_EP1D_SIGMA : 1;
    f->nparam = 1;
    f->param[0] = beta;
    snprintf(f->what, sizeof f->what, "rho_in %s, u_in = -beta x, beta %g", prof->name, beta);
    int rc = mfh_state_put(&out[k], "fluid", &mfh_kind_fluid, f, err);
    if (rc) return rc;
    mfh_values *o = &out[k].scalars;
    int s = 0;
    if (gauss) {
      s |= mfh_values_set(o, "L", mfh_ep1d_lip(t, beta));
      s |= mfh_values_set(o, "M3", mfh_ep1d_uxxx_sup(t, beta));
    } else {
      s |= mfh_values_set(o, "supp", mfh_ep1d_lag_supp(prof, t, beta));
      s |= mfh_values_set(o, "FF", mfh_ep1d_lag_ff(prof, t, beta));
      s |= mfh_values_set(o, "L", mfh_ep1d_lag_lip(prof, t, beta));
    }
    if (s) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  return MFH_OK;
}

/* The exact solution's tables (about a megabyte, milliseconds, once per
 * sweep point); the cloud it maps is the system's size, counted in the
 * system part's estimate. */
static int ep1d_estimate(const mfh_params *p, double *bytes, double *seconds) {
  (void)p;
  *bytes = 1e6;
  *seconds = 1e-2;
  return MFH_OK;
}

const mfh_engine_type mfh_engine_ep1d = {
    .name = "ep1d",
    .doc = "exact 1D pressureless Euler-Poisson (V = -|x|/2) from rho_in (parabolic or Gaussian), u_in = -beta x, "
           "before breaking: a fluid (CEP-2, CEP-3, CEP-5 reference)",
    .method = "Lagrangian solution X(t,a) = a (1 - beta t) + (F_in(a) - 1/2) t^2/2 inverted by safeguarded "
              "Newton; int (F_N - F_rho)^2 piecewise in the label, Gauss-Legendre (THEOREMS.md CEP-2)",
    .version = 1,
    .params = ep1d_params,
    .nparams = sizeof ep1d_params / sizeof ep1d_params[0],
    .validate = ep1d_validate,
    .constants = ep1d_constants,
    .declare = ep1d_declare,
    .run = ep1d_run,
    .estimate = ep1d_estimate,
};
