/* `solver: coulomb3d`: the 3D Coulomb N-body system (V = 1/(4 pi |x|),
 * coupling 1/N, no softening) from N i.i.d. points of the Gaussian rho_in
 * (per-axis variance sigma^2) at rest, against the radial pressureless
 * Euler-Poisson solution from (rho_in, u_in = 0) (THEOREMS.md section 1
 * "Coulomb", CEP-1, CEP-4).
 *
 * N-body: velocity Verlet with a fixed step dt (pairs.c); the potential
 * energy is computed with the forces at every step (5% extra) for the
 * energy drift.  Reference: radial.c, tabulated once per sweep point
 * (prepare hook) for the requested output times, each time integrated from
 * t = 0 on its own, so a table does not depend on which other times are
 * requested.
 *
 * Values at every output time t (a stream parameter):
 *   K_N    (1/N) sum_j |xi_j - u(t, x_j)|^2;
 *   P_N    (1/N^2) sum_{i != j} V(x_i - x_j) - (2/N) sum_i phi(t, x_i) + int rho phi;
 *   E_N = K_N + P_N, absE = |E_N|, NE = N E_N, N23E = N^{2/3} E_N,
 *   NP = N P_N, N23P = N^{2/3} P_N, mN23P = -N^{2/3} P_N;
 *   dE = E_N(t) - E_N(0) of the same replica (E_N(0) = P_N(0)), N23dE = N^{2/3} dE,
 *   N23K = N^{2/3} K_N;
 *   NP0    N P_N(0) of the same replica (CEP-4: E[N P_N(0)] = -int int V rho_in rho_in
 *          = -1/(4 pi^{3/2} sigma) exactly; P_N(0) uses the closed form
 *          phi_0(r) = erf(r / (sqrt 2 sigma)) / (4 pi r));
 *   lb_ratio  -N^{2/3} P_N / (C_O ||rho(t)||_inf^{1/3}), C_O = MFH_C3_ONSAGER:
 *          <= 1 for every configuration (derived below);
 *   drift  max over the steps s <= t of |H(s) - H(0)| / |H(0)|,
 *          H = sum |xi|^2 / (2N) + (1/(2N^2)) sum_{i != j} V;
 *   L      sup_x |grad u(t)| (the reference's largest strain rate at t);
 *   rho_max ||rho(t)||_inf (max over the label grid);
 *   ep_fluid  int rho phi at t (= 1/(4 pi^{3/2} sigma) at t = 0);
 *   e_fluid   (1/2) int |u|^2 rho + (1/2) int rho phi (conserved: checks the reference);
 *   with refine = r > 1 also E_N_fine (the same initial data, dt / r) and
 *   dE_dt = E_N - E_N_fine, absdE_dt = |dE_dt| (the time-step error of E_N).
 * Model constants: tcross (first shell crossing), D0 = 1/(4 pi^{3/2} sigma),
 * mD0 = -D0, C_O, rho0 = ||rho_in||_inf, LB0 = C_O rho0^{1/3}.
 *
 * The lower bound (derived; Onsager 1939, Lieb & Narnhofer 1975): write
 * W = (N^2/2) P_N = sum_{i<j} V(x_i - x_j) - sum_i (V * n)(x_i) + (1/2) D(n, n),
 * n = N rho, D(f, g) = int int V f g.  Smear each point into the uniform
 * ball nu_i of radius r; D(sum nu_i - n, sum nu_i - n) >= 0, Newton's
 * theorem (V(x_i - x_j) >= D(nu_i, nu_j)) and 0 <= (V * n)(x_i) - D(nu_i, n)
 * <= ||n||_inf int (V - V * nu) = ||n||_inf r^2 / 10 give
 * W >= -N (3 / (5 4 pi r) + ||n||_inf r^2 / 10); the optimal r^3 = 3 / (4 pi ||n||_inf)
 * gives W >= -N (9/10) / (4 pi r), i.e.
 * P_N >= -(9/10)(2 / (4 pi)) (4 pi / 3)^{1/3} ||rho||_inf^{1/3} N^{-2/3}
 * = -0.2309 ||rho||_inf^{1/3} N^{-2/3}, for every configuration and every
 * bounded rho (not only uniform backgrounds).  A bcc crystal reaches 0.9959
 * of it (Madelung -0.895929). */
