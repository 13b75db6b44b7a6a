/* `solver: hartree`: the Hartree equation i eps d_t psi = -(eps^2/2) Lap psi
 * + (V * rho) psi for a pure or mixed state (THEOREMS.md section 1), by the
 * split-step solver of engines/hartree/hartree.h.  Values at every output
 * time t (a stream parameter):
 *   mass_err, energy_err  relative drifts of tr R and of the energy (HV-2);
 *   x2, p2               tr(|x|^2 R) and tr(|P|^2 R) = tr(-eps^2 Lap R);
 *   edge, tail           resolution monitors (edge amplitude, spectral tail);
 * and with reference refined:
 *   err_dt               ||R_dt - R_ref||: the orbitals against a run with
 *                        dt / refine (same grid), weighted L2 (DT-1);
 *   err_n                the same against a run on a grid with 2n points on
 *                        the same box (nested grids: every other point), the
 *                        spatial error (spectral for smooth data).
 * Model constants (initial state): x2_0, kin2_0 = tr(-eps^2 Lap R_in), vinf:
 * the corrected HV-2 bound tr(|x|^2 R(t)) <= (x2_0 + (kin2_0 + 2 vinf) t) e^t. */
#include "engines/hartree/solver.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "engines/hartree/hartree.h"

static const mfh_param_def hartree_params[] = {
    {"n", MFH_PARAM_INT, "0", 0, 1 << 22, 0, 0, NULL,
     "grid points on the box [-L/2, L/2); 0: chosen from eps (the smallest power of 2 at least 1.25 "
     "times what the resolution check needs)", 0},
    {"L", MFH_PARAM_REAL, "16", 0, 1e6, 1, 0, NULL, "box width", 0},
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "semiclassical parameter (hbar)", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run per replica)", 1},
    {"dt", MFH_PARAM_REAL, "0", 0, 10, 0, 0, NULL,
     "time step (t must be a multiple of it); 0: chosen from eps, the largest 2^-k <= eps/10", 0},
    {"interaction", MFH_PARAM_CHOICE, "gaussian", 0, 0, 0, 0, "none|gaussian|coulomb1d",
     "V = 0, a exp(-x^2/(2 s^2)), or the 1D Coulomb kernel -a|x|/2 (exact linear convolution on the box)", 0},
    {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "interaction amplitude (a > 0 repulsive)", 0},
    {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "Gaussian interaction width", 0},
    {"state", MFH_PARAM_CHOICE, "coherent", 0, 0, 0, 0, "coherent|wkb|mixture",
     "initial state: a coherent state |z> (z = (q, p)); a WKB state sqrt(rho) e^{iS/eps} with rho = "
     "N(q, sq^2), S = p x + chirp x^2/2; or the Toeplitz state sum_i w_i |z_i><z_i| of M coherent "
     "states drawn from N((q, p), diag(sq^2, sp^2)) (init_seed)", 0},
    {"q", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "position centre", 0},
    {"p", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "momentum centre", 0},
    {"sq", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "position spread (wkb, mixture)", 0},
    {"sp", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "momentum spread (mixture)", 0},
    {"chirp", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "WKB phase curvature", 0},
    {"M", MFH_PARAM_INT, "16", 1, 4096, 0, 0, NULL, "orbitals of the mixture", 0},
    {"weights", MFH_PARAM_STRING, "", 0, 0, 0, 0, NULL,
     "mixture weights, comma-separated (they must sum to 1; M is their number); empty: equal weights", 0},
    {"init_seed", MFH_PARAM_INT, "1", 1, 9e15, 0, 0, NULL, "seed of the mixture's points", 0},
    {"reference", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, "none|refined",
     "refined: also runs with dt/refine and with 2n points, giving err_dt and err_n", 0},
    {"refine", MFH_PARAM_INT, "8", 2, 1024, 0, 0, NULL, "reference refined: dt / refine", 0},
};

#define MAX_WEIGHTS 4096

typedef struct cfg {
  int n, inter, state, ref, M, nweights;
  double weights[MAX_WEIGHTS];
  double L, eps, dt, a, s, q, p, sq, sp, chirp;
  long long refine, init_seed;
} cfg;

