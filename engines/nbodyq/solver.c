/* `solver: schrodinger`: N bosons in d = 1 (solvers/nbodyq) from the product
 * state psi_in^{(x)N}, against the Hartree solution psi(t) from psi_in
 * (solvers/hartree, the same grid and dt), THEOREMS.md SH-1 and SH-2:
 *   tr, hs, op   trace, Hilbert-Schmidt and operator norms of
 *                R_{N:1}(t) - |psi(t)><psi(t)|;
 *   pickl        1 - <psi(t)|R_{N:1}(t)|psi(t)> (SH-2);
 *   sh1_ratio    op / ((2/sqrt N) e^{Lambda t}), Lambda = 2 ||V^||_L1 / ((2 pi) eps)
 *                = 2 |a| / eps for the Gaussian V (SH-1: <= 1);
 *   sh2_ratio    pickl / ((2/N)(exp((6/eps) int_0^t ||V||_inf ||psi(s)||_H1 ds) - 1))
 *                (SH-2, derived bound: <= 1), the H^1 norm integrated along the
 *                Hartree run by the trapezoidal rule;
 *   kp_ratio     tr / sqrt(8 pickl) (Knowles-Pickl: <= 1);
 *   mk2sq        MK2^eps(R_{N:1}(t), |psi(t)><psi(t)|)^2 by the exact formula (the
 *                Hartree state is pure, THEOREMS.md section 2), mk2_eps = mk2sq / eps
 *                (MK-2 / GMP-1 at t = 0: R_{N:1}(0) = |psi_in><psi_in|, coherent, so
 *                mk2sq = 2 d eps exactly, d = 1);
 *   dual         SH-3's certified lower bound of the dual norm of the Wigner
 *                difference W[R_{N:1}(t)] - W[|psi(t)><psi(t)|]: max over the FIXED
 *                physical modes k = j 2 pi / L (|k| <= 4), l = 0, 0.25, .., 4 of
 *                |chi(k, l)| / (max(1,|k|)^2 max(1,|l|)^2), chi the Wigner
 *                characteristic function (metrics/semiclassical/dualnorm.h, exact
 *                for the grid's trigonometric interpolant; the same test functions
 *                at every eps, so the values are comparable along an eps sweep);
 *   obs_gx, obs_gxi, obs_cos   |tr((R_{N:1} - |psi><psi|) a^W)| for the smooth
 *                bounded symbols a = exp(-x^2/2), exp(-xi^2/2), cos x;
 *   tr2, hs2, op2   (rdm2: yes) trace, HS and operator norms of
 *                R_{N:2}(t) - |psi(t) psi(t)><psi(t) psi(t)| (the two-particle
 *                marginal, averaged over ordered pairs, as a state on the 2D grid),
 *                and tr21 = tr2 / tr (the k-marginal error grows about like k).
 * The N-body box is periodic with minimum-image V, the Hartree one periodises
 * V: the two differ by O(exp(-L^2/(8 s^2))), negligible for L >= 10 s. */
#include "engines/nbodyq/solver.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "engines/hartree/hartree.h"
#include "engines/nbodyq/common.h"
#include "engines/nbodyq/nbodyq.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/dualnorm.h"

static const mfh_param_def sch_params[] = {
    {"N", MFH_PARAM_INT, "2", 2, 5, 0, 0, NULL, "number of bosons", 0},
    {"M", MFH_PARAM_INT, "32", 8, 4096, 0, 0, NULL, "grid points per particle (even)", 0},
    MFH_NBQ_MODEL_PARAMS,
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run)", 1},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step (t must be a multiple of it)", 0},
    {"rdm2", MFH_PARAM_CHOICE, "no", 0, 0, 0, 0, "no|yes",
     "also compare R_{N:2} with |psi psi><psi psi| (values tr2, hs2, op2, tr21; O(M^(N+2)) work per "
     "output time and an M^2 x M^2 eigenproblem)", 0},
    {"memory_gb", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL,
     "refuse configurations whose wave function and workspace exceed this (GB)", 0},
};

typedef mfh_nbq_cfg cfg;

static int want_rdm2(const mfh_params *ps) { return !strcmp(mfh_params_str(ps, "rdm2"), "yes"); }

static int sch_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  /* R2, its scratch and the norms' copies */
  double extra = want_rdm2(ps) ? mfh_nbodyq_rdm2_bytes(c.M) + 3 * 16.0 * pow((double)c.M, 4) : 0;
  return mfh_nbq_cfg_check(ps, &c, extra, param, err);
}

