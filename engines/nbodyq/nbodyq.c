/* N-body Schroedinger equation in 1D: split-step Fourier and random batch
 * method.  See nbodyq.h. */
#include "engines/nbodyq/nbodyq.h"
#include "engines/clones.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <gsl/gsl_randist.h>
#include <omp.h>

#include "core/cmplx.h"
#include "metrics/marginals.h"
#include "core/fftw.h"

#define NBQ_PI 3.14159265358979323846
#define NBQ_NMAX 5
#define NBQ_MMAX 4096 /* the largest M (the parameter check) */
#define NBQ_NPAIRS (NBQ_NMAX * (NBQ_NMAX - 1) / 2)
#define NBQ_TILE_ELEMS 16384 /* column tile of the RDM: M * T values */

struct mfh_nbodyq {
  int N, M, threads;
  size_t size;   /* M^N */
  size_t stride; /* M^(N-1): the prefix (first N-1 coordinates) count */
  double L, dx, eps, a, s, lambda, time;
  double complex *psi;  /* M^N (fftw_malloc) */
  double *vtab;         /* V at the minimum image of offset d dx, d in 0..M-1 */
  double *k2;           /* k_m^2 in FFT order (Nyquist (pi/dx)^2) */
  double complex *ptab; /* pair phase table (per half step), 2M entries:
                           ptab[d] = ptab[d + M], so that ptab[j - i + M]
                           needs no modulo for grid indices i, j */
  double complex *ktab; /* kinetic phase table */
  double complex *rtab; /* the pair phase table reversed, 2M + 1 entries (set_ptab) */
  double complex *line; /* M values (fftw_malloc) for the energy */
  fftw_plan fwd, bwd, line_fwd;
};

static int check_threads(int t) { return t == 0 ? omp_get_max_threads() : t; }

void mfh_nbodyq_params_init(mfh_nbodyq_params *p) {
  if (!p) return;
  memset(p, 0, sizeof *p);
  p->N = 2;
  p->M = 64;
  p->L = 16.0;
  p->eps = 1.0;
  p->a = 1.0;
  p->s = 1.0;
  p->coupling_kind = MFH_NBODYQ_COUPLING_N;
  p->coupling = 0.0;
  p->max_bytes = 12e9;
  p->threads = 1;
}

double mfh_nbodyq_bytes(int N, int M) {
  if (N < 1 || M < 1) return 0.0;
  double pts = pow((double)M, (double)N);
  /* Psi + tables (vtab, k2, ptab, ktab, line) + the RDM tile and
   * accumulator + struct. */
  return 16.0 * pts + (8.0 + 8.0 + 32.0 + 32.0 + 16.0 + 16.0) * M + 16.0 * NBQ_TILE_ELEMS +
         16.0 * M * (double)M +
         (double)sizeof(struct mfh_nbodyq);
}

/* Minimum image of x on the period L, in [-L/2, L/2]. */
static double min_image(double x, double L) { return x - L * nearbyint(x / L); }

void mfh_nbodyq_destroy(mfh_nbodyq *q) {
  if (!q) return;
  mfh_fftw_destroy_plans(q->fwd, q->bwd, q->line_fwd);
  fftw_free(q->psi);
  fftw_free(q->line);
  free(q->vtab);
  free(q->k2);
  free(q->ptab);
  free(q->ktab);
  free(q->rtab);
  free(q);
}

