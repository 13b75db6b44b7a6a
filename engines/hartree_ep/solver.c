/* `solver: hartree_ep`: the 1D Hartree equation with the Coulomb kernel
 *   i hbar d_t psi = -(hbar^2/2) psi'' + (V * |psi|^2) psi,   V(x) = -|x|/2,
 * from WKB data psi_in = sqrt(rho_in) e^{i S/hbar}, S' = u_in = -beta x,
 * rho_in = sqrt(2/pi) e^{-2 x^2} (Gaussian, sigma = 1/2), against the exact pressureless
 * Euler-Poisson solution with the same data (engines/ep1d/ep1d.h):
 * THEOREMS.md CEP-5, Golse-Paul [002:L1052-1132].
 *
 * Method: Strang split-step Fourier on the box [-L/2, L/2) with the exact
 * zero-padded (free) convolution of V = -|x|/2 (engines/hartree/hartree.h:
 * exact on R for a density supported in the box; the state is checked to be
 * negligible at the box edge, output edge).
 *
 * Values at every output time t (a stream parameter, before breaking):
 *   G, G_kin, G_pot  the modulated energy G = ||(hbar D - u) psi||^2 +
 *                    int (F_hbar - F_rho)^2 dx and its two parts
 *                    (engines/hartree_ep/hartree_ep.h);  G_h2 = G / hbar^2;
 *   G0, G0_exact     G at t = 0 on the grid and hbar^2 (the closed
 *                    form hbar^2 int |(sqrt rho_in)'|^2 = hbar^2); G0_err = relative
 *                    difference;
 *   L, M3            sup_{s<=t} ||u_x(s)||_inf (closed form) and
 *                    sup_{s<=t} ||u_xxx(s)||_inf (ep1d.h);
 *   bound, ratio     the CEP-5 right-hand side G0 e^{2Lt} + (1/2) hbar^2 M3
 *                    (e^{2Lt} - 1)/(2L) (THEOREMS.md erratum: no 1/t) and G/bound;
 *   cur_L1, cur_L2   ||J_hbar - rho u|| in L1 and L2, J_hbar = hbar Im(conj psi psi');
 *   jmod_ratio       ||J_hbar - rho_hbar u||_L1 / sqrt(G_kin) (<= 1 by Cauchy-Schwarz);
 *   mass_err, energy_err  relative drifts of mass and Hartree energy;
 *   edge, tail       resolution monitors (max |psi| on the box edge / max |psi|;
 *                    spectral power in the top 10% of the grid momenta);
 *   n_grid, dt_used  the grid and step actually used (auto choices);
 * and with reference refined (discretisation errors of the values above):
 *   G_err_dt, cur_err_dt  |G - G'| / G and |cur_L1 - cur_L1'| / cur_L1, G' from
 *                    a run with dt / refine on the same grid;
 *   G_err_n, cur_err_n    the same against a run on 2n points (same box, same dt).
 * Model constants: tbreak (beta > 0), L, M3 (at the model's t), G0_exact. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engines/ep1d/ep1d.h"
#include "engines/hartree/hartree.h"
#include "engines/hartree_ep/hartree_ep.h"

/* Auto grid: the grid wave numbers must reach 2 vmax / hbar + HEP_KAMP
 * (twice the largest velocity of the classical flow, plus the bandwidth of
 * the amplitude); auto dt: the largest 2^-k <= hbar / HEP_DTDIV. */
#define HEP_KAMP 40.0
#define HEP_DTDIV 20.0
/* The box must hold the classical support plus this margin on each side. */
#define HEP_BOX_MARGIN 1.0
#define HEP_PI 3.14159265358979323846

static const mfh_param_def hep_params[] = {
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "semiclassical parameter hbar", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "output time, before breaking (a sweep over t is one run per replica)", 1},
    {"beta", MFH_PARAM_REAL, "0.5", -10, 10, 0, 0, NULL,
     "initial velocity u_in(x) = -beta x (beta > 0 focusing: breaking time 1/beta)", 0},
    {"n", MFH_PARAM_INT, "0", 0, 1 << 22, 0, 0, NULL,
     "grid points on [-L/2, L/2) (even); 0: the smallest power of 2 whose wave numbers pi/dx reach "
     "2 (3 |beta| + T/2)/eps + 40, T = min(1/beta, 4)", 0},
    {"L", MFH_PARAM_REAL, "12", 0, 1e4, 1, 0, NULL, "box width", 0},
    {"dt", MFH_PARAM_REAL, "0", 0, 10, 0, 0, NULL,
     "time step (t must be a multiple of it); 0: the largest 2^-k <= eps/20", 0},
    {"state", MFH_PARAM_CHOICE, "wkb", 0, 0, 0, 0, "wkb|mixture",
     "initial state: the WKB state sqrt(rho_in) e^{iS/eps}, S' = u_in (monokinetic); mixture "
     "(a velocity spread sv around u_in) is refused: G(t) needs a single velocity field", 0},
    {"sv", MFH_PARAM_REAL, "0", 0, 1e3, 0, 0, NULL,
     "velocity spread of the initial state (must be 0: monokinetic data)", 0},
    {"kernel", MFH_PARAM_CHOICE, "corrected", 0, 0, 0, 0, "corrected|plain",
     "grid sum of the Coulomb convolution: V(0) = -dx/12 (Euler-Maclaurin corrected, O(dx^4)) or "
     "the plain samples of -|x|/2 (trapezoidal rule, O(dx^2))", 0},
    {"reference", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, "none|refined",
     "refined: also runs with dt/refine and with 2n points (G_err_dt, G_err_n, cur_err_*)", 0},
    {"refine", MFH_PARAM_INT, "2", 2, 1024, 0, 0, NULL, "reference refined: dt / refine", 0},
};

