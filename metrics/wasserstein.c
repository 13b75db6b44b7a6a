/* Exact W_p^p: 1D quantile coupling, assignment, transportation problem,
 * and cloud-to-law distances in 1D. */
#include "metrics/wasserstein.h"
#include "metrics/sort.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

#include "metrics/assignment.h"
#include "metrics/transport.h"

#define WEIGHT_TOL 1e-9
#define QUAD_EPSREL 1e-12
#define QUAD_LIMIT 1000

/* ---- helpers ---------------------------------------------------------- */

typedef struct acc {
  double s, c; /* Neumaier compensated sum */
} acc;

static void acc_add(acc *a, double x) {
  double t = a->s + x;
  a->c += fabs(a->s) >= fabs(x) ? (a->s - t) + x : (x - t) + a->s;
  a->s = t;
}

static double acc_get(const acc *a) { return a->s + a->c; }

/* d^p for d >= 0 (exact for p = 1, 2). */
static double pow_p(double d, double p) {
  if (p == 1.0) return d;
  if (p == 2.0) return d * d;
  return pow(d, p);
}

static double point_cost(const double *x, const double *y, size_t dim, double p) {
  if (dim == 1) return pow_p(fabs(x[0] - y[0]), p);
  double s = 0.0;
  for (size_t k = 0; k < dim; k++) {
    double d = x[k] - y[k];
    s += d * d;
  }
  if (p == 2.0) return s;
  if (p == 1.0) return sqrt(s);
  return pow(s, 0.5 * p);
}

/* Validate one cloud; *wsum gets the sum of its weights (1 if uniform). */
static int check_cloud(const mfh_cloud *c, const char *name, double *wsum, mfh_err *err) {
  if (!c) return mfh_err_set(err, MFH_EINPUT, "wasserstein: cloud %s is NULL", name);
  if (c->n == 0) return mfh_err_set(err, MFH_EINPUT, "wasserstein: cloud %s is empty (n = 0)", name);
  if (c->dim == 0)
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: cloud %s has dimension 0", name);
  if (!c->x) return mfh_err_set(err, MFH_EINPUT, "wasserstein: cloud %s has no coordinates", name);
  if (c->n > SIZE_MAX / sizeof(double) / c->dim)
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: cloud %s is too large", name);
  for (size_t k = 0; k < c->n * c->dim; k++)
    if (!isfinite(c->x[k]))
      return mfh_err_set(err, MFH_EINPUT,
                         "wasserstein: cloud %s: point %zu has a non-finite coordinate (%g)", name,
                         k / c->dim, c->x[k]);
  *wsum = 1.0;
  if (!c->w) return MFH_OK;
  acc s = {0, 0};
  for (size_t i = 0; i < c->n; i++) {
    if (!isfinite(c->w[i]) || c->w[i] < 0)
      return mfh_err_set(err, MFH_EINPUT,
                         "wasserstein: cloud %s: weight %zu is negative or not finite (%g)", name,
                         i, c->w[i]);
    acc_add(&s, c->w[i]);
  }
  double sum = acc_get(&s);
  if (!(fabs(sum - 1.0) <= WEIGHT_TOL))
    return mfh_err_set(err, MFH_EINPUT,
                       "wasserstein: cloud %s: weights sum to %.17g, not 1 (tolerance %g)", name,
                       sum, WEIGHT_TOL);
  *wsum = sum;
  return MFH_OK;
}

static int check_p(double p, mfh_err *err) {
  if (!isfinite(p) || !(p >= 1.0))
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: p must be a finite number >= 1 (got %g)", p);
  return MFH_OK;
}

static int is_uniform(const mfh_cloud *c) {
  if (!c->w) return 1;
  for (size_t i = 1; i < c->n; i++)
    if (c->w[i] != c->w[0]) return 0;
  return 1;
}

/* Weight of point i, normalised by the weight sum. */
static double weight(const mfh_cloud *c, double wsum, size_t i) {
  return c->w ? c->w[i] / wsum : 1.0 / (double)c->n;
}

typedef struct wpt {
  double x, w;
} wpt;

