/* N-body Newton dynamics (see nbody.h).
 *
 * Layout: struct of arrays, x[i][j] = component i of particle j, each
 * component a 64-byte aligned array padded to a multiple of LANES.
 *
 * Force kernel (Gaussian): the N(N-1)/2 pairs are cut into TILE x TILE
 * tiles (blocks of particle indices).  A tile (I, J), I < J, adds each pair
 * force to the row particle (j in I, through LANES lane accumulators summed
 * pairwise at the end of the row) and subtracts it from the column particle
 * (k in J, element-wise).  Diagonal tiles (I, I) do the pairs j < k inside
 * the block.  Off-diagonal tiles are scheduled by the circle method
 * (round-robin tournament on the blocks): within one round every block
 * appears in exactly one tile, so the tiles of a round run in parallel
 * without write conflicts, and each particle receives its contributions in
 * the round order, which depends on N only.  Hence bit-identical results for
 * any thread count; and since every lane operation is an IEEE operation on
 * one element, for any vector width.  The pair force is evaluated once per
 * pair (half the exp calls of a row-by-row sum), and a tile's two blocks
 * (2 x 256 particles) stay in L1.  Off-diagonal tiles take their rows two at
 * a time with the two exp chains interleaved in the source (the kernel is
 * bound by latency, and GCC does not schedule across the chains at -O2);
 * the column updates keep the row-by-row order, so this changes no bit.
 * The exponential is mfh_vm_exp2 with 1/(2 s^2) and log2(e) folded into
 * one constant. */
#include "engines/particles/nbody.h"
#include "engines/clones.h"
#include "engines/tiles.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engines/particles/vmath.h"

#define LANES MFH_LANES
#define TILE 256
#define ALIGN 64
#define TWO_PI 6.283185307179586476925286766559
/* Work below this many pair evaluations stays on one thread. */
#define PAR_MIN_PAIRS 32768.0

#if defined(__GNUC__)
#define MFH_INLINE static inline __attribute__((always_inline))
#else
#define MFH_INLINE static inline
#endif

enum cache_kind { CACHE_NONE = 0, CACHE_PAIR, CACHE_FIELD };
enum force_kind { FORCE_PAIR, FORCE_FIELD, FORCE_RBM };

struct mfh_nbody {
  size_t n, npad;
  int dim, nthreads;
  mfh_potential pot;
  double coupling;
  int torus;           /* pot.L > 0 */
  double L, inv_L;     /* period and 1/L (torus only) */
  double *x[3], *v[3], *acc[3];
  double *cs[3], *sn[3]; /* cosine: cos and sin of 2 pi x / L; also scratch */
  double *mem;         /* the one block behind all arrays above */
  size_t *perm;        /* random-batch permutation */
  int have_perm;
  int cache;           /* enum cache_kind: what acc holds */
  mfh_field_fn cache_fn;
  void *cache_ctx;
  double cache_t;
};

/* ---- integrators --------------------------------------------------------- */

/* A kick-drift-...-kick composition: kicks b[0..stages], drifts a[0..stages-1],
 * kick i at time t + c[i] dt (c[0] = 0, c[stages] = 1). */
typedef struct scheme {
  int stages;
  double b[4], a[3], c[4];
} scheme;

/* Yoshida (1990): w1 = 1/(2 - 2^{1/3}), w0 = 1 - 2 w1 (exact in double, so
 * the drifts sum to exactly 1). */
#define Y_W1 0x1.59e8b6eb96338p+0
#define Y_W0 (1.0 - 2.0 * Y_W1)

static const scheme scheme_verlet = {1, {0.5, 0.5}, {1.0}, {0.0, 1.0}};
static const scheme scheme_yoshida4 = {3,
                                       {0.5 * Y_W1, 0.5 * (Y_W1 + Y_W0), 0.5 * (Y_W0 + Y_W1),
                                        0.5 * Y_W1},
                                       {Y_W1, Y_W0, Y_W1},
                                       {0.0, Y_W1, Y_W1 + Y_W0, 1.0}};

static const scheme *scheme_of(int method) {
  switch (method) {
  case MFH_NBODY_VERLET: return &scheme_verlet;
  case MFH_NBODY_YOSHIDA4: return &scheme_yoshida4;
  default: return NULL;
  }
}

