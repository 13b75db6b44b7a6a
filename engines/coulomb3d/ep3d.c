/* Engine `ep3d`: the radial pressureless Euler-Poisson solution in 3D, the
 * cold Coulomb explosion of the Gaussian rho_in (per-axis variance sigma^2,
 * mass 1) at rest with V = 1/(4 pi |x|) (THEOREMS.md section 1 "Coulomb",
 * CEP-1, CEP-4), before the first shell crossing.  An exact solution named
 * in a study as a reference (`{engine: ep3d}`); it draws nothing.
 *
 * Method: radial.c (shells R'' = M(a)/(4 pi R^2) with the variational
 * equation for R_a, GSL rk8pd; tabulated on a label grid and inverted),
 * tabulated once per sweep point (prepare hook) for the requested output
 * times, each time integrated from t = 0 on its own, so a table does not
 * depend on which other times are requested.
 *
 * At every output time t:
 *   item "fluid"    (core/fluid.h) the solution at t from the tables: u(t, x)
 *                   = U x/|x|, rho, phi = V * rho at any x, self-energy
 *                   int rho phi;
 *   item "initial"  the data (rho_in, u_in = 0) in closed form, t = 0:
 *                   phi_0(r) = erf(r / (sqrt 2 sigma)) / (4 pi r), int rho phi
 *                   = D0 = 1/(4 pi^{3/2} sigma) (CEP-4: E[N P_N(0)] = -D0);
 *   scalars L = sup_x |grad u(t)|, rho_max = ||rho(t)||_inf (max over the
 *   label grid), ep_fluid = int rho phi, e_fluid = (1/2) int |u|^2 rho +
 *   (1/2) int rho phi (conserved: checks the reference).
 * The fluids share the tables by reference counting (C11 atomics): the
 * tables prepared for a point outlive the harness's release while a fluid
 * of them exists. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fluid.h"
#include "core/kinds.h"
#include "engines/coulomb3d/coulomb3d.h"
#include "engines/coulomb3d/radial.h"

#define PI 3.14159265358979323846264338327950288

static const mfh_param_def ep3d_params[] = {
    {"sigma", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL,
     "initial density: Gaussian with per-axis variance sigma^2 (mass 1), velocities 0", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "output time, before the first shell crossing (one run gives every t)", MFH_PARAM_STREAM},
};

/* ---- the tables, reference counted ------------------------------------------ */

typedef struct tables {
  atomic_size_t refs;
  size_t ntimes;
  double *times;
  mfh_radial *rad;
} tables;

static void tables_retain(void *ctx) { atomic_fetch_add(&((tables *)ctx)->refs, 1); }

static void tables_release(void *ctx) {
  tables *s = ctx;
  if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
  mfh_radial_destroy(s->rad);
  free(s->times);
  free(s);
}

static int too_late(double t, double tc, double sigma, mfh_err *err) {
  return mfh_err_set(err, MFH_EINPUT,
                     "t = %g is %s the first shell crossing of the radial Euler-Poisson solution at t = %.6g "
                     "(sigma = %g; it scales like sigma^{3/2}): the solution stops there",
                     t, t == tc ? "at" : "past", tc, sigma);
}

/* Tables of the solution at the n times t[] (one reference, the caller's). */
static int tables_make(double sigma, size_t n, const double *t, tables **out, mfh_err *err) {
  *out = NULL;
  tables *s = calloc(1, sizeof *s);
  if (!s) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  atomic_init(&s->refs, 1);
  double tc, ac;
  int rc = mfh_radial_crossing(sigma, &tc, &ac, err);
  for (size_t k = 0; !rc && k < n; k++)
    if (!(t[k] < tc)) rc = too_late(t[k], tc, sigma, err);
  if (!rc && !(s->times = malloc(n * sizeof *s->times))) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (!rc) {
    s->ntimes = n;
    memcpy(s->times, t, n * sizeof *t);
    rc = mfh_radial_create(sigma, n, t, 0, 0, &s->rad, err);
  }
  if (rc) {
    tables_release(s);
    return rc;
  }
  *out = s;
  return MFH_OK;
}

static int ep3d_prepare(const mfh_params *p, size_t nout, const double *t, void **shared, mfh_err *err) {
  tables *s = NULL;
  int rc = tables_make(mfh_params_real(p, "sigma"), nout, t, &s, err);
  *shared = s;
  return rc;
}

static void ep3d_release(void *shared) { tables_release(shared); }

/* ---- the fluids -------------------------------------------------------------- */

static double radius(const double *x) { return sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]); }

/* The solution at table index f->slot. */
static int table_eval(const mfh_fluid *f, const double *x, mfh_fluid_point *q, mfh_err *err) {
  const tables *s = f->ctx;
  double r = radius(x);
  mfh_radial_point rp;
  int rc = mfh_radial_eval(s->rad, f->slot, r, &rp, err);
  if (rc) return rc;
  double g = r > 0 ? rp.u / r : 0;
  mfh_fluid_point_nan(q);
  q->rho = rp.rho;
  q->phi = rp.phi;
  for (int i = 0; i < 3; i++) q->u[i] = g * x[i];
  return MFH_OK;
}

static const mfh_fluid_ops table_ops = {
    "radial Euler-Poisson explosion, V = 1/(4 pi |x|) (tabulated shells)", table_eval, NULL, tables_retain,
    tables_release,
};

/* The data in closed form; param[0] = sigma. */
static int initial_eval(const mfh_fluid *f, const double *x, mfh_fluid_point *q, mfh_err *err) {
  (void)err;
  double sigma = f->param[0], r = radius(x), z = r / (sqrt(2.0) * sigma);
  mfh_fluid_point_nan(q);
  q->rho = mfh_radial_density0(r, sigma);
  /* erf(z)/r -> 2/(sqrt(pi) sqrt(2) sigma) as r -> 0 */
  q->phi = (z > 1e-8 ? erf(z) / r : 2.0 / (sqrt(2.0 * PI) * sigma)) / (4 * PI);
  for (int i = 0; i < 3; i++) q->u[i] = 0;
  return MFH_OK;
}

