/* gci: self-convergence without an exact solution, after ASME V&V 20 and
 * Celik, Ghia, Roache, Freitas, Coleman, Raad, "Procedure for estimation and
 * reporting of uncertainty due to discretization in CFD applications",
 * J. Fluids Eng. 130 (2008) 078001 (Roache's Grid Convergence Index).
 *
 * The measure phi (any measure: a functional of the solution, not
 * necessarily an error) at the three finest levels h1 < h2 < h3 of a dt or
 * grid axis gives the observed order p (Celik's eq. (3)-(5); non-uniform
 * ratios r21 = h2/h1, r32 = h3/h2 by fixed-point iteration, the sign s of
 * eps32/eps21 taking oscillatory convergence in), the Richardson value
 * phi_ext = (r21^p phi1 - phi2) / (r21^p - 1), the relative errors e_a,
 * e_ext, GCI_fine = Fs e_a / (r21^p - 1) with Fs = 1.25 (Fs = 3 and the
 * given order with two levels), GCI_medium, the asymptotic ratio
 * GCI_medium / (r21^p GCI_fine) (Roache: ~1 in the asymptotic range; for
 * monotone convergence it equals phi1/phi2 by construction of p, so it is
 * reported, not judged), and p of every consecutive triple (its trend is
 * the real asymptotic test).
 *
 * Verdict: the convergence ratio R = eps21/eps32 first (0 < R < 1
 * monotone, -1 < R < 0 oscillatory, |R| >= 1 divergent); differences within
 * sigma replica standard errors are unresolved (inconclusive); monotone
 * convergence passes when p >= order - tol, fails below; divergence fails;
 * oscillatory convergence is inconclusive (its p is not a rate).  With
 * max_gci, GCI_fine > max_gci also fails (the only criterion with two
 * levels).  A label other than "proved" (a formal order) is reported, not
 * asserted: where a proved order would fail it is inconclusive. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/check.h"

enum spacing { SP_VALUE, SP_INVERSE, SP_CELLS };

typedef struct gci {
  double order;           /* the proved or formal order in h */
  char order_text[32];    /* as written */
  char label[64];         /* "proved", or e.g. "formal" */
  double tol, sigma, max_gci;
  int spacing;            /* enum spacing, resolved */
  size_t dim;             /* SP_CELLS: h = x^(-1/dim) */
} gci;

static const mfh_check_setting settings[] = {
    {"order", MFH_SETTING_REAL, NULL, "the proved (or formal) order p in the spacing h, e.g. 2 for Verlet in dt",
     offsetof(gci, order)},
    {"tol", MFH_SETTING_REAL, "0.1", "order tolerance, in [0, 10]: passes when p >= order - tol", offsetof(gci, tol)},
    {"spacing", MFH_SETTING_CHOICE, "auto",
     "how h follows from the axis value x: value (h = x: dt, eps, a cell size), inverse (h = 1/x: points per "
     "direction, steps), cells (h = x^(-1/dim): a total cell count); auto: value on a shrinking axis, else inverse",
     0},
    {"dim", MFH_SETTING_COUNT, "1", "dimensions of a cell count (spacing: cells), in [1, 6]", offsetof(gci, dim)},
    {"sigma", MFH_SETTING_REAL, "3",
     "a change between levels within sigma replica standard errors is unresolved (inconclusive), in [0, 100]",
     offsetof(gci, sigma)},
    {"max_gci", MFH_SETTING_REAL, "", "largest acceptable GCI_fine, relative (0.01 = 1%); also fails above it",
     offsetof(gci, max_gci)},
    {"label", MFH_SETTING_TEXT, "proved", "what the order is; any other label (formal) is reported, not asserted",
     0},
};

/* The spacing h of an axis value. */
static double spacing_of(const gci *g, double x) {
  switch (g->spacing) {
    case SP_VALUE: return x;
    case SP_INVERSE: return 1 / x;
    default: return pow(x, -1.0 / (double)g->dim);
  }
}

static const char *spacing_name(int sp) { return sp == SP_VALUE ? "value" : sp == SP_INVERSE ? "inverse" : "cells"; }