int mfh_nbodyq_create(const mfh_nbodyq_params *p, mfh_nbodyq **out, mfh_err *err) {
  if (!out) return mfh_err_set(err, MFH_EINPUT, "nbodyq: out is NULL");
  *out = NULL;
  if (!p) return mfh_err_set(err, MFH_EINPUT, "nbodyq: params is NULL");
  if (p->N < 2 || p->N > NBQ_NMAX)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: N = %d: must be in 2..%d", p->N, NBQ_NMAX);
  if (p->M < 4 || p->M > NBQ_MMAX || p->M % 2 != 0)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: M = %d: must be even and in 4..4096", p->M);
  if (!(isfinite(p->L) && p->L > 0))
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: L = %g: must be finite and > 0", p->L);
  if (!(isfinite(p->eps) && p->eps > 0))
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: eps = %g: must be finite and > 0", p->eps);
  if (!isfinite(p->a)) return mfh_err_set(err, MFH_EINPUT, "nbodyq: a = %g: must be finite", p->a);
  if (!(isfinite(p->s) && p->s > 0))
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: s = %g: must be finite and > 0", p->s);
  double lambda;
  switch (p->coupling_kind) {
  case MFH_NBODYQ_COUPLING_N: lambda = 1.0 / p->N; break;
  case MFH_NBODYQ_COUPLING_NM1: lambda = 1.0 / (p->N - 1); break;
  case MFH_NBODYQ_COUPLING_CUSTOM:
    if (!isfinite(p->coupling))
      return mfh_err_set(err, MFH_EINPUT, "nbodyq: coupling = %g: must be finite", p->coupling);
    lambda = p->coupling;
    break;
  default:
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: coupling_kind = %d: must be 0, 1 or 2",
                       p->coupling_kind);
  }
  if (!(isfinite(p->max_bytes) && p->max_bytes > 0))
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: max_bytes = %g: must be finite and > 0",
                       p->max_bytes);
  if (p->threads < 0 || p->threads > 1024)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: threads = %d: must be in 0..1024", p->threads);
  double need = mfh_nbodyq_bytes(p->N, p->M);
  if (need > p->max_bytes)
    return mfh_err_set(err, MFH_EINPUT,
                       "N = %d, M = %d needs %.3g GB for the wave function and workspace; "
                       "limit %.3g GB",
                       p->N, p->M, need / 1e9, p->max_bytes / 1e9);

  mfh_nbodyq *q = calloc(1, sizeof *q);
  if (!q) return mfh_err_set(err, MFH_ENOMEM, "nbodyq: out of memory");
  q->N = p->N;
  q->M = p->M;
  q->threads = check_threads(p->threads);
  q->stride = 1;
  for (int j = 0; j < q->N - 1; j++) q->stride *= (size_t)q->M;
  q->size = q->stride * (size_t)q->M;
  q->L = p->L;
  q->dx = p->L / p->M;
  q->eps = p->eps;
  q->a = p->a;
  q->s = p->s;
  q->lambda = lambda;
  q->psi = fftw_malloc(q->size * sizeof *q->psi);
  q->line = fftw_malloc((size_t)q->M * sizeof *q->line);
  q->vtab = malloc((size_t)q->M * sizeof *q->vtab);
  q->k2 = malloc((size_t)q->M * sizeof *q->k2);
  q->ptab = malloc(2 * (size_t)q->M * sizeof *q->ptab);
  q->rtab = malloc((2 * (size_t)q->M + 1) * sizeof *q->rtab);
  q->ktab = malloc((size_t)q->M * sizeof *q->ktab);
  if (!q->psi || !q->line || !q->vtab || !q->k2 || !q->ptab || !q->rtab || !q->ktab) goto nomem;
  memset(q->psi, 0, q->size * sizeof *q->psi);
  for (int d = 0; d < q->M; d++) {
    double x = min_image(d * q->dx, q->L);
    q->vtab[d] = q->a * exp(-x * x / (2.0 * q->s * q->s));
    int m = d <= q->M / 2 ? d : d - q->M;
    double k = 2.0 * NBQ_PI * m / q->L;
    q->k2[d] = k * k; /* d = M/2: |k| = pi/dx */
  }
  int n[NBQ_NMAX];
  for (int j = 0; j < q->N; j++) n[j] = q->M;
  int planfail = 0;
#pragma omp critical(mfh_fftw_planner)
  {
    q->fwd = fftw_plan_dft(q->N, n, q->psi, q->psi, FFTW_FORWARD, FFTW_ESTIMATE);
    q->bwd = fftw_plan_dft(q->N, n, q->psi, q->psi, FFTW_BACKWARD, FFTW_ESTIMATE);
    q->line_fwd = fftw_plan_dft_1d(q->M, q->line, q->line, FFTW_FORWARD, FFTW_ESTIMATE);
    planfail = !q->fwd || !q->bwd || !q->line_fwd;
  }
  if (planfail) {
    mfh_nbodyq_destroy(q);
    return mfh_err_set(err, MFH_EINTERNAL, "nbodyq: FFTW planning failed");
  }
  *out = q;
  return MFH_OK;
nomem:
  mfh_nbodyq_destroy(q);
  return mfh_err_set(err, MFH_ENOMEM,
                     "nbodyq: out of memory (N = %d, M = %d needs %.3g GB)", p->N, p->M,
                     need / 1e9);
}

int mfh_nbodyq_N(const mfh_nbodyq *q) { return q->N; }
int mfh_nbodyq_M(const mfh_nbodyq *q) { return q->M; }
size_t mfh_nbodyq_size(const mfh_nbodyq *q) { return q->size; }
double mfh_nbodyq_dx(const mfh_nbodyq *q) { return q->dx; }
double mfh_nbodyq_coupling(const mfh_nbodyq *q) { return q->lambda; }
double mfh_nbodyq_x(const mfh_nbodyq *q, int i) { return -0.5 * q->L + i * q->dx; }
double complex *mfh_nbodyq_psi(mfh_nbodyq *q) { return q->psi; }
const double complex *mfh_nbodyq_psi_const(const mfh_nbodyq *q) { return q->psi; }
double mfh_nbodyq_time(const mfh_nbodyq *q) { return q->time; }

