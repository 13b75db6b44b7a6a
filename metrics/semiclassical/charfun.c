/* Characteristic functions of Wigner functions at physical modes (see
 * charfun.h). */
#include "metrics/semiclassical/charfun.h"

#include "core/cmplx.h"
#include "core/fftw.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CF_PI 3.14159265358979323846

size_t mfh_sc_charfun_standard(int dim, double *p, double *q) {
  static const double mag[5] = {0, 0.5, 1, 2, 4};
  size_t nm = 0;
  if (dim == 1) {
    for (int a = 0; a < 5; a++)
      for (int b = 0; b < 9; b++) {
        p[nm] = mag[a];
        q[nm] = b < 5 ? mag[b] : -mag[b - 4];
        nm++;
      }
    return nm;
  }
  if (dim != 2) return 0;
  double v[10][2] = {{0, 0}};
  int nv = 1;
  for (int a = 1; a < 4; a++) {
    double m = mag[a], r = m / sqrt(2.0);
    v[nv][0] = m, v[nv][1] = 0, nv++;
    v[nv][0] = 0, v[nv][1] = m, nv++;
    v[nv][0] = r, v[nv][1] = r, nv++;
  }
  for (int a = 0; a < nv; a++)
    for (int b = 0; b < nv; b++) {
      p[2 * nm] = v[a][0], p[2 * nm + 1] = v[a][1];
      q[2 * nm] = v[b][0], q[2 * nm + 1] = v[b][1];
      nm++;
    }
  return nm;
}

/* e^{i k_l b} for the DFT indices l of one axis (Nyquist: cos(k_N b), the
 * symmetric interpolant). */
static void shift_table(size_t n, double dx, double b, double complex *beta) {
  for (size_t l = 0; l < n; l++) {
    double k = mfh_dft_wave(l, n, dx);
    beta[l] = (l == n / 2) ? cos(k * b) : CMPLX(cos(k * b), sin(k * b));
  }
}

/* e^{i p x_i} for one axis. */
static void plane_table(const mfh_xgrid *g, double p, double complex *t) {
  for (size_t i = 0; i < g->n; i++) {
    double x = mfh_xgrid_node(g, i);
    t[i] = CMPLX(cos(p * x), sin(p * x));
  }
}

/* e^{i p_j . x_I} from the per-axis tables pw (mode j, axis a at (j d + a) n). */
static inline double complex plane_at(const double complex *pw, size_t j, int d, size_t n, size_t ix) {
  if (d == 1) return pw[j * n + ix];
  return mfh_cmul(pw[(2 * j) * n + ix / n], pw[(2 * j + 1) * n + ix % n]);
}

/* The distinct q among the modes: first[u] a mode with the u-th distinct
 * q, qi[j] the index u of mode j; returns their number. */
static size_t distinct_q(size_t nm, size_t D, const double *q, size_t *first, size_t *qi) {
  size_t nq = 0;
  for (size_t j = 0; j < nm; j++) {
    size_t u;
    for (u = 0; u < nq; u++) {
      int same = 1;
      for (size_t a = 0; a < D; a++) same = same && q[first[u] * D + a] == q[j * D + a];
      if (same) break;
    }
    if (u == nq) first[nq++] = j;
    qi[j] = u;
  }
  return nq;
}

