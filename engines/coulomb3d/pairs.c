/* 3D Coulomb N-body system (see pairs.h).
 *
 * Layout: struct of arrays, x[i][j] = component i of particle j, 64-byte
 * aligned and padded to a multiple of LANES; phi[j] = sum_k 1/|x_j - x_k|
 * when the potential is requested.
 *
 * Pair kernel: the tiling of engines/particles/nbody.c.  The N(N-1)/2
 * pairs are cut into TILE x TILE tiles; a tile (I, J), I < J, adds each pair
 * force to its row particle (j in I, through LANES lane accumulators summed
 * pairwise at the end of the row) and subtracts it from its column particle
 * (k in J, element-wise); diagonal tiles do the pairs j < k inside a block.
 * Off-diagonal tiles run in the rounds of a round-robin tournament on the
 * blocks (circle method): within a round the tiles touch disjoint
 * particles, so they run in parallel without write conflicts, and every
 * particle receives its contributions in an order that depends on N only.
 * Rows are taken two at a time (two independent chains per column load);
 * the column updates keep the row-by-row order, so this changes no bit.
 *
 * 1/r without libm: sqrt and division would also be exact and vectorise,
 * but GCC only vectorises sqrt under -fno-math-errno (errno), which the
 * build does not set.  Instead 1/sqrt(r2) starts from the bit-level
 * estimate 0x5fe6eb50c7b537a9 - (bits(r2) >> 1) (relative error < 3.5%;
 * Lomont 2003, "Fast inverse square root") and takes four Newton steps
 * y <- y (3/2 - (r2/2) y^2) (error 3.5e-2 -> 1.8e-3 -> 4.7e-6 -> 3.3e-11 ->
 * round-off; measured max relative error of 1/r 4.5e-16 over 2e4
 * distances spread over 1e-13 .. 1e13, tests/test_coulomb3d.c).  Only +, -, * and integer ops, so
 * every vector width gives the same bits; it is as fast as sqrt + div on
 * this machine (both ~0.9 ns per pair evaluation on AVX-512). */
#include "engines/coulomb3d/pairs.h"
#include "engines/clones.h"
#include "engines/tiles.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LANES MFH_LANES
#define TILE 256
#define ALIGN 64
#define FOUR_PI 12.566370614359172953850573533118
/* Work below this many pair evaluations stays on one thread. */
#define PAR_MIN_PAIRS 32768.0

#if defined(__GNUC__)
#define MFH_INLINE static inline __attribute__((always_inline))
#else
#define MFH_INLINE static inline
#endif

struct mfh_c3 {
  size_t n, npad;
  int nthreads;
  double coupling;
  int have_acc; /* acc holds the forces at the current positions */
  double *x[3], *v[3], *acc[3], *phi;
  double *mem;
};

/* ---- create / destroy / accessors --------------------------------------- */

int mfh_c3_create(size_t n, double coupling, mfh_c3 **out, mfh_err *err) {
  *out = NULL;
  if (n < 2) return mfh_err_set(err, MFH_EINPUT, "coulomb3d: N = %zu: need at least 2 particles", n);
  if (n > ((size_t)1 << 32)) return mfh_err_set(err, MFH_EINPUT, "coulomb3d: N = %zu: too many particles", n);
  if (!isfinite(coupling)) return mfh_err_set(err, MFH_EINPUT, "coulomb3d: coupling = %g: must be finite", coupling);
  mfh_c3 *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  s->n = n;
  s->npad = (n + LANES - 1) / LANES * LANES;
  s->nthreads = 1;
  s->coupling = coupling;
  size_t bytes = 10 * s->npad * sizeof(double);
  s->mem = aligned_alloc(ALIGN, (bytes + ALIGN - 1) / ALIGN * ALIGN);
  if (!s->mem) goto nomem;
  memset(s->mem, 0, bytes);
  double *p = s->mem;
  for (int i = 0; i < 3; i++) {
    s->x[i] = p, p += s->npad;
    s->v[i] = p, p += s->npad;
    s->acc[i] = p, p += s->npad;
  }
  s->phi = p;
  *out = s;
  return MFH_OK;
nomem:
  mfh_c3_destroy(s);
  return mfh_err_set(err, MFH_ENOMEM, "coulomb3d: out of memory for N = %zu particles", n);
}

