/* `solver: rbm` and `solver: rbm_identities`: the random batch method (RBM)
 * for the N-body Schroedinger equation in d = 1 (Golse, Jin & Paul, seed 004;
 * THEOREMS.md section 1 "Random batch method", RBM-1, RBM-2, RBM-3).
 *
 * Model: N bosons (N even, 2 or 4) from the product state psi_in^(x)N,
 * psi_in the coherent state |q, p> at scale eps, on the periodic box
 * [-L/2, L/2) with M points per particle (solvers/nbodyq).  The full
 * dynamics uses the paper's coupling 1/(N-1) per pair; the RBM draws a
 * uniform random perfect matching at the start of every step and lets each
 * pair interact with coefficient 1 (mfh_nbodyq_rbm_step).  Both use the same
 * Strang split-step with the same dt, so the difference measured is the
 * RBM's and not the splitting's (the Strang error of the full dynamics is
 * reported next to it: strang_tr, strang_weak).
 *
 * `rbm` (stream parameter t: one run per task serves every output time).
 * Monte Carlo inside the task: `realisations` R independent RBM runs.  The
 * task's rng draws R 64-bit seeds first, seed_r = (g_1 << 32) | g_2 from two
 * consecutive gsl_rng_get (32-bit) draws, r = 0..R-1 in order; realisation r
 * runs on its own generator mfh_rng_alloc(seed_r) (core/rng.h), so its
 * matchings do not depend on the output times or on the other realisations.
 * Realisations run one after the other and every sum is taken in realisation
 * order: results are bit-reproducible.  At each output time t:
 *   E R~_1(t)  = (1/R) sum_r R~_1^(r)(t) (rdm1 averaged over the particle
 *                index, THEOREMS.md section 2), R_1(t) the full dynamics;
 *   weak       dual-norm proxy of D = E R~_1 - R_1 (engines/semiclassical/
 *              dualnorm.h: max over modes (k, l) of |chi_D(k, l)| /
 *              (max(1,|k|)^2 max(1,|l|)^2)), weak_k, weak_l its arg-max; the
 *              modes are the fixed physical set of mfh_sc_dual_fixed_default
 *              (|k| <= 4 on the box lattice, l = 0..4 step 0.25), the same test
 *              functions at every eps and dt, so values compare along a sweep;
 *   weak_se    Monte Carlo standard error of weak: weight x sqrt(s^2 / R),
 *              s^2 = (1/(R-1)) sum_r |chi_r - mean chi|^2 the sample variance
 *              of the complex per-realisation chi at the arg-max mode (this
 *              bounds the error of |mean chi| to first order; the arg-max is
 *              chosen from the same data, so weak itself is biased upwards
 *              by about weak_se when weak_se is not small);
 *   se_ratio   weak_se / weak (0 when weak = 0);
 *   gx, gxi, cosx   tr(D a^W) for a = e^{-x^2/2}, e^{-xi^2/2}, cos x (signed),
 *              with their Monte Carlo standard errors gx_se, gxi_se, cosx_se;
 *   tr         ||E R~_1 - R_1||_1 (LAPACK eigenvalues; includes the Monte
 *              Carlo noise of E R~_1, which only adds to it);
 *   rbm2_bound (2N/eps) dt ||V||_inf (1 + N t ||V||_inf / eps), ||V||_inf = |a|
 *              (RBM-2 [004:L695]), rbm2_ratio = tr / rbm2_bound;
 *   strang_tr, strang_weak  trace norm and dual proxy of R_1(t; dt) -
 *              R_1(t; dt/2) (full dynamics): the splitting error of the
 *              reference at this dt; strang_ratio = strang_weak / weak.
 *
 * `rbm_identities` (RBM-3), one run per task, the sweep axis being dt:
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
 *                   proxy (local bias O(dt^2) [004:L550]: slope 2). */
#include "engines/nbodyq/rbm.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/rng.h"
#include "engines/hartree/hartree.h"
#include "engines/nbodyq/common.h"
#include "engines/nbodyq/nbodyq.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/dualnorm.h"
#include "metrics/semiclassical/states.h"

#define RBM_NMAX 5

