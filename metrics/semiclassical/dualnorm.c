/* Wigner characteristic functions on the grid, the dual-norm proxy and
 * smooth observables.  See dualnorm.h. */
#include "metrics/semiclassical/dualnorm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "core/cmplx.h"
#include "core/fftw.h"

#define DUAL_PI 3.14159265358979323846

void mfh_sc_dual_modes_default(mfh_sc_dual_modes *m) {
  if (!m) return;
  m->kstep = 0.25;
  m->nk = 16;
  m->mmax = 8;
}

size_t mfh_sc_dual_nmodes(const mfh_sc_dual_modes *m) {
  if (!m || m->nk < 0 || m->mmax < 0) return 0;
  return (size_t)(2 * m->nk + 1) * (size_t)(m->mmax + 1);
}

void mfh_sc_dual_mode(const mfh_sc_dual_modes *m, double dx, double eps, size_t idx, double *k,
                      double *l, double *weight) {
  size_t nj = (size_t)(2 * m->nk + 1);
  int mi = (int)(idx / nj), j = (int)(idx % nj) - m->nk;
  double kk = j * m->kstep, ll = 2.0 * mi * dx / eps;
  double wk = fmax(1.0, fabs(kk)), wl = fmax(1.0, fabs(ll));
  if (k) *k = kk;
  if (l) *l = ll;
  if (weight) *weight = 1.0 / (wk * wk * wl * wl);
}

static int check_common(const double complex *D, size_t M, double xmin, double dx, double eps,
                        mfh_err *err) {
  if (!D) return mfh_err_set(err, MFH_EINPUT, "dualnorm: D is NULL");
  if (M < 2) return mfh_err_set(err, MFH_EINPUT, "dualnorm: M = %zu: must be >= 2", M);
  if (!isfinite(xmin)) return mfh_err_set(err, MFH_EINPUT, "dualnorm: xmin is not finite");
  if (!(isfinite(dx) && dx > 0))
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: dx = %g: must be finite and > 0", dx);
  if (!(isfinite(eps) && eps > 0))
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: eps = %g: must be finite and > 0", eps);
  return MFH_OK;
}

/* dx sum_i e^{i k x_i} D[(i + m) M + (i - m)], i = m..M-1-m, in index order. */
static double complex chi_one(const double complex *D, size_t M, double xmin, double dx, double k,
                              size_t m) {
  double sr = 0.0, si = 0.0;
  for (size_t i = m; i + m < M; i++) {
    double x = xmin + (double)i * dx, c = cos(k * x), s = sin(k * x);
    double complex d = D[(i + m) * M + (i - m)];
    sr += c * creal(d) - s * cimag(d);
    si += c * cimag(d) + s * creal(d);
  }
  return CMPLX(dx * sr, dx * si);
}

int mfh_sc_dual_chi(const double complex *D, size_t M, double xmin, double dx, double eps,
                    double k, int m, double complex *chi, mfh_err *err) {
  int rc = check_common(D, M, xmin, dx, eps, err);
  if (rc) return rc;
  if (!chi) return mfh_err_set(err, MFH_EINPUT, "dualnorm: chi is NULL");
  if (!isfinite(k)) return mfh_err_set(err, MFH_EINPUT, "dualnorm: k is not finite");
  if (m < 0 || 2 * (size_t)m >= M)
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: m = %d: must be in 0..%zu", m, (M - 1) / 2);
  *chi = chi_one(D, M, xmin, dx, k, (size_t)m);
  return MFH_OK;
}

static int check_modes(const mfh_sc_dual_modes *modes, size_t M, mfh_err *err) {
  if (!modes) return mfh_err_set(err, MFH_EINPUT, "dualnorm: modes is NULL");
  if (!(isfinite(modes->kstep) && modes->kstep > 0))
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: kstep = %g: must be finite and > 0",
                       modes->kstep);
  if (modes->nk < 0 || modes->nk > 100000)
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: nk = %d: must be in 0..100000", modes->nk);
  if (modes->mmax < 0 || 2 * (size_t)modes->mmax >= M)
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: mmax = %d: must be in 0..%zu", modes->mmax,
                       (M - 1) / 2);
  return MFH_OK;
}

