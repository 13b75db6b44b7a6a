/* Tests for engines/semiclassical/dualnorm.[ch]: Wigner characteristic
 * functions on the grid, the dual-norm proxy and the smooth observables.
 *
 * Independent references: for a coherent state |z>, z = (q, p), the Wigner
 * function is (pi eps)^{-1} exp(-((x-q)^2 + (xi-p)^2)/eps) (THEOREMS.md
 * section 1), so chi(k, l) = e^{i(k q + l p)} e^{-eps (k^2 + l^2)/4} and
 *   tr(|z><z| e^{-x^2/2})  = e^{-q^2/(2+eps)} / sqrt(1 + eps/2),
 *   tr(|z><z| e^{-xi^2/2}) = e^{-p^2/(2+eps)} / sqrt(1 + eps/2),
 *   tr(|z><z| cos x)       = e^{-eps/4} cos q
 * (Gaussian integrals: |z(x)|^2 and the momentum density are normal laws
 * with variance eps/2).  chi(0, 0) = tr D; linearity; the lattice
 * l_m = 2 m dx / eps (a wrong lattice breaks the closed form). */
#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "core/cplx.h"
#include "core/status.h"
#include "metrics/semiclassical/dualnorm.h"
#include "metrics/semiclassical/states.h"
#include "tests/testutil.h"

#define M 128
#define XMIN (-8.0)
#define DX (16.0 / M)

/* |z><z| as a kernel K[i M + j] = psi_i conj(psi_j). */
static double complex *coherent_kernel(double eps, double q, double p) {
  mfh_xgrid g = {1, M, XMIN, DX};
  double complex psi[M];
  mfh_err err;
  ck_assert_int_eq(mfh_sc_coherent(&g, eps, &q, &p, psi, &err), MFH_OK);
  double complex *K = malloc((size_t)M * M * sizeof *K);
  ck_assert_ptr_nonnull(K);
  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++) K[i * M + j] = psi[i] * conj(psi[j]);
  return K;
}

static double complex chi_exact(double eps, double q, double p, double k, double l) {
  return cexp(I * (k * q + l * p)) * exp(-eps * (k * k + l * l) / 4);
}

START_TEST(test_coherent_chi) {
  double eps = 0.5, q = 0.7, p = -0.4;
  double complex *K = coherent_kernel(eps, q, p);
  mfh_err err;
  double maxerr = 0;
  for (int m = 0; m <= 12; m++)
    for (double k = -3; k <= 3; k += 0.75) {
      double complex c;
      ck_assert_int_eq(mfh_sc_dual_chi(K, M, XMIN, DX, eps, k, m, &c, &err), MFH_OK);
      double l = 2 * m * DX / eps;
      maxerr = fmax(maxerr, cabs(c - chi_exact(eps, q, p, k, l)));
    }
  ck_assert_msg(maxerr < 1e-10, "coherent chi error %g", maxerr);
  /* The lattice matters: the value at m = 3 is not the closed form at the
   * half lattice l = 3 dx / eps. */
  double complex c3;
  ck_assert_int_eq(mfh_sc_dual_chi(K, M, XMIN, DX, eps, 0.5, 3, &c3, &err), MFH_OK);
  ck_assert(cabs(c3 - chi_exact(eps, q, p, 0.5, 3 * DX / eps)) > 1e-3);
  /* chi_all agrees with the single-mode function and the mode table. */
  mfh_sc_dual_modes modes = {0.5, 6, 10};
  size_t n = mfh_sc_dual_nmodes(&modes);
  ck_assert_uint_eq(n, 13 * 11);
  double complex *all = malloc(n * sizeof *all);
  ck_assert_int_eq(mfh_sc_dual_chi_all(K, M, XMIN, DX, eps, &modes, all, &err), MFH_OK);
  for (size_t idx = 0; idx < n; idx++) {
    double k, l, w;
    mfh_sc_dual_mode(&modes, DX, eps, idx, &k, &l, &w);
    int m = (int)lround(l * eps / (2 * DX));
    ck_assert(fabs(l - 2 * m * DX / eps) < 1e-14);
    ck_assert(fabs(w - 1 / (fmax(1, fabs(k)) * fmax(1, fabs(k)) * fmax(1, l) * fmax(1, l))) < 1e-15);
    double complex c;
    ck_assert_int_eq(mfh_sc_dual_chi(K, M, XMIN, DX, eps, k, m, &c, &err), MFH_OK);
    ck_assert_msg(cabs(c - all[idx]) < 1e-14, "mode %zu: %g", idx, cabs(c - all[idx]));
  }
  free(all);
  free(K);
}
END_TEST