static int cmp_wpt(const void *pa, const void *pb) {
  double a = ((const wpt *)pa)->x, b = ((const wpt *)pb)->x;
  return (a > b) - (a < b);
}

/* Large clouds are sorted by the radix sort of metrics/sort.h (qsort is
 * 5-10x slower at n = 10^6). */
#define RADIX_MIN 1024

/* Sorted (x, normalised w) pairs of a 1D cloud; NULL when out of memory. */
static wpt *sorted_pairs(const mfh_cloud *c, double wsum) {
  size_t n = c->n;
  wpt *v = malloc(n * sizeof *v);
  if (!v) return NULL;
  if (n < RADIX_MIN) {
    for (size_t i = 0; i < n; i++) {
      v[i].x = c->x[i];
      v[i].w = weight(c, wsum, i);
    }
    qsort(v, n, sizeof *v, cmp_wpt);
    return v;
  }
  mfh_sort_kv *a = malloc(n * sizeof *a);
  if (!a) {
    free(v);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    a[i].k = mfh_sort_key(c->x[i]);
    a[i].v = weight(c, wsum, i);
  }
  if (mfh_sort_kv_stable(a, n) != MFH_OK) {
    free(a);
    free(v);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    v[i].x = mfh_sort_unkey(a[i].k);
    v[i].w = a[i].v;
  }
  free(a);
  return v;
}

/* ---- 1D: quantile coupling --------------------------------------------- */

/* Both uniform: the breakpoints i/na and j/nb are compared in integers
 * (units of 1/(na nb)), so every segment length is exact. */
static int w1d_uniform(const mfh_cloud *a, const mfh_cloud *b, double p, double *wpp,
                       mfh_err *err) {
  size_t na = a->n, nb = b->n;
  wpt *xa = sorted_pairs(a, 1.0), *xb = sorted_pairs(b, 1.0);
  if (!xa || !xb) {
    free(xa);
    free(xb);
    return mfh_err_set(err, MFH_ENOMEM, "wasserstein: out of memory (1D, %zu and %zu points)",
                       na, nb);
  }
  acc s = {0, 0};
  if (na == nb) {
    for (size_t i = 0; i < na; i++) acc_add(&s, pow_p(fabs(xa[i].x - xb[i].x), p));
    *wpp = acc_get(&s) / (double)na;
  } else {
    uint64_t prev = 0, ea = nb, eb = na; /* ends of the current cells */
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
      uint64_t t = ea < eb ? ea : eb;
      if (t > prev) acc_add(&s, (double)(t - prev) * pow_p(fabs(xa[i].x - xb[j].x), p));
      prev = t;
      if (ea == t) {
        i++;
        ea += nb;
      }
      if (eb == t) {
        j++;
        eb += na;
      }
    }
    *wpp = acc_get(&s) / ((double)na * (double)nb);
  }
  free(xa);
  free(xb);
  return MFH_OK;
}

/* General weights: merge the cumulative sums; segment lengths are
 * differences of consecutive breakpoints, so they are >= 0 and telescope. */
static int w1d_weighted(const mfh_cloud *a, double sa, const mfh_cloud *b, double sb, double p,
                        double *wpp, mfh_err *err) {
  wpt *pa = sorted_pairs(a, sa), *pb = sorted_pairs(b, sb);
  if (!pa || !pb) {
    free(pa);
    free(pb);
    return mfh_err_set(err, MFH_ENOMEM, "wasserstein: out of memory (1D, %zu and %zu points)",
                       a->n, b->n);
  }
  acc s = {0, 0}, ca = {0, 0}, cb = {0, 0};
  acc_add(&ca, pa[0].w);
  acc_add(&cb, pb[0].w);
  double prev = 0.0;
  size_t i = 0, j = 0;
  for (;;) {
    /* ends of the current cells; the last cell of each closes at 1 */
    double ea = i + 1 == a->n ? 1.0 : fmin(acc_get(&ca), 1.0);
    double eb = j + 1 == b->n ? 1.0 : fmin(acc_get(&cb), 1.0);
    double t = ea < eb ? ea : eb;
    if (t > prev) {
      acc_add(&s, (t - prev) * pow_p(fabs(pa[i].x - pb[j].x), p));
      prev = t;
    }
    if (ea <= t && i + 1 < a->n)
      acc_add(&ca, pa[++i].w);
    else if (eb <= t && j + 1 < b->n)
      acc_add(&cb, pb[++j].w);
    else
      break;
  }
  *wpp = acc_get(&s);
  free(pa);
  free(pb);
  return MFH_OK;
}

