/* `solver: qstates`: pairs of quantum states on a 1D grid at scale eps and
 * the quantities of THEOREMS.md MK-1, MK-2 and WIG-1 (section 3), computed
 * with solvers/semiclassical (states, Wigner/Husimi transforms, MK2^eps).
 *   pair coherent  A = |z1>, B = |z2>:
 *       mk2sq = MK2^eps(A, B)^2, excess = mk2sq - |z1 - z2|^2 (MK-2: = 2 d eps);
 *   pair random    A = a random pure state (a normalised superposition of
 *       three coherent states with random centres and complex amplitudes),
 *       B = a random Toeplitz mixture of M coherent states (random centres,
 *       Dirichlet weights), drawn from the task's stream:
 *       mk2sq and mk1_ratio = 2 d eps / mk2sq (MK-1: <= 1);
 * and for A (both pairs), WIG-1 identities on the phase-space grid:
 *       wig_mass_err = |int W - tr R|, coh_wig_err (pair coherent: max |W -
 *       (pi eps)^-1 exp(-(|x-q|^2 + |xi-p|^2)/eps)| relative to its max),
 *       odd_err = |pi eps W_odd(0, 0) + 1| for the odd state
 *       psi(x) = sqrt(2) (pi eps)^{-1/4} eps^{-1/2} x e^{-x^2/(2 eps)},
 *       hus_min = min Husimi / max Husimi (>= 0 up to rounding: reported as
 *       hus_neg = max(0, -hus_min)). */
#include "engines/semiclassical/solver.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/states.h"
#include "metrics/semiclassical/wigner.h"

static const mfh_param_def qstates_params[] = {
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "semiclassical parameter (hbar)", 0},
    {"n", MFH_PARAM_INT, "1024", 16, 1 << 16, 0, 0, NULL, "grid points on [-L/2, L/2) (even)", 0},
    {"L", MFH_PARAM_REAL, "12", 0, 1e6, 1, 0, NULL, "box width", 0},
    {"pair", MFH_PARAM_CHOICE, "coherent", 0, 0, 0, 0, "coherent|random",
     "coherent: two coherent states z1, z2; random: a random pure state and a random Toeplitz mixture", 0},
    {"q1", MFH_PARAM_REAL, "-1", -1e6, 1e6, 0, 0, NULL, "z1 = (q1, p1)", 0},
    {"p1", MFH_PARAM_REAL, "0.5", -1e6, 1e6, 0, 0, NULL, "z1 = (q1, p1)", 0},
    {"q2", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "z2 = (q2, p2)", 0},
    {"p2", MFH_PARAM_REAL, "-0.5", -1e6, 1e6, 0, 0, NULL, "z2 = (q2, p2)", 0},
    {"spread", MFH_PARAM_REAL, "1.5", 0, 1e6, 1, 0, NULL, "random pair: centres uniform in [-spread, spread]^2", MFH_PARAM_SAMPLED},
    {"M", MFH_PARAM_INT, "8", 1, 1024, 0, 0, NULL, "random pair: coherent states in the mixture", MFH_PARAM_SAMPLED},
    {"wigner", MFH_PARAM_INT, "1", 0, 1, 0, 0, NULL, "1: also compute the WIG-1 identities", 0},
    {"mk3", MFH_PARAM_INT, "0", 0, 1, 0, 0, NULL,
     "1: also W_2 between the two Husimi functions (certified grid bracket) for MK-3", 0},
};

typedef struct cfg {
  double eps, L, q1, p1, q2, p2, spread;
  int n, random, M, wigner, mk3;
} cfg;

