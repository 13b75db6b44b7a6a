/* `solver: vlasov`: the 1D1V Vlasov equation on the torus [0, L), L = 2 pi / k,
 * v in [-vmax, vmax], with the semi-Lagrangian Strang solver of vlasov.h
 * (Cheng & Knorr 1976; Sonnendrucker, Roche, Bertrand & Ghizzo 1999).
 *
 * Models (THEOREMS.md section 1): poisson = electrons with a neutralising
 * background, acceleration -E, d_x E = 1 - rho; pair = acceleration
 * -(V' * rho) with the Gaussian V = a exp(-x^2 / (2 s^2)) periodised on the
 * torus (a > 0 repulsive).
 *
 * Initial data f0(x, v) = (1 + alpha cos(k x)) g(v), M(v) = exp(-v^2/2)/sqrt(2 pi):
 *   landau, perturbed  g = M(v)
 *   two_stream         g = v^2 M(v)
 *   bump               g = 0.9 M(v) + 0.2 exp(-2 (v - 4.5)^2) / sqrt(2 pi)
 *                      (bump on tail: Shoucri 1979; Filbet, Sonnendrucker &
 *                      Bertrand, J. Comput. Phys. 172 (2001) 166, k = 0.3)
 * Every g has unit mass: the mean density is 1.
 *
 * Values at each output time t (observable `value`):
 *   field_energy, log_field_energy  (1/2) int a^2 dx and its log (when > 0)
 *   mass_err      |M(t) - M(0)| / M(0)
 *   momentum_err  |P(t) - P(0)| / M(0) (drift of the mean velocity)
 *   energy_err    |W(t) - W(0)| / |W(0)|, W = kinetic + potential energy
 *   l2_ratio      ||f(t)||_L2 / ||f0||_L2
 *   fmin          min of f(t) on the grid
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
 *                  maxima), none for perturbed.
 *   gamma_rel     |gamma / gamma_lin - 1| when the model constant gamma_lin
 *                 (growth rate of the linear dispersion relation, model
 *                 poisson, init two_stream or bump) exists
 *   err_l2, err_field   reference refined: a second solve with dt / refine on
 *                 an nx refine_x by (nv - 1) refine_v + 1 grid (the coarse
 *                 nodes are a subset of its nodes);
 *                 err_l2 = (dx dv sum (f - f_ref)^2)^(1/2) and
 *                 err_field = (dx sum (a - a_ref)^2)^(1/2) on the coarse nodes.
 * Model constants (for bound formulas): L and, where linear theory has a
 * growing mode (model poisson, init two_stream or bump), gamma_lin and
 * omega_lin, the root of mfh_vlasov_dispersion_root.
 * A value that cannot be computed (too few maxima in the window, zero field)
 * is left out, so a study that measures it gets "no value" from the harness.
 *
 * Streams: t is a stream parameter.  One run steps to the largest requested
 * time and fills out[k] at each stream[k]; every value at t depends only on
 * the run up to t (the fits use the field-energy history up to t), so out[k]
 * is bit-identical to a run asked for that time alone.  Threads = 1: the
 * harness runs tasks in parallel.  The step loop allocates nothing. */
#include "engines/vlasov/solver.h"

#include <math.h>

#include <gsl/gsl_fit.h>
#include <stdlib.h>
#include <string.h>

#include "engines/vlasov/vlasov.h"

#define SV_PI 3.14159265358979323846
#define SV_MAX_STEPS 1e7        /* time steps of one solve */
#define SV_MAX_CELLS 67108864.0 /* 2^26 grid nodes (512 MB) */
#define SV_EDGE 1e-8            /* g(+-vmax) / max g allowed */