int mfh_sc_dual_chi_all(const double complex *D, size_t M, double xmin, double dx, double eps,
                        const mfh_sc_dual_modes *modes, double complex *chi, mfh_err *err) {
  int rc = check_common(D, M, xmin, dx, eps, err);
  if (!rc) rc = check_modes(modes, M, err);
  if (rc) return rc;
  if (!chi) return mfh_err_set(err, MFH_EINPUT, "dualnorm: chi is NULL");
  size_t nj = (size_t)(2 * modes->nk + 1);
  /* Phase table e^{i k_j x_i}: cos and sin, nj x M. */
  double *c = malloc(nj * M * sizeof *c), *s = malloc(nj * M * sizeof *s);
  double *dr = malloc(M * sizeof *dr), *di = malloc(M * sizeof *di);
  if (!c || !s || !dr || !di) {
    free(c);
    free(s);
    free(dr);
    free(di);
    return mfh_err_set(err, MFH_ENOMEM, "dualnorm: out of memory");
  }
  for (size_t j = 0; j < nj; j++) {
    double k = ((double)j - modes->nk) * modes->kstep;
    for (size_t i = 0; i < M; i++) {
      double x = xmin + (double)i * dx;
      c[j * M + i] = cos(k * x);
      s[j * M + i] = sin(k * x);
    }
  }
  for (size_t m = 0; m <= (size_t)modes->mmax; m++) {
    for (size_t i = m; i + m < M; i++) {
      dr[i] = creal(D[(i + m) * M + (i - m)]);
      di[i] = cimag(D[(i + m) * M + (i - m)]);
    }
    for (size_t j = 0; j < nj; j++) {
      const double *cj = c + j * M, *sj = s + j * M;
      double sr = 0.0, si = 0.0;
      for (size_t i = m; i + m < M; i++) {
        sr += cj[i] * dr[i] - sj[i] * di[i];
        si += cj[i] * di[i] + sj[i] * dr[i];
      }
      chi[m * nj + j] = CMPLX(dx * sr, dx * si);
    }
  }
  free(c);
  free(s);
  free(dr);
  free(di);
  return MFH_OK;
}

void mfh_sc_dual_max(const double complex *chi, const mfh_sc_dual_modes *modes, double dx,
                     double eps, mfh_sc_dual_result *out) {
  size_t n = mfh_sc_dual_nmodes(modes);
  out->value = -1.0;
  out->mode = 0;
  for (size_t idx = 0; idx < n; idx++) {
    double k, l, w;
    mfh_sc_dual_mode(modes, dx, eps, idx, &k, &l, &w);
    double v = w * cabs(chi[idx]);
    if (v > out->value) {
      out->value = v;
      out->k = k;
      out->l = l;
      out->chi = chi[idx];
      out->weight = w;
      out->mode = idx;
    }
  }
}

int mfh_sc_dual_norm(const double complex *D, size_t M, double xmin, double dx, double eps,
                     const mfh_sc_dual_modes *modes, mfh_sc_dual_result *out, mfh_err *err) {
  if (!out) return mfh_err_set(err, MFH_EINPUT, "dualnorm: out is NULL");
  int rc = check_common(D, M, xmin, dx, eps, err);
  if (!rc) rc = check_modes(modes, M, err);
  if (rc) return rc;
  double complex *chi = malloc(mfh_sc_dual_nmodes(modes) * sizeof *chi);
  if (!chi) return mfh_err_set(err, MFH_ENOMEM, "dualnorm: out of memory");
  rc = mfh_sc_dual_chi_all(D, M, xmin, dx, eps, modes, chi, err);
  if (!rc) mfh_sc_dual_max(chi, modes, dx, eps, out);
  free(chi);
  return rc;
}

