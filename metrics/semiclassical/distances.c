/* Quantum-classical distances and operator norms: see distances.h. */
#include "metrics/semiclassical/distances.h"
#include "core/fftw.h"

#include <complex.h>
#include <fftw3.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#define SC_PI 3.14159265358979323846

/* Signed wave-number index of DFT index a on n points; *nyq set at n/2. */
static double wave_index(size_t a, size_t n, int *nyq) {
  *nyq = (a == n / 2);
  return a <= n / 2 ? (double)a : (double)a - (double)n;
}

/* ---- moments -------------------------------------------------------------- */

/* Moments from a position density rho[N] (grid values, >= 0 for a density
 * operator) and a momentum spectrum S[N] (DFT-indexed, same normalisation
 * as |psi^|^2), see the header. */
static void moments_from(const mfh_xgrid *g, double eps, const double *rho, const double *S,
                         mfh_sc_moments *m) {
  size_t n = g->n, N = mfh_xgrid_points(g);
  int d = g->dim;
  double cell = mfh_xgrid_cell(g), kscale = 2 * SC_PI / ((double)n * g->dx);
  memset(m, 0, sizeof *m);
  m->dim = d;
  double r0 = 0, s0 = 0, rx[2] = {0, 0}, sp[2] = {0, 0};
  for (size_t j = 0; j < N; j++) {
    size_t idx[2] = {d == 2 ? j / n : j, d == 2 ? j % n : 0};
    r0 += rho[j];
    s0 += S[j];
    for (int a = 0; a < d; a++) {
      int nyq;
      double k = wave_index(idx[a], n, &nyq) * kscale;
      rx[a] += mfh_xgrid_node(g, idx[a]) * rho[j];
      if (!nyq) sp[a] += eps * k * S[j];
    }
  }
  m->trace = cell * r0;
  for (int a = 0; a < d; a++) {
    m->mean_x[a] = rx[a] / r0;
    m->mean_p[a] = sp[a] / s0;
  }
  double vx[2] = {0, 0}, vp[2] = {0, 0};
  for (size_t j = 0; j < N; j++) {
    size_t idx[2] = {d == 2 ? j / n : j, d == 2 ? j % n : 0};
    for (int a = 0; a < d; a++) {
      int nyq;
      double k = wave_index(idx[a], n, &nyq) * kscale;
      double u = mfh_xgrid_node(g, idx[a]) - m->mean_x[a];
      vx[a] += u * u * rho[j];
      double pk = eps * k, mp = m->mean_p[a];
      /* Nyquist: average of (+-pk - mp)^2 = pk^2 + mp^2. */
      vp[a] += (nyq ? pk * pk + mp * mp : (pk - mp) * (pk - mp)) * S[j];
    }
  }
  for (int a = 0; a < d; a++) {
    m->var_x[a] = vx[a] / r0;
    m->var_p[a] = vp[a] / s0;
  }
}

