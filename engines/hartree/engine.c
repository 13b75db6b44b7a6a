/* Engine `hartree`: the Hartree equation
 *   i eps d_t psi_k = -(eps^2/2) Lap psi_k + (V * rho) psi_k,  rho = sum_k w_k |psi_k|^2,
 * for a pure or mixed state R = sum_k w_k |psi_k><psi_k| (THEOREMS.md
 * section 1) on the box [-L/2, L/2), by the Strang split-step Fourier solver
 * of engines/hartree/hartree.h (Bao, Jin & Markowich 2002).
 *
 * State: the item "density" (core/density.h: orbitals + weights on the
 * grid, eps set) at every output time t (a stream parameter).  The initial
 * state (initial()) is built from the parameters: a coherent state, a WKB
 * state, a Toeplitz mixture of M coherent states with centres drawn from
 * init_seed, or the Gaussian Toeplitz state of HV-1 (thermal decomposition,
 * mfh_sc_toeplitz_gaussian).  The engine starts from any "density" of
 * orbitals (starts_from): another engine's initial state (the product
 * factor psi_in of the N-body Schroedinger engine, WKB data of an
 * Euler-Poisson study) is evolved on its own grid and at its own eps.
 * Scalars at every output time:
 *   mass_err, energy_err  relative drifts of tr R and of the energy (HV-2);
 *   x2, p2               tr(|x|^2 R) and tr(|P|^2 R) = tr(-eps^2 Lap R);
 *   edge, tail           resolution monitors (edge amplitude, spectral tail);
 *   h1_int               (h1: yes) int_0^t ||psi(s)||_{H^1} ds by the
 *                        trapezoidal rule over the steps, ||psi||_{H^1}^2 =
 *                        tr R + tr(-Lap R) (one diagnostics per step: the
 *                        steps are then taken one by one, bit-identical);
 *   n_grid, dt_used      (n = 0 and umax > 0) the grid and the step used;
 * Model constants (initial state): x2_0, kin2_0 = tr(-eps^2 Lap R_in), vinf:
 * the corrected HV-2 bound tr(|x|^2 R(t)) <= (x2_0 + (kin2_0 + 2 vinf) t) e^t;
 * lipgrad = Lip(grad V) = |a|/s^2 for the Gaussian interactions (HV-1).
 * The errors against a run with dt / r or on r n points are the harness's
 * refined references compared by the observable orbital_l2. */
#include "engines/hartree/engine.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "core/kinds.h"
#include "core/rng.h"
#include "engines/hartree/hartree.h"
#include "metrics/semiclassical/states.h"