enum { ST_COHERENT, ST_WKB, ST_MIXTURE };

static int make(const cfg *c, int n, mfh_hartree **out, mfh_err *err);

/* n = 0 and dt = 0 mean: choose from eps.  dt: the largest 2^-k <= eps/10
 * (so any t of the form m 2^-j is a whole number of steps); n: the smallest
 * power of 2 whose grid passes the resolution check with the initial state
 * built on it, doubled once more if it is within 25% of the minimum. */
static void auto_grid(cfg *c) {
  if (c->dt == 0) c->dt = pow(2.0, -ceil(log2(10.0 / c->eps)));
  if (c->n != 0) return;
  /* double from 64 until the state built on the grid passes the check */
  for (int n = 64; n <= (1 << 22); n *= 2) {
    mfh_hartree *h = NULL;
    mfh_hartree_resolution res;
    mfh_err e;
    c->n = n;
    int ok = make(c, n, &h, &e) == MFH_OK && mfh_hartree_check_resolution(h, 6, &res, &e) == MFH_OK;
    mfh_hartree_destroy(h);
    if (ok) {
      if (res.n_min > 0 && (double)n < 1.25 * res.n_min) c->n = 2 * n;
      return;
    }
  }
}

static void read_cfg(const mfh_params *ps, cfg *c) {
  c->n = (int)mfh_params_int(ps, "n");
  c->L = mfh_params_real(ps, "L");
  c->eps = mfh_params_real(ps, "eps");
  c->dt = mfh_params_real(ps, "dt");
  const char *in = mfh_params_str(ps, "interaction");
  c->inter = !strcmp(in, "none") ? 0 : !strcmp(in, "gaussian") ? 1 : 2;
  c->a = mfh_params_real(ps, "a");
  c->s = mfh_params_real(ps, "s");
  const char *st = mfh_params_str(ps, "state");
  c->state = !strcmp(st, "coherent") ? ST_COHERENT : !strcmp(st, "wkb") ? ST_WKB : ST_MIXTURE;
  c->q = mfh_params_real(ps, "q");
  c->p = mfh_params_real(ps, "p");
  c->sq = mfh_params_real(ps, "sq");
  c->sp = mfh_params_real(ps, "sp");
  c->chirp = mfh_params_real(ps, "chirp");
  c->M = c->state == ST_MIXTURE ? (int)mfh_params_int(ps, "M") : 1;
  c->nweights = 0;
  const char *w = mfh_params_str(ps, "weights");
  while (c->state == ST_MIXTURE && *w && c->nweights < MAX_WEIGHTS) {
    char *end;
    double x = strtod(w, &end);
    if (end == w) { /* not a number: recorded as NaN, refused by validate */
      c->weights[c->nweights++] = NAN;
      break;
    }
    c->weights[c->nweights++] = x;
    w = end;
    while (*w == ' ' || *w == ',') w++;
  }
  if (c->nweights) c->M = c->nweights;
  c->init_seed = mfh_params_int(ps, "init_seed");
  c->ref = !strcmp(mfh_params_str(ps, "reference"), "refined");
  c->refine = mfh_params_int(ps, "refine");
  auto_grid(c);
}

static double coulomb1d(const double *x, void *ctx) {
  (void)ctx;
  return -0.5 * fabs(x[0]);
}

typedef struct wkb_ctx {
  const cfg *c;
} wkb_ctx;

static double complex wkb_psi(const double *x, void *vctx) {
  const cfg *c = ((const wkb_ctx *)vctx)->c;
  double y = x[0] - c->q;
  double amp = pow(2 * M_PI * c->sq * c->sq, -0.25) * exp(-y * y / (4 * c->sq * c->sq));
  double phase = (c->p * x[0] + 0.5 * c->chirp * x[0] * x[0]) / c->eps;
  return amp * cexp(I * phase);
}

/* The mixture's points z_i = (q_i, p_i), equal weights: drawn from a fixed
 * seed, so the initial state does not depend on the replica. */