/* ---- create / destroy / accessors --------------------------------------- */

int mfh_nbody_create(size_t n, int dim, const mfh_potential *pot, double coupling,
                     mfh_nbody **out, mfh_err *err) {
  mfh_nbody *s = NULL;
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "nbody: NULL output pointer");
  *out = NULL;
  if (n == 0) return mfh_err_set(err, MFH_EINPUT, "nbody: N = 0: need at least one particle");
  if (n > ((size_t)1 << 40))
    return mfh_err_set(err, MFH_EINPUT, "nbody: N = %zu: too many particles", n);
  if (dim < 1 || dim > 3)
    return mfh_err_set(err, MFH_EINPUT, "nbody: dim = %d: must be 1, 2 or 3", dim);
  if ((st = mfh_potential_check(pot, err)) != MFH_OK) {
    mfh_err_prefix(err, "nbody");
    return st;
  }
  if (pot->dim != dim)
    return mfh_err_set(err, MFH_EINPUT, "nbody: dim = %d but the potential has dim = %d", dim,
                       pot->dim);
  if (!isfinite(coupling))
    return mfh_err_set(err, MFH_EINPUT, "nbody: coupling = %g: must be finite", coupling);

  s = calloc(1, sizeof *s);
  if (!s) goto fail;
  s->n = n;
  s->npad = (n + LANES - 1) / LANES * LANES;
  s->dim = dim;
  s->nthreads = 1;
  s->pot = *pot;
  s->coupling = coupling;
  s->torus = pot->L > 0;
  s->L = pot->L;
  s->inv_L = s->torus ? 1.0 / pot->L : 0.0;
  size_t bytes = 5 * (size_t)dim * s->npad * sizeof(double);
  bytes = (bytes + ALIGN - 1) / ALIGN * ALIGN;
  s->mem = aligned_alloc(ALIGN, bytes);
  s->perm = malloc(n * sizeof *s->perm);
  if (!s->mem || !s->perm) goto fail;
  memset(s->mem, 0, bytes);
  double *p = s->mem;
  for (int i = 0; i < dim; i++) {
    s->x[i] = p, p += s->npad;
    s->v[i] = p, p += s->npad;
    s->acc[i] = p, p += s->npad;
    s->cs[i] = p, p += s->npad;
    s->sn[i] = p, p += s->npad;
  }
  *out = s;
  return MFH_OK;
fail:
  mfh_nbody_destroy(s);
  return mfh_err_set(err, MFH_ENOMEM, "nbody: out of memory for N = %zu particles", n);
}

void mfh_nbody_destroy(mfh_nbody *sys) {
  if (!sys) return;
  free(sys->mem);
  free(sys->perm);
  free(sys);
}

int mfh_nbody_set_threads(mfh_nbody *sys, int nthreads, mfh_err *err) {
  if (nthreads < 1)
    return mfh_err_set(err, MFH_EINPUT, "nbody: threads = %d: must be >= 1", nthreads);
  sys->nthreads = nthreads;
  return MFH_OK;
}

size_t mfh_nbody_size(const mfh_nbody *sys) { return sys->n; }
int mfh_nbody_dim(const mfh_nbody *sys) { return sys->dim; }
double mfh_nbody_coupling(const mfh_nbody *sys) { return sys->coupling; }
const mfh_potential *mfh_nbody_potential(const mfh_nbody *sys) { return &sys->pot; }
const double *mfh_nbody_x(const mfh_nbody *sys, int i) { return sys->x[i]; }
const double *mfh_nbody_v(const mfh_nbody *sys, int i) { return sys->v[i]; }
const double *mfh_nbody_acc(const mfh_nbody *sys, int i) { return sys->acc[i]; }
const size_t *mfh_nbody_rbm_pairing(const mfh_nbody *sys) { return sys->have_perm ? sys->perm : NULL; }

/* y reduced to [0, L). */
static double wrap(double y, double L, double inv_L) {
  y -= L * floor(y * inv_L);
  if (y >= L) y -= L; /* y slightly below 0 (or a multiple of L) rounds up to L */
  if (y < 0) y = 0;
  return y;
}

