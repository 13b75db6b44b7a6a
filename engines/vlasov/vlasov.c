/* 1D1V semi-Lagrangian Vlasov solver (see vlasov.h for the model, grid and
 * method).  Cheng & Knorr, J. Comput. Phys. 22 (1976) 330; Sonnendrucker,
 * Roche, Bertrand & Ghizzo, J. Comput. Phys. 149 (1999) 201. */
#include "engines/vlasov/vlasov.h"
#include "core/fftw.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <omp.h>

#define VL_PI 3.14159265358979323846
#define VL_BLOCK 8       /* v-columns gathered per x-advection task */
#define VL_NPART 7       /* per-row partial sums of the diagnostics */
#define VL_MAXN 16777216 /* 2^24: largest nx or nv */

typedef struct gauss_ctx {
  double a, s;
} gauss_ctx;

struct mfh_vlasov {
  mfh_vlasov_params p;
  size_t nx, nv;
  double dx, dv, len;
  int nthr;
  double t;
  double *f; /* nx * nv */
  /* x-advection: per thread VL_BLOCK real columns (stride ldx) and one
   * complex column; the phase table exp(-i k_m v_j tau)/nx (stride ldc). */
  size_t nxc, ldx, ldc;
  double *xbuf;
  fftw_complex *cbuf;
  fftw_complex *phase;
  double phase_tau;
  fftw_plan px_fwd, px_bwd;
  /* v-advection: one line per thread */
  double *vline;
  /* field: FFT length nf (nx, or 2 nx when zero-padded), multipliers */
  size_t nf, nfc;
  double *fbuf;
  fftw_complex *fhat, *acc_mult, *pot_mult;
  fftw_plan pf_fwd, pf_bwd;
  /* the pair potential actually used (callbacks or the Gaussian) */
  mfh_vlasov_fn1 V, dV;
  void *vctx;
  gauss_ctx gauss;
  int images;
  /* current and half-step density and field */
  double *rho, *acc, *rho_half, *acc_half;
  int have_half;
  double *part; /* nx * VL_NPART */
};

/* ---- small helpers -------------------------------------------------------- */

static double gauss_v(double x, void *ctx) {
  const gauss_ctx *g = ctx;
  return g->a * exp(-x * x / (2.0 * g->s * g->s));
}

static double gauss_dv(double x, void *ctx) {
  const gauss_ctx *g = ctx;
  return -g->a * x / (g->s * g->s) * exp(-x * x / (2.0 * g->s * g->s));
}

static int is_pair(int model) {
  return model == MFH_VLASOV_PAIR_PERIODIC || model == MFH_VLASOV_PAIR_FREE;
}

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* Weights of the 6-point Lagrange interpolant on the nodes -2..3 at
 * mu in [0, 1): p(mu) = sum_r w[r + 2] g(r).  mu = 0 gives exactly e_0. */
static void lagrange6(double mu, double w[6]) {
  double d0 = mu + 2.0, d1 = mu + 1.0, d2 = mu, d3 = mu - 1.0, d4 = mu - 2.0, d5 = mu - 3.0;
  w[0] = -(d1 * d2 * d3 * d4 * d5) / 120.0;
  w[1] = (d0 * d2 * d3 * d4 * d5) / 24.0;
  w[2] = -(d0 * d1 * d3 * d4 * d5) / 12.0;
  w[3] = (d0 * d1 * d2 * d4 * d5) / 12.0;
  w[4] = -(d0 * d1 * d2 * d3 * d5) / 24.0;
  w[5] = (d0 * d1 * d2 * d3 * d4) / 120.0;
}

/* Kernel g (V or V') at offset y, periodised over |n| <= images (periodic
 * model) or plain (free model). */
static double kernel_at(const mfh_vlasov *vl, mfh_vlasov_fn1 g, double y, int nlo, int nhi) {
  if (vl->p.model != MFH_VLASOV_PAIR_PERIODIC) return g(y, vl->vctx);
  double s = 0.0;
  for (int n = nlo; n <= nhi; n++) s += g(y + (double)n * vl->len, vl->vctx);
  return s;
}

/* Samples K[d] = g(d dx) (periodised) on the FFT grid of length nf, made
 * exactly even (parity +1) or odd (parity -1) in d. */
