/* Linear assignment by shortest augmenting paths (Jonker-Volgenant 1987).
 *
 * Dual variables: v[j] (column prices); the row duals are implicit,
 * u[i] = c[i][x[i]] - v[x[i]].  Invariant kept by every phase: an assigned
 * row's column has the smallest reduced cost c[i][j] - v[j] of its row
 * (over the columns that phase looks at).  With it, each augmentation is a
 * Dijkstra search on non-negative reduced costs, and when every row is
 * assigned, (u, v) is dual feasible and complementary: the matching is
 * optimal (LP duality).
 *
 * Small n (< SPARSE_MIN_N): plain LAPJV - column reduction, reduction
 * transfer, two passes of augmenting row reduction, then one dense
 * Dijkstra per row still free.
 *
 * Larger n: a sparse warm start with column generation, then the dense
 * augmentation for whatever is left.  Candidate edges start as each row's
 * K_ROW cheapest columns and each column's K_COL cheapest rows; prices
 * start at the column minima.  Each round augments the free rows by a
 * heap-based Dijkstra over candidate edges only (the invariant holds over
 * candidate edges), then checks every row against the FULL matrix: a row
 * whose column is beaten by some other column (or a row left free) gets
 * its K_ADD best non-candidate columns as new edges and is freed.  When a
 * check adds nothing, every assigned row satisfies the invariant over all
 * columns; the rows still free then get the dense LAPJV augmentation,
 * which sees every column.  The final matching is thus certified exactly
 * as dense LAPJV's is; the sparse rounds only supply a warm start.  For
 * points in the plane this brings ~n^2.5 down to close to the n^2 cost of
 * reading the matrix.
 *
 * Floating-point safety: the augmenting row reduction only re-processes a
 * row at once when a price strictly decreased and at most a bounded number
 * of times per pass, so it always terminates; each Dijkstra scans every
 * column at most once. */
#include "metrics/assignment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)
#define SPARSE_MIN_N 64
#define K_ROW 16
#define K_COL 6
#define K_ADD 16
#define MAX_ROUNDS 12

typedef struct lap_ws {
  size_t *colsol, *freel, *collist, *pred, *argmin;
  double *v, *d;
} lap_ws;

static void ws_free(lap_ws *w) {
  free(w->colsol);
  free(w->freel);
  free(w->collist);
  free(w->pred);
  free(w->argmin);
  free(w->v);
  free(w->d);
}

static int ws_alloc(lap_ws *w, size_t n) {
  w->colsol = malloc(n * sizeof *w->colsol);
  w->freel = malloc(n * sizeof *w->freel);
  w->collist = malloc(n * sizeof *w->collist);
  w->pred = malloc(n * sizeof *w->pred);
  w->argmin = malloc(n * sizeof *w->argmin);
  w->v = malloc(n * sizeof *w->v);
  w->d = malloc(n * sizeof *w->d);
  if (!w->colsol || !w->freel || !w->collist || !w->pred || !w->argmin || !w->v || !w->d) {
    ws_free(w);
    return MFH_ENOMEM;
  }
  return MFH_OK;
}

/* Flip the alternating path ending at column endofpath back to freerow. */
static void flip_path(size_t *rowsol, size_t *colsol, const size_t *pred, size_t endofpath,
                      size_t freerow) {
  for (;;) {
    size_t i = pred[endofpath];
    colsol[endofpath] = i;
    size_t jn = rowsol[i];
    rowsol[i] = endofpath;
    if (i == freerow) break;
    endofpath = jn;
  }
}

/* ---- dense LAPJV phases -------------------------------------------------- */

/* Column reduction and reduction transfer; returns the number of free rows
 * (listed in w->freel).  The column minima are found row by row so the
 * matrix is read in memory order. */
