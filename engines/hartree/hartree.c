/* Hartree split-step Fourier solver, 1D and 2D, pure and mixed states (see
 * hartree.h for the model, grid, layout and method).  Bao, Jin & Markowich,
 * J. Comput. Phys. 175 (2002) 487. */
#include "engines/hartree/hartree.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* complex.h comes first (through hartree.h): fftw_complex = double complex */
#include <fftw3.h>
#include <omp.h>

#include "core/cmplx.h"

#define HT_PI 3.14159265358979323846
#define HT_MAXN1 16777216 /* 2^24: largest n in 1D */
#define HT_MAXN2 8192     /* 2^13: largest n in 2D */
#define HT_MAXORB 1048576 /* 2^20 orbitals */
#define HT_WSUM_TOL 1e-12 /* |sum w_k - 1| accepted */

typedef struct gauss_ctx {
  double a, s;
} gauss_ctx;

/* FFTW plans (FFTW_ESTIMATE).  1D: KF psi -> scratch, KB scratch -> psi
 * (out of place: faster than in place), DF psi -> spec, CF r2c cin -> chat,
 * CB c2r chat -> cout.  2D: every 2D transform is done as rows then columns
 * (plan_many, howmany = the other dimension), and the complex n x n
 * transforms go through a scratch grid of row stride ld > n (ld = 4 mod 8):
 * FFTW_ESTIMATE's column passes over a power-of-2 stride thrash the cache
 * (measured 20x slower for n = 256; its own dft_2d plans are as slow).
 * KF rows psi -> scratch, KF2 / KB2 columns in place on the scratch, KB rows
 * scratch -> psi; DF rows psi -> spec (stride ld), DF2 columns in place on
 * spec; CF rows r2c cin -> chat (only the nin rows that hold the density),
 * CF2 columns chat -> chat2, CB2 columns in place on chat2, CB rows c2r
 * chat2 -> cout (only the n rows of the box); the r2c grids have the odd
 * column stride nf/2 + 1 already.  KERNEL: the plain r2c of the whole
 * kernel grid, used once at create. */
enum { P_KF, P_KF2, P_KB2, P_KB, P_DF, P_DF2, P_CF, P_CF2, P_CB2, P_CB, P_KERNEL, HT_NPLAN };

struct mfh_hartree {
  int dim, nthr, interaction;
  size_t n, npts, norb;
  double xmin, xmax, len, dx, cell, eps, centre, coupling;
  double t;
  double *w;           /* norb weights */
  double complex *psi; /* norb * npts */
  double *ext;         /* npts: U_ext (zeros when there is none) */
  int has_ext;
  double *k2; /* npts: |k|^2 */
  double *kv; /* n: wavenumber of index m (Nyquist: -pi/dx) */
  /* the step's cache: density, mean field and total potential of the
   * current state (u_valid), and the phase tables of phase_dt, kin_dt */
  double *u;
  double complex *phase; /* exp(-i phase_dt u / (2 eps)) */
  double complex *kin;   /* exp(-i kin_dt eps |k|^2 / 2) / npts */
  int u_valid;
  double phase_dt, kin_dt;
  /* scratch for density / mean field / diagnostics (never the cache) */
  double *rho_s, *vrho_s;
  double complex *spec; /* npts */
  /* convolution: real grids of nf^dim (nf = n or 2n), row stride nf: cin
   * holds the density in the box and zeros elsewhere (the padding is never
   * written), cout the convolution; chat the r2c spectrum */
  size_t nf, nfr, nfc;
  double *cin, *cout;
  double complex *chat, *chat2, *cmult; /* chat rows >= nin stay zero */
  double *rmult;                        /* Re cmult (even kernels) */
  int kernel_even;
  size_t nin;          /* rows of cin that can be nonzero */
  size_t ld;           /* 2D scratch / spec row stride */
  size_t sstride;      /* scratch values per thread */
  double complex *scr; /* nthr * sstride */
  fftw_plan plan[HT_NPLAN];
  /* the pair potential (callback or Gaussian) */
  mfh_hartree_fn V;
  void *vctx;
  gauss_ctx gauss;
  int use_gauss, images;
};

/* ---- exp(-i theta) tables --------------------------------------------------
 * The potential phase exp(-i dt U / (2 eps)) is needed on every point at
 * every step; libm's sin + cos cost more than the FFTs.  For |theta| <= 5e5
 * we use a Cody-Waite reduction by pi/2 (the three-part constants of
 * fdlibm's __rem_pio2: q pio2_1 and q pio2_2 are exact for |q| < 2^20) and
 * the fdlibm / musl kernels __sin, __cos on [-pi/4, pi/4] (error < 1 ulp
 * there).  Measured against glibc: |difference| <= 1.2e-16, |c^2 + s^2 - 1|
 * <= 2.3e-16.  Elementwise (the only reductions, max |theta| and a NaN
 * check, are exact in any order): the result does not depend on
 * vectorisation; sin(-x) = -sin(x) and cos(-x) = cos(x) hold exactly, so
 * step(-dt) uses the exact conjugate phases of step(dt).  Larger |theta|
 * (or a build where that matters) falls back to libm for the whole table. */
#define HT_TWO_OVER_PI 6.36619772367581382433e-01
#define HT_SHIFTER 6755399441055744.0 /* 1.5 * 2^52: round to nearest integer */
#define HT_PIO2_1 1.57079632673412561417e+00
#define HT_PIO2_2 6.07710050630396597660e-11
#define HT_PIO2_2T 2.02226624879595063154e-21
#define HT_FAST_LIMIT 5e5

static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                    S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                    S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                    C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                    C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

/* Opt-in, as for the n-body tile kernels (the library build defines
 * MFH_NBODY_CLONES for the whole core; MFH_HARTREE_CLONES does it for this
 * file alone): the pointwise loops are also compiled for AVX2 and picked at
 * load time.  They are element-wise IEEE operations without reductions
 * over data and FMA contraction is off, so the AVX2 clone gives the same
 * bits as the SSE2 baseline (checked with a hash of whole runs).  No
 * AVX-512 clone: target "avx512f" implies FMA, and GCC 12's vectoriser then
 * turns the interleaved complex product of cmul into vfmaddsub even under
 * -ffp-contract=off (different bits).  For the same reason do not build this
 * file with -march flags that enable FMA. */
#include "engines/clones.h"
#include "core/fftw.h"
#define HT_CLONES MFH_KERNEL_CLONES_AVX2

#if defined(__GNUC__)
#define HT_INLINE static inline __attribute__((always_inline))
#else
#define HT_INLINE static inline
#endif

/* (co, si) = (cos th, sin th) for |th| <= HT_FAST_LIMIT. */
HT_INLINE void fast_cis(double th, double *co, double *si) {
  double qf = (th * HT_TWO_OVER_PI + HT_SHIFTER) - HT_SHIFTER;
  double r = ((th - qf * HT_PIO2_1) - qf * HT_PIO2_2) - qf * HT_PIO2_2T;
  int j = (int)qf & 3;
  double z = r * r, w = z * z;
  double sr = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  double sn = r + z * r * (S1 + z * sr);
  double cr = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  double hz = 0.5 * z, ww = 1.0 - hz;
  double cs = ww + (((1.0 - ww) - hz) + z * cr);
  double a = (j & 1) ? sn : cs, b = (j & 1) ? cs : sn;
  double sgc = ((j + 1) & 2) ? -1.0 : 1.0, sgs = (j & 2) ? -1.0 : 1.0;
  *co = sgc * a;
  *si = sgs * b;
}