static int check_finite(const double *a, size_t m, const char *what, mfh_err *err) {
  for (size_t k = 0; k < m; k++)
    if (!isfinite(a[k]))
      return mfh_err_set(err, MFH_EINPUT, "nbody: %s[%zu] = %g: must be finite", what, k, a[k]);
  return MFH_OK;
}

int mfh_nbody_set_positions(mfh_nbody *sys, const double *x, mfh_err *err) {
  size_t n = sys->n;
  int d = sys->dim, st = check_finite(x, n * (size_t)d, "position", err);
  if (st != MFH_OK) return st;
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < d; i++) {
      double y = x[j * (size_t)d + (size_t)i];
      sys->x[i][j] = sys->torus ? wrap(y, sys->L, sys->inv_L) : y;
    }
  sys->cache = CACHE_NONE;
  return MFH_OK;
}

int mfh_nbody_set_velocities(mfh_nbody *sys, const double *v, mfh_err *err) {
  size_t n = sys->n;
  int d = sys->dim, st = check_finite(v, n * (size_t)d, "velocity", err);
  if (st != MFH_OK) return st;
  for (size_t j = 0; j < n; j++)
    for (int i = 0; i < d; i++) sys->v[i][j] = v[j * (size_t)d + (size_t)i];
  return MFH_OK;
}

void mfh_nbody_get_positions(const mfh_nbody *sys, double *x) {
  for (size_t j = 0; j < sys->n; j++)
    for (int i = 0; i < sys->dim; i++) x[j * (size_t)sys->dim + (size_t)i] = sys->x[i][j];
}

void mfh_nbody_get_velocities(const mfh_nbody *sys, double *v) {
  for (size_t j = 0; j < sys->n; j++)
    for (int i = 0; i < sys->dim; i++) v[j * (size_t)sys->dim + (size_t)i] = sys->v[i][j];
}

/* ---- Gaussian pair kernel ----------------------------------------------- */

/* Constants of one kernel call; D (dimension) and T (torus) are compile-time
 * constants after inlining. */
typedef struct gauss_ctx {
  const double *x[3];
  double *f[3];
  double L, inv_L, cexp; /* cexp = -log2(e) / (2 s^2): e^{-r^2/(2s^2)} = 2^{cexp r^2} */
} gauss_ctx;

/* One pair: d = x_j - x_k (minimum image on the torus) and e = 2^{cexp |d|^2}. */
typedef struct pair_val {
  double d0, d1, d2, e;
} pair_val;

/* Displacement of the pair (j, k) along one axis, y = x_j. */
MFH_INLINE double gauss_disp(const int T, double y, double xk, double L, double inv_L) {
  double d = y - xk;
  if (T) d -= L * mfh_vm_round(d * inv_L);
  return d;
}

/* The pair (j, k) given x_j = (y0, y1, y2).  Returned by value and written
 * without loops over the axes: addressable locals or inner loops in an
 * `omp simd` body stop GCC's vectoriser at -O2. */
MFH_INLINE pair_val gauss_pair(const int D, const int T, const double *x0, const double *x1,
                               const double *x2, double y0, double y1, double y2, size_t k,
                               double L, double inv_L, double cexp) {
  pair_val p = {gauss_disp(T, y0, x0[k], L, inv_L), 0.0, 0.0, 0.0};
  double r2 = p.d0 * p.d0;
  if (D > 1) {
    p.d1 = gauss_disp(T, y1, x1[k], L, inv_L);
    r2 += p.d1 * p.d1;
  }
  if (D > 2) {
    p.d2 = gauss_disp(T, y2, x2[k], L, inv_L);
    r2 += p.d2 * p.d2;
  }
  p.e = mfh_vm_exp2(r2 * cexp);
  return p;
}

/* Two pairs (j, k) and (j', k) sharing the column k, their statements
 * interleaved (see mfh_vm_exp2x2); the same bits as two gauss_pair calls. */
typedef struct pair_val2 {
  pair_val a, b;
} pair_val2;