static size_t column_reduction(size_t n, const double *c, size_t *rowsol, lap_ws *w) {
  double *v = w->v;
  size_t *colsol = w->colsol, *imin = w->argmin, *matches = w->pred, *freel = w->freel;
  for (size_t j = 0; j < n; j++) {
    v[j] = c[j];
    imin[j] = 0;
  }
  for (size_t i = 1; i < n; i++) {
    const double *ci = c + i * n;
    for (size_t j = 0; j < n; j++)
      if (ci[j] < v[j]) {
        v[j] = ci[j];
        imin[j] = i;
      }
  }
  for (size_t i = 0; i < n; i++) {
    matches[i] = 0;
    rowsol[i] = NONE;
  }
  for (size_t jj = n; jj-- > 0;) {
    size_t i = imin[jj];
    if (++matches[i] == 1) {
      rowsol[i] = jj;
      colsol[jj] = i;
    } else if (v[jj] < v[rowsol[i]]) {
      size_t j1 = rowsol[i];
      rowsol[i] = jj;
      colsol[jj] = i;
      colsol[j1] = NONE;
    } else {
      colsol[jj] = NONE;
    }
  }
  size_t nfree = 0;
  for (size_t i = 0; i < n; i++) {
    if (matches[i] == 0) {
      freel[nfree++] = i;
    } else if (matches[i] == 1) {
      /* reduction transfer: lower the price of the row's column to its
       * second-smallest reduced cost */
      const double *ci = c + i * n;
      size_t j1 = rowsol[i];
      double min = INFINITY;
      for (size_t j = 0; j < n; j++)
        if (j != j1 && ci[j] - v[j] < min) min = ci[j] - v[j];
      v[j1] -= min;
    }
  }
  return nfree;
}

/* One pass of augmenting row reduction over the free list; returns the new
 * number of free rows. */
static size_t row_reduction_pass(size_t n, const double *c, size_t *rowsol, lap_ws *w,
                                 size_t nfree_in) {
  double *v = w->v;
  size_t *colsol = w->colsol, *freel = w->freel;
  size_t k = 0, nfree = 0, budget = 8 * n + 64;
  while (k < nfree_in) {
    size_t i = freel[k++];
    const double *ci = c + i * n;
    double umin = ci[0] - v[0], usub = INFINITY;
    size_t j1 = 0, j2 = 0;
    for (size_t j = 1; j < n; j++) {
      double h = ci[j] - v[j];
      if (h < usub) {
        if (h >= umin) {
          usub = h;
          j2 = j;
        } else {
          usub = umin;
          umin = h;
          j2 = j1;
          j1 = j;
        }
      }
    }
    size_t i0 = colsol[j1];
    int lowered = 0;
    if (umin < usub) {
      double nv = v[j1] - (usub - umin);
      if (nv < v[j1]) {
        v[j1] = nv;
        lowered = 1;
      }
    } else if (i0 != NONE) {
      /* tie: take the second column instead of evicting at no gain */
      j1 = j2;
      i0 = colsol[j2];
    }
    rowsol[i] = j1;
    colsol[j1] = i;
    if (i0 != NONE) {
      rowsol[i0] = NONE;
      if (lowered && budget > 0) {
        budget--;
        freel[--k] = i0; /* process the evicted row right away */
      } else {
        freel[nfree++] = i0;
      }
    }
  }
  return nfree;
}

/* Dense Dijkstra shortest augmenting path from freerow (LAPJV augment):
 * updates prices and flips the assignment along the path.  Requires the
 * invariant over all columns for every assigned row. */