/* The slow path of the two functions below: libm for the whole table. */
static void phase_libm(size_t n, const double *u, double c, double *ph) {
  for (size_t i = 0; i < n; i++) {
    double th = c * u[i];
    ph[2 * i] = cos(th);
    ph[2 * i + 1] = -sin(th);
  }
}

/* ph[i] = exp(-i c u[i]), ph interleaved (re, im).  Returns 0 if some
 * c u[i] is not finite. */
HT_CLONES static int phase_table(size_t n, const double *restrict u, double c,
                                 double *restrict ph) {
  /* nbig counts |theta| > HT_FAST_LIMIT (exact: n < 2^53); nf is NaN iff
   * some theta is not finite.  Both are sums, which clang's vectoriser
   * accepts; a max reduction it refuses without -ffast-math. */
  double nbig = 0.0, nf = 0.0;
#pragma omp simd reduction(+ : nbig) reduction(+ : nf)
  for (size_t i = 0; i < n; i++) {
    double th = c * u[i], co, si, at = fabs(th);
    fast_cis(th, &co, &si);
    ph[2 * i] = co;
    ph[2 * i + 1] = -si;
    nbig += at > HT_FAST_LIMIT ? 1.0 : 0.0;
    nf += 0.0 * th;
  }
  if (!(nf == 0.0)) return 0;
  if (nbig != 0.0) phase_libm(n, u, c, ph);
  return 1;
}

/* u[i] = e[i] + v[i], then ph[i] = exp(-i c u[i]) (as phase_table: the same
 * bits as the two steps apart).  Returns 0 if not finite. */
HT_CLONES static int field_phase(size_t n, const double *restrict e, const double *restrict v,
                                 double *restrict u, double c, double *restrict ph) {
  double nbig = 0.0, nf = 0.0;
#pragma omp simd reduction(+ : nbig) reduction(+ : nf)
  for (size_t i = 0; i < n; i++) {
    double ui = e[i] + v[i], th = c * ui, co, si, at = fabs(th);
    u[i] = ui;
    fast_cis(th, &co, &si);
    ph[2 * i] = co;
    ph[2 * i + 1] = -si;
    nbig += at > HT_FAST_LIMIT ? 1.0 : 0.0;
    nf += 0.0 * th;
  }
  if (!(nf == 0.0)) return 0;
  if (nbig != 0.0) phase_libm(n, u, c, ph);
  return 1;
}

/* p[i] *= m[i] (complex, interleaved). */
HT_CLONES static void cmul(size_t n, double *restrict p, const double *restrict m) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    double a = p[2 * i], b = p[2 * i + 1], c = m[2 * i], d = m[2 * i + 1];
    p[2 * i] = a * c - b * d;
    p[2 * i + 1] = a * d + b * c;
  }
}

/* p[i] *= m[i], twice (one pass; the same bits as two calls of cmul). */
HT_CLONES static void cmul2(size_t n, double *restrict p, const double *restrict m) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    double a = p[2 * i], b = p[2 * i + 1], c = m[2 * i], d = m[2 * i + 1];
    double a1 = a * c - b * d, b1 = a * d + b * c;
    p[2 * i] = a1 * c - b1 * d;
    p[2 * i + 1] = a1 * d + b1 * c;
  }
}

static double *re_im(double complex *z) { return (double *)z; }
static const double *re_im_c(const double complex *z) { return (const double *)z; }

/* ---- kernels ---------------------------------------------------------------- */

/* Image m of the range [-img, img + half] gets weight 1, except at the
 * offset -L/2 (half = 1), where the image set is made symmetric about 0 by
 * giving the two extreme images m = -img and m = img + 1 weight 1/2. */
static double image_weight(int m, int img, int half) {
  return half && (m == -img || m == img + 1) ? 0.5 : 1.0;
}

/* V at the grid offset d[0..dim-1] (periodised in the periodic mode). */
static double kernel_value(const mfh_hartree *h, const long *d) {
  int per = h->interaction == MFH_HARTREE_PERIODIC;
  int img = per ? h->images : 0, half[2] = {0, 0};
  double y[2] = {0.0, 0.0};
  for (int j = 0; j < h->dim; j++) {
    y[j] = (double)d[j] * h->dx;
    half[j] = per && 2 * d[j] == -(long)h->n;
  }
  if (!per)
    return h->use_gauss
               ? h->gauss.a * exp(-(y[0] * y[0] + y[1] * y[1]) / (2.0 * h->gauss.s * h->gauss.s))
               : h->V(y, h->vctx);
  if (h->use_gauss) { /* separable: a prod_j sum_m exp(-(y_j + m L)^2 / (2 s^2)) */
    double v = h->gauss.a, s2 = 2.0 * h->gauss.s * h->gauss.s;
    for (int j = 0; j < h->dim; j++) {
      double g = 0.0;
      for (int m = -img; m <= img + half[j]; m++) {
        double z = y[j] + (double)m * h->len;
        g += image_weight(m, img, half[j]) * exp(-z * z / s2);
      }
      v *= g;
    }
    return v;
  }
  double s = 0.0, x[2] = {0.0, 0.0};
  int hi1 = h->dim == 2 ? img + half[1] : 0, lo1 = h->dim == 2 ? -img : 0;
  for (int m0 = -img; m0 <= img + half[0]; m0++)
    for (int m1 = lo1; m1 <= hi1; m1++) {
      double wgt = image_weight(m0, img, half[0]);
      if (h->dim == 2) wgt *= image_weight(m1, img, half[1]);
      x[0] = y[0] + (double)m0 * h->len;
      x[1] = y[1] + (double)m1 * h->len;
      s += wgt * h->V(x, h->vctx);
    }
  return s;
}

/* Signed offset of FFT index i on the kernel grid, or LONG_MIN if unused. */
static long kernel_offset(const mfh_hartree *h, size_t i) {
  long nf = (long)h->nf, n = (long)h->n, d = (long)i;
  if (h->interaction == MFH_HARTREE_PERIODIC) return d < (nf + 1) / 2 ? d : d - nf;
  if (d <= n - 1) return d;
  if (d >= nf - (n - 1)) return d - nf;
  return LONG_MIN; /* offset +-n: never used by a density inside the box */
}

/* cmult = lambda dx^d / nf^d * DFT(kernel samples); rmult = its real part,
 * used instead when the kernel is even. */
static int init_kernel(mfh_hartree *h, mfh_err *err) {
  size_t nf = h->nf;
  double *k = h->cin;
  long d[2];
  for (size_t i = 0; i < h->nfr; i++) {
    size_t i0 = h->dim == 1 ? i : i / nf, i1 = h->dim == 1 ? 0 : i % nf;
    d[0] = kernel_offset(h, i0);
    d[1] = h->dim == 1 ? 0 : kernel_offset(h, i1);
    if (d[0] == LONG_MIN || d[1] == LONG_MIN) {
      k[i] = 0.0;
      continue;
    }
    double v = kernel_value(h, d);
    if (!isfinite(v)) {
      if (h->dim == 1)
        return mfh_err_set(err, MFH_EINPUT, "hartree: V(%g) = %g is not finite",
                           (double)d[0] * h->dx, v);
      return mfh_err_set(err, MFH_EINPUT, "hartree: V(%g, %g) = %g is not finite",
                         (double)d[0] * h->dx, (double)d[1] * h->dx, v);
    }
    k[i] = v;
  }
  /* an even kernel (V(-x) == V(x) on every sample, as for the Gaussian and
   * -|x|/2) has a real DFT: its imaginary part is rounding noise, dropped */
  h->kernel_even = 1;
  for (size_t i = 0; i < h->nfr && h->kernel_even; i++) {
    size_t i0 = h->dim == 1 ? i : i / nf, i1 = h->dim == 1 ? 0 : i % nf;
    size_t j = h->dim == 1 ? (nf - i0) % nf : (nf - i0) % nf * nf + (nf - i1) % nf;
    if (!(k[i] == k[j])) h->kernel_even = 0;
  }
  fftw_execute_dft_r2c(h->plan[P_KERNEL], k, h->cmult);
  memset(k, 0, h->nfr * sizeof *k);
  double scale = h->coupling * h->cell / (double)h->nfr;
  double *m = re_im(h->cmult);
  for (size_t i = 0; i < 2 * h->nfc; i++) m[i] *= scale;
  for (size_t i = 0; i < h->nfc; i++) h->rmult[i] = m[2 * i];
  return MFH_OK;
}