int mfh_sc_dual_observables(const double complex *D, size_t M, double xmin, double dx, double eps,
                            mfh_sc_dual_obs *out, mfh_err *err) {
  int rc = check_common(D, M, xmin, dx, eps, err);
  if (rc) return rc;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "dualnorm: out is NULL");
  double gx = 0.0, cx = 0.0;
  for (size_t i = 0; i < M; i++) {
    double x = xmin + (double)i * dx, d = creal(D[i * M + i]);
    gx += d * exp(-0.5 * x * x);
    cx += d * cos(x);
  }
  /* <e_m|D|e_m> = (dx^2 / L) sum_{ij} e^{-i k_m (x_i - x_j)} D_ij
   *             = (dx^2 / L) sum_d e^{-i k_m d dx} S_d, S_d = sum_{i - j = d} D_ij;
   * only the real part survives for Hermitian D (S_{-d} = conj S_d). */
  double L = (double)M * dx;
  size_t nd = 2 * M - 1;
  double *sr = calloc(nd, sizeof *sr), *si = calloc(nd, sizeof *si);
  if (!sr || !si) {
    free(sr);
    free(si);
    return mfh_err_set(err, MFH_ENOMEM, "dualnorm: out of memory");
  }
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < M; j++) {
      size_t d = i + (M - 1) - j; /* i - j + M - 1 */
      sr[d] += creal(D[i * M + j]);
      si[d] += cimag(D[i * M + j]);
    }
  double gxi = 0.0;
  long half = (long)M / 2;
  for (long m = -half; m < half; m++) {
    double k = 2.0 * DUAL_PI * (double)m / L;
    if (m == -half) k = DUAL_PI / dx;
    double a = exp(-0.5 * eps * eps * k * k), acc = 0.0;
    for (size_t d = 0; d < nd; d++) {
      double off = ((double)d - (double)(M - 1)) * dx;
      /* Re(e^{-i k off} (sr + i si)) */
      acc += cos(k * off) * sr[d] + sin(k * off) * si[d];
    }
    gxi += a * acc;
  }
  free(sr);
  free(si);
  out->gauss_x = dx * gx;
  out->cos_x = dx * cx;
  out->gauss_xi = dx * dx / L * gxi;
  return MFH_OK;
}

/* ---- fixed physical modes ------------------------------------------------ */

void mfh_sc_dual_fixed_default(double L, size_t M, mfh_sc_dual_fixed *modes) {
  int nk = (int)floor(4.0 * L / (2 * DUAL_PI) + 1e-9);
  if (M >= 1 && (size_t)(2 * nk) >= M) nk = (int)((M - 1) / 2);
  modes->nk = nk;
  modes->lstep = 0.25;
  modes->nl = 17;
}

size_t mfh_sc_dual_fixed_nmodes(const mfh_sc_dual_fixed *modes) {
  return (size_t)(2 * modes->nk + 1) * (size_t)modes->nl;
}

static int fixed_ok(const mfh_sc_dual_fixed *f, size_t M, mfh_err *err) {
  if (!f) return mfh_err_set(err, MFH_EINPUT, "dualnorm: no mode set");
  if (f->nk < 0 || (size_t)(2 * f->nk) >= M)
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: nk = %d: must be in 0..%zu (2 nk < M)", f->nk, (M - 1) / 2);
  if (!(isfinite(f->lstep) && f->lstep > 0))
    return mfh_err_set(err, MFH_EINPUT, "dualnorm: lstep = %g: must be finite and > 0", f->lstep);
  if (f->nl < 1 || f->nl > 100000) return mfh_err_set(err, MFH_EINPUT, "dualnorm: nl = %d: must be in 1..100000", f->nl);
  return MFH_OK;
}