typedef struct cfg {
  double eps, beta, L, dt;
  int n, ref, mixture, plain;
  double sv;
  long long refine;
} cfg;

/* The wave number the grid must reach at time t. */
static double k_need(double t, double beta, double eps) { return 2 * mfh_ep1d_vmax(t, beta) / eps + HEP_KAMP; }

static void read_cfg(const mfh_params *ps, cfg *c) {
  c->eps = mfh_params_real(ps, "eps");
  c->beta = mfh_params_real(ps, "beta");
  c->L = mfh_params_real(ps, "L");
  c->dt = mfh_params_real(ps, "dt");
  c->n = (int)mfh_params_int(ps, "n");
  c->mixture = !strcmp(mfh_params_str(ps, "state"), "mixture");
  c->sv = mfh_params_real(ps, "sv");
  c->ref = !strcmp(mfh_params_str(ps, "reference"), "refined");
  c->refine = mfh_params_int(ps, "refine");
  c->plain = !strcmp(mfh_params_str(ps, "kernel"), "plain");
  if (c->dt == 0) c->dt = pow(2.0, -ceil(log2(HEP_DTDIV / c->eps)));
  if (c->n == 0) {
    double T = fmin(mfh_ep1d_breaking_time(c->beta), 4.0), k = k_need(T, c->beta, c->eps);
    int n = 64;
    while (n < (1 << 22) && HEP_PI * n / c->L < k) n *= 2;
    c->n = n;
  }
}

typedef struct wkb_ctx {
  double eps, beta;
} wkb_ctx;

/* psi_in(x) = sqrt(rho_in(x)) e^{i S(x)/eps}, S = -beta x^2/2. */
static double complex wkb_psi(const double *x, void *vctx) {
  const wkb_ctx *w = vctx;
  double amp = mfh_ep1d_sqrt_rho_in(x[0]);
  if (amp == 0) return 0;
  return amp * cexp(-I * 0.5 * w->beta * x[0] * x[0] / w->eps);
}

/* V(x) = -|x|/2 sampled for the grid sum dx sum_j V(x_i - x_j) rho_j.  The
 * plain samples make it the trapezoidal rule of int V(x_i - y) rho(y) dy,
 * whose integrand has a kink at the node y = x_i: by Euler-Maclaurin on each
 * side, sum = integral + (dx^2/12) rho(x_i) + O(dx^4).  The corrected kernel
 * V(0) = -dx/12 (instead of 0) removes that term, so the mean field is
 * O(dx^4) accurate instead of O(dx^2) (ctx: the grid spacing; NULL = plain). */
static double coulomb1d(const double *x, void *ctx) {
  if (x[0] == 0 && ctx) return -*(const double *)ctx / 12;
  return -0.5 * fabs(x[0]);
}

/* A Hartree solver on n points with the WKB initial state (normalised).
 * *dxs (the kernel's context) must outlive the solver. */
static int make(const cfg *c, int n, double *dxs, mfh_hartree **out, mfh_err *err) {
  *dxs = c->L / n;
  mfh_hartree_params hp;
  mfh_hartree_params_init(&hp);
  hp.dim = 1;
  hp.n = n;
  hp.xmin = -0.5 * c->L;
  hp.xmax = 0.5 * c->L;
  hp.eps = c->eps;
  hp.norb = 1;
  hp.interaction = MFH_HARTREE_FREE;
  hp.V = coulomb1d;
  hp.V_ctx = c->plain ? NULL : dxs;
  hp.coupling = 1;
  hp.threads = 1;
  int rc = mfh_hartree_create(&hp, out, err);
  if (rc) return rc;
  wkb_ctx w = {c->eps, c->beta};
  rc = mfh_hartree_set_orbital(*out, 0, wkb_psi, &w, err);
  if (!rc) rc = mfh_hartree_normalize(*out, err);
  if (rc) {
    mfh_hartree_destroy(*out);
    *out = NULL;
  }
  return rc;
}

