#include "metrics/gridw1.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/transport.h"

void mfh_gridw1_opts_init(mfh_gridw1_opts *o) {
  o->cells_per_point = 2;
  o->nbx = 0;
  o->nbv = 0;
}

/* ---- closed forms for uniform cells -------------------------------------- */

/* E|w| for w uniform on [m - h, m + h], h >= 0. */
static double mean_abs(double m, double h) {
  double a = fabs(m);
  return a >= h ? a : (m * m + h * h) / (2 * h);
}

/* E|z - p| for z uniform on [c - h, c + h]: on the line when P == 0, on the
 * circle of length P (minimum image) otherwise, where h <= P/4 so the
 * interval holds at most one kink of the distance (at p or at p + P/2). */
static double mean_dist(double c, double h, double p, double P) {
  double r = c - p;
  if (P <= 0) return mean_abs(r, h);
  r -= P * nearbyint(r / P); /* in [-P/2, P/2] */
  double a = fabs(r);
  if (a + h <= P / 2) return mean_abs(r, h);
  /* the interval holds the antipode: distance P/2 - |offset from it| */
  return P / 2 - mean_abs(P / 2 - a, h);
}

/* Mean over [0, 1] of |(1 - s) a + s b|. */
static double lin_abs_mean(double a, double b) {
  if ((a >= 0 && b >= 0) || (a <= 0 && b <= 0)) return 0.5 * (fabs(a) + fabs(b));
  return (a * a + b * b) / (2 * (fabs(a) + fabs(b)));
}

/* ---- bands --------------------------------------------------------------- */

/* Split m cells with weights w >= 0 into b (1 <= b <= m) contiguous
 * non-empty bands of about equal weight: start[0] = 0 < start[1] < ... <
 * start[b] = m.  A cell opens a new band when the cumulative weight at its
 * middle reaches the band's share. */
static void partition(size_t m, const double *w, size_t b, size_t *start) {
  double tot = 0;
  for (size_t i = 0; i < m; i++) tot += w[i];
  start[0] = 0;
  start[b] = m;
  size_t j = 0;
  double cum = 0; /* weight of cells [0, j) */
  for (size_t k = 1; k < b; k++) {
    size_t s;
    if (tot > 0) {
      double target = tot * (double)k / (double)b;
      while (j < m && cum + w[j] / 2 < target) cum += w[j++];
      s = j;
    } else {
      s = k * m / b;
    }
    if (s < start[k - 1] + 1) s = start[k - 1] + 1;
    if (s > m - (b - k)) s = m - (b - k);
    start[k] = s;
    while (j < s) cum += w[j++]; /* keep cum in step after clamping */
    while (j > s) cum -= w[--j];
  }
}

/* ---- 1D marginals -------------------------------------------------------- */

typedef struct wpt {
  double x, w;
} wpt;

static int cmp_wpt(const void *pa, const void *pb) {
  double a = ((const wpt *)pa)->x, b = ((const wpt *)pb)->x;
  return (a > b) - (a < b);
}

/* Segments of the real line on which d = F - G is affine: F the step CDF of
 * the sorted weighted points, G the CDF of m uniform cells [e0 + k h,
 * e0 + (k+1) h) with masses cm[k] (summing to 1).  len, dl, dr get at most
 * n + m + 1 entries; returns the count. */
static size_t segments(size_t n, const wpt *pt, size_t m, double e0, double h, const double *cm,
                       double *len, double *dl, double *dr) {
  size_t ns = 0, ip = 0, ie = 0; /* ie = edges passed */
  double F = 0, gcum = 0;        /* gcum = G at edge ie - 1 */
  double t = fmin(pt[0].x, e0), Gt = 0;
  for (;;) {
    int have_p = ip < n, have_e = ie <= m;
    if (!have_p && !have_e) break;
    double te = e0 + (double)ie * h;
    int edge = have_e && (!have_p || te <= pt[ip].x);
    double tn = edge ? te : pt[ip].x;
    if (tn > t) {
      double Gn;
      if (ie == 0) Gn = 0;
      else if (ie > m) Gn = 1;
      else Gn = gcum + cm[ie - 1] * (tn - (e0 + (double)(ie - 1) * h)) / h;
      len[ns] = tn - t;
      dl[ns] = F - Gt;
      dr[ns] = F - Gn;
      ns++;
      t = tn;
      Gt = Gn;
    }
    if (edge) {
      if (ie > 0) gcum += cm[ie - 1];
      if (ie == m) gcum = 1;
      Gt = ie == m ? 1 : gcum;
      ie++;
    } else {
      F += pt[ip].w;
      ip++;
    }
  }
  return ns;
}

