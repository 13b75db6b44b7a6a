/* The kernel engine: Hartree, Hartree-Fock and Weyl-quantised Vlasov on the
 * density-matrix kernel (see engines.h for the model and the method). */
#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/fermion/engines.h"
#include "engines/fermion/internal.h"
#include "core/fftw.h"

#define FM_ROWS 16 /* rows per FFT block (one plan for every block) */
#define FM_TB 32   /* tile of the conjugate transposition */

struct mfh_fermion_kernel_engine {
  mfh_fermion_engine_params p;
  size_t n, npts, nh, nhp; /* nh = 2n - 1 per axis, nhp = nh^dim */
  double cell, t;
  int nthr;
  int open;       /* 1: the last step's closing half step is pending (see advance) */
  double open_dt; /* the step of the open run */
  double complex *K;   /* npts^2 */
  double complex *kin; /* npts: e^{+i dt eps |k|^2} / npts */
  double kin_dt;
  double *rho, *u, *grad;
  double *off; /* off[j] = j (npts doubles) */
  mfh_fermion_field *field;
  /* HF */
  double complex *acc, *stage, *X, *Z;
  double *vt;
  /* FFT: blocks of FM_ROWS rows and the remainder */
  size_t nblk, rem;
  fftw_plan f_blk, b_blk, f_rem, b_rem;
};

void mfh_fermion_engine_params_init(mfh_fermion_engine_params *p) {
  if (!p) return;
  memset(p, 0, sizeof *p);
  p->grid.dim = 1;
  p->grid.n = 64;
  p->grid.xmin = -4.0;
  p->grid.dx = 0.125;
  p->grid.eps = 1.0 / 16.0;
  p->N = 16;
  p->model = MFH_FERMION_HARTREE;
  mfh_fermion_potential_default(&p->V);
  p->threads = 1;
}

static int check_params(const mfh_fermion_engine_params *p, int kernel, mfh_err *err) {
  int st;
  if (!p) return mfh_err_set(err, MFH_EINPUT, "engine: NULL parameters");
  if ((st = mfh_fermion_grid_check(&p->grid, err)) != MFH_OK) return st;
  if ((st = mfh_fermion_pot_check(&p->V, err)) != MFH_OK) return st;
  if (!(p->N > 0) || !isfinite(p->N)) return mfh_err_set(err, MFH_EINPUT, "N: must be finite and > 0 (got %g)", p->N);
  if (p->model < MFH_FERMION_FREE || p->model > (kernel ? MFH_FERMION_VLASOV : MFH_FERMION_HF))
    return mfh_err_set(err, MFH_EINPUT, "model: %d is not a %s model", p->model,
                       kernel ? "kernel (free, hartree, hf, vlasov)" : "orbital (free, hartree, hf)");
  if (p->threads < 1 || p->threads > 1024)
    return mfh_err_set(err, MFH_EINPUT, "threads: must be in [1, 1024] (got %d)", p->threads);
  size_t npts = fm_npts(&p->grid);
  if (p->model == MFH_FERMION_HF && npts > FM_BLAS_MAX)
    return mfh_err_set(err, MFH_EINPUT, "exchange: %zu grid points exceed BLAS sizes", npts);
  return MFH_OK;
}

double mfh_fermion_kernel_engine_bytes(const mfh_fermion_engine_params *p) {
  if (!p) return 0;
  double kb = mfh_fermion_kernel_bytes(&p->grid);
  return (p->model == MFH_FERMION_HF ? 5.0 : 1.0) * kb;
}

void mfh_fermion_kernel_engine_destroy(mfh_fermion_kernel_engine *e) {
  if (!e) return;
  mfh_fftw_destroy_plans(e->f_blk, e->b_blk, e->f_rem, e->b_rem);
  mfh_fermion_field_destroy(e->field);
  fftw_free(e->K);
  fftw_free(e->kin);
  free(e->rho);
  free(e->off);
  free(e->u);
  free(e->grad);
  fftw_free(e->acc);
  fftw_free(e->stage);
  fftw_free(e->X);
  fftw_free(e->Z);
  free(e->vt);
  free(e);
}

