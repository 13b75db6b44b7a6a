/* Transportation problem by primal network simplex.
 *
 * Graph: supply nodes 0..na-1, demand nodes na..na+nb-1, root na+nb.
 * Real arcs e = i*nb + j (supply i -> demand na+j, cost[e], uncapacitated);
 * artificial arc narc + u joins node u with the root: u -> root (cost 0)
 * when u has supply >= 0, root -> u (cost ART) otherwise.  ART exceeds
 * every real cost, which is enough for the optimum to carry no artificial
 * flow (rerouting s -> root -> d through s -> d saves ART - cost_sd > 0).
 *
 * Potentials pi follow LEMON's sign: reduced cost c_e + pi[src] - pi[tgt].
 * The spanning tree is stored as a list of its arcs; after each pivot the
 * parent/depth/potential arrays are rebuilt from scratch by one traversal
 * (O(nodes) per pivot, no drift in the potentials).  The tree is strongly
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
  size_t *tarc;         /* nn tree arcs */
  size_t *parent, *pred, *depth, *off, *adj, *stack; /* nn + 1 (adj: 2 nn) */
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
  free(s->parent);
  free(s->pred);
  free(s->depth);
  free(s->off);
  free(s->adj);
  free(s->stack);
  free(s->dir);
  free(s->pi);
}

static int ns_alloc(ns *s) {
  size_t all = s->narc + s->nn, nodes = s->nn + 1;
  s->lower = malloc(all);
  s->art_up = malloc(s->nn);
  s->flow = calloc(all, sizeof *s->flow);
  s->tarc = malloc(s->nn * sizeof *s->tarc);
  s->parent = malloc(nodes * sizeof *s->parent);
  s->pred = malloc(nodes * sizeof *s->pred);
  s->depth = malloc(nodes * sizeof *s->depth);
  s->off = malloc((nodes + 1) * sizeof *s->off);
  s->adj = malloc(2 * s->nn * sizeof *s->adj);
  s->stack = malloc(nodes * sizeof *s->stack);
  s->dir = malloc(nodes);
  s->pi = malloc(nodes * sizeof *s->pi);
  if (!s->lower || !s->art_up || !s->flow || !s->tarc || !s->parent || !s->pred ||
      !s->depth || !s->off || !s->adj || !s->stack || !s->dir || !s->pi)
    return MFH_ENOMEM;
  return MFH_OK;
}

/* Rebuild parent, pred, dir, depth and pi from the tree arc list.
 * Returns 0, or MFH_EINTERNAL when the arcs do not form a spanning tree. */
static int rebuild(ns *s) {
  size_t nodes = s->nn + 1;
  memset(s->off, 0, (nodes + 1) * sizeof *s->off);
  for (size_t k = 0; k < s->nn; k++) {
    s->off[arc_src(s, s->tarc[k]) + 1]++;
    s->off[arc_tgt(s, s->tarc[k]) + 1]++;
  }
  for (size_t u = 0; u < nodes; u++) s->off[u + 1] += s->off[u];
  /* fill with depth[] as a cursor */
  for (size_t u = 0; u < nodes; u++) s->depth[u] = s->off[u];
  for (size_t k = 0; k < s->nn; k++) {
    size_t e = s->tarc[k];
    s->adj[s->depth[arc_src(s, e)]++] = e;
    s->adj[s->depth[arc_tgt(s, e)]++] = e;
  }
  for (size_t u = 0; u < nodes; u++) s->parent[u] = NONE;
  size_t top = 0, seen = 1;
  s->stack[top++] = s->root;
  s->pred[s->root] = NONE;
  s->depth[s->root] = 0;
  s->pi[s->root] = 0.0;
  s->dir[s->root] = 0;
  while (top > 0) {
    size_t u = s->stack[--top];
    for (size_t k = s->off[u]; k < s->off[u + 1]; k++) {
      size_t e = s->adj[k];
      if (e == s->pred[u]) continue;
      size_t src = arc_src(s, e), w = src == u ? arc_tgt(s, e) : src;
      if (w == s->root || s->parent[w] != NONE) return MFH_EINTERNAL;
      s->parent[w] = u;
      s->pred[w] = e;
      s->depth[w] = s->depth[u] + 1;
      if (src == w) {
        s->dir[w] = DIR_UP;
        s->pi[w] = s->pi[u] - arc_cost(s, e);
      } else {
        s->dir[w] = DIR_DOWN;
        s->pi[w] = s->pi[u] + arc_cost(s, e);
      }
      s->stack[top++] = w;
      seen++;
    }
  }
  return seen == nodes ? MFH_OK : MFH_EINTERNAL;
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
  size_t u = first, v = second;
  while (u != v) {
    if (s->depth[u] >= s->depth[v])
      u = s->parent[u];
    else
      v = s->parent[v];
  }
  size_t join = u;
  /* Flow goes first -> second (entering arc), second up to join, join down
   * to first.  Blocking arcs are those whose flow decreases. */
  double delta = INFINITY;
  size_t uout = NONE;
  for (u = first; u != join; u = s->parent[u])
    if (s->dir[u] == DIR_UP && s->flow[s->pred[u]] < delta) {
      delta = s->flow[s->pred[u]];
      uout = u;
    }
  for (u = second; u != join; u = s->parent[u])
    if (s->dir[u] == DIR_DOWN && s->flow[s->pred[u]] <= delta) {
      delta = s->flow[s->pred[u]];
      uout = u;
    }
  if (uout == NONE) return MFH_EINTERNAL; /* unbounded: impossible here */
  if (delta > 0) {
    s->flow[ein] += delta;
    for (u = first; u != join; u = s->parent[u])
      s->flow[s->pred[u]] -= s->dir[u] * delta;
    for (u = second; u != join; u = s->parent[u])
      s->flow[s->pred[u]] += s->dir[u] * delta;
  }
  size_t eout = s->pred[uout];
  s->flow[eout] = 0.0;
  s->lower[eout] = 1;
  s->lower[ein] = 0;
  for (size_t k = 0; k < s->nn; k++)
    if (s->tarc[k] == eout) {
      s->tarc[k] = ein;
      return rebuild(s);
    }
  return MFH_EINTERNAL;
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
  s.art = cmax + (range > 0 ? range : (mag > 0 ? mag : 1.0));
  s.tol = 64.0 * DBL_EPSILON * fmax(mag, fabs(s.art));
  s.block = (size_t)ceil(sqrt((double)s.narc));
  if (s.block < 10) s.block = 10;
  s.next = 0;
  if (ns_alloc(&s) != MFH_OK) {
    ns_free(&s);
    return mfh_err_set(err, MFH_ENOMEM, "transport: out of memory (%zu x %zu)", na, nb);
  }
  memset(s.lower, 1, s.narc);
  for (size_t u = 0; u < s.nn; u++) {
    double supply = u < na ? a[u] / sa : -(b[u - na] / sb);
    size_t e = s.narc + u;
    s.art_up[u] = supply >= 0;
    s.flow[e] = fabs(supply);
    s.lower[e] = 0;
    s.tarc[u] = e;
  }
  st = rebuild(&s);
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
