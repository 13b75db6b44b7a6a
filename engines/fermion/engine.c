/* Engines `fermion_kernel` and `fermion_orbitals` (see engine.h): the
 * registry face of the fermion library (fermion.h: trap states and grids;
 * engines.h: the Strang split-step Hartree, Hartree-Fock and Weyl-Vlasov
 * steppers; monitors.h: the resolution monitors). */
#include "engines/fermion/engine.h"

#include <complex.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "engines/fermion/engines.h"
#include "engines/fermion/fermion.h"
#include "engines/fermion/monitors.h"

#define FE_GIB 1073741824.0

/* The shared parameter table; only the choices of `dynamics` differ. */
#define FE_PARAMS(DYN_CHOICES, DYN_DOC)                                                                        \
  {"dim", MFH_PARAM_INT, "1", 1, 2, 0, 0, NULL, "space dimension d (eps = N^(-1/d))", 0},                      \
      {"N", MFH_PARAM_INT, "16", 1, 1e6, 0, 0, NULL,                                                            \
       "number of fermions: tr omega = N (a Slater state in 2D: a closed shell K(K+1)/2)", 0},                 \
      {"state", MFH_PARAM_CHOICE, "mixed", 0, 0, 0, 0, "mixed|slater",                                         \
       "initial trap state of h0 = -eps^2 Lap + |x|^2: Fermi-Dirac at temperature T, or the N lowest levels", \
       0},                                                                                                     \
      {"T", MFH_PARAM_REAL, "0.5", 0, 100, 1, 0, NULL, "temperature of the mixed state (slater: unused)", 0},   \
      {"potential", MFH_PARAM_CHOICE, "gaussian", 0, 0, 0, 0, "gaussian|quadratic|none",                       \
       "pair potential V: a exp(-|x|^2 / (2 s^2)), a |x|^2 (a test: the Moyal expansion stops) or 0", 0},     \
      {"a", MFH_PARAM_REAL, "1", -100, 100, 0, 0, NULL, "amplitude a of V", 0},                                \
      {"s", MFH_PARAM_REAL, "1", 0, 100, 1, 0, NULL, "width s of the Gaussian V", 0},                          \
      {"dynamics", MFH_PARAM_CHOICE, "hartree", 0, 0, 0, 0, DYN_CHOICES, DYN_DOC, 0},                           \
      {"t", MFH_PARAM_REAL, "0.5", 0, 100, 0, 0, NULL, "output time", MFH_PARAM_STREAM},                      \
      {"dt", MFH_PARAM_REAL, "0.025", 0, 1, 1, 0, NULL, "Strang step (every t a whole number of steps)",        \
       MFH_PARAM_STEP},                                                                                        \
      {"t_max", MFH_PARAM_REAL, "0.5", 0, 100, 0, 0, NULL,                                                     \
       "the grid holds the state up to this time (resolution rule, fermion.h); t <= t_max", 0},               \
      {"band", MFH_PARAM_REAL, "1", 1, 16, 0, 0, NULL,                                                         \
       "momentum band over the band the state needs (dx = pi eps / (band p_need))", 0},                       \
      {"box", MFH_PARAM_REAL, "1", 1, 16, 0, 0, NULL, "box half-width over the half-width the state needs", 0}, \
      {"n", MFH_PARAM_INT, "0", 0, 65536, 0, 0, NULL,                                                          \
       "grid points per axis: 0 = the smallest resolving grid; else this many on the rule's box (refused "   \
       "when under-resolved)",                                                                                 \
       0},                                                                                                     \
      {"threads", MFH_PARAM_INT, "1", 1, 64, 0, 0, NULL, "OpenMP threads of the engine", 0},                   \
  {                                                                                                            \
    "mem_gib", MFH_PARAM_REAL, "8", 0, 4096, 1, 0, NULL,                                                       \
        "memory limit of one run in GiB (engine, initial state and two output states): larger runs are "      \
        "refused",                                                                                             \
        0                                                                                                      \
  }

