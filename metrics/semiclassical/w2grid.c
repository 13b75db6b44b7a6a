/* W_2 between phase-space densities on grids: coarse exact transport, a
 * refined fine-level coupling (upper bound) and Kantorovich dual potentials
 * (lower bounds).  See distances.h for the bracket and its guarantees. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/transport.h"
#include "metrics/semiclassical/distances.h"

/* ---- W_2 between grid densities ---------------------------------------- */

void mfh_sc_w2grid_opts_init(mfh_sc_w2grid_opts *o) {
  memset(o, 0, sizeof *o);
  o->max_points = 1000;
  o->drop = 1e-14;
  o->neg_tol = 1e-10;
  o->sweeps = 8;
}

/* A grid measure prepared for transport. */
typedef struct gmeas {
  const mfh_phase_grid *ps;
  double *v;           /* clipped values nx*nxi (owned) */
  double total;        /* sum v */
  double mean[2], var; /* normalised mean, tr Cov */
  double *mx, *mxi;    /* normalised marginals (owned) */
  /* coarse: the kept blocks */
  size_t npts;
  double *pts;      /* npts * 2 barycentres */
  double *w;        /* npts, normalised over the kept blocks */
  double *bmass;    /* npts, raw block masses */
  double *bvar;     /* npts, mean squared distance to the barycentre */
  size_t *borg;     /* npts * 2 block origins (a0, k0) */
  long *nblk;       /* nx*nxi: kept block of each node, -1 if none */
  double q_kept;    /* rms distance to the barycentre, kept blocks, kept mass */
  double q_all;     /* the same over every block and the whole mass */
  double drop_term; /* sqrt(dropped fraction) * grid diameter */
  size_t bx, bxi;
} gmeas;

static void gmeas_free(gmeas *m) {
  free(m->v);
  free(m->mx);
  free(m->mxi);
  free(m->pts);
  free(m->w);
  free(m->bmass);
  free(m->bvar);
  free(m->borg);
  free(m->nblk);
}

static double ps_x(const mfh_phase_grid *ps, size_t a) { return ps->xmin + (double)a * ps->dx; }
static double ps_p(const mfh_phase_grid *ps, size_t k) { return ps->vmin + (double)k * ps->dv; }

static int gmeas_load(const mfh_phase_grid *ps, double neg_tol, const char *name, gmeas *m,
                      double *clipped, mfh_err *err) {
  memset(m, 0, sizeof *m);
  m->ps = ps;
  if (!ps || !ps->f) return mfh_err_set(err, MFH_EINPUT, "W2 grid: %s is NULL", name);
  if (ps->nx < 1 || ps->nv < 1 || ps->nx > SIZE_MAX / sizeof(double) / ps->nv)
    return mfh_err_set(err, MFH_EINPUT, "W2 grid: %s has bad size %zu x %zu", name, ps->nx,
                       ps->nv);
  if (!isfinite(ps->xmin) || !isfinite(ps->vmin) || !(ps->dx > 0) || !(ps->dv > 0) ||
      !isfinite(ps->dx) || !isfinite(ps->dv))
    return mfh_err_set(err, MFH_EINPUT,
                       "W2 grid: %s has bad geometry (xmin %g, dx %g, ximin %g, dxi %g)", name,
                       ps->xmin, ps->dx, ps->vmin, ps->dv);
  size_t nx = ps->nx, nxi = ps->nv, nn = nx * nxi;
  double fmax = 0;
  for (size_t i = 0; i < nn; i++) {
    double v = ps->f[i];
    if (!isfinite(v))
      return mfh_err_set(err, MFH_EINPUT, "W2 grid: %s is not finite at node (%zu, %zu)", name,
                         i / nxi, i % nxi);
    if (v > fmax) fmax = v;
  }
  if (!(fmax > 0)) return mfh_err_set(err, MFH_EINPUT, "W2 grid: %s has no positive value", name);
  m->v = malloc(nn * sizeof *m->v);
  m->nblk = malloc(nn * sizeof *m->nblk);
  m->mx = calloc(nx, sizeof *m->mx);
  m->mxi = calloc(nxi, sizeof *m->mxi);
  if (!m->v || !m->nblk || !m->mx || !m->mxi)
    return mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
  double neg = 0, tot = 0;
  for (size_t i = 0; i < nn; i++) {
    double v = ps->f[i];
    if (v < 0) {
      if (v < -neg_tol * fmax) {
        size_t a = i / nxi, k = i % nxi;
        return mfh_err_set(err, MFH_EINPUT,
                           "W2 grid: %s = %g < 0 at (x, xi) = (%g, %g), beyond the clipping "
                           "tolerance %g x max (a signed density such as a Wigner function has "
                           "no W2; use a Husimi function)",
                           name, v, ps_x(ps, a), ps_p(ps, k), neg_tol);
      }
      neg -= v;
      v = 0;
    }
    m->v[i] = v;
    tot += v;
  }
  m->total = tot;
  *clipped = neg / tot;
  for (size_t a = 0; a < nx; a++)
    for (size_t k = 0; k < nxi; k++) {
      double v = m->v[a * nxi + k];
      m->mx[a] += v;
      m->mxi[k] += v;
    }
  double sx = 0, sp = 0;
  for (size_t a = 0; a < nx; a++) {
    m->mx[a] /= tot;
    sx += m->mx[a] * ps_x(ps, a);
  }
  for (size_t k = 0; k < nxi; k++) {
    m->mxi[k] /= tot;
    sp += m->mxi[k] * ps_p(ps, k);
  }
  m->mean[0] = sx;
  m->mean[1] = sp;
  double vx = 0, vp = 0;
  for (size_t a = 0; a < nx; a++) vx += m->mx[a] * (ps_x(ps, a) - sx) * (ps_x(ps, a) - sx);
  for (size_t k = 0; k < nxi; k++) vp += m->mxi[k] * (ps_p(ps, k) - sp) * (ps_p(ps, k) - sp);
  m->var = vx + vp;
  return MFH_OK;
}

