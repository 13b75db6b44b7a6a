/* Wigner and Husimi transforms: see wigner.h. */
#include "metrics/semiclassical/wigner.h"
#include "core/fftw.h"

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define SC_PI 3.14159265358979323846

/* ---- workspace ------------------------------------------------------------ */

struct mfh_sc_phase {
  mfh_xgrid g;
  double eps;
  size_t n, nxi, M; /* M = min(nxi/2, n): the s-window half width in h = dx/2 */
  int threads;      /* scratch sets allocated (>= 1) */
  /* Spectral upsampling n -> 2n (shared by orbitals and kernels). */
  fftw_complex *ubuf_in, *ubuf_hat, *ubuf_big, *ubuf_out;
  fftw_plan up_fwd, up_bwd;
  /* Per-thread c2r scratch for the xi transforms. */
  fftw_complex **cin;
  double **rout;
  fftw_plan xi_c2r;
  /* Gaussian smoothing: 2D r2c / c2r on nx x nxi. */
  double *sbuf;
  fftw_complex *shat;
  fftw_plan s_fwd, s_bwd;
  /* Accumulator: acc[j * (M+1) + m] = sum_k w_k psi_k(x_j + m h) conj(psi_k(x_j - m h)). */
  double complex *acc;
};

void mfh_sc_phase_destroy(mfh_sc_phase *ws) {
  if (!ws) return;
  mfh_fftw_destroy_plans(ws->up_fwd, ws->up_bwd, ws->xi_c2r, ws->s_fwd, ws->s_bwd);
  fftw_free(ws->ubuf_in);
  fftw_free(ws->ubuf_hat);
  fftw_free(ws->ubuf_big);
  fftw_free(ws->ubuf_out);
  if (ws->cin)
    for (int t = 0; t < ws->threads; t++) fftw_free(ws->cin[t]);
  if (ws->rout)
    for (int t = 0; t < ws->threads; t++) fftw_free(ws->rout[t]);
  free(ws->cin);
  free(ws->rout);
  fftw_free(ws->sbuf);
  fftw_free(ws->shat);
  free(ws->acc);
  free(ws);
}

int mfh_sc_phase_create(const mfh_xgrid *g, double eps, size_t nxi, int threads,
                        mfh_sc_phase **out, mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "phase workspace: NULL output");
  *out = NULL;
  if ((st = mfh_sc_grid_check(g, err)) != MFH_OK) return st;
  if (g->dim != 1)
    return mfh_err_set(err, MFH_EINPUT, "phase workspace: only grid.dim = 1 is supported "
                                        "(got %d)", g->dim);
  if (!(eps > 0) || !isfinite(eps))
    return mfh_err_set(err, MFH_EINPUT, "eps: must be finite and > 0 (got %g)", eps);
  if (nxi < 4 || nxi % 2 != 0 || nxi > ((size_t)1 << 24))
    return mfh_err_set(err, MFH_EINPUT, "nxi: must be an even integer in [4, 2^24] (got %zu)",
                       nxi);
  if (threads < 0 || threads > 4096)
    return mfh_err_set(err, MFH_EINPUT, "threads: must be in [0, 4096] (got %d)", threads);
  size_t n = g->n;
  if (n > SIZE_MAX / sizeof(double) / nxi / 2)
    return mfh_err_set(err, MFH_EINPUT, "phase workspace: %zu x %zu grid overflows", n, nxi);
  int nt = threads;
#ifdef _OPENMP
  if (nt == 0) nt = omp_get_max_threads();
