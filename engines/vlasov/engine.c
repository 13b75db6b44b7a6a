/* Engine `vlasov`: the 1D1V Vlasov equation with the semi-Lagrangian Strang
 * solver of vlasov.h (Cheng & Knorr 1976; Sonnendrucker, Roche, Bertrand &
 * Ghizzo 1999), one solve per run, threads = 1 (the harness runs tasks in
 * parallel).  It evolves one state; references (a refined solve, another
 * engine) and the distances to them belong to the study.
 *
 * Models (THEOREMS.md section 1): poisson = electrons with a neutralising
 * background, acceleration -E, d_x E = 1 - rho; pair = acceleration
 * -(V' * rho) with the Gaussian V = a exp(-x^2 / (2 s^2)) periodised on the
 * torus (a > 0 repulsive); pair_free = the same V on R (zero-padded
 * convolution: the box must hold f); none = free streaming.
 *
 * Box and initial data.  The cosine inits live on one wavelength of the
 * perturbation, x in [0, L), L = 2 pi / k:
 *   f0(x, v) = (1 + alpha cos(k x)) g(v), M(v) = exp(-v^2/2)/sqrt(2 pi),
 *   landau, perturbed  g = M(v)
 *   two_stream         g = v^2 M(v)
 *   bump               g = 0.9 M(v) + 0.2 exp(-2 (v - 4.5)^2) / sqrt(2 pi)
 *                      (bump on tail: Shoucri 1979; Filbet, Sonnendrucker &
 *                      Bertrand, J. Comput. Phys. 172 (2001) 166, k = 0.3)
 * (every g has unit mass: the mean density is 1); init gaussian is the
 * phase-space Gaussian N((q0, p0), diag(sq^2, sp^2)) on the centred box
 * x in [-L/2, L/2) of length L (the classical side of HV-1).
 * Velocity grid: vgrid span = nv nodes on [-vmax, vmax]; vgrid husimi = the
 * momentum nodes of the Husimi transform at scale eps of an n-point grid on
 * the same box (mfh_sc_husimi: spacing dxi = 2 pi eps / (nxi L / n), nxi the
 * smallest even number with dxi <= 2 vmax / (nv - 1)), nv = 2K + 1 of them
 * centred on v = 0, so that the Vlasov density and a Husimi function are
 * grid measures on common nodes.  vsub > 1 splits every velocity cell into
 * vsub: (nv - 1) vsub + 1 nodes, of which every vsub-th is a node of the
 * vsub = 1 grid (with nx, the resolution a refined reference multiplies: the
 * coarse grid's nodes are then nodes of the refined one).
 *
 * initial(): f0 sampled on the grid (phase_grid "f").  run() evolves the
 * phase grid it is given, which must lie on its own grid (its own initial
 * state, or a coupled start from another engine's grid on the same nodes).
 * At each output time t (a whole number of steps dt):
 *   f             phase_grid: f(t) on the grid
 *   field         field: the self-consistent acceleration a(x_i) (-E for
 *                 Poisson, -(V' * rho) for the pair models), nx nodes
 *   field_energy, log_field_energy  (1/2) int a^2 dx and its log (NaN at 0)
 *   mass          M(t) = int int f;  mass_err |M(t) - M(0)| / M(0)
 *   momentum_err  |P(t) - P(0)| / M(0) (drift of the mean velocity)
 *   energy_err    |W(t) - W(0)| / |W(0)|, W = kinetic + potential energy
 *   l2_ratio      ||f(t)||_L2 / ||f0||_L2
 *   fmin          min of f(t) on the grid
 *   edge          max |f| on the edge rows v = vmin, vmax (and, in the model
 *                 pair_free, whose x box is not periodic, on the edge columns)
 *                 / max f (0 when max f <= 0): must stay ~0 (f = 0 beyond)
 *   gamma, omega, fit_points   the rate fitted over [fit_from, min(fit_to, t)]:
 *     fit maxima   from the successive maxima of the field energy
 *                  W_E ~ e^{2 gamma t} cos^2(omega t - phi), each refined by a
 *                  parabola through the three log values around it:
 *                  gamma = half the least-squares slope of log W_E at the
 *                  maxima against their times, omega = pi (n - 1) / (t_n - t_1)
 *                  (needs 3 maxima);
 *     fit samples  gamma = half the least-squares slope of log W_E at every
 *                  step of the window (needs 3 steps), no omega;
 *     fit auto     maxima for landau (a standing wave), samples for
 *                  two_stream and bump (the growing mode dominates: a purely
 *                  growing or travelling wave, whose field energy has no
 *                  maxima), none for perturbed and gaussian.
 * A value that cannot be computed (no fit, too few maxima in the window, zero
 * field) is NaN: every declared scalar is always there.
 * Model constants (bound formulas, derive:): L and, where linear theory has a
 * growing mode (model poisson, init two_stream or bump), gamma_lin and
 * omega_lin, the root of mfh_vlasov_dispersion_root.
 *
 * Streams: t is a stream parameter.  One run steps to the largest requested
 * time and fills out[k] at each t[k]; every value at t depends only on the
 * run up to t (the fits use the field-energy history up to t), so out[k] is
 * bit-identical to a run asked for that time alone.  The step loop
 * allocates nothing. */