int mfh_fermion_kernel_engine_create(const mfh_fermion_engine_params *p,
                                     mfh_fermion_kernel_engine **out, mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "kernel engine: NULL output");
  *out = NULL;
  if ((st = check_params(p, 1, err)) != MFH_OK) return st;
  size_t npts = fm_npts(&p->grid);
  if (npts > SIZE_MAX / sizeof(double complex) / npts)
    return mfh_err_set(err, MFH_EINPUT, "kernel engine: %zu^2 values overflow", npts);
  mfh_fermion_kernel_engine *e = calloc(1, sizeof *e);
  if (!e) return mfh_err_set(err, MFH_ENOMEM, "kernel engine: out of memory");
  e->p = *p;
  e->n = (size_t)p->grid.n;
  e->npts = npts;
  e->nh = 2 * e->n - 1;
  e->nhp = p->grid.dim == 1 ? e->nh : e->nh * e->nh;
  e->cell = fm_cell(&p->grid);
  e->nthr = p->threads;
  e->kin_dt = NAN;
  size_t kk = npts * npts;
  e->K = fftw_malloc(kk * sizeof *e->K);
  e->kin = fftw_malloc(npts * sizeof *e->kin);
  e->rho = malloc(npts * sizeof *e->rho);
  e->off = malloc(npts * sizeof *e->off);
  int ok = e->K && e->kin && e->rho && e->off;
  int model = p->model;
  if (model == MFH_FERMION_HARTREE || model == MFH_FERMION_HF) {
    e->u = malloc(npts * sizeof *e->u);
    ok = ok && e->u;
  }
  if (model == MFH_FERMION_VLASOV) {
    e->grad = malloc((size_t)p->grid.dim * e->nhp * sizeof *e->grad);
    ok = ok && e->grad;
  }
  if (model == MFH_FERMION_HF) {
    e->acc = fftw_malloc(kk * sizeof *e->acc);
    e->stage = fftw_malloc(kk * sizeof *e->stage);
    e->X = fftw_malloc(kk * sizeof *e->X);
    e->Z = fftw_malloc(kk * sizeof *e->Z);
    e->vt = mfh_fermion_pot_offsets(&p->V, &p->grid);
    ok = ok && e->acc && e->stage && e->X && e->Z && e->vt;
  }
  if (!ok) {
    st = mfh_err_set(err, MFH_ENOMEM, "kernel engine: out of memory (%.3g GiB)",
                     mfh_fermion_kernel_engine_bytes(p) / 1073741824.0);
    goto fail;
  }
  memset(e->K, 0, kk * sizeof *e->K);
  for (size_t j = 0; j < npts; j++) e->off[j] = (double)j;
  if (model != MFH_FERMION_FREE) {
    int what = model == MFH_FERMION_VLASOV ? FM_FIELD_GRAD : FM_FIELD_U;
    if ((st = mfh_fermion_field_create(&p->grid, &p->V, what, &e->field, err)) != MFH_OK) goto fail;
  }
  e->nblk = npts / FM_ROWS;
  e->rem = npts % FM_ROWS;
  int nn[2] = {p->grid.n, p->grid.n}, d = p->grid.dim, np = (int)npts;
#pragma omp critical(mfh_fftw_planner)
  {
    if (e->nblk) {
      e->f_blk = fftw_plan_many_dft(d, nn, FM_ROWS, e->K, NULL, 1, np, e->K, NULL, 1, np,
                                    FFTW_FORWARD, FFTW_ESTIMATE);
      e->b_blk = fftw_plan_many_dft(d, nn, FM_ROWS, e->K, NULL, 1, np, e->K, NULL, 1, np,
                                    FFTW_BACKWARD, FFTW_ESTIMATE);
    }
    if (e->rem) {
      e->f_rem = fftw_plan_many_dft(d, nn, (int)e->rem, e->K, NULL, 1, np, e->K, NULL, 1, np,
                                    FFTW_FORWARD, FFTW_ESTIMATE);
      e->b_rem = fftw_plan_many_dft(d, nn, (int)e->rem, e->K, NULL, 1, np, e->K, NULL, 1, np,
                                    FFTW_BACKWARD, FFTW_ESTIMATE);
    }
  }
  if ((e->nblk && (!e->f_blk || !e->b_blk)) || (e->rem && (!e->f_rem || !e->b_rem))) {
    st = mfh_err_set(err, MFH_ENOMEM, "kernel engine: FFTW could not plan rows of %zu", npts);
    goto fail;
  }
  *out = e;
  return MFH_OK;