MFH_INLINE pair_val2 gauss_pair2(const int D, const int T, const double *x0, const double *x1,
                                 const double *x2, double ya0, double ya1, double ya2,
                                 double yb0, double yb1, double yb2, size_t k, double L,
                                 double inv_L, double cexp) {
  pair_val2 p = {{0.0, 0.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 0.0}};
  double xk = x0[k];
  p.a.d0 = gauss_disp(T, ya0, xk, L, inv_L);
  p.b.d0 = gauss_disp(T, yb0, xk, L, inv_L);
  double ra = p.a.d0 * p.a.d0, rb = p.b.d0 * p.b.d0;
  if (D > 1) {
    xk = x1[k];
    p.a.d1 = gauss_disp(T, ya1, xk, L, inv_L);
    p.b.d1 = gauss_disp(T, yb1, xk, L, inv_L);
    ra += p.a.d1 * p.a.d1;
    rb += p.b.d1 * p.b.d1;
  }
  if (D > 2) {
    xk = x2[k];
    p.a.d2 = gauss_disp(T, ya2, xk, L, inv_L);
    p.b.d2 = gauss_disp(T, yb2, xk, L, inv_L);
    ra += p.a.d2 * p.a.d2;
    rb += p.b.d2 * p.b.d2;
  }
  mfh_vm_pair e = mfh_vm_exp2x2(ra * cexp, rb * cexp);
  p.a.e = e.a;
  p.b.e = e.b;
  return p;
}

/* Rows j, .., j+R-1 (R = 1 or 2) against columns k in [k0, k1):
 * f[row] += sum_k w_{row,k} through LANES lane accumulators (lane l gets the
 * columns k0 + l mod LANES), then f[k] -= w_{j,k}, then f[k] -= w_{j+1,k},
 * with w = d e.  Column k receives exactly the subtractions that R = 1 calls
 * on rows j, j+1 would make, in the same order, so R changes the speed
 * (two independent dependency chains per column load), not the bits. */
MFH_INLINE void gauss_rows(const gauss_ctx *g, const int D, const int T, const int R, size_t j,
                           size_t k0, size_t k1) {
  const double *x0 = g->x[0], *x1 = g->x[D > 1 ? 1 : 0], *x2 = g->x[D > 2 ? 2 : 0];
  double *f0 = g->f[0], *f1 = g->f[D > 1 ? 1 : 0], *f2 = g->f[D > 2 ? 2 : 0];
  const double L = g->L, inv_L = g->inv_L, cexp = g->cexp;
  const size_t jb = R > 1 ? j + 1 : j;
  const double ya0 = x0[j], ya1 = D > 1 ? x1[j] : 0.0, ya2 = D > 2 ? x2[j] : 0.0;
  const double yb0 = x0[jb], yb1 = D > 1 ? x1[jb] : 0.0, yb2 = D > 2 ? x2[jb] : 0.0;
  double aa0[LANES] = {0}, aa1[LANES] = {0}, aa2[LANES] = {0};
  double ab0[LANES] = {0}, ab1[LANES] = {0}, ab2[LANES] = {0};
  size_t k = k0;
  /* one lane: the same code serves the vector body and the scalar tail */
#define MFH_GAUSS_LANE(kk, l)                                                                \
  do {                                                                                       \
    if (R > 1) {                                                                             \
      pair_val2 p2 = gauss_pair2(D, T, x0, x1, x2, ya0, ya1, ya2, yb0, yb1, yb2, kk, L,      \
                                 inv_L, cexp);                                               \
      double wa0 = p2.a.d0 * p2.a.e, wb0 = p2.b.d0 * p2.b.e;                                 \
      aa0[l] += wa0, ab0[l] += wb0;                                                          \
      f0[kk] = (f0[kk] - wa0) - wb0;                                                         \
      if (D > 1) {                                                                           \
        double wa1 = p2.a.d1 * p2.a.e, wb1 = p2.b.d1 * p2.b.e;                               \
        aa1[l] += wa1, ab1[l] += wb1;                                                        \
        f1[kk] = (f1[kk] - wa1) - wb1;                                                       \
      }                                                                                      \
      if (D > 2) {                                                                           \
        double wa2 = p2.a.d2 * p2.a.e, wb2 = p2.b.d2 * p2.b.e;                               \
        aa2[l] += wa2, ab2[l] += wb2;                                                        \
        f2[kk] = (f2[kk] - wa2) - wb2;                                                       \
      }                                                                                      \
    } else {                                                                                 \
      pair_val pa = gauss_pair(D, T, x0, x1, x2, ya0, ya1, ya2, kk, L, inv_L, cexp);         \
      double wa0 = pa.d0 * pa.e;                                                             \
      aa0[l] += wa0;                                                                         \
      f0[kk] -= wa0;                                                                         \
      if (D > 1) {                                                                           \
        double wa1 = pa.d1 * pa.e;                                                           \
        aa1[l] += wa1;                                                                       \
        f1[kk] -= wa1;                                                                       \
      }                                                                                      \
      if (D > 2) {                                                                           \
        double wa2 = pa.d2 * pa.e;                                                           \
        aa2[l] += wa2;                                                                       \
        f2[kk] -= wa2;                                                                       \
      }                                                                                      \
    }                                                                                        \
  } while (0)
  for (; k + LANES <= k1; k += LANES) {
#pragma omp simd
    for (int l = 0; l < LANES; l++) MFH_GAUSS_LANE(k + (size_t)l, l);
  }
  for (int l = 0; k + (size_t)l < k1; l++) MFH_GAUSS_LANE(k + (size_t)l, l);
#undef MFH_GAUSS_LANE
  f0[j] += mfh_lane_sum(aa0);
  if (D > 1) f1[j] += mfh_lane_sum(aa1);
  if (D > 2) f2[j] += mfh_lane_sum(aa2);
  if (R > 1) {
    f0[jb] += mfh_lane_sum(ab0);
    if (D > 1) f1[jb] += mfh_lane_sum(ab1);
    if (D > 2) f2[jb] += mfh_lane_sum(ab2);
  }
}