static int hep_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  if (c.mixture)
    return mfh_param_reject(param, "state", err,
                            "state: mixture is not monokinetic: the modulated energy G(t) = "
                            "tr(R^{1/2} |hbar D - u|^2 R^{1/2}) + ... (CEP-5) compares the state with "
                            "ONE velocity field u(t, x), so its initial value is O(hbar^2) only for "
                            "WKB data psi = sqrt(rho) e^{iS/hbar} with S' = u_in; a velocity spread "
                            "gives G(0) ~ spread^2, not small as hbar -> 0 (use state: wkb)");
  if (c.sv != 0)
    return mfh_param_reject(param, "sv", err,
                            "sv = %g: a velocity spread makes the data non-monokinetic; the modulated "
                            "energy G(t) of CEP-5 needs a single velocity field u(x) (WKB data, sv = 0)",
                            c.sv);
  double t = mfh_params_real(ps, "t"), tb = mfh_ep1d_breaking_time(c.beta);
  if (!(t < tb))
    return mfh_param_reject(param, "t", err,
                            "t = %g is %s the breaking time %.6g = 1/beta of the Euler-Poisson "
                            "solution (characteristics cross at the edges of the support; the exact "
                            "reference and the CEP-5 bound end there)",
                            t, t == tb ? "at" : "past", tb);
  if (!mfh_whole_steps(t, c.dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c.dt);
  if (c.n % 2 || c.n < 8)
    return mfh_param_reject(param, "n", err, "n = %d must be even and >= 8", c.n);
  double xm = mfh_ep1d_xmax(t, c.beta) + HEP_BOX_MARGIN;
  if (0.5 * c.L < xm)
    return mfh_param_reject(param, "L", err,
                            "box too small: rho(s), s <= t = %g, is above e^-50 of its peak up to |x| = %.4g; "
                            "with a margin of %g the box needs L >= %.4g, got %g",
                            t, xm - HEP_BOX_MARGIN, HEP_BOX_MARGIN, 2 * xm, c.L);
  double kg = HEP_PI * c.n / c.L, kn = k_need(t, c.beta, c.eps);
  if (kg < kn)
    return mfh_param_reject(param, "n", err,
                            "under-resolved: velocities up to 3 |beta| + t/2 = %.4g at eps = %g need grid "
                            "wave numbers pi/dx >= 2 vmax/eps + %g = %.4g (n >= %.0f on L = %g), got n = %d",
                            mfh_ep1d_vmax(t, c.beta), c.eps, HEP_KAMP, kn, ceil(kn * c.L / HEP_PI), c.L,
                            c.n);
  return MFH_OK;
}