#include "engines/vlasov/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>

#include "core/field.h"
#include "core/kinds.h"
#include "engines/vlasov/vlasov.h"
#include "metrics/gridl2.h"

#define SV_PI 3.14159265358979323846
#define SV_MAX_STEPS 1e7        /* time steps of one solve */
#define SV_MAX_CELLS 67108864.0 /* 2^26 grid nodes (512 MB) */
#define SV_EDGE 1e-8            /* g(+-vmax) / max g allowed */

static const mfh_param_def vlasov_params[] = {
    {"model", MFH_PARAM_CHOICE, "poisson", 0, 0, 0, 0, "poisson|pair|pair_free|none",
     "Vlasov-Poisson (electrons, neutralising background), the Gaussian pair potential "
     "V = a exp(-x^2/(2 s^2)) periodised on the torus (pair) or on R (pair_free), or free streaming",
     0},
    {"init", MFH_PARAM_CHOICE, "landau", 0, 0, 0, 0, "landau|two_stream|bump|perturbed|gaussian",
     "f0 = (1 + alpha cos(k x)) g(v): g = M (landau, perturbed), v^2 M (two_stream), "
     "0.9 M + 0.2 exp(-2 (v-4.5)^2)/sqrt(2 pi) (bump); M = exp(-v^2/2)/sqrt(2 pi); "
     "gaussian: N((q0, p0), diag(sq^2, sp^2)) on [-L/2, L/2)",
     0},
    {"k", MFH_PARAM_REAL, "0.5", 0, 100, 1, 0, NULL,
     "wave number of the perturbation; the box is [0, 2 pi / k) (cosine inits)", 0},
    {"alpha", MFH_PARAM_REAL, "0.01", 0, 1, 0, 1, NULL, "amplitude of the density perturbation", 0},
    {"nx", MFH_PARAM_INT, "32", 8, 1048576, 0, 0, NULL, "grid cells in x", MFH_PARAM_GRID},
    {"nv", MFH_PARAM_INT, "256", 16, 1048576, 0, 0, NULL, "grid nodes in v (before vsub)", 0},
    {"vsub", MFH_PARAM_INT, "1", 1, 1024, 0, 0, NULL,
     "velocity cells split into vsub: (nv - 1) vsub + 1 nodes, every vsub-th a node of the nv-node grid",
     MFH_PARAM_GRID},
    {"vmax", MFH_PARAM_REAL, "8", 0, 1e3, 1, 0, NULL, "velocity grid [-vmax, vmax] (f = 0 beyond)",
     0},
    {"t", MFH_PARAM_REAL, "30", 0, 1e6, 0, 0, NULL,
     "output time (a sweep over t is one run per replica)", MFH_PARAM_STREAM},
    {"dt", MFH_PARAM_REAL, "0.05", 0, 100, 1, 0, NULL,
     "time step (t must be a whole number of steps)", MFH_PARAM_STEP},
    {"fit", MFH_PARAM_CHOICE, "auto", 0, 0, 0, 0, "auto|maxima|samples|none",
     "how gamma is fitted from the field energy: at its maxima (also omega), at every step, "
     "or not; auto = maxima (landau), samples (two_stream, bump), none (perturbed, gaussian)",
     0},
    {"fit_from", MFH_PARAM_REAL, "6", 0, 1e6, 0, 0, NULL,
     "start of the rate-fit window (after the initial transient)", 0},
    {"fit_to", MFH_PARAM_REAL, "1e6", 0, 1e6, 0, 0, NULL,
     "end of the rate-fit window (clipped to the run: min(fit_to, t))", 0},
    {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL,
     "pair potential amplitude (models pair, pair_free; a > 0 repulsive)", 0},
    {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "pair potential width (models pair, pair_free)", 0},
    {"q0", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "init gaussian: position centre", 0},
    {"p0", MFH_PARAM_REAL, "0", -1e6, 1e6, 0, 0, NULL, "init gaussian: velocity centre", 0},
    {"sq", MFH_PARAM_REAL, "0.5", 0, 1e6, 1, 0, NULL, "init gaussian: position spread", 0},
    {"sp", MFH_PARAM_REAL, "0.5", 0, 1e6, 1, 0, NULL, "init gaussian: velocity spread", 0},
    {"L", MFH_PARAM_REAL, "0", 0, 1e6, 0, 0, NULL,
     "box length of init gaussian, x in [-L/2, L/2); 0 for the cosine inits (one wavelength 2 pi / k)", 0},
    {"vgrid", MFH_PARAM_CHOICE, "span", 0, 0, 0, 0, "span|husimi",
     "velocity nodes: nv nodes on [-vmax, vmax] (span), or the nv (odd) Husimi momentum nodes of an "
     "n-point grid on the box at scale eps with spacing <= 2 vmax / (nv - 1) (husimi)",
     0},
    {"eps", MFH_PARAM_REAL, "0.1", 0, 10, 1, 0, NULL, "vgrid husimi: semiclassical scale of the nodes", 0},
    {"n", MFH_PARAM_INT, "512", 8, 1 << 20, 0, 0, NULL,
     "vgrid husimi: points of the position grid whose Husimi nodes are used", 0},
};