fail:
  mfh_fermion_kernel_engine_destroy(e);
  return st;
}

double complex *mfh_fermion_kernel_engine_data(mfh_fermion_kernel_engine *e) {
  return e ? e->K : NULL;
}

double mfh_fermion_kernel_engine_time(const mfh_fermion_kernel_engine *e) { return e ? e->t : NAN; }

int mfh_fermion_kernel_engine_set(mfh_fermion_kernel_engine *e, const mfh_fermion_orbitals *o,
                                  mfh_err *err) {
  if (!e || !o) return mfh_err_set(err, MFH_EINPUT, "kernel engine: NULL argument");
  const mfh_fermion_grid *a = &e->p.grid, *b = &o->grid;
  if (a->dim != b->dim || a->n != b->n || a->dx != b->dx || a->xmin != b->xmin || a->eps != b->eps)
    return mfh_err_set(err, MFH_EINPUT, "kernel engine: the orbitals live on another grid");
  int st = mfh_fermion_kernel_from_orbitals(o, e->K, err);
  if (st == MFH_OK) {
    e->t = 0.0;
    e->open = 0;
  }
  return st;
}

/* ---- sub-steps --------------------------------------------------------------------- */

/* kin[ix] = e^{+i dt eps |k_I|^2} / npts. */
static void kinetic_table(mfh_fermion_kernel_engine *e, double dt) {
  if (e->kin_dt == dt) return;
  double eps = e->p.grid.eps, inv = 1.0 / (double)e->npts;
  for (size_t ix = 0; ix < e->npts; ix++) {
    double complex z = fm_expmi(-dt * eps * fm_k2(&e->p.grid, ix));
    e->kin[ix] = CMPLX(inv * creal(z), inv * cimag(z));
  }
  e->kin_dt = dt;
}

FM_CLONES static void cmul_row(double *restrict r, const double *restrict m, size_t np);

/* R(K): every row times e^{i dt H0 / eps} (FFT, multiply, inverse FFT per
 * block of rows). */
static void row_pass(mfh_fermion_kernel_engine *e) {
  size_t npts = e->npts, nb = e->nblk + (e->rem ? 1 : 0);
  const double complex *kin = e->kin;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t b = 0; b < nb; b++) {
    int last = b == e->nblk;
    size_t r0 = b * FM_ROWS, nr = last ? e->rem : FM_ROWS;
    double complex *blk = e->K + r0 * npts;
    fftw_execute_dft(last ? e->f_rem : e->f_blk, blk, blk);
    for (size_t r = 0; r < nr; r++) cmul_row((double *)(blk + r * npts), (const double *)kin, npts);
    fftw_execute_dft(last ? e->b_rem : e->b_blk, blk, blk);
  }
}

/* In-place conjugate transposition of the npts x npts matrix a. */
static void conj_transpose(double complex *a, size_t n, int nthr) {
  size_t nt = (n + FM_TB - 1) / FM_TB;
#pragma omp parallel for num_threads(nthr) schedule(dynamic, 1)
  for (size_t bi = 0; bi < nt; bi++) {
    size_t ib = bi * FM_TB, ie = ib + FM_TB < n ? ib + FM_TB : n;
    for (size_t jb = ib; jb < n; jb += FM_TB) {
      size_t je = jb + FM_TB < n ? jb + FM_TB : n;
      if (jb == ib) {
        for (size_t i = ib; i < ie; i++) {
          a[i * n + i] = conj(a[i * n + i]);
          for (size_t j = i + 1; j < je; j++) {
            double complex x = a[i * n + j];
            a[i * n + j] = conj(a[j * n + i]);
            a[j * n + i] = conj(x);
          }
        }
      } else {
        for (size_t i = ib; i < ie; i++)
          for (size_t j = jb; j < je; j++) {
            double complex x = a[i * n + j];
            a[i * n + j] = conj(a[j * n + i]);
            a[j * n + i] = conj(x);
          }
      }
    }
  }
}

