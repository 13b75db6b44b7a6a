/* `solver: nbody`: the classical N-body system and, as its twin, the
 * reference it is compared with (THEOREMS.md section 3, classical
 * mean-field limit):
 *   reference exact      mean-field characteristics in the exact mean field.
 *                        For spatially homogeneous data on the torus the
 *                        mean field vanishes, so they are free streaming:
 *                        the N-body error is measured with no reference
 *                        error at all (MF-1, MF-2 in d = 1, 2, 3);
 *   reference vlasov     characteristics pushed, with the same Verlet steps,
 *                        in the field of the 1D Vlasov reference solution
 *                        started from the law of the initial points (MF-1 in
 *                        d = 1 with a non-trivial mean field);
 *   reference perturbed  a second N-body system from perturbed data
 *                        (Dobrushin stability, DOB-1);
 *   reference refined    the same system integrated with dt / refine (the
 *                        time-discretisation error, DT-1);
 *   reference rbm        the random batch method (random pairs, coefficient
 *                        1) from the same data, against the full system with
 *                        coupling 1/(N-1) (RBM-4);
 *   reference none       no twin.
 * The state holds the phase-space clouds (x_1..x_d, v_1..v_d) of the system
 * (cloud) and of the reference (twin) at every requested time t, and at
 * t = 0 (cloud0, twin0).  Values: relative energy drift, and the
 * Klimontovich residual (KLIM-1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "engines/particles/nbody.h"
#include "engines/particles/particles.h"
#include "engines/vlasov/vlasov.h"

static const mfh_param_def nbody_params[] = {
    {"dim", MFH_PARAM_INT, "1", 1, 3, 0, 0, NULL, "space dimension d", MFH_PARAM_SAMPLED},
    {"N", MFH_PARAM_INT, "1000", 2, 1e7, 0, 0, NULL, "number of particles", MFH_PARAM_SAMPLED},
    {"domain", MFH_PARAM_CHOICE, "torus", 0, 0, 0, 0, "torus|free",
     "the torus [0,L)^d (periodic) or the whole space R^d", MFH_PARAM_SAMPLED},
    {"L", MFH_PARAM_REAL, "6.283185307179586", 0, 1e6, 1, 0, NULL, "torus period", MFH_PARAM_SAMPLED},
    {"potential", MFH_PARAM_CHOICE, "cosine", 0, 0, 0, 0, "cosine|gaussian",
     "V = a sum_i cos(2 pi x_i / L) (torus) or V = a exp(-|x|^2 / (2 s^2))", 0},
    {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "amplitude of V (a > 0 repulsive)", 0},
    {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "width of the Gaussian potential", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "time at which the state is measured (a sweep over t is one run per replica)", 1},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", 0},
    {"method", MFH_PARAM_CHOICE, "verlet", 0, 0, 0, 0, "verlet|yoshida4",
     "velocity Verlet (order 2) or Yoshida's triple jump (order 4)", 0},
    {"coupling", MFH_PARAM_CHOICE, "1/N", 0, 0, 0, 0, "1/N|1/(N-1)",
     "interaction prefactor: 1/N (the convention) or 1/(N-1)", 0},
    {"init", MFH_PARAM_CHOICE, "homogeneous", 0, 0, 0, 0, "homogeneous|perturbed|gaussian",
     "initial law: uniform x on the torus, density (1 + alpha cos(2 pi x_1/L))/L^d, or N(0, sx^2) "
     "in R^d; velocities N(0, sv^2)", MFH_PARAM_SAMPLED},
    {"sx", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "position spread (init gaussian)", MFH_PARAM_SAMPLED},
    {"sv", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "velocity spread", MFH_PARAM_SAMPLED},
    {"alpha", MFH_PARAM_REAL, "0.5", 0, 1, 0, 1, NULL, "density modulation (init perturbed)", MFH_PARAM_SAMPLED},
    {"reference", MFH_PARAM_CHOICE, "exact", 0, 0, 0, 0, "none|exact|vlasov|perturbed|refined|rbm",
     "the twin: exact = free streaming (homogeneous torus data), vlasov = characteristics in the 1D "
     "Vlasov field, perturbed = N-body from data shifted by delta, refined = dt/refine, rbm = random "
     "batches, none", 0},
    {"delta", MFH_PARAM_REAL, "0.001", 0, 1e3, 1, 0, NULL,
     "size of the perturbation of the twin's initial positions (reference perturbed)", 0},
    {"refine", MFH_PARAM_INT, "8", 2, 1024, 0, 0, NULL, "dt / refine for the twin (reference refined)", 0},
    {"init_seed", MFH_PARAM_INT, "0", 0, 9e15, 0, 0, NULL,
     "0: initial data from the task's stream; > 0: the same initial data for every replica "
     "(weak errors over random batches)", MFH_PARAM_SAMPLED},
    {"nx", MFH_PARAM_INT, "128", 16, 8192, 0, 0, NULL, "Vlasov reference: cells in x", 0},
    {"nv", MFH_PARAM_INT, "128", 16, 8192, 0, 0, NULL, "Vlasov reference: nodes in v", 0},
    {"vmax", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL, "Vlasov reference: v in [-vmax sv, vmax sv]", 0},
};

typedef struct cfg {
  int dim, torus, gaussian_pot, method, init, ref;
  size_t n;
  double L, a, s, dt, sx, sv, alpha, delta, coupling;
  long long refine, init_seed;
  int nx, nv;
  double vmax;
} cfg;

enum { INIT_HOMOGENEOUS, INIT_PERTURBED, INIT_GAUSSIAN };
enum { REF_NONE, REF_EXACT, REF_VLASOV, REF_PERTURBED, REF_REFINED, REF_RBM };

static int pick(const char *s, const char *const *names) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

static void read_cfg(const mfh_params *p, cfg *c) {
  static const char *const inits[] = {"homogeneous", "perturbed", "gaussian", NULL};
  static const char *const refs[] = {"none", "exact", "vlasov", "perturbed", "refined", "rbm", NULL};
  c->dim = (int)mfh_params_int(p, "dim");
  c->n = (size_t)mfh_params_int(p, "N");
  c->torus = !strcmp(mfh_params_str(p, "domain"), "torus");
  c->gaussian_pot = !strcmp(mfh_params_str(p, "potential"), "gaussian");
  c->L = mfh_params_real(p, "L");
  c->a = mfh_params_real(p, "a");
  c->s = mfh_params_real(p, "s");
  c->dt = mfh_params_real(p, "dt");
  c->method = !strcmp(mfh_params_str(p, "method"), "yoshida4") ? MFH_NBODY_YOSHIDA4 : MFH_NBODY_VERLET;
  c->init = pick(mfh_params_str(p, "init"), inits);
  c->ref = pick(mfh_params_str(p, "reference"), refs);
  c->sx = mfh_params_real(p, "sx");
  c->sv = mfh_params_real(p, "sv");
  c->alpha = mfh_params_real(p, "alpha");
  c->delta = mfh_params_real(p, "delta");
  c->refine = mfh_params_int(p, "refine");
  c->init_seed = mfh_params_int(p, "init_seed");
  c->nx = (int)mfh_params_int(p, "nx");
  c->nv = (int)mfh_params_int(p, "nv");
  c->vmax = mfh_params_real(p, "vmax");
  double n = (double)c->n;
  c->coupling = !strcmp(mfh_params_str(p, "coupling"), "1/N") ? 1.0 / n : 1.0 / (n - 1.0);
}

static int make_potential(const cfg *c, mfh_potential *pot, mfh_err *err) {
  if (c->gaussian_pot) return mfh_potential_init_gaussian(pot, c->dim, c->a, c->s, c->torus ? c->L : 0, err);
  return mfh_potential_init_cosine(pot, c->dim, c->a, c->L, err);
}

static int nbody_validate(const mfh_params *p, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
#define BAD(name, ...) return mfh_param_reject(param, name, err, __VA_ARGS__)
  if (!c.torus && !c.gaussian_pot) BAD("potential", "the cosine potential lives on the torus: use domain: torus");
  if (c.torus && c.init == INIT_GAUSSIAN) BAD("init", "init gaussian is for domain: free");
  if (!c.torus && c.init != INIT_GAUSSIAN) BAD("init", "on the whole space use init: gaussian");
  if (c.torus && c.gaussian_pot && c.s > c.L / 8)
    BAD("s", "the Gaussian potential on the torus needs s <= L/8 (minimum image), got s = %g, L = %g", c.s, c.L);
  double t = mfh_params_real(p, "t");
  if (!mfh_whole_steps(t, c.dt))
    BAD("t", "t = %g is not a whole number of steps dt = %g", t, c.dt);
  if (c.ref == REF_EXACT && !(c.torus && c.init == INIT_HOMOGENEOUS))
    BAD("reference", "reference exact needs spatially homogeneous data on the torus (init: homogeneous); "
                     "use reference: vlasov in d = 1");
  if (c.ref == REF_VLASOV) {
    if (c.dim != 1) BAD("dim", "reference vlasov is 1D (dim: 1)");
    if (c.method != MFH_NBODY_VERLET) BAD("method", "reference vlasov pushes characteristics with Verlet: method verlet");
    if (!c.torus) BAD("domain", "reference vlasov runs on the torus (domain: torus)");
  }
  if (c.ref == REF_RBM && c.n % 2) BAD("N", "the random batch method pairs particles: N must be even (got %zu)", c.n);
  if (c.ref == REF_RBM && strcmp(mfh_params_str(p, "coupling"), "1/(N-1)") != 0)
    BAD("coupling", "reference rbm compares with the unbiased full system: coupling 1/(N-1)");
  if (c.ref == REF_RBM && c.method != MFH_NBODY_VERLET) BAD("method", "the random batch method steps with Verlet");
  mfh_potential pot;
  mfh_err perr;
  if (make_potential(&c, &pot, &perr)) BAD(c.gaussian_pot ? "s" : "L", "%s", perr.msg);
#undef BAD
  return MFH_OK;
}

/* Model constants for explicit bounds: ||V||_inf, ||grad V||_inf,
 * Lip(grad V), (2 pi)^-d ||V^||_L1. */