int mfh_sc_state_moments(const mfh_sc_state *R, double eps, mfh_sc_moments *m, mfh_err *err) {
  int st;
  if (!m) return mfh_err_set(err, MFH_EINPUT, "moments: NULL output");
  if ((st = mfh_sc_state_check(R, err)) != MFH_OK) return st;
  if (!(eps > 0) || !isfinite(eps))
    return mfh_err_set(err, MFH_EINPUT, "eps: must be finite and > 0 (got %g)", eps);
  const mfh_xgrid *g = &R->grid;
  size_t n = g->n, N = mfh_xgrid_points(g);
  int d = g->dim;
  double *rho = calloc(N, sizeof *rho), *S = calloc(N, sizeof *S);
  fftw_complex *in = NULL, *out = NULL;
  fftw_plan plan = NULL;
  st = MFH_OK;
  if (!rho || !S) goto nomem;
  if (R->kind == MFH_SC_ORBITALS) {
    in = fftw_malloc(N * sizeof *in);
    out = fftw_malloc(N * sizeof *out);
    if (!in || !out) goto nomem;
    int dims[2] = {(int)n, (int)n};
#pragma omp critical(mfh_fftw_planner)
    plan = fftw_plan_dft(d, dims, in, out, FFTW_FORWARD, FFTW_ESTIMATE);
    if (!plan) goto noplan;
    for (size_t k = 0; k < R->norb; k++) {
      double w = R->w[k];
      if (w == 0) continue;
      const double complex *p = R->orb + k * N;
      double complex *ci = (double complex *)in, *co = (double complex *)out;
      for (size_t j = 0; j < N; j++) {
        ci[j] = p[j];
        rho[j] += w * (creal(p[j]) * creal(p[j]) + cimag(p[j]) * cimag(p[j]));
      }
      fftw_execute(plan);
      for (size_t j = 0; j < N; j++)
        S[j] += w * (creal(co[j]) * creal(co[j]) + cimag(co[j]) * cimag(co[j]));
    }
  } else {
    if (N > SIZE_MAX / sizeof(fftw_complex) / N) goto nomem;
    in = fftw_malloc(N * N * sizeof *in);
    out = fftw_malloc(N * N * sizeof *out);
    if (!in || !out) goto nomem;
    int dims[4] = {(int)n, (int)n, (int)n, (int)n};
#pragma omp critical(mfh_fftw_planner)
    plan = fftw_plan_dft(2 * d, dims, in, out, FFTW_FORWARD, FFTW_ESTIMATE);
    if (!plan) goto noplan;
    memcpy(in, R->kernel, N * N * sizeof *in);
    fftw_execute(plan);
    double complex *co = (double complex *)out;
    for (size_t j = 0; j < N; j++) {
      rho[j] = creal(R->kernel[j * N + j]);
      /* Diagonal of F R F^*: the transform at (k, -k). */
      size_t mk;
      if (d == 1) {
        mk = (n - j) % n;
      } else {
        size_t k0 = j / n, k1 = j % n;
        mk = ((n - k0) % n) * n + (n - k1) % n;
      }
      S[j] = creal(co[j * N + mk]);
    }
  }
  {
    double r0 = 0;
    for (size_t j = 0; j < N; j++) r0 += rho[j];
    double tr = r0 * mfh_xgrid_cell(g);
    if (!(fabs(tr - 1) <= MFH_SC_TRACE_TOL)) {
      st = mfh_err_set(err, MFH_EINPUT,
                       "moments: tr R = %.17g differs from 1 by more than %g (not a density "
                       "operator, or a state not resolved in the box)", tr, MFH_SC_TRACE_TOL);
      goto done;
    }
  }
  moments_from(g, eps, rho, S, m);
  goto done;
nomem:
  st = mfh_err_set(err, MFH_ENOMEM, "moments: out of memory (%zu grid points)", N);
  goto done;
noplan:
  st = mfh_err_set(err, MFH_ENOMEM, "moments: FFTW could not plan");
done:
  if (plan) {
    mfh_fftw_destroy_plans(plan);
  }
  fftw_free(in);
  fftw_free(out);
  free(rho);
  free(S);
  return st;
}

int mfh_sc_mk2eps_sq_moments(const mfh_sc_moments *a, const mfh_sc_moments *b, double *mk2sq,
                             mfh_err *err) {
  if (!a || !b || !mk2sq) return mfh_err_set(err, MFH_EINPUT, "MK2^eps: NULL argument");
  if (a->dim != b->dim || (a->dim != 1 && a->dim != 2))
    return mfh_err_set(err, MFH_EINPUT, "MK2^eps: dimensions %d and %d", a->dim, b->dim);
  double s = 0;
  for (int k = 0; k < a->dim; k++) {
    double dx = a->mean_x[k] - b->mean_x[k], dp = a->mean_p[k] - b->mean_p[k];
    s += dx * dx + dp * dp + a->var_x[k] + b->var_x[k] + a->var_p[k] + b->var_p[k];
  }
  *mk2sq = s;
  return MFH_OK;
}

static int same_grid(const mfh_xgrid *a, const mfh_xgrid *b) {
  return a->dim == b->dim && a->n == b->n && a->xmin == b->xmin && a->dx == b->dx;
}

/* 1 if pure (see the header), 0 if not; *pur gets the purity when computed. */
static int is_pure(const mfh_sc_state *s, double *pur, mfh_err *err, int *status) {
  *status = MFH_OK;
  *pur = NAN;
  if (s->kind == MFH_SC_ORBITALS) {
    size_t pos = 0;
    for (size_t k = 0; k < s->norb; k++) pos += s->w[k] > 0;
    if (pos == 1) {
      *pur = 1;
      return 1;
    }
    if (s->norb > 256) return 0;
  }
  double tr, p;
  if ((*status = mfh_sc_state_trace(s, &tr, err)) != MFH_OK) return 0;
  if ((*status = mfh_sc_state_purity(s, &p, err)) != MFH_OK) return 0;
  *pur = p / (tr * tr);
  return fabs(p - tr * tr) <= 1e-10;
}