static int parse(const mfh_check_input *in, void *data, mfh_err *err) {
  gci *g = data;
  const mfh_check_value *v;
  int rc;
  g->tol = 0.1;
  g->sigma = 3;
  g->max_gci = NAN;
  g->dim = 1;
  if (!(v = mfh_check_get(in, "order")))
    return mfh_err_at(err, MFH_EINPUT, in->spec_mark,
                      "%s: missing required key 'order' (the proved or formal order in the spacing, e.g. 2)", in->where);
  if ((rc = mfh_check_value_real(v, "order", &g->order, err))) return rc;
  if (!(g->order > 0 && g->order <= 20))
    return mfh_err_at(err, MFH_EINPUT, v->mark, "%s.order: must be in (0, 20] (got %s)", in->where, v->text);
  snprintf(g->order_text, sizeof g->order_text, "%s", v->text);
  if ((rc = mfh_check_label(in, g->label, sizeof g->label, err))) return rc;
  if ((rc = mfh_check_real_in(in, "tol", 0, 10, &g->tol, err))) return rc;
  if ((rc = mfh_check_real_in(in, "sigma", 0, 100, &g->sigma, err))) return rc;
  if ((rc = mfh_check_real_in(in, "max_gci", 0, 100, &g->max_gci, err))) return rc;
  if ((v = mfh_check_get(in, "dim"))) {
    unsigned long long d;
    if ((rc = mfh_check_value_count(v, "dim", 1, 6, &d, err))) return rc;
    g->dim = (size_t)d;
  }
  if (in->axis_n < 2)
    return mfh_err_at(err, MFH_EINPUT, in->mark, "%s: a gci check needs at least 2 levels on axis %s (it has %zu)",
                      in->where, in->axis_name, in->axis_n);
  const double *x = in->axis_values;
  int shrinking = x[1] < x[0];
  g->spacing = shrinking ? SP_VALUE : SP_INVERSE;
  const mfh_check_value *sp = mfh_check_get(in, "spacing");
  if (sp) {
    if ((rc = mfh_check_want_scalar(sp, "spacing", err))) return rc;
    if (!strcmp(sp->text, "value"))
      g->spacing = SP_VALUE;
    else if (!strcmp(sp->text, "inverse"))
      g->spacing = SP_INVERSE;
    else if (!strcmp(sp->text, "cells"))
      g->spacing = SP_CELLS;
    else if (strcmp(sp->text, "auto") != 0)
      return mfh_err_at(err, MFH_EINPUT, sp->mark,
                        "%s.spacing: must be auto, value (h = %s), inverse (h = 1/%s) or cells (h = %s^(-1/dim)) "
                        "(got '%s')",
                        in->where, in->axis_name, in->axis_name, in->axis_name, sp->text);
  }
  if (mfh_check_get(in, "dim") && g->spacing != SP_CELLS)
    return mfh_err_at(err, MFH_EINPUT, mfh_check_get(in, "dim")->mark, "%s.dim: goes with spacing: cells",
                      in->where);
  for (size_t i = 0; i < in->axis_n; i++)
    if (!(x[i] > 0))
      return mfh_err_at(err, MFH_EINPUT, in->mark, "%s: every %s must be > 0 to give a spacing (got %g)", in->where,
                        in->axis_name, x[i]);
  for (size_t i = 0; i + 1 < in->axis_n; i++)
    if (!(spacing_of(g, x[i + 1]) < spacing_of(g, x[i])))
      return mfh_err_at(err, MFH_EINPUT, sp ? sp->mark : in->mark,
                        "%s: spacing %s makes h grow or stay from %s = %g to %g: the levels must be refined along "
                        "the sweep (%s)",
                        in->where, spacing_name(g->spacing), in->axis_name, x[i], x[i + 1],
                        shrinking ? "spacing: value" : "spacing: inverse or cells");
  return MFH_OK;
}

/* ---- Celik's procedure on one triple --------------------------------------- */

/* The three levels fine (1), medium (2), coarse (3). */
typedef struct triple {
  double h1, h2, h3, phi1, phi2, phi3;
  double r21, r32, eps21, eps32, R; /* R = eps21 / eps32 */
  double p;                         /* NaN when undefined */
  int iterations;                   /* of the fixed point; -1: did not converge */
} triple;