static int nbody_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  mfh_potential pot;
  mfh_potential_consts k;
  int rc = make_potential(&c, &pot, err);
  if (!rc) rc = mfh_potential_constants(&pot, &k, err);
  if (rc) return rc;
  mfh_values_set(out, "vinf", k.vinf);
  mfh_values_set(out, "gradinf", k.gradinf);
  mfh_values_set(out, "lipgrad", k.lipgrad);
  if (isfinite(k.vhat_l1)) mfh_values_set(out, "vhat_l1", k.vhat_l1);
  return MFH_OK;
}

/* ---- initial data ------------------------------------------------------ */

static double sample_perturbed(gsl_rng *rng, double L, double alpha) {
  /* rejection from the uniform law: density (1 + alpha cos(2 pi x / L)) / L */
  for (;;) {
    double x = L * gsl_rng_uniform(rng);
    if (gsl_rng_uniform(rng) * (1 + alpha) <= 1 + alpha * cos(2 * M_PI * x / L)) return x;
  }
}

static void sample_initial(const cfg *c, gsl_rng *rng, double *x, double *v) {
  for (size_t j = 0; j < c->n; j++)
    for (int i = 0; i < c->dim; i++) {
      double *xi = &x[j * (size_t)c->dim + (size_t)i];
      if (c->init == INIT_GAUSSIAN)
        *xi = c->sx * gsl_ran_gaussian_ziggurat(rng, 1.0);
      else if (c->init == INIT_PERTURBED && i == 0)
        *xi = sample_perturbed(rng, c->L, c->alpha);
      else
        *xi = c->L * gsl_rng_uniform(rng);
    }
  for (size_t m = 0; m < c->n * (size_t)c->dim; m++) v[m] = c->sv * gsl_ran_gaussian_ziggurat(rng, 1.0);
}