static const mfh_param_def rbm_params[] = {
    {"N", MFH_PARAM_INT, "4", 2, 5, 0, 0, NULL, "number of bosons (even)", MFH_PARAM_SAMPLED},
    {"M", MFH_PARAM_INT, "16", 8, 4096, 0, 0, NULL, "grid points per particle (even)", 0},
    MFH_NBQ_MODEL_PARAMS,
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run)", 1},
    {"dt", MFH_PARAM_REAL, "0.05", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", 0},
    {"realisations", MFH_PARAM_INT, "200", 2, 1e7, 0, 0, NULL,
     "RBM runs averaged inside one task (E over the random matchings)", MFH_PARAM_SAMPLED},
    {"memory_gb", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL,
     "refuse configurations whose wave function and workspace exceed this (GB)", 0},
};

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

/* Checks shared by both solvers: even N, then those of every nbodyq front
 * end (common.h). */
static int validate_common(const mfh_params *ps, const cfg *c, double extra_bytes, const char **param,
                           mfh_err *err) {
  if (c->N % 2)
    return mfh_param_reject(param, "N", err,
                            "the random batch method pairs the particles: N must be even (got %d)",
                            c->N);
  return mfh_nbq_cfg_check(ps, c, extra_bytes, param, err);
}

static int rbm_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  return validate_common(ps, &c, 0, param, err);
}

static int rbmid_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  /* the identity runs hold the RBM and the full wave function at once */
  return validate_common(ps, &c, mfh_nbodyq_bytes(c.N, c.M), param, err);
}

/* R realisations of the RBM and one full dynamics, one wave function at a
 * time. */
static int rbm_estimate(const mfh_params *ps, double *bytes, double *seconds) {
  mfh_nbq_estimate(ps, 0, 1, (double)mfh_params_int(ps, "realisations") + 1, bytes, seconds);
  return MFH_OK;
}

