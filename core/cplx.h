/* <complex.h> with CMPLX on every C11 compiler: glibc defines CMPLX only
 * for GCC >= 4.7, and clang reports itself as GCC 4.2, so without this the
 * engines do not build with clang (the sanitizer and fuzz builds). */
#ifndef MFH_CORE_CPLX_H
#define MFH_CORE_CPLX_H

#include <complex.h>

#ifndef CMPLX
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif

#endif
