/* Engine `rbm_identities`: the exact identities of the random batch method
 * (RBM) for the N-body Schroedinger equation in d = 1 (Golse, Jin & Paul,
 * seed 004; THEOREMS.md section 1 "Random batch method", RBM-3), computed as
 * the engine's own scalars: a self-test of the random batch step
 * (mfh_nbodyq_rbm_step) itself, with no reference.
 *
 * Model: N bosons (N even, 2 or 4) from the product state psi_in^(x)N,
 * psi_in the coherent state |q, p> at scale eps (the analytic samples,
 * mfh_sc_coherent), on the periodic box [-L/2, L/2) with M points per
 * particle (engines/nbodyq/nbodyq.h).  The full dynamics uses the paper's
 * coupling 1/(N-1) per pair; the RBM draws a uniform random perfect matching
 * at the start of every step and lets each pair interact with coefficient 1.
 * One run per task (no stream parameter; the sweep axis is dt); every draw
 * comes from the engine's stream (ctx->rng), in the order of the list below:
 *   n2_psi, n2_tr   N = 2: one RBM realisation vs the full dynamics
 *                   (coupling 1/(N-1) = 1) after t: max |Psi diff| and the
 *                   trace norm of the rdm1 difference (identical dynamics);
 *   v0_psi, v0_tr   a = 0, N particles: RBM vs full after t (identical);
 *   pair_dev        `draws` matchings drawn by mfh_nbodyq_rbm_step (on an
 *                   M = 4 copy, the same code path): max over pairs (l, n) of
 *                   |f_ln - 1/(N-1)|, f_ln the fraction of draws pairing l, n;
 *   pair_z          the same deviation in binomial standard deviations;
 *   pair_chi2, pair_p   Pearson chi-square of the counts of the (N-1)!!
 *                   perfect matchings against the uniform law ((N-1)!! - 1
 *                   degrees of freedom; p = 1 for N = 2) and its p-value;
 *                   pair_1mp = 1 - p, pair_mlog10p = -log10 p (a bound
 *                   check "pair_mlog10p <= 6" fails when p < 1e-6);
 *   onestep_tr, onestep_weak  after ONE step of length dt from the initial
 *                   product state: the exact expectation over all (N-1)!!
 *                   matchings (enumerated, no Monte Carlo) of the RBM rdm1
 *                   minus the full one-step rdm1, in trace norm and dual
 *                   proxy (metrics/semiclassical/dualnorm.h, the fixed
 *                   physical modes) (local bias O(dt^2) [004:L550]: slope 2);
 *   matchings       (N-1)!!. */
#include "engines/nbodyq/identities.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "engines/nbodyq/common.h"
#include "engines/nbodyq/nbodyq.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/dualnorm.h"
#include "metrics/semiclassical/states.h"

#define RBM_NMAX 5

static const mfh_param_def rbmid_params[] = {
    {"N", MFH_PARAM_INT, "4", 2, 5, 0, 0, NULL,
     "number of bosons (even) for the V = 0, pair and one-step checks", MFH_PARAM_SAMPLED},
    {"M", MFH_PARAM_INT, "16", 8, 4096, 0, 0, NULL, "grid points per particle (even)", 0},
    MFH_NBQ_MODEL_PARAMS,
    {"t", MFH_PARAM_REAL, "0.5", 0, 1e6, 0, 0, NULL,
     "time of the N = 2 and V = 0 identity runs (a multiple of dt)", 0},
    {"dt", MFH_PARAM_REAL, "0.05", 0, 10, 1, 0, NULL, "time step", 0},
    {"draws", MFH_PARAM_INT, "30000", 1, 1e8, 0, 0, NULL, "matchings drawn for the pair test", MFH_PARAM_SAMPLED},
    {"memory_gb", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL,
     "refuse configurations whose wave function and workspace exceed this (GB)", 0},
};

typedef mfh_nbq_cfg cfg;

/* Even N, then the checks of every nbodyq front end (common.h); the
 * identity runs hold the RBM and the full wave function at once. */
static int rbmid_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  if (c.N % 2)
    return mfh_param_reject(param, "N", err,
                            "the random batch method pairs the particles: N must be even (got %d)", c.N);
  return mfh_nbq_cfg_check(ps, &c, mfh_nbodyq_bytes(c.N, c.M), param, err);
}