#include "engines/coulomb3d/solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engines/coulomb3d/pairs.h"
#include "engines/coulomb3d/radial.h"

#define PI 3.14159265358979323846264338327950288

static const mfh_param_def c3_params[] = {
    {"N", MFH_PARAM_INT, "1000", 2, 1e6, 0, 0, NULL, "number of particles", MFH_PARAM_SAMPLED},
    {"sigma", MFH_PARAM_REAL, "1", 0, 1e6, 1, 0, NULL,
     "initial density: Gaussian with per-axis variance sigma^2 (mass 1), velocities 0", MFH_PARAM_SAMPLED},
    {"t", MFH_PARAM_REAL, "1", 0, 1e6, 0, 0, NULL,
     "output time, before the first shell crossing of the reference (a sweep over t is one run per "
     "replica)",
     1},
    {"dt", MFH_PARAM_REAL, "0.01", 0, 10, 1, 0, NULL, "velocity Verlet step (t must be a multiple of it)", 0},
    {"refine", MFH_PARAM_INT, "1", 1, 64, 0, 0, NULL,
     "r > 1: also run the same initial data with dt / r and report E_N_fine, dE_dt (the time-step error)",
     0},
    {"threads", MFH_PARAM_INT, "1", 1, 256, 0, 0, NULL,
     "OpenMP threads for the pair sums (results do not depend on it)", 0},
};

typedef struct cfg {
  size_t n;
  double sigma, dt;
  int refine, threads;
} cfg;

static void read_cfg(const mfh_params *p, cfg *c) {
  c->n = (size_t)mfh_params_int(p, "N");
  c->sigma = mfh_params_real(p, "sigma");
  c->dt = mfh_params_real(p, "dt");
  c->refine = (int)mfh_params_int(p, "refine");
  c->threads = (int)mfh_params_int(p, "threads");
}

/* The reference for one sweep point: crossing time and tables. */
typedef struct shared {
  double tcross;
  size_t ntimes;
  double *times;
  mfh_radial *rad;
} shared;

static void shared_free(void *p) {
  shared *s = p;
  if (!s) return;
  mfh_radial_destroy(s->rad);
  free(s->times);
  free(s);
}

static int too_late(double t, double tc, double sigma, mfh_err *err) {
  return mfh_err_set(err, MFH_EINPUT,
                     "t = %g is %s the first shell crossing of the radial Euler-Poisson reference at t = %.6g "
                     "(sigma = %g; it scales like sigma^{3/2}): the reference stops there",
                     t, t == tc ? "at" : "past", tc, sigma);
}

static int c3_prepare(const mfh_params *p, size_t nstream, const double *stream, void **out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  *out = NULL;
  shared *s = calloc(1, sizeof *s);
  if (!s) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  double ac;
  int rc = mfh_radial_crossing(c.sigma, &s->tcross, &ac, err);
  for (size_t k = 0; !rc && k < nstream; k++)
    if (!(stream[k] < s->tcross)) rc = too_late(stream[k], s->tcross, c.sigma, err);
  if (!rc) {
    s->ntimes = nstream;
    s->times = malloc(nstream * sizeof *s->times);
    if (!s->times) rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
  }
  if (!rc) {
    memcpy(s->times, stream, nstream * sizeof *stream);
    rc = mfh_radial_create(c.sigma, nstream, stream, 0, 0, &s->rad, err);
  }
  if (rc) {
    shared_free(s);
    return rc;
  }
  *out = s;
  return MFH_OK;
}