int mfh_sc_mk2eps_sq(const mfh_sc_state *a, const mfh_sc_state *b, double eps, double *mk2sq,
                     mfh_err *err) {
  int st;
  if (!mk2sq) return mfh_err_set(err, MFH_EINPUT, "MK2^eps: NULL output");
  if ((st = mfh_sc_state_check(a, err)) != MFH_OK) {
    mfh_err_prefix(err, "MK2^eps: first state");
    return st;
  }
  if ((st = mfh_sc_state_check(b, err)) != MFH_OK) {
    mfh_err_prefix(err, "MK2^eps: second state");
    return st;
  }
  if (!same_grid(&a->grid, &b->grid))
    return mfh_err_set(err, MFH_EINPUT, "MK2^eps: the two states live on different grids");
  double pa = NAN, pb = NAN;
  int pure_a = is_pure(a, &pa, err, &st);
  if (st != MFH_OK) return st;
  int pure_b = pure_a ? 0 : is_pure(b, &pb, err, &st);
  if (st != MFH_OK) return st;
  if (!pure_a && !pure_b)
    return mfh_err_set(err, MFH_EINPUT,
                       "MK2^eps: the exact formula needs one pure state, but the purities "
                       "tr R^2 / (tr R)^2 are %.17g and %.17g (nan: not computed for more than "
                       "256 orbitals)", pa, pb);
  mfh_sc_moments ma, mb;
  if ((st = mfh_sc_state_moments(a, eps, &ma, err)) != MFH_OK) {
    mfh_err_prefix(err, "MK2^eps: first state");
    return st;
  }
  if ((st = mfh_sc_state_moments(b, eps, &mb, err)) != MFH_OK) {
    mfh_err_prefix(err, "MK2^eps: second state");
    return st;
  }
  return mfh_sc_mk2eps_sq_moments(&ma, &mb, mk2sq, err);
}

/* ---- Gaussian W_2 ---------------------------------------------------------- */

static int check_spd(size_t dim, const double *A, const char *what, mfh_err *err) {
  double scale = 0;
  for (size_t i = 0; i < dim * dim; i++) {
    if (!isfinite(A[i]))
      return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: %s[%zu] = %g is not finite", what, i,
                         A[i]);
    if (fabs(A[i]) > scale) scale = fabs(A[i]);
  }
  for (size_t i = 0; i < dim; i++)
    for (size_t j = 0; j < i; j++)
      if (fabs(A[i * dim + j] - A[j * dim + i]) > 1e-12 * scale)
        return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: %s is not symmetric (%g vs %g)", what,
                           A[i * dim + j], A[j * dim + i]);
  return MFH_OK;
}

/* Eigen-decomposition of a symmetric matrix: A = U diag(l) U^T (U row-major,
 * eigenvectors in columns; LAPACK's column-major result transposed). */
static int sym_eig(size_t dim, const double *A, double *U, double *l, mfh_err *err) {
  /* Row-major symmetric = column-major symmetric: pass as is, then the
   * eigenvectors come back in the columns of a column-major matrix. */
  double *t = malloc(dim * dim * sizeof *t);
  if (!t) return mfh_err_set(err, MFH_ENOMEM, "Gaussian W2: out of memory");
  memcpy(t, A, dim * dim * sizeof *t);
  lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)dim, t,
                                   (lapack_int)dim, l);
  if (info != 0) {
    free(t);
    return mfh_err_set(err, MFH_ENUMERIC, "Gaussian W2: LAPACKE_dsyevd failed (info %d)",
                       (int)info);
  }
  for (size_t i = 0; i < dim; i++)
    for (size_t j = 0; j < dim; j++) U[i * dim + j] = t[j * dim + i]; /* U[i][j] = v_j[i] */
  free(t);
  return MFH_OK;
}