static double seg_abs(size_t ns, const double *len, const double *dl, const double *dr, double a) {
  double s = 0;
  for (size_t k = 0; k < ns; k++) s += len[k] * lin_abs_mean(dl[k] - a, dr[k] - a);
  return s;
}

/* Lebesgue measure of {d < a} over the segments. */
static double seg_below(size_t ns, const double *len, const double *dl, const double *dr,
                        double a) {
  double s = 0;
  for (size_t k = 0; k < ns; k++) {
    double u = dl[k], v = dr[k], fr;
    if (u == v) fr = u < a ? 1 : 0;
    else {
      fr = (a - u) / (v - u); /* where the affine d crosses a */
      if (v < u) fr = 1 - fr;
      fr = fr < 0 ? 0 : fr > 1 ? 1 : fr;
    }
    s += len[k] * fr;
  }
  return s;
}

/* Exact W_1 between the weighted points and the cell measure: int |F - G|
 * on the line (P == 0); on the circle (P > 0, points and cells in
 * [e0, e0 + P]) min_a int |F - G - a|, a lower bound certified to rounding:
 * the median a* of d is bracketed by bisection in [alo, ahi] and the
 * integral, which is (sum len)-Lipschitz in a, evaluated at the midpoint
 * minus that slope times the half-width. */
static double marginal_w1(size_t n, const wpt *pt, size_t m, double e0, double h, const double *cm,
                          double P, double *len, double *dl, double *dr) {
  size_t ns = segments(n, pt, m, e0, h, cm, len, dl, dr);
  if (P <= 0) return seg_abs(ns, len, dl, dr, 0);
  double tot = 0, alo = INFINITY, ahi = -INFINITY;
  for (size_t k = 0; k < ns; k++) {
    tot += len[k];
    alo = fmin(alo, fmin(dl[k], dr[k]));
    ahi = fmax(ahi, fmax(dl[k], dr[k]));
  }
  if (ns == 0) return 0;
  for (int it = 0; it < 200; it++) {
    double mid = 0.5 * (alo + ahi);
    if (!(mid > alo && mid < ahi)) break;
    if (2 * seg_below(ns, len, dl, dr, mid) <= tot) alo = mid;
    else ahi = mid;
  }
  double mid = 0.5 * (alo + ahi);
  return seg_abs(ns, len, dl, dr, mid) - tot * 0.5 * (ahi - alo);
}

/* ---- the bracket ----------------------------------------------------------- */