static void augment(size_t n, const double *c, size_t *rowsol, lap_ws *w, size_t freerow) {
  double *v = w->v, *d = w->d;
  size_t *colsol = w->colsol, *collist = w->collist, *pred = w->pred;
  const double *cf = c + freerow * n;
  for (size_t j = 0; j < n; j++) {
    d[j] = cf[j] - v[j];
    pred[j] = freerow;
    collist[j] = j;
  }
  /* collist[0..low) scanned, [low..up) at distance min (to scan),
   * [up..n) not reached yet */
  size_t low = 0, up = 0, last = 0, endofpath = NONE;
  double min = 0.0;
  while (endofpath == NONE) {
    if (up == low) {
      last = low;
      min = d[collist[up++]];
      for (size_t k = up; k < n; k++) {
        size_t j = collist[k];
        double h = d[j];
        if (h <= min) {
          if (h < min) {
            up = low;
            min = h;
          }
          collist[k] = collist[up];
          collist[up++] = j;
        }
      }
      for (size_t k = low; k < up; k++)
        if (colsol[collist[k]] == NONE) {
          endofpath = collist[k];
          break;
        }
      if (endofpath != NONE) break;
    }
    size_t j1 = collist[low++];
    size_t i = colsol[j1];
    const double *ci = c + i * n;
    double h = ci[j1] - v[j1] - min;
    for (size_t k = up; k < n; k++) {
      size_t j = collist[k];
      double v2 = ci[j] - v[j] - h;
      if (v2 < d[j]) {
        pred[j] = i;
        d[j] = v2;
        if (v2 <= min) {
          if (colsol[j] == NONE) {
            endofpath = j;
            break;
          }
          collist[k] = collist[up];
          collist[up++] = j;
        }
      }
    }
  }
  for (size_t k = 0; k < last; k++) {
    size_t j = collist[k];
    v[j] += d[j] - min;
  }
  flip_path(rowsol, colsol, pred, endofpath, freerow);
}

/* ---- sparse warm start ---------------------------------------------------- */

typedef struct sp_ws {
  size_t *rp, *rend, *cj;  /* candidate columns of row i: cj[rp[i] .. rend[i]) */
  size_t *heap, *pos, *touched;
  unsigned char *state;    /* per column: 0 untouched, 1 in heap, 2 scanned */
} sp_ws;

static void sp_free(sp_ws *s) {
  free(s->rp);
  free(s->rend);
  free(s->cj);
  free(s->heap);
  free(s->pos);
  free(s->touched);
  free(s->state);
}

/* Max-heap of k (key, index) pairs: sift the root down. */
static void kheap_down(double *key, size_t *idx, size_t k) {
  size_t p = 0;
  for (;;) {
    size_t l = 2 * p + 1, r = l + 1, m = p;
    if (l < k && key[l] > key[m]) m = l;
    if (r < k && key[r] > key[m]) m = r;
    if (m == p) return;
    double tk = key[p];
    key[p] = key[m];
    key[m] = tk;
    size_t ti = idx[p];
    idx[p] = idx[m];
    idx[m] = ti;
    p = m;
  }
}

static void kheap_up(double *key, size_t *idx, size_t p) {
  while (p > 0) {
    size_t q = (p - 1) / 2;
    if (key[q] >= key[p]) return;
    double tk = key[p];
    key[p] = key[q];
    key[q] = tk;
    size_t ti = idx[p];
    idx[p] = idx[q];
    idx[q] = ti;
    p = q;
  }
}

/* Build the candidate graph (one pass over the matrix) and set v to the
 * column minima.  Returns MFH_OK or MFH_ENOMEM. */
