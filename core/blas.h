/* BLAS prototypes by their Fortran names (OpenBLAS), for the modules that
 * multiply dense complex matrices (density-matrix kernels, exchange terms,
 * low-rank operator norms).  The cblas_* names are not used on purpose:
 * GSL's reference CBLAS (-lgslcblas) comes first on the link line and
 * would provide them.  The trailing size_t arguments are gfortran's hidden
 * lengths of the CHARACTER arguments (ignored by OpenBLAS, which is written
 * in C, but part of the ABI).  Column-major, as BLAS is. */
#ifndef MFH_CORE_BLAS_H
#define MFH_CORE_BLAS_H

#include <complex.h>
#include <stddef.h>

void zgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const double complex *alpha, const double complex *a, const int *lda,
            const double complex *b, const int *ldb, const double complex *beta,
            double complex *c, const int *ldc, size_t lta, size_t ltb);
void zherk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
            const double complex *a, const int *lda, const double *beta, double complex *c,
            const int *ldc, size_t lu, size_t lt);
void zhemm_(const char *side, const char *uplo, const int *m, const int *n,
            const double complex *alpha, const double complex *a, const int *lda,
            const double complex *b, const int *ldb, const double complex *beta,
            double complex *c, const int *ldc, size_t ls, size_t lu);
void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *beta, double *c, const int *ldc, size_t lu,
            size_t lt);
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
            const double *beta, double *c, const int *ldc, size_t lta, size_t ltb);

/* Largest dimension handed to BLAS / LAPACK (their int arguments). */
#define MFH_BLAS_MAX 2147483647

#endif