static const mfh_param_def kernel_params[] = {
    FE_PARAMS("free|hartree|hf|vlasov",
              "free, Hartree, Hartree-Fock (exchange X = V(x - y) omega(x, y) / N) or the Weyl-quantised Vlasov "
              "equation"),
};
static const mfh_param_def orbital_params[] = {
    FE_PARAMS("free|hartree|hf", "free, Hartree or Hartree-Fock (exchange X = V(x - y) omega(x, y) / N)"),
};

/* ---- parameters -> library setup --------------------------------------------- */

/* Everything a run needs, from the parameters. */
typedef struct fe_config {
  mfh_fermion_setup setup; /* state, N, T, t_max, V for the grid rule */
  mfh_fermion_grid grid;
  mfh_fermion_potential V; /* the dynamics' potential */
  int model;               /* enum mfh_fermion_model */
  double dt;
  int threads;
  size_t m; /* trap levels kept (orbitals of the initial state) */
} fe_config;

static int is(const mfh_params *p, const char *name, const char *value) {
  return strcmp(mfh_params_str(p, name), value) == 0;
}

static int model_of(const mfh_params *p) {
  if (is(p, "dynamics", "free")) return MFH_FERMION_FREE;
  if (is(p, "dynamics", "hf")) return MFH_FERMION_HF;
  if (is(p, "dynamics", "vlasov")) return MFH_FERMION_VLASOV;
  return MFH_FERMION_HARTREE;
}

/* The grid: the resolution rule at (box, band), or n points on the rule's
 * box (checked).  A quadratic V has no bounded force: the rule then uses
 * free flight (box and band widen it; the Hartree == Vlasov identity it is
 * for holds on any grid). */
static int config_of(const mfh_params *p, fe_config *c, const char **param, mfh_err *err) {
  memset(c, 0, sizeof *c);
  mfh_fermion_setup *s = &c->setup;
  mfh_fermion_setup_init(s);
  s->dim = (int)mfh_params_int(p, "dim");
  s->kind = is(p, "state", "slater") ? MFH_FERMION_SLATER : MFH_FERMION_MIXED;
  s->N = (double)mfh_params_int(p, "N");
  s->T = mfh_params_real(p, "T");
  s->t_final = mfh_params_real(p, "t_max");
  mfh_fermion_potential_default(&c->V);
  c->V.kind = is(p, "potential", "quadratic") ? MFH_FERMION_V_QUADRATIC
              : is(p, "potential", "none")    ? MFH_FERMION_V_NONE
                                              : MFH_FERMION_V_GAUSSIAN;
  c->V.a = mfh_params_real(p, "a");
  c->V.s = mfh_params_real(p, "s");
  s->V = c->V;
  if (c->V.kind == MFH_FERMION_V_QUADRATIC) s->V.kind = MFH_FERMION_V_NONE;
  c->model = model_of(p);
  c->dt = mfh_params_real(p, "dt");
  c->threads = (int)mfh_params_int(p, "threads");
  double t = mfh_params_real(p, "t");
  if (t > s->t_final * (1 + 1e-12))
    return mfh_param_reject(param, "t", err, "t = %g is beyond t_max = %g, the time the grid is made for", t,
                            s->t_final);
  if (!mfh_whole_steps(t, c->dt))
    return mfh_param_reject(param, "dt", err, "t = %g is not a whole number of steps dt = %g", t, c->dt);
  mfh_fermion_levels *lv = NULL;
  double eps = pow(s->N, -1.0 / s->dim);
  int rc = mfh_fermion_levels_create(s->dim, s->kind, s->N, eps, s->T, 0, &lv, err);
  if (rc) {
    *param = "N";
    return rc;
  }
  c->m = (size_t)lv->m;
  mfh_fermion_levels_destroy(lv);
  mfh_fermion_extent ex;
  double box = mfh_params_real(p, "box"), band = mfh_params_real(p, "band");
  if ((rc = mfh_fermion_grid_for(s, box, band, &c->grid, &ex, err))) {
    *param = "N";
    return rc;
  }
  long n = (long)mfh_params_int(p, "n");
  if (n > 0) {
    /* n points on the rule's box */
    double half = 0.5 * (double)c->grid.n * c->grid.dx;
    c->grid.n = (int)n;
    c->grid.dx = 2.0 * half / (double)n;
    c->grid.xmin = -half;
    if ((rc = mfh_fermion_check_grid(s, &c->grid, NULL, err))) {
      *param = "n";
      return rc;
    }
  }
  return MFH_OK;
}