static int build_candidates(size_t n, const double *c, lap_ws *w, sp_ws *s) {
  size_t kr = K_ROW < n ? K_ROW : n, kc = K_COL < n ? K_COL : n;
  double *rkey = malloc(kr * sizeof *rkey), *ckey = malloc(n * kc * sizeof *ckey);
  size_t *ridx = malloc(n * kr * sizeof *ridx), *cidx = malloc(n * kc * sizeof *cidx);
  size_t *ccnt = calloc(n, sizeof *ccnt), *cnt = calloc(n + 1, sizeof *cnt);
  size_t *mark = malloc(n * sizeof *mark);
  int st = MFH_ENOMEM;
  if (!rkey || !ckey || !ridx || !cidx || !ccnt || !cnt || !mark) goto done;
  double *v = w->v;
  for (size_t j = 0; j < n; j++) v[j] = INFINITY;
  for (size_t i = 0; i < n; i++) {
    const double *ci = c + i * n;
    size_t *ri = ridx + i * kr, m = 0;
    for (size_t j = 0; j < n; j++) {
      double x = ci[j];
      if (x < v[j]) v[j] = x;
      if (m < kr) {
        rkey[m] = x;
        ri[m] = j;
        kheap_up(rkey, ri, m++);
      } else if (x < rkey[0]) {
        rkey[0] = x;
        ri[0] = j;
        kheap_down(rkey, ri, kr);
      }
      double *ck = ckey + j * kc;
      size_t *cx = cidx + j * kc;
      if (ccnt[j] < kc) {
        ck[ccnt[j]] = x;
        cx[ccnt[j]] = i;
        kheap_up(ck, cx, ccnt[j]++);
      } else if (x < ck[0]) {
        ck[0] = x;
        cx[0] = i;
        kheap_down(ck, cx, kc);
      }
    }
  }
  /* rows' capacities: own K_ROW + column picks naming the row */
  for (size_t i = 0; i < n; i++) cnt[i + 1] = kr;
  for (size_t t = 0; t < n * kc; t++) cnt[cidx[t] + 1]++;
  for (size_t i = 0; i < n; i++) cnt[i + 1] += cnt[i];
  s->rp = malloc(n * sizeof *s->rp);
  s->rend = malloc(n * sizeof *s->rend);
  s->cj = malloc(cnt[n] * sizeof *s->cj);
  if (!s->rp || !s->rend || !s->cj) goto done;
  for (size_t i = 0; i < n; i++) {
    s->rp[i] = s->rend[i] = cnt[i];
    mark[i] = NONE;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t t = 0; t < kr; t++) s->cj[s->rend[i]++] = ridx[i * kr + t];
  for (size_t j = 0; j < n; j++)
    for (size_t t = 0; t < kc; t++) s->cj[s->rend[cidx[j * kc + t]]++] = j;
  /* drop duplicates within each row */
  for (size_t i = 0; i < n; i++) {
    size_t out = s->rp[i];
    for (size_t e = s->rp[i]; e < s->rend[i]; e++) {
      size_t j = s->cj[e];
      if (mark[j] == i) continue;
      mark[j] = i;
      s->cj[out++] = j;
    }
    s->rend[i] = out;
  }
  s->heap = malloc(n * sizeof *s->heap);
  s->pos = malloc(n * sizeof *s->pos);
  s->touched = malloc(n * sizeof *s->touched);
  s->state = calloc(n, 1);
  if (s->heap && s->pos && s->touched && s->state) st = MFH_OK;
done:
  free(rkey);
  free(ckey);
  free(ridx);
  free(cidx);
  free(ccnt);
  free(cnt);
  free(mark);
  return st;
}

/* Indexed binary min-heap of columns keyed by d. */
static void heap_up(sp_ws *s, const double *d, size_t p) {
  size_t j = s->heap[p];
  while (p > 0) {
    size_t q = (p - 1) / 2;
    if (d[s->heap[q]] <= d[j]) break;
    s->heap[p] = s->heap[q];
    s->pos[s->heap[p]] = p;
    p = q;
  }
  s->heap[p] = j;
  s->pos[j] = p;
}

static void heap_down(sp_ws *s, const double *d, size_t p, size_t size) {
  size_t j = s->heap[p];
  for (;;) {
    size_t l = 2 * p + 1, m = l;
    if (l >= size) break;
    if (l + 1 < size && d[s->heap[l + 1]] < d[s->heap[l]]) m = l + 1;
    if (d[s->heap[m]] >= d[j]) break;
    s->heap[p] = s->heap[m];
    s->pos[s->heap[p]] = p;
    p = m;
  }
  s->heap[p] = j;
  s->pos[j] = p;
}

/* Dijkstra over candidate edges from freerow; returns 1 when it augmented,
 * 0 when no free column is reachable through candidate edges (then nothing
 * changed). */
