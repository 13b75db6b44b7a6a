/* Engine `characteristics`: the mean-field characteristics of the classical
 * model (law.h) started from a cloud of particles, each pushed on its own,
 *
 *   dx/dt = v,   dv/dt = a(t, x),
 *
 * in the mean field a of the Vlasov solution started from the initial law
 * (THEOREMS.md MF-1, MF-3: the reference the N-body system is coupled with):
 *   field zero    a = 0: free streaming x(t) = x0 + v0 t (wrapped on the
 *                 torus), computed exactly.  The mean field of spatially
 *                 homogeneous data on the torus vanishes, so these are the
 *                 exact characteristics there (MF-1, MF-2 in d = 1, 2, 3);
 *   field vlasov  a = the field of the 1D Vlasov solution from the law
 *                 (engines/vlasov/vlasov.h: semi-Lagrangian Strang on an
 *                 nx x nv grid, v in [-vmax sv, vmax sv]), stored at every
 *                 step and read at the particles by 6-point periodic
 *                 Lagrange interpolation (error O(dx^6)); the particles are
 *                 pushed by velocity Verlet with the same steps dt as the
 *                 system (d = 1, torus).
 * The Vlasov field does not depend on the particles, so it is computed once
 * per sweep point (prepare) and shared read-only by every replica; run()
 * computes it itself when nothing was prepared.  With grid: yes the state
 * also holds the Vlasov density f(t) (phase_grid "f") at every output time
 * (MF-3 compares the particles with it).
 *
 * It starts only from a cloud (a coupled reference: `reference: {coupled:
 * characteristics, field: ...}`) and draws nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "engines/particles/law.h"
#include "engines/particles/nbody.h"
#include "engines/particles/particles.h"
#include "engines/vlasov/vlasov.h"

static const mfh_param_def characteristics_params[] = {
    {"field", MFH_PARAM_CHOICE, "zero", 0, 0, 0, 0, "zero|vlasov",
     "zero: free streaming (the mean field of homogeneous torus data); vlasov: the field of the 1D "
     "Vlasov solution from the initial law",
     0},
    MFH_PARTICLES_LAW_PARAMS(0),
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "time at which the state is measured (a sweep over t is one run per replica)", MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", MFH_PARAM_STEP},
    {"nx", MFH_PARAM_INT, "128", 16, 8192, 0, 0, NULL, "Vlasov field: cells in x", MFH_PARAM_GRID},
    {"nv", MFH_PARAM_INT, "128", 16, 8192, 0, 0, NULL, "Vlasov field: nodes in v", MFH_PARAM_GRID},
    {"vmax", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL, "Vlasov field: v in [-vmax sv, vmax sv]", 0},
    {"grid", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes",
     "yes: also the Vlasov density f(t) on its grid (phase_grid \"f\") at every output time", 0},
};

typedef struct cfg {
  mfh_particles_law law;
  int vlasov, grid, nx, nv;
  double dt, vmax;
} cfg;

static void read_cfg(const mfh_params *p, cfg *c) {
  mfh_particles_law_read(p, &c->law);
  c->vlasov = !strcmp(mfh_params_str(p, "field"), "vlasov");
  c->grid = !strcmp(mfh_params_str(p, "grid"), "yes");
  c->nx = (int)mfh_params_int(p, "nx");
  c->nv = (int)mfh_params_int(p, "nv");
  c->dt = mfh_params_real(p, "dt");
  c->vmax = mfh_params_real(p, "vmax");
}

static int characteristics_validate(const mfh_params *p, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  int rc = mfh_particles_law_check(&c.law, param, err);
  if (rc) return rc;
#define BAD(name, ...) return mfh_param_reject(param, name, err, __VA_ARGS__)
  double t = mfh_params_real(p, "t");
  if (!mfh_whole_steps(t, c.dt)) BAD("t", "t = %g is not a whole number of steps dt = %g", t, c.dt);
  if (!c.vlasov && !(c.law.torus && c.law.init == MFH_PARTICLES_HOMOGENEOUS))
    BAD("field", "field zero is the mean field of spatially homogeneous data on the torus only (init: "
                 "homogeneous); use field: vlasov in d = 1");
  if (!c.vlasov && c.grid) BAD("grid", "grid: yes gives the Vlasov density: it needs field: vlasov");
  if (c.vlasov && c.law.dim != 1) BAD("dim", "field vlasov is 1D (dim: 1)");
  if (c.vlasov && !c.law.torus) BAD("domain", "field vlasov runs on the torus (domain: torus)");
#undef BAD
  return MFH_OK;
}

/* The cloud "particles" and, with grid: yes, the phase_grid "f". */
static int characteristics_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "particles", &mfh_kind_cloud);
  if (!rc && !strcmp(mfh_params_str(p, "grid"), "yes")) rc = mfh_decl_item(d, "f", &mfh_kind_phase_grid);
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "characteristics: bad declaration") : MFH_OK;
}