#endif
  if (nt < 1) nt = 1;
  mfh_sc_phase *ws = calloc(1, sizeof *ws);
  if (!ws) return mfh_err_set(err, MFH_ENOMEM, "phase workspace: out of memory");
  ws->g = *g;
  ws->eps = eps;
  ws->n = n;
  ws->nxi = nxi;
  ws->M = nxi / 2 < n ? nxi / 2 : n;
  ws->threads = nt;
  size_t nh = nxi / 2 + 1;
  ws->ubuf_in = fftw_malloc(n * sizeof(fftw_complex));
  ws->ubuf_hat = fftw_malloc(n * sizeof(fftw_complex));
  ws->ubuf_big = fftw_malloc(2 * n * sizeof(fftw_complex));
  ws->ubuf_out = fftw_malloc(2 * n * sizeof(fftw_complex));
  ws->cin = calloc((size_t)nt, sizeof *ws->cin);
  ws->rout = calloc((size_t)nt, sizeof *ws->rout);
  ws->sbuf = fftw_malloc(n * nxi * sizeof(double));
  ws->shat = fftw_malloc(n * nh * sizeof(fftw_complex));
  ws->acc = malloc(n * (ws->M + 1) * sizeof *ws->acc);
  if (!ws->ubuf_in || !ws->ubuf_hat || !ws->ubuf_big || !ws->ubuf_out || !ws->cin || !ws->rout ||
      !ws->sbuf || !ws->shat || !ws->acc)
    goto nomem;
  for (int t = 0; t < nt; t++) {
    ws->cin[t] = fftw_malloc(nh * sizeof(fftw_complex));
    ws->rout[t] = fftw_malloc(nxi * sizeof(double));
    if (!ws->cin[t] || !ws->rout[t]) goto nomem;
  }
  int in = (int)n, i2n = (int)(2 * n), ixi = (int)nxi;
#pragma omp critical(mfh_fftw_planner)
  {
    ws->up_fwd = fftw_plan_dft_1d(in, ws->ubuf_in, ws->ubuf_hat, FFTW_FORWARD, FFTW_ESTIMATE);
    ws->up_bwd = fftw_plan_dft_1d(i2n, ws->ubuf_big, ws->ubuf_out, FFTW_BACKWARD, FFTW_ESTIMATE);
    ws->xi_c2r = fftw_plan_dft_c2r_1d(ixi, ws->cin[0], ws->rout[0], FFTW_ESTIMATE);
    ws->s_fwd = fftw_plan_dft_r2c_2d(in, ixi, ws->sbuf, ws->shat, FFTW_ESTIMATE);
    ws->s_bwd = fftw_plan_dft_c2r_2d(in, ixi, ws->shat, ws->sbuf, FFTW_ESTIMATE);
  }
  if (!ws->up_fwd || !ws->up_bwd || !ws->xi_c2r || !ws->s_fwd || !ws->s_bwd) {
    mfh_sc_phase_destroy(ws);
    return mfh_err_set(err, MFH_ENOMEM, "phase workspace: FFTW could not plan (n %zu, nxi %zu)",
                       n, nxi);
  }
  *out = ws;
  return MFH_OK;
nomem:
  mfh_sc_phase_destroy(ws);
  return mfh_err_set(err, MFH_ENOMEM, "phase workspace: out of memory (n %zu, nxi %zu)", n, nxi);
}

int mfh_sc_phase_grid_alloc(const mfh_sc_phase *ws, mfh_phase_grid *ps, mfh_err *err) {
  if (!ws) return mfh_err_set(err, MFH_EINPUT, "phase workspace: NULL");
  int st = mfh_phase_grid_alloc(ps, ws->n, ws->nxi, err);
  if (st != MFH_OK) return st;
  ps->xmin = ws->g.xmin;
  ps->dx = ws->g.dx;
  ps->vmin = -SC_PI * ws->eps / ws->g.dx;
  ps->dv = 2 * SC_PI * ws->eps / ((double)ws->nxi * ws->g.dx);
  return MFH_OK;
}