/* ---- dim >= 2 ------------------------------------------------------------ */

static int wnd_assignment(const mfh_cloud *a, const mfh_cloud *b, double p, double *wpp,
                          mfh_err *err) {
  size_t n = a->n, dim = a->dim;
  if (n > SIZE_MAX / sizeof(double) / n)
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: n = %zu is too large for assignment", n);
  double *cost = malloc(n * n * sizeof *cost);
  size_t *match = malloc(n * sizeof *match);
  if (!cost || !match) {
    free(cost);
    free(match);
    return mfh_err_set(err, MFH_ENOMEM, "wasserstein: out of memory (%zu x %zu cost matrix)", n,
                       n);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      cost[i * n + j] = point_cost(a->x + i * dim, b->x + j * dim, dim, p);
  double total = 0.0;
  int st = mfh_assignment_solve(n, cost, match, &total, err);
  free(cost);
  free(match);
  if (st != MFH_OK) return st;
  *wpp = total / (double)n;
  return MFH_OK;
}

static int wnd_transport(const mfh_cloud *a, double sa, const mfh_cloud *b, double sb, double p,
                         double *wpp, mfh_err *err) {
  size_t na = a->n, nb = b->n, dim = a->dim;
  if (na > SIZE_MAX / sizeof(double) / nb)
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: %zu x %zu is too large for transport", na,
                       nb);
  double *cost = malloc(na * nb * sizeof *cost);
  double *wa = malloc(na * sizeof *wa), *wb = malloc(nb * sizeof *wb);
  int st = MFH_OK;
  if (!cost || !wa || !wb) {
    st = mfh_err_set(err, MFH_ENOMEM, "wasserstein: out of memory (%zu x %zu cost matrix)", na,
                     nb);
    goto done;
  }
  for (size_t i = 0; i < na; i++) wa[i] = weight(a, sa, i);
  for (size_t j = 0; j < nb; j++) wb[j] = weight(b, sb, j);
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++)
      cost[i * nb + j] = point_cost(a->x + i * dim, b->x + j * dim, dim, p);
  st = mfh_transport_solve(na, wa, nb, wb, cost, wpp, err);
done:
  free(cost);
  free(wa);
  free(wb);
  return st;
}

int mfh_wasserstein_pp(const mfh_cloud *a, const mfh_cloud *b, double p, double *wpp,
                       mfh_err *err) {
  double sa, sb;
  int st = check_cloud(a, "a", &sa, err);
  if (st == MFH_OK) st = check_cloud(b, "b", &sb, err);
  if (st == MFH_OK) st = check_p(p, err);
  if (st != MFH_OK) return st;
  if (!wpp) return mfh_err_set(err, MFH_EINPUT, "wasserstein: NULL result pointer");
  if (a->dim != b->dim)
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: dimension mismatch (a has dim %zu, b has dim %zu)",
                       a->dim, b->dim);
  int ua = is_uniform(a), ub = is_uniform(b);
  if (a->dim == 1) {
    if (ua && ub) return w1d_uniform(a, b, p, wpp, err);
    return w1d_weighted(a, sa, b, sb, p, wpp, err);
  }
  if (a->n == b->n && ua && ub) return wnd_assignment(a, b, p, wpp, err);
  return wnd_transport(a, sa, b, sb, p, wpp, err);
}

/* ---- 1D cloud against a law --------------------------------------------- */

typedef struct qparams {
  const mfh_law1d *law;
  double x, p;
} qparams;

