/* Transportation problem by primal network simplex.
 *
 * Graph: supply nodes 0..na-1, demand nodes na..na+nb-1, root na+nb.
 * Real arcs e = i*nb + j (supply i -> demand na+j, cost[e], uncapacitated);
 * artificial arc narc + u joins node u with the root: u -> root (cost 0)
 * when u has supply >= 0 (supply nodes, and demand nodes of demand 0),
 * root -> u (cost ART) otherwise.  Flow through the root enters by a
 * supply node's arc or by a real arc s -> d' and d''s arc of demand 0, and
 * leaves by some root -> d; replacing it by the direct arc s -> d saves
 * ART - cost_sd > 0 or cost_sd' + ART - cost_sd > 0.  So ART > max(cmax,
 * cmax - cmin) (strictly) makes the optimum carry no artificial flow.
 *
 * Potentials pi follow LEMON's sign: reduced cost c_e + pi[src] - pi[tgt].
 * The spanning tree is stored as nn slots of arcs with doubly linked
 * incidence lists per node.  After each pivot only the subtree that moves
 * is re-hung (parent, depth and potentials recomputed along it from its new
 * parent, so the potentials do not drift).  The tree is strongly
 * feasible (every node can push positive flow to the root along its tree
 * path) and the leaving arc is the last blocking arc of the cycle
 * (Cunningham 1976), which rules out cycling. */
#include "metrics/transport.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)
#define DIR_UP 1    /* tree arc points from the node to its parent */
#define DIR_DOWN -1 /* tree arc points from the parent to the node */

typedef struct ns {
  size_t na, nb, nn, root, narc;
  const double *cost;
  double art, tol;
  signed char *lower;   /* narc + nn: 1 = non-tree at flow 0, 0 = tree */
  signed char *art_up;  /* nn: artificial arc of u points to the root */
  double *flow;         /* narc + nn */
  size_t *tarc;         /* nn slots: the tree arcs */
  /* incidence lists: entry 2k + side is slot k seen from its source
   * (side 0) or target (side 1) node */
  size_t *enode, *enext, *eprev, *head; /* 2 nn entries; head: nn + 1 */
  size_t *parent, *pred, *predslot, *depth, *stack; /* nn + 1 */
  signed char *dir;     /* nn + 1 */
  double *pi;           /* nn + 1 */
  size_t block, next;
} ns;

static size_t arc_src(const ns *s, size_t e) {
  if (e < s->narc) return e / s->nb;
  size_t u = e - s->narc;
  return s->art_up[u] ? u : s->root;
}

static size_t arc_tgt(const ns *s, size_t e) {
  if (e < s->narc) return s->na + e % s->nb;
  size_t u = e - s->narc;
  return s->art_up[u] ? s->root : u;
}

static double arc_cost(const ns *s, size_t e) {
  if (e < s->narc) return s->cost[e];
  return s->art_up[e - s->narc] ? 0.0 : s->art;
}

static void ns_free(ns *s) {
  free(s->lower);
  free(s->art_up);
  free(s->flow);
  free(s->tarc);
  free(s->enode);
  free(s->enext);
  free(s->eprev);
  free(s->head);
  free(s->parent);
  free(s->pred);
  free(s->predslot);
  free(s->depth);
  free(s->stack);
  free(s->dir);
  free(s->pi);
}