/* The stepper's parameters of a run. */
static void engine_params(const fe_config *c, mfh_fermion_engine_params *ep) {
  mfh_fermion_engine_params_init(ep);
  ep->grid = c->grid;
  ep->N = c->setup.N;
  ep->model = c->model;
  ep->V = c->V;
  ep->threads = c->threads;
}

/* Bytes of the state (kernel or m orbitals). */
static double state_bytes(const fe_config *c, int kernel) {
  double np = (double)mfh_fermion_grid_points(&c->grid);
  return kernel ? 16.0 * np * np : 16.0 * np * (double)c->m;
}

int mfh_fermion_run_config_of(const mfh_engine_type *type, const mfh_params *p, mfh_fermion_run_config *out,
                              const char **param, mfh_err *err) {
  int kernel = type == &mfh_engine_fermion_kernel;
  if (!kernel && type != &mfh_engine_fermion_orbitals)
    return mfh_err_set(err, MFH_EINPUT, "%s: not a fermion engine", type ? type->name : "(null)");
  fe_config c;
  const char *bad = NULL;
  int rc = config_of(p, &c, &bad, err);
  if (param) *param = bad;
  if (rc) return rc;
  memset(out, 0, sizeof *out);
  out->setup = c.setup;
  engine_params(&c, &out->engine);
  out->m = c.m;
  out->dt = c.dt;
  out->steps = lround(mfh_params_real(p, "t") / c.dt);
  out->engine_bytes = kernel ? mfh_fermion_kernel_engine_bytes(&out->engine)
                             : mfh_fermion_orb_engine_bytes(&out->engine, (int)c.m);
  out->state_bytes = state_bytes(&c, kernel);
  out->need_bytes = out->engine_bytes + 3.0 * out->state_bytes;
  return MFH_OK;
}

static int validate_common(const mfh_params *p, const mfh_engine_type *type, const char **param, mfh_err *err) {
  mfh_fermion_run_config rc_;
  int rc = mfh_fermion_run_config_of(type, p, &rc_, param, err);
  if (rc) return rc;
  double lim = mfh_params_real(p, "mem_gib");
  const mfh_fermion_grid *g = &rc_.engine.grid;
  if (rc_.need_bytes > lim * FE_GIB)
    return mfh_param_reject(param, "N", err,
                            "%s N = %lld in %dD on %d^%d points (%zu orbitals) needs %.3g GiB, more than mem_gib = "
                            "%g: lower N or raise mem_gib",
                            type->name, mfh_params_int(p, "N"), g->dim, g->n, g->dim, rc_.m,
                            rc_.need_bytes / FE_GIB, lim);
  return MFH_OK;
}

static int kernel_validate(const mfh_params *p, const char **param, mfh_err *err) {
  return validate_common(p, &mfh_engine_fermion_kernel, param, err);
}
static int orbital_validate(const mfh_params *p, const char **param, mfh_err *err) {
  return validate_common(p, &mfh_engine_fermion_orbitals, param, err);
}

static int fe_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  if (mfh_decl_item(d, "omega", &mfh_kind_density) || mfh_decl_scalars(d, "eps n res_edge res_band"))
    return mfh_err_set(err, MFH_EINTERNAL, "fermion: bad declaration");
  return MFH_OK;
}

/* ---- states -------------------------------------------------------------------- */

/* A config error is an internal one here: validate() accepted it. */
static int config_run(const mfh_params *p, fe_config *c, mfh_err *err) {
  const char *bad = NULL;
  int rc = config_of(p, c, &bad, err);
  if (rc && bad) mfh_err_prefix(err, "%s", bad);
  return rc;
}