/* K(dt) = e^{-i dt H0/eps} K e^{i dt H0/eps} = R(R(K)^*) (K Hermitian). */
static void kinetic(mfh_fermion_kernel_engine *e, double dt) {
  kinetic_table(e, dt);
  row_pass(e);
  conj_transpose(e->K, e->npts, e->nthr);
  row_pass(e);
}

/* rho and the mean field (U or grad U) of the current kernel. */
static int mean_field(mfh_fermion_kernel_engine *e, mfh_err *err) {
  double inv = 1.0 / e->p.N;
  for (size_t i = 0; i < e->npts; i++) e->rho[i] = inv * creal(e->K[i * e->npts + i]);
  int st = mfh_fermion_field_eval(e->field, e->rho, e->u, e->grad);
  if (st != MFH_OK) return mfh_err_set(err, MFH_ENUMERIC, "kernel engine: the mean field is not finite at t = %g", e->t);
  return MFH_OK;
}

/* The pointwise kernels work on interleaved (re, im) doubles so that they
 * vectorise; off[j] = j as a double (no int64 -> double conversion in the
 * loops). */

/* r_j *= m_j (complex, interleaved), j < np. */
FM_CLONES static void cmul_row(double *restrict r, const double *restrict m, size_t np) {
#pragma omp simd
  for (size_t j = 0; j < np; j++) {
    double re = r[2 * j], im = r[2 * j + 1], mr = m[2 * j], mi = m[2 * j + 1];
    r[2 * j] = re * mr - im * mi;
    r[2 * j + 1] = re * mi + im * mr;
  }
}

/* r_j *= exp(-i th_j) for the given th_j: the common tail of the phases. */
#define FM_APPLY(r, j, th)                         \
  do {                                             \
    double co_, si_;                               \
    fm_cis((th), &co_, &si_);                      \
    double re_ = (r)[2 * (j)], im_ = (r)[2 * (j) + 1]; \
    (r)[2 * (j)] = re_ * co_ + im_ * si_;          \
    (r)[2 * (j) + 1] = im_ * co_ - re_ * si_;      \
  } while (0)

/* Hartree row: th_j = c (ui - u_j). */
FM_CLONES static void phase_row_h(double *restrict r, const double *restrict u, double ui, double c,
                                  size_t np) {
#pragma omp simd
  for (size_t j = 0; j < np; j++) FM_APPLY(r, j, c * (ui - u[j]));
}

/* Vlasov row (1D, or one segment in 2D): th_j = c (g1_j d1 + g_j (di - off_j))
 * with g1 == NULL meaning no first term. */
FM_CLONES static void phase_row_v(double *restrict r, const double *restrict g1, double d1,
                                  const double *restrict g, const double *restrict off, double di,
                                  double c, size_t np) {
  if (!g1) {
#pragma omp simd
    for (size_t j = 0; j < np; j++) FM_APPLY(r, j, c * (g[j] * (di - off[j])));
  } else {
#pragma omp simd
    for (size_t j = 0; j < np; j++) FM_APPLY(r, j, c * (g1[j] * d1 + g[j] * (di - off[j])));
  }
}

/* P(tau): the potential phase of the model on every entry of the kernel
 * buf (e->K or a copy of it), with the mean field of e. */