int mfh_sc_charfun(const mfh_sc_state *R, size_t nm, const double *p, const double *q,
                   double complex *c, mfh_err *err) {
  int st;
  if ((st = mfh_sc_operator_check(R, err)) != MFH_OK) return st;
  if (!(R->eps > 0) || !isfinite(R->eps))
    return mfh_err_set(err, MFH_EINPUT, "characteristic function: the state has no scale eps (got %g)", R->eps);
  if (nm == 0) return MFH_OK;
  if (!p || !q || !c) return mfh_err_set(err, MFH_EINPUT, "characteristic function: NULL arrays");
  const mfh_xgrid *g = &R->grid;
  int d = g->dim;
  size_t n = g->n, np = mfh_xgrid_points(g), D = (size_t)d;
  for (size_t j = 0; j < nm * D; j++)
    if (!isfinite(p[j]) || !isfinite(q[j]))
      return mfh_err_set(err, MFH_EINPUT, "characteristic function: mode %zu is not finite", j / D);
  double eps = R->eps, inv = 1.0 / (double)np;
  size_t *first = malloc(nm * sizeof *first), *qi = malloc(nm * sizeof *qi);
  double complex *pw = malloc(nm * D * n * sizeof *pw), *acc = calloc(nm, sizeof *acc);
  double complex *a = fftw_malloc(np * sizeof *a), *b = fftw_malloc(np * sizeof *b);
  double complex *beta = NULL, *tw = malloc(n * sizeof *tw), *dq = NULL;
  fftw_plan pf = NULL, pb = NULL;
  if (!first || !qi || !pw || !acc || !a || !b || !tw) goto nomem;
  size_t nq = distinct_q(nm, D, q, first, qi);
  if (!(beta = malloc(nq * D * n * sizeof *beta))) goto nomem;
  for (size_t u = 0; u < nq; u++)
    for (size_t ax = 0; ax < D; ax++) shift_table(n, g->dx, eps * q[first[u] * D + ax], beta + (u * D + ax) * n);
  for (size_t j = 0; j < nm; j++)
    for (size_t ax = 0; ax < D; ax++) plane_table(g, p[j * D + ax], pw + (j * D + ax) * n);
  for (size_t l = 0; l < n; l++) tw[l] = CMPLX(cos(2 * CF_PI * (double)l / (double)n), sin(2 * CF_PI * (double)l / (double)n));
  int nn[2] = {(int)n, (int)n};
#pragma omp critical(mfh_fftw_planner)
  {
    pf = fftw_plan_dft(d, nn, a, a, FFTW_FORWARD, FFTW_ESTIMATE);
    pb = fftw_plan_dft(d, nn, b, b, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!pf || !pb) {
    st = mfh_err_set(err, MFH_ENOMEM, "characteristic function: FFTW could not plan");
    goto done;
  }
  if (R->kind == MFH_SC_KERNEL) {
    /* dq[u np + J] = R(x_J, x_J + eps q_u) from the interpolated row J;
     * R(x_J + eps q, x_J) is its conjugate (R Hermitian) */
    if (!(dq = malloc(nq * np * sizeof *dq))) goto nomem;
    for (size_t J = 0; J < np; J++) {
      memcpy(a, R->kernel + J * np, np * sizeof *a);
      fftw_execute_dft(pf, a, a);
      size_t J1 = d == 1 ? J : J / n, J2 = d == 1 ? 0 : J % n;
      for (size_t u = 0; u < nq; u++) {
        const double complex *b1 = beta + u * D * n;
        double complex dv = 0.0;
        if (d == 1) {
          for (size_t l = 0; l < n; l++) dv += mfh_cmul(mfh_cmul(a[l], tw[(l * J1) % n]), b1[l]);
        } else {
          const double complex *b2 = b1 + n;
          for (size_t l1 = 0; l1 < n; l1++) {
            double complex in = 0.0;
            const double complex *row = a + l1 * n;
            for (size_t l2 = 0; l2 < n; l2++) in += mfh_cmul(mfh_cmul(row[l2], tw[(l2 * J2) % n]), b2[l2]);
            dv += mfh_cmul(mfh_cmul(in, tw[(l1 * J1) % n]), b1[l1]);
          }
        }
        dq[u * np + J] = dv * inv;
      }
    }
    for (size_t j = 0; j < nm; j++) {
      const double complex *du = dq + qi[j] * np;
      for (size_t J = 0; J < np; J++) acc[j] += mfh_cmul(plane_at(pw, j, d, n, J), conj(du[J]));
    }
  } else {
    for (size_t k = 0; k < R->norb; k++) {
      if (R->w[k] == 0) continue;
      const double complex *ph = R->orb + k * np;
      memcpy(a, ph, np * sizeof *a);
      fftw_execute_dft(pf, a, a);
      for (size_t u = 0; u < nq; u++) {
        const double complex *b1 = beta + u * D * n;
        for (size_t ix = 0; ix < np; ix++) b[ix] = mfh_cmul(a[ix], d == 1 ? b1[ix] : mfh_cmul(b1[ix / n], b1[n + ix % n]));
        fftw_execute_dft(pb, b, b); /* np phi(x + eps q) */
        for (size_t j = 0; j < nm; j++) {
          if (qi[j] != u) continue;
          double complex s = 0.0;
          for (size_t ix = 0; ix < np; ix++) s += mfh_cmul(mfh_cmul(conj(ph[ix]), plane_at(pw, j, d, n, ix)), b[ix]);
          acc[j] += R->w[k] * inv * s;
        }
      }
    }
  }
  double cell = mfh_xgrid_cell(g);
  for (size_t j = 0; j < nm; j++) {
    double pq = 0.0;
    for (size_t ax = 0; ax < D; ax++) pq += p[j * D + ax] * q[j * D + ax];
    double ph = 0.5 * eps * pq;
    c[j] = mfh_cmul(CMPLX(cos(ph), sin(ph)), acc[j]) * cell;
  }
  st = MFH_OK;
  goto done;
nomem:
  st = mfh_err_set(err, MFH_ENOMEM, "characteristic function: out of memory (%zu points, %zu modes)", np, nm);
done:
  if (pf || pb) {
    mfh_fftw_destroy_plans(pf, pb);
  }
  free(first);
  free(qi);
  free(pw);
  free(acc);
  fftw_free(a);
  fftw_free(b);
  free(beta);
  free(tw);
  free(dq);
  return st;
}

double mfh_sc_charfun_weighted_max(int dim, size_t nm, const double *p, const double *q,
                                   const double complex *c, size_t *arg) {
  double best = 0.0;
  size_t bj = 0;
  for (size_t j = 0; j < nm; j++) {
    double np2 = 0.0, nq2 = 0.0;
    for (int a = 0; a < dim; a++) {
      np2 += p[j * (size_t)dim + (size_t)a] * p[j * (size_t)dim + (size_t)a];
      nq2 += q[j * (size_t)dim + (size_t)a] * q[j * (size_t)dim + (size_t)a];
    }
    double w = 1.0 + sqrt(np2) + sqrt(nq2), v = cabs(c[j]) / (w * w);
    if (v > best) {
      best = v;
      bj = j;
    }
  }
  if (arg) *arg = bj;
  return best;
}