enum { MODEL_POISSON, MODEL_PAIR, MODEL_PAIR_FREE, MODEL_NONE };
enum { INIT_LANDAU, INIT_TWO_STREAM, INIT_BUMP, INIT_PERTURBED, INIT_GAUSSIAN };
enum { FIT_AUTO, FIT_MAXIMA, FIT_SAMPLES, FIT_NONE };

typedef struct cfg {
  int model, init, fit, husimi;
  double k, L, L_param, alpha, vmax, t, dt, fit_from, fit_to, a, s, q0, p0, sq, sp, eps;
  int nx, nv, vsub, n;
} cfg;

static int pick(const char *s, const char *const *names) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

static void read_cfg(const mfh_params *p, cfg *c) {
  static const char *const models[] = {"poisson", "pair", "pair_free", "none", NULL};
  static const char *const inits[] = {"landau", "two_stream", "bump", "perturbed", "gaussian", NULL};
  static const char *const fits[] = {"auto", "maxima", "samples", "none", NULL};
  c->model = pick(mfh_params_str(p, "model"), models);
  c->init = pick(mfh_params_str(p, "init"), inits);
  c->fit = pick(mfh_params_str(p, "fit"), fits);
  if (c->model < 0) c->model = MODEL_POISSON;
  if (c->init < 0) c->init = INIT_LANDAU;
  if (c->fit < 0) c->fit = FIT_AUTO;
  if (c->fit == FIT_AUTO)
    c->fit = c->init == INIT_LANDAU                                    ? FIT_MAXIMA
             : c->init == INIT_PERTURBED || c->init == INIT_GAUSSIAN ? FIT_NONE
                                                                       : FIT_SAMPLES;
  c->husimi = !strcmp(mfh_params_str(p, "vgrid"), "husimi");
  c->k = mfh_params_real(p, "k");
  c->L_param = mfh_params_real(p, "L");
  c->L = c->init == INIT_GAUSSIAN ? c->L_param : 2.0 * SV_PI / c->k;
  c->alpha = mfh_params_real(p, "alpha");
  c->nx = (int)mfh_params_int(p, "nx");
  c->nv = (int)mfh_params_int(p, "nv");
  c->vsub = (int)mfh_params_int(p, "vsub");
  c->vmax = mfh_params_real(p, "vmax");
  c->t = mfh_params_real(p, "t");
  c->dt = mfh_params_real(p, "dt");
  c->fit_from = mfh_params_real(p, "fit_from");
  c->fit_to = mfh_params_real(p, "fit_to");
  c->a = mfh_params_real(p, "a");
  c->s = mfh_params_real(p, "s");
  c->q0 = mfh_params_real(p, "q0");
  c->p0 = mfh_params_real(p, "p0");
  c->sq = mfh_params_real(p, "sq");
  c->sp = mfh_params_real(p, "sp");
  c->eps = mfh_params_real(p, "eps");
  c->n = (int)mfh_params_int(p, "n");
}

/* ---- the grid ------------------------------------------------------------- */

/* The half-width of the velocity grid actually used: vmax (span), or
 * K dxi for the Husimi nodes (see the header comment; the arithmetic of
 * the former HV-1 solver, so that studies/semiclassical/hv1-hartree-vlasov
 * keeps its numbers).  -1 when the nodes do not
 * fit below the Husimi band pi eps n / L. */