/* ---- the Vlasov field ---------------------------------------------------- */

/* The field a(t_n, x_i) on the grid at every step n <= nsteps and (grid:
 * yes) f at t = 0 and at each output time. */
typedef struct vlasov_ref {
  int nx;
  double dx, dt;
  long long nsteps;
  double *field; /* (nsteps + 1) * nx */
  size_t nsnap;
  long long *snap_step;  /* the step of each snapshot */
  mfh_phase_grid *snap;  /* nsnap grids (grid: yes) */
} vlasov_ref;

static double cos_V(double x, void *ctx) {
  const cfg *c = ctx;
  return c->law.a * cos(2 * M_PI * x / c->law.L);
}

static double cos_dV(double x, void *ctx) {
  const cfg *c = ctx;
  return -c->law.a * (2 * M_PI / c->law.L) * sin(2 * M_PI * x / c->law.L);
}

/* f_in(x, v): the initial law's density. */
static double f_init(double x, double v, void *ctx) {
  const cfg *c = ctx;
  double L = c->law.L, sv = c->law.sv;
  double rho = c->law.init == MFH_PARTICLES_PERTURBED ? (1 + c->law.alpha * cos(2 * M_PI * x / L)) / L : 1.0 / L;
  return rho * exp(-v * v / (2 * sv * sv)) / (sqrt(2 * M_PI) * sv);
}

static void vlasov_ref_free(void *ptr) {
  vlasov_ref *r = ptr;
  if (!r) return;
  free(r->field);
  for (size_t k = 0; r->snap && k < r->nsnap; k++) free(r->snap[k].f);
  free(r->snap);
  free(r->snap_step);
  free(r);
}

/* Solve Vlasov from f_in to the last of the times t[0..nt-1] (ascending). */
static int vlasov_ref_make(const cfg *c0, size_t nt, const double *t, vlasov_ref **out, mfh_err *err) {
  cfg c = *c0;
  mfh_vlasov *vl = NULL;
  vlasov_ref *r = calloc(1, sizeof *r);
  if (!r) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  mfh_vlasov_params vp;
  mfh_vlasov_params_init(&vp);
  vp.nx = c.nx;
  vp.nv = c.nv;
  vp.xmin = 0;
  vp.xmax = c.law.L;
  vp.vmin = -c.vmax * c.law.sv;
  vp.vmax = c.vmax * c.law.sv;
  vp.model = MFH_VLASOV_PAIR_PERIODIC;
  vp.threads = 1;
  if (c.law.gaussian_pot) {
    vp.a = c.law.a;
    vp.s = c.law.s;
  } else {
    vp.V = cos_V;
    vp.dV = cos_dV;
    vp.ctx = &c;
    vp.images = 0; /* the cosine is periodic already */
  }
  r->nx = c.nx;
  r->dx = c.law.L / c.nx;
  r->dt = c.dt;
  r->nsteps = nt ? llround(t[nt - 1] / c.dt) : 0;
  r->nsnap = c.grid ? nt + 1 : 0; /* t = 0, then each output time */
  r->field = malloc((size_t)(r->nsteps + 1) * (size_t)c.nx * sizeof *r->field);
  int rc = r->field ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory for the Vlasov field");
  if (!rc && r->nsnap) {
    r->snap_step = malloc(r->nsnap * sizeof *r->snap_step);
    r->snap = calloc(r->nsnap, sizeof *r->snap);
    if (!r->snap_step || !r->snap) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for the Vlasov grids");
    for (size_t k = 0; !rc && k < r->nsnap; k++) r->snap_step[k] = k ? llround(t[k - 1] / c.dt) : 0;
  }
  if (!rc) rc = mfh_vlasov_create(&vp, &vl, err);
  if (!rc) rc = mfh_vlasov_set_f(vl, f_init, &c, err);
  mfh_phase_grid g;
  if (!rc) mfh_vlasov_get_grid(vl, &g);
  size_t k = 0;
  for (long long n = 0; !rc && n <= r->nsteps; n++) {
    if (n > 0) rc = mfh_vlasov_step(vl, c.dt, err);
    if (!rc) rc = mfh_vlasov_field(vl, &r->field[(size_t)n * (size_t)c.nx]);
    for (; !rc && k < r->nsnap && r->snap_step[k] == n; k++) {
      mfh_phase_grid *s = &r->snap[k];
      *s = g;
      s->period = c.law.L;
      s->f = malloc(g.nx * g.nv * sizeof *s->f);
      if (!s->f) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      else memcpy(s->f, mfh_vlasov_f(vl), g.nx * g.nv * sizeof *s->f);
    }
  }
  if (rc) mfh_err_prefix(err, "Vlasov field");
  mfh_vlasov_destroy(vl);
  if (rc) {
    vlasov_ref_free(r);
    return rc;
  }
  *out = r;
  return MFH_OK;
}