int mfh_sc_w2sq_gaussian(size_t dim, const double *m1, const double *A1, const double *m2,
                         const double *A2, double *w2sq, mfh_err *err) {
  int st;
  if (dim < 1 || dim > 4096 || !m1 || !A1 || !m2 || !A2 || !w2sq)
    return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: need dim in [1, 4096] and non-NULL "
                                        "arguments");
  if ((st = check_spd(dim, A1, "A1", err)) != MFH_OK) return st;
  if ((st = check_spd(dim, A2, "A2", err)) != MFH_OK) return st;
  double dm = 0, tr1 = 0, tr2 = 0;
  for (size_t i = 0; i < dim; i++) {
    if (!isfinite(m1[i]) || !isfinite(m2[i]))
      return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: means must be finite");
    dm += (m1[i] - m2[i]) * (m1[i] - m2[i]);
    tr1 += A1[i * dim + i];
    tr2 += A2[i * dim + i];
  }
  double cross = 0; /* tr((A1^{1/2} A2 A1^{1/2})^{1/2}) */
  if (dim == 1) {
    if (A1[0] < 0 || A2[0] < 0)
      return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: negative variance (%g, %g)", A1[0],
                         A2[0]);
    double s = sqrt(A1[0]) - sqrt(A2[0]);
    *w2sq = dm + s * s;
    return MFH_OK;
  } else if (dim == 2) {
    double d1 = A1[0] * A1[3] - A1[1] * A1[1], d2 = A2[0] * A2[3] - A2[1] * A2[1];
    double s1 = tr1 * tr1, s2 = tr2 * tr2;
    if (A1[0] < 0 || A1[3] < 0 || d1 < -1e-14 * s1)
      return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: A1 is not positive semi-definite");
    if (A2[0] < 0 || A2[3] < 0 || d2 < -1e-14 * s2)
      return mfh_err_set(err, MFH_EINPUT, "Gaussian W2: A2 is not positive semi-definite");
    d1 = d1 > 0 ? d1 : 0;
    d2 = d2 > 0 ? d2 : 0;
    double trm = A1[0] * A2[0] + 2 * A1[1] * A2[1] + A1[3] * A2[3];
    double v = trm + 2 * sqrt(d1 * d2);
    cross = sqrt(v > 0 ? v : 0);
  } else {
    double *U = malloc(dim * dim * sizeof *U), *l = malloc(dim * sizeof *l);
    double *S = malloc(dim * dim * sizeof *S), *T = malloc(dim * dim * sizeof *T);
    double *M = malloc(dim * dim * sizeof *M);
    if (!U || !l || !S || !T || !M) {
      st = mfh_err_set(err, MFH_ENOMEM, "Gaussian W2: out of memory");
      goto gen_done;
    }
    if ((st = sym_eig(dim, A1, U, l, err)) != MFH_OK) goto gen_done;
    double lmax = fabs(l[dim - 1]);
    if (l[0] < -1e-12 * (lmax > 0 ? lmax : 1)) {
      st = mfh_err_set(err, MFH_EINPUT, "Gaussian W2: A1 has eigenvalue %g < 0", l[0]);
      goto gen_done;
    }
    /* S = U diag(sqrt l) U^T */
    for (size_t i = 0; i < dim; i++)
      for (size_t j = 0; j < dim; j++) {
        double s = 0;
        for (size_t k = 0; k < dim; k++)
          s += U[i * dim + k] * sqrt(l[k] > 0 ? l[k] : 0) * U[j * dim + k];
        S[i * dim + j] = s;
      }
    /* M = S A2 S (symmetrised) */
    for (size_t i = 0; i < dim; i++)
      for (size_t j = 0; j < dim; j++) {
        double s = 0;
        for (size_t k = 0; k < dim; k++) s += A2[i * dim + k] * S[k * dim + j];
        T[i * dim + j] = s;
      }
    for (size_t i = 0; i < dim; i++)
      for (size_t j = 0; j < dim; j++) {
        double s = 0;
        for (size_t k = 0; k < dim; k++) s += S[i * dim + k] * T[k * dim + j];
        M[i * dim + j] = s;
      }
    for (size_t i = 0; i < dim; i++)
      for (size_t j = 0; j < i; j++)
        M[i * dim + j] = M[j * dim + i] = 0.5 * (M[i * dim + j] + M[j * dim + i]);
    if ((st = sym_eig(dim, A2, U, l, err)) != MFH_OK) goto gen_done;
    lmax = fabs(l[dim - 1]);
    if (l[0] < -1e-12 * (lmax > 0 ? lmax : 1)) {
      st = mfh_err_set(err, MFH_EINPUT, "Gaussian W2: A2 has eigenvalue %g < 0", l[0]);
      goto gen_done;
    }
    if ((st = sym_eig(dim, M, U, l, err)) != MFH_OK) goto gen_done;
    cross = 0;
    for (size_t k = 0; k < dim; k++) cross += sqrt(l[k] > 0 ? l[k] : 0);
  gen_done:
    free(U);
    free(l);
    free(S);
    free(T);
    free(M);
    if (st != MFH_OK) return st;
  }
  double c = tr1 + tr2 - 2 * cross;
  *w2sq = dm + (c > 0 ? c : 0);
  return MFH_OK;
}