static void read_cfg(const mfh_params *ps, cfg *c) {
  c->eps = mfh_params_real(ps, "eps");
  c->n = (int)mfh_params_int(ps, "n");
  c->L = mfh_params_real(ps, "L");
  c->random = !strcmp(mfh_params_str(ps, "pair"), "random");
  c->q1 = mfh_params_real(ps, "q1");
  c->p1 = mfh_params_real(ps, "p1");
  c->q2 = mfh_params_real(ps, "q2");
  c->p2 = mfh_params_real(ps, "p2");
  c->spread = mfh_params_real(ps, "spread");
  c->M = (int)mfh_params_int(ps, "M");
  c->wigner = (int)mfh_params_int(ps, "wigner");
  c->mk3 = (int)mfh_params_int(ps, "mk3");
}

static mfh_xgrid grid_of(const cfg *c) {
  mfh_xgrid g = {1, (size_t)c->n, -c->L / 2, c->L / (double)c->n};
  return g;
}

/* Every coherent state used must be resolved: momenta |p| + 6 sd(P) under
 * pi eps/dx and positions |q| + 6 sd(x) inside the box (sd = sqrt(eps/2)). */
static int resolved(const cfg *c, double q, double p, char *why, size_t len) {
  double dx = c->L / c->n, sd = sqrt(c->eps / 2);
  double pmax = M_PI * c->eps / dx;
  if (fabs(p) + 6 * sd > pmax) {
    snprintf(why, len, "under-resolved: |p| + 6 sd(P) = %.3g exceeds pi eps/dx = %.3g (need n >= %.0f)",
             fabs(p) + 6 * sd, pmax, ceil(c->L * (fabs(p) + 6 * sd) / (M_PI * c->eps)));
    return 0;
  }
  if (fabs(q) + 6 * sd > c->L / 2) {
    snprintf(why, len, "the state at q = %g does not fit in the box [-%g, %g)", q, c->L / 2, c->L / 2);
    return 0;
  }
  return 1;
}

static int qstates_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  char why[200];
  if (c.n % 2) {
    *param = "n";
    return mfh_err_set(err, MFH_EINPUT, "n must be even (got %d)", c.n);
  }
  double qs[3] = {c.q1, c.q2, c.random ? c.spread : 0}, pss[3] = {c.p1, c.p2, c.random ? c.spread : 0};
  for (int i = 0; i < 3; i++)
    if (!resolved(&c, qs[i], pss[i], why, sizeof why)) {
      *param = "n";
      return mfh_err_set(err, MFH_EINPUT, "%s", why);
    }
  return MFH_OK;
}

static int set_values(mfh_values *v, const char *name, double x) { return mfh_values_set(v, name, x); }

