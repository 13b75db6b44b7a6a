/* Monitors of fermionic states (see monitors.h). */
#include "engines/fermion/monitors.h"

#include <complex.h>
#include <fftw3.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/fermion/internal.h"
#include "core/fftw.h"

/* ---- small helpers ------------------------------------------------------------------ */

double mfh_fermion_kernel_trace(const mfh_fermion_grid *g, const double complex *K) {
  size_t np = fm_npts(g);
  double s = 0.0;
  for (size_t i = 0; i < np; i++) s += creal(K[i * np + i]);
  return fm_cell(g) * s;
}

double mfh_fermion_kernel_hermiticity(const mfh_fermion_grid *g, const double complex *K) {
  size_t np = fm_npts(g);
  double dmax = 0.0, kmax = 0.0;
  for (size_t i = 0; i < np; i++)
    for (size_t j = i; j < np; j++) {
      dmax = fmax(dmax, cabs(K[i * np + j] - conj(K[j * np + i])));
      kmax = fmax(kmax, cabs(K[i * np + j]));
    }
  return kmax > 0 ? dmax / kmax : 0.0;
}

double mfh_fermion_orbitals_trace(const mfh_fermion_orbitals *o) {
  size_t np = fm_npts(&o->grid);
  double t = 0.0;
  for (int k = 0; k < o->m; k++) {
    const double complex *p = o->phi + (size_t)k * np;
    double s = 0.0;
    for (size_t i = 0; i < np; i++) s += creal(p[i]) * creal(p[i]) + cimag(p[i]) * cimag(p[i]);
    t += o->occ[k] * s;
  }
  return fm_cell(&o->grid) * t;
}

/* ---- ||grad W_N||_1 of trap states ------------------------------------------------ */

/* ell[k] = e^{-z/2} L_k(z), dell[k] = d/dz of it, k = 0..kmax (scaled
 * three-term recurrence; L_k' = -sum_{j<k} L_j). */
static void laguerre_functions(int kmax, double z, double *ell, double *dell) {
  double S = 0.0; /* log of the common scale of the recurrence variables */
  double lm = 0.0, l = 1.0, cum = 0.0; /* L_{k-1}, L_k, sum_{j<k} L_j (scaled) */
  double big = 1e150, lbig = log(1e150);
  for (int k = 0; k <= kmax; k++) {
    double f = S - 0.5 * z;
    double ek = f > -700.0 ? exp(f) : 0.0;
    double lk, ck;
    if (ek > 0.0) {
      lk = l * ek;
      ck = cum * ek;
    } else {
      lk = l == 0.0 ? 0.0 : copysign(exp(f + log(fabs(l))), l);
      ck = cum == 0.0 ? 0.0 : copysign(exp(f + log(fabs(cum))), cum);
    }
    ell[k] = lk;
    dell[k] = -ck - 0.5 * lk;
    /* advance */
    cum += l;
    double ln = ((2.0 * k + 1.0 - z) * l - (double)k * lm) / (double)(k + 1);
    lm = l;
    l = ln;
    if (fabs(l) > big || fabs(cum) > big) {
      l /= big;
      lm /= big;
      cum /= big;
      S += lbig;
    }
  }
}

/* r dW/dr of the 1D trap state at r (see below). */
static double radial_rdw(const mfh_fermion_levels *lv, int kmax, double r, double *ell, double *dell) {
  double eps = lv->eps;
  laguerre_functions(kmax, 2.0 * r * r / eps, ell, dell);
  double dw = 0.0;
  for (int k = 0; k < lv->m; k++) {
    int q = lv->qn[k];
    dw += (q % 2 ? -lv->occ[k] : lv->occ[k]) * dell[q];
  }
  return dw * 4.0 * r / eps / (lv->N * FM_PI * eps) * r;
}

/* int_a^b |r dW/dr| dr by Gauss-Legendre, halving the panel (depth times)
 * where the integrand changes sign (at the nodes or the end points). */