static int sparse_augment(size_t n, const double *c, size_t *rowsol, lap_ws *w, sp_ws *s,
                          size_t freerow) {
  double *v = w->v, *d = w->d;
  size_t *colsol = w->colsol, *pred = w->pred;
  size_t hsize = 0, nt = 0, endofpath = NONE, i = freerow;
  double dist = 0.0, ui = 0.0;
  for (;;) {
    const double *ci = c + i * n;
    for (size_t e = s->rp[i]; e < s->rend[i]; e++) {
      size_t j = s->cj[e];
      if (s->state[j] == 2) continue;
      double nd = dist + (ci[j] - v[j] - ui);
      if (s->state[j] == 0) {
        s->state[j] = 1;
        s->touched[nt++] = j;
        d[j] = nd;
        pred[j] = i;
        s->heap[hsize] = j;
        heap_up(s, d, hsize++);
      } else if (nd < d[j]) {
        d[j] = nd;
        pred[j] = i;
        heap_up(s, d, s->pos[j]);
      }
    }
    if (hsize == 0) break;
    size_t j1 = s->heap[0];
    if (--hsize > 0) {
      s->heap[0] = s->heap[hsize];
      heap_down(s, d, 0, hsize);
    }
    s->state[j1] = 2;
    dist = d[j1];
    if (colsol[j1] == NONE) {
      endofpath = j1;
      break;
    }
    i = colsol[j1];
    ui = c[i * n + j1] - v[j1];
  }
  if (endofpath != NONE) {
    for (size_t t = 0; t < nt; t++) {
      size_t j = s->touched[t];
      if (s->state[j] == 2) v[j] += d[j] - dist;
    }
    flip_path(rowsol, colsol, pred, endofpath, freerow);
  }
  for (size_t t = 0; t < nt; t++) s->state[s->touched[t]] = 0;
  return endofpath != NONE;
}

/* Append up to K_ADD new candidate edges per row (rows listed in addr[],
 * columns in addc[]) by rebuilding the CSR arrays.  MFH_OK or MFH_ENOMEM. */
static int add_edges(size_t n, sp_ws *s, const size_t *addr, const size_t *addc, size_t nadd) {
  size_t *rp = malloc(n * sizeof *rp), *rend = malloc(n * sizeof *rend);
  size_t *extra = calloc(n, sizeof *extra);
  size_t *cj = NULL;
  if (!rp || !rend || !extra) goto fail;
  for (size_t t = 0; t < nadd; t++) extra[addr[t]]++;
  size_t tot = 0;
  for (size_t i = 0; i < n; i++) tot += s->rend[i] - s->rp[i] + extra[i];
  cj = malloc((tot ? tot : 1) * sizeof *cj);
  if (!cj) goto fail;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    rp[i] = o;
    for (size_t e = s->rp[i]; e < s->rend[i]; e++) cj[o++] = s->cj[e];
    rend[i] = o;
    o += extra[i];
  }
  for (size_t t = 0; t < nadd; t++) cj[rend[addr[t]]++] = addc[t];
  free(s->rp);
  free(s->rend);
  free(s->cj);
  free(extra);
  s->rp = rp;
  s->rend = rend;
  s->cj = cj;
  return MFH_OK;
fail:
  free(rp);
  free(rend);
  free(extra);
  free(cj);
  return MFH_ENOMEM;
}

/* Sparse phase with column generation.  Each round augments the free rows
 * over the candidate edges, then checks every row against the full matrix:
 * an assigned row with a column of smaller reduced cost than its own, or a
 * free row, gets its K_ADD smallest-reduced-cost non-candidate columns as
 * new edges (and an assigned one is freed).  Stops when a check finds
 * nothing to add, or after MAX_ROUNDS.  On return w->freel lists the rows
 * left for the dense augmentation; every assigned row satisfies the
 * invariant over all columns (the last step is always a full check).
 * Returns the number of free rows, or NONE when out of memory. */