static void sample_kernel(const mfh_vlasov *vl, mfh_vlasov_fn1 g, int parity, double *k) {
  size_t nf = vl->nf, half = vl->p.model == MFH_VLASOV_PAIR_PERIODIC ? vl->nx / 2 : vl->nx - 1;
  int img = vl->images;
  for (size_t d = 0; d < nf; d++) k[d] = 0.0;
  for (size_t d = 0; d <= half; d++) {
    double y = (double)d * vl->dx, val;
    if (vl->p.model == MFH_VLASOV_PAIR_PERIODIC && 2 * d == vl->nx)
      /* y = L/2: use the symmetric set of images {+-L/2, +-3L/2, ...} */
      val = parity < 0 ? 0.0 : kernel_at(vl, g, y, -img - 1, img);
    else
      val = kernel_at(vl, g, y, -img, img);
    if (d == 0 && parity < 0) val = 0.0;
    k[d] = val;
    if (d > 0 && nf - d != d) k[nf - d] = parity < 0 ? -val : val;
  }
}

/* mult = scale * DFT(k) (k destroyed as FFT input); odd kernels get an
 * exactly imaginary multiplier, even ones an exactly real one. */
static void kernel_multiplier(mfh_vlasov *vl, double *k, int parity, double scale,
                              fftw_complex *mult) {
  fftw_execute_dft_r2c(vl->pf_fwd, k, mult);
  for (size_t m = 0; m < vl->nfc; m++) {
    double re = mult[m][0] * scale, im = mult[m][1] * scale;
    mult[m][0] = parity < 0 ? 0.0 : re;
    mult[m][1] = parity < 0 ? im : 0.0;
  }
}

/* ---- create / destroy ----------------------------------------------------- */

void mfh_vlasov_params_init(mfh_vlasov_params *p) {
  memset(p, 0, sizeof *p);
  p->nx = 64;
  p->nv = 64;
  p->xmin = 0.0;
  p->xmax = 2.0 * VL_PI;
  p->vmin = -6.0;
  p->vmax = 6.0;
  p->model = MFH_VLASOV_NONE;
  p->a = 1.0;
  p->s = 1.0;
  p->images = 3;
  p->ext_acc = 0.0;
  p->threads = 0;
}

static int validate(const mfh_vlasov_params *p, mfh_err *err) {
  if (p->nx < 4 || p->nx > VL_MAXN)
    return mfh_err_set(err, MFH_EINPUT, "vlasov: nx = %d: must be an integer in [4, %d]", p->nx,
                       VL_MAXN);
  if (p->nv < 4 || p->nv > VL_MAXN)
    return mfh_err_set(err, MFH_EINPUT, "vlasov: nv = %d: must be an integer in [4, %d]", p->nv,
                       VL_MAXN);
  if ((size_t)p->nx > SIZE_MAX / 16 / (size_t)p->nv)
    return mfh_err_set(err, MFH_EINPUT, "vlasov: nx * nv = %d * %d: grid too large", p->nx, p->nv);
  if (!isfinite(p->xmin) || !isfinite(p->xmax) || !(p->xmax > p->xmin) ||
      !isfinite(p->xmax - p->xmin))
    return mfh_err_set(err, MFH_EINPUT, "vlasov: x box [%g, %g): need finite xmin < xmax", p->xmin,
                       p->xmax);
  if (!isfinite(p->vmin) || !isfinite(p->vmax) || !(p->vmax > p->vmin) ||
      !isfinite(p->vmax - p->vmin))
    return mfh_err_set(err, MFH_EINPUT, "vlasov: v interval [%g, %g]: need finite vmin < vmax",
                       p->vmin, p->vmax);
  if (p->model < MFH_VLASOV_NONE || p->model > MFH_VLASOV_POISSON)
    return mfh_err_set(err, MFH_EINPUT,
                       "vlasov: model = %d: must be none (0), pair-periodic (1), pair-free (2) or "
                       "poisson (3)",
                       p->model);
  if (!isfinite(p->ext_acc))
    return mfh_err_set(err, MFH_EINPUT, "vlasov: ext_acc = %g: must be finite", p->ext_acc);
  if (p->threads < 0 || p->threads > 4096)
    return mfh_err_set(err, MFH_EINPUT, "vlasov: threads = %d: must be in [0, 4096] (0 = default)",
                       p->threads);
  if (!is_pair(p->model)) return MFH_OK;
  if ((p->V == NULL) != (p->dV == NULL))
    return mfh_err_set(
        err, MFH_EINPUT,
        "vlasov: pair potential: give both V and dV = V' (or neither for the Gaussian)");
  if (p->V == NULL) {
    if (!isfinite(p->a))
      return mfh_err_set(err, MFH_EINPUT, "vlasov: Gaussian potential: a = %g: must be finite",
                         p->a);
    if (!(p->s > 0.0) || !isfinite(p->s))
      return mfh_err_set(err, MFH_EINPUT,
                         "vlasov: Gaussian potential: s = %g: must be finite and > 0", p->s);
    if (p->model == MFH_VLASOV_PAIR_PERIODIC && p->s > 10.0 * (p->xmax - p->xmin))
      return mfh_err_set(err, MFH_EINPUT,
                         "vlasov: Gaussian potential: s = %g: must be <= 10 (xmax - xmin) in the "
                         "periodic model",
                         p->s);
  } else if (p->model == MFH_VLASOV_PAIR_PERIODIC && (p->images < 0 || p->images > 1000)) {
    return mfh_err_set(err, MFH_EINPUT, "vlasov: images = %d: must be in [0, 1000]", p->images);
  }
  return MFH_OK;
}