static int fe_initial(const mfh_params *p, int kernel, mfh_state *s0, mfh_err *err) {
  fe_config c;
  int rc = config_run(p, &c, err);
  if (rc) return rc;
  mfh_fermion_levels *lv = NULL;
  mfh_fermion_orbitals *o = NULL;
  mfh_xgrid xg = mfh_fermion_xgrid(&c.grid);
  mfh_density *d = NULL;
  if ((rc = mfh_fermion_levels_create(c.setup.dim, c.setup.kind, c.setup.N, c.grid.eps, c.setup.T, 0, &lv, err)))
    goto done;
  if (kernel) {
    if (!(d = mfh_density_new(&xg, MFH_DENSITY_KERNEL, 0))) goto nomem;
    if ((rc = mfh_fermion_trap_kernel(&c.grid, lv, d->kernel, err))) goto done;
  } else {
    if ((rc = mfh_fermion_trap_state(&c.grid, lv, &o, err))) goto done;
    if (!(d = mfh_density_new(&xg, MFH_DENSITY_ORBITALS, (size_t)o->m))) goto nomem;
    memcpy(d->orb, o->phi, (size_t)o->m * mfh_xgrid_points(&xg) * sizeof *d->orb);
    memcpy(d->w, o->occ, (size_t)o->m * sizeof *d->w);
  }
  d->eps = c.grid.eps;
  rc = mfh_state_put(s0, "omega", &mfh_kind_density, d, err);
  d = NULL;
  goto done;
nomem:
  rc = mfh_err_set(err, MFH_ENOMEM, "fermion: out of memory for the initial state (%.3g GiB)",
                   state_bytes(&c, kernel) / FE_GIB);
done:
  mfh_density_free(d);
  mfh_fermion_orbitals_destroy(o);
  mfh_fermion_levels_destroy(lv);
  return rc;
}

static int kernel_initial(const mfh_params *p, gsl_rng *rng, mfh_state *s0, mfh_err *err) {
  (void)rng;
  return fe_initial(p, 1, s0, err);
}
static int orbital_initial(const mfh_params *p, gsl_rng *rng, mfh_state *s0, mfh_err *err) {
  (void)rng;
  return fe_initial(p, 0, s0, err);
}

/* The state to start from, checked against the parameters: its grid gives
 * the run's grid. */
static int start_of(const mfh_params *p, const mfh_engine_ctx *ctx, fe_config *c, const mfh_density **from,
                    mfh_err *err) {
  int rc = config_run(p, c, err);
  if (rc) return rc;
  const mfh_density *d = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_density, NULL) : NULL;
  if (!d) return mfh_err_set(err, MFH_EINPUT, "fermion: no density to start from");
  double eps = pow(c->setup.N, -1.0 / c->setup.dim);
  if (d->grid.dim != c->setup.dim || !(fabs(d->eps - eps) <= 1e-12 * eps))
    return mfh_err_set(err, MFH_EINPUT,
                       "fermion: the initial density lives in %dD at eps = %.17g, but dim = %d and N = %g give eps = "
                       "%.17g",
                       d->grid.dim, d->eps, c->setup.dim, c->setup.N, eps);
  if (d->grid.n > (size_t)(d->grid.dim == 1 ? 65536 : 1024))
    return mfh_err_set(err, MFH_EINPUT, "fermion: %zu points per axis", d->grid.n);
  c->grid.dim = d->grid.dim;
  c->grid.n = (int)d->grid.n;
  c->grid.xmin = d->grid.xmin;
  c->grid.dx = d->grid.dx;
  c->grid.eps = d->eps;
  *from = d;
  return MFH_OK;
}