#define RBMID_SCALARS                                                                                  \
  "n2_psi n2_tr v0_psi v0_tr pair_dev pair_z pair_chi2 pair_p pair_1mp pair_mlog10p onestep_tr "      \
  "onestep_weak matchings"

static int rbmid_declare(const mfh_params *ps, mfh_decl *d, mfh_err *err) {
  (void)ps;
  return mfh_decl_scalars(d, RBMID_SCALARS) ? mfh_err_set(err, MFH_EINTERNAL, "rbm_identities: bad declaration")
                                            : MFH_OK;
}

/* A solver for cfg c with N particles, amplitude a and the paper's coupling
 * 1/(N-1), set to the product of the coherent orbital phi. */
static int make_q(const cfg *c, int N, double a, const double complex *phi, mfh_nbodyq **q,
                  mfh_err *err) {
  mfh_nbodyq_params np;
  mfh_nbodyq_params_init(&np);
  np.N = N;
  np.M = c->M;
  np.L = c->L;
  np.eps = c->eps;
  np.a = a;
  np.s = c->s;
  np.coupling_kind = MFH_NBODYQ_COUPLING_NM1;
  np.max_bytes = c->mem;
  int rc = mfh_nbodyq_create(&np, q, err);
  if (!rc) rc = mfh_nbodyq_set_product(*q, phi, err);
  return rc;
}

static mfh_xgrid grid_of(const cfg *c) {
  mfh_xgrid g = {1, (size_t)c->M, -c->L / 2, c->L / (double)c->M};
  return g;
}

/* The coherent orbital |q, p> on the grid (caller frees). */
static int orbital(const cfg *c, double complex **phi, mfh_err *err) {
  mfh_xgrid g = grid_of(c);
  *phi = malloc((size_t)c->M * sizeof **phi);
  if (!*phi) return mfh_err_set(err, MFH_ENOMEM, "rbm: out of memory");
  return mfh_sc_coherent(&g, c->eps, &c->q, &c->p, *phi, err);
}

/* Trace norm of the kernel difference A - B. */
static int trace_diff(const cfg *c, double complex *A, double complex *B, double *tr,
                      mfh_err *err) {
  mfh_xgrid g = grid_of(c);
  mfh_sc_state sa = {.grid = g, .kind = MFH_SC_KERNEL, .kernel = A}, sb = {.grid = g, .kind = MFH_SC_KERNEL, .kernel = B};
  mfh_sc_norms n;
  int rc = mfh_sc_norms_diff(&sa, &sb, &n, err);
  if (!rc) *tr = n.trace;
  return rc;
}

/* ---- RBM-3 identities ---------------------------------------------------- */

/* Every perfect matching of 0..N-1 as a permutation (pairs (perm[2k],
 * perm[2k+1]), each pair ordered, pairs in order of their smallest element),
 * into list[count * N]; returns the count (N-1)!!. */
static int matchings(int N, int *list) {
  int count = 0, perm[RBM_NMAX + 1], used[RBM_NMAX + 1] = {0};
  /* Iterative depth-first search over the choice of partner of the
   * smallest unused element. */
  int choice[RBM_NMAX / 2 + 1], depth = 0;
  choice[0] = 0;
  for (;;) {
    if (depth == N / 2) {
      memcpy(list + (size_t)count * N, perm, (size_t)N * sizeof *perm);
      count++;
      depth--;
      if (depth < 0) break;
      used[perm[2 * depth]] = used[perm[2 * depth + 1]] = 0;
      choice[depth]++;
      continue;
    }
    int first = 0;
    while (used[first]) first++;
    int partner = -1, seen = 0;
    for (int j = first + 1; j < N; j++)
      if (!used[j] && seen++ == choice[depth]) {
        partner = j;
        break;
      }
    if (partner < 0) {
      depth--;
      if (depth < 0) break;
      used[perm[2 * depth]] = used[perm[2 * depth + 1]] = 0;
      choice[depth]++;
      continue;
    }
    perm[2 * depth] = first;
    perm[2 * depth + 1] = partner;
    used[first] = used[partner] = 1;
    depth++;
    choice[depth] = 0;
  }
  return count;
}

