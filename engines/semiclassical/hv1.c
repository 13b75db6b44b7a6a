/* `solver: hv1`: THEOREMS.md HV-1 [001:L1292-1300] with N = infinity, d = 1.
 *
 * Data: the Gaussian symbol f_in = N((q0, p0), diag(sq^2, sp^2)) on R^2 and
 * its Toeplitz state rho_in = OP^T((2 pi eps) f_in) = int |z><z| f_in(dz),
 * given exactly as orbitals + weights by the thermal decomposition
 * (mfh_sc_toeplitz_gaussian, truncated at trace `tail`, weights renormalised).
 * Pair potential V(x) = a exp(-x^2/(2 s^2)) on R (Lip(grad V) = |a|/s^2).
 *   Hartree: mixed-state split step (solvers/hartree), free (zero-padded)
 *            convolution, n points on [-L/2, L/2);
 *   Vlasov:  semi-Lagrangian (solvers/vlasov), model PAIR_FREE, from f_in
 *            sampled at the nodes;
 * both advanced with the same dt to every output time t (a stream
 * parameter; the runs are deterministic step sequences, so out[k] is
 * bit-identical to a run with only t = stream[k]).
 *
 * Matched phase grid.  The Husimi function W~ = (2 pi eps)^-1 <z|R|z> is
 * computed by FFT (mfh_sc_husimi) on the Hartree phase grid: x nodes of the
 * Hartree grid, xi_k = (k - nxi/2) dxi, dxi = 2 pi eps/(nxi dx_h), with nxi
 * the smallest even number giving dxi <= 2 vmax/(nv - 1).  The Vlasov grid
 * is chosen ON THOSE NODES: nx x-nodes on the same box (n a multiple of nx:
 * every (n/nx)-th Hartree node), and nv = 2K + 1 velocity nodes v_j =
 * (j - K) dxi (so |v| <= K dxi <= vmax).  Both densities are then grid
 * measures on identical nodes; different node sets would add a lattice
 * offset of order the grid step to W_2, which does not decay with eps.
 *
 * W_2 (cost |x - y|^2 + |xi - eta|^2) between the two grid measures:
 * mfh_sc_w2_grid, a bracket [lower, upper] certified for the grid measures.
 * Widened by the cell terms cell_f + cell_g (continuum densities spread
 * uniformly over the cells), it brackets the continuum W_2 up to the
 * quadrature error of point samples and the mass outside the grids, which
 * are NOT certified (monitored: husimi_window, vl_edge, hartree_edge).
 * Values at every output time:
 *   w2sq       estimate: the midpoint of the grid bracket, squared,
 *              ((lower + upper)/2)^2 (no cell terms);
 *   w2sq_lo    max(0, lower - cell_f - cell_g)^2;
 *   w2sq_hi    (upper + cell_f + cell_g)^2  (the honest upper end);
 *   w2_grid_lo, w2_grid_hi, w2_coarse, w2_cells  the raw bracket, W_c and
 *              cell_f + cell_g;
 *   hv1_ratio_hi = w2sq_hi / (eps (1 + e^{Gamma t})), Gamma = 1 + 2
 *              max(1, 2 Lip(grad V)^2): <= 1 certifies HV-1 (d = 1);
 *   hartree_mass, vlasov_mass, husimi_mass (grid masses), husimi_window
 *   (fraction of the Husimi mass on the Vlasov nodes' window), hartree_edge
 *   (density rho = sum_k w_k |psi_k|^2 at the box edge / max rho; the
 *   per-orbital edge of mfh_hartree_diag is not used: the high thermal
 *   orbitals, of weight ~ tail, reach the edge harmlessly), hartree_tail
 *   (spectral tail, weighted), vl_edge (max |f|
 *   on the grid's edge rows and columns / max f), clipped (negative mass
 *   clipped by the transport, relative, Vlasov side).
 * Model constants: lipgrad = |a|/s^2, gamma = Gamma. */
#include "engines/semiclassical/hv1.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "engines/hartree/hartree.h"
#include "metrics/semiclassical/distances.h"
#include "metrics/semiclassical/states.h"
#include "metrics/semiclassical/wigner.h"
#include "engines/vlasov/vlasov.h"

