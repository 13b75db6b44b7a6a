/* Observables on phase-space clouds of particles (x_1..x_d, v_1..v_d per
 * particle; THEOREMS.md section 3, the classical mean-field limit): the
 * coupling distance D_N^p (MF-1, MF-2, DT-1, RBM-4), the exact W_1 at t and 0
 * (DOB-1), the moments M_q at t and 0 (MOM-1) and weak errors of two test
 * functions (RBM-4).  The geometry (space dimension d, torus period L or the
 * whole space) is read from the clouds themselves (mfh_cloud d, period), so
 * they measure any engine that produces particles. */
#include "observables/phase.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_math.h>

#include "core/kinds.h"
#include "metrics/assignment.h"

/* Geometry of a phase space: d = dim, torus period L (0: R^d). */
typedef struct geom {
  size_t d;
  double L;
} geom;

/* The cloud of role r and its geometry; MFH_EINPUT if it is not a phase
 * cloud of particles. */
static int phase_cloud(const mfh_obs_args *in, int r, const mfh_cloud **c, geom *g, mfh_err *err) {
  static const char *const role[MFH_NROLES] = {"a", "b", "a at t = 0", "b at t = 0"};
  *c = in->s[r] ? mfh_state_get(in->s[r], &mfh_kind_cloud, NULL) : NULL;
  if (!*c || !(*c)->x || !(*c)->d || (*c)->dim != 2 * (*c)->d)
    return mfh_err_set(err, MFH_EINPUT, "%s: not a phase-space cloud of particles (positions and velocities)",
                       role[r]);
  g->d = (*c)->d;
  g->L = (*c)->period;
  return MFH_OK;
}

/* The clouds of roles r and r + 1 (a and b, or a0 and b0): the same
 * particles in the same phase space. */
static int cloud_pair(const mfh_obs_args *in, int r, const mfh_cloud **a, const mfh_cloud **b, geom *g,
                      mfh_err *err) {
  geom gb;
  int rc = phase_cloud(in, r, a, g, err);
  if (!rc) rc = phase_cloud(in, r + 1, b, &gb, err);
  if (!rc && ((*a)->n != (*b)->n || g->d != gb.d || g->L != gb.L))
    rc = mfh_err_set(err, MFH_EINPUT,
                     "the two clouds differ: %zu particles in d = %zu (period %g) against %zu in d = %zu (period "
                     "%g)",
                     (*a)->n, g->d, g->L, (*b)->n, gb.d, gb.L);
  return rc;
}

/* |x - y| in R^d, minimum image on the torus. */
static double xdist(const geom *g, const double *x, const double *y) {
  double s = 0;
  for (size_t i = 0; i < g->d; i++) {
    double dx = x[i] - y[i];
    if (g->L > 0) dx -= g->L * nearbyint(dx / g->L);
    s += dx * dx;
  }
  return sqrt(s);
}

static double vdist(const geom *g, const double *v, const double *w) {
  double s = 0;
  for (size_t i = 0; i < g->d; i++) s += (v[i] - w[i]) * (v[i] - w[i]);
  return sqrt(s);
}

/* ---- coupling ------------------------------------------------------------ */

static const mfh_param_def coupling_params[] = {
    {"p", MFH_PARAM_REAL, "2", 1, 16, 0, 0, NULL, "exponent p of the coupling distance D_N^p", 0},
};

static int coupling_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  const mfh_cloud *a, *b;
  geom g;
  double pp = mfh_params_real(p, "p");
  int rc = cloud_pair(in, MFH_ROLE_A, &a, &b, &g, err);
  if (rc) return rc;
  double dx = 0, dv = 0;
  size_t D = 2 * g.d;
  for (size_t j = 0; j < a->n; j++) {
    const double *x = &a->x[j * D], *y = &b->x[j * D];
    dx += pow(xdist(&g, x, y), pp);
    dv += pow(vdist(&g, x + g.d, y + g.d), pp);
  }
  double n = (double)a->n;
  rc = mfh_values_set(out, "D", (dx + dv) / n);
  if (!rc) rc = mfh_values_set(out, "Dx", dx / n);
  if (!rc) rc = mfh_values_set(out, "Dv", dv / n);
  return rc;
}

const mfh_observable_type mfh_obs_coupling = {
    "coupling",
    "coupling distance D (and its parts Dx, Dv) between two particle clouds, same particle indices: "
    "(1/N) sum_j |x_j - xbar_j|^p + |v_j - vbar_j|^p (torus distance in x)",
    coupling_params,
    sizeof coupling_params / sizeof coupling_params[0],
    "a:cloud b:cloud",
    "D Dx Dv",
    NULL,
    coupling_eval,
};

/* ---- W_1 in phase space --------------------------------------------------- */

/* Exact W_1 between two equal-size uniform clouds, cost |x - y| + |v - w|
 * (seed 001 Lecture 1's cost), by optimal assignment. */
static int w1_cost(const geom *g, const mfh_cloud *a, const mfh_cloud *b, double *w1, mfh_err *err) {
  size_t n = a->n, D = 2 * g->d;
  double *cost = malloc(n * n * sizeof *cost);
  size_t *match = malloc(n * sizeof *match);
  int rc = (cost && match) ? MFH_OK : mfh_err_set(err, MFH_ENOMEM, "out of memory for a %zu x %zu cost", n, n);
  for (size_t i = 0; !rc && i < n; i++)
    for (size_t j = 0; j < n; j++) {
      const double *x = &a->x[i * D], *y = &b->x[j * D];
      cost[i * n + j] = xdist(g, x, y) + vdist(g, x + g->d, y + g->d);
    }
  double total = 0;
  if (!rc) rc = mfh_assignment_solve(n, cost, match, &total, err);
  if (!rc) *w1 = total / (double)n;
  free(cost);
  free(match);
  return rc;
}