static const mfh_param_def hartree_params[] = {
    {"n", MFH_PARAM_INT, "0", 0, 1 << 22, 0, 0, NULL,
     "grid points on the box [-L/2, L/2); 0: chosen from eps (umax = 0: the smallest power of 2 at least "
     "1.25 times what the resolution check needs; umax > 0: the smallest power of 2 >= 64 whose wave "
     "numbers pi n/L reach 2 umax/eps + 40; a refined reference refines n_mul)", MFH_PARAM_GRID},
    {"n_mul", MFH_PARAM_INT, "1", 1, 1024, 0, 0, NULL,
     "the grid has n_mul times the points of n (or of the automatic choice): what a refined reference of "
     "an automatic grid multiplies", MFH_PARAM_GRID},
    {"umax", MFH_PARAM_REAL, "0", 0, 1e6, 0, 0, NULL,
     "n = 0: the largest speed the state reaches during the run (0: use the resolution check of the "
     "initial state instead)", 0},
    {"L", MFH_PARAM_REAL, "16", 0, 1e6, 1, 0, NULL, "box width", 0},
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "semiclassical parameter (hbar)", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run per replica)",
     MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0", 0, 10, 0, 0, NULL,
     "time step (t must be a multiple of it); 0: chosen from eps, the largest 2^-k <= eps/dt_div (a "
     "refined reference refines dt_div)", MFH_PARAM_STEP},
    {"dt_div", MFH_PARAM_REAL, "10", 1, 1e6, 0, 0, NULL,
     "dt = 0: the step is the largest 2^-k <= eps/dt_div (a refined reference multiplies dt_div: the "
     "step is halved exactly for a factor 2)", MFH_PARAM_GRID},
    {"interaction", MFH_PARAM_CHOICE, "gaussian", 0, 0, 0, 0, "none|gaussian|gaussian_periodic|coulomb1d",
     "V = 0; a exp(-x^2/(2 s^2)) on R (zero-padded convolution); the same periodised on the box (the "
     "problem on the torus); or the 1D Coulomb kernel -a|x|/2 (exact linear convolution on the box)", 0},
    {"kernel", MFH_PARAM_CHOICE, "plain", 0, 0, 0, 0, "plain|corrected",
     "coulomb1d: the plain samples of -|x|/2 (trapezoidal rule, O(dx^2)) or V(0) = -dx/12 "
     "(Euler-Maclaurin corrected, O(dx^4))", 0},
    {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "interaction amplitude (a > 0 repulsive)", 0},
    {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "Gaussian interaction width", 0},
    {"state", MFH_PARAM_CHOICE, "coherent", 0, 0, 0, 0, "coherent|wkb|mixture|toeplitz",
     "initial state: a coherent state |z> (z = (q, p)); a WKB state sqrt(rho) e^{iS/eps} with rho = "
     "N(q, sq^2), S = p x + chirp x^2/2; the Toeplitz state sum_i w_i |z_i><z_i| of M coherent "
     "states drawn from N((q, p), diag(sq^2, sp^2)) (init_seed); or the Toeplitz state of the Gaussian "
     "symbol N((q, p), diag(sq^2, sp^2)) itself (thermal decomposition truncated at trace tail)", 0},
    {"q", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "position centre", 0},
    {"p", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "momentum centre", 0},
    {"sq", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "position spread (wkb, mixture, toeplitz)", 0},
    {"sp", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "momentum spread (mixture, toeplitz)", 0},
    {"chirp", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "WKB phase curvature", 0},
    {"M", MFH_PARAM_INT, "16", 1, 4096, 0, 0, NULL, "orbitals of the mixture", 0},
    {"weights", MFH_PARAM_STRING, "", 0, 0, 0, 0, NULL,
     "mixture weights, comma-separated (they must sum to 1; M is their number); empty: equal weights", 0},
    {"init_seed", MFH_PARAM_INT, "1", 1, 9e15, 0, 0, NULL, "seed of the mixture's points", 0},
    {"tail", MFH_PARAM_REAL, "1e-12", 0, 0.5, 1, 0, NULL, "toeplitz: dropped trace of the thermal decomposition",
     0},
    {"max_orbitals", MFH_PARAM_INT, "4000", 1, 1e6, 0, 0, NULL, "toeplitz: refuse states needing more orbitals",
     0},
    {"h1", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes",
     "yes: also h1_int = int_0^t ||psi||_{H^1} ds (trapezoidal over the steps; one FFT per orbital and "
     "step more)", 0},
};

#define MAX_WEIGHTS 4096

enum { IN_NONE, IN_GAUSSIAN, IN_GAUSSIAN_PERIODIC, IN_COULOMB1D };
enum { ST_COHERENT, ST_WKB, ST_MIXTURE, ST_TOEPLITZ };

typedef struct cfg {
  int n, inter, corrected, state, M, nweights, max_orb, h1, n_mul;
  double weights[MAX_WEIGHTS];
  double L, eps, dt, a, s, q, p, sq, sp, chirp, tail, dt_div, umax;
  long long init_seed;
} cfg;

static int make(const cfg *c, int n, double *kdx, mfh_hartree **out, mfh_err *err);
static int toeplitz_extent(const cfg *c, int n, mfh_hartree_resolution *res, mfh_err *err);

/* n = 0 and dt = 0 mean: choose from eps.  dt: the largest 2^-k <= eps/dt_div
 * (so any t of the form m 2^-j is a whole number of steps); n: with umax > 0
 * the smallest power of 2 >= 64 whose wave numbers pi n/L reach 2 umax/eps +
 * AUTO_KAMP (twice the largest velocity, plus the bandwidth of the
 * amplitude: the former hartree_ep solver's rule, CEP-5), otherwise the
 * smallest power of 2 whose grid passes the resolution check with the
 * initial state built on it (a priori from its moments for the Toeplitz
 * state), doubled once more if it is within 25% of the minimum. */