/* A pseudo-random Hermitian kernel (fixed LCG). */
static double complex *random_hermitian(unsigned seed) {
  double complex *D = malloc((size_t)M * M * sizeof *D);
  ck_assert_ptr_nonnull(D);
  unsigned s = seed;
  for (int i = 0; i < M; i++)
    for (int j = i; j < M; j++) {
      s = s * 1103515245u + 12345u;
      double re = (double)(s >> 8) / 16777216.0 - 0.5;
      s = s * 1103515245u + 12345u;
      double im = i == j ? 0 : (double)(s >> 8) / 16777216.0 - 0.5;
      D[i * M + j] = CMPLX(re, im);
      D[j * M + i] = CMPLX(re, -im);
    }
  return D;
}

START_TEST(test_trace_and_linearity) {
  double complex *A = random_hermitian(1), *B = random_hermitian(2);
  double complex *C = malloc((size_t)M * M * sizeof *C);
  mfh_err err;
  double tr = 0;
  for (int i = 0; i < M; i++) tr += creal(A[i * M + i]);
  tr *= DX;
  double complex c00;
  ck_assert_int_eq(mfh_sc_dual_chi(A, M, XMIN, DX, 0.3, 0.0, 0, &c00, &err), MFH_OK);
  ck_assert_msg(fabs(creal(c00) - tr) <= 1e-15 * fabs(tr) && cimag(c00) == 0, "chi(0,0) %g vs tr %g",
                creal(c00), tr);
  double alpha = 0.3, beta = -1.7;
  for (int i = 0; i < M * M; i++) C[i] = alpha * A[i] + beta * B[i];
  for (int m = 0; m < 10; m += 3)
    for (double k = -2; k <= 2; k += 1.3) {
      double complex ca, cb, cc;
      ck_assert_int_eq(mfh_sc_dual_chi(A, M, XMIN, DX, 0.3, k, m, &ca, &err), MFH_OK);
      ck_assert_int_eq(mfh_sc_dual_chi(B, M, XMIN, DX, 0.3, k, m, &cb, &err), MFH_OK);
      ck_assert_int_eq(mfh_sc_dual_chi(C, M, XMIN, DX, 0.3, k, m, &cc, &err), MFH_OK);
      ck_assert(cabs(cc - (alpha * ca + beta * cb)) < 1e-12);
    }
  mfh_sc_dual_obs oa, ob, oc;
  ck_assert_int_eq(mfh_sc_dual_observables(A, M, XMIN, DX, 0.3, &oa, &err), MFH_OK);
  ck_assert_int_eq(mfh_sc_dual_observables(B, M, XMIN, DX, 0.3, &ob, &err), MFH_OK);
  ck_assert_int_eq(mfh_sc_dual_observables(C, M, XMIN, DX, 0.3, &oc, &err), MFH_OK);
  ck_assert(fabs(oc.gauss_x - (alpha * oa.gauss_x + beta * ob.gauss_x)) < 1e-12);
  ck_assert(fabs(oc.gauss_xi - (alpha * oa.gauss_xi + beta * ob.gauss_xi)) < 1e-12);
  ck_assert(fabs(oc.cos_x - (alpha * oa.cos_x + beta * ob.cos_x)) < 1e-12);
  free(A);
  free(B);
  free(C);
}
END_TEST

/* The proxy of |z1><z1| - |z2><z2| equals the brute-force maximum of the
 * weighted closed form over the same mode set, with the same arg-max. */