static const mfh_param_def vlasov_params[] = {
    {"model", MFH_PARAM_CHOICE, "poisson", 0, 0, 0, 0, "poisson|pair",
     "Vlasov-Poisson (electrons, neutralising background) or the Gaussian pair potential "
     "V = a exp(-x^2/(2 s^2)) periodised on the torus",
     0},
    {"init", MFH_PARAM_CHOICE, "landau", 0, 0, 0, 0, "landau|two_stream|bump|perturbed",
     "f0 = (1 + alpha cos(k x)) g(v): g = M (landau, perturbed), v^2 M (two_stream), "
     "0.9 M + 0.2 exp(-2 (v-4.5)^2)/sqrt(2 pi) (bump); M = exp(-v^2/2)/sqrt(2 pi)",
     0},
    {"k", MFH_PARAM_REAL, "0.5", 0, 100, 1, 0, NULL,
     "wave number of the perturbation; the box is [0, 2 pi / k)", 0},
    {"alpha", MFH_PARAM_REAL, "0.01", 0, 1, 0, 1, NULL, "amplitude of the density perturbation", 0},
    {"nx", MFH_PARAM_INT, "32", 8, 1048576, 0, 0, NULL, "grid cells in x", 0},
    {"nv", MFH_PARAM_INT, "256", 16, 1048576, 0, 0, NULL, "grid nodes in v", 0},
    {"vmax", MFH_PARAM_REAL, "8", 0, 1e3, 1, 0, NULL, "velocity grid [-vmax, vmax] (f = 0 beyond)",
     0},
    {"t", MFH_PARAM_REAL, "30", 0, 1e6, 0, 0, NULL,
     "output time (a sweep over t is one run per replica)", 1},
    {"dt", MFH_PARAM_REAL, "0.05", 0, 100, 1, 0, NULL,
     "time step (t must be a whole number of steps)", 0},
    {"fit", MFH_PARAM_CHOICE, "auto", 0, 0, 0, 0, "auto|maxima|samples|none",
     "how gamma is fitted from the field energy: at its maxima (also omega), at every step, "
     "or not; auto = maxima (landau), samples (two_stream, bump), none (perturbed)",
     0},
    {"fit_from", MFH_PARAM_REAL, "6", 0, 1e6, 0, 0, NULL,
     "start of the rate-fit window (after the initial transient)", 0},
    {"fit_to", MFH_PARAM_REAL, "1e6", 0, 1e6, 0, 0, NULL,
     "end of the rate-fit window (clipped to the run: min(fit_to, t))", 0},
    {"a", MFH_PARAM_REAL, "1", -1e6, 1e6, 0, 0, NULL,
     "pair potential amplitude (model pair; a > 0 repulsive)", 0},
    {"s", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL, "pair potential width (model pair)", 0},
    {"reference", MFH_PARAM_CHOICE, "none", 0, 0, 0, 0, "none|refined",
     "refined: a second solve with dt / refine on a grid refined by refine_x, refine_v; "
     "gives err_l2 and err_field",
     0},
    {"refine", MFH_PARAM_INT, "4", 1, 1024, 0, 0, NULL, "reference refined: time step dt / refine",
     0},
    {"refine_x", MFH_PARAM_INT, "1", 1, 64, 0, 0, NULL, "reference refined: nx refine_x cells", 0},
    {"refine_v", MFH_PARAM_INT, "1", 1, 64, 0, 0, NULL,
     "reference refined: (nv - 1) refine_v + 1 nodes", 0},
};

enum { INIT_LANDAU, INIT_TWO_STREAM, INIT_BUMP, INIT_PERTURBED };
enum { FIT_AUTO, FIT_MAXIMA, FIT_SAMPLES, FIT_NONE };

typedef struct cfg {
  int poisson, init, fit, refined;
  double k, L, alpha, vmax, t, dt, fit_from, fit_to, a, s;
  int nx, nv;
  long long refine, refine_x, refine_v;
} cfg;

static int pick(const char *s, const char *const *names) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

static void read_cfg(const mfh_params *p, cfg *c) {
  static const char *const inits[] = {"landau", "two_stream", "bump", "perturbed", NULL};
  static const char *const fits[] = {"auto", "maxima", "samples", "none", NULL};
  c->poisson = strcmp(mfh_params_str(p, "model"), "pair") != 0;
  c->init = pick(mfh_params_str(p, "init"), inits);
  c->fit = pick(mfh_params_str(p, "fit"), fits);
  if (c->init < 0) c->init = INIT_LANDAU;
  if (c->fit < 0) c->fit = FIT_AUTO;
  if (c->fit == FIT_AUTO)
    c->fit = c->init == INIT_LANDAU      ? FIT_MAXIMA
             : c->init == INIT_PERTURBED ? FIT_NONE
                                         : FIT_SAMPLES;
  c->refined = !strcmp(mfh_params_str(p, "reference"), "refined");
  c->k = mfh_params_real(p, "k");
  c->L = 2.0 * SV_PI / c->k;
  c->alpha = mfh_params_real(p, "alpha");
  c->nx = (int)mfh_params_int(p, "nx");
  c->nv = (int)mfh_params_int(p, "nv");
  c->vmax = mfh_params_real(p, "vmax");
  c->t = mfh_params_real(p, "t");
  c->dt = mfh_params_real(p, "dt");
  c->fit_from = mfh_params_real(p, "fit_from");
  c->fit_to = mfh_params_real(p, "fit_to");
  c->a = mfh_params_real(p, "a");
  c->s = mfh_params_real(p, "s");
  c->refine = mfh_params_int(p, "refine");
  c->refine_x = mfh_params_int(p, "refine_x");
  c->refine_v = mfh_params_int(p, "refine_v");
}