static int characteristics_prepare(const mfh_params *p, size_t nt, const double *t, void **shared, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  *shared = NULL;
  if (!c.vlasov) return MFH_OK;
  vlasov_ref *r;
  int rc = vlasov_ref_make(&c, nt, t, &r, err);
  if (!rc) *shared = r;
  return rc;
}

/* a(t, x): the stored grid field of step n = t / dt, interpolated at x. */
static int vlasov_field_fn(double t, size_t n, int dim, const double *const *x, double *const *acc, void *ctx) {
  const vlasov_ref *r = ctx;
  (void)dim;
  long long step = llround(t / r->dt);
  if (step < 0 || step > r->nsteps) return MFH_EINTERNAL;
  const double *a = &r->field[(size_t)step * (size_t)r->nx];
  /* Lagrange weights on the nodes -2..3: prod_{q != m} (s - q) / prod_{q != m} (m - q),
   * the numerators from prefix and suffix products (no division by s - m) */
  static const double denom[6] = {-120, 24, -12, 12, -24, 120};
  for (size_t j = 0; j < n; j++) {
    double u = x[0][j] / r->dx;
    double i0 = floor(u), s = u - i0;
    double left[6], right[6], val = 0;
    left[0] = 1;
    for (int m = 1; m < 6; m++) left[m] = left[m - 1] * (s - (m - 3));
    right[5] = 1;
    for (int m = 4; m >= 0; m--) right[m] = right[m + 1] * (s - (m - 1));
    long long base = (long long)i0 - 2;
    for (int m = 0; m < 6; m++) {
      long long i = (base + m) % r->nx;
      if (i < 0) i += r->nx;
      val += left[m] * right[m] / denom[m] * a[i];
    }
    acc[0][j] = val;
  }
  return MFH_OK;
}

/* The snapshot of f at step n, or NULL. */
static const mfh_phase_grid *snap_at(const vlasov_ref *r, long long n) {
  for (size_t q = 0; q < r->nsnap; q++)
    if (r->snap_step[q] == n) return &r->snap[q];
  return NULL;
}

/* 1 if r holds the field to the last output time and every snapshot asked. */
static int ref_covers(const vlasov_ref *r, const cfg *c, const mfh_engine_ctx *ctx) {
  if (!r || (ctx->nout && llround(ctx->t[ctx->nout - 1] / c->dt) > r->nsteps)) return 0;
  for (size_t k = 0; c->grid && k < ctx->nout; k++)
    if (!snap_at(r, llround(ctx->t[k] / c->dt))) return 0;
  return 1;
}

/* ---- the run ------------------------------------------------------------ */

static int put_grid(const mfh_phase_grid *g, mfh_state *out, mfh_err *err) {
  void *copy = NULL;
  int rc = mfh_kind_phase_grid.copy(g, &copy, err);
  return rc ? rc : mfh_state_put(out, "f", &mfh_kind_phase_grid, copy, err);
}

/* Free streaming from the cloud to time t, wrapped on the torus. */
static int free_stream(const mfh_cloud *c0, double t, mfh_state *out, mfh_err *err) {
  size_t n = c0->n, d = c0->d, D = 2 * d;
  double L = c0->period;
  mfh_cloud *cl = mfh_cloud_new(n, D);
  if (!cl) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  cl->d = d;
  cl->period = L;
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < d; i++) {
      double v = c0->x[j * D + d + i], x = c0->x[j * D + i] + v * t;
      if (L > 0) x -= L * floor(x / L);
      cl->x[j * D + i] = x;
      cl->x[j * D + d + i] = v;
    }
  return mfh_state_put(out, "particles", &mfh_kind_cloud, cl, err);
}