/* ---- create / destroy ------------------------------------------------------- */

void mfh_hartree_params_init(mfh_hartree_params *p) {
  memset(p, 0, sizeof *p);
  p->dim = 1;
  p->n = 256;
  p->xmin = -8.0;
  p->xmax = 8.0;
  p->eps = 1.0;
  p->norb = 1;
  p->weights = NULL;
  p->interaction = MFH_HARTREE_NONE;
  p->a = 1.0;
  p->s = 1.0;
  p->coupling = 1.0;
  p->images = 3;
  p->threads = 1;
}

static int validate(const mfh_hartree_params *p, mfh_err *err) {
  if (p->dim != 1 && p->dim != 2)
    return mfh_err_set(err, MFH_EINPUT, "hartree: dim = %d: must be 1 or 2", p->dim);
  int maxn = p->dim == 1 ? HT_MAXN1 : HT_MAXN2;
  if (p->n < 8 || p->n > maxn)
    return mfh_err_set(err, MFH_EINPUT, "hartree: n = %d: must be an integer in [8, %d] in %dD",
                       p->n, maxn, p->dim);
  if (!isfinite(p->xmin) || !isfinite(p->xmax) || !(p->xmax > p->xmin) ||
      !isfinite(p->xmax - p->xmin))
    return mfh_err_set(err, MFH_EINPUT, "hartree: box [%g, %g): need finite xmin < xmax", p->xmin,
                       p->xmax);
  if (!(p->eps > 0.0) || !isfinite(p->eps))
    return mfh_err_set(err, MFH_EINPUT, "hartree: eps = %g: must be finite and > 0", p->eps);
  if (p->norb < 1 || p->norb > HT_MAXORB)
    return mfh_err_set(err, MFH_EINPUT, "hartree: norb = %d: must be an integer in [1, %d]",
                       p->norb, HT_MAXORB);
  size_t npts = (size_t)p->n * (p->dim == 2 ? (size_t)p->n : 1);
  if (npts > SIZE_MAX / 64 / (size_t)p->norb)
    return mfh_err_set(err, MFH_EINPUT, "hartree: %d orbitals of %zu points: too large", p->norb,
                       npts);
  if (p->weights) {
    double sum = 0.0;
    for (int k = 0; k < p->norb; k++) {
      double wk = p->weights[k];
      if (!(wk >= 0.0) || !isfinite(wk))
        return mfh_err_set(err, MFH_EINPUT, "hartree: weights[%d] = %g: must be finite and >= 0", k,
                           wk);
      sum += wk;
    }
    if (!(fabs(sum - 1.0) <= HT_WSUM_TOL))
      return mfh_err_set(err, MFH_EINPUT, "hartree: weights sum to %.17g: must sum to 1 within %g",
                         sum, HT_WSUM_TOL);
  }
  if (p->interaction < MFH_HARTREE_NONE || p->interaction > MFH_HARTREE_FREE)
    return mfh_err_set(err, MFH_EINPUT,
                       "hartree: interaction = %d: must be none (0), periodic (1) or free (2)",
                       p->interaction);
  if (p->threads < 0 || p->threads > 4096)
    return mfh_err_set(err, MFH_EINPUT,
                       "hartree: threads = %d: must be in [0, 4096] (0 = omp default)", p->threads);
  if (p->interaction == MFH_HARTREE_NONE) return MFH_OK;
  if (!isfinite(p->coupling))
    return mfh_err_set(err, MFH_EINPUT, "hartree: coupling = %g: must be finite", p->coupling);
  if (!p->V) {
    if (!isfinite(p->a))
      return mfh_err_set(err, MFH_EINPUT, "hartree: Gaussian potential: a = %g: must be finite",
                         p->a);
    if (!(p->s > 0.0) || !isfinite(p->s))
      return mfh_err_set(err, MFH_EINPUT,
                         "hartree: Gaussian potential: s = %g: must be finite and > 0", p->s);
    if (p->interaction == MFH_HARTREE_PERIODIC && p->s > 10.0 * (p->xmax - p->xmin))
      return mfh_err_set(err, MFH_EINPUT,
                         "hartree: Gaussian potential: s = %g: must be <= 10 (xmax - xmin) in "
                         "the periodic mode",
                         p->s);
  } else if (p->interaction == MFH_HARTREE_PERIODIC && (p->images < 0 || p->images > 1000)) {
    return mfh_err_set(err, MFH_EINPUT, "hartree: images = %d: must be in [0, 1000]", p->images);
  }
  return MFH_OK;
}

/* Wavenumbers, |k|^2 and U_ext. */
static int init_grid(mfh_hartree *h, const mfh_hartree_params *p, mfh_err *err) {
  size_t n = h->n;
  for (size_t m = 0; m < n; m++) {
    long mm = 2 * m < n ? (long)m : (long)m - (long)n; /* Nyquist (even n): -n/2 */
    h->kv[m] = 2.0 * HT_PI * (double)mm / h->len;
  }
  for (size_t i = 0; i < h->npts; i++) {
    if (h->dim == 1) {
      h->k2[i] = h->kv[i] * h->kv[i];
    } else {
      double ka = h->kv[i / n], kb = h->kv[i % n];
      h->k2[i] = ka * ka + kb * kb;
    }
  }
  memset(h->ext, 0, h->npts * sizeof *h->ext);
  h->has_ext = p->ext != NULL;
  if (!p->ext) return MFH_OK;
  double x[2] = {0.0, 0.0};
  for (size_t i = 0; i < h->npts; i++) {
    if (h->dim == 1) {
      x[0] = h->xmin + (double)i * h->dx;
    } else {
      x[0] = h->xmin + (double)(i / n) * h->dx;
      x[1] = h->xmin + (double)(i % n) * h->dx;
    }
    double v = p->ext(x, p->ext_ctx);
    if (!isfinite(v))
      return mfh_err_set(err, MFH_EINPUT, "hartree: U_ext(%g, %g) = %g is not finite", x[0], x[1],
                         v);
    h->ext[i] = v;
  }
  return MFH_OK;
}

/* All plans (see the enum); called under the critical section
 * mfh_fftw_planner.  A plan FFTW cannot make stays NULL. */