/* ---- the Vlasov reference field ---------------------------------------- */

/* The Vlasov reference does not depend on N or on the random draw, so it is
 * computed once per sweep point (prepare) and shared read-only by every
 * replica: the acceleration a(t_n, x_i) on the grid at every step, and f on
 * the grid at every requested output time (MF-3).  Characteristics read the
 * field at arbitrary x by 6-point periodic Lagrange interpolation (error
 * O(dx^6)). */
typedef struct vlasov_ref {
  int nx;
  double L, dx, dt;
  long long nsteps;
  double *field; /* (nsteps + 1) * nx */
  size_t nsnap;
  double *snap_t;
  mfh_phase_grid *snap; /* nsnap grids */
  mfh_phase_grid snap0; /* f at t = 0 */
} vlasov_ref;

static double cos_V(double x, void *ctx) {
  const cfg *c = ctx;
  return c->a * cos(2 * M_PI * x / c->L);
}

static double cos_dV(double x, void *ctx) {
  const cfg *c = ctx;
  return -c->a * (2 * M_PI / c->L) * sin(2 * M_PI * x / c->L);
}

static double f_init(double x, double v, void *ctx) {
  const cfg *c = ctx;
  double rho = c->init == INIT_PERTURBED ? (1 + c->alpha * cos(2 * M_PI * x / c->L)) / c->L : 1.0 / c->L;
  return rho * exp(-v * v / (2 * c->sv * c->sv)) / (sqrt(2 * M_PI) * c->sv);
}

