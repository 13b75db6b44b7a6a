/* Internals shared by the files of engines/fermion/ (not a public header):
 * BLAS prototypes, a fast exp(-i theta), the mean-field convolution, small
 * grid helpers.  Functions defined in more than one file carry the
 * mfh_fermion_ prefix; everything else here is static inline. */
#ifndef MFH_ENGINES_FERMION_INTERNAL_H
#define MFH_ENGINES_FERMION_INTERNAL_H

#include <math.h>
#include <stddef.h>

#include "core/blas.h"
#include "core/cmplx.h"
#include "core/status.h"
#include "engines/clones.h"
#include "engines/fermion/fermion.h"

#define FM_PI 3.14159265358979323846

/* ---- BLAS: core/blas.h (Fortran names) ---------------------------------- */
#define FM_BLAS_MAX MFH_BLAS_MAX

/* ---- exp(-i theta) ------------------------------------------------------
 * The same kernel as solvers/hartree/hartree.c (fdlibm / musl __sin, __cos
 * on [-pi/4, pi/4] after a Cody-Waite reduction by pi/2; |difference from
 * glibc| <= 1.2e-16 for |theta| <= 5e5), duplicated here because this
 * module may include only its own headers; a candidate for core/. */
#define FM_TWO_OVER_PI 6.36619772367581382433e-01
#define FM_SHIFTER 6755399441055744.0 /* 1.5 * 2^52 */
#define FM_PIO2_1 1.57079632673412561417e+00
#define FM_PIO2_2 6.07710050630396597660e-11
#define FM_PIO2_2T 2.02226624879595063154e-21
#define FM_FAST_LIMIT 5e5

#if defined(__GNUC__)
#define FM_INLINE static inline __attribute__((always_inline))
#else
#define FM_INLINE static inline
#endif

/* The pointwise loops (phases, spectral multipliers) are also compiled for
 * AVX2 and picked at load time, as in solvers/hartree: element-wise IEEE
 * operations without FMA (target "avx2" does not enable it; contraction is
 * off), so every clone gives the same bits. */
#define FM_CLONES MFH_KERNEL_CLONES_AVX2