static void potential(mfh_fermion_kernel_engine *e, double tau, double complex *buf) {
  const mfh_fermion_grid *g = &e->p.grid;
  size_t npts = e->npts, n = e->n, nh = e->nh;
  double c = tau / g->eps;
  int vl = e->p.model == MFH_FERMION_VLASOV;
  /* a bound on |th| decides between the fast kernel and libm */
  double bound = 0.0;
  if (vl) {
    for (size_t m = 0; m < (size_t)g->dim * e->nhp; m++) bound = fmax(bound, fabs(e->grad[m]));
    bound *= fabs(c) * (double)n * g->dx * (double)g->dim * 1.01;
    c *= g->dx; /* th = c g (i - j) with integer offsets */
  } else {
    for (size_t i = 0; i < npts; i++) bound = fmax(bound, fabs(e->u[i]));
    bound *= 2.0 * fabs(c) * 1.01;
  }
  int fast = bound <= FM_FAST_LIMIT;
  const double *g1 = e->grad, *g2 = e->grad ? e->grad + e->nhp : NULL, *off = e->off;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t ix = 0; ix < npts; ix++) {
    double complex *row = buf + ix * npts;
    double *r = (double *)row;
    if (!vl) {
      if (fast) {
        phase_row_h(r, e->u, e->u[ix], c, npts);
      } else {
        for (size_t J = 0; J < npts; J++) row[J] = fm_mul(row[J], fm_expmi(c * (e->u[ix] - e->u[J])));
      }
    } else if (g->dim == 1) {
      if (fast) {
        phase_row_v(r, NULL, 0.0, g1 + ix, off, (double)ix, c, npts);
      } else {
        for (size_t J = 0; J < npts; J++)
          row[J] = fm_mul(row[J], fm_expmi(c * g1[ix + J] * ((double)ix - off[J])));
      }
    } else {
      size_t i1 = ix / n, i2 = ix % n;
      for (size_t j1 = 0; j1 < n; j1++) {
        const double *a1 = g1 + (i1 + j1) * nh + i2;
        const double *a2 = g2 + (i1 + j1) * nh + i2;
        double d1 = (double)i1 - off[j1];
        if (fast) {
          phase_row_v(r + 2 * j1 * n, a1, d1, a2, off, (double)i2, c, n);
        } else {
          double complex *seg = row + j1 * n;
          for (size_t j2 = 0; j2 < n; j2++)
            seg[j2] = fm_mul(seg[j2], fm_expmi(c * (a1[j2] * d1 + a2[j2] * ((double)i2 - off[j2]))));
        }
      }
    }
  }
}

/* ---- exchange (HF) ------------------------------------------------------------------- */

/* out = (i / eps)(Z - Z^*), Z = cell X W, X = V o W / N.  W is read only;
 * uses e->X and e->Z (the result is left in e->Z). */
static void exchange_rhs(mfh_fermion_kernel_engine *e, const double complex *W) {
  const mfh_fermion_grid *g = &e->p.grid;
  size_t npts = e->npts, n = e->n, w = 2 * n - 1;
  double inv = 1.0 / e->p.N;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t ix = 0; ix < npts; ix++) {
    const double complex *src = W + ix * npts;
    double complex *dst = e->X + ix * npts;
    if (g->dim == 1) {
      const double *v = e->vt + (n - 1) + ix; /* V((ix - J) dx) = v[-J] */
      for (size_t J = 0; J < npts; J++) {
        double f = inv * v[-(long)J];
        dst[J] = CMPLX(f * creal(src[J]), f * cimag(src[J]));
      }
    } else {
      size_t i1 = ix / n, i2 = ix % n;
      for (size_t j1 = 0; j1 < n; j1++) {
        const double *v = e->vt + (i1 + n - 1 - j1) * w + (i2 + n - 1);
        for (size_t j2 = 0; j2 < n; j2++) {
          double f = inv * v[-(long)j2];
          size_t J = j1 * n + j2;
          dst[J] = CMPLX(f * creal(src[J]), f * cimag(src[J]));
        }
      }
    }
  }
  /* row-major Z = cell X W  <=>  column-major Z^T = cell W^T X^T */
  int in = (int)npts;
  double complex alpha = e->cell, beta = 0.0;
  zgemm_("N", "N", &in, &in, &in, &alpha, W, &in, e->X, &in, &beta, e->Z, &in, 1, 1);
  double ie = 1.0 / e->p.grid.eps;
  double complex *Z = e->Z;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t ix = 0; ix < npts; ix++) {
    for (size_t J = ix; J < npts; J++) {
      double complex a = Z[ix * npts + J], b = Z[J * npts + ix];
      double complex d1 = a - conj(b); /* (Z - Z^*)_IJ */
      /* i/eps * d; (Z - Z^*)_JI = -conj(d1) */
      Z[ix * npts + J] = CMPLX(-ie * cimag(d1), ie * creal(d1));
      if (J != ix) Z[J * npts + ix] = CMPLX(-ie * cimag(-conj(d1)), ie * creal(-conj(d1)));
    }
  }
}