static int mixture_points(const cfg *c, double *q, double *p, mfh_err *err) {
  gsl_rng *r = mfh_rng_alloc((unsigned long long)c->init_seed);
  if (!r) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  for (int i = 0; i < c->M; i++) {
    q[i] = c->q + c->sq * gsl_ran_gaussian_ziggurat(r, 1.0);
    p[i] = c->p + c->sp * gsl_ran_gaussian_ziggurat(r, 1.0);
  }
  gsl_rng_free(r);
  return MFH_OK;
}

/* Create a solver on n points and put the initial state in it. */
static int make(const cfg *c, int n, mfh_hartree **out, mfh_err *err) {
  if (n < 8) return mfh_err_set(err, MFH_EINPUT, "n = %d: at least 8 grid points", n);
  mfh_hartree_params hp;
  mfh_hartree_params_init(&hp);
  hp.dim = 1;
  hp.n = n;
  hp.xmin = -c->L / 2;
  hp.xmax = c->L / 2;
  hp.eps = c->eps;
  hp.norb = c->M;
  hp.weights = c->nweights ? c->weights : NULL;
  hp.threads = 1;
  if (c->inter == 0) {
    hp.interaction = MFH_HARTREE_NONE;
  } else if (c->inter == 1) {
    hp.interaction = MFH_HARTREE_FREE;
    hp.a = c->a;
    hp.s = c->s;
  } else {
    hp.interaction = MFH_HARTREE_FREE;
    hp.V = coulomb1d;
    hp.coupling = c->a;
  }
  int rc = mfh_hartree_create(&hp, out, err);
  if (rc) return rc;
  if (c->state == ST_COHERENT) {
    rc = mfh_hartree_set_coherent(*out, 0, &c->q, &c->p, err);
  } else if (c->state == ST_WKB) {
    wkb_ctx w = {c};
    rc = mfh_hartree_set_orbital(*out, 0, wkb_psi, &w, err);
    if (!rc) rc = mfh_hartree_normalize(*out, err);
  } else {
    double *q = malloc((size_t)c->M * sizeof *q), *p = malloc((size_t)c->M * sizeof *p);
    rc = (q && p) ? mixture_points(c, q, p, err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < c->M; i++) rc = mfh_hartree_set_coherent(*out, i, &q[i], &p[i], err);
    free(q);
    free(p);
  }
  if (rc) {
    mfh_hartree_destroy(*out);
    *out = NULL;
  }
  return rc;
}

static int hartree_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  if (c.nweights) {
    double sum = 0;
    for (int i = 0; i < c.nweights; i++) {
      if (!(c.weights[i] >= 0) || !isfinite(c.weights[i])) {
        *param = "weights";
        return mfh_err_set(err, MFH_EINPUT, "weights: entry %d is not a non-negative number", i + 1);
      }
      sum += c.weights[i];
    }
    if (fabs(sum - 1) > 1e-12) {
      *param = "weights";
      return mfh_err_set(err, MFH_EINPUT, "weights: a mixed state's weights must sum to 1 (they sum to %.17g)", sum);
    }
  }
  double t = mfh_params_real(ps, "t");
  if (!mfh_whole_steps(t, c.dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c.dt);
  /* the grid must resolve the initial state: build it and measure */
  mfh_hartree *h = NULL;
  mfh_err e2;
  int rc = make(&c, c.n, &h, &e2);
  if (rc) {
    *param = "n";
    return mfh_err_set(err, rc == MFH_ENOMEM ? MFH_ENOMEM : MFH_EINPUT, "%s", e2.msg);
  }
  mfh_hartree_resolution res;
  rc = mfh_hartree_check_resolution(h, 6, &res, &e2);
  mfh_hartree_destroy(h);
  if (rc) {
    *param = "n";
    return mfh_err_set(err, MFH_EINPUT, "%s", e2.msg);
  }
  return MFH_OK;
}