static int c3_validate(const mfh_params *p, const char **param, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  double t = mfh_params_real(p, "t");
  if (!mfh_whole_steps(t, c.dt))
    return mfh_param_reject(param, "t", err, "t = %g is not a whole number of steps dt = %g", t, c.dt);
  double tscale = c.sigma * sqrt(c.sigma);
  if (c.dt > 0.1 * tscale)
    return mfh_param_reject(param, "dt", err,
                            "dt = %g is too coarse: the explosion evolves on times ~ sigma^{3/2} = %g and "
                            "the closest initial pairs much faster; use dt <= 0.1 sigma^{3/2}",
                            c.dt, tscale);
  double tc, ac;
  mfh_err e2;
  if (mfh_radial_crossing(c.sigma, &tc, &ac, &e2)) return mfh_param_reject(param, "sigma", err, "%s", e2.msg);
  if (!(t < tc)) {
    mfh_err e3;
    too_late(t, tc, c.sigma, &e3);
    return mfh_param_reject(param, "t", err, "%s", e3.msg);
  }
  return MFH_OK;
}

static int c3_constants(const mfh_params *p, mfh_values *out, mfh_err *err) {
  cfg c;
  read_cfg(p, &c);
  double tc, ac;
  int rc = mfh_radial_crossing(c.sigma, &tc, &ac, err);
  if (rc) return rc;
  double D0 = mfh_radial_self_energy0(c.sigma), rho0 = mfh_radial_density0(0, c.sigma);
  rc |= mfh_values_set(out, "tcross", tc);
  rc |= mfh_values_set(out, "D0", D0);
  rc |= mfh_values_set(out, "mD0", -D0);
  rc |= mfh_values_set(out, "C_O", MFH_C3_ONSAGER);
  rc |= mfh_values_set(out, "rho0", rho0);
  rc |= mfh_values_set(out, "LB0", MFH_C3_ONSAGER * cbrt(rho0));
  return rc ? mfh_err_set(err, MFH_ENOMEM, "out of memory") : MFH_OK;
}

/* P_N(0) with the closed-form phi_0(r) = erf(r / (sqrt 2 sigma)) / (4 pi r). */
static double pn0(const mfh_c3 *s, double pot, double sigma) {
  size_t n = mfh_c3_size(s);
  const double *x0 = mfh_c3_x(s, 0), *x1 = mfh_c3_x(s, 1), *x2 = mfh_c3_x(s, 2);
  double sphi = 0, N = (double)n;
  for (size_t j = 0; j < n; j++) {
    double r = sqrt(x0[j] * x0[j] + x1[j] * x1[j] + x2[j] * x2[j]), z = r / (sqrt(2.0) * sigma);
    /* erf(z)/r -> 2/(sqrt(pi) sqrt(2) sigma) as r -> 0 */
    sphi += (z > 1e-8 ? erf(z) / r : 2.0 / (sqrt(2.0 * PI) * sigma)) / (4 * PI);
  }
  return pot / (N * N) - 2 * sphi / N + mfh_radial_self_energy0(sigma);
}

/* K_N and P_N of system s at table index k (pot = sum_{i != j} V). */
static int measure(const mfh_c3 *s, const mfh_radial *rad, size_t k, double pot, double *K, double *P,
                   mfh_err *err) {
  size_t n = mfh_c3_size(s);
  const double *x[3] = {mfh_c3_x(s, 0), mfh_c3_x(s, 1), mfh_c3_x(s, 2)};
  const double *v[3] = {mfh_c3_v(s, 0), mfh_c3_v(s, 1), mfh_c3_v(s, 2)};
  double kin = 0, sphi = 0, N = (double)n;
  for (size_t j = 0; j < n; j++) {
    double r = sqrt(x[0][j] * x[0][j] + x[1][j] * x[1][j] + x[2][j] * x[2][j]);
    mfh_radial_point q;
    int st = mfh_radial_eval(rad, k, r, &q, err);
    if (st) return st;
    double f = r > 0 ? q.u / r : 0;
    for (int i = 0; i < 3; i++) {
      double d = v[i][j] - f * x[i][j];
      kin += d * d;
    }
    sphi += q.phi;
  }
  *K = kin / N;
  *P = pot / (N * N) - 2 * sphi / N + mfh_radial_pot_energy(rad, k);
  return MFH_OK;
}