static void vlasov_ref_free(void *ptr) {
  vlasov_ref *r = ptr;
  if (!r) return;
  free(r->field);
  for (size_t k = 0; r->snap && k < r->nsnap; k++) free(r->snap[k].f);
  free(r->snap0.f);
  free(r->snap);
  free(r->snap_t);
  free(r);
}

static int vlasov_ref_make(const cfg *c0, size_t nstream, const double *stream, vlasov_ref **out,
                           mfh_err *err) {
  cfg c = *c0;
  mfh_vlasov *vl = NULL;
  vlasov_ref *r = calloc(1, sizeof *r);
  int rc = r ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (rc) return rc;
  mfh_vlasov_params vp;
  mfh_vlasov_params_init(&vp);
  vp.nx = c.nx;
  vp.nv = c.nv;
  vp.xmin = 0;
  vp.xmax = c.L;
  vp.vmin = -c.vmax * c.sv;
  vp.vmax = c.vmax * c.sv;
  vp.model = MFH_VLASOV_PAIR_PERIODIC;
  vp.threads = 1;
  if (c.gaussian_pot) {
    vp.a = c.a;
    vp.s = c.s;
  } else {
    vp.V = cos_V;
    vp.dV = cos_dV;
    vp.ctx = &c;
    vp.images = 0; /* the cosine is periodic already */
  }
  r->nx = c.nx;
  r->L = c.L;
  r->dx = c.L / c.nx;
  r->dt = c.dt;
  r->nsteps = llround(stream[nstream - 1] / c.dt);
  r->nsnap = nstream;
  r->field = malloc((size_t)(r->nsteps + 1) * (size_t)c.nx * sizeof *r->field);
  r->snap_t = malloc(nstream * sizeof *r->snap_t);
  r->snap = calloc(nstream, sizeof *r->snap);
  if (!r->field || !r->snap_t || !r->snap) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for the Vlasov reference");
  if (!rc) rc = mfh_vlasov_create(&vp, &vl, err);
  if (!rc) rc = mfh_vlasov_set_f(vl, f_init, &c, err);
  mfh_phase_grid g;
  if (!rc) mfh_vlasov_get_grid(vl, &g);
  size_t k = 0;
  for (long long n = 0; !rc && n <= r->nsteps; n++) {
    if (n > 0) rc = mfh_vlasov_step(vl, c.dt, err);
    if (!rc) rc = mfh_vlasov_field(vl, &r->field[(size_t)n * (size_t)c.nx]);
    for (int first = n == 0; !rc && (first || (k < nstream && llround(stream[k] / c.dt) == n)); first = 0) {
      mfh_phase_grid *s = first ? &r->snap0 : &r->snap[k];
      s->nx = (size_t)g.nx;
      s->nv = (size_t)g.nv;
      s->xmin = g.xmin;
      s->dx = g.dx;
      s->vmin = g.vmin;
      s->dv = g.dv;
      s->period = c.L;
      s->f = malloc(s->nx * s->nv * sizeof *s->f);
      if (!s->f) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      else memcpy(s->f, mfh_vlasov_f(vl), s->nx * s->nv * sizeof *s->f);
      if (!first) {
        r->snap_t[k] = stream[k];
        k++;
      }
    }
  }
  if (rc) mfh_err_prefix(err, "Vlasov reference");
  mfh_vlasov_destroy(vl);
  if (rc) {
    vlasov_ref_free(r);
    return rc;
  }
  *out = r;
  return MFH_OK;
}

