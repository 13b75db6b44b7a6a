/* Exact laws on R: the 1D law state kind (metrics/wasserstein.h measures a
 * cloud against one exactly). */
#ifndef MFH_CORE_LAW1D_H
#define MFH_CORE_LAW1D_H

/* A law on R given by its CDF and quantile function (generalised inverse,
 * non-decreasing on (0,1); it is never called at u = 0 or u = 1). */
typedef struct mfh_law1d {
  double (*cdf)(double x, const void *ctx);
  double (*quantile)(double u, const void *ctx);
  /* int_{u0}^{u1} (G^{-1}(u))^k du for k = 1, 2 and 0 <= u0 <= u1 <= 1;
   * may be NULL (then every p uses quadrature). */
  double (*partial_moment)(int k, double u0, double u1, const void *ctx);
  const void *ctx;
  const char *name; /* what the law is, e.g. "uniform on [0, 1]" (describes and hashes it) */
} mfh_law1d;

#endif