static void make_plans(mfh_hartree *h) {
  const unsigned fl = FFTW_ESTIMATE;
  int n = (int)h->n, nf = (int)h->nf, nfh = nf / 2 + 1, nin = (int)h->nin;
  double complex *psi = h->psi, *spec = h->spec;
  fftw_plan *pl = h->plan;
  if (h->dim == 1) {
    pl[P_KF] = fftw_plan_dft_1d(n, psi, h->scr, FFTW_FORWARD, fl);
    pl[P_KB] = fftw_plan_dft_1d(n, h->scr, psi, FFTW_BACKWARD, fl);
    pl[P_DF] = fftw_plan_dft_1d(n, psi, spec, FFTW_FORWARD, fl);
    if (h->interaction == MFH_HARTREE_NONE) return;
    pl[P_CF] = fftw_plan_dft_r2c_1d(nf, h->cin, h->chat, fl);
    pl[P_CB] = fftw_plan_dft_c2r_1d(nf, h->chat, h->cout, fl);
    pl[P_KERNEL] = fftw_plan_dft_r2c_1d(nf, h->cin, h->cmult, fl);
    return;
  }
  /* batches of rank-1 transforms: rows (stride 1, distance = row stride),
   * columns (stride = row stride, distance 1) */
  int ld = (int)h->ld;
  double complex *sc = h->scr;
  pl[P_KF] = fftw_plan_many_dft(1, &n, n, psi, NULL, 1, n, sc, NULL, 1, ld, FFTW_FORWARD, fl);
  pl[P_KF2] = fftw_plan_many_dft(1, &n, n, sc, NULL, ld, 1, sc, NULL, ld, 1, FFTW_FORWARD, fl);
  pl[P_KB2] = fftw_plan_many_dft(1, &n, n, sc, NULL, ld, 1, sc, NULL, ld, 1, FFTW_BACKWARD, fl);
  pl[P_KB] = fftw_plan_many_dft(1, &n, n, sc, NULL, 1, ld, psi, NULL, 1, n, FFTW_BACKWARD, fl);
  pl[P_DF] = fftw_plan_many_dft(1, &n, n, psi, NULL, 1, n, spec, NULL, 1, ld, FFTW_FORWARD, fl);
  pl[P_DF2] = fftw_plan_many_dft(1, &n, n, spec, NULL, ld, 1, spec, NULL, ld, 1, FFTW_FORWARD, fl);
  if (h->interaction == MFH_HARTREE_NONE) return;
  pl[P_CF] = fftw_plan_many_dft_r2c(1, &nf, nin, h->cin, NULL, 1, nf, h->chat, NULL, 1, nfh, fl);
  pl[P_CF2] = fftw_plan_many_dft(1, &nf, nfh, h->chat, NULL, nfh, 1, h->chat2, NULL, nfh, 1,
                                 FFTW_FORWARD, fl);
  pl[P_CB2] = fftw_plan_many_dft(1, &nf, nfh, h->chat2, NULL, nfh, 1, h->chat2, NULL, nfh, 1,
                                 FFTW_BACKWARD, fl);
  pl[P_CB] = fftw_plan_many_dft_c2r(1, &nf, n, h->chat2, NULL, 1, nfh, h->cout, NULL, 1, nf, fl);
  pl[P_KERNEL] = fftw_plan_dft_r2c_2d(nf, nf, h->cin, h->cmult, fl);
}

/* Is plan i used by this object? */
static int plan_needed(const mfh_hartree *h, int i) {
  int conv = h->interaction != MFH_HARTREE_NONE;
  if (h->dim == 2) return i < P_CF || conv;
  return i == P_KF || i == P_KB || i == P_DF || (conv && (i == P_CF || i == P_CB || i == P_KERNEL));
}

int mfh_hartree_create(const mfh_hartree_params *p, mfh_hartree **out, mfh_err *err) {
  int st;
  if (out) *out = NULL;
  if (!p || !out) return mfh_err_set(err, MFH_EINPUT, "hartree: create: NULL argument");
  if ((st = validate(p, err)) != MFH_OK) return st;
  mfh_hartree *h = calloc(1, sizeof *h);
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "hartree: out of memory");
  h->dim = p->dim;
  h->n = (size_t)p->n;
  h->npts = h->dim == 1 ? h->n : h->n * h->n;
  h->norb = (size_t)p->norb;
  h->xmin = p->xmin;
  h->xmax = p->xmax;
  h->len = p->xmax - p->xmin;
  h->dx = h->len / (double)h->n;
  h->cell = h->dim == 1 ? h->dx : h->dx * h->dx;
  h->centre = 0.5 * (p->xmin + p->xmax);
  h->eps = p->eps;
  h->interaction = p->interaction;
  h->coupling = p->coupling;
  h->nthr = p->threads > 0 ? p->threads : omp_get_max_threads();
  if (h->nthr < 1) h->nthr = 1;
  h->phase_dt = NAN;
  h->kin_dt = NAN;
  if (h->interaction != MFH_HARTREE_NONE) {
    h->nf = h->interaction == MFH_HARTREE_FREE ? 2 * h->n : h->n;
    h->nfr = h->dim == 1 ? h->nf : h->nf * h->nf;
    h->nfc = (h->dim == 1 ? 1 : h->nf) * (h->nf / 2 + 1);
    h->nin = h->dim == 1 ? 1 : h->n;
    if (p->V) {
      h->V = p->V;
      h->vctx = p->V_ctx;
      h->images = p->images;
    } else {
      h->use_gauss = 1;
      h->gauss.a = p->a;
      h->gauss.s = p->s;
      /* images until exp(-((m - 1/2) L)^2 / (2 s^2)) < e^-46 */
      h->images = (int)ceil(0.5 + p->s * sqrt(92.0) / h->len);
    }
    if (h->interaction == MFH_HARTREE_FREE) h->images = 0;
  }
  size_t npts = h->npts, norb = h->norb;
  h->w = malloc(norb * sizeof *h->w);
  h->psi = fftw_malloc(norb * npts * sizeof *h->psi);
  h->ext = malloc(npts * sizeof *h->ext);
  h->k2 = malloc(npts * sizeof *h->k2);
  h->kv = malloc(h->n * sizeof *h->kv);
  h->u = malloc(npts * sizeof *h->u);
  h->phase = fftw_malloc(npts * sizeof *h->phase);
  h->kin = fftw_malloc(npts * sizeof *h->kin);
  h->rho_s = malloc(npts * sizeof *h->rho_s);
  h->vrho_s = malloc(npts * sizeof *h->vrho_s);
  /* 2D row stride: ld > n, ld = 4 (mod 8): rows 64-byte aligned and an odd
   * number of cache lines apart */
  h->ld = h->dim == 1 ? h->n : h->n + 1 + (12 - (h->n + 1) % 8) % 8;
  h->sstride = h->dim == 1 ? npts : h->n * h->ld;
  h->sstride = (h->sstride + 3) / 4 * 4;
  h->spec = fftw_malloc(h->sstride * sizeof *h->spec);
  h->scr = fftw_malloc((size_t)h->nthr * h->sstride * sizeof *h->scr);
  int conv_ok = h->scr != NULL;
  if (h->interaction != MFH_HARTREE_NONE) {
    h->cin = fftw_malloc(h->nfr * sizeof *h->cin);
    h->cout = fftw_malloc(h->nfr * sizeof *h->cout);
    h->chat = fftw_malloc(h->nfc * sizeof *h->chat);
    h->chat2 = fftw_malloc(h->nfc * sizeof *h->chat2);
    h->cmult = fftw_malloc(h->nfc * sizeof *h->cmult);
    h->rmult = malloc(h->nfc * sizeof *h->rmult);
    conv_ok = conv_ok && h->cin && h->cout && h->chat && h->chat2 && h->cmult && h->rmult;
  }
  if (!h->w || !h->psi || !h->ext || !h->k2 || !h->kv || !h->u || !h->phase || !h->kin ||
      !h->rho_s || !h->vrho_s || !h->spec || !conv_ok) {
    st = mfh_err_set(err, MFH_ENOMEM, "hartree: out of memory for %zu orbitals of %zu points", norb,
                     npts);
    goto fail;
  }
  for (size_t k = 0; k < norb; k++) h->w[k] = p->weights ? p->weights[k] : 1.0 / (double)norb;
  memset(h->psi, 0, norb * npts * sizeof *h->psi);
  memset(h->u, 0, npts * sizeof *h->u);
  int conv = h->interaction != MFH_HARTREE_NONE;
  if (conv) memset(h->chat, 0, h->nfc * sizeof *h->chat);