/* Index of the matching given by perm in list (partner arrays compared). */
static int matching_index(int N, const int *list, int count, const int *perm) {
  int partner[RBM_NMAX + 1];
  for (int k = 0; k < N / 2; k++) {
    partner[perm[2 * k]] = perm[2 * k + 1];
    partner[perm[2 * k + 1]] = perm[2 * k];
  }
  for (int m = 0; m < count; m++) {
    const int *l = list + (size_t)m * N;
    int same = 1;
    for (int k = 0; k < N / 2 && same; k++) same = partner[l[2 * k]] == l[2 * k + 1];
    if (same) return m;
  }
  return -1;
}

static double max_abs_diff(const double complex *x, const double complex *y, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, cabs(x[i] - y[i]));
  return m;
}

/* RBM (one realisation with rng) vs full dynamics for N particles and
 * amplitude a over t: max |Psi diff| and the rdm1 trace norm. */
static int identity_run(const cfg *c, int N, double a, double t, const double complex *phi,
                        gsl_rng *rng, double *psidiff, double *tr, mfh_err *err) {
  mfh_nbodyq *f = NULL, *r = NULL;
  size_t M2 = (size_t)c->M * (size_t)c->M;
  double complex *Rf = malloc(M2 * sizeof *Rf), *Rr = malloc(M2 * sizeof *Rr);
  int rc = Rf && Rr ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "rbm: out of memory");
  if (!rc) rc = make_q(c, N, a, phi, &f, err);
  if (!rc) rc = make_q(c, N, a, phi, &r, err);
  long n = lround(t / c->dt);
  for (long s = 0; !rc && s < n; s++) {
    rc = mfh_nbodyq_step(f, c->dt, err);
    if (!rc) rc = mfh_nbodyq_rbm_step(r, c->dt, rng, NULL, err);
  }
  if (!rc) {
    *psidiff = max_abs_diff(mfh_nbodyq_psi_const(f), mfh_nbodyq_psi_const(r), mfh_nbodyq_size(f));
    rc = mfh_nbodyq_rdm1(f, Rf, err);
  }
  if (!rc) rc = mfh_nbodyq_rdm1(r, Rr, err);
  if (!rc) rc = trace_diff(c, Rr, Rf, tr, err);
  free(Rf);
  free(Rr);
  mfh_nbodyq_destroy(f);
  mfh_nbodyq_destroy(r);
  return rc;
}