/* The RBM and the full wave function at once, a few steps. */
static int rbmid_estimate(const mfh_params *ps, double *bytes, double *seconds) {
  mfh_nbq_estimate(ps, 0, 2, 1, bytes, seconds);
  return MFH_OK;
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

/* Full dynamics with step h from 0, rdm1 at each stream time into
 * R[k M^2]. */
static int run_full(const cfg *c, const double complex *phi, double h, size_t nout,
                    const double *times, double complex *R, mfh_err *err) {
  mfh_nbodyq *q = NULL;
  int rc = make_q(c, c->N, c->a, phi, &q, err);
  size_t M2 = (size_t)c->M * (size_t)c->M;
  long step = 0;
  for (size_t k = 0; !rc && k < nout; k++) {
    long target = lround(times[k] / h);
    for (; !rc && step < target; step++) rc = mfh_nbodyq_step(q, h, err);
    if (!rc) rc = mfh_nbodyq_rdm1(q, R + k * M2, err);
  }
  mfh_nbodyq_destroy(q);
  return rc;
}

/* Welford update of a complex running mean and sum of squared deviations. */
static void welford_c(double complex *mean, double *m2, double complex x, double n) {
  double complex d = x - *mean;
  *mean += d / n;
  double complex d2 = x - *mean;
  *m2 += creal(d) * creal(d2) + cimag(d) * cimag(d2);
}

static void welford_r(double *mean, double *m2, double x, double n) {
  double d = x - *mean;
  *mean += d / n;
  *m2 += d * (x - *mean);
}

static int rbm_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                   mfh_err *err) {
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  const size_t R = (size_t)mfh_params_int(ps, "realisations");
  mfh_sc_dual_fixed modes;
  mfh_sc_dual_fixed_default(c.L, (size_t)c.M, &modes);
  const size_t nout = task->nstream, M = (size_t)c.M, M2 = M * M;
  const size_t nm = mfh_sc_dual_fixed_nmodes(&modes);
  const double dx = c.L / (double)c.M, xmin = -c.L / 2;
  double complex *phi = NULL, *Rfull = NULL, *Rhalf = NULL, *Rsum = NULL, *Rt = NULL, *chi = NULL;
  double complex *chim = NULL;
  double *chiv = NULL, *obm = NULL, *obv = NULL;
  unsigned long long *seeds = NULL;
  mfh_nbodyq *q = NULL;
  int rc = orbital(&c, &phi, err);
  if (!rc) {
    Rfull = malloc(nout * M2 * sizeof *Rfull);
    Rhalf = malloc(nout * M2 * sizeof *Rhalf);
    Rsum = calloc(nout * M2, sizeof *Rsum);
    Rt = malloc(M2 * sizeof *Rt);
    chi = malloc(nm * sizeof *chi);
    chim = calloc(nout * nm, sizeof *chim);
    chiv = calloc(nout * nm, sizeof *chiv);
    obm = calloc(nout * 3, sizeof *obm);
    obv = calloc(nout * 3, sizeof *obv);
    seeds = malloc(R * sizeof *seeds);
    if (!Rfull || !Rhalf || !Rsum || !Rt || !chi || !chim || !chiv || !obm || !obv || !seeds)
      rc = mfh_err_set(err, MFH_ENOMEM, "rbm: out of memory");
  }
  /* Per-realisation seeds, drawn first (see the header comment). */
  for (size_t r = 0; !rc && r < R; r++) {
    unsigned long long hi = gsl_rng_get(rng), lo = gsl_rng_get(rng);
    seeds[r] = (hi << 32) | (lo & 0xffffffffULL);
  }
  if (!rc) rc = run_full(&c, phi, c.dt, nout, task->stream, Rfull, err);
  if (!rc) rc = run_full(&c, phi, c.dt / 2, nout, task->stream, Rhalf, err);
  if (!rc) rc = make_q(&c, c.N, c.a, phi, &q, err);
  for (size_t r = 0; !rc && r < R; r++) {
    gsl_rng *rr = mfh_rng_alloc(seeds[r]);
    if (!rr) {
      rc = mfh_err_set(err, MFH_ENOMEM, "rbm: out of memory");
      break;
    }
    rc = mfh_nbodyq_set_product(q, phi, err);
    long step = 0;
    double n = (double)(r + 1);
    for (size_t k = 0; !rc && k < nout; k++) {
      long target = lround(task->stream[k] / c.dt);
      for (; !rc && step < target; step++) rc = mfh_nbodyq_rbm_step(q, c.dt, rr, NULL, err);
      if (!rc) rc = mfh_nbodyq_rdm1(q, Rt, err);
      if (!rc) rc = mfh_sc_dual_chi_fixed(Rt, M, xmin, dx, c.eps, &modes, chi, err);
      mfh_sc_dual_obs ob;
      if (!rc) rc = mfh_sc_dual_observables(Rt, M, xmin, dx, c.eps, &ob, err);
      if (rc) break;
      double complex *acc = Rsum + k * M2;
      for (size_t i = 0; i < M2; i++) acc[i] += Rt[i];
      for (size_t j = 0; j < nm; j++) welford_c(chim + k * nm + j, chiv + k * nm + j, chi[j], n);
      double o[3] = {ob.gauss_x, ob.gauss_xi, ob.cos_x};
      for (int j = 0; j < 3; j++) welford_r(obm + k * 3 + j, obv + k * 3 + j, o[j], n);
    }
    gsl_rng_free(rr);
  }
  static const char *const obname[3][2] = {{"gx", "gx_se"}, {"gxi", "gxi_se"}, {"cosx", "cosx_se"}};
  for (size_t k = 0; !rc && k < nout; k++) {
    double complex *Rf = Rfull + k * M2, *Rm = Rsum + k * M2;
    for (size_t i = 0; i < M2; i++) Rm[i] /= (double)R;
    double t = lround(task->stream[k] / c.dt) * c.dt;
    /* D = E R~ - R (into Rt) */
    for (size_t i = 0; i < M2; i++) Rt[i] = Rm[i] - Rf[i];
    mfh_sc_dual_result res;
    rc = mfh_sc_dual_norm_fixed(Rt, M, xmin, dx, c.eps, &modes, &res, err);
    mfh_sc_dual_obs obf;
    if (!rc) rc = mfh_sc_dual_observables(Rf, M, xmin, dx, c.eps, &obf, err);
    double tr = 0, str = 0;
    if (!rc) rc = trace_diff(&c, Rm, Rf, &tr, err);
    if (!rc) rc = trace_diff(&c, Rf, Rhalf + k * M2, &str, err);
    for (size_t i = 0; !rc && i < M2; i++) Rt[i] = Rf[i] - Rhalf[k * M2 + i];
    mfh_sc_dual_result sres;
    if (!rc) rc = mfh_sc_dual_norm_fixed(Rt, M, xmin, dx, c.eps, &modes, &sres, err);
    if (rc) break;
    double se = res.weight * sqrt(chiv[k * nm + res.mode] / ((double)(R - 1) * (double)R));
    double vinf = fabs(c.a);
    double bound = 2.0 * c.N / c.eps * c.dt * vinf * (1.0 + c.N * t * vinf / c.eps);
    mfh_values *v = &out[k].values;
    mfh_values_set(v, "weak", res.value);
    mfh_values_set(v, "weak_se", se);
    mfh_values_set(v, "weak_k", res.k);
    mfh_values_set(v, "weak_l", res.l);
    mfh_values_set(v, "se_ratio", res.value > 0 ? se / res.value : 0);
    double of[3] = {obf.gauss_x, obf.gauss_xi, obf.cos_x};
    for (int j = 0; j < 3; j++) {
      mfh_values_set(v, obname[j][0], obm[k * 3 + j] - of[j]);
      mfh_values_set(v, obname[j][1], sqrt(obv[k * 3 + j] / ((double)(R - 1) * (double)R)));
    }
    mfh_values_set(v, "tr", tr);
    mfh_values_set(v, "rbm2_bound", bound);
    mfh_values_set(v, "rbm2_ratio", tr / bound);
    mfh_values_set(v, "strang_tr", str);
    mfh_values_set(v, "strang_weak", sres.value);
    mfh_values_set(v, "strang_ratio", res.value > 0 ? sres.value / res.value : 0);
  }
  mfh_nbodyq_destroy(q);
  free(phi);
  free(Rfull);
  free(Rhalf);
  free(Rsum);
  free(Rt);
  free(chi);
  free(chim);
  free(chiv);
  free(obm);
  free(obv);
  free(seeds);
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

static int rbmid_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                     mfh_err *err) {
  (void)task;
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  const double t = mfh_params_real(ps, "t");
  const long draws = (long)mfh_params_int(ps, "draws");
  const size_t M = (size_t)c.M, M2 = M * M;
  const double dx = c.L / (double)c.M, xmin = -c.L / 2;
  double complex *phi = NULL, *Rf = NULL, *Re = NULL, *Rt = NULL;
  mfh_nbodyq *q = NULL, *small = NULL;
  mfh_values *v = &out[0].values;
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

const mfh_solver_type mfh_solver_rbm = {
    .name = "rbm",
    .doc = "random batch method for N bosons in 1D (N even) vs the full dynamics (coupling 1/(N-1)): "
           "weak error of E R~_1 (dual proxy, smooth observables, Monte Carlo errors), trace norm, "
           "RBM-2 bound",
    .reference = "Golse, Jin & Paul (seed 004); Strang split-step on the M^N grid (solvers/nbodyq); "
                 "dual proxy metrics/semiclassical/dualnorm.h",
    .version = 2,
    .params = rbm_params,
    .nparams = sizeof rbm_params / sizeof rbm_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = rbm_validate,
    .constants = NULL,
    .run = rbm_run,
    .prepare = NULL,
    .release = NULL,
    .estimate = rbm_estimate,
};

const mfh_solver_type mfh_solver_rbm_identities = {
    .name = "rbm_identities",
    .doc = "RBM-3 identities: N = 2 and V = 0 equal the full dynamics, uniform matchings "
           "(chi-square), exact one-step bias over all matchings",
    .reference = "Golse, Jin & Paul (seed 004) [L37-49, L256, L550]; solvers/nbodyq",
    .version = 2,
    .params = rbmid_params,
    .nparams = sizeof rbmid_params / sizeof rbmid_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = rbmid_validate,
    .constants = NULL,
    .run = rbmid_run,
    .prepare = NULL,
    .release = NULL,
    .estimate = rbmid_estimate,
};