/* The engine's scalars for an output state. */
static int put_scalars(const fe_config *c, double edge, double band, mfh_state *out, mfh_err *err) {
  if (mfh_values_set(&out->scalars, "eps", c->grid.eps) || mfh_values_set(&out->scalars, "n", (double)c->grid.n) ||
      mfh_values_set(&out->scalars, "res_edge", edge) || mfh_values_set(&out->scalars, "res_band", band))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

/* Steps to output k (t validated as whole numbers of dt). */
static long steps_to(double t, double dt) { return lround(t / dt); }

static int kernel_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  fe_config c;
  const mfh_density *from = NULL;
  int rc = start_of(p, ctx, &c, &from, err);
  if (rc) return rc;
  mfh_fermion_engine_params ep;
  engine_params(&c, &ep);
  mfh_fermion_kernel_engine *e = NULL;
  mfh_xgrid xg = mfh_fermion_xgrid(&c.grid);
  size_t np = mfh_xgrid_points(&xg);
  if ((rc = mfh_fermion_kernel_engine_create(&ep, &e, err))) return rc;
  double complex *K = mfh_fermion_kernel_engine_data(e);
  if (from->kind == MFH_DENSITY_KERNEL) {
    memcpy(K, from->kernel, np * np * sizeof *K);
  } else {
    mfh_fermion_orbitals view = {c.grid, (int)from->norb, c.setup.N, from->w, from->orb};
    if ((rc = mfh_fermion_kernel_from_orbitals(&view, K, err))) goto done;
  }
  long done_steps = 0;
  for (size_t k = 0; k < ctx->nout && !rc; k++) {
    long target = steps_to(ctx->t[k], c.dt);
    if (target > done_steps) rc = mfh_fermion_kernel_engine_advance(e, c.dt, target - done_steps, err);
    done_steps = target > done_steps ? target : done_steps;
    mfh_density *d = rc ? NULL : mfh_density_new(&xg, MFH_DENSITY_KERNEL, 0);
    if (!rc && !d) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for an output kernel");
    if (!rc) rc = mfh_fermion_kernel_engine_close_into(e, d->kernel, err);
    double edge = NAN, band = NAN;
    if (!rc) rc = mfh_fermion_kernel_edges(&c.grid, d->kernel, &edge, &band, err);
    if (d) d->eps = c.grid.eps;
    if (!rc) {
      rc = mfh_state_put(&out[k], "omega", &mfh_kind_density, d, err);
      d = NULL;
    }
    mfh_density_free(d);
    if (!rc) rc = put_scalars(&c, edge, band, &out[k], err);
  }
done:
  mfh_fermion_kernel_engine_destroy(e);
  return rc;
}

/* The orbitals of a kernel: eigenvectors of cell K with eigenvalue above
 * 1e-14 of the largest (a density operator has none below 0 but
 * round-off). */
static int orbitals_of_kernel(const mfh_fermion_grid *g, const double complex *K, double N,
                              mfh_fermion_orbitals **out, mfh_err *err) {
  size_t np = mfh_fermion_grid_points(g);
  double cell = g->dim == 1 ? g->dx : g->dx * g->dx;
  double complex *D = malloc(np * np * sizeof *D);
  double *lam = malloc(np * sizeof *lam);
  int rc = MFH_OK;
  if (!D || !lam) {
    rc = mfh_err_set(err, MFH_ENOMEM, "fermion: out of memory diagonalising a %zu x %zu kernel", np, np);
    goto done;
  }
  for (size_t i = 0; i < np * np; i++) D[i] = cell * K[i];
  /* row-major K read column-major is conj K: eigenvectors conjugated */
  lapack_int info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)np, D, (lapack_int)np, lam);
  if (info) {
    rc = mfh_err_set(err, MFH_ENUMERIC, "fermion: LAPACKE_zheevd failed (info %d)", (int)info);
    goto done;
  }
  double big = fabs(lam[np - 1]);
  int m = 0;
  for (size_t i = 0; i < np; i++) m += lam[i] > 1e-14 * big;
  if (m == 0) m = 1;
  if ((rc = mfh_fermion_orbitals_create(g, m, N, out, err))) goto done;
  double f = 1.0 / sqrt(cell);
  int k = 0;
  for (size_t i = np; i-- > 0 && k < m;) { /* largest first */
    (*out)->occ[k] = lam[i];
    for (size_t j = 0; j < np; j++) (*out)->phi[(size_t)k * np + j] = f * conj(D[i * np + j]);
    k++;
  }