/* Tile of rows [j0, j1) and columns [k0, k1); diag: the pairs j < k inside
 * one block (then k0, k1 are ignored). */
MFH_INLINE void gauss_tile(const gauss_ctx *g, const int D, const int T, size_t j0, size_t j1,
                           size_t k0, size_t k1, int diag) {
  if (diag) {
    for (size_t j = j0; j < j1; j++) gauss_rows(g, D, T, 1, j, j + 1, j1);
    return;
  }
  size_t j = j0;
  for (; j + 2 <= j1; j += 2) gauss_rows(g, D, T, 2, j, k0, k1);
  if (j < j1) gauss_rows(g, D, T, 1, j, k0, k1);
}

#define GAUSS_TILE_FN(name, D, T)                                                            \
  MFH_KERNEL_CLONES static void name(const void *g, size_t j0, size_t j1, size_t k0,         \
                                     size_t k1, int diag) {                                  \
    gauss_tile((const gauss_ctx *)g, D, T, j0, j1, k0, k1, diag);                            \
  }
GAUSS_TILE_FN(tile_1r, 1, 0)
GAUSS_TILE_FN(tile_2r, 2, 0)
GAUSS_TILE_FN(tile_3r, 3, 0)
GAUSS_TILE_FN(tile_1t, 1, 1)
GAUSS_TILE_FN(tile_2t, 2, 1)
GAUSS_TILE_FN(tile_3t, 3, 1)
#undef GAUSS_TILE_FN


static void gauss_forces(mfh_nbody *s) {
  static const mfh_tile_fn fns[2][3] = {{tile_1r, tile_2r, tile_3r}, {tile_1t, tile_2t, tile_3t}};
  mfh_tile_fn tile = fns[s->torus][s->dim - 1];
  gauss_ctx g = {{s->x[0], s->x[s->dim > 1], s->x[s->dim > 2 ? 2 : 0]},
                 {s->acc[0], s->acc[s->dim > 1], s->acc[s->dim > 2 ? 2 : 0]},
                 s->L,
                 s->inv_L,
                 mfh_vm_gauss_c2(s->pot.s)};
  size_t n = s->n;
  int dim = s->dim;
  double pref = s->coupling * (s->pot.a / (s->pot.s * s->pot.s));
  int nt = (double)n * (double)n >= 2 * PAR_MIN_PAIRS ? s->nthreads : 1;
  for (int i = 0; i < dim; i++) memset(s->acc[i], 0, n * sizeof(double));
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    mfh_tiles_run(n, TILE, tile, &g);
#pragma omp for schedule(static)
    for (size_t j = 0; j < n; j++)
      for (int i = 0; i < dim; i++) s->acc[i][j] *= pref;
  }
}