/* Number of blocks of mass > drop * total with blocks bx x bxi. */
static size_t count_blocks(const gmeas *m, size_t bx, size_t bxi, double drop) {
  size_t nx = m->ps->nx, nxi = m->ps->nv, cnt = 0;
  double thr = drop * m->total;
  for (size_t a0 = 0; a0 < nx; a0 += bx)
    for (size_t k0 = 0; k0 < nxi; k0 += bxi) {
      double s = 0;
      for (size_t a = a0; a < a0 + bx && a < nx; a++)
        for (size_t k = k0; k < k0 + bxi && k < nxi; k++) s += m->v[a * nxi + k];
      if (s > 0 && s > thr) cnt++;
    }
  return cnt;
}

/* Choose blocks (if not given) and build the coarse measure and its terms. */
static int gmeas_coarsen(gmeas *m, const size_t block[2], size_t max_points, double drop,
                         const char *name, mfh_err *err) {
  const mfh_phase_grid *ps = m->ps;
  size_t nx = ps->nx, nxi = ps->nv, bx = block[0], bxi = block[1];
  if ((bx == 0) != (bxi == 0))
    return mfh_err_set(err, MFH_EINPUT,
                       "W2 grid: %s block {%zu, %zu}: give both sizes or {0, 0} for automatic",
                       name, bx, bxi);
  if (bx == 0) {
    /* Square cells in phase-space units, growing until few enough points. */
    double side = ps->dx < ps->dv ? ps->dx : ps->dv;
    for (int it = 0; it < 1000; it++) {
      double fx = (double)llround(side / ps->dx), fp = (double)llround(side / ps->dv);
      bx = fx < 1 ? 1 : (fx > (double)nx ? nx : (size_t)fx);
      bxi = fp < 1 ? 1 : (fp > (double)nxi ? nxi : (size_t)fp);
      if (count_blocks(m, bx, bxi, drop) <= max_points) break;
      if (bx == nx && bxi == nxi) break;
      side *= 1.0625;
    }
  }
  m->bx = bx;
  m->bxi = bxi;
  size_t nbx = (nx + bx - 1) / bx, nbp = (nxi + bxi - 1) / bxi, nb = nbx * nbp;
  m->pts = malloc(nb * 2 * sizeof *m->pts);
  m->w = malloc(nb * sizeof *m->w);
  m->bmass = malloc(nb * sizeof *m->bmass);
  m->bvar = malloc(nb * sizeof *m->bvar);
  m->borg = malloc(nb * 2 * sizeof *m->borg);
  if (!m->pts || !m->w || !m->bmass || !m->bvar || !m->borg)
    return mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
  for (size_t i = 0; i < nx * nxi; i++) m->nblk[i] = -1;
  double thr = drop * m->total, within_all = 0, within_kept = 0, dropped = 0, kept = 0;
  size_t np = 0;
  for (size_t a0 = 0; a0 < nx; a0 += bx)
    for (size_t k0 = 0; k0 < nxi; k0 += bxi) {
      double s = 0, sx = 0, sp = 0;
      for (size_t a = a0; a < a0 + bx && a < nx; a++)
        for (size_t k = k0; k < k0 + bxi && k < nxi; k++) {
          double v = m->v[a * nxi + k];
          s += v;
          sx += v * ps_x(ps, a);
          sp += v * ps_p(ps, k);
        }
      if (!(s > 0)) continue;
      double bxc = sx / s, bpc = sp / s, wv = 0;
      for (size_t a = a0; a < a0 + bx && a < nx; a++)
        for (size_t k = k0; k < k0 + bxi && k < nxi; k++) {
          double v = m->v[a * nxi + k], u = ps_x(ps, a) - bxc, t = ps_p(ps, k) - bpc;
          wv += v * (u * u + t * t);
        }
      within_all += wv;
      if (!(s > thr)) {
        dropped += s;
        continue;
      }
      within_kept += wv;
      for (size_t a = a0; a < a0 + bx && a < nx; a++)
        for (size_t k = k0; k < k0 + bxi && k < nxi; k++)
          if (m->v[a * nxi + k] > 0) m->nblk[a * nxi + k] = (long)np;
      m->pts[2 * np] = bxc;
      m->pts[2 * np + 1] = bpc;
      m->w[np] = s;
      m->bmass[np] = s;
      m->bvar[np] = wv / s;
      m->borg[2 * np] = a0;
      m->borg[2 * np + 1] = k0;
      kept += s;
      np++;
    }
  if (np == 0)
    return mfh_err_set(err, MFH_EINPUT, "W2 grid: %s: every block was dropped (drop %g)", name,
                       drop);
  for (size_t i = 0; i < np; i++) m->w[i] /= kept;
  m->npts = np;
  double Dx = (double)(nx - 1) * ps->dx, Dp = (double)(nxi - 1) * ps->dv;
  m->q_all = sqrt(within_all / m->total);
  m->q_kept = sqrt(within_kept / kept);
  m->drop_term = sqrt(dropped / m->total) * sqrt(Dx * Dx + Dp * Dp);
  return MFH_OK;
}