/* Digits (i_0, .., i_{N-2}) of the prefix index o. */
static void prefix_digits(const mfh_nbodyq *q, size_t o, int *dig) {
  for (int j = q->N - 2; j >= 0; j--) {
    dig[j] = (int)(o % (size_t)q->M);
    o /= (size_t)q->M;
  }
}

static inline double complex cmul(double complex x, double complex y) {
  double xr = creal(x), xi = cimag(x), yr = creal(y), yi = cimag(y);
  return CMPLX(xr * yr - xi * yi, xr * yi + xi * yr);
}

/* f[i] = cmul(f[i], r[i]) and row[i] = cmul(f[i], row[i]), i < M: the hot
 * loops of the potential and kinetic phases, vectorised (SIMD clones, same
 * bits on every clone). */
MFH_KERNEL_CLONES static void vmul(double complex *restrict f, const double complex *restrict r, int M) {
  for (int i = 0; i < M; i++) f[i] = cmul(f[i], r[i]);
}

MFH_KERNEL_CLONES static void vmul_into(double complex *restrict row, const double complex *restrict f, int M) {
  for (int i = 0; i < M; i++) row[i] = cmul(f[i], row[i]);
}

int mfh_nbodyq_set_product(mfh_nbodyq *q, const double complex *phi, mfh_err *err) {
  if (!q || !phi) return mfh_err_set(err, MFH_EINPUT, "nbodyq: set_product: NULL argument");
  double nrm = 0.0;
  for (int i = 0; i < q->M; i++) {
    if (!isfinite(creal(phi[i])) || !isfinite(cimag(phi[i])))
      return mfh_err_set(err, MFH_EINPUT, "nbodyq: set_product: phi[%d] is not finite", i);
    nrm += creal(phi[i]) * creal(phi[i]) + cimag(phi[i]) * cimag(phi[i]);
  }
  nrm *= q->dx;
  if (!(nrm > 0)) return mfh_err_set(err, MFH_EINPUT, "nbodyq: set_product: phi is zero");
  double c = 1.0 / sqrt(nrm);
  double complex *ph = q->ktab; /* scratch: normalised phi */
  for (int i = 0; i < q->M; i++) ph[i] = CMPLX(c * creal(phi[i]), c * cimag(phi[i]));
  const int M = q->M;
#pragma omp parallel for schedule(static) num_threads(q->threads)
  for (size_t o = 0; o < q->stride; o++) {
    int dig[NBQ_NMAX] = {0};
    prefix_digits(q, o, dig);
    double complex pre = ph[dig[0]];
    for (int j = 1; j < q->N - 1; j++) pre = cmul(pre, ph[dig[j]]);
    double complex *row = q->psi + o * (size_t)M;
    for (int i = 0; i < M; i++) row[i] = cmul(pre, ph[i]);
  }
  q->time = 0.0;
  return MFH_OK;
}

/* Psi <- prod_{pairs (a, b)} ptab[(i_a - i_b) mod M] Psi. */
static void apply_pairs(mfh_nbodyq *q, const int (*pairs)[2], int npairs) {
  const int M = q->M, last = q->N - 1;
  const double complex *tab = q->ptab;
  /* Pairs not touching the last particle give a prefix factor; the others
   * are (a, last) after reordering. */
  int pre[NBQ_NPAIRS][2], lastp[NBQ_NMAX];
  int npre = 0, nlast = 0;
  for (int k = 0; k < npairs; k++) {
    int a = pairs[k][0], b = pairs[k][1];
    if (b == last)
      lastp[nlast++] = a;
    else if (a == last)
      lastp[nlast++] = b;
    else {
      pre[npre][0] = a;
      pre[npre][1] = b;
      npre++;
    }
  }
#pragma omp parallel num_threads(q->threads)
  {
    /* the row's phase factors f[i] = c prod_k tab[(d_k - i) mod M], built
     * factor by factor over contiguous slices of the reversed table (the
     * same products in the same order as element by element: same bits) */
    double complex f[NBQ_MMAX];
#pragma omp for schedule(static)
    for (size_t o = 0; o < q->stride; o++) {
      int dig[NBQ_NMAX] = {0};
      prefix_digits(q, o, dig);
      double complex c = 1.0;
      for (int k = 0; k < npre; k++) c = cmul(c, tab[(dig[pre[k][0]] - dig[pre[k][1]] + M) % M]);
      double complex *row = q->psi + o * (size_t)M;
      for (int i = 0; i < M; i++) f[i] = c;
      for (int k = 0; k < nlast; k++) vmul(f, q->rtab + (M - dig[lastp[k]]), M);
      vmul_into(row, f, M);
    }
  }
}

