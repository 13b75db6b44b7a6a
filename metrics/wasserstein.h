/* Exact Wasserstein distances between discrete measures, and between a 1D
 * discrete measure and a 1D law given by its quantile function.
 *
 * GSL: mfh_wasserstein_law1d_pp calls GSL quadrature, whose failures are
 * reported through GSL's error handler; the program must have called
 * mfh_gsl_quiet() at start-up (as main does) or GSL aborts on them. */
#ifndef MFH_METRICS_WASSERSTEIN_H
#define MFH_METRICS_WASSERSTEIN_H

#include "core/status.h"
#include "core/cloud.h"
#include "core/law1d.h"

/* Exact W_p^p(a, b) for the cost |x - y|^p (Euclidean norm), p >= 1.
 * a, b: clouds of the same dim >= 1, n >= 1, finite coordinates, weights
 * NULL (uniform) or >= 0 summing to 1 within 1e-9 (rescaled to sum 1).
 * Dispatch: dim == 1 -> quantile coupling, W_p^p = int_0^1 |F^-1 - G^-1|^p
 * (sort + merge of the two step quantile functions, any sizes/weights,
 * O(n log n)); dim >= 2, equal sizes and uniform weights -> optimal
 * assignment (mfh_assignment_solve, O(n^3), n*n cost matrix); otherwise
 * the transportation problem (mfh_transport_solve, na*nb cost matrix).
 * *wpp gets W_p^p (not W_p).  Inputs are not modified.
 * Returns 0, MFH_EINPUT (dim mismatch, empty cloud, bad p, negative or
 * non-normalised weights, non-finite coordinates), MFH_ENOMEM, or the
 * solver's error.
 * References: C. Villani, Topics in Optimal Transportation (AMS 2003),
 * Thm 2.18 (1D); F. Santambrogio, Optimal Transport for Applied
 * Mathematicians (2015), Prop. 2.17 and ch. 6. */
int mfh_wasserstein_pp(const mfh_cloud *a, const mfh_cloud *b, double p, double *wpp,
                       mfh_err *err);


/* Exact W_p^p(a, law) = int_0^1 |F_a^{-1}(u) - G^{-1}(u)|^p du for a 1D
 * cloud a (same rules as mfh_wasserstein_pp, dim must be 1) and p >= 1.
 * Computed cell by cell over the steps of F_a^{-1} (cell of point x:
 * [U_{i-1}, U_i], split at u* = G(x) where the integrand has its kink):
 * p = 1 and p = 2 in closed form from partial_moment; other p (or no
 * partial_moment) by GSL adaptive Gauss-Kronrod quadrature per half-cell
 * (QNG, falling back to QAGS; end cells QAGS), relative tolerance 1e-12.
 * For p = 2 the closed form x^2 w - 2 x M1 + M2 cancels: its absolute error
 * is about 1e-16 * int x^2.  *wpp gets W_p^p.  law is borrowed.
 * Returns 0, MFH_EINPUT (as above, or NULL law/callbacks), MFH_ENOMEM, or
 * MFH_ENUMERIC (the law returned NaN/Inf, a quadrature failed, or the
 * law has no finite p-th moment).
 * Reference: Villani (2003) Thm 2.18; quadrature: R. Piessens et al.,
 * QUADPACK (Springer 1983), as implemented in GSL. */
int mfh_wasserstein_law1d_pp(const mfh_cloud *a, const mfh_law1d *law, double p, double *wpp,
                             mfh_err *err);

/* Uniform law on [0, 1] (static object, do not free). */
const mfh_law1d *mfh_law1d_uniform01(void);
/* Standard Gaussian N(0, 1): gsl_cdf_ugaussian_P / _Pinv, partial moments
 * int x phi = -phi, int x^2 phi = Phi - x phi (static object). */
const mfh_law1d *mfh_law1d_std_normal(void);

#endif