/* Exact W_2^2 between two discrete probability measures on sorted 1D
 * supports (nodes x0 + i dx), by the quantile coupling: walk the merged
 * breakpoints of the two CDFs (the last atom of each absorbs the rounding of
 * the cumulative sums). */
static double w2sq_1d_sorted(size_t na, double xa0, double dxa, const double *wa, size_t nb,
                             double xb0, double dxb, const double *wb) {
  size_t i = 0, j = 0;
  double ca = wa[0], cb = wb[0], u = 0, tot = 0;
  for (;;) {
    int la = (i + 1 == na), lb = (j + 1 == nb);
    double next = la && lb ? 1.0 : la ? cb : lb ? ca : (ca < cb ? ca : cb);
    if (next > u) {
      double d = (xa0 + (double)i * dxa) - (xb0 + (double)j * dxb);
      tot += (next - u) * d * d;
      u = next;
    }
    if (la && lb) break;
    int adv_a = !la && ca <= next, adv_b = !lb && cb <= next;
    if (adv_a) ca += wa[++i];
    if (adv_b) cb += wb[++j];
  }
  return tot;
}

/* Dual potential u of the coarse problem from an optimal basic plan:
 * u_i + v_j = c_ij on the plan's support (one free constant per connected
 * component, set by u = 0 at its first node), then the c-transforms
 * v_j = min_i (c_ij - u_i), u_i = min_j (c_ij - v_j) (feasible whatever the
 * support; optimal when the support is connected). */
static int coarse_duals(size_t na, size_t nb, const double *cost, const double *plan, double *u,
                        mfh_err *err) {
  size_t nn = na + nb;
  unsigned char *seen = calloc(nn, 1);
  size_t *queue = malloc(nn * sizeof *queue);
  double *v = malloc(nb * sizeof *v);
  if (!seen || !queue || !v) {
    free(seen);
    free(queue);
    free(v);
    return mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
  }
  for (size_t s0 = 0; s0 < nn; s0++) {
    if (seen[s0]) continue;
    size_t head = 0, tail = 0;
    if (s0 < na)
      u[s0] = 0;
    else
      v[s0 - na] = 0;
    seen[s0] = 1;
    queue[tail++] = s0;
    while (head < tail) {
      size_t x = queue[head++];
      if (x < na) {
        for (size_t j = 0; j < nb; j++)
          if (plan[x * nb + j] > 0 && !seen[na + j]) {
            v[j] = cost[x * nb + j] - u[x];
            seen[na + j] = 1;
            queue[tail++] = na + j;
          }
      } else {
        size_t j = x - na;
        for (size_t i = 0; i < na; i++)
          if (plan[i * nb + j] > 0 && !seen[i]) {
            u[i] = cost[i * nb + j] - v[j];
            seen[i] = 1;
            queue[tail++] = i;
          }
      }
    }
  }
  for (size_t j = 0; j < nb; j++) {
    double m = INFINITY;
    for (size_t i = 0; i < na; i++) m = fmin(m, cost[i * nb + j] - u[i]);
    v[j] = m;
  }
  for (size_t i = 0; i < na; i++) {
    double m = INFINITY;
    for (size_t j = 0; j < nb; j++) m = fmin(m, cost[i * nb + j] - v[j]);
    u[i] = m;
  }
  free(seen);
  free(queue);
  free(v);
  return MFH_OK;
}

/* out(a', k') = min over nodes (a, k) of src's grid with finite in(a, k) of
 * (x_dst(a') - x_src(a))^2 + (p_dst(k') - p_src(k))^2 - in(a, k), at the
 * nodes of dst where want(a', k') (others: -INFINITY).  Separable: first
 * the xi direction, then x.  in = -INFINITY excludes a node. */
static int c_transform(const mfh_phase_grid *src, const double *in, const mfh_phase_grid *dst,
                       const double *want, double *out, mfh_err *err) {
  size_t snx = src->nx, snp = src->nv, dnx = dst->nx, dnp = dst->nv;
  double *T = malloc(snx * dnp * sizeof *T);
  if (!T) return mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
  for (size_t a = 0; a < snx; a++)
    for (size_t kd = 0; kd < dnp; kd++) {
      double p = ps_p(dst, kd), m = INFINITY;
      const double *row = in + a * snp;
      for (size_t k = 0; k < snp; k++) {
        double d = p - ps_p(src, k);
        m = fmin(m, d * d - row[k]);
      }
      T[a * dnp + kd] = m;
    }
  for (size_t ad = 0; ad < dnx; ad++) {
    double x = ps_x(dst, ad);
    for (size_t kd = 0; kd < dnp; kd++) {
      if (!(want[ad * dnp + kd] > 0)) {
        out[ad * dnp + kd] = -INFINITY;
        continue;
      }
      double m = INFINITY;
      for (size_t a = 0; a < snx; a++) {
        double d = x - ps_x(src, a);
        m = fmin(m, d * d + T[a * dnp + kd]);
      }
      out[ad * dnp + kd] = m;
    }
  }
  free(T);
  return MFH_OK;
}

