/* Complex helpers.  C11's CMPLX(x, y) (a double complex with these real and imaginary parts,
 * exact for infinities, NaNs and signed zeros, unlike x + I * y) on every
 * compiler.  glibc defines it only for GCC >= 4.7 through
 * __builtin_complex; clang (which reports itself as GCC 4.2) has the same
 * builtin since clang 12 but gets no CMPLX from glibc. */
#ifndef MFH_CORE_CMPLX_H
#define MFH_CORE_CMPLX_H

#include <complex.h>

#if !defined(CMPLX) && defined(__has_builtin)
#if __has_builtin(__builtin_complex)
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif
#endif

#ifndef CMPLX
/* C11 6.2.5p13: a complex has the layout of an array of two reals. */
static inline double complex mfh_cmplx(double re, double im) {
  union {
    double complex z;
    double p[2];
  } u;
  u.p[0] = re;
  u.p[1] = im;
  return u.z;
}
#define CMPLX(x, y) mfh_cmplx((x), (y))
#endif

/* a * b without C99's NaN / infinity recovery (Annex G): for finite
 * operands the plain four-multiplication product, which vectorises. */
static inline double complex mfh_cmul(double complex a, double complex b) {
  double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
  return CMPLX(ar * br - ai * bi, ar * bi + ai * br);
}

#endif