/* ---- cosine kernel (separable, O(N)) ------------------------------------- */

/* cs[i][j], sn[i][j] = cos, sin of 2 pi x[i][j] / L (positions in [0,L)). */
static void cosine_tables(mfh_nbody *s, int nt) {
  size_t n = s->n;
  int dim = s->dim;
  for (int i = 0; i < dim; i++) {
    const double *x = s->x[i];
    double *cs = s->cs[i], *sn = s->sn[i], inv_L = s->inv_L;
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(static)
    for (size_t j = 0; j < n; j++) mfh_vm_sincos(TWO_PI * (x[j] * inv_L), &sn[j], &cs[j]);
  }
}

static void cosine_forces(mfh_nbody *s) {
  size_t n = s->n;
  int nt = n >= 16384 ? s->nthreads : 1;
  double pref = s->coupling * s->pot.a * (TWO_PI / s->L);
  cosine_tables(s, nt);
  for (int i = 0; i < s->dim; i++) {
    const double *cs = s->cs[i], *sn = s->sn[i];
    double *acc = s->acc[i];
    double sc = mfh_sum_lanes(cs, n), ss = mfh_sum_lanes(sn, n);
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(static)
    for (size_t j = 0; j < n; j++) acc[j] = pref * (sn[j] * sc - cs[j] * ss);
  }
}

int mfh_nbody_compute_acc(mfh_nbody *sys, mfh_err *err) {
  (void)err;
  if (sys->pot.kind == MFH_POTENTIAL_GAUSSIAN)
    gauss_forces(sys);
  else
    cosine_forces(sys);
  sys->cache = CACHE_PAIR;
  return MFH_OK;
}

/* ---- random batch forces -------------------------------------------------- */

/* acc for the pairs (perm[2k], perm[2k+1]) with coefficient 1. */
static void rbm_forces(mfh_nbody *s) {
  size_t npairs = s->n / 2;
  int dim = s->dim, nt = npairs >= 8192 ? s->nthreads : 1;
  const size_t *pm = s->perm;
  const mfh_potential *pot = &s->pot;
  if (pot->kind == MFH_POTENTIAL_GAUSSIAN) {
    double cexp = mfh_vm_gauss_c2(pot->s), g = pot->a / (pot->s * pot->s);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (size_t q = 0; q < npairs; q++) {
      size_t j = pm[2 * q], k = pm[2 * q + 1];
      double d[3], r2 = 0;
      for (int i = 0; i < dim; i++) {
        d[i] = s->x[i][j] - s->x[i][k];
        if (s->torus) d[i] -= s->L * mfh_vm_round(d[i] * s->inv_L);
      }
      for (int i = 0; i < dim; i++) r2 += d[i] * d[i];
      double e = mfh_vm_exp2(r2 * cexp);
      for (int i = 0; i < dim; i++) {
        double w = d[i] * e;
        s->acc[i][j] = g * w;
        s->acc[i][k] = -(g * w);
      }
    }
  } else {
    double g = pot->a * (TWO_PI / s->L);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (size_t q = 0; q < npairs; q++) {
      size_t j = pm[2 * q], k = pm[2 * q + 1];
      for (int i = 0; i < dim; i++) {
        double sv, cv;
        mfh_vm_sincos(TWO_PI * ((s->x[i][j] - s->x[i][k]) * s->inv_L), &sv, &cv);
        s->acc[i][j] = g * sv;
        s->acc[i][k] = -(g * sv);
      }
    }
  }
}

/* ---- the step loop -------------------------------------------------------- */

static void kick(mfh_nbody *s, double h) {
  size_t n = s->n;
  for (int i = 0; i < s->dim; i++) {
    mfh_axpy(n, h, s->acc[i], s->v[i]);
  }
}

static void drift(mfh_nbody *s, double h) {
  size_t n = s->n;
  for (int i = 0; i < s->dim; i++) {
    double *x = s->x[i];
    mfh_axpy(n, h, s->v[i], x);
    if (s->torus)
      for (size_t j = 0; j < n; j++) x[j] = wrap(x[j], s->L, s->inv_L);
  }
}