void mfh_c3_destroy(mfh_c3 *s) {
  if (!s) return;
  free(s->mem);
  free(s);
}

int mfh_c3_set_threads(mfh_c3 *s, int nthreads, mfh_err *err) {
  if (nthreads < 1) return mfh_err_set(err, MFH_EINPUT, "coulomb3d: threads = %d: must be >= 1", nthreads);
  s->nthreads = nthreads;
  return MFH_OK;
}

size_t mfh_c3_size(const mfh_c3 *s) { return s->n; }
const double *mfh_c3_x(const mfh_c3 *s, int i) { return s->x[i]; }
const double *mfh_c3_v(const mfh_c3 *s, int i) { return s->v[i]; }
const double *mfh_c3_acc(const mfh_c3 *s, int i) { return s->acc[i]; }

int mfh_c3_set_state(mfh_c3 *s, const double *x, const double *v, mfh_err *err) {
  size_t m = 3 * s->n;
  for (size_t k = 0; k < m; k++)
    if (!isfinite(x[k]) || (v && !isfinite(v[k])))
      return mfh_err_set(err, MFH_EINPUT, "coulomb3d: non-finite initial value at particle %zu", k / 3);
  for (size_t j = 0; j < s->n; j++)
    for (int i = 0; i < 3; i++) {
      s->x[i][j] = x[3 * j + (size_t)i];
      s->v[i][j] = v ? v[3 * j + (size_t)i] : 0.0;
    }
  s->have_acc = 0;
  return MFH_OK;
}

/* ---- the pair kernel ---------------------------------------------------- */