static int check_ps(const mfh_sc_phase *ws, const mfh_phase_grid *ps, const char *what,
                    mfh_err *err) {
  if (!ps || !ps->f) return mfh_err_set(err, MFH_EINPUT, "%s: NULL phase-space grid", what);
  double ximin = -SC_PI * ws->eps / ws->g.dx;
  double dxi = 2 * SC_PI * ws->eps / ((double)ws->nxi * ws->g.dx);
  if (ps->nx != ws->n || ps->nv != ws->nxi || ps->xmin != ws->g.xmin || ps->dx != ws->g.dx ||
      fabs(ps->vmin - ximin) > 1e-12 * fabs(ximin) || fabs(ps->dv - dxi) > 1e-12 * dxi)
    return mfh_err_set(err, MFH_EINPUT,
                       "%s: phase-space grid %zu x %zu (x from %g step %g, xi from %g step %g) "
                       "is not the workspace's (%zu x %zu, x from %g step %g, xi from %g step "
                       "%g); allocate it with mfh_sc_phase_grid_alloc",
                       what, ps->nx, ps->nv, ps->xmin, ps->dx, ps->vmin, ps->dv, ws->n,
                       ws->nxi, ws->g.xmin, ws->g.dx, ximin, dxi);
  return MFH_OK;
}

/* Spectral upsampling of n samples (stride `stride` in src) to 2n samples
 * (stride dstride in dst): dst[2j] = src[j] exactly, dst[2j+1] the
 * trigonometric interpolant at the half nodes (Nyquist mode split evenly). */
static void upsample(mfh_sc_phase *ws, const double complex *src, size_t stride,
                     double complex *dst, size_t dstride) {
  size_t n = ws->n, h = n / 2;
  double complex *in = (double complex *)ws->ubuf_in, *hat = (double complex *)ws->ubuf_hat;
  double complex *big = (double complex *)ws->ubuf_big, *o = (double complex *)ws->ubuf_out;
  for (size_t j = 0; j < n; j++) in[j] = src[j * stride];
  fftw_execute(ws->up_fwd);
  double inv = 1.0 / (double)n;
  memset(big, 0, 2 * n * sizeof *big);
  for (size_t k = 0; k < h; k++) big[k] = hat[k] * inv;
  for (size_t k = h + 1; k < n; k++) big[n + k] = hat[k] * inv;
  big[h] = 0.5 * hat[h] * inv;
  big[2 * n - h] = 0.5 * hat[h] * inv;
  fftw_execute(ws->up_bwd);
  for (size_t j = 0; j < 2 * n; j++) dst[j * dstride] = o[j];
  for (size_t j = 0; j < n; j++) dst[2 * j * dstride] = src[j * stride]; /* exact on nodes */
}

static int check_state_grid(const mfh_sc_phase *ws, const mfh_sc_state *R, mfh_err *err) {
  int st = mfh_sc_state_check(R, err);
  if (st != MFH_OK) return st;
  if (R->grid.dim != 1 || R->grid.n != ws->n || R->grid.xmin != ws->g.xmin ||
      R->grid.dx != ws->g.dx)
    return mfh_err_set(err, MFH_EINPUT,
                       "state grid (dim %d, n %zu, xmin %g, dx %g) differs from the workspace's "
                       "(dim 1, n %zu, xmin %g, dx %g)", R->grid.dim, R->grid.n, R->grid.xmin,
                       R->grid.dx, ws->n, ws->g.xmin, ws->g.dx);
  return MFH_OK;
}