static double q_integrand(double u, void *vp) {
  const qparams *q = vp;
  return pow(fabs(q->x - q->law->quantile(u, q->law->ctx)), q->p);
}

/* int_{u0}^{u1} |x - G^{-1}(u)|^p du, the integrand smooth inside. */
static int quad_piece(const qparams *q, double u0, double u1, gsl_integration_workspace *ws,
                      double *res) {
  *res = 0.0;
  if (!(u1 > u0)) return MFH_OK;
  gsl_function f = {q_integrand, (void *)q};
  double r = 0.0, e = 0.0;
  if (u0 > 0.0 && u1 < 1.0) {
    size_t neval;
    int st = gsl_integration_qng(&f, u0, u1, 0.0, QUAD_EPSREL, &r, &e, &neval);
    if (st == GSL_SUCCESS && isfinite(r)) {
      *res = r;
      return MFH_OK;
    }
  }
  int st = gsl_integration_qags(&f, u0, u1, 0.0, QUAD_EPSREL, ws->limit, ws, &r, &e);
  if (isfinite(r) && isfinite(e) &&
      (st == GSL_SUCCESS || st == GSL_EROUND || e <= 1e-8 * fabs(r))) {
    *res = r;
    return MFH_OK;
  }
  return MFH_ENUMERIC;
}

/* W_p^p contribution of the cell [u0, u1] where F_a^{-1} = x. */
static int law_cell(const mfh_law1d *law, double x, double u0, double u1, double p,
                    gsl_integration_workspace *ws, double *out) {
  const void *ctx = law->ctx;
  if (p == 2.0 && law->partial_moment) {
    double m1 = law->partial_moment(1, u0, u1, ctx), m2 = law->partial_moment(2, u0, u1, ctx);
    double v = x * x * (u1 - u0) - 2.0 * x * m1 + m2;
    if (!isfinite(v)) return MFH_ENUMERIC;
    *out = v > 0 ? v : 0.0;
    return MFH_OK;
  }
  double us = law->cdf(x, ctx);
  if (isnan(us)) return MFH_ENUMERIC;
  us = us < u0 ? u0 : (us > u1 ? u1 : us);
  if (p == 1.0 && law->partial_moment) {
    double left = x * (us - u0) - law->partial_moment(1, u0, us, ctx);
    double right = law->partial_moment(1, us, u1, ctx) - x * (u1 - us);
    if (!isfinite(left) || !isfinite(right)) return MFH_ENUMERIC;
    *out = (left > 0 ? left : 0.0) + (right > 0 ? right : 0.0);
    return MFH_OK;
  }
  qparams q = {law, x, p};
  double l = 0.0, r = 0.0;
  int st = quad_piece(&q, u0, us, ws, &l);
  if (st == MFH_OK) st = quad_piece(&q, us, u1, ws, &r);
  *out = l + r;
  return st;
}