static size_t sparse_start(size_t n, const double *c, size_t *rowsol, lap_ws *w) {
  sp_ws s = {0};
  size_t *addr = malloc(n * K_ADD * sizeof *addr), *addc = malloc(n * K_ADD * sizeof *addc);
  size_t *mark = malloc(n * sizeof *mark), *kidx = malloc(K_ADD * sizeof *kidx);
  double *kkey = malloc(K_ADD * sizeof *kkey);
  size_t nfree = NONE;
  if (!addr || !addc || !mark || !kidx || !kkey || build_candidates(n, c, w, &s) != MFH_OK)
    goto done;
  double *v = w->v;
  size_t *colsol = w->colsol, *freel = w->freel;
  for (size_t j = 0; j < n; j++) {
    colsol[j] = NONE;
    mark[j] = NONE;
  }
  for (size_t i = 0; i < n; i++) {
    rowsol[i] = NONE;
    freel[i] = i;
  }
  nfree = n;
  for (int round = 0; round < MAX_ROUNDS; round++) {
    size_t kept = 0;
    for (size_t f = 0; f < nfree; f++)
      if (!sparse_augment(n, c, rowsol, w, &s, freel[f])) freel[kept++] = freel[f];
    nfree = kept;
    size_t nadd = 0;
    for (size_t i = 0; i < n; i++) {
      const double *ci = c + i * n;
      size_t x = rowsol[i], m = 0;
      double thr = x == NONE ? INFINITY : ci[x] - v[x];
      for (size_t e = s.rp[i]; e < s.rend[i]; e++) mark[s.cj[e]] = i;
      for (size_t j = 0; j < n; j++) {
        double r = ci[j] - v[j];
        if (!(r < thr) || mark[j] == i) continue;
        if (m < K_ADD) {
          kkey[m] = r;
          kidx[m] = j;
          kheap_up(kkey, kidx, m++);
          if (m == K_ADD && x == NONE) thr = kkey[0];
        } else if (r < kkey[0]) {
          kkey[0] = r;
          kidx[0] = j;
          kheap_down(kkey, kidx, K_ADD);
          if (x == NONE) thr = kkey[0];
        }
      }
      if (m == 0) continue;
      for (size_t t = 0; t < m; t++) {
        addr[nadd] = i;
        addc[nadd++] = kidx[t];
      }
      if (x != NONE) {
        colsol[x] = NONE;
        rowsol[i] = NONE;
        freel[nfree++] = i;
      }
    }
    if (nadd == 0) break;
    if (add_edges(n, &s, addr, addc, nadd) != MFH_OK) {
      nfree = NONE;
      goto done;
    }
  }
done:
  sp_free(&s);
  free(addr);
  free(addc);
  free(mark);
  free(kidx);
  free(kkey);
  return nfree;
}

/* ---- entry point ------------------------------------------------------------ */

int mfh_assignment_solve(size_t n, const double *cost, size_t *match, double *total,
                         mfh_err *err) {
  if (n > 0 && (!cost || !match))
    return mfh_err_set(err, MFH_EINPUT, "assignment: NULL cost or match array");
  if (n > 0 && n > ((size_t)-1 / sizeof(double)) / n)
    return mfh_err_set(err, MFH_EINPUT, "assignment: n = %zu is too large", n);
  for (size_t k = 0; k < n * n; k++)
    if (!isfinite(cost[k]))
      return mfh_err_set(err, MFH_EINPUT, "assignment: cost[%zu][%zu] is not finite (%g)",
                         k / n, k % n, cost[k]);
  if (n == 0) {
    if (total) *total = 0.0;
    return MFH_OK;
  }
  if (n == 1) {
    match[0] = 0;
    if (total) *total = cost[0];
    return MFH_OK;
  }
  lap_ws w;
  if (ws_alloc(&w, n) != MFH_OK)
    return mfh_err_set(err, MFH_ENOMEM, "assignment: out of memory (n = %zu)", n);
  size_t nfree;
  if (n >= SPARSE_MIN_N) {
    nfree = sparse_start(n, cost, match, &w);
    if (nfree == NONE) {
      ws_free(&w);
      return mfh_err_set(err, MFH_ENOMEM, "assignment: out of memory (n = %zu)", n);
    }
  } else {
    nfree = column_reduction(n, cost, match, &w);
    for (int pass = 0; pass < 2 && nfree > 0; pass++)
      nfree = row_reduction_pass(n, cost, match, &w, nfree);
  }
  for (size_t f = 0; f < nfree; f++) augment(n, cost, match, &w, w.freel[f]);
  ws_free(&w);
  if (total) {
    double s = 0.0, comp = 0.0; /* Neumaier summation */
    for (size_t i = 0; i < n; i++) {
      double x = cost[i * n + match[i]], t = s + x;
      comp += fabs(s) >= fabs(x) ? (s - t) + x : (x - t) + s;
      s = t;
    }
    *total = s + comp;
  }
  return MFH_OK;
}