static double radial_panel(const mfh_fermion_levels *lv, int kmax, gsl_integration_glfixed_table *tab,
                           size_t ng, double a, double b, double *ell, double *dell, int depth) {
  double s = 0.0, f[16], fa = radial_rdw(lv, kmax, a, ell, dell), fb = radial_rdw(lv, kmax, b, ell, dell);
  int pos = fa > 0 || fb > 0, neg = fa < 0 || fb < 0; /* the end points catch a kink next to them */
  for (size_t i = 0; i < ng; i++) {
    double xi, wi;
    gsl_integration_glfixed_point(a, b, i, &xi, &wi, tab);
    f[i] = radial_rdw(lv, kmax, xi, ell, dell);
    pos |= f[i] > 0;
    neg |= f[i] < 0;
    s += wi * fabs(f[i]);
  }
  if (pos && neg && depth > 0) {
    double m = 0.5 * (a + b);
    return radial_panel(lv, kmax, tab, ng, a, m, ell, dell, depth - 1) +
           radial_panel(lv, kmax, tab, ng, m, b, ell, dell, depth - 1);
  }
  return s;
}

int mfh_fermion_wigner_grad_l1(const mfh_fermion_levels *lv, double *out, mfh_err *err) {
  if (!lv || !out) return mfh_err_set(err, MFH_EINPUT, "Wigner gradient: NULL argument");
  int dim = lv->dim, st = MFH_OK;
  double eps = lv->eps;
  int kmax = 0;
  double Emax = 0.0;
  for (size_t i = 0; i < (size_t)lv->m * (size_t)dim; i++)
    if (lv->qn[i] > kmax) kmax = lv->qn[i];
  for (int k = 0; k < lv->m; k++) Emax = fmax(Emax, lv->energy[k]);
  double rmax = sqrt(2.0 * Emax + 40.0 * eps), h = 0.25 * eps;
  size_t npan = (size_t)ceil(rmax / h), ng = 8, Q = npan * ng;
  gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(ng);
  double *r = malloc(Q * sizeof *r), *wq = malloc(Q * sizeof *wq);
  double *ell = malloc((size_t)(kmax + 1) * sizeof *ell), *dell = malloc((size_t)(kmax + 1) * sizeof *dell);
  double *L = NULL, *Lp = NULL, *Cm = NULL, *T = NULL, *G1 = NULL, *G2 = NULL;
  if (!tab || !r || !wq || !ell || !dell) {
    st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory (%zu nodes)", Q);
    goto done;
  }
  for (size_t pn = 0; pn < npan; pn++)
    for (size_t i = 0; i < ng; i++) {
      double xi, wi;
      gsl_integration_glfixed_point(pn * h, (pn + 1) * h, i, &xi, &wi, tab);
      r[pn * ng + i] = xi;
      wq[pn * ng + i] = wi;
    }
  if (dim == 1) {
    /* W(r) = sum c_k ell_k(z), z = 2 r^2 / eps, c_k = occ (-1)^k / (N pi eps);
     * dW/dr = (4 r / eps) sum c_k ell_k'(z); integral 2 pi int |dW/dr| r dr.
     * |.| has kinks at the zeros of dW/dr: a panel whose nodes change sign
     * is halved (down to h / 2^20) so that the kinks cost no accuracy. */
    double s = 0.0;
    for (size_t pn = 0; pn < npan; pn++) s += radial_panel(lv, kmax, tab, ng, pn * h, (pn + 1) * h, ell, dell, 20);
    *out = 2.0 * FM_PI * s;
  } else {
    /* G = sum_ab c_ab ell_a(z1) ell_b(z2), c_ab = occ (-1)^(a+b) / (N pi^2 eps^2);
     * |grad W| = (4 / eps) sqrt(r1^2 G_1^2 + r2^2 G_2^2), G_1 = sum c ell'_a ell_b;
     * integral (2 pi)^2 int int |grad W| r1 r2 dr1 dr2 */
    size_t K = (size_t)kmax + 1;
    L = malloc(K * Q * sizeof *L);
    Lp = malloc(K * Q * sizeof *Lp);
    Cm = calloc(K * K, sizeof *Cm);
    T = malloc(K * Q * sizeof *T);
    G1 = malloc(Q * Q * sizeof *G1);
    G2 = malloc(Q * Q * sizeof *G2);
    if (!L || !Lp || !Cm || !T || !G1 || !G2 || Q > FM_BLAS_MAX) {
      st = mfh_err_set(err, MFH_ENOMEM, "Wigner gradient: out of memory (%zu x %zu nodes)", Q, Q);
      goto done;
    }
    for (size_t i = 0; i < Q; i++) {
      laguerre_functions(kmax, 2.0 * r[i] * r[i] / eps, ell, dell);
      for (size_t a = 0; a < K; a++) {
        L[i * K + a] = ell[a]; /* column-major K x Q: (a, i) */
        Lp[i * K + a] = dell[a];
      }
    }
    double cn = 1.0 / (lv->N * FM_PI * FM_PI * eps * eps);
    for (int k = 0; k < lv->m; k++) {
      int a = lv->qn[2 * k], b = lv->qn[2 * k + 1];
      Cm[(size_t)b * K + (size_t)a] += ((a + b) % 2 ? -1.0 : 1.0) * lv->occ[k] * cn;
    }
    /* G1 = Lp^T C L (Q x Q), G2 = L^T C Lp; column-major */
    int iK = (int)K, iQ = (int)Q;
    double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &iK, &iQ, &iK, &one, Cm, &iK, L, &iK, &zero, T, &iK, 1, 1);  /* T = C L */
    dgemm_("T", "N", &iQ, &iQ, &iK, &one, Lp, &iK, T, &iK, &zero, G1, &iQ, 1, 1); /* Lp^T C L */
    dgemm_("N", "N", &iK, &iQ, &iK, &one, Cm, &iK, Lp, &iK, &zero, T, &iK, 1, 1); /* C Lp */
    dgemm_("T", "N", &iQ, &iQ, &iK, &one, L, &iK, T, &iK, &zero, G2, &iQ, 1, 1);  /* L^T C Lp */
    double s = 0.0;
    for (size_t j = 0; j < Q; j++) {
      double sj = 0.0;
      for (size_t i = 0; i < Q; i++) {
        /* G1(i, j): d/dz1 at (r_i, r_j) */
        double a = r[i] * G1[j * Q + i], b = r[j] * G2[j * Q + i];
        sj += wq[i] * r[i] * sqrt(a * a + b * b);
      }
      s += wq[j] * r[j] * sj;
    }
    *out = 4.0 * FM_PI * FM_PI * (4.0 / eps) * s;
  }