/* Lower bound on W_2^2(mu_f, mu_g) by Kantorovich duality.  The coarse dual
 * u and the plan's barycentric map T_A give a first-order potential on f's
 * fine nodes, phi0(x) = u_A + 2 (b_A - T_A).(x - b_A) for x in kept block A
 * (grad phi = 2 (x - T(x)) for the squared cost, Brenier); then
 * psi = phi0^c on g's support, phi = psi^c on f's support, and the value
 * sum phi dmu_f + sum psi dmu_g is the dual objective of a feasible pair. */
static int dual_bound(const gmeas *mf, const gmeas *mg, const double *u, const double *plan,
                      double *value, mfh_err *err) {
  const mfh_phase_grid *F = mf->ps, *G = mg->ps;
  size_t na = mf->npts, nb = mg->npts, fn = F->nx * F->nv, gn = G->nx * G->nv;
  double *grad = malloc(na * 2 * sizeof *grad), *phi0 = malloc(fn * sizeof *phi0);
  double *psi = malloc(gn * sizeof *psi), *phi = malloc(fn * sizeof *phi);
  int st = MFH_OK;
  if (!grad || !phi0 || !psi || !phi) {
    st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
    goto done;
  }
  for (size_t A = 0; A < na; A++) {
    double s = 0, t0 = 0, t1 = 0;
    for (size_t B = 0; B < nb; B++) {
      double p = plan[A * nb + B];
      if (p > 0) {
        s += p;
        t0 += p * mg->pts[2 * B];
        t1 += p * mg->pts[2 * B + 1];
      }
    }
    grad[2 * A] = s > 0 ? 2 * (mf->pts[2 * A] - t0 / s) : 0;
    grad[2 * A + 1] = s > 0 ? 2 * (mf->pts[2 * A + 1] - t1 / s) : 0;
  }
  for (size_t a = 0; a < F->nx; a++)
    for (size_t k = 0; k < F->nv; k++) {
      long A = mf->nblk[a * F->nv + k];
      if (A < 0) {
        phi0[a * F->nv + k] = -INFINITY;
        continue;
      }
      double d0 = ps_x(F, a) - mf->pts[2 * A], d1 = ps_p(F, k) - mf->pts[2 * A + 1];
      phi0[a * F->nv + k] = u[A] + grad[2 * A] * d0 + grad[2 * A + 1] * d1;
    }
  if ((st = c_transform(F, phi0, G, mg->v, psi, err)) != MFH_OK) goto done;
  if ((st = c_transform(G, psi, F, mf->v, phi, err)) != MFH_OK) goto done;
  double sf = 0, sg = 0;
  for (size_t i = 0; i < fn; i++)
    if (mf->v[i] > 0) sf += phi[i] * (mf->v[i] / mf->total);
  for (size_t i = 0; i < gn; i++)
    if (mg->v[i] > 0) sg += psi[i] * (mg->v[i] / mg->total);
  *value = sf + sg;
done:
  free(grad);
  free(phi0);
  free(psi);
  free(phi);
  return st;
}

/* Fine nodes of kept block A of m with positive mass: node indices and
 * masses normalised by the block mass; returns the count. */
static size_t block_nodes(const gmeas *m, size_t A, size_t *idx, double *w) {
  const mfh_phase_grid *ps = m->ps;
  size_t a0 = m->borg[2 * A], k0 = m->borg[2 * A + 1], c = 0;
  for (size_t a = a0; a < a0 + m->bx && a < ps->nx; a++)
    for (size_t k = k0; k < k0 + m->bxi && k < ps->nv; k++) {
      double v = m->v[a * ps->nv + k];
      if (!(v > 0)) continue;
      idx[c] = a * ps->nv + k;
      w[c++] = v / m->bmass[A];
    }
  return c;
}

static double node_dist2(const mfh_phase_grid *F, size_t i, const mfh_phase_grid *G, size_t j) {
  double d0 = ps_x(F, i / F->nv) - ps_x(G, j / G->nv);
  double d1 = ps_p(F, i % F->nv) - ps_p(G, j % G->nv);
  return d0 * d0 + d1 * d1;
}

/* A sparse coupling of the fine measures: entries (f node, g node, mass). */
typedef struct fcoupling {
  size_t n, cap;
  size_t *fi, *gi;
  double *m;
} fcoupling;

static void fc_free(fcoupling *c) {
  free(c->fi);
  free(c->gi);
  free(c->m);
  memset(c, 0, sizeof *c);
}

static int fc_push(fcoupling *c, size_t fi, size_t gi, double m) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 4096;
    size_t *a = realloc(c->fi, cap * sizeof *a);
    if (a) c->fi = a;
    size_t *b = realloc(c->gi, cap * sizeof *b);
    if (b) c->gi = b;
    double *d = realloc(c->m, cap * sizeof *d);
    if (d) c->m = d;
    if (!a || !b || !d) return MFH_ENOMEM;
    c->cap = cap;
  }
  c->fi[c->n] = fi;
  c->gi[c->n] = gi;
  c->m[c->n++] = m;
  return MFH_OK;
}

static double fc_cost(const fcoupling *c, const mfh_phase_grid *F, const mfh_phase_grid *G) {
  double s = 0;
  for (size_t e = 0; e < c->n; e++) s += c->m[e] * node_dist2(F, c->fi[e], G, c->gi[e]);
  return s;
}

/* Largest block (in nodes) for which the fine coupling is built. */
#define W2G_MAX_BLOCK 400
/* Largest sub-problem (f nodes x g nodes) of a decomposition sweep. */
#define W2G_MAX_SUB 250000