/* Multipliers of the field (and potential) on the r2c spectrum of the
 * (zero-padded) density, normalisation of the c2r included. */
static int init_field(mfh_vlasov *vl, mfh_err *err) {
  double inv = 1.0 / (double)vl->nf;
  if (vl->p.model == MFH_VLASOV_NONE) return MFH_OK;
  if (vl->p.model == MFH_VLASOV_POISSON) {
    /* d_x E = 1 - rho  =>  E^_m = i rho^_m / k_m (m != 0), a = -E;
     * the mean (m = 0) and, for even nx, the Nyquist mode are dropped. */
    for (size_t m = 0; m < vl->nfc; m++) {
      double km = 2.0 * VL_PI * (double)m / vl->len;
      int drop = m == 0 || 2 * m == vl->nx;
      vl->acc_mult[m][0] = 0.0;
      vl->acc_mult[m][1] = drop ? 0.0 : -inv / km;
    }
    return MFH_OK;
  }
  double *k = vl->fbuf;
  sample_kernel(vl, vl->dV, -1, k);
  for (size_t d = 0; d < vl->nf; d++)
    if (!isfinite(k[d]))
      return mfh_err_set(err, MFH_EINPUT, "vlasov: V'(%g) is not finite", (double)d * vl->dx);
  kernel_multiplier(vl, k, -1, -vl->dx * inv, vl->acc_mult);
  sample_kernel(vl, vl->V, 1, k);
  for (size_t d = 0; d < vl->nf; d++)
    if (!isfinite(k[d]))
      return mfh_err_set(err, MFH_EINPUT, "vlasov: V(%g) is not finite", (double)d * vl->dx);
  kernel_multiplier(vl, k, 1, vl->dx * inv, vl->pot_mult);
  return MFH_OK;
}