int mfh_wasserstein_law1d_pp(const mfh_cloud *a, const mfh_law1d *law, double p, double *wpp,
                             mfh_err *err) {
  double sa;
  int st = check_cloud(a, "a", &sa, err);
  if (st == MFH_OK) st = check_p(p, err);
  if (st != MFH_OK) return st;
  if (!wpp) return mfh_err_set(err, MFH_EINPUT, "wasserstein: NULL result pointer");
  if (a->dim != 1)
    return mfh_err_set(err, MFH_EINPUT,
                       "wasserstein: a 1D law needs a cloud of dimension 1 (got dim %zu)", a->dim);
  if (!law || !law->cdf || !law->quantile)
    return mfh_err_set(err, MFH_EINPUT, "wasserstein: law is NULL or lacks cdf/quantile");
  wpt *pts = sorted_pairs(a, sa);
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(QUAD_LIMIT);
  if (!pts || !ws) {
    free(pts);
    if (ws) gsl_integration_workspace_free(ws);
    return mfh_err_set(err, MFH_ENOMEM, "wasserstein: out of memory (%zu points)", a->n);
  }
  int uniform = is_uniform(a);
  acc s = {0, 0}, cum = {0, 0};
  double u0 = 0.0;
  for (size_t i = 0; i < a->n && st == MFH_OK; i++) {
    double u1;
    if (i + 1 == a->n) {
      u1 = 1.0;
    } else if (uniform) {
      u1 = (double)(i + 1) / (double)a->n;
    } else {
      acc_add(&cum, pts[i].w);
      u1 = acc_get(&cum);
      u1 = u1 > 1.0 ? 1.0 : u1;
    }
    if (!(u1 > u0)) continue;
    double c = 0.0;
    st = law_cell(law, pts[i].x, u0, u1, p, ws, &c);
    if (st != MFH_OK) {
      mfh_err_set(err, st,
                  "wasserstein: law integral failed on the cell of x = %.17g, u in [%.17g, %.17g]"
                  " (NaN/Inf from the law, no finite %g-th moment, or quadrature failure)",
                  pts[i].x, u0, u1, p);
      break;
    }
    acc_add(&s, c);
    u0 = u1;
  }
  free(pts);
  gsl_integration_workspace_free(ws);
  if (st != MFH_OK) return st;
  double v = acc_get(&s);
  if (!isfinite(v))
    return mfh_err_set(err, MFH_ENUMERIC, "wasserstein: W_p^p to the law is not finite (p = %g)",
                       p);
  *wpp = v;
  return MFH_OK;
}

/* ---- ready laws ----------------------------------------------------------- */

static double unif_cdf(double x, const void *ctx) {
  (void)ctx;
  return x <= 0.0 ? 0.0 : (x >= 1.0 ? 1.0 : x);
}

static double unif_quantile(double u, const void *ctx) {
  (void)ctx;
  return u <= 0.0 ? 0.0 : (u >= 1.0 ? 1.0 : u);
}

static double unif_pm(int k, double u0, double u1, const void *ctx) {
  u0 = unif_quantile(u0, ctx);
  u1 = unif_quantile(u1, ctx);
  if (k == 1) return 0.5 * (u1 - u0) * (u1 + u0);
  if (k == 2) return (u1 - u0) * (u1 * u1 + u1 * u0 + u0 * u0) / 3.0;
  return NAN;
}

static double gauss_cdf(double x, const void *ctx) {
  (void)ctx;
  return gsl_cdf_ugaussian_P(x);
}

static double gauss_quantile(double u, const void *ctx) {
  (void)ctx;
  return gsl_cdf_ugaussian_Pinv(u);
}

/* phi(G^{-1}(u)) and G^{-1}(u) phi(G^{-1}(u)); both vanish at u = 0, 1. */
static void gauss_ends(double u, double *phi, double *xphi) {
  if (u <= 0.0 || u >= 1.0) {
    *phi = *xphi = 0.0;
    return;
  }
  double x = gsl_cdf_ugaussian_Pinv(u);
  *phi = gsl_ran_ugaussian_pdf(x);
  *xphi = x * *phi;
}

static double gauss_pm(int k, double u0, double u1, const void *ctx) {
  (void)ctx;
  u0 = u0 < 0.0 ? 0.0 : (u0 > 1.0 ? 1.0 : u0);
  u1 = u1 < 0.0 ? 0.0 : (u1 > 1.0 ? 1.0 : u1);
  double phi0, xphi0, phi1, xphi1;
  gauss_ends(u0, &phi0, &xphi0);
  gauss_ends(u1, &phi1, &xphi1);
  if (k == 1) return phi0 - phi1;                        /* int x phi = -phi */
  if (k == 2) return (u1 - u0) - (xphi1 - xphi0); /* int x^2 phi = Phi - x phi */
  return NAN;
}

static const mfh_law1d law_uniform01 = {unif_cdf, unif_quantile, unif_pm, NULL, "uniform on [0, 1]"};
static const mfh_law1d law_std_normal = {gauss_cdf, gauss_quantile, gauss_pm, NULL, "standard Gaussian N(0, 1)"};

const mfh_law1d *mfh_law1d_uniform01(void) { return &law_uniform01; }
const mfh_law1d *mfh_law1d_std_normal(void) { return &law_std_normal; }