static int check_input(const mfh_cloud *mu, const mfh_phase_grid *g, const mfh_gridw1_opts *o,
                       mfh_err *err) {
  if (!mu || !g) return mfh_err_set(err, MFH_EINPUT, "gridw1: NULL cloud or grid");
  if (mu->dim != 2)
    return mfh_err_set(err, MFH_EINPUT,
                       "gridw1: the cloud has dim %zu; a 1D1V phase-space cloud has dim 2 (x, v)",
                       mu->dim);
  if (mu->n == 0 || !mu->x) return mfh_err_set(err, MFH_EINPUT, "gridw1: empty cloud");
  for (size_t k = 0; k < 2 * mu->n; k++)
    if (!isfinite(mu->x[k])) return mfh_err_set(err, MFH_EINPUT, "gridw1: non-finite coordinate");
  if (mu->w) {
    double s = 0;
    for (size_t k = 0; k < mu->n; k++) {
      if (!(mu->w[k] >= 0) || !isfinite(mu->w[k]))
        return mfh_err_set(err, MFH_EINPUT, "gridw1: negative or non-finite weight");
      s += mu->w[k];
    }
    if (fabs(s - 1) > 1e-9)
      return mfh_err_set(err, MFH_EINPUT, "gridw1: weights sum to %.17g, not 1", s);
  }
  if (!g->f || g->nx == 0 || g->nv == 0)
    return mfh_err_set(err, MFH_EINPUT, "gridw1: empty grid");
  if (!(g->dx > 0) || !(g->dv > 0) || !isfinite(g->dx) || !isfinite(g->dv) || !isfinite(g->xmin) ||
      !isfinite(g->vmin))
    return mfh_err_set(err, MFH_EINPUT, "gridw1: grid spacings must be finite and > 0");
  if (!(g->period >= 0) || !isfinite(g->period))
    return mfh_err_set(err, MFH_EINPUT, "gridw1: bad grid period %g", g->period);
  if (g->period > 0) {
    if (g->nx < 2) return mfh_err_set(err, MFH_EINPUT, "gridw1: a periodic grid needs nx >= 2");
    if (fabs(g->period - (double)g->nx * g->dx) > 1e-12 * g->period)
      return mfh_err_set(err, MFH_EINPUT, "gridw1: period %.17g is not nx dx = %.17g", g->period,
                         (double)g->nx * g->dx);
  }
  for (size_t k = 0; k < g->nx * g->nv; k++)
    if (!isfinite(g->f[k])) return mfh_err_set(err, MFH_EINPUT, "gridw1: non-finite grid value");
  if (!(o->nbx > 0 && o->nbv > 0) && !(o->cells_per_point > 0 && isfinite(o->cells_per_point)))
    return mfh_err_set(err, MFH_EINPUT, "gridw1: cells_per_point must be finite and > 0");
  return MFH_OK;
}