int mfh_vlasov_create(const mfh_vlasov_params *p, mfh_vlasov **out, mfh_err *err) {
  int st;
  if (out) *out = NULL;
  if (!p || !out) return mfh_err_set(err, MFH_EINPUT, "vlasov: create: NULL argument");
  if ((st = validate(p, err)) != MFH_OK) return st;
  mfh_vlasov *vl = calloc(1, sizeof *vl);
  if (!vl) return mfh_err_set(err, MFH_ENOMEM, "vlasov: out of memory");
  vl->p = *p;
  mfh_phase_grid g;
  mfh_vlasov_params_grid(p, &g);
  vl->nx = g.nx;
  vl->nv = g.nv;
  vl->len = g.period;
  vl->dx = g.dx;
  vl->dv = g.dv;
  vl->nthr = p->threads > 0 ? p->threads : omp_get_max_threads();
  if (vl->nthr < 1) vl->nthr = 1;
  vl->phase_tau = NAN;
  vl->nxc = vl->nx / 2 + 1;
  vl->ldx = round_up(vl->nx, 8);  /* 64-byte column stride: every column has */
  vl->ldc = round_up(vl->nxc, 4); /* the alignment the plans were made for  */
  vl->nf = p->model == MFH_VLASOV_PAIR_FREE ? 2 * vl->nx : vl->nx;
  vl->nfc = vl->nf / 2 + 1;
  if (is_pair(p->model)) {
    if (p->V) {
      vl->V = p->V;
      vl->dV = p->dV;
      vl->vctx = p->ctx;
      vl->images = p->images;
    } else {
      vl->gauss.a = p->a;
      vl->gauss.s = p->s;
      vl->V = gauss_v;
      vl->dV = gauss_dv;
      vl->vctx = &vl->gauss;
      /* images until exp(-((n - 1/2) L)^2 / (2 s^2)) < e^-46 */
      vl->images = (int)ceil(0.5 + p->s * sqrt(92.0) / vl->len);
    }
    if (p->model == MFH_VLASOV_PAIR_FREE) vl->images = 0;
  }
  size_t nthr = (size_t)vl->nthr, ncell = vl->nx * vl->nv;
  vl->f = fftw_malloc(ncell * sizeof *vl->f);
  vl->xbuf = fftw_malloc(nthr * VL_BLOCK * vl->ldx * sizeof *vl->xbuf);
  vl->cbuf = fftw_malloc(nthr * vl->ldc * sizeof *vl->cbuf);
  vl->phase = fftw_malloc(vl->nv * vl->ldc * sizeof *vl->phase);
  vl->vline = malloc(nthr * vl->nv * sizeof *vl->vline);
  vl->fbuf = fftw_malloc(vl->nf * sizeof *vl->fbuf);
  vl->fhat = fftw_malloc(vl->nfc * sizeof *vl->fhat);
  vl->acc_mult = fftw_malloc(vl->nfc * sizeof *vl->acc_mult);
  vl->pot_mult = fftw_malloc(vl->nfc * sizeof *vl->pot_mult);
  vl->rho = malloc(vl->nx * sizeof *vl->rho);
  vl->acc = malloc(vl->nx * sizeof *vl->acc);
  vl->rho_half = malloc(vl->nx * sizeof *vl->rho_half);
  vl->acc_half = malloc(vl->nx * sizeof *vl->acc_half);
  vl->part = malloc(vl->nx * VL_NPART * sizeof *vl->part);
  if (!vl->f || !vl->xbuf || !vl->cbuf || !vl->phase || !vl->vline || !vl->fbuf || !vl->fhat ||
      !vl->acc_mult || !vl->pot_mult || !vl->rho || !vl->acc || !vl->rho_half || !vl->acc_half ||
      !vl->part) {
    st = mfh_err_set(err, MFH_ENOMEM, "vlasov: out of memory for a %d x %d grid", p->nx, p->nv);
    goto fail;
  }
  memset(vl->f, 0, ncell * sizeof *vl->f);
  memset(vl->acc_mult, 0, vl->nfc * sizeof *vl->acc_mult);
  memset(vl->pot_mult, 0, vl->nfc * sizeof *vl->pot_mult);
  int nx = p->nx, nf = (int)vl->nf;
#pragma omp critical(mfh_fftw_planner)
  {
    vl->px_fwd = fftw_plan_dft_r2c_1d(nx, vl->xbuf, vl->cbuf, FFTW_ESTIMATE);
    vl->px_bwd = fftw_plan_dft_c2r_1d(nx, vl->cbuf, vl->xbuf, FFTW_ESTIMATE);
    vl->pf_fwd = fftw_plan_dft_r2c_1d(nf, vl->fbuf, vl->fhat, FFTW_ESTIMATE);
    vl->pf_bwd = fftw_plan_dft_c2r_1d(nf, vl->fhat, vl->fbuf, FFTW_ESTIMATE);
  }
  if (!vl->px_fwd || !vl->px_bwd || !vl->pf_fwd || !vl->pf_bwd) {
    st = mfh_err_set(err, MFH_ENOMEM, "vlasov: FFTW could not plan transforms of size %d", nx);
    goto fail;
  }
  if ((st = init_field(vl, err)) != MFH_OK) goto fail;
  *out = vl;
  return MFH_OK;
fail:
  mfh_vlasov_destroy(vl);
  return st;
}

void mfh_vlasov_destroy(mfh_vlasov *vl) {
  if (!vl) return;
  mfh_fftw_destroy_plans(vl->px_fwd, vl->px_bwd, vl->pf_fwd, vl->pf_bwd);
  fftw_free(vl->f);
  fftw_free(vl->xbuf);
  fftw_free(vl->cbuf);
  fftw_free(vl->phase);
  free(vl->vline);
  fftw_free(vl->fbuf);
  fftw_free(vl->fhat);
  fftw_free(vl->acc_mult);
  fftw_free(vl->pot_mult);
  free(vl->rho);
  free(vl->acc);
  free(vl->rho_half);
  free(vl->acc_half);
  free(vl->part);
  free(vl);
}