/* The fine coupling that splits every coarse pair (A, B) of the optimal
 * plan into an optimal coupling of the two blocks' normalised node masses
 * (exact transport per pair).  Its marginals are the kept parts of mu_f and
 * mu_g, renormalised. */
static int initial_coupling(const gmeas *mf, const gmeas *mg, const double *plan, fcoupling *c,
                            mfh_err *err) {
  const mfh_phase_grid *F = mf->ps, *G = mg->ps;
  size_t na = mf->npts, nb = mg->npts, sa = mf->bx * mf->bxi, sb = mg->bx * mg->bxi;
  size_t *ia = malloc(sa * sizeof *ia), *ib = malloc(sb * sizeof *ib);
  double *wa = malloc(sa * sizeof *wa), *wb = malloc(sb * sizeof *wb);
  double *cost = malloc(sa * sb * sizeof *cost), *pl = malloc(sa * sb * sizeof *pl);
  int st = MFH_OK;
  if (!ia || !ib || !wa || !wb || !cost || !pl) {
    st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
    goto done;
  }
  for (size_t A = 0; A < na && st == MFH_OK; A++) {
    size_t ma = block_nodes(mf, A, ia, wa);
    for (size_t B = 0; B < nb; B++) {
      double p = plan[A * nb + B];
      if (!(p > 0)) continue;
      size_t mb = block_nodes(mg, B, ib, wb);
      for (size_t i = 0; i < ma; i++)
        for (size_t j = 0; j < mb; j++) cost[i * mb + j] = node_dist2(F, ia[i], G, ib[j]);
      double opt;
      if ((st = mfh_transport_solve_plan(ma, wa, mb, wb, cost, pl, &opt, err)) != MFH_OK) {
        mfh_err_prefix(err, "W2 grid: block pair");
        break;
      }
      for (size_t i = 0; i < ma && st == MFH_OK; i++)
        for (size_t j = 0; j < mb; j++)
          if (pl[i * mb + j] > 0 && fc_push(c, ia[i], ib[j], p * pl[i * mb + j]) != MFH_OK) {
            st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
            break;
          }
    }
  }
done:
  free(ia);
  free(ib);
  free(wa);
  free(wb);
  free(cost);
  free(pl);
  return st;
}

/* One domain-decomposition sweep: group the entries by the cell of their f
 * node (cells of one block, shifted by half a block when `shifted`), and in
 * every cell replace the coupling by an optimal one between the same f and
 * g masses (the current coupling is feasible for that sub-problem, so the
 * total cost cannot increase).  Benamou, ESAIM:M2AN 37 (2003) 851;
 * Bonafini & Schmitzer, Numer. Math. 149 (2021) 819. */
static int dd_sweep(const gmeas *mf, const gmeas *mg, int shifted, fcoupling *c, long *fmap,
                    long *gmap, mfh_err *err) {
  const mfh_phase_grid *F = mf->ps, *G = mg->ps;
  size_t cx = mf->bx, cp = mf->bxi;
  size_t ox = shifted ? (cx + 1) / 2 : 0, op = shifted ? (cp + 1) / 2 : 0;
  size_t ncx = (F->nx + ox) / cx + 1, ncp = (F->nv + op) / cp + 1, ncell = ncx * ncp;
  size_t *start = calloc(ncell + 1, sizeof *start), *order = malloc(c->n * sizeof *order);
  fcoupling out = {0, 0, NULL, NULL, NULL};
  size_t *lf = NULL, *lg = NULL;
  double *wf = NULL, *wg = NULL, *cost = NULL, *pl = NULL;
  int st = MFH_OK;
  if (c->n == 0) goto done;
  if (!start || !order) goto nomem;
  /* Counting sort of the entries by cell. */
  for (size_t e = 0; e < c->n; e++) {
    size_t a = c->fi[e] / F->nv, k = c->fi[e] % F->nv;
    start[((a + ox) / cx) * ncp + (k + op) / cp + 1]++;
  }
  for (size_t q = 0; q < ncell; q++) start[q + 1] += start[q];
  {
    size_t *pos = malloc(ncell * sizeof *pos);
    if (!pos) goto nomem;
    memcpy(pos, start, ncell * sizeof *pos);
    for (size_t e = 0; e < c->n; e++) {
      size_t a = c->fi[e] / F->nv, k = c->fi[e] % F->nv;
      order[pos[((a + ox) / cx) * ncp + (k + op) / cp]++] = e;
    }
    free(pos);
  }
  size_t maxe = 0;
  for (size_t q = 0; q < ncell; q++)
    if (start[q + 1] - start[q] > maxe) maxe = start[q + 1] - start[q];
  lf = malloc(maxe * sizeof *lf);
  lg = malloc(maxe * sizeof *lg);
  wf = malloc(maxe * sizeof *wf);
  wg = malloc(maxe * sizeof *wg);
  if (!lf || !lg || !wf || !wg) goto nomem;
  for (size_t q = 0; q < ncell; q++) {
    size_t e0 = start[q], e1 = start[q + 1], nf = 0, ng = 0;
    if (e0 == e1) continue;
    double M = 0;
    for (size_t t = e0; t < e1; t++) {
      size_t e = order[t];
      if (fmap[c->fi[e]] < 0) {
        fmap[c->fi[e]] = (long)nf;
        lf[nf] = c->fi[e];
        wf[nf++] = 0;
      }
      if (gmap[c->gi[e]] < 0) {
        gmap[c->gi[e]] = (long)ng;
        lg[ng] = c->gi[e];
        wg[ng++] = 0;
      }
      wf[fmap[c->fi[e]]] += c->m[e];
      wg[gmap[c->gi[e]]] += c->m[e];
      M += c->m[e];
    }
    int solve = nf > 1 && ng > 1 && nf * ng <= W2G_MAX_SUB && M > 0;
    if (solve) {
      double *c2 = realloc(cost, nf * ng * sizeof *c2);
      if (c2) cost = c2;
      double *p2 = realloc(pl, nf * ng * sizeof *p2);
      if (p2) pl = p2;
      if (!c2 || !p2) goto nomem;
      for (size_t i = 0; i < nf; i++) wf[i] /= M;
      for (size_t j = 0; j < ng; j++) wg[j] /= M;
      for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < ng; j++) cost[i * ng + j] = node_dist2(F, lf[i], G, lg[j]);
      double opt;
      if ((st = mfh_transport_solve_plan(nf, wf, ng, wg, cost, pl, &opt, err)) != MFH_OK) {
        mfh_err_prefix(err, "W2 grid: decomposition cell");
        goto fail;
      }
      for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < ng; j++)
          if (pl[i * ng + j] > 0 && fc_push(&out, lf[i], lg[j], M * pl[i * ng + j]) != MFH_OK)
            goto nomem;
    } else {
      for (size_t t = e0; t < e1; t++) {
        size_t e = order[t];
        if (fc_push(&out, c->fi[e], c->gi[e], c->m[e]) != MFH_OK) goto nomem;
      }
    }
    for (size_t i = 0; i < nf; i++) fmap[lf[i]] = -1;
    for (size_t j = 0; j < ng; j++) gmap[lg[j]] = -1;
  }
  fc_free(c);
  *c = out;
  out.fi = NULL;
  out.gi = NULL;
  out.m = NULL;
  goto done;