static const mfh_param_def hv1_params[] = {
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "semiclassical parameter (hbar)", 0},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL, "output time (a sweep over t is one run)", 1},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "time step of both solvers (t a multiple of it)", 0},
    {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL, "Gaussian pair potential a exp(-x^2/(2 s^2)): amplitude", 0},
    {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "Gaussian pair potential: width", 0},
    {"q0", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "f_in = N((q0, p0), diag(sq^2, sp^2)): position centre", 0},
    {"p0", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "f_in: momentum centre", 0},
    {"sq", MFH_PARAM_REAL, "0.5", 0, 1e6, 1, 0, NULL, "f_in: position spread", 0},
    {"sp", MFH_PARAM_REAL, "0.5", 0, 1e6, 1, 0, NULL, "f_in: momentum spread", 0},
    {"n", MFH_PARAM_INT, "512", 8, 1 << 20, 0, 0, NULL, "Hartree grid points on [-L/2, L/2) (even, a multiple of nx)", 0},
    {"L", MFH_PARAM_REAL, "8", 0, 1e6, 1, 0, NULL, "box width (Hartree and Vlasov)", 0},
    {"nx", MFH_PARAM_INT, "128", 4, 1 << 16, 0, 0, NULL, "Vlasov x nodes (every n/nx-th Hartree node)", 0},
    {"nv", MFH_PARAM_INT, "129", 5, 1 << 16, 0, 0, NULL,
     "Vlasov v nodes (odd): the Husimi momentum nodes with spacing <= 2 vmax/(nv - 1)", 0},
    {"vmax", MFH_PARAM_REAL, "4", 0, 1e6, 1, 0, NULL, "Vlasov velocity half-width (below pi eps/dx of the Hartree grid)", 0},
    {"tail", MFH_PARAM_REAL, "1e-12", 0, 0.5, 1, 0, NULL, "dropped trace of the thermal decomposition", 0},
    {"max_orbitals", MFH_PARAM_INT, "4000", 1, 1e6, 0, 0, NULL, "refuse Toeplitz states needing more orbitals", 0},
    {"w2_points", MFH_PARAM_INT, "1000", 16, 2000, 0, 0, NULL, "W_2 bracket: coarse points per measure", 0},
    {"w2_sweeps", MFH_PARAM_INT, "8", 0, 1000, 0, 0, NULL, "W_2 bracket: refinement sweeps of the upper coupling", 0},
    {"neg_tol", MFH_PARAM_REAL, "1e-6", 0, 1, 1, 0, NULL,
     "W_2 bracket: relative negative undershoot of the Vlasov grid clipped to 0", 0},
};

typedef struct cfg {
  double eps, dt, a, s, q0, p0, sq, sp, L, vmax, tail, neg_tol;
  int n, nx, nv, max_orb, w2_points, w2_sweeps;
} cfg;

static void read_cfg(const mfh_params *ps, cfg *c) {
  c->eps = mfh_params_real(ps, "eps");
  c->dt = mfh_params_real(ps, "dt");
  c->a = mfh_params_real(ps, "a");
  c->s = mfh_params_real(ps, "s");
  c->q0 = mfh_params_real(ps, "q0");
  c->p0 = mfh_params_real(ps, "p0");
  c->sq = mfh_params_real(ps, "sq");
  c->sp = mfh_params_real(ps, "sp");
  c->n = (int)mfh_params_int(ps, "n");
  c->L = mfh_params_real(ps, "L");
  c->nx = (int)mfh_params_int(ps, "nx");
  c->nv = (int)mfh_params_int(ps, "nv");
  c->vmax = mfh_params_real(ps, "vmax");
  c->tail = mfh_params_real(ps, "tail");
  c->max_orb = (int)mfh_params_int(ps, "max_orbitals");
  c->w2_points = (int)mfh_params_int(ps, "w2_points");
  c->w2_sweeps = (int)mfh_params_int(ps, "w2_sweeps");
  c->neg_tol = mfh_params_real(ps, "neg_tol");
}

/* The matched phase grid: nxi Husimi momentum nodes, spacing dxi, and the
 * Vlasov velocity nodes k0 .. k0 + 2K of it. */
typedef struct pgrid {
  size_t nxi, K, k0, sx;
  double dxh, dxi;
} pgrid;

static int phase_grid(const cfg *c, pgrid *g) {
  g->dxh = c->L / c->n;
  double band = M_PI * c->eps / g->dxh, dvt = 2 * c->vmax / (c->nv - 1);
  double half = ceil(band / dvt * (1 - 1e-12));
  if (half < 2) half = 2;
  if (half > 1e7) return -1;
  g->nxi = 2 * (size_t)half;
  g->dxi = 2 * M_PI * c->eps / ((double)g->nxi * g->dxh);
  g->K = (size_t)(c->nv - 1) / 2;
  if (g->K + 1 > g->nxi / 2) return -1; /* nodes k0 .. k0 + 2K must fit in 0 .. nxi-1 */
  g->k0 = g->nxi / 2 - g->K;
  g->sx = (size_t)(c->n / c->nx);
  return 0;
}