done:
  free(D);
  free(lam);
  return rc;
}

static int orbital_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  fe_config c;
  const mfh_density *from = NULL;
  int rc = start_of(p, ctx, &c, &from, err);
  if (rc) return rc;
  mfh_fermion_engine_params ep;
  engine_params(&c, &ep);
  mfh_fermion_orb_engine *e = NULL;
  mfh_fermion_orbitals *own = NULL;
  mfh_xgrid xg = mfh_fermion_xgrid(&c.grid);
  size_t np = mfh_xgrid_points(&xg);
  mfh_fermion_orbitals view = {c.grid, (int)from->norb, c.setup.N, from->w, from->orb};
  if (from->kind == MFH_DENSITY_KERNEL) {
    if ((rc = orbitals_of_kernel(&c.grid, from->kernel, c.setup.N, &own, err))) return rc;
  }
  rc = mfh_fermion_orb_engine_create(&ep, own ? own : &view, &e, err);
  size_t m = own ? (size_t)own->m : from->norb;
  long done_steps = 0;
  for (size_t k = 0; k < ctx->nout && !rc; k++) {
    long target = steps_to(ctx->t[k], c.dt);
    if (target > done_steps) rc = mfh_fermion_orb_engine_advance(e, c.dt, target - done_steps, err);
    done_steps = target > done_steps ? target : done_steps;
    mfh_density *d = rc ? NULL : mfh_density_new(&xg, MFH_DENSITY_ORBITALS, m);
    if (!rc && !d) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for output orbitals");
    if (!rc) rc = mfh_fermion_orb_engine_close_into(e, d->orb, err);
    double edge = NAN, band = NAN;
    if (!rc) {
      memcpy(d->w, mfh_fermion_orb_engine_state(e)->occ, m * sizeof *d->w);
      d->eps = c.grid.eps;
      mfh_fermion_orbitals o = {c.grid, (int)m, c.setup.N, d->w, d->orb};
      rc = mfh_fermion_orbital_edges(&o, &edge, &band, err);
    }
    if (!rc) {
      rc = mfh_state_put(&out[k], "omega", &mfh_kind_density, d, err);
      d = NULL;
    }
    mfh_density_free(d);
    if (!rc) rc = put_scalars(&c, edge, band, &out[k], err);
  }
  (void)np;
  mfh_fermion_orb_engine_destroy(e);
  mfh_fermion_orbitals_destroy(own);
  return rc;
}

#define FE_METHOD                                                                                   \
  "Strang split-step with exact kinetic (FFT) and potential sub-flows, RK4 exchange sub-flow (Bao, " \
  "Jin & Markowich 2002); Benedikter-Porta-Saffirio-Schlein 2016 (seed 003)"

const mfh_engine_type mfh_engine_fermion_kernel = {
    .name = "fermion_kernel",
    .doc = "N fermions at eps = N^(-1/d) on the density-matrix kernel: free, Hartree, Hartree-Fock or the "
           "Weyl-quantised Vlasov equation, from the trap state (mixed or Slater)",
    .method = FE_METHOD,
    .version = 1,
    .params = kernel_params,
    .nparams = sizeof kernel_params / sizeof kernel_params[0],
    .validate = kernel_validate,
    .declare = fe_declare,
    .starts_from = "density",
    .initial = kernel_initial,
    .run = kernel_run,
};

const mfh_engine_type mfh_engine_fermion_orbitals = {
    .name = "fermion_orbitals",
    .doc = "N fermions at eps = N^(-1/d) on orbitals: free, Hartree or Hartree-Fock, from the trap state "
           "(mixed or Slater)",
    .method = FE_METHOD,
    .version = 1,
    .params = orbital_params,
    .nparams = sizeof orbital_params / sizeof orbital_params[0],
    .validate = orbital_validate,
    .declare = fe_declare,
    .starts_from = "density",
    .initial = orbital_initial,
    .run = orbital_run,
};