nomem:
  st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
fail:
  fc_free(&out);
done:
  free(start);
  free(order);
  free(lf);
  free(lg);
  free(wf);
  free(wg);
  free(cost);
  free(pl);
  return st;
}

/* Dual value from a potential integrated over f's grid: with T(x) the
 * barycentric map of the fine coupling, grad phi = 2 (x - T(x)) (Brenier,
 * squared cost); phi solves the least-squares problem
 *   min sum over grid edges (i, j) inside the coupling's support of
 *       (phi_j - phi_i - (G_i + G_j).(x_j - x_i)/2)^2,  G = 2 (x - T(x)),
 * by conjugate gradients on the graph Laplacian; then psi = phi^c,
 * phi = psi^c and the dual objective (valid whatever phi is). */
static int poisson_dual(const gmeas *mf, const gmeas *mg, const fcoupling *c, double *value,
                        mfh_err *err) {
  const mfh_phase_grid *F = mf->ps, *G = mg->ps;
  size_t nx = F->nx, np = F->nv, fn = nx * np, gn = G->nx * G->nv;
  double *T = calloc(3 * fn, sizeof *T), *b = calloc(fn, sizeof *b), *x = calloc(fn, sizeof *x);
  double *r = malloc(fn * sizeof *r), *p = malloc(fn * sizeof *p), *q = malloc(fn * sizeof *q);
  double *psi = malloc(gn * sizeof *psi);
  unsigned char *in = calloc(fn, 1);
  int st = MFH_OK;
  if (!T || !b || !x || !r || !p || !q || !psi || !in) {
    st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
    goto done;
  }
  for (size_t e = 0; e < c->n; e++) {
    size_t i = c->fi[e], j = c->gi[e];
    T[3 * i] += c->m[e];
    T[3 * i + 1] += c->m[e] * ps_x(G, j / G->nv);
    T[3 * i + 2] += c->m[e] * ps_p(G, j % G->nv);
  }
  for (size_t i = 0; i < fn; i++) {
    if (!(T[3 * i] > 0)) continue;
    in[i] = 1;
    double x0 = ps_x(F, i / np), x1 = ps_p(F, i % np);
    T[3 * i + 1] = 2 * (x0 - T[3 * i + 1] / T[3 * i]); /* G, x component */
    T[3 * i + 2] = 2 * (x1 - T[3 * i + 2] / T[3 * i]); /* G, xi component */
  }
  /* Right-hand side b = sum over edges of the increments (L phi = b). */
  for (size_t a = 0; a < nx; a++)
    for (size_t k = 0; k < np; k++) {
      size_t i = a * np + k;
      if (!in[i]) continue;
      if (a + 1 < nx && in[i + np]) {
        double d = 0.5 * (T[3 * i + 1] + T[3 * (i + np) + 1]) * F->dx;
        b[i + np] += d;
        b[i] -= d;
      }
      if (k + 1 < np && in[i + 1]) {
        double d = 0.5 * (T[3 * i + 2] + T[3 * (i + 1) + 2]) * F->dv;
        b[i + 1] += d;
        b[i] -= d;
      }
    }
  /* CG on L x = b (L the graph Laplacian of the support, positive
   * semi-definite; b is orthogonal to the constants of each component). */
  double bb = 0;
  for (size_t i = 0; i < fn; i++) {
    r[i] = b[i];
    p[i] = b[i];
    bb += b[i] * b[i];
  }
  double rr = bb;
  /* Relative residual 1e-8 is ample: any phi gives a valid bound, and the
   * dual objective is stationary at the optimum. */
  for (int it = 0; it < 5000 && rr > 1e-16 * bb && bb > 0; it++) {
    double pq = 0;
    for (size_t a = 0; a < nx; a++)
      for (size_t k = 0; k < np; k++) {
        size_t i = a * np + k;
        double s = 0;
        if (in[i]) {
          if (a > 0 && in[i - np]) s += p[i] - p[i - np];
          if (a + 1 < nx && in[i + np]) s += p[i] - p[i + np];
          if (k > 0 && in[i - 1]) s += p[i] - p[i - 1];
          if (k + 1 < np && in[i + 1]) s += p[i] - p[i + 1];
        }
        q[i] = s;
        pq += p[i] * s;
      }
    if (!(pq > 0)) break;
    double alpha = rr / pq, rn = 0;
    for (size_t i = 0; i < fn; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
      rn += r[i] * r[i];
    }
    double beta = rn / rr;
    rr = rn;
    for (size_t i = 0; i < fn; i++) p[i] = r[i] + beta * p[i];
  }
  for (size_t i = 0; i < fn; i++) x[i] = in[i] ? x[i] : -INFINITY;
  if ((st = c_transform(F, x, G, mg->v, psi, err)) != MFH_OK) goto done;
  if ((st = c_transform(G, psi, F, mf->v, x, err)) != MFH_OK) goto done;
  double sf = 0, sg = 0;
  for (size_t i = 0; i < fn; i++)
    if (mf->v[i] > 0) sf += x[i] * (mf->v[i] / mf->total);
  for (size_t i = 0; i < gn; i++)
    if (mg->v[i] > 0) sg += psi[i] * (mg->v[i] / mg->total);
  *value = sf + sg;
done:
  free(T);
  free(b);
  free(x);
  free(r);
  free(p);
  free(q);
  free(psi);
  free(in);
  return st;
}