int mfh_sc_wigner(mfh_sc_phase *ws, const mfh_sc_state *R, mfh_phase_grid *W,
                  mfh_sc_wigner_diag *diag, mfh_err *err) {
  int st;
  if (!ws) return mfh_err_set(err, MFH_EINPUT, "Wigner: NULL workspace");
  if ((st = check_state_grid(ws, R, err)) != MFH_OK) return st;
  if ((st = check_ps(ws, W, "Wigner", err)) != MFH_OK) return st;
  size_t n = ws->n, n2 = 2 * n, M = ws->M, M1 = M + 1, nxi = ws->nxi;
  double complex *acc = ws->acc;
  memset(acc, 0, n * M1 * sizeof *acc);
  if (R->kind == MFH_SC_ORBITALS) {
    double complex *f = malloc(n2 * sizeof *f);
    if (!f) return mfh_err_set(err, MFH_ENOMEM, "Wigner: out of memory");
    for (size_t k = 0; k < R->norb; k++) {
      double w = R->w[k];
      if (w == 0) continue;
      upsample(ws, R->orb + k * n, 1, f, 1);
#pragma omp parallel for num_threads(ws->threads) schedule(static)
      for (size_t j = 0; j < n; j++) {
        double complex *a = acc + j * M1;
        size_t J = 2 * j;
        size_t mmax = J < n2 - 1 - J ? J : n2 - 1 - J; /* both points inside the box */
        if (mmax > M) mmax = M;
        for (size_t m = 0; m <= mmax; m++) a[m] += w * f[J + m] * conj(f[J - m]);
      }
    }
    free(f);
  } else {
    /* Upsample the kernel in both indices: rows n -> 2n, then columns. */
    double complex *t = malloc(n * n2 * sizeof *t), *F = malloc(n2 * n2 * sizeof *F);
    if (!t || !F) {
      free(t);
      free(F);
      return mfh_err_set(err, MFH_ENOMEM, "Wigner: out of memory for a %zu x %zu kernel", n2,
                         n2);
    }
    for (size_t i = 0; i < n; i++) upsample(ws, R->kernel + i * n, 1, t + i * n2, 1);
    for (size_t c = 0; c < n2; c++) upsample(ws, t + c, n2, F + c, n2);
    free(t);
    for (size_t j = 0; j < n; j++) {
      size_t J = 2 * j;
      size_t mmax = J < n2 - 1 - J ? J : n2 - 1 - J;
      if (mmax > M) mmax = M;
      for (size_t m = 0; m <= mmax; m++) acc[j * M1 + m] = F[(J + m) * n2 + (J - m)];
    }
    free(F);
  }
  /* Diagnostics on the accumulated anti-diagonals. */
  double amax = 0, aedge = 0;
  for (size_t j = 0; j < n; j++) {
    double a0 = fabs(creal(acc[j * M1])), ae = cabs(acc[j * M1 + M]);
    if (a0 > amax) amax = a0;
    if (ae > aedge) aedge = ae;
  }
  /* One real FFT per x_j (see the header): input b_l = conj(c_l (-1)^l K(l)). */
  double pre = (0.5 * ws->g.dx) / (SC_PI * ws->eps);
  int bad = 0;
#pragma omp parallel num_threads(ws->threads) reduction(| : bad)
  {
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    double complex *b = (double complex *)ws->cin[tid];
    double *o = ws->rout[tid];
#pragma omp for schedule(static)
    for (size_t j = 0; j < n; j++) {
      const double complex *a = acc + j * M1;
      memset(b, 0, (nxi / 2 + 1) * sizeof *b);
      b[0] = creal(a[0]);
      for (size_t m = 1; m < M; m++) b[m] = (m % 2 ? -1.0 : 1.0) * conj(a[m]);
      double sg = M % 2 ? -1.0 : 1.0;
      if (M == nxi / 2)
        b[M] = sg * creal(a[M]); /* both ends +-M land on the Nyquist index */
      else
        b[M] = 0.5 * sg * conj(a[M]);
      fftw_execute_dft_c2r(ws->xi_c2r, (fftw_complex *)b, o);
      double *row = W->f + j * nxi;
      for (size_t k = 0; k < nxi; k++) {
        row[k] = pre * o[k];
        if (!isfinite(row[k])) bad = 1;
      }
    }
  }
  if (bad) return mfh_err_set(err, MFH_ENUMERIC, "Wigner: non-finite values");
  if (diag) {
    diag->window_edge = (M < n && amax > 0) ? aedge / amax : 0;
    double wmax = 0, bmax = 0;
    for (size_t j = 0; j < n; j++) {
      const double *row = W->f + j * nxi;
      for (size_t k = 0; k < nxi; k++)
        if (fabs(row[k]) > wmax) wmax = fabs(row[k]);
      if (fabs(row[0]) > bmax) bmax = fabs(row[0]);
      if (fabs(row[nxi - 1]) > bmax) bmax = fabs(row[nxi - 1]);
    }
    diag->band_edge = wmax > 0 ? bmax / wmax : 0;
  }
  return MFH_OK;
}