#pragma omp critical(mfh_fftw_planner)
  make_plans(h);
  for (int i = 0; i < HT_NPLAN; i++)
    if (!h->plan[i] && plan_needed(h, i)) {
      st = mfh_err_set(err, MFH_ENOMEM, "hartree: FFTW could not plan transforms of size %d", p->n);
      goto fail;
    }
  if ((st = init_grid(h, p, err)) != MFH_OK) goto fail;
  if (conv && (st = init_kernel(h, err)) != MFH_OK) goto fail;
  *out = h;
  return MFH_OK;
fail:
  mfh_hartree_destroy(h);
  return st;
}

void mfh_hartree_destroy(mfh_hartree *h) {
  if (!h) return;
  mfh_fftw_destroy(h->plan, HT_NPLAN);
  free(h->w);
  fftw_free(h->psi);
  free(h->ext);
  free(h->k2);
  free(h->kv);
  free(h->u);
  fftw_free(h->phase);
  fftw_free(h->kin);
  free(h->rho_s);
  free(h->vrho_s);
  fftw_free(h->spec);
  fftw_free(h->cin);
  fftw_free(h->cout);
  fftw_free(h->chat);
  fftw_free(h->chat2);
  fftw_free(h->cmult);
  free(h->rmult);
  fftw_free(h->scr);
  free(h);
}

/* ---- accessors and initial data --------------------------------------------- */

static void invalidate(mfh_hartree *h) {
  h->u_valid = 0;
  h->phase_dt = NAN;
}

double complex *mfh_hartree_orbital(mfh_hartree *h, int k) {
  if (!h || k < 0 || (size_t)k >= h->norb) return NULL;
  invalidate(h);
  return h->psi + (size_t)k * h->npts;
}

const double complex *mfh_hartree_orbital_const(const mfh_hartree *h, int k) {
  if (!h || k < 0 || (size_t)k >= h->norb) return NULL;
  return h->psi + (size_t)k * h->npts;
}

const double *mfh_hartree_weights(const mfh_hartree *h) { return h ? h->w : NULL; }

double mfh_hartree_time(const mfh_hartree *h) { return h ? h->t : NAN; }

void mfh_hartree_get_grid(const mfh_hartree *h, mfh_xgrid *g) {
  g->dim = h->dim;
  g->n = h->n;
  g->xmin = h->xmin;
  g->dx = h->dx;
}

int mfh_hartree_norb(const mfh_hartree *h) { return (int)h->norb; }

/* Coordinates of grid point i. */
static void point(const mfh_hartree *h, size_t i, double *x) {
  if (h->dim == 1) {
    x[0] = h->xmin + (double)i * h->dx;
    x[1] = 0.0;
  } else {
    x[0] = h->xmin + (double)(i / h->n) * h->dx;
    x[1] = h->xmin + (double)(i % h->n) * h->dx;
  }
}

int mfh_hartree_set_orbital(mfh_hartree *h, int k, mfh_hartree_wave_fn psi0, void *ctx,
                            mfh_err *err) {
  if (!h || !psi0) return mfh_err_set(err, MFH_EINPUT, "hartree: set_orbital: NULL argument");
  if (k < 0 || (size_t)k >= h->norb)
    return mfh_err_set(err, MFH_EINPUT, "hartree: orbital %d: must be in [0, %zu)", k, h->norb);
  double complex *ps = mfh_hartree_orbital(h, k);
  double x[2];
  for (size_t i = 0; i < h->npts; i++) {
    point(h, i, x);
    double complex v = psi0(x, ctx);
    if (!isfinite(creal(v)) || !isfinite(cimag(v)))
      return mfh_err_set(err, MFH_ENUMERIC, "hartree: psi0 at x = (%g, %g) is not finite", x[0],
                         x[1]);
    ps[i] = v;
  }
  return MFH_OK;
}

int mfh_hartree_set_coherent(mfh_hartree *h, int k, const double *q, const double *p,
                             mfh_err *err) {
  if (!h || !q || !p) return mfh_err_set(err, MFH_EINPUT, "hartree: set_coherent: NULL argument");
  if (k < 0 || (size_t)k >= h->norb)
    return mfh_err_set(err, MFH_EINPUT, "hartree: orbital %d: must be in [0, %zu)", k, h->norb);
  for (int j = 0; j < h->dim; j++)
    if (!isfinite(q[j]) || !isfinite(p[j]))
      return mfh_err_set(err, MFH_EINPUT, "hartree: coherent state: q, p must be finite");
  double complex *ps = mfh_hartree_orbital(h, k);
  double eps = h->eps, norm = pow(HT_PI * eps, -0.25 * (double)h->dim), x[2];
  for (size_t i = 0; i < h->npts; i++) {
    point(h, i, x);
    double r2 = 0.0, ph = 0.0;
    for (int j = 0; j < h->dim; j++) {
      r2 += (x[j] - q[j]) * (x[j] - q[j]);
      ph += p[j] * x[j];
    }
    double amp = norm * exp(-r2 / (2.0 * eps));
    ps[i] = CMPLX(amp * cos(ph / eps), amp * sin(ph / eps));
  }
  return MFH_OK;
}

int mfh_hartree_normalize(mfh_hartree *h, mfh_err *err) {
  if (!h) return mfh_err_set(err, MFH_EINPUT, "hartree: normalize: NULL solver");
  for (size_t k = 0; k < h->norb; k++) {
    double *p = re_im(h->psi + k * h->npts), s = 0.0;
    for (size_t i = 0; i < 2 * h->npts; i++) s += p[i] * p[i];
    s *= h->cell;
    if (!(s > 0.0) || !isfinite(s))
      return mfh_err_set(err, MFH_EINPUT, "hartree: normalize: orbital %zu has norm^2 %g", k, s);
    double f = 1.0 / sqrt(s);
    for (size_t i = 0; i < 2 * h->npts; i++) p[i] *= f;
  }
  invalidate(h);
  return MFH_OK;
}

/* ---- density and mean field -------------------------------------------------- */

#define HT_BLOCK 2048 /* grid points per density task */

/* dst[i] += w |p[i]|^2 for i in [0, n). */
HT_CLONES static void add_density(size_t n, double w, const double *restrict p,
                                  double *restrict dst) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) dst[i] += w * (p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1]);
}

/* Number of grid rows (1 in 1D; a row is n contiguous points). */
static size_t nrows(const mfh_hartree *h) { return h->dim == 1 ? 1 : h->n; }

/* rho = sum_k w_k |psi_k|^2, written with row stride ld (n for a plain grid
 * array, nf for the convolution input); every point sums k = 0, 1, ... in
 * this order starting from 0.0, whatever the threads (the one-thread step
 * does the same sums orbital by orbital: same bits). */