static int vhalf(const cfg *c, double *out) {
  if (!c->husimi) {
    *out = c->vmax;
    return 0;
  }
  double dxh = c->L / c->n;
  double band = SV_PI * c->eps / dxh, dvt = 2 * c->vmax / (c->nv - 1);
  double half = ceil(band / dvt * (1 - 1e-12));
  if (half < 2) half = 2;
  if (half > 1e7) return -1;
  size_t nxi = 2 * (size_t)half, K = (size_t)(c->nv - 1) / 2;
  double dxi = 2 * SV_PI * c->eps / ((double)nxi * dxh);
  if (K + 1 > nxi / 2) return -1;
  *out = (double)K * dxi;
  return 0;
}

/* Velocity nodes after the split of every cell into vsub. */
static int nv_nodes(const cfg *c) { return (c->nv - 1) * c->vsub + 1; }

/* The solver parameters of this configuration (vhalf must succeed). */
static void solver_params(const cfg *c, mfh_vlasov_params *vp) {
  static const int models[] = {MFH_VLASOV_POISSON, MFH_VLASOV_PAIR_PERIODIC, MFH_VLASOV_PAIR_FREE,
                               MFH_VLASOV_NONE};
  double vh = c->vmax;
  vhalf(c, &vh);
  mfh_vlasov_params_init(vp);
  vp->nx = c->nx;
  vp->nv = nv_nodes(c);
  if (c->init == INIT_GAUSSIAN) {
    vp->xmin = -c->L / 2;
    vp->xmax = c->L / 2;
  } else {
    vp->xmin = 0.0;
    vp->xmax = c->L;
  }
  vp->vmin = -vh;
  vp->vmax = vh;
  vp->model = models[c->model];
  vp->a = c->a;
  vp->s = c->s;
  vp->threads = 1;
}

/* ---- initial data and linear theory -------------------------------------- */

static double maxwell(double v) { return exp(-0.5 * v * v) / sqrt(2.0 * SV_PI); }

/* The velocity profile g of the cosine inits. */
static double profile(int init, double v) {
  switch (init) {
    case INIT_TWO_STREAM:
      return v * v * maxwell(v);
    case INIT_BUMP:
      return 0.9 * maxwell(v) + 0.2 * exp(-2.0 * (v - 4.5) * (v - 4.5)) / sqrt(2.0 * SV_PI);
    default:
      return maxwell(v);
  }
}

/* g' for the dispersion relation. */
static double profile_dv(double v, void *ctx) {
  const cfg *c = ctx;
  if (c->init == INIT_TWO_STREAM) return (2.0 * v - v * v * v) * maxwell(v);
  if (c->init == INIT_BUMP)
    return -0.9 * v * maxwell(v) -
           0.8 * (v - 4.5) * exp(-2.0 * (v - 4.5) * (v - 4.5)) / sqrt(2.0 * SV_PI);
  return -v * maxwell(v);
}

static double f_init(double x, double v, void *ctx) {
  const cfg *c = ctx;
  if (c->init == INIT_GAUSSIAN) {
    double u = (x - c->q0) / c->sq, w = (v - c->p0) / c->sp;
    return exp(-0.5 * (u * u + w * w)) / (2 * SV_PI * c->sq * c->sp);
  }
  return (1.0 + c->alpha * cos(c->k * x)) * profile(c->init, v);
}

/* The growing root of the Vlasov-Poisson dispersion relation of g at k
 * (model poisson, init two_stream or bump).  MFH_ENUMERIC when there is
 * none (stable k) or the Newton iteration does not find it. */
static int linear_root(const cfg *c, double root[2], mfh_err *err) {
  if (c->model != MODEL_POISSON || (c->init != INIT_TWO_STREAM && c->init != INIT_BUMP))
    return mfh_err_set(err, MFH_EINPUT, "no growing mode for this model and init");
  /* two_stream: purely growing (Re = 0); bump: near the Bohm-Gross
   * frequency sqrt(1 + 3 k^2), slowly growing */
  const double bg = sqrt(1.0 + 3.0 * c->k * c->k);
  const double guesses[][2] = {{0.1, 0.3}, {0.1, 0.1}, {0.1, 1.0},
                               {bg, 0.05}, {bg, 0.01}, {bg, 0.2}};
  int first = c->init == INIT_BUMP ? 3 : 0, n = 6;
  mfh_err e;
  for (int i = 0; i < n; i++) {
    int g = (first + i) % n;
    mfh_err_clear(&e);
    cfg cc = *c;
    if (mfh_vlasov_dispersion_root(profile_dv, &cc, c->k, guesses[g], root, &e) == MFH_OK &&
        root[1] > 0)
      return MFH_OK;
  }
  return mfh_err_set(err, MFH_ENUMERIC, "no growing root of the dispersion relation at k = %g",
                     c->k);
}