static int ns_alloc(ns *s) {
  size_t all = s->narc + s->nn, nodes = s->nn + 1, ne = 2 * s->nn;
  s->lower = malloc(all);
  s->art_up = malloc(s->nn);
  s->flow = calloc(all, sizeof *s->flow);
  s->tarc = malloc(s->nn * sizeof *s->tarc);
  s->enode = malloc(ne * sizeof *s->enode);
  s->enext = malloc(ne * sizeof *s->enext);
  s->eprev = malloc(ne * sizeof *s->eprev);
  s->head = malloc(nodes * sizeof *s->head);
  s->parent = malloc(nodes * sizeof *s->parent);
  s->pred = malloc(nodes * sizeof *s->pred);
  s->predslot = malloc(nodes * sizeof *s->predslot);
  s->depth = malloc(nodes * sizeof *s->depth);
  s->stack = malloc(nodes * sizeof *s->stack);
  s->dir = malloc(nodes);
  s->pi = malloc(nodes * sizeof *s->pi);
  if (!s->lower || !s->art_up || !s->flow || !s->tarc || !s->enode || !s->enext || !s->eprev ||
      !s->head || !s->parent || !s->pred || !s->predslot || !s->depth || !s->stack || !s->dir ||
      !s->pi)
    return MFH_ENOMEM;
  return MFH_OK;
}

static void entry_link(ns *s, size_t x) {
  size_t u = s->enode[x];
  s->eprev[x] = NONE;
  s->enext[x] = s->head[u];
  if (s->head[u] != NONE) s->eprev[s->head[u]] = x;
  s->head[u] = x;
}

static void entry_unlink(ns *s, size_t x) {
  if (s->eprev[x] != NONE)
    s->enext[s->eprev[x]] = s->enext[x];
  else
    s->head[s->enode[x]] = s->enext[x];
  if (s->enext[x] != NONE) s->eprev[s->enext[x]] = s->eprev[x];
}

/* Put arc e into slot k (both incidence entries). */
static void slot_set(ns *s, size_t k, size_t e) {
  s->tarc[k] = e;
  s->enode[2 * k] = arc_src(s, e);
  s->enode[2 * k + 1] = arc_tgt(s, e);
  entry_link(s, 2 * k);
  entry_link(s, 2 * k + 1);
}

/* Attach node w below u through the tree arc in slot k, fixing its pred,
 * direction, depth and potential (reduced cost 0 on tree arcs). */
static void attach(ns *s, size_t w, size_t u, size_t k) {
  size_t e = s->tarc[k];
  s->parent[w] = u;
  s->pred[w] = e;
  s->predslot[w] = k;
  s->depth[w] = s->depth[u] + 1;
  if (s->enode[2 * k] == w) {
    s->dir[w] = DIR_UP;
    s->pi[w] = s->pi[u] - arc_cost(s, e);
  } else {
    s->dir[w] = DIR_DOWN;
    s->pi[w] = s->pi[u] + arc_cost(s, e);
  }
}

/* Recompute parent/pred/depth/pi below top (whose own fields are set) by
 * a traversal of the incidence lists; returns the number of nodes seen. */
static size_t hang(ns *s, size_t top) {
  size_t sp = 0, seen = 1;
  s->stack[sp++] = top;
  while (sp > 0) {
    size_t u = s->stack[--sp];
    for (size_t x = s->head[u]; x != NONE; x = s->enext[x]) {
      size_t k = x >> 1;
      if (k == s->predslot[u]) continue;
      size_t w = s->enode[x ^ 1];
      attach(s, w, u, k);
      s->stack[sp++] = w;
      seen++;
    }
  }
  return seen;
}

/* Block search (LEMON): scan blocks of real arcs cyclically, take the most
 * negative reduced cost (below -tol) of the first block that has one. */
static size_t find_entering(ns *s) {
  size_t nb = s->nb, na = s->na, E = s->narc, cnt = s->block, best = NONE;
  size_t e = s->next, i = e / nb, j = e % nb;
  const double *pi = s->pi;
  double min = -s->tol;
  for (size_t t = 0; t < E; t++) {
    if (s->lower[e]) {
      double c = s->cost[e] + pi[i] - pi[na + j];
      if (c < min) {
        min = c;
        best = e;
      }
    }
    e++;
    if (++j == nb) {
      j = 0;
      if (++i == na) {
        i = 0;
        e = 0;
      }
    }
    if (--cnt == 0) {
      if (best != NONE) break;
      cnt = s->block;
    }
  }
  if (best != NONE) s->next = e;
  return best;
}