START_TEST(test_dual_max) {
  double eps = 0.4, q1 = 0.3, p1 = 0.2, q2 = -0.2, p2 = 0.5;
  double complex *K1 = coherent_kernel(eps, q1, p1), *K2 = coherent_kernel(eps, q2, p2);
  for (int i = 0; i < M * M; i++) K1[i] -= K2[i];
  mfh_sc_dual_modes modes;
  mfh_sc_dual_modes_default(&modes);
  mfh_sc_dual_result res;
  mfh_err err;
  ck_assert_int_eq(mfh_sc_dual_norm(K1, M, XMIN, DX, eps, &modes, &res, &err), MFH_OK);
  double best = -1, bk = 0, bl = 0;
  for (size_t idx = 0; idx < mfh_sc_dual_nmodes(&modes); idx++) {
    double k, l, w;
    mfh_sc_dual_mode(&modes, DX, eps, idx, &k, &l, &w);
    double v = w * cabs(chi_exact(eps, q1, p1, k, l) - chi_exact(eps, q2, p2, k, l));
    if (v > best) best = v, bk = k, bl = l;
  }
  ck_assert_msg(fabs(res.value - best) < 1e-10, "proxy %g vs %g", res.value, best);
  ck_assert(res.k == bk && res.l == bl);
  ck_assert(res.value > 0.1); /* two distinct states: O(1) */
  /* Identical states: zero. */
  double complex *K3 = coherent_kernel(eps, q1, p1), *K4 = coherent_kernel(eps, q1, p1);
  for (int i = 0; i < M * M; i++) K3[i] -= K4[i];
  ck_assert_int_eq(mfh_sc_dual_norm(K3, M, XMIN, DX, eps, &modes, &res, &err), MFH_OK);
  ck_assert(res.value == 0);
  free(K1);
  free(K2);
  free(K3);
  free(K4);
}
END_TEST

START_TEST(test_observables) {
  double eps = 0.6, q = 0.8, p = -0.5;
  double complex *K = coherent_kernel(eps, q, p);
  mfh_sc_dual_obs o;
  mfh_err err;
  ck_assert_int_eq(mfh_sc_dual_observables(K, M, XMIN, DX, eps, &o, &err), MFH_OK);
  double gx = exp(-q * q / (2 + eps)) / sqrt(1 + eps / 2);
  double gxi = exp(-p * p / (2 + eps)) / sqrt(1 + eps / 2);
  double cx = exp(-eps / 4) * cos(q);
  ck_assert_msg(fabs(o.gauss_x - gx) < 1e-10, "gauss_x %.15g vs %.15g", o.gauss_x, gx);
  ck_assert_msg(fabs(o.gauss_xi - gxi) < 1e-10, "gauss_xi %.15g vs %.15g", o.gauss_xi, gxi);
  ck_assert_msg(fabs(o.cos_x - cx) < 1e-10, "cos_x %.15g vs %.15g", o.cos_x, cx);
  free(K);
}
END_TEST

/* Fixed physical modes: chi at any l from the trigonometric interpolant
 * matches the coherent closed form (k on the box lattice 2 pi / L, l off the
 * grid lattice), equals the grid sum where l is on the lattice, gives
 * chi(0,0) = tr D, and the proxy's arg-max is the closed form's. */