/* WIG-1 identities for state A (and the odd state). */
static int wigner_identities(const cfg *c, const mfh_xgrid *g, const mfh_sc_state *A, int coherent,
                             mfh_values *out, mfh_err *err) {
  mfh_sc_phase *ws = NULL;
  mfh_phase_grid W = {0}, H = {0};
  size_t nxi = 2 * (size_t)c->n;
  int rc = mfh_sc_phase_create(g, c->eps, nxi, 1, &ws, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &W, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &H, err);
  if (!rc) rc = mfh_sc_wigner(ws, A, &W, NULL, err);
  double mass = 0, tr = 0;
  if (!rc) rc = mfh_phase_grid_moments(&W, &mass, NULL, NULL, err);
  if (!rc) rc = mfh_sc_state_trace(A, &tr, err);
  if (!rc) rc = set_values(out, "wig_mass_err", fabs(mass - tr));
  if (!rc && coherent) {
    double emax = 0, wmax = 1 / (M_PI * c->eps);
    for (size_t i = 0; i < W.nx; i++)
      for (size_t k = 0; k < W.nv; k++) {
        double x = W.xmin + (double)i * W.dx, xi = W.vmin + (double)k * W.dv;
        double ex = exp(-((x - c->q1) * (x - c->q1) + (xi - c->p1) * (xi - c->p1)) / c->eps) / (M_PI * c->eps);
        double d = fabs(W.f[i * W.nv + k] - ex);
        if (d > emax) emax = d;
      }
    rc = set_values(out, "coh_wig_err", emax / wmax);
  }
  if (!rc) rc = mfh_sc_husimi(ws, A, &H, NULL, err);
  if (!rc) {
    double hmin = INFINITY, hmax = -INFINITY;
    for (size_t m = 0; m < H.nx * H.nv; m++) {
      if (H.f[m] < hmin) hmin = H.f[m];
      if (H.f[m] > hmax) hmax = H.f[m];
    }
    rc = set_values(out, "hus_neg", fmax(0.0, -hmin / hmax));
  }
  /* the odd state: W(0, 0) = -1/(pi eps) exactly */
  if (!rc) {
    mfh_sc_state odd = {.grid = *g, .kind = MFH_SC_ORBITALS, .norb = 1};
    double w1 = 1;
    odd.w = &w1;
    odd.orb = malloc(g->n * sizeof *odd.orb);
    if (!odd.orb) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
    for (size_t j = 0; !rc && j < g->n; j++) {
      double x = g->xmin + (double)j * g->dx;
      odd.orb[j] = sqrt(2.0) * pow(M_PI * c->eps, -0.25) / sqrt(c->eps) * x * exp(-x * x / (2 * c->eps));
    }
    if (!rc) rc = mfh_sc_wigner(ws, &odd, &W, NULL, err);
    if (!rc) {
      /* the node nearest (0, 0): x = 0 is node n/2, xi = 0 is node nxi/2 */
      double w00 = W.f[(g->n / 2) * W.nv + W.nv / 2];
      rc = set_values(out, "odd_err", fabs(M_PI * c->eps * w00 + 1));
    }
    free(odd.orb);
  }
  mfh_phase_grid_free(&W);
  mfh_phase_grid_free(&H);
  mfh_sc_phase_destroy(ws);
  return rc;
}

/* MK-3 [000:L235]: MK2^eps(A, B)^2 >= W_2(Husimi A, Husimi B)^2 - 2 d eps.
 * W_2 between the Husimi functions on the phase grid is bracketed
 * (mfh_sc_w2_grid; its upper end widened by the continuum cell terms), so
 * mk3_ratio = ((upper + cells)^2 - 2 eps) / MK2^eps^2 <= 1 certifies the
 * inequality for the continuum Husimi functions. */