int mfh_sc_dual_chi_fixed(const double complex *D, size_t M, double xmin, double dx, double eps,
                          const mfh_sc_dual_fixed *modes, double complex *chi, mfh_err *err) {
  int rc = check_common(D, M, xmin, dx, eps, err);
  if (!rc) rc = fixed_ok(modes, M, err);
  if (!rc && !chi) rc = mfh_err_set(err, MFH_EINPUT, "dualnorm: chi is NULL");
  if (rc) return rc;
  /* A[i][j] = D[i][(M - j) mod M]: its forward 2D DFT is
   * sum_ij D_ij e^{-2 pi i p i / M} e^{+2 pi i q j / M} = M^2 D^_{pq}. */
  fftw_complex *A = fftw_malloc(M * M * sizeof *A);
  if (!A) return mfh_err_set(err, MFH_ENOMEM, "dualnorm: out of memory (%zu x %zu FFT)", M, M);
  fftw_plan plan;
#pragma omp critical(mfh_fftw_planner)
  plan = fftw_plan_dft_2d((int)M, (int)M, A, A, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!plan) {
    fftw_free(A);
    return mfh_err_set(err, MFH_ENOMEM, "dualnorm: FFTW could not plan a %zu x %zu transform", M, M);
  }
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < M; j++) {
      A[i * M + j] = D[i * M + (M - j) % M]; /* fftw_complex is double complex here */
    }
  fftw_execute(plan);
  double L = (double)M * dx, k0 = 2 * DUAL_PI / L, scale = L / ((double)M * (double)M);
  int half = (int)(M / 2), nj = 2 * modes->nk + 1;
  for (int m = 0; m < modes->nl; m++) {
    double s = 0.5 * eps * m * modes->lstep;
    for (int jj = 0; jj < nj; jj++) {
      int j = jj - modes->nk;
      double kj = j * k0, sr = 0, si = 0;
      /* p and q = p + j both in -M/2..M/2-1 */
      int plo = -half > -half - j ? -half : -half - j, phi = half - 1 < half - 1 - j ? half - 1 : half - 1 - j;
      for (int p = plo; p <= phi; p++) {
        int q = p + j;
        size_t ip = (size_t)(p < 0 ? p + (int)M : p), iq = (size_t)(q < 0 ? q + (int)M : q);
        double ar = creal(A[ip * M + iq]), ai = cimag(A[ip * M + iq]);
        double th = (2 * p * k0 + kj) * s, c = cos(th), sn = sin(th);
        sr += ar * c - ai * sn;
        si += ar * sn + ai * c;
      }
      double ph = kj * xmin;
      double complex v = scale * CMPLX(sr, si) * CMPLX(cos(ph), sin(ph));
      chi[(size_t)m * (size_t)nj + (size_t)jj] = v;
    }
  }
  mfh_fftw_destroy_plans(plan);
  fftw_free(A);
  return MFH_OK;
}

int mfh_sc_dual_norm_fixed(const double complex *D, size_t M, double xmin, double dx, double eps,
                           const mfh_sc_dual_fixed *modes, mfh_sc_dual_result *out, mfh_err *err) {
  int rc = fixed_ok(modes, M < 2 ? 2 : M, err);
  if (rc) return rc;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "dualnorm: out is NULL");
  size_t nj = (size_t)(2 * modes->nk + 1), n = nj * (size_t)modes->nl;
  double complex *chi = malloc(n * sizeof *chi);
  if (!chi) return mfh_err_set(err, MFH_ENOMEM, "dualnorm: out of memory");
  rc = mfh_sc_dual_chi_fixed(D, M, xmin, dx, eps, modes, chi, err);
  if (!rc) {
    double k0 = 2 * DUAL_PI / ((double)M * dx);
    memset(out, 0, sizeof *out);
    out->value = -1;
    for (size_t idx = 0; idx < n; idx++) {
      double k = ((double)(idx % nj) - modes->nk) * k0, l = (double)(idx / nj) * modes->lstep;
      double wk = fmax(1.0, fabs(k)), wl = fmax(1.0, fabs(l)), w = 1.0 / (wk * wk * wl * wl);
      double v = w * cabs(chi[idx]);
      if (v > out->value) {
        out->value = v;
        out->k = k;
        out->l = l;
        out->chi = chi[idx];
        out->weight = w;
        out->mode = idx;
      }
    }
  }
  free(chi);
  return rc;
}