/* Model constants: L (the box length) and, where linear theory has a
 * growing mode, gamma_lin and omega_lin (its imaginary and real part). */
static int vlasov_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  double root[2];
  mfh_err e;
  mfh_err_clear(&e);
  if (mfh_values_set(out, "L", c.L)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (c.model == MODEL_POISSON && (c.init == INIT_TWO_STREAM || c.init == INIT_BUMP) &&
      linear_root(&c, root, &e) == MFH_OK) {
    if (mfh_values_set(out, "gamma_lin", root[1]) ||
        mfh_values_set(out, "omega_lin", fabs(root[0])))
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  return MFH_OK;
}

/* ---- validation ----------------------------------------------------------- */

static int vlasov_validate(const mfh_params *p, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
#define BAD(name, ...) return mfh_param_reject(param, name, err, __VA_ARGS__)
  double steps = c.t / c.dt;
  if (steps > SV_MAX_STEPS)
    BAD("dt", "t / dt = %g / %g = %.4g time steps: at most %.0g (raise dt)", c.t, c.dt, steps,
        SV_MAX_STEPS);
  if (!mfh_whole_steps(c.t, c.dt))
    BAD("t", "t = %g is not a whole number of time steps dt = %g (t / dt = %.6g)", c.t, c.dt,
        steps);
  double nodes = (double)c.nx * ((double)(c.nv - 1) * (double)c.vsub + 1.0);
  if (nodes > SV_MAX_CELLS)
    BAD(c.vsub > 1 ? "vsub" : "nv", "nx * nv = %d * %.0f grid nodes: at most %.0f", c.nx,
        (double)(c.nv - 1) * (double)c.vsub + 1.0, SV_MAX_CELLS);
  if (c.init == INIT_GAUSSIAN) {
    if (!(c.L > 0)) BAD("L", "init gaussian needs the box length L > 0 (x in [-L/2, L/2))");
    if (fabs(c.q0) + 6 * c.sq > c.L / 2)
      BAD("L", "the box [-%g, %g) does not contain f0: |q0| + 6 sq = %g", c.L / 2, c.L / 2,
          fabs(c.q0) + 6 * c.sq);
  } else if (c.L_param != 0) {
    BAD("L", "L = %g: the cosine inits live on one wavelength [0, 2 pi / k) (leave L at 0)", c.L_param);
  }
  double vh;
  if (c.husimi && c.nv % 2 == 0) BAD("nv", "vgrid husimi needs an odd nv (v = 0 a node), got %d", c.nv);
  if (vhalf(&c, &vh))
    BAD("vmax",
        "vmax = %g must lie below the Husimi momentum band pi eps n / L = %g (raise n or lower vmax) "
        "with nv = %d nodes",
        c.vmax, SV_PI * c.eps * c.n / c.L, c.nv);
  /* f0 must vanish at the edges of the velocity grid (f = 0 beyond) */
  if (c.init == INIT_GAUSSIAN) {
    if (fabs(c.p0) + 6 * c.sp > c.vmax)
      BAD("vmax", "vmax = %g does not contain f0: |p0| + 6 sp = %g", c.vmax, fabs(c.p0) + 6 * c.sp);
  } else {
    double gmax = 0;
    for (int i = 0; i <= 2000; i++) gmax = fmax(gmax, profile(c.init, -vh + vh * i / 1000.0));
    double edge = fmax(profile(c.init, vh), profile(c.init, -vh));
    if (!(edge <= SV_EDGE * gmax))
      BAD("vmax",
          "vmax = %g: the initial velocity profile is still %.2g of its maximum at |v| = vmax; "
          "f must vanish at the edges of the velocity grid (vmax = 8 does for every init)",
          c.vmax, gmax > 0 ? edge / gmax : 1.0);
  }
  if (c.model == MODEL_PAIR && c.s > 10.0 * c.L)
    BAD("s", "s = %g: the periodised pair potential needs s <= 10 L = %g (L = 2 pi / k)", c.s,
        10.0 * c.L);
  if (c.fit != FIT_NONE && !(c.fit_to > c.fit_from))
    BAD("fit_to", "fit_to = %g must be > fit_from = %g (the rate-fit window)", c.fit_to,
        c.fit_from);
  if (c.fit != FIT_NONE && c.init != INIT_GAUSSIAN && c.alpha == 0)
    BAD("alpha",
        "alpha = 0: without a perturbation there is no field and no rate to fit "
        "(set alpha > 0, or fit: none)");
#undef BAD
  return MFH_OK;
}

/* ---- declaration and initial state ---------------------------------------- */

#define VLASOV_SCALARS                                                                      \
  "field_energy log_field_energy mass mass_err momentum_err energy_err l2_ratio fmin edge " \
  "gamma omega fit_points"

static int vlasov_declare(const mfh_params *p, mfh_decl *d, mfh_err *err) {
  (void)p;
  if (mfh_decl_item(d, "f", &mfh_kind_phase_grid) || mfh_decl_item(d, "field", &mfh_kind_field) ||
      mfh_decl_scalars(d, VLASOV_SCALARS))
    return mfh_err_set(err, MFH_EINTERNAL, "vlasov: bad declaration");
  return MFH_OK;
}

/* A heap copy of the grid g: its geometry, and its values unless g->f is
 * NULL (zeros then).  NULL when out of memory. */
static mfh_phase_grid *grid_copy(const mfh_phase_grid *g) {
  mfh_phase_grid *c = malloc(sizeof *c);
  if (!c || mfh_phase_grid_alloc(c, g->nx, g->nv, NULL)) {
    free(c);
    return NULL;
  }
  double *f = c->f;
  *c = *g;
  c->f = f;
  if (g->f) memcpy(f, g->f, g->nx * g->nv * sizeof *f);
  return c;
}

/* f0 on the grid of these parameters (nothing is drawn). */
static int vlasov_initial(const mfh_params *p, gsl_rng *init_rng, mfh_state *s0, mfh_err *err) {
  (void)init_rng;
  cfg c;
  read_cfg(p, &c);
  mfh_vlasov_params vp;
  solver_params(&c, &vp);
  mfh_phase_grid g;
  mfh_vlasov_params_grid(&vp, &g);
  mfh_phase_grid *f0 = grid_copy(&g);
  if (!f0) return mfh_err_set(err, MFH_ENOMEM, "vlasov: out of memory for a %zu x %zu grid", g.nx, g.nv);
  int rc = mfh_vlasov_fill(f0, f_init, &c, err);
  if (rc) {
    mfh_kind_phase_grid.free(f0);
    return rc;
  }
  return mfh_state_put(s0, "f", &mfh_kind_phase_grid, f0, err);
}

/* ---- the solve ------------------------------------------------------------- */

/* Least-squares slope of y against x (GSL's gsl_fit_linear). */
static double lsq_slope(const double *x, const double *y, size_t n) {
  double c0, c1, cov00, cov01, cov11, sumsq;
  if (gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)) return NAN;
  return c1;
}