START_TEST(test_fixed_modes) {
  double eps = 0.5, q = 0.7, p = -0.4, L = M * DX, k0 = 2 * M_PI / L;
  double complex *K = coherent_kernel(eps, q, p);
  mfh_err err;
  mfh_sc_dual_fixed fm = {8, 0.3, 12}; /* |k| <= 8 k0 = 3.14, l = 0..3.3 */
  size_t nj = 17, n = nj * 12;
  double complex *chi = malloc(n * sizeof *chi);
  ck_assert_int_eq(mfh_sc_dual_chi_fixed(K, M, XMIN, DX, eps, &fm, chi, &err), MFH_OK);
  double maxerr = 0;
  for (size_t idx = 0; idx < n; idx++) {
    double k = ((double)(idx % nj) - 8) * k0, l = (double)(idx / nj) * 0.3;
    maxerr = fmax(maxerr, cabs(chi[idx] - chi_exact(eps, q, p, k, l)));
  }
  ck_assert_msg(maxerr < 1e-10, "fixed-mode chi error %g", maxerr);
  /* on the grid lattice (lstep = 2 dx / eps) it is the grid sum */
  mfh_sc_dual_fixed lat = {4, 2 * DX / eps, 6};
  double complex chl[9 * 6];
  ck_assert_int_eq(mfh_sc_dual_chi_fixed(K, M, XMIN, DX, eps, &lat, chl, &err), MFH_OK);
  for (int m = 0; m < 6; m++)
    for (int j = -4; j <= 4; j++) {
      double complex g;
      ck_assert_int_eq(mfh_sc_dual_chi(K, M, XMIN, DX, eps, j * k0, m, &g, &err), MFH_OK);
      ck_assert_msg(cabs(g - chl[m * 9 + j + 4]) < 1e-12, "lattice m %d j %d: %g", m, j,
                    cabs(g - chl[m * 9 + j + 4]));
    }
  /* chi(0,0) = tr D for a difference of two states (0 here, to round-off) */
  double complex *K2 = coherent_kernel(eps, -1.0, 0.8);
  for (size_t i = 0; i < (size_t)M * M; i++) K2[i] = K[i] - K2[i];
  mfh_sc_dual_result r;
  ck_assert_int_eq(mfh_sc_dual_norm_fixed(K2, M, XMIN, DX, eps, &fm, &r, &err), MFH_OK);
  ck_assert_int_eq(mfh_sc_dual_chi_fixed(K2, M, XMIN, DX, eps, &fm, chi, &err), MFH_OK);
  ck_assert(cabs(chi[8]) < 1e-13);
  /* brute-force max of the closed form over the same modes */
  double best = -1;
  for (size_t idx = 0; idx < n; idx++) {
    double k = ((double)(idx % nj) - 8) * k0, l = (double)(idx / nj) * 0.3;
    double w = 1 / (pow(fmax(1, fabs(k)), 2) * pow(fmax(1, fabs(l)), 2));
    double v = w * cabs(chi_exact(eps, q, p, k, l) - chi_exact(eps, -1.0, 0.8, k, l));
    if (v > best) best = v;
  }
  ck_assert_msg(fabs(r.value - best) < 1e-10, "proxy %g vs closed form %g", r.value, best);
  /* bad mode sets */
  mfh_sc_dual_fixed bad = {M, 0.3, 4};
  ck_assert_int_eq(mfh_sc_dual_chi_fixed(K, M, XMIN, DX, eps, &bad, chi, &err), MFH_EINPUT);
  bad = (mfh_sc_dual_fixed){2, 0, 4};
  ck_assert_int_eq(mfh_sc_dual_norm_fixed(K, M, XMIN, DX, eps, &bad, &r, &err), MFH_EINPUT);
  free(chi);
  free(K);
  free(K2);
}
END_TEST

START_TEST(test_bad_args) {
  double complex D[16] = {0};
  double complex c;
  mfh_err err;
  mfh_sc_dual_modes modes = {0.25, 2, 2};
  mfh_sc_dual_result res;
  mfh_sc_dual_obs o;
  ck_assert_int_eq(mfh_sc_dual_chi(NULL, 4, 0, 1, 1, 0, 0, &c, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_chi(D, 4, 0, 1, 0, 0, 0, &c, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_chi(D, 4, 0, -1, 1, 0, 0, &c, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_chi(D, 4, 0, 1, 1, 0, 2, &c, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_chi(D, 4, 0, 1, 1, NAN, 0, &c, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_norm(D, 4, 0, 1, 1, &modes, &res, &err), MFH_EINPUT); /* mmax */
  modes.mmax = 1;
  ck_assert_int_eq(mfh_sc_dual_norm(D, 4, 0, 1, 1, &modes, &res, &err), MFH_OK);
  modes.kstep = 0;
  ck_assert_int_eq(mfh_sc_dual_norm(D, 4, 0, 1, 1, &modes, &res, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_observables(D, 1, 0, 1, 1, &o, &err), MFH_EINPUT);
  ck_assert_int_eq(mfh_sc_dual_observables(D, 4, 0, 1, 1, NULL, &err), MFH_EINPUT);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("dualnorm");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_coherent_chi);
  tcase_add_test(tc, test_fixed_modes);
  tcase_add_test(tc, test_trace_and_linearity);
  tcase_add_test(tc, test_dual_max);
  tcase_add_test(tc, test_observables);
  tcase_add_test(tc, test_bad_args);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return mfh_test_main(suite()); }