done:
  if (tab) gsl_integration_glfixed_table_free(tab);
  free(r);
  free(wq);
  free(ell);
  free(dell);
  free(L);
  free(Lp);
  free(Cm);
  free(T);
  free(G1);
  free(G2);
  return st;
}

/* ---- resolution monitors ---------------------------------------------------------- */

static int on_edge(const mfh_fermion_grid *g, size_t ix) {
  size_t n = (size_t)g->n;
  if (g->dim == 1) return ix == 0 || ix == n - 1;
  size_t i1 = ix / n, i2 = ix % n;
  return i1 == 0 || i1 == n - 1 || i2 == 0 || i2 == n - 1;
}

static int in_band(const mfh_fermion_grid *g, size_t ix) {
  size_t n = (size_t)g->n;
  for (int a = 0; a < g->dim; a++) {
    size_t l = g->dim == 1 ? ix : (a == 0 ? ix / n : ix % n);
    double m = l < n / 2 ? (double)l : (double)n - (double)l;
    if (m >= 0.45 * (double)n) return 1;
  }
  return 0;
}

int mfh_fermion_kernel_edges(const mfh_fermion_grid *g, const double complex *K, double *edge,
                             double *band, mfh_err *err) {
  int st;
  if (!K || !edge || !band) return mfh_err_set(err, MFH_EINPUT, "edges: NULL argument");
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  size_t np = fm_npts(g);
  double complex *s = fftw_malloc(np * sizeof *s);
  fftw_plan pl = NULL;
  int nn[2] = {g->n, g->n};
  if (!s) return mfh_err_set(err, MFH_ENOMEM, "edges: out of memory");
#pragma omp critical(mfh_fftw_planner)
  pl = fftw_plan_dft(g->dim, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!pl) {
    fftw_free(s);
    return mfh_err_set(err, MFH_ENOMEM, "edges: FFTW could not plan");
  }
  double kmax = 0.0, emax = 0.0, smax = 0.0, bmax = 0.0;
  for (size_t ix = 0; ix < np; ix++) {
    const double complex *row = K + ix * np;
    int e = on_edge(g, ix);
    for (size_t J = 0; J < np; J++) {
      double a = cabs(row[J]);
      kmax = fmax(kmax, a);
      if (e || on_edge(g, J)) emax = fmax(emax, a);
    }
    memcpy(s, row, np * sizeof *s);
    fftw_execute_dft(pl, s, s);
    for (size_t J = 0; J < np; J++) {
      double a = cabs(s[J]);
      smax = fmax(smax, a);
      if (in_band(g, J)) bmax = fmax(bmax, a);
    }
  }
  mfh_fftw_destroy_plans(pl);
  fftw_free(s);
  *edge = kmax > 0 ? emax / kmax : 0.0;
  *band = smax > 0 ? bmax / smax : 0.0;
  return MFH_OK;
}