static int sch_estimate(const mfh_params *ps, double *bytes, double *seconds) {
  double M = (double)mfh_params_int(ps, "M");
  double extra = want_rdm2(ps) ? mfh_nbodyq_rdm2_bytes((int)M) + 3 * 16.0 * pow(M, 4) : 0;
  mfh_nbq_estimate(ps, extra, 1, 1, bytes, seconds);
  return MFH_OK;
}

/* ||psi||_{H^1}^2 = ||psi||^2 + ||psi'||^2 on the periodic grid (spectral
 * derivative through the Hartree diagnostics: <P^2> = eps^2 ||psi'||^2). */
static double h1_norm(mfh_hartree *h, double eps, mfh_err *err) {
  mfh_hartree_diag d;
  if (mfh_hartree_diagnostics(h, &d, err)) return NAN;
  return sqrt(d.mass + d.p2 / (eps * eps));
}

static int sch_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out, mfh_err *err) {
  (void)rng;
  cfg c;
  mfh_nbq_cfg_read(ps, &c);
  const int rdm2 = want_rdm2(ps);
  mfh_nbodyq *q = NULL;
  mfh_hartree *h = NULL;
  mfh_sc_state *R = NULL;
  double complex *phi = NULL, *D = NULL, *phi2 = NULL;
  mfh_sc_state *R2 = NULL;
  mfh_xgrid g2 = {2, (size_t)c.M, -c.L / 2, c.L / (double)c.M};
  mfh_nbodyq_params np;
  mfh_nbodyq_params_init(&np);
  np.N = c.N;
  np.M = c.M;
  np.L = c.L;
  np.eps = c.eps;
  np.a = c.a;
  np.s = c.s;
  np.max_bytes = c.mem;
  int rc = mfh_nbodyq_create(&np, &q, err);
  mfh_hartree_params hp;
  mfh_hartree_params_init(&hp);
  hp.dim = 1;
  hp.n = c.M;
  hp.xmin = -c.L / 2;
  hp.xmax = c.L / 2;
  hp.eps = c.eps;
  hp.interaction = MFH_HARTREE_PERIODIC;
  hp.a = c.a;
  hp.s = c.s;
  hp.threads = 1;
  if (!rc) rc = mfh_hartree_create(&hp, &h, err);
  if (!rc) rc = mfh_hartree_set_coherent(h, 0, &c.q, &c.p, err);
  if (!rc) rc = mfh_hartree_normalize(h, err);
  if (!rc) rc = mfh_nbodyq_set_product(q, mfh_hartree_orbital_const(h, 0), err);
  mfh_xgrid g = {1, (size_t)c.M, -c.L / 2, c.L / (double)c.M};
  if (!rc) rc = mfh_sc_state_create(&g, MFH_SC_KERNEL, 0, &R, err);
  phi = rc ? NULL : malloc((size_t)c.M * sizeof *phi);
  D = rc ? NULL : malloc((size_t)c.M * (size_t)c.M * sizeof *D);
  if (!rc && (!phi || !D)) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (!rc && rdm2) {
    rc = mfh_sc_state_create(&g2, MFH_SC_KERNEL, 0, &R2, err);
    phi2 = rc ? NULL : malloc((size_t)c.M * (size_t)c.M * sizeof *phi2);
    if (!rc && !phi2) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  /* SH-3 modes: the same physical (k, l) at every eps */
  mfh_sc_dual_fixed modes;
  mfh_sc_dual_fixed_default(c.L, (size_t)c.M, &modes);
  double h1_prev = rc ? 0 : h1_norm(h, c.eps, err), h1_int = 0;
  double vinf = fabs(c.a), lambda = 2 * fabs(c.a) / c.eps;
  long step = 0;
  for (size_t k = 0; !rc && k < task->nstream; k++) {
    long target = lround(task->stream[k] / c.dt);
    for (; !rc && step < target; step++) {
      rc = mfh_nbodyq_step(q, c.dt, err);
      if (!rc) rc = mfh_hartree_step(h, c.dt, err);
      if (rc) break;
      double h1 = h1_norm(h, c.eps, err);
      h1_int += 0.5 * c.dt * (h1 + h1_prev);
      h1_prev = h1;
    }
    if (rc) break;
    double t = (double)target * c.dt;
    rc = mfh_nbodyq_rdm1(q, R->kernel, err);
    if (rc) break;
    /* R_{N:1} as an operator: the kernel is in the sc convention (tr R = dx sum R_ii) */
    const double complex *psi = mfh_hartree_orbital_const(h, 0);
    memcpy(phi, psi, (size_t)c.M * sizeof *phi);
    double w1 = 1;
    mfh_sc_state pure = {.grid = g, .kind = MFH_SC_ORBITALS, .norb = 1, .orb = phi, .w = &w1};
    mfh_sc_norms nrm;
    rc = mfh_sc_norms_diff(R, &pure, &nrm, err);
    if (rc) break;
    /* <psi|R|psi> = dx^2 sum_ij conj(psi_i) R_ij psi_j */
    double complex ev = 0;
    for (int i = 0; i < c.M; i++) {
      double complex row = 0;
      for (int j = 0; j < c.M; j++) row += R->kernel[(size_t)i * (size_t)c.M + (size_t)j] * phi[j];
      ev += conj(phi[i]) * row;
    }
    double dx = g.dx, pickl = 1 - creal(ev) * dx * dx;
    mfh_values *v = &out[k].values;
    mfh_values_set(v, "tr", nrm.trace);
    mfh_values_set(v, "hs", nrm.hs);
    mfh_values_set(v, "op", nrm.op);
    mfh_values_set(v, "pickl", pickl);
    mfh_values_set(v, "sh1_ratio", nrm.op / (2 / sqrt((double)c.N) * exp(lambda * t)));
    double sh2 = 2.0 / c.N * expm1(6 / c.eps * vinf * h1_int);
    mfh_values_set(v, "sh2_ratio", t > 0 ? pickl / sh2 : 0);
    mfh_values_set(v, "kp_ratio", pickl > 0 ? nrm.trace / sqrt(8 * pickl) : 0);
    double mk2sq;
    rc = mfh_sc_mk2eps_sq(R, &pure, c.eps, &mk2sq, err);
    if (rc) break;
    mfh_values_set(v, "mk2sq", mk2sq);
    mfh_values_set(v, "mk2_eps", mk2sq / c.eps);
    for (int i = 0; i < c.M; i++)
      for (int j = 0; j < c.M; j++) {
        size_t ij = (size_t)i * (size_t)c.M + (size_t)j;
        D[ij] = R->kernel[ij] - phi[i] * conj(phi[j]);
      }
    mfh_sc_dual_result dr;
    mfh_sc_dual_obs ob;
    rc = mfh_sc_dual_norm_fixed(D, (size_t)c.M, -c.L / 2, dx, c.eps, &modes, &dr, err);
    if (!rc) rc = mfh_sc_dual_observables(D, (size_t)c.M, -c.L / 2, dx, c.eps, &ob, err);
    if (rc) break;
    mfh_values_set(v, "dual", dr.value);
    mfh_values_set(v, "dual_k", dr.k);
    mfh_values_set(v, "dual_l", dr.l);
    mfh_values_set(v, "obs_gx", fabs(ob.gauss_x));
    mfh_values_set(v, "obs_gxi", fabs(ob.gauss_xi));
    mfh_values_set(v, "obs_cos", fabs(ob.cos_x));
    if (rdm2) {
      rc = mfh_nbodyq_rdm2(q, R2->kernel, err);
      if (rc) break;
      for (int i = 0; i < c.M; i++)
        for (int j = 0; j < c.M; j++) phi2[(size_t)i * (size_t)c.M + (size_t)j] = phi[i] * phi[j];
      mfh_sc_state pure2 = {.grid = g2, .kind = MFH_SC_ORBITALS, .norb = 1, .orb = phi2, .w = &w1};
      mfh_sc_norms n2;
      rc = mfh_sc_norms_diff(R2, &pure2, &n2, err);
      if (rc) break;
      mfh_values_set(v, "tr2", n2.trace);
      mfh_values_set(v, "hs2", n2.hs);
      mfh_values_set(v, "op2", n2.op);
      mfh_values_set(v, "tr21", nrm.trace > 0 ? n2.trace / nrm.trace : 0);
    }
  }
  free(phi);
  free(D);
  free(phi2);
  mfh_sc_state_destroy(R2);
  mfh_sc_state_destroy(R);
  mfh_hartree_destroy(h);
  mfh_nbodyq_destroy(q);
  return rc;
}

const mfh_solver_type mfh_solver_schrodinger = {
    .name = "schrodinger",
    .doc = "N bosons in 1D (N = 2..5) from psi_in^(x)N vs the Hartree solution: norms of R_{N:1} - "
           "|psi><psi|, the Pickl functional and the SH-1/SH-2 bound ratios",
    .reference = "Strang split-step on the M^N tensor grid (solvers/nbodyq) and on the Hartree grid "
                 "(solvers/hartree); norms by LAPACK (solvers/semiclassical)",
    .version = 3,
    .params = sch_params,
    .nparams = sizeof sch_params / sizeof sch_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = sch_validate,
    .constants = NULL,
    .run = sch_run,
    .prepare = NULL,
    .release = NULL,
    .estimate = sch_estimate,
};