/* ---- accessors ------------------------------------------------------------ */

double *mfh_vlasov_f(mfh_vlasov *vl) { return vl ? vl->f : NULL; }

double mfh_vlasov_time(const mfh_vlasov *vl) { return vl ? vl->t : NAN; }

void mfh_vlasov_get_grid(const mfh_vlasov *vl, mfh_phase_grid *g) {
  g->nx = vl->nx;
  g->nv = vl->nv;
  g->xmin = vl->p.xmin;
  g->dx = vl->dx;
  g->vmin = vl->p.vmin;
  g->dv = vl->dv;
  g->period = vl->len;
  g->f = vl->f;
}

void mfh_vlasov_params_grid(const mfh_vlasov_params *p, mfh_phase_grid *g) {
  g->nx = (size_t)p->nx;
  g->nv = (size_t)p->nv;
  g->xmin = p->xmin;
  g->period = p->xmax - p->xmin;
  g->dx = g->period / (double)g->nx;
  g->vmin = p->vmin;
  g->dv = (p->vmax - p->vmin) / (double)(g->nv - 1);
  g->f = NULL;
}

int mfh_vlasov_fill(mfh_phase_grid *g, mfh_vlasov_fn2 f0, void *ctx, mfh_err *err) {
  if (!g || !g->f || !f0) return mfh_err_set(err, MFH_EINPUT, "vlasov: fill: NULL argument");
  for (size_t i = 0; i < g->nx; i++) {
    double x = g->xmin + (double)i * g->dx;
    for (size_t j = 0; j < g->nv; j++) {
      double v = g->vmin + (double)j * g->dv, val = f0(x, v, ctx);
      if (!isfinite(val))
        return mfh_err_set(err, MFH_ENUMERIC, "vlasov: f0(%g, %g) = %g is not finite", x, v, val);
      g->f[i * g->nv + j] = val;
    }
  }
  return MFH_OK;
}

int mfh_vlasov_set_f(mfh_vlasov *vl, mfh_vlasov_fn2 f0, void *ctx, mfh_err *err) {
  if (!vl || !f0) return mfh_err_set(err, MFH_EINPUT, "vlasov: set_f: NULL argument");
  mfh_phase_grid g;
  mfh_vlasov_get_grid(vl, &g);
  return mfh_vlasov_fill(&g, f0, ctx, err);
}

/* ---- the three sub-steps -------------------------------------------------- */

/* exp(-i k_m v_j tau) / nx; the Nyquist mode (even nx) keeps cos only, which
 * is what the c2r transform would do with it anyway. */
static void make_phase(mfh_vlasov *vl, double tau) {
  size_t nx = vl->nx, nxc = vl->nxc, ldc = vl->ldc;
  double inv = 1.0 / (double)nx;
  long nv = (long)vl->nv;
#pragma omp parallel for schedule(static) num_threads(vl->nthr)
  for (long j = 0; j < nv; j++) {
    double v = vl->p.vmin + (double)j * vl->dv;
    fftw_complex *ph = vl->phase + (size_t)j * ldc;
    for (size_t m = 0; m < nxc; m++) {
      double th = -2.0 * VL_PI * (double)m / vl->len * v * tau;
      ph[m][0] = cos(th) * inv;
      ph[m][1] = (2 * m == nx) ? 0.0 : sin(th) * inv;
    }
  }
  vl->phase_tau = tau;
}

/* f(x, v_j) <- f(x - v_j tau, v_j): exact shift of the trigonometric
 * interpolant, VL_BLOCK columns per task. */