int mfh_gridw1(const mfh_cloud *mu, const mfh_phase_grid *g, const mfh_gridw1_opts *opt,
               mfh_gridw1_result *res, mfh_err *err) {
  mfh_gridw1_opts defo;
  if (!opt) {
    mfh_gridw1_opts_init(&defo);
    opt = &defo;
  }
  if (!res) return mfh_err_set(err, MFH_EINPUT, "gridw1: NULL result");
  int rc = check_input(mu, g, opt, err);
  if (rc) return rc;

  const size_t n = mu->n, nx = g->nx, nv = g->nv, nc = nx * nv;
  const double dx = g->dx, dv = g->dv, P = g->period;
  const double x0 = g->xmin - dx / 2, v0 = g->vmin - dv / 2; /* left / lower edges */
  double *q = NULL, *colm = NULL, *rowm = NULL, *wx = NULL, *wv = NULL, *cm = NULL, *rm = NULL;
  double *bm = NULL, *bmv = NULL, *bcx = NULL, *bcv = NULL, *cost = NULL, *plan = NULL;
  double *len = NULL, *dl = NULL, *dr = NULL;
  size_t *xs = NULL, *vs = NULL, *bbx = NULL, *bbv = NULL;
  wpt *ptx = NULL, *ptv = NULL;

  /* Clip, measure, normalise: q = nu's mass per cell. */
  q = malloc(nc * sizeof *q);
  colm = calloc(nx, sizeof *colm);
  rowm = calloc(nv, sizeof *rowm);
  ptx = malloc(n * sizeof *ptx);
  ptv = malloc(n * sizeof *ptv);
  if (!q || !colm || !rowm || !ptx || !ptv) goto nomem;
  double mp = 0, mn = 0;
  for (size_t k = 0; k < nc; k++) {
    double m = g->f[k] * dx * dv;
    q[k] = m > 0 ? m : 0;
    if (m > 0) mp += m;
    else mn -= m;
  }
  if (!(mp > 0)) {
    rc = mfh_err_set(err, MFH_EINPUT, "gridw1: the grid has no positive mass");
    goto done;
  }
  for (size_t i = 0; i < nx; i++)
    for (size_t j = 0; j < nv; j++) {
      q[i * nv + j] /= mp;
      colm[i] += q[i * nv + j];
      rowm[j] += q[i * nv + j];
    }

  /* The cloud: x modulo the period into [x0, x0 + P). */
  for (size_t k = 0; k < n; k++) {
    double x = mu->x[2 * k], w = mu->w ? mu->w[k] : 1.0 / (double)n;
    if (P > 0) {
      double y = x - x0;
      y -= P * floor(y / P);
      if (!(y >= 0)) y = 0;
      if (y >= P) y -= P;
      x = x0 + y;
    }
    ptx[k].x = x;
    ptx[k].w = w;
    ptv[k].x = mu->x[2 * k + 1];
    ptv[k].w = w;
  }

  /* Bands. */
  size_t nbx, nbv;
  if (opt->nbx > 0 && opt->nbv > 0) {
    nbx = opt->nbx < nx ? opt->nbx : nx;
    nbv = opt->nbv < nv ? opt->nbv : nv;
  } else {
    double K = ceil(opt->cells_per_point * (double)n);
    if (K > (double)nc) K = (double)nc;
    if (K < 1) K = 1;
    double Sx = 0, Sv = 0;
    for (size_t i = 0; i < nx; i++) Sx += sqrt(colm[i] * dx);
    for (size_t j = 0; j < nv; j++) Sv += sqrt(rowm[j] * dv);
    double bx = sqrt(K) * Sx / Sv;
    nbx = bx < 1 ? 1 : bx > (double)nx ? nx : (size_t)llround(bx);
    double bv = K / (double)nbx;
    nbv = bv < 1 ? 1 : bv > (double)nv ? nv : (size_t)llround(bv);
    double bx2 = K / (double)nbv; /* re-balance when nbv hit its cap */
    nbx = bx2 < 1 ? 1 : bx2 > (double)nx ? nx : (size_t)llround(bx2);
  }
  wx = malloc(nx * sizeof *wx);
  wv = malloc(nv * sizeof *wv);
  xs = malloc((nbx + 1) * sizeof *xs);
  vs = malloc((nbv + 1) * sizeof *vs);
  cm = calloc(nbv * nx, sizeof *cm); /* cm[bv * nx + i]: mass of column i in v-band bv */
  rm = calloc(nbx * nv, sizeof *rm); /* rm[bx * nv + j]: mass of row j in x-band bx */
  if (!wx || !wv || !xs || !vs || !cm || !rm) goto nomem;
  for (size_t i = 0; i < nx; i++) wx[i] = sqrt(colm[i]);
  for (size_t j = 0; j < nv; j++) wv[j] = sqrt(rowm[j]);
  partition(nx, wx, nbx, xs);
  partition(nv, wv, nbv, vs);
  for (size_t b = 0; b < nbx; b++)
    for (size_t i = xs[b]; i < xs[b + 1]; i++)
      for (size_t c = 0; c < nbv; c++)
        for (size_t j = vs[c]; j < vs[c + 1]; j++) {
          cm[c * nx + i] += q[i * nv + j];
          rm[b * nv + j] += q[i * nv + j];
        }

  /* Non-empty blocks: mass and centroid. */
  size_t K = 0, nb = nbx * nbv;
  bm = malloc(nb * sizeof *bm);
  bmv = malloc(nb * sizeof *bmv);
  bcx = malloc(nb * sizeof *bcx);
  bcv = malloc(nb * sizeof *bcv);
  bbx = malloc(nb * sizeof *bbx);
  bbv = malloc(nb * sizeof *bbv);
  if (!bm || !bmv || !bcx || !bcv || !bbx || !bbv) goto nomem;
  for (size_t b = 0; b < nbx; b++)
    for (size_t c = 0; c < nbv; c++) {
      double m = 0, mx = 0, mv = 0, sv = 0;
      for (size_t i = xs[b]; i < xs[b + 1]; i++) {
        m += cm[c * nx + i];
        mx += cm[c * nx + i] * (g->xmin + (double)i * dx);
      }
      for (size_t j = vs[c]; j < vs[c + 1]; j++) {
        mv += rm[b * nv + j];
        sv += rm[b * nv + j] * (g->vmin + (double)j * dv);
      }
      if (!(m > 0) || !(mv > 0)) continue;
      bm[K] = m;
      bmv[K] = mv;
      bcx[K] = mx / m;
      bcv[K] = sv / mv;
      bbx[K] = b;
      bbv[K] = c;
      K++;
    }

  /* Exact transport to the coarse measure. */
  cost = malloc(n * K * sizeof *cost);
  plan = malloc(n * K * sizeof *plan);
  double *a = malloc(n * sizeof *a);
  if (!cost || !plan || !a) {
    free(a);
    goto nomem;
  }
  for (size_t k = 0; k < n; k++) a[k] = ptx[k].w;
  for (size_t k = 0; k < n; k++)
    for (size_t b = 0; b < K; b++)
      cost[k * K + b] = mean_dist(bcx[b], 0, ptx[k].x, P) + fabs(ptv[k].x - bcv[b]);
  double coarse = 0;
  rc = mfh_transport_solve_plan(n, a, K, bm, cost, plan, &coarse, err);
  free(a);
  if (rc) goto done;

  /* Glued coupling (upper bound) and the block spread. */
  double glued = 0, spread = 0;
  for (size_t k = 0; k < n; k++)
    for (size_t b = 0; b < K; b++) {
      double pl = plan[k * K + b];
      if (!(pl > 0)) continue;
      double ex = 0, ev = 0;
      for (size_t i = xs[bbx[b]]; i < xs[bbx[b] + 1]; i++)
        ex += cm[bbv[b] * nx + i] * mean_dist(g->xmin + (double)i * dx, dx / 2, ptx[k].x, P);
      for (size_t j = vs[bbv[b]]; j < vs[bbv[b] + 1]; j++)
        ev += rm[bbx[b] * nv + j] * mean_dist(g->vmin + (double)j * dv, dv / 2, ptv[k].x, 0);
      glued += pl * (ex / bm[b] + ev / bmv[b]);
    }
  for (size_t b = 0; b < K; b++) {
    for (size_t i = xs[bbx[b]]; i < xs[bbx[b] + 1]; i++)
      spread += cm[bbv[b] * nx + i] * mean_dist(g->xmin + (double)i * dx, dx / 2, bcx[b], P);
    for (size_t j = vs[bbv[b]]; j < vs[bbv[b] + 1]; j++)
      spread += rm[bbx[b] * nv + j] * mean_dist(g->vmin + (double)j * dv, dv / 2, bcv[b], 0);
  }

  /* Marginals. */
  size_t ms = n + (nx > nv ? nx : nv) + 2;
  len = malloc(ms * sizeof *len);
  dl = malloc(ms * sizeof *dl);
  dr = malloc(ms * sizeof *dr);
  if (!len || !dl || !dr) goto nomem;
  qsort(ptx, n, sizeof *ptx, cmp_wpt);
  qsort(ptv, n, sizeof *ptv, cmp_wpt);
  double mx = marginal_w1(n, ptx, nx, x0, dx, colm, P, len, dl, dr);
  double mvv = marginal_w1(n, ptv, nv, v0, dv, rowm, 0, len, dl, dr);

  double D = P > 0 ? P / 2 + (double)nv * dv : (double)nx * dx + (double)nv * dv;
  double e0 = mn + fabs(mp - 1);
  double slack = D * e0 + 1e-10 * D;
  double lo = fmax(coarse - spread, mx + mvv) - slack;
  double hi = fmin(glued, coarse + spread) + slack;
  if (lo < 0) lo = 0;
  memset(res, 0, sizeof *res);
  res->lo = lo;
  res->hi = hi;
  res->est = coarse < lo ? lo : coarse > hi ? hi : coarse;
  res->coarse = coarse;
  res->spread = spread;
  res->glued = glued;
  res->marg_x = mx;
  res->marg_v = mvv;
  res->mass_pos = mp;
  res->mass_neg = mn;
  res->defect = e0;
  res->diam = D;
  res->slack = slack;
  res->nbx = nbx;
  res->nbv = nbv;
  res->ncoarse = K;
  rc = MFH_OK;
  goto done;

nomem:
  rc = mfh_err_set(err, MFH_ENOMEM, "gridw1: out of memory (n = %zu, grid %zu x %zu)", n, nx, nv);
done:
  free(q);
  free(colm);
  free(rowm);
  free(wx);
  free(wv);
  free(cm);
  free(rm);
  free(bm);
  free(bmv);
  free(bcx);
  free(bcv);
  free(cost);
  free(plan);
  free(len);
  free(dl);
  free(dr);
  free(xs);
  free(vs);
  free(bbx);
  free(bbv);
  free(ptx);
  free(ptv);
  return rc;
}