typedef struct force_src {
  int kind; /* enum force_kind */
  mfh_field_fn field;
  void *ctx;
} force_src;

static int eval_forces(mfh_nbody *s, const force_src *src, double t, mfh_err *err) {
  switch (src->kind) {
  case FORCE_PAIR: return mfh_nbody_compute_acc(s, err);
  case FORCE_RBM: rbm_forces(s); return MFH_OK;
  default: {
    const double *xs[3] = {s->x[0], s->x[s->dim > 1], s->x[s->dim > 2 ? 2 : 0]};
    double *as[3] = {s->acc[0], s->acc[s->dim > 1], s->acc[s->dim > 2 ? 2 : 0]};
    int st = src->field(t, s->n, s->dim, xs, as, src->ctx);
    if (st != MFH_OK) {
      s->cache = CACHE_NONE;
      return mfh_err_set(err, st, "nbody: field callback failed at t = %.17g (status %d)", t, st);
    }
    return MFH_OK;
  }
  }
}

/* One composition step; acc must hold the forces at the current positions
 * (time t) on entry, and holds those at t + dt on return. */
static int run_scheme(mfh_nbody *s, const scheme *sc, const force_src *src, double t, double dt,
                      mfh_err *err) {
  for (int k = 0; k < sc->stages; k++) {
    kick(s, sc->b[k] * dt);
    drift(s, sc->a[k] * dt);
    double tk = k + 1 == sc->stages ? t + dt : t + sc->c[k + 1] * dt;
    int st = eval_forces(s, src, tk, err);
    if (st != MFH_OK) return st;
  }
  kick(s, sc->b[sc->stages] * dt);
  return MFH_OK;
}

int mfh_nbody_step(mfh_nbody *sys, int method, double dt, mfh_err *err) {
  const scheme *sc = scheme_of(method);
  if (!sc) return mfh_err_set(err, MFH_EINPUT, "nbody: unknown integrator %d", method);
  if (!isfinite(dt)) return mfh_err_set(err, MFH_EINPUT, "nbody: dt = %g: must be finite", dt);
  force_src src = {FORCE_PAIR, NULL, NULL};
  if (sys->cache != CACHE_PAIR) mfh_nbody_compute_acc(sys, err);
  int st = run_scheme(sys, sc, &src, 0.0, dt, err);
  sys->cache = st == MFH_OK ? CACHE_PAIR : CACHE_NONE;
  return st;
}

int mfh_nbody_step_field(mfh_nbody *sys, int method, double t, double dt, mfh_field_fn field,
                         void *ctx, mfh_err *err) {
  const scheme *sc = scheme_of(method);
  if (!sc) return mfh_err_set(err, MFH_EINPUT, "nbody: unknown integrator %d", method);
  if (!field) return mfh_err_set(err, MFH_EINPUT, "nbody: NULL field function");
  if (!isfinite(t) || !isfinite(dt))
    return mfh_err_set(err, MFH_EINPUT, "nbody: t = %g, dt = %g: must be finite", t, dt);
  force_src src = {FORCE_FIELD, field, ctx};
  int hit = sys->cache == CACHE_FIELD && sys->cache_fn == field && sys->cache_ctx == ctx &&
            sys->cache_t == t;
  int st = hit ? MFH_OK : eval_forces(sys, &src, t, err);
  if (st == MFH_OK) st = run_scheme(sys, sc, &src, t, dt, err);
  if (st != MFH_OK) {
    sys->cache = CACHE_NONE;
    return st;
  }
  sys->cache = CACHE_FIELD;
  sys->cache_fn = field;
  sys->cache_ctx = ctx;
  sys->cache_t = t + dt;
  return MFH_OK;
}

int mfh_nbody_step_rbm(mfh_nbody *sys, double dt, gsl_rng *rng, mfh_err *err) {
  if (sys->n % 2 != 0)
    return mfh_err_set(err, MFH_EINPUT,
                       "nbody: random batch method needs an even number of particles (N = %zu)",
                       sys->n);
  if (!rng) return mfh_err_set(err, MFH_EINPUT, "nbody: random batch method: NULL rng");
  if (!isfinite(dt)) return mfh_err_set(err, MFH_EINPUT, "nbody: dt = %g: must be finite", dt);
  for (size_t j = 0; j < sys->n; j++) sys->perm[j] = j;
  gsl_ran_shuffle(rng, sys->perm, sys->n, sizeof *sys->perm);
  sys->have_perm = 1;
  force_src src = {FORCE_RBM, NULL, NULL};
  rbm_forces(sys);
  int st = run_scheme(sys, &scheme_verlet, &src, 0.0, dt, err);
  sys->cache = CACHE_NONE; /* acc holds this pairing's forces */
  return st;
}