static void advect_x(mfh_vlasov *vl, double tau) {
  if (!(tau == vl->phase_tau)) make_phase(vl, tau);
  size_t nx = vl->nx, nv = vl->nv, nxc = vl->nxc, ldx = vl->ldx, ldc = vl->ldc;
  long nblk = (long)((nv + VL_BLOCK - 1) / VL_BLOCK);
#pragma omp parallel for schedule(static) num_threads(vl->nthr)
  for (long b = 0; b < nblk; b++) {
    int tid = omp_get_thread_num();
    double *xb = vl->xbuf + (size_t)tid * VL_BLOCK * ldx;
    fftw_complex *cb = vl->cbuf + (size_t)tid * ldc;
    size_t j0 = (size_t)b * VL_BLOCK, nb = nv - j0 < VL_BLOCK ? nv - j0 : VL_BLOCK;
    for (size_t i = 0; i < nx; i++) {
      const double *row = vl->f + i * nv + j0;
      for (size_t c = 0; c < nb; c++) xb[c * ldx + i] = row[c];
    }
    for (size_t c = 0; c < nb; c++) {
      double *col = xb + c * ldx;
      fftw_complex *ph = vl->phase + (j0 + c) * ldc;
      fftw_execute_dft_r2c(vl->px_fwd, col, cb);
      for (size_t m = 0; m < nxc; m++) {
        double re = cb[m][0], im = cb[m][1];
        cb[m][0] = re * ph[m][0] - im * ph[m][1];
        cb[m][1] = re * ph[m][1] + im * ph[m][0];
      }
      fftw_execute_dft_c2r(vl->px_bwd, cb, col);
    }
    for (size_t i = 0; i < nx; i++) {
      double *row = vl->f + i * nv + j0;
      for (size_t c = 0; c < nb; c++) row[c] = xb[c * ldx + i];
    }
  }
}

/* f(x_i, v) <- f(x_i, v - acc_i dt), 6-point Lagrange, f = 0 outside. */
static void advect_v(mfh_vlasov *vl, const double *acc, double dt) {
  long nx = (long)vl->nx, nv = (long)vl->nv;
#pragma omp parallel for schedule(static) num_threads(vl->nthr)
  for (long i = 0; i < nx; i++) {
    double *row = vl->f + (size_t)i * (size_t)nv;
    double s = (acc[i] + vl->p.ext_acc) * dt / vl->dv; /* shift in cells */
    if (s == 0.0) continue;
    if (fabs(s) > (double)nv + 8.0) { /* everything leaves [vmin, vmax] */
      for (long j = 0; j < nv; j++) row[j] = 0.0;
      continue;
    }
    double *src = vl->vline + (size_t)omp_get_thread_num() * (size_t)nv, w[6];
    memcpy(src, row, (size_t)nv * sizeof *src);
    double c = floor(-s);
    long m = (long)c;
    lagrange6(-s - c, w);
    long lo = 2 - m, hi = nv - 4 - m; /* stencil inside for lo <= j <= hi */
    if (lo < 0) lo = 0;
    if (hi > nv - 1) hi = nv - 1;
    for (long j = 0; j < nv; j++) {
      if (j >= lo && j <= hi) {
        const double *q = src + j + m - 2;
        for (; j <= hi; j++, q++)
          row[j] =
              w[0] * q[0] + w[1] * q[1] + w[2] * q[2] + w[3] * q[3] + w[4] * q[4] + w[5] * q[5];
        j--;
        continue;
      }
      double sum = 0.0;
      for (int r = 0; r < 6; r++) {
        long k = j + m - 2 + r;
        if (k >= 0 && k < nv) sum += w[r] * src[k];
      }
      row[j] = sum;
    }
  }
}

static void compute_density(mfh_vlasov *vl, double *rho) {
  long nx = (long)vl->nx;
  size_t nv = vl->nv;
#pragma omp parallel for schedule(static) num_threads(vl->nthr)
  for (long i = 0; i < nx; i++) {
    const double *row = vl->f + (size_t)i * nv;
    double s = 0.0;
    for (size_t j = 0; j < nv; j++) s += row[j];
    rho[i] = s * vl->dv;
  }
}

/* out[i] = the convolution of rho with the kernel whose multiplier is mult
 * (zero-padded in the free model).  Serial: one FFT pair of length nf. */
/* (mult is not const: pointer-to-array qualifiers are not portable before C2x) */
static void apply_mult(mfh_vlasov *vl, const double *rho, fftw_complex *mult, double *out) {
  size_t nx = vl->nx;
  memcpy(vl->fbuf, rho, nx * sizeof *rho);
  for (size_t i = nx; i < vl->nf; i++) vl->fbuf[i] = 0.0;
  fftw_execute_dft_r2c(vl->pf_fwd, vl->fbuf, vl->fhat);
  for (size_t m = 0; m < vl->nfc; m++) {
    double re = vl->fhat[m][0], im = vl->fhat[m][1];
    vl->fhat[m][0] = re * mult[m][0] - im * mult[m][1];
    vl->fhat[m][1] = re * mult[m][1] + im * mult[m][0];
  }
  fftw_execute_dft_c2r(vl->pf_bwd, vl->fhat, vl->fbuf);
  memcpy(out, vl->fbuf, nx * sizeof *out);
}