/* ---- operator norms ----------------------------------------------------- */

static int kernel_hermitian(const mfh_sc_state *s, const char *which, mfh_err *err) {
  size_t N = mfh_xgrid_points(&s->grid);
  double scale = 0;
  for (size_t i = 0; i < N * N; i++)
    if (cabs(s->kernel[i]) > scale) scale = cabs(s->kernel[i]);
  double tol = 1e-10 * scale;
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j <= i; j++) {
      double dev = cabs(s->kernel[i * N + j] - conj(s->kernel[j * N + i]));
      if (dev > tol)
        return mfh_err_set(err, MFH_EINPUT,
                           "norms: the kernel of %s is not Hermitian: |K(%zu,%zu) - "
                           "conj K(%zu,%zu)| = %g > %g", which, i, j, j, i, dev, tol);
    }
  return MFH_OK;
}

/* D += sign * dx^d * kernel(s), full matrix. */
static void add_kernel(double complex *D, const mfh_sc_state *s, double sign) {
  size_t N = mfh_xgrid_points(&s->grid);
  double cell = mfh_xgrid_cell(&s->grid);
  if (s->kind == MFH_SC_KERNEL) {
    for (size_t i = 0; i < N * N; i++) D[i] += sign * cell * s->kernel[i];
    return;
  }
  for (size_t k = 0; k < s->norb; k++) {
    if (s->w[k] == 0) continue;
    const double complex *p = s->orb + k * N;
    double c = sign * cell * s->w[k];
    for (size_t i = 0; i < N; i++) {
      double complex a = c * p[i];
      double complex *row = D + i * N;
      for (size_t j = 0; j < N; j++) row[j] += a * conj(p[j]);
    }
  }
}

static void norms_from(const double *lam, size_t r, mfh_sc_norms *out) {
  double tr = 0, hs = 0, op = 0;
  for (size_t i = 0; i < r; i++) {
    double a = fabs(lam[i]);
    tr += a;
    hs += a * a;
    if (a > op) op = a;
  }
  out->trace = tr;
  out->hs = sqrt(hs);
  out->op = op;
}

/* Both states checked as operators, on the same grid. */
static int norms_args(const mfh_sc_state *a, const mfh_sc_state *b, mfh_err *err) {
  int st;
  if ((st = mfh_sc_operator_check(a, err)) != MFH_OK) {
    mfh_err_prefix(err, "norms: first state");
    return st;
  }
  if ((st = mfh_sc_operator_check(b, err)) != MFH_OK) {
    mfh_err_prefix(err, "norms: second state");
    return st;
  }
  if (!same_grid(&a->grid, &b->grid))
    return mfh_err_set(err, MFH_EINPUT, "norms: the two states live on different grids");
  if (mfh_xgrid_points(&a->grid) > (size_t)INT_MAX / 2) return mfh_err_set(err, MFH_EINPUT, "norms: grid too large");
  return MFH_OK;
}

int mfh_sc_hs_diff(const mfh_sc_state *a, const mfh_sc_state *b, double *hs, mfh_err *err) {
  int st;
  if (!hs) return mfh_err_set(err, MFH_EINPUT, "norms: NULL output");
  if ((st = norms_args(a, b, err)) != MFH_OK) return st;
  size_t N = mfh_xgrid_points(&a->grid);
  double s2 = 0;
  if (a->kind == MFH_SC_KERNEL && b->kind == MFH_SC_KERNEL) {
    double cell = mfh_xgrid_cell(&a->grid);
    for (size_t i = 0; i < N * N; i++) {
      double complex d = a->kernel[i] - b->kernel[i];
      s2 += creal(d) * creal(d) + cimag(d) * cimag(d);
    }
    *hs = cell * sqrt(s2);
    return MFH_OK;
  }
  if (N > SIZE_MAX / sizeof(double complex) / N)
    return mfh_err_set(err, MFH_EINPUT, "norms: %zu x %zu matrix overflows", N, N);
  double complex *D = calloc(N * N, sizeof *D);
  if (!D) return mfh_err_set(err, MFH_ENOMEM, "norms: out of memory for a %zu x %zu matrix", N, N);
  add_kernel(D, a, 1.0); /* cell (K_a - K_b) */
  add_kernel(D, b, -1.0);
  for (size_t i = 0; i < N * N; i++) s2 += creal(D[i]) * creal(D[i]) + cimag(D[i]) * cimag(D[i]);
  free(D);
  *hs = sqrt(s2);
  return MFH_OK;
}