static int rbmid_run(const mfh_params *ps, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  gsl_rng *rng = ctx->rng;
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  const double t = mfh_params_real(ps, "t");
  const long draws = (long)mfh_params_int(ps, "draws");
  const size_t M = (size_t)c.M, M2 = M * M;
  const double dx = c.L / (double)c.M, xmin = -c.L / 2;
  double complex *phi = NULL, *Rf = NULL, *Re = NULL, *Rt = NULL;
  mfh_nbodyq *q = NULL, *small = NULL;
  mfh_values *v = &out[0].scalars;
  int rc = orbital(&c, &phi, err);
  double psid = 0, tr = 0;
  /* N = 2 identity (the RBM with one pair is the full dynamics). */
  if (!rc) rc = identity_run(&c, 2, c.a, t, phi, rng, &psid, &tr, err);
  if (!rc) {
    mfh_values_set(v, "n2_psi", psid);
    mfh_values_set(v, "n2_tr", tr);
  }
  /* V = 0 identity. */
  if (!rc) rc = identity_run(&c, c.N, 0.0, t, phi, rng, &psid, &tr, err);
  if (!rc) {
    mfh_values_set(v, "v0_psi", psid);
    mfh_values_set(v, "v0_tr", tr);
  }
  /* Pair frequencies and the matching law, drawn by the solver's own step
   * on a small copy (M = 4, a = 0: the draws do not depend on the state). */
  int list[15 * RBM_NMAX];
  int nmatch = matchings(c.N, list);
  long count[15] = {0}, pairc[RBM_NMAX][RBM_NMAX];
  memset(pairc, 0, sizeof pairc);
  if (!rc) {
    cfg cs = c;
    cs.M = 4;
    double complex one[4] = {1, 1, 1, 1};
    rc = make_q(&cs, c.N, 0.0, one, &small, err);
  }
  for (long d = 0; !rc && d < draws; d++) {
    int perm[RBM_NMAX];
    rc = mfh_nbodyq_rbm_step(small, c.dt, rng, perm, err);
    if (rc) break;
    int m = matching_index(c.N, list, nmatch, perm);
    if (m < 0) {
      rc = mfh_err_set(err, MFH_EINTERNAL, "rbm: drawn permutation is not a matching");
      break;
    }
    count[m]++;
    for (int k = 0; k < c.N / 2; k++) {
      int x = perm[2 * k], y = perm[2 * k + 1];
      pairc[x < y ? x : y][x < y ? y : x]++;
    }
  }
  if (!rc) {
    double p1 = 1.0 / (c.N - 1), dev = 0, z = 0;
    for (int x = 0; x < c.N; x++)
      for (int y = x + 1; y < c.N; y++) {
        double f = (double)pairc[x][y] / (double)draws, d = fabs(f - p1);
        dev = fmax(dev, d);
        z = fmax(z, d / sqrt(p1 * (1 - p1) / (double)draws));
      }
    double e = (double)draws / nmatch, chi2 = 0;
    for (int m = 0; m < nmatch; m++) chi2 += (count[m] - e) * (count[m] - e) / e;
    double pv = nmatch > 1 ? gsl_cdf_chisq_Q(chi2, nmatch - 1) : 1.0;
    mfh_values_set(v, "pair_dev", dev);
    mfh_values_set(v, "pair_z", z);
    mfh_values_set(v, "pair_chi2", chi2);
    mfh_values_set(v, "pair_p", pv);
    mfh_values_set(v, "pair_1mp", 1 - pv);
    mfh_values_set(v, "pair_mlog10p", pv > 0 ? -log10(pv) : 300.0);
  }
  /* One-step bias: exact expectation over the matchings. */
  if (!rc) {
    Rf = malloc(M2 * sizeof *Rf);
    Re = calloc(M2, sizeof *Re);
    Rt = malloc(M2 * sizeof *Rt);
    if (!Rf || !Re || !Rt) rc = mfh_err_set(err, MFH_ENOMEM, "rbm: out of memory");
  }
  if (!rc) rc = make_q(&c, c.N, c.a, phi, &q, err);
  if (!rc) rc = mfh_nbodyq_step(q, c.dt, err);
  if (!rc) rc = mfh_nbodyq_rdm1(q, Rf, err);
  for (int m = 0; !rc && m < nmatch; m++) {
    rc = mfh_nbodyq_set_product(q, phi, err);
    if (!rc) rc = mfh_nbodyq_rbm_step_matching(q, c.dt, list + (size_t)m * c.N, err);
    if (!rc) rc = mfh_nbodyq_rdm1(q, Rt, err);
    for (size_t i = 0; !rc && i < M2; i++) Re[i] += Rt[i];
  }
  if (!rc) {
    for (size_t i = 0; i < M2; i++) Re[i] /= nmatch;
    rc = trace_diff(&c, Re, Rf, &tr, err);
  }
  mfh_sc_dual_result res;
  if (!rc) {
    for (size_t i = 0; i < M2; i++) Rt[i] = Re[i] - Rf[i];
    mfh_sc_dual_fixed modes;
    mfh_sc_dual_fixed_default(c.L, M, &modes);
    rc = mfh_sc_dual_norm_fixed(Rt, M, xmin, dx, c.eps, &modes, &res, err);
  }
  if (!rc) {
    mfh_values_set(v, "onestep_tr", tr);
    mfh_values_set(v, "onestep_weak", res.value);
    mfh_values_set(v, "matchings", nmatch);
  }
  mfh_nbodyq_destroy(q);
  mfh_nbodyq_destroy(small);
  free(phi);
  free(Rf);
  free(Re);
  free(Rt);
  return rc;
}

/* The RBM and the full wave function at once, a few steps. */
static int rbmid_estimate(const mfh_params *ps, double *bytes, double *seconds) {
  mfh_nbq_estimate(ps, 0, 2, 1, bytes, seconds);
  return MFH_OK;
}

const mfh_engine_type mfh_engine_rbm_identities = {
    .name = "rbm_identities",
    .doc = "RBM-3 identities as scalars: N = 2 and V = 0 equal the full dynamics, uniform matchings "
           "(chi-square), exact one-step bias over all matchings",
    .method = "Golse, Jin & Paul (seed 004) [L37-49, L256, L550]; engines/nbodyq/nbodyq.h",
    .version = 1,
    .params = rbmid_params,
    .nparams = sizeof rbmid_params / sizeof rbmid_params[0],
    .validate = rbmid_validate,
    .declare = rbmid_declare,
    .run = rbmid_run,
    .estimate = rbmid_estimate,
    .conformance = "M=16 L=8 eps=0.65 t=0.1 dt=0.05 draws=200",
};