MFH_KERNEL_CLONES static void kin_row(double complex *restrict row, double complex c,
                                      const double complex *restrict tab, int M) {
  for (int i = 0; i < M; i++) row[i] = cmul(cmul(c, tab[i]), row[i]);
}

/* Exact kinetic step of length dt. */
static void kinetic(mfh_nbodyq *q, double dt) {
  const int M = q->M;
  for (int m = 0; m < M; m++) {
    double th = -dt * q->eps * q->k2[m] / 2.0;
    q->ktab[m] = CMPLX(cos(th), sin(th));
  }
  const double scale = 1.0 / (double)q->size;
  fftw_execute_dft(q->fwd, q->psi, q->psi);
  const double complex *tab = q->ktab;
#pragma omp parallel for schedule(static) num_threads(q->threads)
  for (size_t o = 0; o < q->stride; o++) {
    int dig[NBQ_NMAX] = {0};
    prefix_digits(q, o, dig);
    double complex c = scale;
    for (int j = 0; j < q->N - 1; j++) c = cmul(c, tab[dig[j]]);
    double complex *row = q->psi + o * (size_t)M;
    kin_row(row, c, tab, M);
  }
  fftw_execute_dft(q->bwd, q->psi, q->psi);
}

static void set_ptab(mfh_nbodyq *q, double coef, double dt) {
  for (int d = 0; d < q->M; d++) {
    double th = -0.5 * dt * coef * q->vtab[d] / q->eps;
    q->ptab[d] = CMPLX(cos(th), sin(th));
    q->ptab[d + q->M] = q->ptab[d];
  }
  /* reversed: rtab[v] = ptab[2M - v], v = 1..2M, so that ptab[d - i + M] =
   * rtab[M - d + i] runs forward in i */
  for (int v = 1; v <= 2 * q->M; v++) q->rtab[v] = q->ptab[2 * q->M - v];
}

static int strang(mfh_nbodyq *q, double dt, double coef, const int (*pairs)[2], int npairs) {
  set_ptab(q, coef, dt);
  apply_pairs(q, pairs, npairs);
  kinetic(q, dt);
  apply_pairs(q, pairs, npairs);
  q->time += dt;
  return MFH_OK;
}

static int all_pairs(int N, int (*pairs)[2]) {
  int n = 0;
  for (int j = 0; j < N; j++)
    for (int k = j + 1; k < N; k++) {
      pairs[n][0] = j;
      pairs[n][1] = k;
      n++;
    }
  return n;
}

int mfh_nbodyq_step(mfh_nbodyq *q, double dt, mfh_err *err) {
  if (!q) return mfh_err_set(err, MFH_EINPUT, "nbodyq: step: q is NULL");
  if (!isfinite(dt) || dt == 0)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: dt = %g: must be finite and nonzero", dt);
  int pairs[NBQ_NPAIRS][2];
  int np = all_pairs(q->N, pairs);
  return strang(q, dt, q->lambda, (const int(*)[2])pairs, np);
}

int mfh_nbodyq_rbm_step_matching(mfh_nbodyq *q, double dt, const int *perm, mfh_err *err) {
  if (!q || !perm) return mfh_err_set(err, MFH_EINPUT, "nbodyq: rbm_step: NULL argument");
  if (q->N % 2 != 0)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: rbm_step: N = %d: must be even", q->N);
  if (!isfinite(dt) || dt == 0)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: dt = %g: must be finite and nonzero", dt);
  int seen[NBQ_NMAX] = {0};
  for (int j = 0; j < q->N; j++) {
    if (perm[j] < 0 || perm[j] >= q->N || seen[perm[j]]++)
      return mfh_err_set(err, MFH_EINPUT, "nbodyq: rbm_step: perm is not a permutation of 0..%d",
                         q->N - 1);
  }
  int pairs[NBQ_NMAX / 2][2];
  for (int k = 0; k < q->N / 2; k++) {
    pairs[k][0] = perm[2 * k];
    pairs[k][1] = perm[2 * k + 1];
  }
  return strang(q, dt, 1.0, (const int(*)[2])pairs, q->N / 2);
}