static void density_to(const mfh_hartree *h, double *rho, size_t ld) {
  size_t n = h->n, norb = h->norb, nblk_row = (n + HT_BLOCK - 1) / HT_BLOCK;
  long nblk = (long)(nrows(h) * nblk_row);
#pragma omp parallel for schedule(static) num_threads(h->nthr) if (h->nthr > 1)
  for (long b = 0; b < nblk; b++) {
    size_t r = (size_t)b / nblk_row, i0 = (size_t)b % nblk_row * HT_BLOCK;
    size_t len = n - i0 < HT_BLOCK ? n - i0 : HT_BLOCK;
    double *dst = rho + r * ld + i0;
    memset(dst, 0, len * sizeof *dst);
    for (size_t k = 0; k < norb; k++)
      add_density(len, h->w[k], re_im_c(h->psi + k * h->npts + r * n + i0), dst);
  }
}

/* p[i] *= m[i] (m real, p complex interleaved). */
HT_CLONES static void rmul(size_t n, double *restrict p, const double *restrict m) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    p[2 * i] *= m[i];
    p[2 * i + 1] *= m[i];
  }
}

/* The spectrum c times the kernel multiplier. */
static void kernel_mul(mfh_hartree *h, double complex *c) {
  if (h->kernel_even)
    rmul(h->nfc, re_im(c), h->rmult);
  else
    cmul(h->nfc, re_im(c), re_im(h->cmult));
}

/* The mean field of the density in cin (row stride nf, zero padding kept):
 * cout = lambda V * rho (serial: one r2c + c2r pair). */
static void convolve(mfh_hartree *h) {
  if (h->dim == 1) {
    fftw_execute_dft_r2c(h->plan[P_CF], h->cin, h->chat);
    kernel_mul(h, h->chat);
    fftw_execute_dft_c2r(h->plan[P_CB], h->chat, h->cout);
    return;
  }
  fftw_execute_dft_r2c(h->plan[P_CF], h->cin, h->chat);
  fftw_execute_dft(h->plan[P_CF2], h->chat, h->chat2);
  kernel_mul(h, h->chat2);
  fftw_execute_dft(h->plan[P_CB2], h->chat2, h->chat2);
  fftw_execute_dft_c2r(h->plan[P_CB], h->chat2, h->cout);
}

/* u = U_ext + cout on the box and phase = exp(-i c u), row by row.
 * Returns 0 if not finite. */
static int field_phase_rows(mfh_hartree *h, double c) {
  size_t n = h->n, nf = h->nf;
  int ok = 1;
  for (size_t r = 0; r < nrows(h); r++)
    ok &=
        field_phase(n, h->ext + r * n, h->cout + r * nf, h->u + r * n, c, re_im(h->phase + r * n));
  return ok;
}

/* lambda V * rho of the current state into out (plain grid array), through
 * the scratch cin / cout (not the step's cache u).  Returns 0 if not
 * finite. */
static int mean_field(mfh_hartree *h, double *out) {
  density_to(h, h->cin, h->nf);
  convolve(h);
  size_t n = h->n;
  double chk = 0.0;
  for (size_t r = 0; r < nrows(h); r++)
    for (size_t i = 0; i < n; i++) {
      out[r * n + i] = h->cout[r * h->nf + i];
      chk += 0.0 * out[r * n + i];
    }
  return chk == 0.0;
}

int mfh_hartree_density(const mfh_hartree *h, double *rho, mfh_err *err) {
  if (!h || !rho) return mfh_err_set(err, MFH_EINPUT, "hartree: density: NULL argument");
  density_to(h, rho, h->n);
  return MFH_OK;
}

int mfh_hartree_mean_field(mfh_hartree *h, double *u, mfh_err *err) {
  if (!h || !u) return mfh_err_set(err, MFH_EINPUT, "hartree: mean_field: NULL argument");
  if (h->interaction == MFH_HARTREE_NONE) {
    memset(u, 0, h->npts * sizeof *u);
    return MFH_OK;
  }
  if (!mean_field(h, u))
    return mfh_err_set(err, MFH_ENUMERIC, "hartree: mean field not finite at t = %g", h->t);
  return MFH_OK;
}

/* ---- the step ---------------------------------------------------------------- */

/* kin = exp(-i dt eps |k|^2 / 2) / npts (the 1/npts of the inverse FFT). */
static void make_kin(mfh_hartree *h, double dt) {
  double c = 0.5 * dt * h->eps, inv = 1.0 / (double)h->npts;
  double *kn = re_im(h->kin);
  for (size_t i = 0; i < h->npts; i++) {
    double th = c * h->k2[i];
    kn[2 * i] = cos(th) * inv;
    kn[2 * i + 1] = -sin(th) * inv;
  }
  h->kin_dt = dt;
}

/* p <- F^-1 kin F p (kin includes the 1/npts). */
static void kinetic(const mfh_hartree *h, double complex *p) {
  double complex *s = h->scr + (size_t)omp_get_thread_num() * h->sstride;
  fftw_execute_dft(h->plan[P_KF], p, s);
  if (h->dim == 1) {
    cmul(h->npts, re_im(s), re_im_c(h->kin));
  } else {
    size_t n = h->n, ld = h->ld;
    fftw_execute_dft(h->plan[P_KF2], s, s);
    for (size_t r = 0; r < n; r++) cmul(n, re_im(s + r * ld), re_im_c(h->kin + r * n));
    fftw_execute_dft(h->plan[P_KB2], s, s);
  }
  fftw_execute_dft(h->plan[P_KB], s, p);
}

/* nsteps >= 1 Strang steps of length dt.  Between two steps of one call the
 * closing half phase of a step and the opening half phase of the next are
 * applied in one pass over the orbitals, as (psi ph) ph with the same table
 * (the density, hence U, is the same at the junction): the same arithmetic
 * in the same order as two separate passes, so the result is bit-identical
 * to nsteps calls of one step. */
static int advance(mfh_hartree *h, double dt, long nsteps, mfh_err *err) {
  size_t npts = h->npts;
  long norb = (long)h->norb;
  double c = dt / (2.0 * h->eps);
  int conv = h->interaction != MFH_HARTREE_NONE;
  if (!h->u_valid) {
    int ok;
    if (conv) {
      density_to(h, h->cin, h->nf);
      convolve(h);
      ok = field_phase_rows(h, c);
    } else {
      memcpy(h->u, h->ext, npts * sizeof *h->u);
      ok = phase_table(npts, h->u, c, re_im(h->phase));
    }
    if (!ok)
      return mfh_err_set(err, MFH_ENUMERIC, "hartree: mean field not finite at t = %g", h->t);
    h->u_valid = 1;
    h->phase_dt = dt;
  } else if (!(h->phase_dt == dt)) {
    if (!phase_table(npts, h->u, c, re_im(h->phase))) {
      invalidate(h);
      return mfh_err_set(err, MFH_ENUMERIC, "hartree: potential phase not finite at t = %g", h->t);
    }
    h->phase_dt = dt;
  }
  if (!(h->kin_dt == dt)) make_kin(h, dt);
  /* One thread: the new density is summed into cin orbital by orbital
   * while each orbital is in cache (the same sums, in the same order, as
   * density_to). */
  int fuse = conv && h->nthr == 1;
  size_t n = h->n, nf = h->nf;
  for (long step = 0; step < nsteps; step++) {
    int twice = step > 0; /* the previous step's closing half phase is due */
    if (fuse)
      for (size_t r = 0; r < nrows(h); r++) memset(h->cin + r * nf, 0, n * sizeof *h->cin);
#pragma omp parallel for schedule(static) num_threads(h->nthr) if (h->nthr > 1)
    for (long k = 0; k < norb; k++) {
      double complex *p = h->psi + (size_t)k * npts;
      if (twice)
        cmul2(npts, re_im(p), re_im(h->phase));
      else
        cmul(npts, re_im(p), re_im(h->phase));
      kinetic(h, p);
      if (fuse)
        for (size_t r = 0; r < nrows(h); r++)
          add_density(n, h->w[k], re_im_c(p + r * n), h->cin + r * nf);
    }
    if (conv) {
      if (!fuse) density_to(h, h->cin, nf);
      convolve(h);
      if (!field_phase_rows(h, c)) {
        invalidate(h);
        return mfh_err_set(err, MFH_ENUMERIC, "hartree: mean field not finite at t = %g",
                           h->t + dt);
      }
    }
    h->t += dt;
  }
#pragma omp parallel for schedule(static) num_threads(h->nthr) if (h->nthr > 1)
  for (long k = 0; k < norb; k++) cmul(npts, re_im(h->psi + (size_t)k * npts), re_im(h->phase));
  return MFH_OK;
}