/* Celik's eqs. (3a)-(3c): p = |ln|eps32/eps21| + q(p)| / ln r21,
 * q(p) = ln((r21^p - s) / (r32^p - s)), s = sign(eps32/eps21), by fixed-point
 * iteration from q = 0 (no iteration when r21 = r32). */
static void order_of(triple *t) {
  t->r21 = t->h2 / t->h1;
  t->r32 = t->h3 / t->h2;
  t->eps21 = t->phi2 - t->phi1;
  t->eps32 = t->phi3 - t->phi2;
  t->R = t->eps21 / t->eps32;
  t->p = NAN;
  t->iterations = 0;
  if (t->eps21 == 0 || t->eps32 == 0) return;
  double s = t->eps32 / t->eps21 > 0 ? 1 : -1, lr = log(fabs(t->eps32 / t->eps21)), l21 = log(t->r21);
  double p = fabs(lr) / l21;
  for (int k = 1; k <= 500; k++) {
    double a = pow(t->r21, p) - s, b = pow(t->r32, p) - s;
    double next = (a > 0 && b > 0) ? fabs(lr + log(a / b)) / l21 : NAN;
    if (!isfinite(next)) {
      t->iterations = -1;
      return;
    }
    if (fabs(next - p) <= 1e-14 * fmax(1, fabs(p))) {
      t->p = next;
      t->iterations = k;
      return;
    }
    p = next;
  }
  t->iterations = -1; /* no fixed point found */
}

/* What the three finest levels say. */
typedef struct estimate {
  triple t;
  int levels;
  double p, fs;                   /* the order used (observed, or given with two levels) and Fs */
  double phi_ext, phi_ext32, e_a, e_ext, gci_fine, gci_medium, ar;
} estimate;

static void estimate_of(const gci *g, const mfh_series *s, estimate *e) {
  size_t n = s->n;
  memset(e, 0, sizeof *e);
  e->levels = n >= 3 ? 3 : 2;
  triple *t = &e->t;
  t->h1 = spacing_of(g, s->pts[n - 1].x);
  t->h2 = spacing_of(g, s->pts[n - 2].x);
  t->phi1 = s->pts[n - 1].mean;
  t->phi2 = s->pts[n - 2].mean;
  if (n >= 3) {
    t->h3 = spacing_of(g, s->pts[n - 3].x);
    t->phi3 = s->pts[n - 3].mean;
    order_of(t);
    e->p = t->p;
    e->fs = 1.25;
  } else {
    t->r21 = t->h2 / t->h1;
    t->eps21 = t->phi2 - t->phi1;
    t->r32 = t->eps32 = t->R = t->p = t->h3 = t->phi3 = NAN;
    e->p = g->order; /* two levels: the given order and Fs = 3 (Roache) */
    e->fs = 3;
  }
  double rp = pow(t->r21, e->p);
  e->phi_ext = (rp * t->phi1 - t->phi2) / (rp - 1);
  e->e_a = fabs((t->phi1 - t->phi2) / t->phi1);
  e->e_ext = fabs((e->phi_ext - t->phi1) / e->phi_ext);
  e->gci_fine = e->fs * e->e_a / (rp - 1);
  e->phi_ext32 = e->gci_medium = e->ar = NAN;
  if (n >= 3) {
    double rp32 = pow(t->r32, e->p);
    e->phi_ext32 = (rp32 * t->phi2 - t->phi3) / (rp32 - 1);
    e->gci_medium = e->fs * fabs((t->phi2 - t->phi3) / t->phi2) / (rp32 - 1);
    e->ar = e->gci_medium / (rp * e->gci_fine);
  }
}

/* 1 if the change |phi_a - phi_b| stands out of the replica noise. */
static int resolved(const gci *g, const mfh_point_stats *a, const mfh_point_stats *b) {
  double noise = g->sigma * sqrt(a->se * a->se + b->se * b->se);
  return !(noise > 0) || fabs(a->mean - b->mean) > noise;
}