/* (cos th, sin th) for |th| <= FM_FAST_LIMIT; sin(-th) = -sin(th) exactly. */
FM_INLINE void fm_cis(double th, double *co, double *si) {
  const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
               S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
               S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
               C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
               C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  double qf = (th * FM_TWO_OVER_PI + FM_SHIFTER) - FM_SHIFTER;
  double r = ((th - qf * FM_PIO2_1) - qf * FM_PIO2_2) - qf * FM_PIO2_2T;
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

/* exp(-i th) for any finite th (libm beyond the fast range). */
FM_INLINE double complex fm_expmi(double th) {
  double co, si;
  if (fabs(th) <= FM_FAST_LIMIT) {
    fm_cis(th, &co, &si);
  } else {
    co = cos(th);
    si = sin(th);
  }
  return CMPLX(co, -si);
}

/* a * b without the C99 NaN/Inf recovery of the complex product (the
 * operands here are finite). */
FM_INLINE double complex fm_mul(double complex a, double complex b) {
  double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
  return CMPLX(ar * br - ai * bi, ar * bi + ai * br);
}

/* ---- grid helpers ---------------------------------------------------------- */

FM_INLINE size_t fm_npts(const mfh_fermion_grid *g) {
  return g->dim == 1 ? (size_t)g->n : (size_t)g->n * (size_t)g->n;
}
FM_INLINE double fm_cell(const mfh_fermion_grid *g) {
  return g->dim == 1 ? g->dx : g->dx * g->dx;
}
/* Signed wave number of DFT index a on n points (Nyquist n/2 -> -n/2). */
FM_INLINE double fm_wave(size_t a, size_t n, double dx) {
  double m = a < n / 2 ? (double)a : (double)a - (double)n;
  return 2.0 * FM_PI * m / ((double)n * dx);
}

/* |k|^2 of the flattened DFT index ix (dim 1 or 2). */
FM_INLINE double fm_k2(const mfh_fermion_grid *g, size_t ix) {
  size_t n = (size_t)g->n;
  if (g->dim == 1) {
    double k = fm_wave(ix, n, g->dx);
    return k * k;
  }
  double k1 = fm_wave(ix / n, n, g->dx), k2 = fm_wave(ix % n, n, g->dx);
  return k1 * k1 + k2 * k2;
}

/* ---- mean field -----------------------------------------------------------
 * For a density rho on the grid (npts values), the exact grid quadratures
 *   U(x_i)        = cell sum_j V(x_i - x_j) rho_j            (grid points)
 *   d_a U(z_m)    = cell sum_j (d_a V)(z_m - x_j) rho_j      (half grid)
 * where z_m = xmin + m dx / 2, m in [0, 2n - 2]^dim, are the midpoints
 * (x_i + x_j)/2 of all grid pairs (m = i + j per axis).  Both are linear
 * convolutions of rho upsampled to the half grid (zeros at odd indices)
 * with V or d_a V sampled at the half offsets r dx / 2, |r| <= 2n - 2,
 * done exactly (to round-off) by one zero-padded r2c / c2r FFT of 4n points
 * per axis. */
typedef struct mfh_fermion_field mfh_fermion_field;

enum { FM_FIELD_U = 1, FM_FIELD_GRAD = 2 };

/* Make the convolution object for what (FM_FIELD_U | FM_FIELD_GRAD).
 * Plans under the mfh_fftw_planner critical section.  MFH_ENOMEM. */
int mfh_fermion_field_create(const mfh_fermion_grid *g, const mfh_fermion_potential *V, int what,
                             mfh_fermion_field **out, mfh_err *err);
void mfh_fermion_field_destroy(mfh_fermion_field *f);
/* u[npts] (if u and FM_FIELD_U) and grad[a * nh^dim + m] (if grad and
 * FM_FIELD_GRAD; nh = 2n - 1, m the row-major half-grid index) from rho.
 * Returns 0, or MFH_ENUMERIC if an output is not finite. */
int mfh_fermion_field_eval(mfh_fermion_field *f, const double *rho, double *u, double *grad);
/* Number of half-grid points nh^dim. */
size_t mfh_fermion_field_half_points(const mfh_fermion_grid *g);

/* V(x) and grad V(x) of the pair potential (x[0..dim-1]). */
double mfh_fermion_pot_value(const mfh_fermion_potential *V, int dim, const double *x);
void mfh_fermion_pot_grad(const mfh_fermion_potential *V, int dim, const double *x, double *gr);
/* Table of V at the grid offsets: t[(d1 + n - 1) (2n - 1) + (d2 + n - 1)]
 * = V(d1 dx, d2 dx) (2D), t[d + n - 1] = V(d dx) (1D); (2n - 1)^dim values,
 * malloc'd (NULL when out of memory). */
double *mfh_fermion_pot_offsets(const mfh_fermion_potential *V, const mfh_fermion_grid *g);

/* Check a grid (dim 1 or 2, n even >= 8, dx > 0, eps > 0, finite xmin). */
int mfh_fermion_grid_check(const mfh_fermion_grid *g, mfh_err *err);
/* Check a potential. */
int mfh_fermion_pot_check(const mfh_fermion_potential *V, mfh_err *err);

/* Fill the missing triangle of an n x n row-major Hermitian matrix whose
 * lower (lower = 1: entries (i, j), j <= i) or upper triangle is set. */
void mfh_fermion_herm_fill(double complex *a, size_t n, int lower);

/* One RK4 step over tau of y' = Z(y) for n complex values: rhs(ctx, in)
 * writes Z(in) into z; S and A are n-value scratch (the stage and the
 * weighted sum).  The exchange sub-flow of both fermion engines. */
void mfh_fermion_rk4(size_t n, double tau, double complex *y, double complex *S, double complex *A,
                     const double complex *z, void (*rhs)(void *ctx, const double complex *in), void *ctx,
                     int nthr);

#endif