static int nbody_prepare(const mfh_params *p, size_t nstream, const double *stream, void **shared,
                         mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  *shared = NULL;
  if (c.ref != REF_VLASOV) return MFH_OK;
  vlasov_ref *r;
  int rc = vlasov_ref_make(&c, nstream, stream, &r, err);
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

/* ---- the run ------------------------------------------------------------ */

/* Phase-space cloud (x_1..x_d, v_1..v_d) of a system. */
static int snapshot(const mfh_nbody *sys, int dim, mfh_cloud *c, mfh_err *err) {
  size_t n = mfh_nbody_size(sys);
  if (mfh_cloud_alloc(c, n, 2 * (size_t)dim)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (int i = 0; i < dim; i++) {
    const double *x = mfh_nbody_x(sys, i), *v = mfh_nbody_v(sys, i);
    for (size_t j = 0; j < n; j++) {
      c->x[j * 2 * (size_t)dim + (size_t)i] = x[j];
      c->x[j * 2 * (size_t)dim + (size_t)(dim + i)] = v[j];
    }
  }
  return MFH_OK;
}

/* Free streaming from (x0, v0) to time t, wrapped on the torus. */
static int free_stream(const cfg *c, const double *x0, const double *v0, double t, mfh_cloud *out, mfh_err *err) {
  size_t d = (size_t)c->dim;
  if (mfh_cloud_alloc(out, c->n, 2 * d)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (size_t j = 0; j < c->n; j++)
    for (size_t i = 0; i < d; i++) {
      double x = x0[j * d + i] + v0[j * d + i] * t;
      x -= c->L * floor(x / c->L);
      out->x[j * 2 * d + i] = x;
      out->x[j * 2 * d + d + i] = v0[j * d + i];
    }
  return MFH_OK;
}

/* KLIM-1: the weak-form Vlasov residual of the empirical measure with test
 * function phi(x, v) = psi(x) v_1, psi = sin(2 pi x_1/L) on the torus (odd, like
 * the force of a cos-modulated density, so <psi E> != 0) or x_1 e^{-x_1^2/2}:
 * (1/N) sum_j psi(x_j) (a_j - E_j)_1, a_j
 * the acceleration the integrator uses, E_j = -(1/N) sum_k grad V(x_j - x_k)
 * computed here independently by a plain double loop. */
static int klimontovich(mfh_nbody *sys, const cfg *c, const mfh_potential *pot, double *res, double *scale,
                        mfh_err *err) {
  int rc = mfh_nbody_compute_acc(sys, err);
  if (rc) return rc;
  size_t n = c->n, d = (size_t)c->dim;
  const double *acc = mfh_nbody_acc(sys, 0);
  double r = 0, sc = 0, dx[3], g[3];
  for (size_t j = 0; j < n; j++) {
    double e = 0;
    for (size_t k = 0; k < n; k++) {
      for (size_t i = 0; i < d; i++) dx[i] = mfh_nbody_x(sys, (int)i)[j] - mfh_nbody_x(sys, (int)i)[k];
      mfh_potential_grad(pot, dx, g);
      e -= g[0];
    }
    e /= (double)n;
    double x1 = mfh_nbody_x(sys, 0)[j];
    double psi = c->torus ? sin(2 * M_PI * x1 / c->L) : x1 * exp(-x1 * x1 / 2);
    r += psi * (acc[j] - e);
    sc += fabs(psi * e);
  }
  *res = fabs(r) / (double)n;
  *scale = sc / (double)n;
  return MFH_OK;
}

static int nbody_run(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                     mfh_err *err) {
  (void)rng; /* no draws of the system's own: initial data come from task->init_rng */
  cfg c;
  read_cfg(p, &c);
  size_t d = (size_t)c.dim, nd = c.n * d;
  mfh_potential pot;
  mfh_nbody *sys = NULL, *twin = NULL;
  gsl_rng *init_rng = NULL;
  vlasov_ref *own_ref = NULL;
  const vlasov_ref *ref = task->shared;
  double *x0 = malloc(nd * sizeof *x0), *v0 = malloc(nd * sizeof *v0);
  int rc = (x0 && v0) ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory for %zu particles", c.n);
  if (!rc) rc = make_potential(&c, &pot, err);
  if (!rc) rc = mfh_nbody_create(c.n, c.dim, &pot, c.coupling, &sys, err);
  if (rc) goto done;
  if (c.init_seed > 0) {
    /* the same initial data for every replica: only the random batches vary */
    init_rng = mfh_rng_alloc((unsigned long long)c.init_seed);
    if (!init_rng) {
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      goto done;
    }
  }
  sample_initial(&c, init_rng ? init_rng : task->init_rng, x0, v0);
  if ((rc = mfh_nbody_set_positions(sys, x0, err)) || (rc = mfh_nbody_set_velocities(sys, v0, err))) goto done;
  if (c.ref == REF_PERTURBED || c.ref == REF_REFINED || c.ref == REF_RBM || c.ref == REF_VLASOV) {
    mfh_potential none;
    const mfh_potential *tp = &pot;
    if (c.ref == REF_VLASOV) { /* characteristics do not interact */
      none = pot;
      none.a = 0;
      tp = &none;
    }
    if ((rc = mfh_nbody_create(c.n, c.dim, tp, c.coupling, &twin, err))) goto done;
    if (c.ref == REF_PERTURBED)
      for (size_t m = 0; m < nd; m++) x0[m] += c.delta * gsl_ran_gaussian_ziggurat(task->ref_rng, 1.0);
    if ((rc = mfh_nbody_set_positions(twin, x0, err)) || (rc = mfh_nbody_set_velocities(twin, v0, err))) goto done;
    if (c.ref == REF_PERTURBED) mfh_nbody_get_positions(twin, x0); /* wrapped */
  }
  if (c.ref == REF_VLASOV && !ref) { /* not prepared by the executor: make it here */
    if ((rc = vlasov_ref_make(&c, task->nstream, task->stream, &own_ref, err))) goto done;
    ref = own_ref;
  }
  if (task->needs & MFH_HAS_INITIAL) {
    for (size_t k = 0; !rc && k < task->nstream; k++) {
      rc = snapshot(sys, c.dim, &out[k].cloud0, err);
      if (!rc && twin) rc = snapshot(twin, c.dim, &out[k].twin0, err);
      if (!rc && c.ref == REF_EXACT) rc = free_stream(&c, x0, v0, 0, &out[k].twin0, err);
    }
    if (rc) goto done;
  }
  double e0 = mfh_nbody_total_energy(sys);
  long long step = 0;
  for (size_t k = 0; k < task->nstream; k++) {
    long long target = llround(task->stream[k] / c.dt);
    for (; step < target; step++) {
      double t = (double)step * c.dt;
      rc = mfh_nbody_step(sys, c.method, c.dt, err);
      if (!rc && c.ref == REF_PERTURBED) rc = mfh_nbody_step(twin, c.method, c.dt, err);
      if (!rc && c.ref == REF_VLASOV)
        rc = mfh_nbody_step_field(twin, c.method, t, c.dt, vlasov_field_fn, (void *)ref, err);
      if (!rc && c.ref == REF_RBM) rc = mfh_nbody_step_rbm(twin, c.dt, task->ref_rng, err);
      for (long long r = 0; !rc && c.ref == REF_REFINED && r < c.refine; r++)
        rc = mfh_nbody_step(twin, c.method, c.dt / (double)c.refine, err);
      if (rc) goto done;
    }
    double tk = (double)target * c.dt;
    if ((rc = snapshot(sys, c.dim, &out[k].cloud, err))) goto done;
    if (twin && (rc = snapshot(twin, c.dim, &out[k].twin, err))) goto done;
    if (c.ref == REF_EXACT && (rc = free_stream(&c, x0, v0, tk, &out[k].twin, err))) goto done;
    if (ref && (task->needs & MFH_HAS_GRID)) {
      const mfh_phase_grid *g = NULL;
      for (size_t q = 0; q < ref->nsnap; q++)
        if (llround(ref->snap_t[q] / c.dt) == target) g = &ref->snap[q];
      if (!g) {
        rc = mfh_err_set(err, MFH_EINTERNAL, "no Vlasov snapshot at t = %g", tk);
        goto done;
      }
      out[k].grid = *g;
      out[k].grid.f = malloc(g->nx * g->nv * sizeof *g->f);
      if (!out[k].grid.f) {
        rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
        goto done;
      }
      memcpy(out[k].grid.f, g->f, g->nx * g->nv * sizeof *g->f);
      if (task->needs & MFH_HAS_INITIAL) {
        out[k].grid0 = ref->snap0;
        out[k].grid0.f = malloc(g->nx * g->nv * sizeof *g->f);
        if (!out[k].grid0.f) {
          rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
          goto done;
        }
        memcpy(out[k].grid0.f, ref->snap0.f, g->nx * g->nv * sizeof *g->f);
      }
    }
    double e = mfh_nbody_total_energy(sys);
    mfh_values_set(&out[k].values, "energy_drift", fabs(e - e0) / fmax(fabs(e0), 1e-300));
    if (task->needs & MFH_HAS_VALUES) {
      double res, scale;
      if ((rc = klimontovich(sys, &c, &pot, &res, &scale, err))) goto done;
      mfh_values_set(&out[k].values, "klim", res);
      mfh_values_set(&out[k].values, "klim_scale", scale);
    }
  }
done:
  vlasov_ref_free(own_ref);
  if (init_rng) gsl_rng_free(init_rng);
  mfh_nbody_destroy(sys);
  mfh_nbody_destroy(twin);
  free(x0);
  free(v0);
  return rc;
}

/* Positions and velocities of the system, its twin and their initial
 * copies, forces (8 N d doubles); a Vlasov reference grid.  Per step: the
 * Gaussian pair sum is N^2/2 pairs at ~2 ns, the cosine one O(N); Yoshida
 * takes 3 force evaluations, a refined twin `refine` steps per step. */
static int nbody_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double N = (double)mfh_params_int(p, "N"), d = (double)mfh_params_int(p, "dim");
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
  const char *ref = mfh_params_str(p, "reference");
  *bytes = 8 * 8 * N * d;
  if (!strcmp(ref, "vlasov")) *bytes += 6 * 8 * (double)mfh_params_int(p, "nx") * (double)mfh_params_int(p, "nv");
  double per_force = !strcmp(mfh_params_str(p, "potential"), "gaussian") ? 1e-9 * N * N * d : 2e-8 * N * d;
  double evals = !strcmp(mfh_params_str(p, "method"), "yoshida4") ? 3 : 1;
  double twin = !strcmp(ref, "refined") ? (double)mfh_params_int(p, "refine") : 1;
  *seconds = steps * per_force * evals * (1 + twin);
  return MFH_OK;
}

const mfh_solver_type mfh_solver_nbody = {
    "nbody",
    "classical N-body Newton (coupling 1/N) and its reference: characteristics, a perturbed or "
    "refined copy, or random batches",
    "direct-sum forces (O(N) for the cosine); velocity Verlet / Yoshida 1990; Vlasov reference: "
    "semi-Lagrangian Strang (solvers/vlasov)",
    4, /* bump whenever results change: stored tasks of older versions are recomputed */
    nbody_params,
    sizeof nbody_params / sizeof nbody_params[0],
    0,
    MFH_HAS_CLOUD | MFH_HAS_TWIN | MFH_HAS_INITIAL | MFH_HAS_VALUES | MFH_HAS_GRID,
    nbody_validate,
    nbody_constants,
    nbody_run,
    nbody_prepare,
    vlasov_ref_free,
    nbody_estimate,
};