static int mk3_quantities(const cfg *c, const mfh_xgrid *g, const mfh_sc_state *A, const mfh_sc_state *B,
                          double mk2sq, mfh_values *out, mfh_err *err) {
  mfh_sc_phase *ws = NULL;
  mfh_phase_grid HA = {0}, HB = {0};
  mfh_sc_w2grid w;
  int rc = mfh_sc_phase_create(g, c->eps, g->n, 1, &ws, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &HA, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(ws, &HB, err);
  if (!rc) rc = mfh_sc_husimi(ws, A, &HA, NULL, err);
  if (!rc) rc = mfh_sc_husimi(ws, B, &HB, NULL, err);
  if (!rc) rc = mfh_sc_w2_grid(&HA, &HB, NULL, &w, err);
  if (!rc) {
    double up = w.upper + w.cell_f + w.cell_g;
    set_values(out, "w2_husimi_lo", w.lower);
    set_values(out, "w2_husimi_hi", up);
    rc = set_values(out, "mk3_ratio", (up * up - 2 * c->eps) / mk2sq);
  }
  mfh_phase_grid_free(&HA);
  mfh_phase_grid_free(&HB);
  mfh_sc_phase_destroy(ws);
  return rc;
}

static int qstates_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                       mfh_err *err) {
  (void)rng; /* no draws of the system's own: initial data come from task->init_rng */
  (void)task;
  cfg c;
  read_cfg(ps, &c);
  mfh_xgrid g = grid_of(&c);
  size_t n = g.n;
  mfh_sc_state *A = NULL, *B = NULL;
  int rc = mfh_sc_state_create(&g, MFH_SC_ORBITALS, 1, &A, err);
  if (!rc) rc = mfh_sc_state_create(&g, MFH_SC_ORBITALS, c.random ? (size_t)c.M : 1, &B, err);
  if (rc) goto done;
  A->w[0] = 1;
  if (!c.random) {
    B->w[0] = 1;
    rc = mfh_sc_coherent(&g, c.eps, &c.q1, &c.p1, A->orb, err);
    if (!rc) rc = mfh_sc_coherent(&g, c.eps, &c.q2, &c.p2, B->orb, err);
  } else {
    /* A: normalised superposition of three coherent states */
    double complex *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      goto done;
    }
    for (size_t j = 0; j < n; j++) A->orb[j] = 0;
    for (int k = 0; !rc && k < 3; k++) {
      gsl_rng *r = task->init_rng; /* A is the system's state */
      double q = c.spread * (2 * gsl_rng_uniform(r) - 1), p = c.spread * (2 * gsl_rng_uniform(r) - 1);
      double complex amp = gsl_ran_gaussian_ziggurat(r, 1.0) + I * gsl_ran_gaussian_ziggurat(r, 1.0);
      rc = mfh_sc_coherent(&g, c.eps, &q, &p, tmp, err);
      for (size_t j = 0; !rc && j < n; j++) A->orb[j] += amp * tmp[j];
    }
    free(tmp);
    double norm = 0;
    for (size_t j = 0; j < n; j++) norm += creal(A->orb[j] * conj(A->orb[j])) * g.dx;
    for (size_t j = 0; j < n; j++) A->orb[j] /= sqrt(norm);
    /* B: Toeplitz mixture with Dirichlet(1, ..., 1) weights */
    double sum = 0;
    gsl_rng *rb = task->ref_rng; /* B is the reference's */
    for (int k = 0; k < c.M; k++) sum += (B->w[k] = gsl_ran_exponential(rb, 1.0));
    for (int k = 0; !rc && k < c.M; k++) {
      B->w[k] /= sum;
      double q = c.spread * (2 * gsl_rng_uniform(rb) - 1), p = c.spread * (2 * gsl_rng_uniform(rb) - 1);
      rc = mfh_sc_coherent(&g, c.eps, &q, &p, &B->orb[(size_t)k * n], err);
    }
  }
  double mk2sq = 0;
  if (!rc) rc = mfh_sc_mk2eps_sq(A, B, c.eps, &mk2sq, err);
  if (rc) goto done;
  mfh_values *v = &out[0].values;
  set_values(v, "mk2sq", mk2sq);
  set_values(v, "mk1_ratio", 2 * c.eps / mk2sq); /* d = 1 */
  if (!c.random) {
    double dz2 = (c.q1 - c.q2) * (c.q1 - c.q2) + (c.p1 - c.p2) * (c.p1 - c.p2);
    set_values(v, "excess", mk2sq - dz2);
  }
  if (c.wigner) rc = wigner_identities(&c, &g, A, !c.random, v, err);
  if (!rc && c.mk3) rc = mk3_quantities(&c, &g, A, B, mk2sq, v, err);
done:
  mfh_sc_state_destroy(A);
  mfh_sc_state_destroy(B);
  return rc;
}

const mfh_solver_type mfh_solver_qstates = {
    .name = "qstates",
    .doc = "pairs of quantum states at scale eps (coherent, random pure vs Toeplitz mixture): MK2^eps, "
           "Wigner and Husimi identities",
    .reference = "engines/semiclassical: exact MK2^eps formula when one state is pure (THEOREMS.md "
                 "section 2), FFT half-step Wigner transform, Gaussian smoothing for Husimi",
    .version = 1,
    .params = qstates_params,
    .nparams = sizeof qstates_params / sizeof qstates_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = qstates_validate,
    .constants = NULL,
    .run = qstates_run,
    .prepare = NULL,
    .release = NULL,
};