static int w1_phase_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_cloud *a, *b, *a0, *b0;
  geom g, g0;
  double w, w0;
  int rc = cloud_pair(in, MFH_ROLE_A, &a, &b, &g, err);
  if (!rc) rc = cloud_pair(in, MFH_ROLE_A0, &a0, &b0, &g0, err);
  if (!rc) rc = w1_cost(&g, a, b, &w, err);
  if (!rc) rc = w1_cost(&g0, a0, b0, &w0, err);
  if (!rc) rc = mfh_values_set(out, "w1", w);
  if (!rc) rc = mfh_values_set(out, "w1_0", w0);
  if (!rc) rc = mfh_values_set(out, "ratio", w / w0);
  return rc;
}

const mfh_observable_type mfh_obs_w1_phase = {
    "w1_phase",
    "exact W_1 between two particle clouds (cost |x - y| + |v - w|, torus distance in x) at t (w1) "
    "and at 0 (w1_0), and their ratio",
    NULL,
    0,
    "a:cloud b:cloud a0:cloud b0:cloud",
    "w1 w1_0 ratio",
    NULL,
    w1_phase_eval,
};

/* ---- moments --------------------------------------------------------------- */

static const mfh_param_def moments_params[] = {
    {"q", MFH_PARAM_REAL, "2", 2, 16, 0, 0, NULL, "moment order q >= 2", 0},
};

static double moment(const geom *g, const mfh_cloud *c, double q) {
  double m = 0;
  size_t D = 2 * g->d;
  for (size_t j = 0; j < c->n; j++) {
    double x2 = 0, v2 = 0;
    for (size_t i = 0; i < g->d; i++) {
      x2 += c->x[j * D + i] * c->x[j * D + i];
      v2 += c->x[j * D + g->d + i] * c->x[j * D + g->d + i];
    }
    m += pow(x2, q / 2) + pow(v2, q / 2);
  }
  return m / (double)c->n;
}

static int moments_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  double q = mfh_params_real(p, "q");
  const mfh_cloud *a, *a0;
  geom g, g0;
  int rc = phase_cloud(in, MFH_ROLE_A, &a, &g, err);
  if (!rc) rc = phase_cloud(in, MFH_ROLE_A0, &a0, &g0, err);
  if (!rc && (g.L > 0 || g0.L > 0))
    rc = mfh_err_set(err, MFH_EINPUT, "moments of |x|^q need particles on the whole space, not on a torus");
  if (rc) return rc;
  double m = moment(&g, a, q), m0 = moment(&g0, a0, q);
  rc = mfh_values_set(out, "Mq", m);
  if (!rc) rc = mfh_values_set(out, "Mq_0", m0);
  if (!rc) rc = mfh_values_set(out, "ratio", m / m0);
  return rc;
}

const mfh_observable_type mfh_obs_moments = {
    "moments",
    "phase-space moment M_q = (1/N) sum_j |x_j|^q + |v_j|^q of particles on R^d at t (Mq) and 0 "
    "(Mq_0), and their ratio",
    moments_params,
    sizeof moments_params / sizeof moments_params[0],
    "a:cloud a0:cloud",
    "Mq Mq_0 ratio",
    NULL,
    moments_eval,
};

/* ---- weak error ------------------------------------------------------------ */

/* Differences of two smooth observables of the empirical measure between the
 * clouds b and a: phi_cos = (1/N) sum_j cos(2 pi x_{j,1} / L) (or
 * exp(-x_1^2/2) on R^d) and phi_kin = (1/N) sum_j |v_j|^2 / 2.  Signed: the
 * mean over replicas is the weak error (a bias) when the initial data are
 * the same for every replica. */
static int weak_eval(const mfh_params *p, const mfh_obs_args *in, mfh_values *out, mfh_err *err) {
  (void)p;
  const mfh_cloud *a, *b;
  geom g;
  int rc = cloud_pair(in, MFH_ROLE_A, &a, &b, &g, err);
  if (rc) return rc;
  size_t D = 2 * g.d;
  double dc = 0, dk = 0;
  for (size_t j = 0; j < a->n; j++) {
    const double *x = &a->x[j * D], *y = &b->x[j * D];
    double pa = g.L > 0 ? cos(2 * M_PI * x[0] / g.L) : exp(-x[0] * x[0] / 2);
    double pb = g.L > 0 ? cos(2 * M_PI * y[0] / g.L) : exp(-y[0] * y[0] / 2);
    dc += pb - pa;
    for (size_t i = 0; i < g.d; i++) dk += (y[g.d + i] * y[g.d + i] - x[g.d + i] * x[g.d + i]) / 2;
  }
  double n = (double)a->n;
  rc = mfh_values_set(out, "dphi_cos", dc / n);
  if (!rc) rc = mfh_values_set(out, "dphi_kin", dk / n);
  return rc;
}

const mfh_observable_type mfh_obs_weak = {
    "weak",
    "b minus a for phi_cos = mean cos(2 pi x_1 / L) (exp(-x_1^2/2) on R^d) and phi_kin = mean "
    "|v|^2/2 (signed; averaged over replicas it is a weak error)",
    NULL,
    0,
    "a:cloud b:cloud",
    "dphi_cos dphi_kin",
    NULL,
    weak_eval,
};