int mfh_sc_norms_diff(const mfh_sc_state *a, const mfh_sc_state *b, mfh_sc_norms *out,
                      mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "norms: NULL output");
  if ((st = norms_args(a, b, err)) != MFH_OK) return st;
  size_t N = mfh_xgrid_points(&a->grid);
  double cell = mfh_xgrid_cell(&a->grid);
  memset(out, 0, sizeof *out);
  if (a->kind == MFH_SC_ORBITALS && b->kind == MFH_SC_ORBITALS) {
    size_t r = 0;
    for (size_t k = 0; k < a->norb; k++) r += a->w[k] != 0;
    for (size_t k = 0; k < b->norb; k++) r += b->w[k] != 0;
    if (r <= N) {
      if (r == 0) return MFH_OK;
      double complex *V = malloc(N * r * sizeof *V), *tau = malloc(r * sizeof *tau);
      double complex *Mm = calloc(r * r, sizeof *Mm);
      double *sg = malloc(r * sizeof *sg), *lam = malloc(r * sizeof *lam);
      st = MFH_OK;
      if (!V || !tau || !Mm || !sg || !lam) {
        st = mfh_err_set(err, MFH_ENOMEM, "norms: out of memory (rank %zu)", r);
        goto rank_done;
      }
      /* Column c of the column-major N x r matrix V. */
      size_t c = 0;
      for (int pass = 0; pass < 2; pass++) {
        const mfh_sc_state *s = pass ? b : a;
        for (size_t k = 0; k < s->norb; k++) {
          if (s->w[k] == 0) continue;
          double f = sqrt(cell * fabs(s->w[k]));
          for (size_t j = 0; j < N; j++) V[c * N + j] = f * s->orb[k * N + j];
          sg[c++] = (pass ? -1.0 : 1.0) * (s->w[k] > 0 ? 1.0 : -1.0);
        }
      }
      lapack_int info = LAPACKE_zgeqrf(LAPACK_COL_MAJOR, (lapack_int)N, (lapack_int)r, V,
                                       (lapack_int)N, tau);
      if (info != 0) {
        st = mfh_err_set(err, MFH_ENUMERIC, "norms: LAPACKE_zgeqrf failed (info %d)", (int)info);
        goto rank_done;
      }
      /* Rq[i][l] = V[l * N + i] for l >= i.  M = Rq S Rq^* (column-major). */
      for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j <= i; j++) {
          double complex s = 0;
          for (size_t l = i; l < r; l++) s += V[l * N + i] * sg[l] * conj(V[l * N + j]);
          Mm[j * r + i] = s; /* (i, j) in column-major */
          Mm[i * r + j] = conj(s);
        }
      info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)r, Mm, (lapack_int)r, lam);
      if (info != 0) {
        st = mfh_err_set(err, MFH_ENUMERIC, "norms: LAPACKE_zheevd failed (info %d)", (int)info);
        goto rank_done;
      }
      norms_from(lam, r, out);
      out->rank_route = 1;
    rank_done:
      free(V);
      free(tau);
      free(Mm);
      free(sg);
      free(lam);
      return st;
    }
  }
  if (a->kind == MFH_SC_KERNEL && (st = kernel_hermitian(a, "the first state", err)) != MFH_OK)
    return st;
  if (b->kind == MFH_SC_KERNEL && (st = kernel_hermitian(b, "the second state", err)) != MFH_OK)
    return st;
  if (N > SIZE_MAX / sizeof(double complex) / N)
    return mfh_err_set(err, MFH_EINPUT, "norms: %zu x %zu matrix overflows", N, N);
  double complex *D = calloc(N * N, sizeof *D);
  double *lam = malloc(N * sizeof *lam);
  if (!D || !lam) {
    free(D);
    free(lam);
    return mfh_err_set(err, MFH_ENOMEM, "norms: out of memory for a %zu x %zu matrix", N, N);
  }
  add_kernel(D, a, 1.0);
  add_kernel(D, b, -1.0);
  /* Row-major Hermitian D read as column-major is conj(D): same eigenvalues. */
  lapack_int info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)N, D, (lapack_int)N,
                                   lam);
  if (info != 0) {
    free(D);
    free(lam);
    return mfh_err_set(err, MFH_ENUMERIC, "norms: LAPACKE_zheevd failed (info %d)", (int)info);
  }
  norms_from(lam, N, out);
  out->rank_route = 0;
  free(D);
  free(lam);
  return MFH_OK;
}