static int hep_constants(const mfh_params *ps, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  double t = mfh_params_real(ps, "t"), tb = mfh_ep1d_breaking_time(c.beta);
  int rc = 0;
  if (isfinite(tb)) rc |= mfh_values_set(out, "tbreak", tb);
  rc |= mfh_values_set(out, "L", mfh_ep1d_lip(t, c.beta));
  rc |= mfh_values_set(out, "M3", mfh_ep1d_uxxx_sup(t, c.beta));
  rc |= mfh_values_set(out, "G0_exact", c.eps * c.eps * MFH_EP1D_FISHER);
  return rc ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

static int measure(mfh_hartree *h, mfh_hartree_ep_work *w, const cfg *c, double t, mfh_hartree_ep_values *v,
                   mfh_err *err) {
  mfh_xgrid g;
  mfh_hartree_get_grid(h, &g);
  return mfh_hartree_ep_measure(w, mfh_hartree_orbital_const(h, 0), g.xmin, g.dx, c->eps, t, c->beta, v, err);
}

static int hep_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                   mfh_err *err) {
  (void)rng;
  cfg c;
  read_cfg(ps, &c);
  double tb = mfh_ep1d_breaking_time(c.beta);
  for (size_t k = 0; k < task->nstream; k++)
    if (!(task->stream[k] < tb))
      return mfh_err_set(err, MFH_EINPUT, "t = %g is not before the breaking time %g", task->stream[k], tb);
  mfh_hartree *h = NULL, *hd = NULL, *hn = NULL;
  mfh_hartree_ep_work *w = NULL, *wn = NULL;
  double dxs[3];
  int rc = make(&c, c.n, &dxs[0], &h, err);
  if (!rc) rc = mfh_hartree_ep_work_create((size_t)c.n, &w, err);
  if (!rc && c.ref) rc = make(&c, c.n, &dxs[1], &hd, err);
  if (!rc && c.ref) rc = make(&c, 2 * c.n, &dxs[2], &hn, err);
  if (!rc && c.ref) rc = mfh_hartree_ep_work_create(2 * (size_t)c.n, &wn, err);
  mfh_hartree_diag d0, d;
  mfh_hartree_ep_values v0;
  if (!rc) rc = mfh_hartree_diagnostics(h, &d0, err);
  if (!rc) rc = measure(h, w, &c, 0, &v0, err);
  double G0 = v0.G, G0x = c.eps * c.eps * MFH_EP1D_FISHER;
  long step = 0;
  for (size_t k = 0; !rc && k < task->nstream; k++) {
    double t = task->stream[k];
    long target = lround(t / c.dt);
    if (target > step) {
      rc = mfh_hartree_run(h, c.dt, target - step, err);
      if (!rc && hd) rc = mfh_hartree_run(hd, c.dt / (double)c.refine, (target - step) * c.refine, err);
      if (!rc && hn) rc = mfh_hartree_run(hn, c.dt, target - step, err);
      step = target;
    }
    mfh_hartree_ep_values v, vd, vn;
    if (!rc) rc = mfh_hartree_diagnostics(h, &d, err);
    if (!rc) rc = measure(h, w, &c, t, &v, err);
    if (!rc && hd) rc = measure(hd, w, &c, t, &vd, err);
    if (!rc && hn) rc = measure(hn, wn, &c, t, &vn, err);
    if (rc) break;
    double L = mfh_ep1d_lip(t, c.beta), M3 = mfh_ep1d_uxxx_sup(t, c.beta);
    double bound = mfh_hartree_ep_bound(G0, c.eps, L, M3, t);
    mfh_values *o = &out[k].values;
    int s = 0;
    s |= mfh_values_set(o, "G", v.G);
    s |= mfh_values_set(o, "G_kin", v.G_kin);
    s |= mfh_values_set(o, "G_pot", v.G_pot);
    s |= mfh_values_set(o, "G_h2", v.G / (c.eps * c.eps));
    s |= mfh_values_set(o, "G0", G0);
    s |= mfh_values_set(o, "G0_exact", G0x);
    s |= mfh_values_set(o, "G0_err", fabs(G0 - G0x) / G0x);
    s |= mfh_values_set(o, "L", L);
    s |= mfh_values_set(o, "M3", M3);
    s |= mfh_values_set(o, "bound", bound);
    s |= mfh_values_set(o, "ratio", v.G / bound);
    s |= mfh_values_set(o, "cur_L1", v.cur_l1);
    s |= mfh_values_set(o, "cur_L2", v.cur_l2);
    s |= mfh_values_set(o, "jmod_ratio", v.G_kin > 0 ? v.jmod_l1 / sqrt(v.G_kin * v.mass) : 0);
    s |= mfh_values_set(o, "mass_err", fabs(d.mass - d0.mass) / d0.mass);
    s |= mfh_values_set(o, "energy_err", fabs(d.energy - d0.energy) / fmax(fabs(d0.energy), 1e-300));
    s |= mfh_values_set(o, "edge", d.psi_max > 0 ? d.edge_max / d.psi_max : 0);
    s |= mfh_values_set(o, "tail", d.tail);
    s |= mfh_values_set(o, "n_grid", c.n);
    s |= mfh_values_set(o, "dt_used", c.dt);
    if (hd) {
      s |= mfh_values_set(o, "G_err_dt", fabs(v.G - vd.G) / v.G);
      s |= mfh_values_set(o, "cur_err_dt", v.cur_l1 > 0 ? fabs(v.cur_l1 - vd.cur_l1) / v.cur_l1 : 0);
    }
    if (hn) {
      s |= mfh_values_set(o, "G_err_n", fabs(v.G - vn.G) / v.G);
      s |= mfh_values_set(o, "cur_err_n", v.cur_l1 > 0 ? fabs(v.cur_l1 - vn.cur_l1) / v.cur_l1 : 0);
    }
    if (s) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  mfh_hartree_destroy(h);
  mfh_hartree_destroy(hd);
  mfh_hartree_destroy(hn);
  mfh_hartree_ep_work_destroy(w);
  mfh_hartree_ep_work_destroy(wn);
  return rc;
}

const mfh_solver_type mfh_solver_hartree_ep = {
    .name = "hartree_ep",
    .doc = "1D Hartree with V = -|x|/2 from WKB data vs exact pressureless Euler-Poisson, rho_in = "
           "Gaussian (sd 1/2), u_in = -beta x: modulated energy G(t), CEP-5 bound, current error",
    .reference = "Strang split-step Fourier, exact free Coulomb convolution (solvers/hartree); Lagrangian "
                 "Euler-Poisson solution (solvers/ep1d); Golse-Paul [002:L1052-1132], THEOREMS.md CEP-5",
    .version = 1,
    .params = hep_params,
    .nparams = sizeof hep_params / sizeof hep_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = hep_validate,
    .constants = hep_constants,
    .run = hep_run,
    .prepare = NULL,
    .release = NULL,
};