static inline uint64_t bits_of(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static inline double double_of(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* 1/sqrt(r2) for normal r2 > 0 (see the file comment); branch-free. */
MFH_INLINE double c3_rsqrt(double r2) {
  double y = double_of(UINT64_C(0x5fe6eb50c7b537a9) - (bits_of(r2) >> 1));
  double h = 0.5 * r2;
  y = y * (1.5 - (h * y) * y);
  y = y * (1.5 - (h * y) * y);
  y = y * (1.5 - (h * y) * y);
  y = y * (1.5 - (h * y) * y);
  return y;
}

typedef struct kctx {
  const double *x0, *x1, *x2;
  double *f0, *f1, *f2, *ph;
} kctx;

/* Rows j (and j+1 when R = 2) against columns [k0, k1); P: also 1/r. */
MFH_INLINE void c3_rows(const kctx *g, const int P, const int R, size_t j, size_t k0, size_t k1) {
  const double *x0 = g->x0, *x1 = g->x1, *x2 = g->x2;
  double *f0 = g->f0, *f1 = g->f1, *f2 = g->f2, *ph = g->ph;
  const size_t jb = R > 1 ? j + 1 : j;
  const double ya0 = x0[j], ya1 = x1[j], ya2 = x2[j];
  const double yb0 = x0[jb], yb1 = x1[jb], yb2 = x2[jb];
  double aa0[LANES] = {0}, aa1[LANES] = {0}, aa2[LANES] = {0}, pa[LANES] = {0};
  double ab0[LANES] = {0}, ab1[LANES] = {0}, ab2[LANES] = {0}, pb[LANES] = {0};
  size_t k = k0;
#define MFH_C3_LANE(kk, l)                                                                    \
  do {                                                                                        \
    double c0 = x0[kk], c1 = x1[kk], c2 = x2[kk];                                             \
    double da0 = ya0 - c0, da1 = ya1 - c1, da2 = ya2 - c2;                                    \
    double ia = c3_rsqrt((da0 * da0 + da1 * da1) + da2 * da2);                                \
    double wa = (ia * ia) * ia;                                                               \
    double ga0 = da0 * wa, ga1 = da1 * wa, ga2 = da2 * wa;                                    \
    aa0[l] += ga0, aa1[l] += ga1, aa2[l] += ga2;                                              \
    if (R > 1) {                                                                              \
      double db0 = yb0 - c0, db1 = yb1 - c1, db2 = yb2 - c2;                                  \
      double ib = c3_rsqrt((db0 * db0 + db1 * db1) + db2 * db2);                              \
      double wb = (ib * ib) * ib;                                                             \
      double gb0 = db0 * wb, gb1 = db1 * wb, gb2 = db2 * wb;                                  \
      ab0[l] += gb0, ab1[l] += gb1, ab2[l] += gb2;                                            \
      f0[kk] = (f0[kk] - ga0) - gb0;                                                          \
      f1[kk] = (f1[kk] - ga1) - gb1;                                                          \
      f2[kk] = (f2[kk] - ga2) - gb2;                                                          \
      if (P) {                                                                                \
        pa[l] += ia, pb[l] += ib;                                                             \
        ph[kk] = (ph[kk] + ia) + ib;                                                          \
      }                                                                                       \
    } else {                                                                                  \
      f0[kk] -= ga0, f1[kk] -= ga1, f2[kk] -= ga2;                                            \
      if (P) {                                                                                \
        pa[l] += ia;                                                                          \
        ph[kk] += ia;                                                                         \
      }                                                                                       \
    }                                                                                         \
  } while (0)
  for (; k + LANES <= k1; k += LANES) {
#pragma omp simd
    for (int l = 0; l < LANES; l++) MFH_C3_LANE(k + (size_t)l, l);
  }
  for (int l = 0; k + (size_t)l < k1; l++) MFH_C3_LANE(k + (size_t)l, l);
#undef MFH_C3_LANE
  f0[j] += mfh_lane_sum(aa0), f1[j] += mfh_lane_sum(aa1), f2[j] += mfh_lane_sum(aa2);
  if (P) ph[j] += mfh_lane_sum(pa);
  if (R > 1) {
    f0[jb] += mfh_lane_sum(ab0), f1[jb] += mfh_lane_sum(ab1), f2[jb] += mfh_lane_sum(ab2);
    if (P) ph[jb] += mfh_lane_sum(pb);
  }
}

MFH_INLINE void c3_tile(const kctx *g, const int P, size_t j0, size_t j1, size_t k0, size_t k1, int diag) {
  if (diag) {
    for (size_t j = j0; j < j1; j++) c3_rows(g, P, 1, j, j + 1, j1);
    return;
  }
  size_t j = j0;
  for (; j + 2 <= j1; j += 2) c3_rows(g, P, 2, j, k0, k1);
  if (j < j1) c3_rows(g, P, 1, j, k0, k1);
}

MFH_KERNEL_CLONES static void tile_force(const void *g, size_t j0, size_t j1, size_t k0, size_t k1, int diag) {
  c3_tile((const kctx *)g, 0, j0, j1, k0, k1, diag);
}

MFH_KERNEL_CLONES static void tile_force_pot(const void *g, size_t j0, size_t j1, size_t k0, size_t k1, int diag) {
  c3_tile((const kctx *)g, 1, j0, j1, k0, k1, diag);
}


int mfh_c3_forces(mfh_c3 *s, double *pot, mfh_err *err) {
  mfh_tile_fn tile = pot ? tile_force_pot : tile_force;
  kctx g = {s->x[0], s->x[1], s->x[2], s->acc[0], s->acc[1], s->acc[2], s->phi};
  size_t n = s->n;
  double pref = s->coupling / FOUR_PI;
  int nt = (double)n * (double)n >= 2 * PAR_MIN_PAIRS ? s->nthreads : 1;
  for (int i = 0; i < 3; i++) memset(s->acc[i], 0, n * sizeof(double));
  if (pot) memset(s->phi, 0, n * sizeof(double));
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    mfh_tiles_run(n, TILE, tile, &g);
#pragma omp for schedule(static)
    for (size_t j = 0; j < n; j++)
      for (int i = 0; i < 3; i++) s->acc[i][j] *= pref;
  }
  s->have_acc = 1;
  if (pot) *pot = mfh_sum_lanes(s->phi, n) / FOUR_PI;
  for (size_t j = 0; j < n; j++)
    if (!isfinite(s->acc[0][j] + s->acc[1][j] + s->acc[2][j])) {
      s->have_acc = 0;
      return mfh_err_set(err, MFH_ENUMERIC, "coulomb3d: non-finite force on particle %zu", j);
    }
  return MFH_OK;
}

/* sum_{k > j} 1/|x_j - x_k| in LANES lanes (the potential-only pass). */
static double row_potential(const mfh_c3 *s, size_t j) {
  const double *x0 = s->x[0], *x1 = s->x[1], *x2 = s->x[2];
  const double y0 = x0[j], y1 = x1[j], y2 = x2[j];
  double acc[LANES] = {0};
  size_t k = j + 1, n = s->n;
  for (; k + LANES <= n; k += LANES)
#pragma omp simd
    for (int l = 0; l < LANES; l++) {
      size_t kk = k + (size_t)l;
      double d0 = y0 - x0[kk], d1 = y1 - x1[kk], d2 = y2 - x2[kk];
      acc[l] += c3_rsqrt((d0 * d0 + d1 * d1) + d2 * d2);
    }
  for (int l = 0; k + (size_t)l < n; l++) {
    size_t kk = k + (size_t)l;
    double d0 = y0 - x0[kk], d1 = y1 - x1[kk], d2 = y2 - x2[kk];
    acc[l] += c3_rsqrt((d0 * d0 + d1 * d1) + d2 * d2);
  }
  return mfh_lane_sum(acc);
}

double mfh_c3_potential(mfh_c3 *s) {
  size_t n = s->n;
  int nt = (double)n * (double)n >= 2 * PAR_MIN_PAIRS ? s->nthreads : 1;
  double *row = s->phi;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(dynamic, 16)
  for (size_t j = 0; j < n; j++) row[j] = row_potential(s, j);
  return 2 * mfh_sum_lanes(row, n) / FOUR_PI;
}

/* ---- Verlet -------------------------------------------------------------- */

static void kick(mfh_c3 *s, double h) {
  size_t n = s->n;
  for (int i = 0; i < 3; i++) {
    mfh_axpy(n, h, s->acc[i], s->v[i]);
  }
}

static void drift(mfh_c3 *s, double h) {
  size_t n = s->n;
  for (int i = 0; i < 3; i++) {
    mfh_axpy(n, h, s->v[i], s->x[i]);
  }
}

int mfh_c3_step(mfh_c3 *s, double dt, double *pot, mfh_err *err) {
  if (!isfinite(dt)) return mfh_err_set(err, MFH_EINPUT, "coulomb3d: dt = %g: must be finite", dt);
  int st;
  if (!s->have_acc && (st = mfh_c3_forces(s, NULL, err))) return st;
  kick(s, 0.5 * dt);
  drift(s, dt);
  if ((st = mfh_c3_forces(s, pot, err))) return st;
  kick(s, 0.5 * dt);
  return MFH_OK;
}

double mfh_c3_kinetic(const mfh_c3 *s) {
  double e = 0;
  for (int i = 0; i < 3; i++) e += mfh_sum_sq_lanes(s->v[i], s->n);
  return 0.5 * e;
}

void mfh_c3_momentum(const mfh_c3 *s, double p[3]) {
  for (int i = 0; i < 3; i++) p[i] = mfh_sum_lanes(s->v[i], s->n);
}