static const mfh_fluid_ops initial_ops = {
    "Gaussian at rest, V = 1/(4 pi |x|) (closed form)", initial_eval, NULL, NULL, NULL,
};

/* ---- the engine ----------------------------------------------------------------- */

static int ep3d_validate(const mfh_params *p, const char **param, mfh_err *err) {
  double sigma = mfh_params_real(p, "sigma"), t = mfh_params_real(p, "t"), tc, ac;
  mfh_err e2;
  if (mfh_radial_crossing(sigma, &tc, &ac, &e2)) return mfh_param_reject(param, "sigma", err, "%s", e2.msg);
  if (!(t < tc)) {
    too_late(t, tc, sigma, &e2);
    return mfh_param_reject(param, "t", err, "%s", e2.msg);
  }
  return MFH_OK;
}

/* Items "fluid" and "initial"; scalars L rho_max ep_fluid e_fluid. */
static int ep3d_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  int rc = mfh_decl_item(d, "fluid", &mfh_kind_fluid);
  if (!rc) rc = mfh_decl_item(d, "initial", &mfh_kind_fluid);
  if (!rc) rc = mfh_decl_scalars(d, "L rho_max ep_fluid e_fluid");
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "ep3d: bad declaration") : MFH_OK;
}

static int ep3d_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  double sigma = mfh_params_real(p, "sigma"), tc, ac;
  int rc = mfh_radial_crossing(sigma, &tc, &ac, err);
  if (rc) return rc;
  if (mfh_values_set(out, "tcross", tc) || mfh_values_set(out, "D0", mfh_radial_self_energy0(sigma)))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

static int put_fluid(mfh_state *s, const char *name, const mfh_fluid_ops *ops, void *ctx, size_t slot, double t,
                     double sigma, double self, mfh_err *err) {
  mfh_fluid *f = mfh_fluid_new(ops, ctx);
  if (!f) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  f->d = 3;
  f->t = t;
  f->scale = sigma;
  f->self_energy = self;
  f->slot = slot;
  f->nparam = 1;
  f->param[0] = sigma;
  snprintf(f->what, sizeof f->what, "Gaussian rho_in at rest, sigma %g", sigma);
  return mfh_state_put(s, name, &mfh_kind_fluid, f, err);
}

static int ep3d_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  double sigma = mfh_params_real(p, "sigma");
  tables *s = (tables *)ctx->shared, *own = NULL;
  size_t nout = ctx->nout, *tab = malloc(nout * sizeof *tab);
  if (!tab) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  /* the shared tables, if they cover every requested time */
  for (size_t k = 0; s && k < nout; k++) {
    size_t i = 0;
    while (i < s->ntimes && s->times[i] != ctx->t[k]) i++;
    if (i == s->ntimes)
      s = NULL;
    else
      tab[k] = i;
  }
  int rc = MFH_OK;
  if (!s) {
    if ((rc = tables_make(sigma, nout, ctx->t, &own, err))) goto done;
    s = own;
    for (size_t k = 0; k < nout; k++) tab[k] = k;
  }
  for (size_t k = 0; k < nout; k++) {
    size_t q = tab[k];
    double ep = mfh_radial_pot_energy(s->rad, q);
    if ((rc = put_fluid(&out[k], "fluid", &table_ops, s, q, ctx->t[k], sigma, ep, err))) goto done;
    if ((rc = put_fluid(&out[k], "initial", &initial_ops, NULL, 0, 0, sigma, mfh_radial_self_energy0(sigma), err)))
      goto done;
    mfh_values *o = &out[k].scalars;
    int e = 0;
    e |= mfh_values_set(o, "L", mfh_radial_lip(s->rad, q));
    e |= mfh_values_set(o, "rho_max", mfh_radial_rho_max(s->rad, q));
    e |= mfh_values_set(o, "ep_fluid", ep);
    e |= mfh_values_set(o, "e_fluid", mfh_radial_kin_energy(s->rad, q) + 0.5 * ep);
    if (e) {
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      goto done;
    }
  }
done:
  if (own) tables_release(own);
  free(tab);
  return rc;
}

/* The exact solution's tables (about a megabyte, milliseconds, once per
 * sweep point); the cloud it maps is the system's size, counted in the
 * system part's estimate. */
static int ep3d_estimate(const mfh_params *p, double *bytes, double *seconds) {
  (void)p;
  *bytes = 1e6;
  *seconds = 1e-2;
  return MFH_OK;
}

const mfh_engine_type mfh_engine_ep3d = {
    .name = "ep3d",
    .doc = "radial pressureless Euler-Poisson in 3D (V = 1/(4 pi |x|)): the cold explosion of a Gaussian at rest "
           "before the first shell crossing, a fluid, and the data in closed form (CEP-1, CEP-4 reference)",
    .method = "shells R'' = M(a)/(4 pi R^2) with the variational equation for R_a (GSL rk8pd, tol 1e-13), "
              "tabulated on a label grid, cubic Hermite, inverted by bisection and Newton (THEOREMS.md CEP-4)",
    .version = 1,
    .params = ep3d_params,
    .nparams = sizeof ep3d_params / sizeof ep3d_params[0],
    .validate = ep3d_validate,
    .constants = ep3d_constants,
    .declare = ep3d_declare,
    .run = ep3d_run,
    .estimate = ep3d_estimate,
    .prepare = ep3d_prepare,
    .release = ep3d_release,
};
