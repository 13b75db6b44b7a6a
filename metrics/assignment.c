/* Linear assignment by Jonker-Volgenant (LAPJV, 1987).
 *
 * Dual variables: v[j] (column prices); the row duals are implicit,
 * u[i] = c[i][x[i]] - v[x[i]].  Invariant kept by every phase: an assigned
 * row's column has the smallest reduced cost c[i][j] - v[j] of its row.
 * Phases: column reduction, reduction transfer, two passes of augmenting
 * row reduction (auction-like), then one Dijkstra shortest augmenting path
 * per row still free.  Floating-point safety: the augmenting row reduction
 * only re-processes a row at once when a price strictly decreased and at
 * most a bounded number of times per pass, so it always terminates; the
 * augmentation phase scans every column at most once per free row. */
#include "metrics/assignment.h"

#include <math.h>
#include <stdlib.h>

#define NONE ((size_t)-1)

typedef struct lap_ws {
  size_t *colsol, *freel, *collist, *pred, *argmin;
  double *v, *d, *vk;
} lap_ws;

static void ws_free(lap_ws *w) {
  free(w->colsol);
  free(w->freel);
  free(w->collist);
  free(w->pred);
  free(w->argmin);
  free(w->v);
  free(w->d);
  free(w->vk);
}

static int ws_alloc(lap_ws *w, size_t n) {
  w->colsol = malloc(n * sizeof *w->colsol);
  w->freel = malloc(n * sizeof *w->freel);
  w->collist = malloc(n * sizeof *w->collist);
  w->pred = malloc(n * sizeof *w->pred);
  w->argmin = malloc(n * sizeof *w->argmin);
  w->v = malloc(n * sizeof *w->v);
  w->d = malloc(n * sizeof *w->d);
  w->vk = malloc(n * sizeof *w->vk);
  if (!w->colsol || !w->freel || !w->collist || !w->pred || !w->argmin || !w->v || !w->d ||
      !w->vk) {
    ws_free(w);
    return MFH_ENOMEM;
  }
  return MFH_OK;
}

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

/* Dijkstra shortest augmenting path from freerow; updates prices and flips
 * the assignment along the path.  The distances d and prices v of the
 * columns are kept in scan-list order (dk[k], vk[k] for column collist[k])
 * so the O(n) inner loops read them sequentially. */
static void augment(size_t n, const double *c, size_t *rowsol, lap_ws *w, size_t freerow) {
  double *v = w->v, *dk = w->d, *vk = w->vk;
  size_t *colsol = w->colsol, *collist = w->collist, *pred = w->pred;
  const double *cf = c + freerow * n;
  for (size_t j = 0; j < n; j++) {
    dk[j] = cf[j] - v[j];
    vk[j] = v[j];
    pred[j] = freerow;
    collist[j] = j;
  }
  /* positions [0..low) scanned, [low..up) at distance min (to scan),
   * [up..n) not reached yet */
  size_t low = 0, up = 0, last = 0, endofpath = NONE;
  double min = 0.0;
#define SWAP_POS(p, q)                                 \
  do {                                                 \
    size_t tj = collist[p];                            \
    double td = dk[p], tv = vk[p];                     \
    collist[p] = collist[q];                           \
    dk[p] = dk[q];                                     \
    vk[p] = vk[q];                                     \
    collist[q] = tj;                                   \
    dk[q] = td;                                        \
    vk[q] = tv;                                        \
  } while (0)
  while (endofpath == NONE) {
    if (up == low) {
      last = low;
      min = dk[up++];
      for (size_t k = up; k < n; k++) {
        double h = dk[k];
        if (h <= min) {
          if (h < min) {
            up = low;
            min = h;
          }
          SWAP_POS(k, up);
          up++;
        }
      }
      for (size_t k = low; k < up; k++)
        if (colsol[collist[k]] == NONE) {
          endofpath = collist[k];
          break;
        }
      if (endofpath != NONE) break;
    }
    size_t j1 = collist[low];
    double h = -vk[low] - dk[low]; /* = -(v[j1] + min) */
    low++;
    size_t i = colsol[j1];
    const double *ci = c + i * n;
    h += ci[j1]; /* c[i][j1] - v[j1] - min */
    for (size_t k = up; k < n; k++) {
      double v2 = ci[collist[k]] - vk[k] - h;
      if (v2 < dk[k]) {
        size_t j = collist[k];
        pred[j] = i;
        dk[k] = v2;
        if (v2 <= min) {
          if (colsol[j] == NONE) {
            endofpath = j;
            break;
          }
          SWAP_POS(k, up);
          up++;
        }
      }
    }
  }
#undef SWAP_POS
  for (size_t k = 0; k < last; k++) v[collist[k]] += dk[k] - min;
  for (;;) {
    size_t i = pred[endofpath];
    colsol[endofpath] = i;
    size_t jn = rowsol[i];
    rowsol[i] = endofpath;
    if (i == freerow) break;
    endofpath = jn;
  }
}

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
  size_t nfree = column_reduction(n, cost, match, &w);
  for (int pass = 0; pass < 2 && nfree > 0; pass++)
    nfree = row_reduction_pass(n, cost, match, &w, nfree);
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