/* ---- diagnostics ---------------------------------------------------------- */

double mfh_nbody_kinetic_energy(const mfh_nbody *sys) {
  double e = 0;
  for (int i = 0; i < sys->dim; i++) e += mfh_sum_sq_lanes(sys->v[i], sys->n);
  return 0.5 * e;
}

void mfh_nbody_momentum(const mfh_nbody *sys, double *p) {
  for (int i = 0; i < sys->dim; i++) p[i] = mfh_sum_lanes(sys->v[i], sys->n);
}

/* sum_{k > j} 2^{cexp |x_j - x_k|^2} in LANES lanes. */
MFH_INLINE double gauss_row_energy(const gauss_ctx *g, const int D, const int T, size_t j,
                                   size_t n) {
  const double *x0 = g->x[0], *x1 = g->x[D > 1 ? 1 : 0], *x2 = g->x[D > 2 ? 2 : 0];
  const double L = g->L, inv_L = g->inv_L, cexp = g->cexp;
  const double y0 = x0[j], y1 = D > 1 ? x1[j] : 0.0, y2 = D > 2 ? x2[j] : 0.0;
  double acc[LANES] = {0};
  size_t k = j + 1;
  for (; k + LANES <= n; k += LANES)
#pragma omp simd
    for (int l = 0; l < LANES; l++)
      acc[l] += gauss_pair(D, T, x0, x1, x2, y0, y1, y2, k + (size_t)l, L, inv_L, cexp).e;
  for (int l = 0; k + (size_t)l < n; l++)
    acc[l] += gauss_pair(D, T, x0, x1, x2, y0, y1, y2, k + (size_t)l, L, inv_L, cexp).e;
  return mfh_lane_sum(acc);
}

double mfh_nbody_potential_energy(mfh_nbody *sys) {
  size_t n = sys->n;
  if (sys->pot.kind == MFH_POTENTIAL_COSINE) {
    double e = 0;
    cosine_tables(sys, n >= 16384 ? sys->nthreads : 1);
    for (int i = 0; i < sys->dim; i++) {
      double sc = mfh_sum_lanes(sys->cs[i], n), ss = mfh_sum_lanes(sys->sn[i], n);
      e += 0.5 * ((sc * sc + ss * ss) - (double)n);
    }
    return sys->coupling * sys->pot.a * e;
  }
  gauss_ctx g = {{sys->x[0], sys->x[sys->dim > 1], sys->x[sys->dim > 2 ? 2 : 0]},
                 {NULL, NULL, NULL},
                 sys->L,
                 sys->inv_L,
                 mfh_vm_gauss_c2(sys->pot.s)};
  double *row = sys->cs[0]; /* scratch, n doubles */
  int nt = (double)n * (double)n >= 2 * PAR_MIN_PAIRS ? sys->nthreads : 1;
  int key = 2 * sys->dim + sys->torus;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(dynamic, 16)
  for (size_t j = 0; j < n; j++) {
    switch (key) {
    case 2: row[j] = gauss_row_energy(&g, 1, 0, j, n); break;
    case 3: row[j] = gauss_row_energy(&g, 1, 1, j, n); break;
    case 4: row[j] = gauss_row_energy(&g, 2, 0, j, n); break;
    case 5: row[j] = gauss_row_energy(&g, 2, 1, j, n); break;
    case 6: row[j] = gauss_row_energy(&g, 3, 0, j, n); break;
    default: row[j] = gauss_row_energy(&g, 3, 1, j, n); break;
    }
  }
  return sys->coupling * sys->pot.a * mfh_sum_lanes(row, n);
}

double mfh_nbody_total_energy(mfh_nbody *sys) {
  return mfh_nbody_kinetic_energy(sys) + mfh_nbody_potential_energy(sys);
}