/* One system advanced through the stream; fills E[k] (and the other
 * outputs when vals != NULL). */
typedef struct traj_out {
  double K, P, drift, NP0;
} traj_out;

static int trajectory(const cfg *c, const double *x0, double dt, const mfh_task_ctx *task, const mfh_radial *rad,
                      const size_t *tab, traj_out *res, mfh_err *err) {
  mfh_c3 *s = NULL;
  int rc = mfh_c3_create(c->n, 1.0 / (double)c->n, &s, err);
  if (!rc) rc = mfh_c3_set_threads(s, c->threads, err);
  if (!rc) rc = mfh_c3_set_state(s, x0, NULL, err);
  double pot = 0, N = (double)c->n;
  if (!rc) rc = mfh_c3_forces(s, &pot, err);
  if (rc) goto done;
  double H0 = pot / (2 * N * N), drift = 0, NP0 = N * pn0(s, pot, c->sigma);
  long step = 0;
  for (size_t k = 0; k < task->nstream; k++) {
    long target = lround(task->stream[k] / dt);
    for (; step < target; step++) {
      if ((rc = mfh_c3_step(s, dt, &pot, err))) goto done;
      double H = mfh_c3_kinetic(s) / N + pot / (2 * N * N);
      drift = fmax(drift, fabs(H - H0) / fabs(H0));
      if (!isfinite(H)) {
        rc = mfh_err_set(err, MFH_ENUMERIC, "coulomb3d: non-finite energy at step %ld", step + 1);
        goto done;
      }
    }
    if ((rc = measure(s, rad, tab[k], pot, &res[k].K, &res[k].P, err))) goto done;
    res[k].drift = drift;
    res[k].NP0 = NP0;
  }
done:
  mfh_c3_destroy(s);
  return rc;
}