/* Self-consistent acceleration of the density rho (ext_acc excluded). */
static int compute_field(mfh_vlasov *vl, const double *rho, double *acc) {
  if (vl->p.model == MFH_VLASOV_NONE) {
    for (size_t i = 0; i < vl->nx; i++) acc[i] = 0.0;
    return MFH_OK;
  }
  apply_mult(vl, rho, vl->acc_mult, acc);
  for (size_t i = 0; i < vl->nx; i++)
    if (!isfinite(acc[i])) return MFH_ENUMERIC;
  return MFH_OK;
}

int mfh_vlasov_step(mfh_vlasov *vl, double dt, mfh_err *err) {
  if (!vl) return mfh_err_set(err, MFH_EINPUT, "vlasov: step: NULL solver");
  if (!(dt > 0.0) || !isfinite(dt))
    return mfh_err_set(err, MFH_EINPUT, "vlasov: dt = %g: must be finite and > 0", dt);
  advect_x(vl, 0.5 * dt);
  compute_density(vl, vl->rho_half);
  if (compute_field(vl, vl->rho_half, vl->acc_half) != MFH_OK) {
    vl->have_half = 0;
    return mfh_err_set(err, MFH_ENUMERIC, "vlasov: field not finite at t = %g", vl->t + 0.5 * dt);
  }
  vl->have_half = 1;
  advect_v(vl, vl->acc_half, dt);
  advect_x(vl, 0.5 * dt);
  vl->t += dt;
  return MFH_OK;
}

/* ---- density, field, diagnostics ----------------------------------------- */

int mfh_vlasov_density(mfh_vlasov *vl, double *rho) {
  if (!vl || !rho) return MFH_EINPUT;
  compute_density(vl, rho);
  return MFH_OK;
}

int mfh_vlasov_field(mfh_vlasov *vl, double *acc) {
  if (!vl || !acc) return MFH_EINPUT;
  compute_density(vl, vl->rho);
  return compute_field(vl, vl->rho, acc);
}

/* Acceleration at x from the grid field g (density rho), see field_at. */
static double field_point(const mfh_vlasov *vl, const double *rho, const double *g, double x) {
  double u = (x - vl->p.xmin) / vl->dx, w[6];
  long nx = (long)vl->nx;
  int periodic = vl->p.model != MFH_VLASOV_PAIR_FREE;
  if (vl->p.model == MFH_VLASOV_NONE) return vl->p.ext_acc;
  if (periodic) u -= (double)nx * floor(u / (double)nx);
  double c = floor(u);
  if (!periodic && !(c >= 2.0 && c <= (double)(nx - 4))) {
    /* outside the interpolation range of the free model: exact quadrature */
    double s = 0.0;
    for (long i = 0; i < nx; i++)
      s += vl->dV(x - (vl->p.xmin + (double)i * vl->dx), vl->vctx) * rho[i];
    return -vl->dx * s + vl->p.ext_acc;
  }
  long m = (long)c;
  lagrange6(u - c, w);
  double s = 0.0;
  for (int r = 0; r < 6; r++) {
    long k = m - 2 + r;
    if (periodic) k = ((k % nx) + nx) % nx;
    s += w[r] * g[k];
  }
  return s + vl->p.ext_acc;
}

static int field_points(const mfh_vlasov *vl, const double *rho, const double *g, size_t n,
                        const double *x, double *acc, mfh_err *err) {
  if (n > 0 && (!x || !acc)) return mfh_err_set(err, MFH_EINPUT, "vlasov: field_at: NULL array");
  for (size_t q = 0; q < n; q++) {
    if (!isfinite(x[q]))
      return mfh_err_set(err, MFH_EINPUT, "vlasov: field_at: x[%zu] = %g is not finite", q, x[q]);
    acc[q] = field_point(vl, rho, g, x[q]);
  }
  return MFH_OK;
}