static double gamma_of(double a, double s) {
  double lip = fabs(a) / (s * s);
  return 1 + 2 * fmax(1.0, 2 * lip * lip);
}

static int hv1_validate(const mfh_params *ps, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(ps, &c);
  double t = mfh_params_real(ps, "t");
  if (!mfh_whole_steps(t, c.dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c.dt);
  if (c.n % 2) return mfh_param_reject(param, "n", err, "n must be even (got %d)", c.n);
  if (c.n % c.nx)
    return mfh_param_reject(param, "nx", err, "nx = %d must divide the Hartree grid size n = %d", c.nx, c.n);
  if (c.nv % 2 == 0) return mfh_param_reject(param, "nv", err, "nv must be odd (v = 0 a node), got %d", c.nv);
  /* the Hartree grid must resolve the Toeplitz state (moments of its Wigner
   * function N(m, Sigma + eps/2 I)) at this eps */
  mfh_hartree_extent ext = {fabs(c.p0), sqrt(c.sp * c.sp + c.eps / 2), fabs(c.q0), sqrt(c.sq * c.sq + c.eps / 2)};
  mfh_err e2;
  mfh_err_clear(&e2);
  if (mfh_hartree_check_extent(c.eps, -c.L / 2, c.L / 2, c.n, &ext, 6, NULL, &e2)) {
    const char *which = !strncmp(e2.msg, "box too small", 13) ? "L" : "n";
    return mfh_param_reject(param, which, err, "Hartree grid at eps = %g: %s", c.eps, e2.msg);
  }
  /* the Vlasov box holds f_in */
  if (fabs(c.p0) + 6 * c.sp > c.vmax)
    return mfh_param_reject(param, "vmax", err, "vmax = %g does not contain f_in: |p0| + 6 sp = %g", c.vmax,
                            fabs(c.p0) + 6 * c.sp);
  if (fabs(c.q0) + 6 * c.sq > c.L / 2)
    return mfh_param_reject(param, "L", err, "the box [-%g, %g) does not contain f_in: |q0| + 6 sq = %g", c.L / 2,
                            c.L / 2, fabs(c.q0) + 6 * c.sq);
  pgrid g;
  if (phase_grid(&c, &g))
    return mfh_param_reject(param, "vmax", err,
                            "vmax = %g must lie below the Hartree grid's momentum band pi eps/dx = %g (raise n or "
                            "lower vmax) with nv = %d nodes",
                            c.vmax, M_PI * c.eps * c.n / c.L, c.nv);
  double Sigma[4] = {c.sq * c.sq, 0, 0, c.sp * c.sp};
  size_t M = 0;
  if (mfh_sc_toeplitz_gaussian_count(c.eps, Sigma, c.tail, &M, &e2))
    return mfh_param_reject(param, "tail", err, "%s", e2.msg);
  if (M > (size_t)c.max_orb)
    return mfh_param_reject(param, "max_orbitals", err,
                            "the Toeplitz state needs %zu orbitals at eps = %g, tail = %g (max_orbitals = %d)", M, c.eps,
                            c.tail, c.max_orb);
  return MFH_OK;
}

static int hv1_constants(const mfh_params *ps, mfh_values *out, mfh_err *err) {
  (void)err;
  double a = mfh_params_real(ps, "a"), s = mfh_params_real(ps, "s");
  mfh_values_set(out, "lipgrad", fabs(a) / (s * s));
  return mfh_values_set(out, "gamma", gamma_of(a, s));
}

typedef struct gauss2 {
  double q0, p0, sq, sp;
} gauss2;

static double f_in(double x, double v, void *ctx) {
  const gauss2 *g = ctx;
  double u = (x - g->q0) / g->sq, w = (v - g->p0) / g->sp;
  return exp(-0.5 * (u * u + w * w)) / (2 * M_PI * g->sq * g->sp);
}

/* Work objects of one run. */
typedef struct run_ws {
  mfh_hartree *h;
  mfh_vlasov *vl;
  mfh_sc_phase *ph;
  mfh_sc_state *R0;   /* the Toeplitz state (initial orbitals) */
  mfh_sc_state view;  /* borrowed view of the Hartree orbitals */
  mfh_phase_grid H, Hw; /* Husimi on the Hartree phase grid; its window */
  double *rho;        /* Hartree density scratch */
} run_ws;

static void run_ws_free(run_ws *w) {
  mfh_hartree_destroy(w->h);
  mfh_vlasov_destroy(w->vl);
  mfh_sc_phase_destroy(w->ph);
  mfh_sc_state_destroy(w->R0);
  free(w->view.w);
  free(w->rho);
  mfh_phase_grid_free(&w->H);
  mfh_phase_grid_free(&w->Hw);
}

static int setup(const cfg *c, const pgrid *g, run_ws *w, mfh_err *err) {
  mfh_xgrid sg = {1, (size_t)c->n, -c->L / 2, g->dxh};
  double m[2] = {c->q0, c->p0}, Sigma[4] = {c->sq * c->sq, 0, 0, c->sp * c->sp};
  int rc = mfh_sc_toeplitz_gaussian(&sg, c->eps, m, Sigma, MFH_SC_ORBITALS, c->tail, (size_t)c->max_orb, &w->R0,
                                    NULL, err);
  if (rc) return rc;
  mfh_hartree_params hp;
  mfh_hartree_params_init(&hp);
  hp.dim = 1;
  hp.n = c->n;
  hp.xmin = -c->L / 2;
  hp.xmax = c->L / 2;
  hp.eps = c->eps;
  hp.norb = (int)w->R0->norb;
  hp.weights = w->R0->w;
  hp.interaction = MFH_HARTREE_FREE;
  hp.a = c->a;
  hp.s = c->s;
  hp.threads = 1;
  rc = mfh_hartree_create(&hp, &w->h, err);
  for (size_t k = 0; !rc && k < w->R0->norb; k++) {
    double complex *o = mfh_hartree_orbital(w->h, (int)k);
    if (!o) return mfh_err_set(err, MFH_EINTERNAL, "Hartree orbital %zu missing", k);
    memcpy(o, &w->R0->orb[k * (size_t)c->n], (size_t)c->n * sizeof *o);
  }
  if (rc) return rc;
  /* the view: orbitals are read from the solver at every output time */
  w->view.grid = sg;
  w->view.kind = MFH_SC_ORBITALS;
  w->view.norb = w->R0->norb;
  w->view.w = malloc(w->R0->norb * sizeof *w->view.w);
  if (!w->view.w) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  memcpy(w->view.w, mfh_hartree_weights(w->h), w->R0->norb * sizeof *w->view.w);
  w->view.orb = mfh_hartree_orbital(w->h, 0); /* orbitals are contiguous (k n^d) */
  w->view.kernel = NULL;
  w->rho = malloc((size_t)c->n * sizeof *w->rho);
  if (!w->rho) return mfh_err_set(err, MFH_ENOMEM, "out of memory");

  mfh_vlasov_params vp;
  mfh_vlasov_params_init(&vp);
  vp.nx = c->nx;
  vp.nv = c->nv;
  vp.xmin = -c->L / 2;
  vp.xmax = c->L / 2;
  vp.vmin = -(double)g->K * g->dxi;
  vp.vmax = (double)g->K * g->dxi;
  vp.model = MFH_VLASOV_PAIR_FREE;
  vp.a = c->a;
  vp.s = c->s;
  vp.threads = 1;
  rc = mfh_vlasov_create(&vp, &w->vl, err);
  gauss2 gs = {c->q0, c->p0, c->sq, c->sp};
  if (!rc) rc = mfh_vlasov_set_f(w->vl, f_in, &gs, err);
  if (!rc) rc = mfh_sc_phase_create(&sg, c->eps, g->nxi, 1, &w->ph, err);
  if (!rc) rc = mfh_sc_phase_grid_alloc(w->ph, &w->H, err);
  if (!rc) rc = mfh_phase_grid_alloc(&w->Hw, (size_t)c->nx, (size_t)c->nv, err);
  return rc;
}

/* Everything measured at the current time into v. */
static int measure(const cfg *c, const pgrid *g, run_ws *w, double t, mfh_values *v, mfh_err *err) {
  mfh_hartree_diag hd;
  mfh_vlasov_diag vd;
  int rc = mfh_hartree_diagnostics(w->h, &hd, err);
  if (!rc) rc = mfh_vlasov_diagnostics(w->vl, &vd, err);
  if (!rc) rc = mfh_hartree_density(w->h, w->rho, err);
  if (!rc) rc = mfh_sc_husimi(w->ph, &w->view, &w->H, NULL, err);
  if (rc) return rc;
  /* the window of the Husimi grid on the Vlasov nodes, same geometry */
  mfh_phase_grid vg;
  mfh_vlasov_get_grid(w->vl, &vg);
  double hm = 0, wm = 0;
  for (size_t m = 0; m < w->H.nx * w->H.nv; m++) hm += w->H.f[m];
  for (size_t i = 0; i < (size_t)c->nx; i++)
    for (size_t j = 0; j < (size_t)c->nv; j++) {
      double x = w->H.f[(i * g->sx) * w->H.nv + g->k0 + j];
      w->Hw.f[i * (size_t)c->nv + j] = x;
      wm += x;
    }
  hm *= w->H.dx * w->H.dv;
  wm *= vg.dx * vg.dv;
  w->Hw.xmin = vg.xmin;
  w->Hw.dx = vg.dx;
  w->Hw.vmin = vg.vmin;
  w->Hw.dv = vg.dv;
  mfh_phase_grid F = w->Hw; /* the Vlasov grid: same geometry, borrowed values */
  F.f = mfh_vlasov_f(w->vl);
  mfh_sc_w2grid_opts o;
  mfh_sc_w2grid_opts_init(&o);
  o.max_points = (size_t)c->w2_points;
  o.sweeps = c->w2_sweeps;
  o.neg_tol = c->neg_tol;
  mfh_sc_w2grid b;
  rc = mfh_sc_w2_grid(&F, &w->Hw, &o, &b, err);
  if (rc) {
    mfh_err_prefix(err, "W_2 at t = %g", t);
    return rc;
  }
  double cells = b.cell_f + b.cell_g;
  double lo = fmax(0.0, b.lower - cells), hi = b.upper + cells, mid = 0.5 * (b.lower + b.upper);
  double bound = c->eps * (1 + exp(gamma_of(c->a, c->s) * t));
  mfh_values_set(v, "w2sq", mid * mid);
  mfh_values_set(v, "w2sq_lo", lo * lo);
  mfh_values_set(v, "w2sq_hi", hi * hi);
  mfh_values_set(v, "hv1_ratio_hi", hi * hi / bound);
  mfh_values_set(v, "w2_grid_lo", b.lower);
  mfh_values_set(v, "w2_grid_hi", b.upper);
  mfh_values_set(v, "w2_coarse", b.w2_coarse);
  mfh_values_set(v, "w2_cells", cells);
  mfh_values_set(v, "hartree_mass", hd.mass);
  double rmax = 0;
  for (int i = 0; i < c->n; i++) rmax = fmax(rmax, w->rho[i]);
  mfh_values_set(v, "hartree_edge", rmax > 0 ? fmax(w->rho[0], w->rho[c->n - 1]) / rmax : 0);
  mfh_values_set(v, "hartree_tail", hd.tail);
  mfh_values_set(v, "vlasov_mass", vd.mass);
  mfh_values_set(v, "vl_edge", vd.fmax > 0 ? fmax(vd.edge_v, vd.edge_x) / vd.fmax : 0);
  mfh_values_set(v, "husimi_mass", hm);
  mfh_values_set(v, "husimi_window", hm > 0 ? wm / hm : 0);
  mfh_values_set(v, "clipped", b.clipped_f);
  return MFH_OK;
}

static int hv1_run(const mfh_params *ps, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out, mfh_err *err) {
  (void)rng;
  cfg c;
  read_cfg(ps, &c);
  pgrid g;
  if (phase_grid(&c, &g)) return mfh_err_set(err, MFH_EINPUT, "vmax: above the Hartree grid's momentum band");
  run_ws w;
  memset(&w, 0, sizeof w);
  int rc = setup(&c, &g, &w, err);
  long step = 0;
  for (size_t k = 0; !rc && k < task->nstream; k++) {
    long target = lround(task->stream[k] / c.dt);
    if (target > step) {
      rc = mfh_hartree_run(w.h, c.dt, target - step, err);
      for (long j = step; !rc && j < target; j++) rc = mfh_vlasov_step(w.vl, c.dt, err);
      step = target;
    }
    if (!rc) rc = measure(&c, &g, &w, task->stream[k], &out[k].values, err);
  }
  run_ws_free(&w);
  return rc;
}

const mfh_solver_type mfh_solver_hv1 = {
    .name = "hv1",
    .doc = "HV-1 (d = 1): Hartree from the Toeplitz state of a Gaussian symbol vs Vlasov from the symbol; "
           "certified W_2 bracket between the Vlasov density and the Husimi function on matched grids",
    .reference = "THEOREMS.md HV-1 [001:L1292-1300]; split-step Hartree, semi-Lagrangian Vlasov, "
                 "mfh_sc_w2_grid bracket",
    .version = 1,
    .params = hv1_params,
    .nparams = sizeof hv1_params / sizeof hv1_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = hv1_validate,
    .constants = hv1_constants,
    .run = hv1_run,
    .prepare = NULL,
    .release = NULL,
};