/* Upper bound (cost of a fine coupling of the kept parts, improved by
 * `sweeps` decomposition sweeps) and the dual value of the potential
 * integrated from that coupling (poisson_dual).  Blocks larger than
 * W2G_MAX_BLOCK nodes: the independent
 * coupling of every coarse pair (|b_A - b_B|^2 + var_A + var_B), no sweeps,
 * no fine dual (*dual = -INFINITY). */
static int fine_bounds(const gmeas *mf, const gmeas *mg, const double *plan, int sweeps,
                       double *upper2, double *dual, int *done_sweeps, mfh_err *err) {
  size_t na = mf->npts, nb = mg->npts;
  *dual = -INFINITY;
  *done_sweeps = 0;
  if (mf->bx * mf->bxi > W2G_MAX_BLOCK || mg->bx * mg->bxi > W2G_MAX_BLOCK) {
    double tot = 0;
    for (size_t A = 0; A < na; A++)
      for (size_t B = 0; B < nb; B++) {
        double p = plan[A * nb + B];
        if (!(p > 0)) continue;
        double d0 = mf->pts[2 * A] - mg->pts[2 * B], d1 = mf->pts[2 * A + 1] - mg->pts[2 * B + 1];
        tot += p * (d0 * d0 + d1 * d1 + mf->bvar[A] + mg->bvar[B]);
      }
    *upper2 = tot;
    return MFH_OK;
  }
  const mfh_phase_grid *F = mf->ps, *G = mg->ps;
  size_t fn = F->nx * F->nv, gn = G->nx * G->nv;
  fcoupling c = {0, 0, NULL, NULL, NULL};
  long *fmap = malloc(fn * sizeof *fmap), *gmap = malloc(gn * sizeof *gmap);
  int st = MFH_OK;
  if (!fmap || !gmap) {
    st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory");
    goto done;
  }
  for (size_t i = 0; i < fn; i++) fmap[i] = -1;
  for (size_t i = 0; i < gn; i++) gmap[i] = -1;
  if ((st = initial_coupling(mf, mg, plan, &c, err)) != MFH_OK) goto done;
  double cost = fc_cost(&c, F, G);
  for (int s = 0; s < sweeps; s++) {
    if ((st = dd_sweep(mf, mg, s % 2, &c, fmap, gmap, err)) != MFH_OK) goto done;
    double nc = fc_cost(&c, F, G);
    *done_sweeps = s + 1;
    int small = nc > cost - 1e-12 * cost;
    cost = nc < cost ? nc : cost;
    if (small && s % 2 == 1) break; /* both partitions stalled */
  }
  *upper2 = cost;
  if ((st = poisson_dual(mf, mg, &c, dual, err)) != MFH_OK) goto done;
done:
  fc_free(&c);
  free(fmap);
  free(gmap);
  return st;
}