int mfh_sc_gauss_smooth(mfh_sc_phase *ws, const mfh_phase_grid *in, double var,
                        mfh_phase_grid *out, mfh_err *err) {
  int st;
  if (!ws) return mfh_err_set(err, MFH_EINPUT, "Gaussian smoothing: NULL workspace");
  if ((st = check_ps(ws, in, "Gaussian smoothing (input)", err)) != MFH_OK) return st;
  if ((st = check_ps(ws, out, "Gaussian smoothing (output)", err)) != MFH_OK) return st;
  if (!(var >= 0) || !isfinite(var))
    return mfh_err_set(err, MFH_EINPUT, "Gaussian smoothing: variance must be finite and >= 0 "
                                        "(got %g)", var);
  size_t n = ws->n, nxi = ws->nxi, nh = nxi / 2 + 1;
  memcpy(ws->sbuf, in->f, n * nxi * sizeof(double));
  fftw_execute(ws->s_fwd);
  double complex *hat = (double complex *)ws->shat;
  double Lx = (double)n * ws->g.dx, Lp = (double)nxi * in->dv, norm = 1.0 / ((double)n * nxi);
  for (size_t a = 0; a < n; a++) {
    double ka = 2 * SC_PI * (double)(a <= n / 2 ? (double)a : (double)a - (double)n) / Lx;
    for (size_t l = 0; l < nh; l++) {
      double kl = 2 * SC_PI * (double)l / Lp;
      hat[a * nh + l] *= norm * exp(-0.5 * var * (ka * ka + kl * kl));
    }
  }
  fftw_execute(ws->s_bwd);
  memcpy(out->f, ws->sbuf, n * nxi * sizeof(double));
  return MFH_OK;
}

int mfh_sc_husimi(mfh_sc_phase *ws, const mfh_sc_state *R, mfh_phase_grid *H,
                  mfh_sc_wigner_diag *diag, mfh_err *err) {
  int st = mfh_sc_wigner(ws, R, H, diag, err);
  if (st != MFH_OK) return st;
  return mfh_sc_gauss_smooth(ws, H, 0.5 * ws->eps, H, err);
}

int mfh_sc_husimi_at(const mfh_sc_state *R, double eps, size_t npts, const double *z, double *out,
                     mfh_err *err) {
  int st;
  if ((st = mfh_sc_state_check(R, err)) != MFH_OK) return st;
  if (!(eps > 0) || !isfinite(eps))
    return mfh_err_set(err, MFH_EINPUT, "eps: must be finite and > 0 (got %g)", eps);
  if (npts == 0) return MFH_OK;
  if (!z || !out) return mfh_err_set(err, MFH_EINPUT, "Husimi: NULL points or output");
  const mfh_xgrid *g = &R->grid;
  size_t N = mfh_xgrid_points(g);
  int d = g->dim;
  double cell = mfh_xgrid_cell(g), pre = pow(2 * SC_PI * eps, -(double)d);
  double complex *c = malloc(N * sizeof *c);
  if (!c) return mfh_err_set(err, MFH_ENOMEM, "Husimi: out of memory");
  for (size_t i = 0; i < npts; i++) {
    if ((st = mfh_sc_coherent(g, eps, z + i * 2 * d, z + i * 2 * d + d, c, err)) != MFH_OK) {
      mfh_err_prefix(err, "Husimi point %zu", i);
      free(c);
      return st;
    }
    double v = 0;
    if (R->kind == MFH_SC_ORBITALS) {
      for (size_t k = 0; k < R->norb; k++) {
        if (R->w[k] == 0) continue;
        const double complex *p = R->orb + k * N;
        double complex ov = 0;
        for (size_t j = 0; j < N; j++) ov += conj(c[j]) * p[j];
        ov *= cell;
        v += R->w[k] * (creal(ov) * creal(ov) + cimag(ov) * cimag(ov));
      }
    } else {
      double complex s = 0;
      for (size_t a = 0; a < N; a++) {
        double complex r = 0;
        const double complex *row = R->kernel + a * N;
        for (size_t b = 0; b < N; b++) r += row[b] * c[b];
        s += conj(c[a]) * r;
      }
      v = creal(s) * cell * cell;
    }
    out[i] = pre * v;
  }
  free(c);
  return MFH_OK;
}