/* The particles in the Vlasov field r, Verlet steps dt from t = 0. */
static int push_vlasov(const cfg *c, const vlasov_ref *r, const mfh_cloud *from, const mfh_engine_ctx *ctx,
                       mfh_state *out, mfh_err *err) {
  mfh_potential none; /* the characteristics do not interact: only the torus of V is used */
  mfh_nbody *sys = NULL;
  int rc = mfh_potential_init_cosine(&none, 1, 0.0, c->law.L, err);
  if (!rc) rc = mfh_nbody_create(from->n, 1, &none, 0.0, &sys, err);
  if (!rc) rc = mfh_particles_load(sys, from, err);
  long long step = 0;
  for (size_t k = 0; !rc && k < ctx->nout; k++) {
    long long target = llround(ctx->t[k] / c->dt);
    for (; !rc && step < target; step++)
      rc = mfh_nbody_step_field(sys, MFH_NBODY_VERLET, (double)step * c->dt, c->dt, vlasov_field_fn, (void *)r, err);
    if (!rc) rc = mfh_particles_put(sys, from->period, &out[k], err);
    if (!rc && c->grid) rc = put_grid(snap_at(r, target), &out[k], err);
  }
  mfh_nbody_destroy(sys);
  return rc;
}

static int characteristics_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  const mfh_cloud *from = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_cloud, NULL) : NULL;
  if (!from || !from->d || from->dim != 2 * from->d)
    return mfh_err_set(err, MFH_EINPUT, "characteristics: no phase-space cloud of particles to start from");
  double L = c.law.torus ? c.law.L : 0;
  if (from->d != (size_t)c.law.dim || from->period != L)
    return mfh_err_set(err, MFH_EINPUT,
                       "characteristics: the cloud lives in d = %zu (torus period %g), the model in d = %d "
                       "(torus period %g)",
                       from->d, from->period, c.law.dim, L);
  if (!c.vlasov) {
    int rc = MFH_OK;
    for (size_t k = 0; !rc && k < ctx->nout; k++)
      rc = free_stream(from, (double)llround(ctx->t[k] / c.dt) * c.dt, &out[k], err);
    return rc;
  }
  vlasov_ref *own = NULL;
  const vlasov_ref *r = ctx->shared;
  if (!ref_covers(r, &c, ctx)) { /* nothing (or too little) was prepared: make it here */
    int rc = vlasov_ref_make(&c, ctx->nout, ctx->t, &own, err);
    if (rc) return rc;
    r = own;
  }
  int rc = push_vlasov(&c, r, from, ctx, out, err);
  vlasov_ref_free(own);
  return rc;
}

/* With field vlasov, a Vlasov grid: about six arrays of nx nv cells at
 * some 60 ns per cell and step, computed once per sweep point.  The cloud
 * moved along the characteristics is the size of the system's (counted in
 * the system part's estimate: N is not a parameter here). */
static int characteristics_estimate(const mfh_params *p, double *bytes, double *seconds) {
  *bytes = *seconds = 0;
  if (!strcmp(mfh_params_str(p, "field"), "vlasov")) {
    double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
    double cells = (double)mfh_params_int(p, "nx") * (double)mfh_params_int(p, "nv");
    *bytes = 6 * 8 * cells;
    *seconds = 6e-8 * cells * steps;
  }
  return MFH_OK;
}

const mfh_engine_type mfh_engine_characteristics = {
    .name = "characteristics",
    .doc = "mean-field characteristics from a cloud of particles: free streaming (homogeneous torus "
           "data) or the field of the 1D Vlasov solution, optionally with the Vlasov density",
    .method = "exact free streaming; Vlasov field: semi-Lagrangian Strang (engines/vlasov), 6-point "
              "Lagrange interpolation, velocity Verlet",
    .version = 1,
    .params = characteristics_params,
    .nparams = sizeof characteristics_params / sizeof characteristics_params[0],
    .validate = characteristics_validate,
    .declare = characteristics_declare,
    .starts_from = "cloud",
    .run = characteristics_run,
    .prepare = characteristics_prepare,
    .release = vlasov_ref_free,
    .estimate = characteristics_estimate,
    .conformance = "field=vlasov grid=yes nx=32 nv=32 t=0.1 dt=0.05",
};