#define AUTO_KAMP 40.0
static void auto_grid(cfg *c) {
  if (c->dt == 0) c->dt = pow(2.0, -ceil(log2(c->dt_div / c->eps)));
  if (c->n != 0) return;
  if (c->umax > 0) {
    double k = 2 * c->umax / c->eps + AUTO_KAMP;
    int n = 64;
    while (n < (1 << 22) && M_PI * n / c->L < k) n *= 2;
    c->n = n;
    return;
  }
  /* double from 64 until the state built on the grid passes the check */
  for (int n = 64; n <= (1 << 22); n *= 2) {
    mfh_hartree *h = NULL;
    mfh_hartree_resolution res;
    mfh_err e;
    double kdx;
    c->n = n;
    int ok = c->state == ST_TOEPLITZ ? toeplitz_extent(c, n, &res, &e) == MFH_OK
                                     : make(c, n, &kdx, &h, &e) == MFH_OK &&
                                           mfh_hartree_check_resolution(h, 6, &res, &e) == MFH_OK;
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
  c->inter = !strcmp(in, "none")                ? IN_NONE
             : !strcmp(in, "gaussian")          ? IN_GAUSSIAN
             : !strcmp(in, "gaussian_periodic") ? IN_GAUSSIAN_PERIODIC
                                                : IN_COULOMB1D;
  c->corrected = !strcmp(mfh_params_str(ps, "kernel"), "corrected");
  c->a = mfh_params_real(ps, "a");
  c->s = mfh_params_real(ps, "s");
  const char *st = mfh_params_str(ps, "state");
  c->state = !strcmp(st, "coherent") ? ST_COHERENT : !strcmp(st, "wkb") ? ST_WKB : !strcmp(st, "mixture") ? ST_MIXTURE : ST_TOEPLITZ;
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
  c->tail = mfh_params_real(ps, "tail");
  c->max_orb = (int)mfh_params_int(ps, "max_orbitals");
  c->h1 = !strcmp(mfh_params_str(ps, "h1"), "yes");
  c->dt_div = mfh_params_real(ps, "dt_div");
  c->umax = mfh_params_real(ps, "umax");
  c->n_mul = (int)mfh_params_int(ps, "n_mul");
  auto_grid(c);
  if (c->n_mul > 1) c->n = c->n <= (1 << 22) / c->n_mul ? c->n * c->n_mul : -1; /* -1: refused by validate */
}

/* V(x) = -|x|/2; with ctx (the grid spacing) V(0) = -dx/12: the plain
 * samples make the grid sum the trapezoidal rule of int V(x_i - y) rho(y) dy,
 * whose integrand has a kink at y = x_i (Euler-Maclaurin: an error
 * (dx^2/12) rho(x_i)); the corrected V(0) removes it (O(dx^4)). */
static double coulomb1d(const double *x, void *ctx) {
  if (x[0] == 0 && ctx) return -*(const double *)ctx / 12;
  return -0.5 * fabs(x[0]);
}

/* The solver's parameters on the box [xmin, xmax) with n points, the
 * interaction of c (*kdx: the grid spacing the corrected Coulomb kernel
 * reads; it must outlive the solver). */
static void solver_params(const cfg *c, int dim, int n, double xmin, double xmax, double eps, double *kdx,
                          mfh_hartree_params *hp) {
  mfh_hartree_params_init(hp);
  hp->dim = dim;
  hp->n = n;
  hp->xmin = xmin;
  hp->xmax = xmax;
  hp->eps = eps;
  hp->threads = 1;
  if (c->inter == IN_NONE) {
    hp->interaction = MFH_HARTREE_NONE;
  } else if (c->inter == IN_GAUSSIAN || c->inter == IN_GAUSSIAN_PERIODIC) {
    hp->interaction = c->inter == IN_GAUSSIAN ? MFH_HARTREE_FREE : MFH_HARTREE_PERIODIC;
    hp->a = c->a;
    hp->s = c->s;
  } else {
    hp->interaction = MFH_HARTREE_FREE;
    hp->V = coulomb1d;
    hp->V_ctx = c->corrected ? kdx : NULL;
    hp->coupling = c->a;
  }
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

/* The Gaussian Toeplitz state's extent (the moments of its Wigner function
 * N((q, p), diag(sq^2, sp^2) + eps/2)) against the grid on n points: the a
 * priori resolution check (its high thermal orbitals, of weight ~ tail,
 * reach the box edge harmlessly, so the per-orbital check does not apply). */
static int toeplitz_extent(const cfg *c, int n, mfh_hartree_resolution *res, mfh_err *err) {
  mfh_hartree_extent ext = {fabs(c->p), sqrt(c->sp * c->sp + c->eps / 2), fabs(c->q),
                            sqrt(c->sq * c->sq + c->eps / 2)};
  return mfh_hartree_check_extent(c->eps, -c->L / 2, c->L / 2, n, &ext, 6, res, err);
}

/* Create a solver on n points and put the initial state in it. */
static int make(const cfg *c, int n, double *kdx, mfh_hartree **out, mfh_err *err) {
  *out = NULL;
  if (n < 8) return mfh_err_set(err, MFH_EINPUT, "n = %d: at least 8 grid points", n);
  *kdx = c->L / (double)n;
  mfh_hartree_params hp;
  solver_params(c, 1, n, -c->L / 2, c->L / 2, c->eps, kdx, &hp);
  hp.norb = c->M;
  hp.weights = c->nweights ? c->weights : NULL;
  mfh_sc_state *R0 = NULL;
  int rc = MFH_OK;
  if (c->state == ST_TOEPLITZ) {
    mfh_xgrid sg = {1, (size_t)n, -c->L / 2, c->L / (double)n};
    double m[2] = {c->q, c->p}, Sigma[4] = {c->sq * c->sq, 0, 0, c->sp * c->sp};
    rc = mfh_sc_toeplitz_gaussian(&sg, c->eps, m, Sigma, MFH_SC_ORBITALS, c->tail, (size_t)c->max_orb, &R0, NULL,
                                  err);
    if (rc) return rc;
    hp.norb = (int)R0->norb;
    hp.weights = R0->w;
  }
  rc = mfh_hartree_create(&hp, out, err);
  if (!rc && c->state == ST_COHERENT) {
    rc = mfh_hartree_set_coherent(*out, 0, &c->q, &c->p, err);
  } else if (!rc && c->state == ST_WKB) {
    wkb_ctx w = {c};
    rc = mfh_hartree_set_orbital(*out, 0, wkb_psi, &w, err);
    if (!rc) rc = mfh_hartree_normalize(*out, err);
  } else if (!rc && c->state == ST_MIXTURE) {
    double *q = malloc((size_t)c->M * sizeof *q), *p = malloc((size_t)c->M * sizeof *p);
    rc = (q && p) ? mixture_points(c, q, p, err) : mfh_err_set(err, MFH_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < c->M; i++) rc = mfh_hartree_set_coherent(*out, i, &q[i], &p[i], err);
    free(q);
    free(p);
  } else if (!rc) {
    for (size_t k = 0; k < R0->norb; k++)
      memcpy(mfh_hartree_orbital(*out, (int)k), &R0->orb[k * (size_t)n], (size_t)n * sizeof *R0->orb);
  }
  mfh_sc_state_destroy(R0);
  if (rc) {
    mfh_hartree_destroy(*out);
    *out = NULL;
  }
  return rc;
}

/* A solver holding the orbitals and weights of R, on R's grid and at R's eps
 * (the parameters' eps when R has none).  The box is [xmin, xmin + n dx);
 * a box centred on 0 (every box of mfh's engines) is rebuilt exactly. */
static int solver_from(const cfg *c, const mfh_density *R, double *kdx, mfh_hartree **out, mfh_err *err) {
  *out = NULL;
  if (R->kind != MFH_DENSITY_ORBITALS || !R->orb || !R->w || R->norb < 1)
    return mfh_err_set(err, MFH_EINPUT, "hartree: the initial density must be orbitals + weights, not a kernel");
  if (R->grid.dim != 1 && c->inter == IN_COULOMB1D)
    return mfh_err_set(err, MFH_EINPUT, "hartree: the 1D Coulomb kernel needs a 1D grid (got dim %d)", R->grid.dim);
  if (R->norb > (size_t)1 << 20) return mfh_err_set(err, MFH_EINPUT, "hartree: %zu orbitals: too many", R->norb);
  const mfh_xgrid *g = &R->grid;
  double xmax = g->xmin + (double)g->n * g->dx;
  if (fabs(xmax + g->xmin) <= 1e-12 * fabs(g->xmin)) xmax = -g->xmin;
  *kdx = g->dx;
  mfh_hartree_params hp;
  solver_params(c, g->dim, (int)g->n, g->xmin, xmax, R->eps > 0 ? R->eps : c->eps, kdx, &hp);
  hp.norb = (int)R->norb;
  hp.weights = R->w;
  int rc = mfh_hartree_create(&hp, out, err);
  size_t N = mfh_xgrid_points(g);
  for (size_t k = 0; !rc && k < R->norb; k++)
    memcpy(mfh_hartree_orbital(*out, (int)k), &R->orb[k * N], N * sizeof *R->orb);
  return rc;
}

/* The solver's state as an owned density (orbitals, weights, eps). */
static mfh_density *density_of(const mfh_hartree *h, double eps) {
  mfh_xgrid g;
  mfh_hartree_get_grid(h, &g);
  size_t norb = (size_t)mfh_hartree_norb(h), N = mfh_xgrid_points(&g);
  mfh_density *d = mfh_density_new(&g, MFH_DENSITY_ORBITALS, norb);
  if (!d) return NULL;
  d->eps = eps;
  memcpy(d->orb, mfh_hartree_orbital_const(h, 0), norb * N * sizeof *d->orb); /* orbitals are contiguous */
  memcpy(d->w, mfh_hartree_weights(h), norb * sizeof *d->w);
  return d;
}

/* Orbitals of the Toeplitz state's thermal decomposition at c's eps and tail. */
static int toeplitz_orbitals(const cfg *c, size_t *M, mfh_err *err) {
  double Sigma[4] = {c->sq * c->sq, 0, 0, c->sp * c->sp};
  *M = 0;
  return mfh_sc_toeplitz_gaussian_count(c->eps, Sigma, c->tail, M, err);
}

static int hartree_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  if (c.n < 0) return mfh_param_reject(param, "n_mul", err, "n_mul = %d: more than 2^22 grid points", c.n_mul);
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
  mfh_err e2;
  mfh_err_clear(&e2);
  if (c.state == ST_TOEPLITZ) {
    size_t M;
    if (toeplitz_orbitals(&c, &M, &e2))
      return mfh_param_reject(param, "tail", err, "%s", e2.msg);
    if (M > (size_t)c.max_orb)
      return mfh_param_reject(param, "max_orbitals", err,
                              "the Toeplitz state needs %zu orbitals at eps = %g, tail = %g (max_orbitals = %d)", M,
                              c.eps, c.tail, c.max_orb);
    if (toeplitz_extent(&c, c.n, NULL, &e2))
      return mfh_param_reject(param, !strncmp(e2.msg, "box too small", 13) ? "L" : "n", err, "%s", e2.msg);
  }
  /* the grid must resolve the initial state: build it and measure */
  mfh_hartree *h = NULL;
  double kdx;
  int rc = make(&c, c.n, &kdx, &h, &e2);
  if (rc) {
    *param = "n";
    return mfh_err_set(err, rc == MFH_ENOMEM ? MFH_ENOMEM : MFH_EINPUT, "%s", e2.msg);
  }
  mfh_hartree_resolution res;
  rc = c.state == ST_TOEPLITZ ? MFH_OK : mfh_hartree_check_resolution(h, 6, &res, &e2);
  mfh_hartree_destroy(h);
  if (rc) {
    *param = "n";
    return mfh_err_set(err, MFH_EINPUT, "%s", e2.msg);
  }
  return MFH_OK;
}

/* What one run costs, roughly: every step of the split-step scheme makes
 * about 6 FFTs of n points per orbital (the kinetic half steps and the
 * density) and 4 for the mean field; memory is the orbitals, twice (state
 * and output), plus the solver's buffers.  The constant, 2e-10 s per
 * n log2 n, is fitted to the CPU seconds of cep5-hartree-ep-1d (quick 0.68,
 * nightly 12.1), dt1-split-step (0.05) and hv2-hartree-1d (0.012, 0.048) on
 * the 2-core reference machine: within a factor 2 of each.  A coupled run
 * starting from another engine's density takes that engine's grid: the
 * estimate then uses this one's. */
static int hartree_estimate(const mfh_params *ps, double *bytes, double *seconds) {
  cfg c;
  read_cfg(ps, &c);
  double norb = c.M;
  if (c.state == ST_TOEPLITZ) {
    size_t M;
    mfh_err e;
    mfh_err_clear(&e);
    norb = toeplitz_orbitals(&c, &M, &e) == MFH_OK ? (double)M : (double)c.max_orb;
  }
  double n = c.n > 0 ? (double)c.n : 64, steps = ceil(mfh_params_real(ps, "t") / c.dt - 1e-9);
  if (!(steps >= 1)) steps = 1;
  *bytes = 16.0 * n * (2.0 * norb + 12.0);
  *seconds = 2e-10 * steps * (6.0 * norb + 4.0) * n * log2(n);
  return MFH_OK;
}

static int hartree_constants(const mfh_params *ps, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  mfh_hartree *h = NULL;
  mfh_hartree_diag d;
  double kdx;
  mfh_err e2;
  int rc = make(&c, c.n, &kdx, &h, &e2);
  if (rc == MFH_EINPUT) return MFH_OK; /* bad parameters: validate() names them at their line */
  if (!rc) rc = mfh_hartree_diagnostics(h, &d, &e2);
  mfh_hartree_destroy(h);
  if (rc) return mfh_err_set(err, rc, "%s", e2.msg);
  double vinf = c.inter == IN_COULOMB1D ? fabs(c.a) * c.L / 2 : c.inter == IN_NONE ? 0 : fabs(c.a);
  if (mfh_values_set(out, "x2_0", d.x2) || mfh_values_set(out, "kin2_0", d.p2) || mfh_values_set(out, "vinf", vinf))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if ((c.inter == IN_GAUSSIAN || c.inter == IN_GAUSSIAN_PERIODIC) &&
      mfh_values_set(out, "lipgrad", fabs(c.a) / (c.s * c.s)))
    return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

/* 1 when the grid is chosen by the velocity rule (n = 0, umax > 0): the run
 * then reports the grid and step it used (n_grid, dt_used). */
static int auto_velocity(const mfh_params *ps) {
  return mfh_params_int(ps, "n") == 0 && mfh_params_real(ps, "umax") > 0;
}

static int hartree_declare(const mfh_params *ps, mfh_decl *d, mfh_err *err) {
  int rc = mfh_decl_item(d, "density", &mfh_kind_density);
  if (!rc) rc = mfh_decl_scalars(d, "mass_err energy_err x2 p2 edge tail");
  if (!rc && !strcmp(mfh_params_str(ps, "h1"), "yes")) rc = mfh_decl_scalars(d, "h1_int");
  if (!rc && auto_velocity(ps)) rc = mfh_decl_scalars(d, "n_grid dt_used");
  return rc ? mfh_err_set(err, MFH_EINTERNAL, "hartree: bad declaration") : MFH_OK;
}

/* The initial state of the parameters (no draw from init_rng: the mixture's
 * centres come from init_seed). */
static int hartree_initial(const mfh_params *ps, gsl_rng *init_rng, mfh_state *s0, mfh_err *err) {
  (void)init_rng;
  cfg c;
  read_cfg(ps, &c);
  mfh_hartree *h = NULL;
  double kdx;
  int rc = make(&c, c.n, &kdx, &h, err);
  if (rc) return rc;
  mfh_density *d = density_of(h, c.eps);
  mfh_hartree_destroy(h);
  if (!d) return mfh_err_set(err, MFH_ENOMEM, "out of memory for the initial state");
  return mfh_state_put(s0, "density", &mfh_kind_density, d, err);
}

/* ||psi||_{H^1} = sqrt(tr R + tr(-Lap R)) from the diagnostics (<P^2> = eps^2 ||psi'||^2). */
static double h1_norm(const mfh_hartree_diag *d, double eps) { return sqrt(d->mass + d->p2 / (eps * eps)); }

/* Evolve ctx->from's density to every output time. */
static int hartree_run(const mfh_params *ps, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  const mfh_density *R0 = ctx->from ? mfh_state_get(ctx->from, &mfh_kind_density, NULL) : NULL;
  if (!R0) return mfh_err_set(err, MFH_EINPUT, "hartree: no initial density to start from");
  mfh_hartree *h = NULL;
  double kdx, eps = R0->eps > 0 ? R0->eps : c.eps;
  int rc = solver_from(&c, R0, &kdx, &h, err);
  mfh_hartree_diag d0, d;
  if (!rc) rc = mfh_hartree_diagnostics(h, &d0, err);
  double h1_prev = rc ? 0 : h1_norm(&d0, eps), h1_int = 0;
  long step = 0;
  for (size_t k = 0; !rc && k < ctx->nout; k++) {
    long target = lround(ctx->t[k] / c.dt);
    if (target > step && !c.h1) {
      rc = mfh_hartree_run(h, c.dt, target - step, err);
      step = target;
    }
    for (; !rc && c.h1 && step < target; step++) {
      rc = mfh_hartree_step(h, c.dt, err);
      if (!rc) rc = mfh_hartree_diagnostics(h, &d, err);
      if (rc) break;
      double h1 = h1_norm(&d, eps);
      h1_int += 0.5 * c.dt * (h1 + h1_prev);
      h1_prev = h1;
    }
    if (!rc) rc = mfh_hartree_diagnostics(h, &d, err);
    if (rc) break;
    mfh_density *R = density_of(h, eps);
    if (!R) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory for the state at t = %g", ctx->t[k]);
    if (!rc) rc = mfh_state_put(&out[k], "density", &mfh_kind_density, R, err);
    mfh_values *v = &out[k].scalars;
    int s = 0;
    s |= mfh_values_set(v, "mass_err", fabs(d.mass - d0.mass) / d0.mass);
    s |= mfh_values_set(v, "energy_err", fabs(d.energy - d0.energy) / fmax(fabs(d0.energy), 1e-300));
    s |= mfh_values_set(v, "x2", d.x2);
    s |= mfh_values_set(v, "p2", d.p2);
    s |= mfh_values_set(v, "edge", d.psi_max > 0 ? d.edge_max / d.psi_max : 0);
    s |= mfh_values_set(v, "tail", d.tail);
    if (c.h1) s |= mfh_values_set(v, "h1_int", h1_int);
    if (auto_velocity(ps)) {
      s |= mfh_values_set(v, "n_grid", (double)R0->grid.n);
      s |= mfh_values_set(v, "dt_used", c.dt);
    }
    if (!rc && s) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  mfh_hartree_destroy(h);
  return rc;
}

const mfh_engine_type mfh_engine_hartree = {
    .name = "hartree",
    .doc = "Hartree equation for a pure or mixed state in 1D (coherent, WKB, Toeplitz data, or another "
           "engine's density): the density at every t, conservation and moments",
    .method = "Strang split-step Fourier (Bao, Jin & Markowich 2002), engines/hartree/hartree.h",
    .version = 1,
    .params = hartree_params,
    .nparams = sizeof hartree_params / sizeof hartree_params[0],
    .validate = hartree_validate,
    .estimate = hartree_estimate,
    .constants = hartree_constants,
    .declare = hartree_declare,
    .starts_from = "density",
    .initial = hartree_initial,
    .run = hartree_run,
};