int mfh_fermion_orbital_edges(const mfh_fermion_orbitals *o, double *edge, double *band,
                              mfh_err *err) {
  int st;
  if (!o || !edge || !band) return mfh_err_set(err, MFH_EINPUT, "edges: NULL argument");
  const mfh_fermion_grid *g = &o->grid;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  size_t np = fm_npts(g);
  double complex *s = fftw_malloc(np * sizeof *s);
  double *rho = calloc(np, sizeof *rho), *S = calloc(np, sizeof *S);
  fftw_plan pl = NULL;
  int nn[2] = {g->n, g->n};
  if (!s || !rho || !S) {
    st = mfh_err_set(err, MFH_ENOMEM, "edges: out of memory");
    goto done;
  }
#pragma omp critical(mfh_fftw_planner)
  pl = fftw_plan_dft(g->dim, nn, s, s, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!pl) {
    st = mfh_err_set(err, MFH_ENOMEM, "edges: FFTW could not plan");
    goto done;
  }
  for (int k = 0; k < o->m; k++) {
    const double complex *p = o->phi + (size_t)k * np;
    memcpy(s, p, np * sizeof *s);
    fftw_execute_dft(pl, s, s);
    for (size_t ix = 0; ix < np; ix++) {
      rho[ix] += o->occ[k] * (creal(p[ix]) * creal(p[ix]) + cimag(p[ix]) * cimag(p[ix]));
      S[ix] += o->occ[k] * (creal(s[ix]) * creal(s[ix]) + cimag(s[ix]) * cimag(s[ix]));
    }
  }
  double rmax = 0, remax = 0, smax = 0, sbmax = 0;
  for (size_t ix = 0; ix < np; ix++) {
    rmax = fmax(rmax, rho[ix]);
    if (on_edge(g, ix)) remax = fmax(remax, rho[ix]);
    smax = fmax(smax, S[ix]);
    if (in_band(g, ix)) sbmax = fmax(sbmax, S[ix]);
  }
  *edge = rmax > 0 ? sqrt(remax / rmax) : 0.0;
  *band = smax > 0 ? sqrt(sbmax / smax) : 0.0;
  st = MFH_OK;
done:
  if (pl) {
    mfh_fftw_destroy_plans(pl);
  }
  fftw_free(s);
  free(rho);
  free(S);
  return st;
}