/* ---- initial data and linear theory -------------------------------------- */

static double maxwell(double v) { return exp(-0.5 * v * v) / sqrt(2.0 * SV_PI); }

/* The velocity profile g of the initial data. */
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
  return (1.0 + c->alpha * cos(c->k * x)) * profile(c->init, v);
}

/* The growing root of the Vlasov-Poisson dispersion relation of g at k
 * (model poisson, init two_stream or bump).  MFH_ENUMERIC when there is
 * none (stable k) or the Newton iteration does not find it. */
static int linear_root(const cfg *c, double root[2], mfh_err *err) {
  if (!c->poisson || (c->init != INIT_TWO_STREAM && c->init != INIT_BUMP))
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

/* Model constants: L = 2 pi / k and, where linear theory has a growing
 * mode, gamma_lin and omega_lin (its imaginary and real part). */
static int vlasov_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  double root[2];
  mfh_err e;
  mfh_err_clear(&e);
  if (mfh_values_set(out, "L", c.L)) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  if (c.poisson && (c.init == INIT_TWO_STREAM || c.init == INIT_BUMP) &&
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
  if ((double)c.nx * (double)c.nv > SV_MAX_CELLS)
    BAD("nv", "nx * nv = %d * %d grid nodes: at most %.0f", c.nx, c.nv, SV_MAX_CELLS);
  /* f0 must vanish at the edges of the velocity grid (f = 0 beyond) */
  double gmax = 0;
  for (int i = 0; i <= 2000; i++) gmax = fmax(gmax, profile(c.init, -c.vmax + c.vmax * i / 1000.0));
  double edge = fmax(profile(c.init, c.vmax), profile(c.init, -c.vmax));
  if (!(edge <= SV_EDGE * gmax))
    BAD("vmax",
        "vmax = %g: the initial velocity profile is still %.2g of its maximum at |v| = vmax; "
        "f must vanish at the edges of the velocity grid (vmax = 8 does for every init)",
        c.vmax, gmax > 0 ? edge / gmax : 1.0);
  if (!c.poisson && c.s > 10.0 * c.L)
    BAD("s", "s = %g: the periodised pair potential needs s <= 10 L = %g (L = 2 pi / k)", c.s,
        10.0 * c.L);
  if (c.fit != FIT_NONE && !(c.fit_to > c.fit_from))
    BAD("fit_to", "fit_to = %g must be > fit_from = %g (the rate-fit window)", c.fit_to,
        c.fit_from);
  if (c.fit != FIT_NONE && c.alpha == 0)
    BAD("alpha",
        "alpha = 0: without a perturbation there is no field and no rate to fit "
        "(set alpha > 0, or fit: none)");
  if (c.refined) {
    if (c.refine == 1 && c.refine_x == 1 && c.refine_v == 1)
      BAD("refine",
          "reference refined with refine = refine_x = refine_v = 1 is the same solve: "
          "refine dt (refine > 1) or the grid (refine_x, refine_v > 1)");
    double steps_ref = steps * (double)c.refine;
    if (steps_ref > SV_MAX_STEPS)
      BAD("refine", "the reference takes t / dt * refine = %.4g time steps: at most %.0g",
          steps_ref, SV_MAX_STEPS);
    double cells =
        (double)c.nx * (double)c.refine_x * ((double)(c.nv - 1) * (double)c.refine_v + 1.0);
    if (cells > SV_MAX_CELLS)
      BAD(c.refine_v > 1 ? "refine_v" : "refine_x",
          "the reference grid has %.4g nodes: at most %.0f", cells, SV_MAX_CELLS);
  }
#undef BAD
  return MFH_OK;
}

/* ---- the solve ------------------------------------------------------------- */

static int open_solver(const cfg *c, int nx, int nv, mfh_vlasov **vl, mfh_err *err) {
  mfh_vlasov_params vp;
  mfh_vlasov_params_init(&vp);
  vp.nx = nx;
  vp.nv = nv;
  vp.xmin = 0.0;
  vp.xmax = c->L;
  vp.vmin = -c->vmax;
  vp.vmax = c->vmax;
  vp.model = c->poisson ? MFH_VLASOV_POISSON : MFH_VLASOV_PAIR_PERIODIC;
  vp.a = c->a;
  vp.s = c->s;
  vp.threads = 1;
  int rc = mfh_vlasov_create(&vp, vl, err);
  if (!rc) rc = mfh_vlasov_set_f(*vl, f_init, (void *)c, err);
  return rc;
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
  mfh_vlasov *vl, *ref;
  double *lw, *tm, *lm, *acc, *acc_ref;
} run_ws;

static void ws_free(run_ws *w) {
  mfh_vlasov_destroy(w->vl);
  mfh_vlasov_destroy(w->ref);
  free(w->lw);
  free(w->tm);
  free(w->lm);
  free(w->acc);
  free(w->acc_ref);
}

#define SET(name, val)                                                                         \
  do {                                                                                         \
    if (mfh_values_set(vals, name, val)) return mfh_err_set(err, MFH_ENOMEM, "out of memory"); \
  } while (0)

/* The values at the current time of the run (target steps done). */
static int fill_values(const cfg *c, run_ws *w, long long target, const mfh_vlasov_diag *d0,
                       double gamma_lin, mfh_values *vals, mfh_err *err) {
  mfh_vlasov_diag d;
  int rc = mfh_vlasov_diagnostics(w->vl, &d, err);
  if (rc) return rc;
  SET("field_energy", d.field_energy);
  if (d.field_energy > 0) SET("log_field_energy", log(d.field_energy));
  SET("mass_err", fabs(d.mass - d0->mass) / d0->mass);
  SET("momentum_err", fabs(d.momentum - d0->momentum) / d0->mass);
  SET("energy_err", fabs(d.energy - d0->energy) / (d0->energy != 0 ? fabs(d0->energy) : 1.0));
  SET("l2_ratio", d.l2 / d0->l2);
  SET("fmin", d.fmin);
  if (c->fit != FIT_NONE) {
    double gamma = NAN, omega = NAN;
    size_t n = rate_fit(c, w->lw, target, w->tm, w->lm, &gamma, &omega);
    SET("fit_points", (double)n);
    if (isfinite(gamma)) SET("gamma", gamma);
    if (isfinite(gamma)) SET("damping", -gamma); /* positive for a damped mode: plots on log axes */
    if (isfinite(omega)) SET("omega", omega);
    if (isfinite(gamma) && isfinite(gamma_lin)) SET("gamma_rel", fabs(gamma / gamma_lin - 1.0));
  }
  if (c->refined) {
    mfh_vlasov_grid g, gr;
    mfh_vlasov_get_grid(w->vl, &g);
    mfh_vlasov_get_grid(w->ref, &gr);
    const double *f = mfh_vlasov_f(w->vl), *fr = mfh_vlasov_f(w->ref);
    size_t nv = (size_t)g.nv, nvr = (size_t)gr.nv, rx = (size_t)c->refine_x,
           rv = (size_t)c->refine_v;
    double s = 0;
    for (size_t i = 0; i < (size_t)g.nx; i++)
      for (size_t j = 0; j < nv; j++) {
        double e = f[i * nv + j] - fr[i * rx * nvr + j * rv];
        s += e * e;
      }
    SET("err_l2", sqrt(s * g.dx * g.dv));
    if (mfh_vlasov_field(w->vl, w->acc) || mfh_vlasov_field(w->ref, w->acc_ref))
      return mfh_err_set(err, MFH_ENUMERIC, "vlasov: field not finite at t = %g",
                         mfh_vlasov_time(w->vl));
    s = 0;
    for (size_t i = 0; i < (size_t)g.nx; i++) {
      double e = w->acc[i] - w->acc_ref[i * rx];
      s += e * e;
    }
    SET("err_field", sqrt(s * g.dx));
  }
  return MFH_OK;
}
#undef SET

static int vlasov_run(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out,
                      mfh_err *err) {
  (void)rng; /* deterministic */
  cfg c;
  read_cfg(p, &c);
  size_t nout = task && task->stream ? task->nstream : 1;
  const double *times = task && task->stream ? task->stream : &c.t;
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
  double gamma_lin = NAN, root[2];
  mfh_err rerr;
  mfh_err_clear(&rerr);
  if (c.fit != FIT_NONE && c.poisson && (c.init == INIT_TWO_STREAM || c.init == INIT_BUMP) &&
      linear_root(&c, root, &rerr) == MFH_OK)
    gamma_lin = root[1];

  run_ws w;
  memset(&w, 0, sizeof w);
  int rc = open_solver(&c, c.nx, c.nv, &w.vl, err);
  if (!rc && c.refined)
    rc = open_solver(&c, c.nx * (int)c.refine_x, (c.nv - 1) * (int)c.refine_v + 1, &w.ref, err);
  if (rc) goto done;
  size_t nh = (size_t)nend + 1;
  w.acc = malloc((size_t)c.nx * sizeof *w.acc);
  if (c.fit != FIT_NONE) {
    w.lw = malloc(nh * sizeof *w.lw);
    w.tm = malloc(nh * sizeof *w.tm);
    w.lm = malloc(nh * sizeof *w.lm);
  }
  if (c.refined) w.acc_ref = malloc((size_t)c.nx * (size_t)c.refine_x * sizeof *w.acc_ref);
  if (!w.acc || (c.fit != FIT_NONE && (!w.lw || !w.tm || !w.lm)) || (c.refined && !w.acc_ref)) {
    rc = mfh_err_set(err, MFH_ENOMEM, "vlasov: out of memory for %lld time steps", nend);
    goto done;
  }
  mfh_vlasov_diag d0;
  if ((rc = mfh_vlasov_diagnostics(w.vl, &d0, err))) goto done;
  mfh_vlasov_grid g;
  mfh_vlasov_get_grid(w.vl, &g);
  double fe = 0;
  if (c.fit != FIT_NONE) w.lw[0] = d0.field_energy > 0 ? log(d0.field_energy) : -INFINITY;
  double dt_ref = c.dt / (double)c.refine;
  long long step = 0, step_ref = 0;
  for (size_t k = 0; k < nout; k++) {
    long long target = llround(times[k] / c.dt);
    for (; step < target; step++) {
      if ((rc = mfh_vlasov_step(w.vl, c.dt, err))) goto done;
      if (c.fit != FIT_NONE) {
        if ((rc = field_energy(w.vl, w.acc, c.nx, g.dx, &fe, err))) goto done;
        w.lw[step + 1] = fe > 0 ? log(fe) : -INFINITY;
      }
    }
    for (; c.refined && step_ref < target * c.refine; step_ref++)
      if ((rc = mfh_vlasov_step(w.ref, dt_ref, err))) goto done;
    if ((rc = fill_values(&c, &w, target, &d0, gamma_lin, &out[k].values, err))) goto done;
  }
done:
  ws_free(&w);
  return rc;
}

/* The distribution and its work arrays (~6 nx nv doubles, refined reference
 * grid included); ~30 ns per cell update, two advections per step. */
static int vlasov_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double cells = (double)mfh_params_int(p, "nx") * (double)mfh_params_int(p, "nv");
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt"));
  double ref = 0, ref_steps = 0;
  if (!strcmp(mfh_params_str(p, "reference"), "refined")) {
    ref = cells * (double)mfh_params_int(p, "refine_x") * (double)mfh_params_int(p, "refine_v");
    ref_steps = steps * (double)mfh_params_int(p, "refine");
  }
  *bytes = 6 * 8 * (cells + ref);
  *seconds = 6e-8 * (cells * steps + ref * ref_steps);
  return MFH_OK;
}

const mfh_solver_type mfh_solver_vlasov = {
    .name = "vlasov",
    .doc =
        "1D1V Vlasov-Poisson / pair-potential Vlasov on the torus from a perturbed equilibrium "
        "(Landau, two-stream, bump on tail): conservation errors, field energy, fitted damping or "
        "growth rate, error against a refined solve",
    .reference =
        "semi-Lagrangian Strang splitting (Cheng & Knorr 1976; Sonnendrucker et al. 1999): "
        "spectral x-shift, 6-point Lagrange in v (engines/vlasov/vlasov.h)",
    .version = 2, /* bump whenever results change: stored tasks of older versions are recomputed */
    .params = vlasov_params,
    .nparams = sizeof vlasov_params / sizeof vlasov_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = vlasov_validate,
    .constants = vlasov_constants,
    .run = vlasov_run,
    .estimate = vlasov_estimate,
};