/* The rate fit of the run up to step nend from the history lw[0..nend] of
 * log field energies (see the header comment).  tm, lm: scratch of nend + 1.
 * Returns the number of points used; gamma and omega (maxima) when >= 3. */
static size_t rate_fit(const cfg *c, const double *lw, long long nend, double *tm, double *lm,
                       double *gamma, double *omega) {
  double t0 = c->fit_from, t1 = fmin(c->fit_to, (double)nend * c->dt);
  size_t n = 0;
  if (c->fit == FIT_SAMPLES) {
    for (long long i = 0; i <= nend; i++) {
      double t = (double)i * c->dt;
      if (t < t0 || t > t1 || !isfinite(lw[i])) continue;
      tm[n] = t;
      lm[n++] = lw[i];
    }
  } else {
    for (long long i = 1; i < nend; i++) {
      if (!(lw[i] > lw[i - 1] && lw[i] >= lw[i + 1]) || !isfinite(lw[i - 1]) ||
          !isfinite(lw[i + 1]))
        continue;
      double qa = 0.5 * (lw[i - 1] + lw[i + 1]) - lw[i], qb = 0.5 * (lw[i + 1] - lw[i - 1]);
      double sh = qa < 0 ? -qb / (2.0 * qa) : 0.0, t = ((double)i + sh) * c->dt;
      if (t < t0 || t > t1) continue;
      tm[n] = t;
      lm[n++] = lw[i] + qb * sh + qa * sh * sh;
    }
  }
  if (n >= 3) {
    *gamma = 0.5 * lsq_slope(tm, lm, n);
    if (c->fit == FIT_MAXIMA) *omega = SV_PI * (double)(n - 1) / (tm[n - 1] - tm[0]);
  }
  return n;
}

typedef struct run_ws {
  mfh_vlasov *vl;
  double *lw, *tm, *lm, *acc;
} run_ws;

static void ws_free(run_ws *w) {
  mfh_vlasov_destroy(w->vl);
  free(w->lw);
  free(w->tm);
  free(w->lm);
  free(w->acc);
}

/* (1/2) dx sum a_i^2, summed in the order of mfh_vlasov_diagnostics, so the
 * history and the reported field_energy are the same numbers. */