static int c3_run(const mfh_params *p, const mfh_task_ctx *task, gsl_rng *rng, mfh_state *out, mfh_err *err) {
  (void)rng; /* no draws of the system's own: initial data come from task->init_rng */
  cfg c;
  read_cfg(p, &c);
  const shared *sh = task->shared;
  shared *own = NULL;
  size_t ns = task->nstream, n = c.n;
  size_t *tab = malloc(ns * sizeof *tab);
  double *x0 = malloc(3 * n * sizeof *x0);
  traj_out *res = calloc(2 * ns, sizeof *res);
  int rc = MFH_OK;
  if (!tab || !x0 || !res) {
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory (N = %zu)", n);
    goto done;
  }
  /* the shared tables, if they cover every requested time */
  for (size_t k = 0; sh && k < ns; k++) {
    size_t i = 0;
    while (i < sh->ntimes && sh->times[i] != task->stream[k]) i++;
    if (i == sh->ntimes)
      sh = NULL;
    else
      tab[k] = i;
  }
  if (!sh) {
    void *tmp = NULL;
    if ((rc = c3_prepare(p, ns, task->stream, &tmp, err))) goto done;
    own = tmp;
    sh = own;
    for (size_t k = 0; k < ns; k++) tab[k] = k;
  }
  for (size_t j = 0; j < 3 * n; j++) x0[j] = gsl_ran_gaussian(task->init_rng, c.sigma);
  if ((rc = trajectory(&c, x0, c.dt, task, sh->rad, tab, res, err))) goto done;
  if (c.refine > 1 && (rc = trajectory(&c, x0, c.dt / c.refine, task, sh->rad, tab, res + ns, err))) goto done;
  double N = (double)n, N23 = cbrt(N * N);
  for (size_t k = 0; k < ns; k++) {
    const mfh_radial *rad = sh->rad;
    size_t q = tab[k];
    double K = res[k].K, P = res[k].P, E = K + P, rho_max = mfh_radial_rho_max(rad, q);
    if (!isfinite(E)) {
      rc = mfh_err_set(err, MFH_ENUMERIC, "coulomb3d: non-finite modulated energy at t = %g", task->stream[k]);
      goto done;
    }
    mfh_values *o = &out[k].values;
    int s = 0;
    s |= mfh_values_set(o, "K_N", K);
    s |= mfh_values_set(o, "P_N", P);
    s |= mfh_values_set(o, "E_N", E);
    s |= mfh_values_set(o, "absE", fabs(E));
    s |= mfh_values_set(o, "NE", N * E);
    s |= mfh_values_set(o, "N23E", N23 * E);
    s |= mfh_values_set(o, "NP", N * P);
    s |= mfh_values_set(o, "N23P", N23 * P);
    s |= mfh_values_set(o, "mN23P", -N23 * P);
    s |= mfh_values_set(o, "NP0", res[k].NP0);
    s |= mfh_values_set(o, "dE", E - res[k].NP0 / N);
    s |= mfh_values_set(o, "N23dE", N23 * (E - res[k].NP0 / N));
    s |= mfh_values_set(o, "N23K", N23 * K);
    s |= mfh_values_set(o, "lb_ratio", -N23 * P / (MFH_C3_ONSAGER * cbrt(rho_max)));
    s |= mfh_values_set(o, "drift", res[k].drift);
    s |= mfh_values_set(o, "L", mfh_radial_lip(rad, q));
    s |= mfh_values_set(o, "rho_max", rho_max);
    s |= mfh_values_set(o, "ep_fluid", mfh_radial_pot_energy(rad, q));
    s |= mfh_values_set(o, "e_fluid", mfh_radial_kin_energy(rad, q) + 0.5 * mfh_radial_pot_energy(rad, q));
    if (c.refine > 1) {
      double Ef = res[ns + k].K + res[ns + k].P;
      s |= mfh_values_set(o, "E_N_fine", Ef);
      s |= mfh_values_set(o, "dE_dt", E - Ef);
      s |= mfh_values_set(o, "absdE_dt", fabs(E - Ef));
      s |= mfh_values_set(o, "drift_fine", res[ns + k].drift);
    }
    if (s) {
      rc = mfh_err_set(err, MFH_ENOMEM, "out of memory");
      goto done;
    }
  }
done:
  shared_free(own);
  free(tab);
  free(x0);
  free(res);
  return rc;
}

/* Positions, velocities, forces of N particles in 3D; the direct sum is
 * N^2/2 pairs at ~3 ns per step, `refine` substeps each. */
static int c3_estimate(const mfh_params *p, double *bytes, double *seconds) {
  double N = (double)mfh_params_int(p, "N");
  double steps = ceil(mfh_params_real(p, "t") / mfh_params_real(p, "dt")) * (double)mfh_params_int(p, "refine");
  *bytes = 12 * 3 * 8 * N;
  *seconds = 1.5e-9 * N * N * (steps + 1);
  return MFH_OK;
}

const mfh_solver_type mfh_solver_coulomb3d = {
    .name = "coulomb3d",
    .doc = "3D Coulomb N-body (V = 1/(4 pi |x|), coupling 1/N, no softening) from i.i.d. Gaussian points at "
           "rest vs the radial Euler-Poisson explosion: modulated energy K_N + P_N (CEP-1, CEP-4)",
    .reference = "direct O(N^2) sum, velocity Verlet; shells R'' = M(a)/(4 pi R^2) with the variational "
                 "equation for R_a (GSL rk8pd), tabulated and inverted (THEOREMS.md CEP-4)",
    .version = 1,
    .params = c3_params,
    .nparams = sizeof c3_params / sizeof c3_params[0],
    .open_params = 0,
    .provides = MFH_HAS_VALUES,
    .validate = c3_validate,
    .constants = c3_constants,
    .run = c3_run,
    .prepare = c3_prepare,
    .release = shared_free,
    .estimate = c3_estimate,
};