int mfh_hartree_step(mfh_hartree *h, double dt, mfh_err *err) {
  if (!h) return mfh_err_set(err, MFH_EINPUT, "hartree: step: NULL solver");
  if (!(dt != 0.0) || !isfinite(dt))
    return mfh_err_set(err, MFH_EINPUT, "hartree: dt = %g: must be finite and nonzero", dt);
  return advance(h, dt, 1, err);
}

int mfh_hartree_run(mfh_hartree *h, double dt, long nsteps, mfh_err *err) {
  if (!h) return mfh_err_set(err, MFH_EINPUT, "hartree: run: NULL solver");
  if (!(dt != 0.0) || !isfinite(dt))
    return mfh_err_set(err, MFH_EINPUT, "hartree: dt = %g: must be finite and nonzero", dt);
  if (nsteps < 0)
    return mfh_err_set(err, MFH_EINPUT, "hartree: nsteps = %ld: must be >= 0", nsteps);
  return nsteps == 0 ? MFH_OK : advance(h, dt, nsteps, err);
}

/* ---- diagnostics ------------------------------------------------------------- */

/* Grid sums of one orbital: positions measured from the centre c, momenta
 * as wavenumbers (scaled by the caller). */
typedef struct orb_stats {
  double s0, sx[2], sxx[2]; /* sum |psi|^2 (1, x_j - c, (x_j - c)^2) */
  double q0, sk[2], skk[2]; /* sum |F psi|^2 (1, k_j [Nyquist 0], k_j^2) */
  double sk2, tail;         /* sum |k|^2 |F psi|^2; sum over the top band */
  double edge, amax;        /* max |psi| on the edge, everywhere */
} orb_stats;

static void orbital_stats(mfh_hartree *h, size_t k, orb_stats *s) {
  size_t n = h->n, npts = h->npts;
  double complex *ps = h->psi + k * npts;
  const double *p = re_im_c(ps);
  memset(s, 0, sizeof *s);
  double e2 = 0.0, a2 = 0.0;
  for (size_t i = 0; i < npts; i++) {
    double a = p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1];
    size_t ia = h->dim == 1 ? i : i / n, ib = h->dim == 1 ? 0 : i % n;
    double xa = h->xmin + (double)ia * h->dx - h->centre;
    s->s0 += a;
    s->sx[0] += xa * a;
    s->sxx[0] += xa * xa * a;
    int edge = ia == 0 || ia == n - 1;
    if (h->dim == 2) {
      double xb = h->xmin + (double)ib * h->dx - h->centre;
      s->sx[1] += xb * a;
      s->sxx[1] += xb * xb * a;
      edge = edge || ib == 0 || ib == n - 1;
    }
    if (a > a2) a2 = a;
    if (edge && a > e2) e2 = a;
  }
  s->edge = sqrt(e2);
  s->amax = sqrt(a2);
  fftw_execute_dft(h->plan[P_DF], ps, h->spec);
  if (h->dim == 2) fftw_execute_dft(h->plan[P_DF2], h->spec, h->spec);
  const double *f = re_im_c(h->spec);
  double band = 0.9 * HT_PI / h->dx;
  for (size_t i = 0; i < npts; i++) {
    size_t ia = h->dim == 1 ? i : i / n, ib = h->dim == 1 ? 0 : i % n;
    size_t j = h->dim == 1 ? i : ia * h->ld + ib; /* spec has row stride ld */
    double a = f[2 * j] * f[2 * j] + f[2 * j + 1] * f[2 * j + 1];
    double ka = h->kv[ia], kpa = 2 * ia == n ? 0.0 : ka;
    s->q0 += a;
    s->sk[0] += kpa * a;
    s->skk[0] += ka * ka * a;
    int top = fabs(ka) > band;
    if (h->dim == 2) {
      double kb = h->kv[ib], kpb = 2 * ib == n ? 0.0 : kb;
      s->sk[1] += kpb * a;
      s->skk[1] += kb * kb * a;
      top = top || fabs(kb) > band;
    }
    s->sk2 += h->k2[i] * a;
    if (top) s->tail += a;
  }
}

int mfh_hartree_diagnostics(mfh_hartree *h, mfh_hartree_diag *d, mfh_err *err) {
  if (!h || !d) return mfh_err_set(err, MFH_EINPUT, "hartree: diagnostics: NULL argument");
  double cell = h->cell, sc = cell / (double)h->npts, eps = h->eps;
  double m = 0, q = 0, sx[2] = {0, 0}, sxx[2] = {0, 0}, sk[2] = {0, 0}, skk[2] = {0, 0};
  double sk2 = 0, tail = 0, edge = 0, amax = 0;
  for (size_t k = 0; k < h->norb; k++) {
    orb_stats s;
    double wk = h->w[k];
    orbital_stats(h, k, &s);
    m += wk * s.s0;
    q += wk * s.q0;
    for (int j = 0; j < 2; j++) {
      sx[j] += wk * s.sx[j];
      sxx[j] += wk * s.sxx[j];
      sk[j] += wk * s.sk[j];
      skk[j] += wk * s.skk[j];
    }
    sk2 += wk * s.sk2;
    tail += wk * s.tail;
    if (s.edge > edge) edge = s.edge;
    if (s.amax > amax) amax = s.amax;
  }
  memset(d, 0, sizeof *d);
  d->time = h->t;
  d->mass = m * cell;
  d->kinetic = 0.5 * eps * eps * sk2 * sc;
  d->p2 = 2.0 * d->kinetic;
  d->centre = h->centre;
  d->edge_max = edge;
  d->psi_max = amax;
  d->tail = q > 0.0 ? tail / q : 0.0;
  for (int j = 0; j < h->dim; j++) {
    d->x2 += sxx[j] * cell;
    if (m > 0.0) {
      double mx = sx[j] / m, mk = sk[j] / q;
      d->mean_x[j] = h->centre + mx;
      d->var_x[j] = sxx[j] / m - mx * mx;
      d->mean_p[j] = eps * mk;
      d->var_p[j] = eps * eps * (skk[j] / q - mk * mk);
    }
  }
  double *rho = h->rho_s;
  density_to(h, rho, h->n);
  if (h->has_ext) {
    double e = 0.0;
    for (size_t i = 0; i < h->npts; i++) e += h->ext[i] * rho[i];
    d->external = e * cell;
  }
  if (h->interaction != MFH_HARTREE_NONE) {
    if (!mean_field(h, h->vrho_s))
      return mfh_err_set(err, MFH_ENUMERIC, "hartree: mean field not finite at t = %g", h->t);
    double e = 0.0;
    for (size_t i = 0; i < h->npts; i++) e += rho[i] * h->vrho_s[i];
    d->interaction = 0.5 * e * cell;
  }
  d->energy = d->kinetic + d->interaction + d->external;
  return MFH_OK;
}