static void exchange_rhs_cb(void *e, const double complex *in) { exchange_rhs(e, in); }

/* The exchange sub-flow over tau by RK4 on the kernel K (e->K or a copy). */
static void exchange(mfh_fermion_kernel_engine *e, double tau, double complex *K) {
  mfh_fermion_rk4(e->npts * e->npts, tau, K, e->stage, e->acc, e->Z, exchange_rhs_cb, e, e->nthr);
}

/* ---- run --------------------------------------------------------------------------- */

/* The opening half step of a run (X(dt/2) for HF, P(dt/2) otherwise). */
static int open_run(mfh_fermion_kernel_engine *e, double dt, mfh_err *err) {
  int st;
  if (e->p.model == MFH_FERMION_HF) {
    exchange(e, 0.5 * dt, e->K);
  } else if (e->p.model != MFH_FERMION_FREE) {
    if ((st = mean_field(e, err)) != MFH_OK) return st;
    potential(e, 0.5 * dt, e->K);
  }
  e->open = 1;
  e->open_dt = dt;
  return MFH_OK;
}

int mfh_fermion_kernel_engine_advance(mfh_fermion_kernel_engine *e, double dt, long nsteps,
                                      mfh_err *err) {
  int st;
  if (!e) return mfh_err_set(err, MFH_EINPUT, "kernel engine: NULL");
  if (!isfinite(dt) || dt == 0) return mfh_err_set(err, MFH_EINPUT, "dt: must be finite and != 0 (got %g)", dt);
  if (nsteps < 0) return mfh_err_set(err, MFH_EINPUT, "nsteps: must be >= 0 (got %ld)", nsteps);
  if (nsteps == 0) return MFH_OK;
  if (e->open && e->open_dt != dt)
    return mfh_err_set(err, MFH_EINPUT, "kernel engine: dt %g while a run with dt %g is open (close it first)", dt,
                       e->open_dt);
  int pot = e->p.model != MFH_FERMION_FREE, hf = e->p.model == MFH_FERMION_HF;
  int merge = e->open; /* the pending half step and the next one's opening merge */
  if (!e->open && (st = open_run(e, dt, err)) != MFH_OK) return st;
  for (long s = 0; s < nsteps; s++) {
    if (merge || s > 0) {
      if (hf) {
        exchange(e, dt, e->K);
      } else if (pot) {
        if ((st = mean_field(e, err)) != MFH_OK) return st;
        potential(e, dt, e->K);
      }
    }
    if (hf) {
      /* X(dt/2) [P(dt/2) K(dt) P(dt/2) X(dt)]...: P and X stay adjacent,
       * so for N = 1 (U phi = X phi) they cancel */
      if ((st = mean_field(e, err)) != MFH_OK) return st;
      potential(e, 0.5 * dt, e->K);
      kinetic(e, dt);
      if ((st = mean_field(e, err)) != MFH_OK) return st;
      potential(e, 0.5 * dt, e->K);
    } else {
      kinetic(e, dt);
    }
    e->t += dt;
  }
  return MFH_OK;
}

int mfh_fermion_kernel_engine_close_into(mfh_fermion_kernel_engine *e, double complex *K, mfh_err *err) {
  int st;
  if (!e || !K) return mfh_err_set(err, MFH_EINPUT, "kernel engine: NULL argument");
  if (K != e->K) memcpy(K, e->K, e->npts * e->npts * sizeof *K);
  if (!e->open) return MFH_OK;
  double h = 0.5 * e->open_dt;
  if (e->p.model == MFH_FERMION_HF) {
    exchange(e, h, K);
  } else if (e->p.model != MFH_FERMION_FREE) {
    if ((st = mean_field(e, err)) != MFH_OK) return st; /* rho of the open state = of the closed one */
    potential(e, h, K);
  }
  if (K == e->K) e->open = 0;
  return MFH_OK;
}

int mfh_fermion_kernel_engine_run(mfh_fermion_kernel_engine *e, double dt, long nsteps,
                                  mfh_err *err) {
  int st = mfh_fermion_kernel_engine_advance(e, dt, nsteps, err);
  if (st == MFH_OK && e->open) st = mfh_fermion_kernel_engine_close_into(e, e->K, err);
  return st;
}