int mfh_vlasov_field_at(mfh_vlasov *vl, size_t n, const double *x, double *acc, mfh_err *err) {
  if (!vl) return mfh_err_set(err, MFH_EINPUT, "vlasov: field_at: NULL solver");
  compute_density(vl, vl->rho);
  if (compute_field(vl, vl->rho, vl->acc) != MFH_OK)
    return mfh_err_set(err, MFH_ENUMERIC, "vlasov: field not finite at t = %g", vl->t);
  return field_points(vl, vl->rho, vl->acc, n, x, acc, err);
}

int mfh_vlasov_half_field_at(const mfh_vlasov *vl, size_t n, const double *x, double *acc,
                             mfh_err *err) {
  if (!vl) return mfh_err_set(err, MFH_EINPUT, "vlasov: half_field_at: NULL solver");
  if (!vl->have_half)
    return mfh_err_set(err, MFH_EINPUT, "vlasov: half_field_at: no step has been taken yet");
  return field_points(vl, vl->rho_half, vl->acc_half, n, x, acc, err);
}

int mfh_vlasov_diagnostics(mfh_vlasov *vl, mfh_vlasov_diag *d, mfh_err *err) {
  if (!vl || !d) return mfh_err_set(err, MFH_EINPUT, "vlasov: diagnostics: NULL argument");
  size_t nv = vl->nv;
  long nx = (long)vl->nx;
  double *part = vl->part;
#pragma omp parallel for schedule(static) num_threads(vl->nthr)
  for (long i = 0; i < nx; i++) {
    const double *row = vl->f + (size_t)i * nv;
    double m0 = 0, m1 = 0, m2 = 0, l2 = 0, lo = row[0], hi = row[0];
    for (size_t j = 0; j < nv; j++) {
      double v = vl->p.vmin + (double)j * vl->dv, fv = row[j];
      m0 += fv;
      m1 += v * fv;
      m2 += v * v * fv;
      l2 += fv * fv;
      if (fv < lo) lo = fv;
      if (fv > hi) hi = fv;
    }
    double *pp = part + (size_t)i * VL_NPART;
    pp[0] = m0;
    pp[1] = m1;
    pp[2] = m2;
    pp[3] = l2;
    pp[4] = lo;
    pp[5] = hi;
    pp[6] = fmax(fabs(row[0]), fabs(row[nv - 1]));
  }
  double m0 = 0, m1 = 0, m2 = 0, l2 = 0, lo = part[4], hi = part[5], ev = 0;
  for (long i = 0; i < nx; i++) {
    const double *pp = part + (size_t)i * VL_NPART;
    m0 += pp[0];
    m1 += pp[1];
    m2 += pp[2];
    l2 += pp[3];
    lo = fmin(lo, pp[4]);
    hi = fmax(hi, pp[5]);
    ev = fmax(ev, pp[6]);
  }
  double cell = vl->dx * vl->dv, ex = 0;
  for (size_t j = 0; j < nv; j++)
    ex = fmax(ex, fmax(fabs(vl->f[j]), fabs(vl->f[(vl->nx - 1) * nv + j])));
  memset(d, 0, sizeof *d);
  d->time = vl->t;
  d->mass = m0 * cell;
  d->momentum = m1 * cell;
  d->kinetic = 0.5 * m2 * cell;
  d->l2 = sqrt(l2 * cell);
  d->fmin = lo;
  d->fmax = hi;
  d->edge_v = ev;
  d->edge_x = ex;
  compute_density(vl, vl->rho);
  if (compute_field(vl, vl->rho, vl->acc) != MFH_OK)
    return mfh_err_set(err, MFH_ENUMERIC, "vlasov: field not finite at t = %g", vl->t);
  double fe = 0, fm = 0;
  for (size_t i = 0; i < vl->nx; i++) {
    fe += vl->acc[i] * vl->acc[i];
    fm = fmax(fm, fabs(vl->acc[i]));
  }
  d->field_energy = 0.5 * fe * vl->dx;
  d->field_max = fm;
  if (vl->p.model == MFH_VLASOV_POISSON) {
    d->potential = d->field_energy;
  } else if (is_pair(vl->p.model)) {
    double *phi = vl->acc; /* reuse: phi = V * rho */
    apply_mult(vl, vl->rho, vl->pot_mult, phi);
    double s = 0;
    for (size_t i = 0; i < vl->nx; i++) s += vl->rho[i] * phi[i];
    d->potential = 0.5 * s * vl->dx;
  }
  d->energy = d->kinetic + d->potential;
  return MFH_OK;
}