static int hartree_constants(const mfh_params *ps, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  mfh_hartree *h = NULL;
  mfh_hartree_diag d;
  int rc = make(&c, c.n, &h, err);
  if (!rc) rc = mfh_hartree_diagnostics(h, &d, err);
  mfh_hartree_destroy(h);
  if (rc) return rc;
  mfh_values_set(out, "x2_0", d.x2);
  mfh_values_set(out, "kin2_0", d.p2);
  double vinf = c.inter == 1 ? fabs(c.a) : c.inter == 2 ? fabs(c.a) * c.L / 2 : 0;
  mfh_values_set(out, "vinf", vinf);
  return MFH_OK;
}

/* Weighted L2 distance between the orbitals of two solvers whose grids are
 * nested (stride 1 or 2 in the second). */
static double orbital_dist(const mfh_hartree *a, const mfh_hartree *b, int stride, int M) {
  mfh_xgrid ga;
  mfh_hartree_get_grid(a, &ga);
  const double *w = mfh_hartree_weights(a);
  double s = 0;
  for (int k = 0; k < M; k++) {
    const double complex *pa = mfh_hartree_orbital_const(a, k), *pb = mfh_hartree_orbital_const(b, k);
    double sk = 0;
    for (size_t j = 0; j < mfh_xgrid_points(&ga); j++) {
      double complex d = pa[j] - pb[j * (size_t)stride];
      sk += creal(d) * creal(d) + cimag(d) * cimag(d);
    }
    s += w[k] * sk * ga.dx;
  }
  return sqrt(s);
}

static int hartree_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                       mfh_err *err) {
  (void)rng;
  cfg c;
  read_cfg(ps, &c);
  mfh_hartree *h = NULL, *hr = NULL, *hn = NULL;
  int rc = make(&c, c.n, &h, err);
  if (!rc && c.ref) rc = make(&c, c.n, &hr, err);
  if (!rc && c.ref) rc = make(&c, 2 * c.n, &hn, err);
  mfh_hartree_diag d0, d;
  if (!rc) rc = mfh_hartree_diagnostics(h, &d0, err);
  long step = 0;
  for (size_t k = 0; !rc && k < task->nstream; k++) {
    long target = lround(task->stream[k] / c.dt);
    if (target > step) {
      rc = mfh_hartree_run(h, c.dt, target - step, err);
      if (!rc && hr) rc = mfh_hartree_run(hr, c.dt / (double)c.refine, (target - step) * c.refine, err);
      if (!rc && hn) rc = mfh_hartree_run(hn, c.dt, target - step, err);
      step = target;
    }
    if (!rc) rc = mfh_hartree_diagnostics(h, &d, err);
    if (rc) break;
    mfh_values *v = &out[k].values;
    mfh_values_set(v, "mass_err", fabs(d.mass - d0.mass) / d0.mass);
    mfh_values_set(v, "energy_err", fabs(d.energy - d0.energy) / fmax(fabs(d0.energy), 1e-300));
    mfh_values_set(v, "x2", d.x2);
    mfh_values_set(v, "p2", d.p2);
    mfh_values_set(v, "edge", d.psi_max > 0 ? d.edge_max / d.psi_max : 0);
    mfh_values_set(v, "tail", d.tail);
    if (hr) mfh_values_set(v, "err_dt", orbital_dist(h, hr, 1, c.M));
    if (hn) mfh_values_set(v, "err_n", orbital_dist(h, hn, 2, c.M));
  }
  mfh_hartree_destroy(h);
  mfh_hartree_destroy(hr);
  mfh_hartree_destroy(hn);
  return rc;
}

const mfh_solver_type mfh_solver_hartree = {
    .name = "hartree",
    .doc = "Hartree equation for a pure or mixed state in 1D (coherent, WKB or Toeplitz mixture data): "
           "conservation, moments, time and space discretisation errors",
    .reference = "Strang split-step Fourier (Bao, Jin & Markowich 2002), engines/hartree/hartree.h",
    .version = 1, /* bump whenever results change (auto n/dt only changes defaults) */
    .params = hartree_params,
    .nparams = sizeof hartree_params / sizeof hartree_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = hartree_validate,
    .constants = hartree_constants,
    .run = hartree_run,
    .prepare = NULL,
    .release = NULL,
};
