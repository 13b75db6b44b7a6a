#include "observables/phase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "metrics/assignment.h"

/* Geometry of the phase space of a state: d = dim, torus period L (0: R^d). */
typedef struct geom {
  size_t d;
  double L;
} geom;

static geom geom_of(const mfh_params *p) {
  geom g;
  g.d = (size_t)mfh_params_int(p, "dim");
  g.L = strcmp(mfh_params_str(p, "domain"), "torus") == 0 ? mfh_params_real(p, "L") : 0;
  return g;
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

static int same_shape(const mfh_cloud *a, const mfh_cloud *b, const geom *g, mfh_err *err) {
  if (!a->x || !b->x || a->n != b->n || a->dim != 2 * g->d || b->dim != 2 * g->d)
    return mfh_err_set(err, MFH_EINTERNAL, "phase clouds missing or of different shapes");
  return MFH_OK;
}

/* ---- coupling ------------------------------------------------------------ */

static const mfh_param_def coupling_params[] = {
    {"p", MFH_PARAM_REAL, "2", 1, 16, 0, 0, NULL, "exponent p of the coupling distance D_N^p", 0},
};

static int coupling_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  geom g = geom_of(p);
  double pp = mfh_params_real(p, "p");
  int rc = same_shape(&s->cloud, &s->twin, &g, err);
  if (rc) return rc;
  double dx = 0, dv = 0;
  size_t D = 2 * g.d;
  for (size_t j = 0; j < s->cloud.n; j++) {
    const double *a = &s->cloud.x[j * D], *b = &s->twin.x[j * D];
    dx += pow(xdist(&g, a, b), pp);
    dv += pow(vdist(&g, a + g.d, b + g.d), pp);
  }
  double n = (double)s->cloud.n;
  rc = mfh_values_set(out, "D", (dx + dv) / n);
  if (!rc) rc = mfh_values_set(out, "Dx", dx / n);
  if (!rc) rc = mfh_values_set(out, "Dv", dv / n);
  const double *drift = mfh_values_get(&s->values, "energy_drift");
  if (!rc && drift) rc = mfh_values_set(out, "energy_drift", *drift);
  return rc;
}

const mfh_observable_type mfh_observable_coupling = {
    "coupling",
    "coupling distance D (and its parts Dx, Dv) between the system and its twin, same particle "
    "indices: (1/N) sum_j |x_j - xbar_j|^p + |v_j - vbar_j|^p",
    coupling_params,
    sizeof coupling_params / sizeof coupling_params[0],
    MFH_HAS_CLOUD | MFH_HAS_TWIN,
    "D Dx Dv energy_drift",
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

static int w1_phase_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  geom g = geom_of(p);
  int rc = same_shape(&s->cloud, &s->twin, &g, err);
  if (!rc) rc = same_shape(&s->cloud0, &s->twin0, &g, err);
  double w, w0;
  if (!rc) rc = w1_cost(&g, &s->cloud, &s->twin, &w, err);
  if (!rc) rc = w1_cost(&g, &s->cloud0, &s->twin0, &w0, err);
  if (!rc) rc = mfh_values_set(out, "w1", w);
  if (!rc) rc = mfh_values_set(out, "w1_0", w0);
  if (!rc) rc = mfh_values_set(out, "ratio", w / w0);
  return rc;
}

const mfh_observable_type mfh_observable_w1_phase = {
    "w1_phase",
    "exact W_1 between the system and its twin (cost |x - y| + |v - w|, torus distance in x) at t "
    "(w1) and at 0 (w1_0), and their ratio",
    NULL,
    0,
    MFH_HAS_CLOUD | MFH_HAS_TWIN | MFH_HAS_INITIAL,
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

static int moments_validate(const mfh_params *p, const char **param, mfh_err *err) {
  if (strcmp(mfh_params_str(p, "domain"), "free") != 0) {
    *param = "domain";
    return mfh_err_set(err, MFH_EINPUT, "moments of |x|^q need the whole space: domain free");
  }
  return MFH_OK;
}

static int moments_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  geom g = geom_of(p);
  double q = mfh_params_real(p, "q");
  if (!s->cloud.x || !s->cloud0.x) return mfh_err_set(err, MFH_EINTERNAL, "no phase cloud");
  double m = moment(&g, &s->cloud, q), m0 = moment(&g, &s->cloud0, q);
  int rc = mfh_values_set(out, "Mq", m);
  if (!rc) rc = mfh_values_set(out, "Mq_0", m0);
  if (!rc) rc = mfh_values_set(out, "ratio", m / m0);
  return rc;
}

const mfh_observable_type mfh_observable_moments = {
    "moments",
    "phase-space moment M_q = (1/N) sum_j |x_j|^q + |v_j|^q of the system at t (Mq) and 0 (Mq_0), "
    "and their ratio",
    moments_params,
    sizeof moments_params / sizeof moments_params[0],
    MFH_HAS_CLOUD | MFH_HAS_INITIAL,
    "Mq Mq_0 ratio",
    moments_validate,
    moments_eval,
};

/* ---- weak error ------------------------------------------------------------ */

/* Differences of two smooth observables of the empirical measure between the
 * system and its twin: phi_cos = (1/N) sum_j cos(2 pi x_{j,1} / L) (or
 * exp(-x_1^2/2) on R^d) and phi_kin = (1/N) sum_j |v_j|^2 / 2.  Signed: the
 * mean over replicas is the weak error (a bias) when the initial data are
 * the same for every replica. */
static int weak_eval(const mfh_params *p, const mfh_state *s, mfh_values *out, mfh_err *err) {
  geom g = geom_of(p);
  int rc = same_shape(&s->cloud, &s->twin, &g, err);
  if (rc) return rc;
  size_t D = 2 * g.d;
  double dc = 0, dk = 0;
  for (size_t j = 0; j < s->cloud.n; j++) {
    const double *a = &s->cloud.x[j * D], *b = &s->twin.x[j * D];
    double pa = g.L > 0 ? cos(2 * M_PI * a[0] / g.L) : exp(-a[0] * a[0] / 2);
    double pb = g.L > 0 ? cos(2 * M_PI * b[0] / g.L) : exp(-b[0] * b[0] / 2);
    dc += pb - pa;
    for (size_t i = 0; i < g.d; i++) dk += (b[g.d + i] * b[g.d + i] - a[g.d + i] * a[g.d + i]) / 2;
  }
  double n = (double)s->cloud.n;
  rc = mfh_values_set(out, "dphi_cos", dc / n);
  if (!rc) rc = mfh_values_set(out, "dphi_kin", dk / n);
  return rc;
}

const mfh_observable_type mfh_observable_weak = {
    "weak",
    "twin minus system for phi_cos = mean cos(2 pi x_1 / L) and phi_kin = mean |v|^2/2 (signed; "
    "averaged over replicas it is a weak error)",
    NULL,
    0,
    MFH_HAS_CLOUD | MFH_HAS_TWIN,
    "dphi_cos dphi_kin",
    NULL,
    weak_eval,
};