static int judge(const void *data, const mfh_check_view *v, mfh_check_result *c, mfh_err *err) {
  const gci *g = data;
  mfh_series *s = v->series;
  size_t n = s->n;
  (void)err;
  if (n < 2) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "fewer than 2 levels on %s", s->axis);
    return MFH_OK;
  }
  estimate e;
  estimate_of(g, s, &e);
  const triple *t = &e.t;
  /* the order of every consecutive triple, coarse to fine: its trend */
  char trend[160] = "";
  size_t tu = 0;
  for (size_t i = 0; n >= 4 && i + 2 < n; i++) {
    triple u = {spacing_of(g, s->pts[i + 2].x), spacing_of(g, s->pts[i + 1].x), spacing_of(g, s->pts[i].x),
                s->pts[i + 2].mean, s->pts[i + 1].mean, s->pts[i].mean, 0, 0, 0, 0, 0, 0, 0};
    order_of(&u);
    double pu = u.R > 0 && u.R < 1 ? u.p : NAN; /* a rate only where the triple converges monotonically */
    char nm[40];
    snprintf(nm, sizeof nm, "p_triple_%zu", i + 1);
    mfh_check_num(c, nm, pu);
    if (tu < sizeof trend)
      tu += (size_t)snprintf(trend + tu, sizeof trend - tu, "%s%.3g", i ? ", " : "; p trend ", pu);
  }
  mfh_check_num(c, "order", g->order);
  int asserted = mfh_check_asserted(g->label);
  mfh_check_num(c, "asserted", asserted); /* 0: a formal order, reported */
  mfh_check_num(c, "tol", g->tol);
  mfh_check_num(c, "levels", e.levels);
  mfh_check_num(c, "h1", t->h1);
  mfh_check_num(c, "h2", t->h2);
  mfh_check_num(c, "h3", t->h3);
  mfh_check_num(c, "r21", t->r21);
  mfh_check_num(c, "r32", t->r32);
  mfh_check_num(c, "phi1", t->phi1);
  mfh_check_num(c, "phi2", t->phi2);
  mfh_check_num(c, "phi3", t->phi3);
  mfh_check_num(c, "eps21", t->eps21);
  mfh_check_num(c, "eps32", t->eps32);
  mfh_check_num(c, "R", t->R);
  mfh_check_num(c, "p", e.levels == 3 ? t->p : NAN);
  mfh_check_num(c, "p_iterations", e.levels == 3 ? t->iterations : NAN);
  mfh_check_num(c, "safety", e.fs);
  mfh_check_num(c, "phi_ext", e.phi_ext);
  mfh_check_num(c, "phi_ext32", e.phi_ext32);
  mfh_check_num(c, "e_a", e.e_a);
  mfh_check_num(c, "e_ext", e.e_ext);
  mfh_check_num(c, "gci_fine", e.gci_fine);
  mfh_check_num(c, "gci_medium", e.gci_medium);
  mfh_check_num(c, "asymptotic_ratio", e.ar);
  if (isfinite(g->max_gci)) mfh_check_num(c, "max_gci", g->max_gci);
  mfh_check_num(c, "sigma", g->sigma);

  /* the plot: the extrapolated value and the fine level's GCI band */
  if (!s->has_extrap && isfinite(e.phi_ext) && isfinite(e.gci_fine)) {
    s->has_extrap = 1;
    s->extrap = e.phi_ext;
    s->extrap_x = s->pts[n - 1].x;
    s->extrap_lo = t->phi1 - e.gci_fine * fabs(t->phi1);
    s->extrap_hi = t->phi1 + e.gci_fine * fabs(t->phi1);
    s->extrap_gci = e.gci_fine;
    s->extrap_p = e.p;
    s->extrap_levels = e.levels;
  }

  char nums[300];
  snprintf(nums, sizeof nums, "extrapolated %.6g, GCI_fine %.3g%% (Fs %.3g), e_a %.3g%%, e_ext %.3g%%", e.phi_ext,
           100 * e.gci_fine, e.fs, 100 * e.e_a, 100 * e.e_ext);
  int over = isfinite(g->max_gci) && !(e.gci_fine <= g->max_gci);
  char maxs[64] = "";
  if (isfinite(g->max_gci))
    snprintf(maxs, sizeof maxs, "; GCI_fine %s max %.3g%%", over ? ">" : "<=", 100 * g->max_gci);
  const char *tail = "";
  int noisy = !resolved(g, &s->pts[n - 1], &s->pts[n - 2]) || (n >= 3 && !resolved(g, &s->pts[n - 2], &s->pts[n - 3]));
  if (noisy) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary,
             "%s order %s: the change between the finest levels is within %.3g standard errors of the replica noise "
             "(unresolved); %.200s",
             g->label, g->order_text, g->sigma, nums);
    return MFH_OK;
  }
  if (e.levels == 2) {
    c->verdict = !isfinite(g->max_gci) ? MFH_INCONCLUSIVE : over ? MFH_FAIL : MFH_PASS;
    snprintf(c->summary, sizeof c->summary, "two levels: no observed order, %s order %s assumed; %.200s%s%s", g->label,
             g->order_text, nums, maxs, isfinite(g->max_gci) ? "" : " - give max_gci to judge two levels");
    return MFH_OK;
  }
  char head[200];
  const char *kind;
  if (t->eps21 == 0 || t->eps32 == 0) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "%s order %s: %s levels give the same %s (eps21 = %g, eps32 = %g): no "
             "order to observe", g->label, g->order_text, t->eps21 == 0 ? "the two finest" : "the 2nd and 3rd finest",
             s->measure, t->eps21, t->eps32);
    return MFH_OK;
  }
  if (t->R > 0 && t->R < 1)
    kind = "monotone";
  else if (t->R < 0 && t->R > -1)
    kind = "oscillatory";
  else
    kind = t->R > 0 ? "monotone divergence" : "oscillatory divergence";
  snprintf(head, sizeof head, "%s order %s, observed p = %.3g from the 3 finest levels (%s, R = %.3g%s)", g->label,
           g->order_text, t->p, kind, t->R, trend);
  if (!(t->R > -1 && t->R < 1)) {
    c->verdict = asserted ? MFH_FAIL : MFH_INCONCLUSIVE;
    tail = asserted ? " - does not converge: the change grows under refinement"
                    : " - does not converge (not a proved order: reported, not asserted)";
    snprintf(c->summary, sizeof c->summary, "%.230s: |eps21| = %.3g >= |eps32| = %.3g%s", head, fabs(t->eps21),
             fabs(t->eps32), tail);
    return MFH_OK;
  }
  if (t->iterations < 0) {
    c->verdict = MFH_INCONCLUSIVE;
    snprintf(c->summary, sizeof c->summary, "%.230s: the fixed-point iteration for p found no order; %.200s", head,
             nums);
    return MFH_OK;
  }
  if (t->R < 0) {
    c->verdict = over ? MFH_FAIL : MFH_INCONCLUSIVE;
    tail = " - oscillatory convergence: p is not a rate";
  } else if (t->p >= g->order - g->tol) {
    c->verdict = over ? MFH_FAIL : MFH_PASS;
    tail = t->p > g->order + g->tol ? (asserted ? " - faster than proved" : " - faster") : "";
  } else {
    c->verdict = asserted ? MFH_FAIL : MFH_INCONCLUSIVE;
    tail = asserted ? " - slower than proved" : " - slower (not a proved order: reported, not asserted)";
  }
  snprintf(c->summary, sizeof c->summary, "%.230s, %.160s, asymptotic ratio %.4g; tol %.2g%s%s", head, nums, e.ar,
           g->tol, maxs, tail);
  return MFH_OK;
}

const mfh_check_type mfh_check_gci = {
    .name = "gci",
    .doc = "the observed order p of the 3 finest levels (Celik et al. 2008; Richardson extrapolation and "
           "Roache's GCI reported) is >= order - tol under monotone convergence (and GCI_fine <= max_gci when "
           "given); divergence fails; oscillatory convergence or changes within the replica noise are "
           "inconclusive",
    .example = "{order: 2}",
    .settings = settings,
    .nsettings = sizeof settings / sizeof settings[0],
    .axis = 1,
    .values_series = 1,
    .size = sizeof(gci),
    .parse = parse,
    .judge = judge,
};