int mfh_sc_w2_grid(const mfh_phase_grid *f, const mfh_phase_grid *g, const mfh_sc_w2grid_opts *opts,
                   mfh_sc_w2grid *out, mfh_err *err) {
  int st;
  mfh_sc_w2grid_opts o;
  if (opts)
    o = *opts;
  else
    mfh_sc_w2grid_opts_init(&o);
  if (!out) return mfh_err_set(err, MFH_EINPUT, "W2 grid: NULL output");
  memset(out, 0, sizeof *out);
  if (o.max_points == 0) o.max_points = 1000;
  if (o.neg_tol == 0) o.neg_tol = 1e-10;
  if (!(o.neg_tol > 0 && o.neg_tol < 1))
    return mfh_err_set(err, MFH_EINPUT, "W2 grid: neg_tol must be in (0, 1) (got %g)", o.neg_tol);
  if (!(o.drop >= 0 && o.drop < 1))
    return mfh_err_set(err, MFH_EINPUT, "W2 grid: drop must be in [0, 1) (got %g)", o.drop);
  if (o.sweeps < 0 || o.sweeps > 1000)
    return mfh_err_set(err, MFH_EINPUT, "W2 grid: sweeps must be in [0, 1000] (got %d)", o.sweeps);
  if (o.max_points > 2000)
    return mfh_err_set(err, MFH_EINPUT, "W2 grid: max_points %zu is above 2000", o.max_points);
  gmeas mf, mg;
  memset(&mf, 0, sizeof mf);
  memset(&mg, 0, sizeof mg);
  double *cost = NULL, *plan = NULL, *u = NULL;
  if ((st = gmeas_load(f, o.neg_tol, "f", &mf, &out->clipped_f, err)) != MFH_OK) goto done;
  if ((st = gmeas_load(g, o.neg_tol, "g", &mg, &out->clipped_g, err)) != MFH_OK) goto done;
  if ((st = gmeas_coarsen(&mf, o.fblock, o.max_points, o.drop, "f", err)) != MFH_OK) goto done;
  if ((st = gmeas_coarsen(&mg, o.gblock, o.max_points, o.drop, "g", err)) != MFH_OK) goto done;
  size_t na = mf.npts, nb = mg.npts;
  if (na > 4000000 / nb) {
    st = mfh_err_set(err, MFH_EINPUT,
                     "W2 grid: %zu x %zu coarse points is above the 4e6 pair limit; use larger "
                     "blocks (now f {%zu, %zu}, g {%zu, %zu})",
                     na, nb, mf.bx, mf.bxi, mg.bx, mg.bxi);
    goto done;
  }
  cost = malloc(na * nb * sizeof *cost);
  plan = malloc(na * nb * sizeof *plan);
  u = malloc(na * sizeof *u);
  if (!cost || !plan || !u) {
    st = mfh_err_set(err, MFH_ENOMEM, "W2 grid: out of memory for a %zu x %zu problem", na, nb);
    goto done;
  }
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++) {
      double d0 = mf.pts[2 * i] - mg.pts[2 * j], d1 = mf.pts[2 * i + 1] - mg.pts[2 * j + 1];
      cost[i * nb + j] = d0 * d0 + d1 * d1;
    }
  double wc2 = 0, dual = 0, fine2 = 0, fdual = -INFINITY;
  int sweeps_done = 0;
  if ((st = mfh_transport_solve_plan(na, mf.w, nb, mg.w, cost, plan, &wc2, err)) != MFH_OK) {
    mfh_err_prefix(err, "W2 grid");
    goto done;
  }
  if ((st = coarse_duals(na, nb, cost, plan, u, err)) != MFH_OK) goto done;
  if ((st = dual_bound(&mf, &mg, u, plan, &dual, err)) != MFH_OK) goto done;
  if ((st = fine_bounds(&mf, &mg, plan, o.sweeps, &fine2, &fdual, &sweeps_done, err)) != MFH_OK)
    goto done;
  if (fdual > dual) dual = fdual;
  double wc = sqrt(wc2 > 0 ? wc2 : 0);
  const mfh_phase_grid *F = mf.ps, *G = mg.ps;
  double mx2 = w2sq_1d_sorted(F->nx, F->xmin, F->dx, mf.mx, G->nx, G->xmin, G->dx, mg.mx);
  double mp2 = w2sq_1d_sorted(F->nv, F->vmin, F->dv, mf.mxi, G->nv, G->vmin, G->dv, mg.mxi);
  double du = mf.mean[0] - mg.mean[0], dv = mf.mean[1] - mg.mean[1];
  out->w2_coarse = wc;
  out->quant_f = mf.q_all;
  out->quant_g = mg.q_all;
  out->drop_f = mf.drop_term;
  out->drop_g = mg.drop_term;
  out->marginal = sqrt(mx2 + mp2);
  out->dual = sqrt(dual > 0 ? dual : 0);
  out->mean_gap = sqrt(du * du + dv * dv);
  double lo = wc - (mf.q_all + mf.drop_term) - (mg.q_all + mg.drop_term);
  if (out->marginal > lo) lo = out->marginal;
  if (out->dual > lo) lo = out->dual;
  out->lower = lo;
  out->refined = sqrt(fine2 > 0 ? fine2 : 0);
  out->sweeps = sweeps_done;
  double up = mf.drop_term + mg.drop_term + out->refined;
  double triv = sqrt(du * du + dv * dv + mf.var + mg.var);
  out->upper = up < triv ? up : triv;
  out->cell_f = sqrt((F->dx * F->dx + F->dv * F->dv) / 12);
  out->cell_g = sqrt((G->dx * G->dx + G->dv * G->dv) / 12);
  out->mass_f = mf.total * F->dx * F->dv;
  out->mass_g = mg.total * G->dx * G->dv;
  out->npts_f = na;
  out->npts_g = nb;
  out->block_f[0] = mf.bx;
  out->block_f[1] = mf.bxi;
  out->block_g[0] = mg.bx;
  out->block_g[1] = mg.bxi;
done:
  free(cost);
  free(plan);
  free(u);
  gmeas_free(&mf);
  gmeas_free(&mg);
  return st;
}