/* ---- resolution --------------------------------------------------------------- */

int mfh_hartree_coherent_extent(int dim, double eps, double centre, size_t m, const double *q,
                                const double *p, mfh_hartree_extent *ext, mfh_err *err) {
  if (!ext || (m > 0 && (!q || !p)))
    return mfh_err_set(err, MFH_EINPUT, "hartree: coherent_extent: NULL argument");
  if (dim != 1 && dim != 2)
    return mfh_err_set(err, MFH_EINPUT, "hartree: coherent_extent: dim = %d: must be 1 or 2", dim);
  if (!(eps > 0.0) || !isfinite(eps) || !isfinite(centre))
    return mfh_err_set(err, MFH_EINPUT, "hartree: coherent_extent: eps = %g, centre = %g", eps,
                       centre);
  memset(ext, 0, sizeof *ext);
  for (size_t i = 0; i < m * (size_t)dim; i++) {
    if (!isfinite(q[i]) || !isfinite(p[i]))
      return mfh_err_set(err, MFH_EINPUT, "hartree: coherent_extent: point %zu not finite",
                         i / (size_t)dim);
    ext->x_max = fmax(ext->x_max, fabs(q[i] - centre));
    ext->p_max = fmax(ext->p_max, fabs(p[i]));
  }
  ext->sigma_x = ext->sigma_p = sqrt(0.5 * eps);
  return MFH_OK;
}

int mfh_hartree_check_extent(double eps, double xmin, double xmax, int n,
                             const mfh_hartree_extent *ext, double nsigma,
                             mfh_hartree_resolution *res, mfh_err *err) {
  mfh_hartree_resolution r;
  memset(&r, 0, sizeof r);
  r.edge_rel = NAN;
  r.tail = NAN;
  if (res) *res = r;
  if (!ext) return mfh_err_set(err, MFH_EINPUT, "hartree: check_extent: NULL extent");
  if (!(eps > 0.0) || !isfinite(eps))
    return mfh_err_set(err, MFH_EINPUT, "hartree: eps = %g: must be finite and > 0", eps);
  if (!isfinite(xmin) || !isfinite(xmax) || !(xmax > xmin) || !isfinite(xmax - xmin))
    return mfh_err_set(err, MFH_EINPUT, "hartree: box [%g, %g): need finite xmin < xmax", xmin,
                       xmax);
  if (n < 1) return mfh_err_set(err, MFH_EINPUT, "hartree: n = %d: must be >= 1", n);
  if (!(nsigma >= 0.0) || !isfinite(nsigma))
    return mfh_err_set(err, MFH_EINPUT,
                       "hartree: nsigma = %g: must be finite and >= 0 "
                       "(0 = default 6)",
                       nsigma);
  if (!(ext->p_max >= 0.0) || !(ext->sigma_p >= 0.0) || !(ext->x_max >= 0.0) ||
      !(ext->sigma_x >= 0.0) || !isfinite(ext->p_max + ext->sigma_p + ext->x_max + ext->sigma_x))
    return mfh_err_set(err, MFH_EINPUT, "hartree: state extent: need finite values >= 0");
  if (nsigma == 0.0) nsigma = 6.0;
  double width = xmax - xmin;
  r.nsigma = nsigma;
  r.dx = width / (double)n;
  r.p_grid = HT_PI * eps / r.dx;
  r.p_need = ext->p_max + nsigma * ext->sigma_p;
  r.dx_max = r.p_need > 0.0 ? HT_PI * eps / r.p_need : INFINITY;
  double nm = ceil(width / r.dx_max);
  r.n_min = nm < 1.0 ? 1 : nm > 2147483647.0 ? 2147483647 : (int)nm;
  r.x_need = ext->x_max + nsigma * ext->sigma_x;
  r.half_width = 0.5 * width;
  r.edge_limit = 10.0 * exp(-0.25 * nsigma * nsigma);
  int st = MFH_OK;
  if (!(r.dx <= r.dx_max))
    st = mfh_err_set(err, MFH_EINPUT,
                     "under-resolved: eps = %g needs dx <= %.2g (n >= %d on a box of width %g), "
                     "got n = %d",
                     eps, r.dx_max, r.n_min, width, n);
  else if (!(r.x_need <= r.half_width))
    st = mfh_err_set(err, MFH_EINPUT,
                     "box too small: the state reaches %.3g from the box centre (|<x> - c| + %g "
                     "sd(x)), beyond the half-width %g of [%g, %g)",
                     r.x_need, nsigma, r.half_width, xmin, xmax);
  r.resolved = st == MFH_OK;
  if (res) *res = r;
  return st;
}

int mfh_hartree_check_resolution(mfh_hartree *h, double nsigma, mfh_hartree_resolution *res,
                                 mfh_err *err) {
  if (res) memset(res, 0, sizeof *res);
  if (!h) return mfh_err_set(err, MFH_EINPUT, "hartree: check_resolution: NULL solver");
  mfh_hartree_extent ext;
  memset(&ext, 0, sizeof ext);
  double edge_rel = 0.0, tq = 0.0, tt = 0.0;
  int any = 0;
  for (size_t k = 0; k < h->norb; k++) {
    orb_stats s;
    if (!(h->w[k] > 0.0)) continue;
    orbital_stats(h, k, &s);
    if (!(s.s0 > 0.0)) continue;
    if (!isfinite(s.s0) || !isfinite(s.q0))
      return mfh_err_set(err, MFH_EINPUT, "hartree: orbital %zu is not finite", k);
    any = 1;
    for (int j = 0; j < h->dim; j++) {
      double mx = s.sx[j] / s.s0, mk = s.sk[j] / s.q0;
      double vx = s.sxx[j] / s.s0 - mx * mx, vk = s.skk[j] / s.q0 - mk * mk;
      ext.x_max = fmax(ext.x_max, fabs(mx));
      ext.sigma_x = fmax(ext.sigma_x, sqrt(fmax(vx, 0.0)));
      ext.p_max = fmax(ext.p_max, h->eps * fabs(mk));
      ext.sigma_p = fmax(ext.sigma_p, h->eps * sqrt(fmax(vk, 0.0)));
    }
    edge_rel = fmax(edge_rel, s.edge / s.amax);
    tq += h->w[k] * s.q0;
    tt += h->w[k] * s.tail;
  }
  if (!any)
    return mfh_err_set(err, MFH_EINPUT,
                       "hartree: check_resolution: every orbital with w > 0 is zero");
  mfh_hartree_resolution r;
  int st = mfh_hartree_check_extent(h->eps, h->xmin, h->xmax, (int)h->n, &ext, nsigma, &r, err);
  r.edge_rel = edge_rel;
  r.tail = tq > 0.0 ? tt / tq : 0.0;
  if (st == MFH_OK && !(edge_rel <= r.edge_limit)) {
    st = mfh_err_set(err, MFH_EINPUT,
                     "not negligible at the box edge: max |psi| there is %.2g of its peak "
                     "(limit %.2g); enlarge the box [%g, %g)",
                     edge_rel, r.edge_limit, h->xmin, h->xmax);
    r.resolved = 0;
  }
  if (res) *res = r;
  return st;
}