/* One pivot with entering arc ein; returns 0 or MFH_EINTERNAL. */
static int pivot(ns *s, size_t ein) {
  size_t first = arc_src(s, ein), second = arc_tgt(s, ein);
  size_t u = first, v = second, steps = 0;
  while (u != v) {
    if (++steps > 2 * (s->nn + 1)) return MFH_EINTERNAL; /* corrupt tree */
    if (s->depth[u] >= s->depth[v])
      u = s->parent[u];
    else
      v = s->parent[v];
    if (u == NONE || v == NONE) return MFH_EINTERNAL;
  }
  size_t join = u;
  /* Flow goes first -> second (entering arc), second up to join, join down
   * to first.  Blocking arcs are those whose flow decreases. */
  double delta = INFINITY;
  size_t uout = NONE;
  int out_first = 0; /* leaving arc on the first -> join side */
  for (u = first; u != join; u = s->parent[u])
    if (s->dir[u] == DIR_UP && s->flow[s->pred[u]] < delta) {
      delta = s->flow[s->pred[u]];
      uout = u;
      out_first = 1;
    }
  for (u = second; u != join; u = s->parent[u])
    if (s->dir[u] == DIR_DOWN && s->flow[s->pred[u]] <= delta) {
      delta = s->flow[s->pred[u]];
      uout = u;
      out_first = 0;
    }
  if (uout == NONE) return MFH_EINTERNAL; /* unbounded: impossible here */
  if (delta > 0) {
    s->flow[ein] += delta;
    for (u = first; u != join; u = s->parent[u])
      s->flow[s->pred[u]] -= s->dir[u] * delta;
    for (u = second; u != join; u = s->parent[u])
      s->flow[s->pred[u]] += s->dir[u] * delta;
  }
  size_t k = s->predslot[uout], eout = s->tarc[k];
  s->flow[eout] = 0.0;
  s->lower[eout] = 1;
  s->lower[ein] = 0;
  /* the subtree under uout contains first (or second): re-hang it from
   * the entering arc's other end */
  size_t uin = out_first ? first : second, vin = out_first ? second : first;
  entry_unlink(s, 2 * k);
  entry_unlink(s, 2 * k + 1);
  slot_set(s, k, ein);
  attach(s, uin, vin, k);
  hang(s, uin);
  return MFH_OK;
}

static int check_weights(const char *name, size_t n, const double *w, double *sum,
                         mfh_err *err) {
  double s = 0.0;
  for (size_t k = 0; k < n; k++) {
    if (!isfinite(w[k]) || w[k] < 0)
      return mfh_err_set(err, MFH_EINPUT, "transport: %s[%zu] = %g is not a finite number >= 0",
                         name, k, w[k]);
    s += w[k];
  }
  if (!(fabs(s - 1.0) <= 1e-9))
    return mfh_err_set(err, MFH_EINPUT, "transport: %s sums to %.17g, not 1 (tolerance 1e-9)",
                       name, s);
  *sum = s;
  return MFH_OK;
}