static int field_energy(mfh_vlasov *vl, double *acc, int nx, double dx, double *out, mfh_err *err) {
  if (mfh_vlasov_field(vl, acc) != MFH_OK)
    return mfh_err_set(err, MFH_ENUMERIC, "vlasov: field not finite at t = %g",
                       mfh_vlasov_time(vl));
  double s = 0;
  for (int i = 0; i < nx; i++) s += acc[i] * acc[i];
  *out = 0.5 * s * dx;
  return MFH_OK;
}

/* The state at the current time of the run (target steps done) into s. */
static int fill_state(const cfg *c, run_ws *w, long long target, const mfh_vlasov_diag *d0, mfh_state *s,
                      mfh_err *err) {
  mfh_vlasov_diag d;
  int rc = mfh_vlasov_diagnostics(w->vl, &d, err);
  if (rc) return rc;
  double gamma = NAN, omega = NAN, npts = NAN;
  if (c->fit != FIT_NONE) npts = (double)rate_fit(c, w->lw, target, w->tm, w->lm, &gamma, &omega);
  const char *names[] = {"field_energy", "log_field_energy", "mass",  "mass_err", "momentum_err", "energy_err",
                         "l2_ratio",     "fmin",             "edge",  "gamma",    "omega",        "fit_points"};
  const double vals[] = {d.field_energy,
                         d.field_energy > 0 ? log(d.field_energy) : NAN,
                         d.mass,
                         fabs(d.mass - d0->mass) / d0->mass,
                         fabs(d.momentum - d0->momentum) / d0->mass,
                         fabs(d.energy - d0->energy) / (d0->energy != 0 ? fabs(d0->energy) : 1.0),
                         d.l2 / d0->l2,
                         d.fmin,
                         d.fmax > 0 ? (c->model == MODEL_PAIR_FREE ? fmax(d.edge_v, d.edge_x) : d.edge_v) / d.fmax
                                    : 0.0,
                         isfinite(gamma) ? gamma : NAN,
                         isfinite(omega) ? omega : NAN,
                         npts};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
    if (mfh_values_set(&s->scalars, names[i], vals[i])) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  mfh_phase_grid g;
  mfh_vlasov_get_grid(w->vl, &g);
  mfh_phase_grid *f = grid_copy(&g);
  if (!f) return mfh_err_set(err, MFH_ENOMEM, "vlasov: out of memory for a %zu x %zu grid", g.nx, g.nv);
  if ((rc = mfh_state_put(s, "f", &mfh_kind_phase_grid, f, err))) return rc;
  mfh_xgrid xg = {1, g.nx, g.xmin, g.dx};
  mfh_field *a = mfh_field_new(&xg);
  if (!a) return mfh_err_set(err, MFH_ENOMEM, "out of memory for a field of %zu points", g.nx);
  if (mfh_vlasov_field(w->vl, a->v) != MFH_OK) {
    mfh_field_free(a);
    return mfh_err_set(err, MFH_ENUMERIC, "vlasov: field not finite at t = %g", mfh_vlasov_time(w->vl));
  }
  return mfh_state_put(s, "field", &mfh_kind_field, a, err);
}

/* The initial phase grid into the solver: it must lie on the solver's grid. */
static int load_initial(const mfh_engine_ctx *ctx, mfh_vlasov *vl, mfh_err *err) {
  const mfh_phase_grid *f0 = ctx && ctx->from ? mfh_state_get(ctx->from, &mfh_kind_phase_grid, NULL) : NULL;
  if (!f0 || !f0->f) return mfh_err_set(err, MFH_EINPUT, "vlasov: no initial phase grid to start from");
  mfh_phase_grid g;
  mfh_vlasov_get_grid(vl, &g);
  size_t st[2], off[2];
  if (f0->nx != g.nx || f0->nv != g.nv ||
      !mfh_gridl2_nest_axis(f0->xmin, f0->dx, f0->nx, g.xmin, g.dx, g.nx, &st[0], &off[0]) ||
      !mfh_gridl2_nest_axis(f0->vmin, f0->dv, f0->nv, g.vmin, g.dv, g.nv, &st[1], &off[1]) || st[0] != 1 ||
      st[1] != 1 || off[0] || off[1])
    return mfh_err_set(err, MFH_EINPUT,
                       "vlasov: the initial phase grid (%zu x %zu, x from %g step %g, v from %g step %g) is not "
                       "this engine's grid (%zu x %zu, x from %g step %g, v from %g step %g)",
                       f0->nx, f0->nv, f0->xmin, f0->dx, f0->vmin, f0->dv, g.nx, g.nv, g.xmin, g.dx, g.vmin, g.dv);
  memcpy(g.f, f0->f, g.nx * g.nv * sizeof *g.f);
  return MFH_OK;
}