int mfh_nbodyq_rbm_step(mfh_nbodyq *q, double dt, gsl_rng *r, int *perm_out, mfh_err *err) {
  if (!q || !r) return mfh_err_set(err, MFH_EINPUT, "nbodyq: rbm_step: NULL argument");
  if (q->N % 2 != 0)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: rbm_step: N = %d: must be even", q->N);
  if (!isfinite(dt) || dt == 0)
    return mfh_err_set(err, MFH_EINPUT, "nbodyq: dt = %g: must be finite and nonzero", dt);
  int perm[NBQ_NMAX];
  for (int j = 0; j < q->N; j++) perm[j] = j;
  gsl_ran_shuffle(r, perm, (size_t)q->N, sizeof perm[0]);
  if (perm_out) memcpy(perm_out, perm, (size_t)q->N * sizeof perm[0]);
  return mfh_nbodyq_rbm_step_matching(q, dt, perm, err);
}

/* Compensated (Neumaier) accumulation: *s + *c += x. */
static void ksum(double *s, double *c, double x) {
  double t = *s + x;
  *c += fabs(*s) >= fabs(x) ? (*s - t) + x : (x - t) + *s;
  *s = t;
}

double mfh_nbodyq_norm(const mfh_nbodyq *q) {
  double s = 0.0, c = 0.0;
  for (size_t o = 0; o < q->stride; o++) {
    const double complex *row = q->psi + o * (size_t)q->M;
    double r = 0.0;
    for (int i = 0; i < q->M; i++)
      r += creal(row[i]) * creal(row[i]) + cimag(row[i]) * cimag(row[i]);
    ksum(&s, &c, r);
  }
  return (s + c) * pow(q->dx, q->N);
}

double mfh_nbodyq_energy(mfh_nbodyq *q, double *kin, double *pot) {
  const int M = q->M, N = q->N;
  double cell = pow(q->dx, N);
  /* Kinetic: for each axis p, every line along p. */
  double ek = 0.0, ekc = 0.0;
  for (int p = 0; p < N; p++) {
    size_t A = 1;
    for (int j = p + 1; j < N; j++) A *= (size_t)M;
    size_t B = q->size / (A * (size_t)M);
    for (size_t b = 0; b < B; b++)
      for (size_t a = 0; a < A; a++) {
        const double complex *base = q->psi + b * (size_t)M * A + a;
        for (int i = 0; i < M; i++) q->line[i] = base[(size_t)i * A];
        fftw_execute_dft(q->line_fwd, q->line, q->line);
        double r = 0.0;
        for (int m = 0; m < M; m++) {
          double re = creal(q->line[m]), im = cimag(q->line[m]);
          r += q->k2[m] * (re * re + im * im);
        }
        ksum(&ek, &ekc, r);
      }
  }
  ek = (ek + ekc) * 0.5 * q->eps * q->eps * cell / M;
  /* Interaction: lambda sum_{j<k} V(x_j - x_k) |Psi|^2. */
  double ep = 0.0, epc = 0.0;
  for (size_t o = 0; o < q->stride; o++) {
    int dig[NBQ_NMAX] = {0};
    prefix_digits(q, o, dig);
    double c = 0.0;
    for (int j = 0; j < N - 1; j++)
      for (int k = j + 1; k < N - 1; k++) c += q->vtab[(dig[j] - dig[k] + M) % M];
    const double complex *row = q->psi + o * (size_t)M;
    double r = 0.0;
    for (int i = 0; i < M; i++) {
      double u = c;
      for (int j = 0; j < N - 1; j++) u += q->vtab[(dig[j] - i + M) % M];
      r += u * (creal(row[i]) * creal(row[i]) + cimag(row[i]) * cimag(row[i]));
    }
    ksum(&ep, &epc, r);
  }
  ep = (ep + epc) * q->lambda * cell;
  if (kin) *kin = ek;
  if (pot) *pot = ep;
  return ek + ep;
}

int mfh_nbodyq_rdm1(const mfh_nbodyq *q, double complex *R, mfh_err *err) {
  if (!q || !R) return mfh_err_set(err, MFH_EINPUT, "nbodyq: rdm1: NULL argument");
  return mfh_marginal1(q->psi, q->N, q->M, q->dx, q->threads, R, err);
}

double mfh_nbodyq_rdm2_bytes(int M) { return mfh_marginal2_bytes(M); }

int mfh_nbodyq_rdm2(const mfh_nbodyq *q, double complex *R, mfh_err *err) {
  if (!q || !R) return mfh_err_set(err, MFH_EINPUT, "nbodyq: rdm2: NULL argument");
  return mfh_marginal2(q->psi, q->N, q->M, q->dx, q->threads, R, err);
}