int mfh_transport_solve_plan(size_t na, const double *a, size_t nb, const double *b,
                             const double *cost, double *plan, double *total, mfh_err *err) {
  if (na == 0 || nb == 0)
    return mfh_err_set(err, MFH_EINPUT, "transport: empty marginal (na = %zu, nb = %zu)", na,
                       nb);
  if (!a || !b || !cost || !total)
    return mfh_err_set(err, MFH_EINPUT, "transport: NULL argument");
  if (na > ((size_t)-1 / 16) / nb)
    return mfh_err_set(err, MFH_EINPUT, "transport: %zu x %zu is too large", na, nb);
  double sa, sb;
  int st = check_weights("a", na, a, &sa, err);
  if (st == MFH_OK) st = check_weights("b", nb, b, &sb, err);
  if (st != MFH_OK) return st;
  double cmax = -INFINITY, cmin = INFINITY;
  for (size_t e = 0; e < na * nb; e++) {
    if (!isfinite(cost[e]))
      return mfh_err_set(err, MFH_EINPUT, "transport: cost[%zu][%zu] is not finite (%g)",
                         e / nb, e % nb, cost[e]);
    if (cost[e] > cmax) cmax = cost[e];
    if (cost[e] < cmin) cmin = cost[e];
  }

  ns s = {0};
  s.na = na;
  s.nb = nb;
  s.nn = na + nb;
  s.root = na + nb;
  s.narc = na * nb;
  s.cost = cost;
  double range = cmax - cmin, mag = fmax(fabs(cmax), fabs(cmin));
  /* ART > max(cmax, cmax - cmin) strictly (see the file comment) */
  s.art = fmax(cmax, 0.0) + range + (mag > 0 ? mag : 1.0);
  s.tol = 64.0 * DBL_EPSILON * fmax(mag, fabs(s.art));
  s.block = (size_t)ceil(sqrt((double)s.narc));
  if (s.block < 10) s.block = 10;
  s.next = 0;
  if (ns_alloc(&s) != MFH_OK) {
    ns_free(&s);
    return mfh_err_set(err, MFH_ENOMEM, "transport: out of memory (%zu x %zu)", na, nb);
  }
  memset(s.lower, 1, s.narc);
  for (size_t u = 0; u <= s.nn; u++) s.head[u] = NONE;
  for (size_t u = 0; u < s.nn; u++) {
    double supply = u < na ? a[u] / sa : -(b[u - na] / sb);
    size_t e = s.narc + u;
    s.art_up[u] = supply >= 0;
    s.flow[e] = fabs(supply);
    s.lower[e] = 0;
    slot_set(&s, u, e);
  }
  s.parent[s.root] = NONE;
  s.pred[s.root] = NONE;
  s.predslot[s.root] = NONE;
  s.depth[s.root] = 0;
  s.dir[s.root] = 0;
  s.pi[s.root] = 0.0;
  st = hang(&s, s.root) == s.nn + 1 ? MFH_OK : MFH_EINTERNAL;
  /* Generous safety limit; strongly feasible trees already exclude cycling. */
  size_t limit = 64 * (s.narc + s.nn) + 100000, it = 0;
  while (st == MFH_OK) {
    size_t ein = find_entering(&s);
    if (ein == NONE) break;
    if (++it > limit) {
      st = MFH_ESOLVER;
      break;
    }
    st = pivot(&s, ein);
  }
  if (st == MFH_OK) {
    double sum = 0.0, comp = 0.0, artflow = 0.0;
    if (plan) memset(plan, 0, s.narc * sizeof *plan);
    for (size_t k = 0; k < s.nn; k++) {
      size_t e = s.tarc[k];
      if (e >= s.narc) {
        if (!s.art_up[e - s.narc]) artflow += s.flow[e];
        continue;
      }
      if (plan) plan[e] = s.flow[e];
      double x = s.flow[e] * cost[e], t = sum + x;
      comp += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
      sum = t;
    }
    *total = sum + comp;
    if (!(artflow <= 1e-12)) st = MFH_EINTERNAL;
  }
  ns_free(&s);
  if (st == MFH_ESOLVER)
    return mfh_err_set(err, st, "transport: no convergence after %zu pivots (%zu x %zu)", limit,
                       na, nb);
  if (st != MFH_OK)
    return mfh_err_set(err, st, "transport: internal error in the network simplex (%zu x %zu)",
                       na, nb);
  return MFH_OK;
}

int mfh_transport_solve(size_t na, const double *a, size_t nb, const double *b,
                        const double *cost, double *total, mfh_err *err) {
  return mfh_transport_solve_plan(na, a, nb, b, cost, NULL, total, err);
}