static int vlasov_run(const mfh_params *p, const mfh_engine_ctx *ctx, mfh_state *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  size_t nout = ctx && ctx->t ? ctx->nout : 1;
  const double *times = ctx && ctx->t ? ctx->t : &c.t;
  /* every output time must be a whole number of steps (the study loader
   * validates every sweep value, but run() may be called directly) */
  long long nend = 0;
  for (size_t k = 0; k < nout; k++) {
    double steps = times[k] / c.dt;
    if (!(times[k] >= 0) || !mfh_whole_steps(times[k], c.dt) || steps > SV_MAX_STEPS)
      return mfh_err_set(err, MFH_EINPUT,
                         "t = %g is not a whole number of time steps dt = %g (t / dt = %.6g)",
                         times[k], c.dt, steps);
    if (llround(steps) > nend) nend = llround(steps);
  }
  double vh;
  if (vhalf(&c, &vh)) return mfh_err_set(err, MFH_EINPUT, "vlasov: vmax above the Husimi momentum band");
  run_ws w;
  memset(&w, 0, sizeof w);
  mfh_vlasov_params vp;
  solver_params(&c, &vp);
  int rc = mfh_vlasov_create(&vp, &w.vl, err);
  if (!rc) rc = load_initial(ctx, w.vl, err);
  if (rc) goto done;
  size_t nh = (size_t)nend + 1;
  w.acc = malloc((size_t)c.nx * sizeof *w.acc);
  if (c.fit != FIT_NONE) {
    w.lw = malloc(nh * sizeof *w.lw);
    w.tm = malloc(nh * sizeof *w.tm);
    w.lm = malloc(nh * sizeof *w.lm);
  }
  if (!w.acc || (c.fit != FIT_NONE && (!w.lw || !w.tm || !w.lm))) {
    rc = mfh_err_set(err, MFH_ENOMEM, "vlasov: out of memory for %lld time steps", nend);
    goto done;
  }
  mfh_vlasov_diag d0;
  if ((rc = mfh_vlasov_diagnostics(w.vl, &d0, err))) goto done;
  mfh_phase_grid g;
  mfh_vlasov_get_grid(w.vl, &g);
  double fe = 0;
  if (c.fit != FIT_NONE) w.lw[0] = d0.field_energy > 0 ? log(d0.field_energy) : -INFINITY;
  long long step = 0;
  for (size_t k = 0; k < nout; k++) {
    long long target = llround(times[k] / c.dt);
    for (; step < target; step++) {
      if ((rc = mfh_vlasov_step(w.vl, c.dt, err))) goto done;
      if (c.fit != FIT_NONE) {
        if ((rc = field_energy(w.vl, w.acc, c.nx, g.dx, &fe, err))) goto done;
        w.lw[step + 1] = fe > 0 ? log(fe) : -INFINITY;
      }
    }
    if ((rc = fill_state(&c, &w, target, &d0, &out[k], err))) goto done;
  }
done:
  ws_free(&w);
  return rc;
}

/* One solve: f and its scratch (about six arrays of the grid) and some 60 ns
 * per cell and step (a refined reference is a second part, estimated on its own). */
static int vlasov_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double nv = (double)(mfh_params_int(p, "nv") - 1) * (double)mfh_params_int(p, "vsub") + 1;
  double cells = (double)mfh_params_int(p, "nx") * nv;
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
  *bytes = 6 * 8 * cells;
  *seconds = 6e-8 * cells * steps;
  return MFH_OK;
}

const mfh_engine_type mfh_engine_vlasov = {
    .name = "vlasov",
    .doc = "1D1V Vlasov-Poisson / pair-potential Vlasov from a perturbed equilibrium (Landau, two-stream, "
           "bump on tail) or a phase-space Gaussian: the density f, the self-consistent field, conservation "
           "errors, field energy, fitted damping or growth rate",
    .method = "semi-Lagrangian Strang splitting (Cheng & Knorr 1976; Sonnendrucker et al. 1999): spectral "
              "x-shift, 6-point Lagrange in v (engines/vlasov/vlasov.h)",
    .version = 1,
    .params = vlasov_params,
    .nparams = sizeof vlasov_params / sizeof vlasov_params[0],
    .validate = vlasov_validate,
    .constants = vlasov_constants,
    .declare = vlasov_declare,
    .starts_from = "phase_grid",
    .initial = vlasov_initial,
    .run = vlasov_run,
    .estimate = vlasov_estimate,
};
