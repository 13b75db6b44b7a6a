/* The mean field U = V * rho on the grid and grad U on the half grid by
 * one zero-padded FFT convolution (see internal.h).
 *
 * Why the half grid.  The Weyl-quantised Vlasov generator needs grad U at
 * the midpoints (x_i + x_j) / 2 of all grid pairs, i.e. at
 * z_m = xmin + m dx / 2, m = i + j.  Interpolating U from the grid
 * (trigonometric / spectral interpolation) would assume U periodic and
 * band-limited on the box; it is neither (U = V * rho has the width of V
 * plus that of rho and is ~1e-2 at the edge of the boxes used here), so
 * the interpolant would carry Gibbs errors.  Instead grad U(z_m) is the same
 * grid quadrature as U itself, sum_j cell grad V(z_m - x_j) rho_j, with the
 * analytic grad V evaluated at the half offsets: the exact gradient of the
 * function z -> cell sum_j V(z - x_j) rho_j whose grid values the Hartree
 * step uses.  So Hartree and Vlasov see the same U, and for a quadratic V
 * the identity U(x) - U(y) = grad U((x + y)/2) . (x - y) holds to round-off
 * (the Moyal expansion terminates; the tests check Hartree == Vlasov).
 * Cost: one r2c of (4n)^d points and one c2r per output component,
 * negligible against the kernel step. */
#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engines/fermion/internal.h"
#include "core/fftw.h"

struct mfh_fermion_field {
  int dim, what;
  size_t n, nf, nfc, nreal, ncplx; /* nf = 4n; nfc = nf / 2 + 1 */
  double *cin, *cout;
  double complex *chat, *tmp;
  double complex *spec[3]; /* spectra of V, d_1 V, d_2 V (scaled by cell / nf^d) */
  fftw_plan fwd, bwd;
};

size_t mfh_fermion_field_half_points(const mfh_fermion_grid *g) {
  size_t nh = 2 * (size_t)g->n - 1;
  return g->dim == 1 ? nh : nh * nh;
}

void mfh_fermion_field_destroy(mfh_fermion_field *f) {
  if (!f) return;
  mfh_fftw_destroy_plans(f->fwd, f->bwd);
  fftw_free(f->cin);
  fftw_free(f->cout);
  fftw_free(f->chat);
  fftw_free(f->tmp);
  for (int i = 0; i < 3; i++) fftw_free(f->spec[i]);
  free(f);
}

/* Sample component c (0: V, 1 + a: d_a V) at the half offsets into cin
 * (circular positions), scaled by cell / nf^d. */
static void sample_kernel(mfh_fermion_field *f, const mfh_fermion_grid *g,
                          const mfh_fermion_potential *V, int c) {
  long n = (long)f->n, nf = (long)f->nf, rmax = 2 * n - 2;
  double h = 0.5 * g->dx, sc = fm_cell(g) / (double)f->nreal;
  memset(f->cin, 0, f->nreal * sizeof *f->cin);
  if (f->dim == 1) {
    for (long r = -rmax; r <= rmax; r++) {
      double x[1] = {(double)r * h}, gr[1];
      double v;
      if (c == 0) {
        v = mfh_fermion_pot_value(V, 1, x);
      } else {
        mfh_fermion_pot_grad(V, 1, x, gr);
        v = gr[0];
      }
      f->cin[(r + nf) % nf] = sc * v;
    }
  } else {
    for (long r1 = -rmax; r1 <= rmax; r1++)
      for (long r2 = -rmax; r2 <= rmax; r2++) {
        double x[2] = {(double)r1 * h, (double)r2 * h}, gr[2];
        double v;
        if (c == 0) {
          v = mfh_fermion_pot_value(V, 2, x);
        } else {
          mfh_fermion_pot_grad(V, 2, x, gr);
          v = gr[c - 1];
        }
        f->cin[(size_t)((r1 + nf) % nf) * (size_t)nf + (size_t)((r2 + nf) % nf)] = sc * v;
      }
  }
}

int mfh_fermion_field_create(const mfh_fermion_grid *g, const mfh_fermion_potential *V, int what,
                             mfh_fermion_field **out, mfh_err *err) {
  int st;
  if (!out) return mfh_err_set(err, MFH_EINPUT, "field: NULL output");
  *out = NULL;
  if ((st = mfh_fermion_grid_check(g, err)) != MFH_OK) return st;
  if ((st = mfh_fermion_pot_check(V, err)) != MFH_OK) return st;
  mfh_fermion_field *f = calloc(1, sizeof *f);
  if (!f) return mfh_err_set(err, MFH_ENOMEM, "field: out of memory");
  f->dim = g->dim;
  f->what = what;
  f->n = (size_t)g->n;
  f->nf = 4 * f->n;
  f->nfc = f->nf / 2 + 1;
  f->nreal = g->dim == 1 ? f->nf : f->nf * f->nf;
  f->ncplx = g->dim == 1 ? f->nfc : f->nf * f->nfc;
  f->cin = fftw_malloc(f->nreal * sizeof *f->cin);
  f->cout = fftw_malloc(f->nreal * sizeof *f->cout);
  f->chat = fftw_malloc(f->ncplx * sizeof *f->chat);
  f->tmp = fftw_malloc(f->ncplx * sizeof *f->tmp);
  int ok = f->cin && f->cout && f->chat && f->tmp;
  for (int c = 0; c <= g->dim; c++) {
    int need = c == 0 ? (what & FM_FIELD_U) : (what & FM_FIELD_GRAD);
    if (need) {
      f->spec[c] = fftw_malloc(f->ncplx * sizeof *f->spec[c]);
      ok = ok && f->spec[c];
    }
  }
  if (!ok) {
    st = mfh_err_set(err, MFH_ENOMEM, "field: out of memory for the (%zu)^%d convolution", f->nf, g->dim);
    goto fail;
  }
  int nn[2] = {(int)f->nf, (int)f->nf};
#pragma omp critical(mfh_fftw_planner)
  {
    f->fwd = fftw_plan_dft_r2c(g->dim, nn, f->cin, f->chat, FFTW_ESTIMATE);
    f->bwd = fftw_plan_dft_c2r(g->dim, nn, f->tmp, f->cout, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  }
  if (!f->fwd || !f->bwd) {
    st = mfh_err_set(err, MFH_ENOMEM, "field: FFTW could not plan (%zu)^%d", f->nf, g->dim);
    goto fail;
  }
  for (int c = 0; c <= g->dim; c++) {
    if (!f->spec[c]) continue;
    sample_kernel(f, g, V, c);
    fftw_execute_dft_r2c(f->fwd, f->cin, f->spec[c]);
  }
  *out = f;
  return MFH_OK;
fail:
  mfh_fermion_field_destroy(f);
  return st;
}

int mfh_fermion_field_eval(mfh_fermion_field *f, const double *rho, double *u, double *grad) {
  size_t n = f->n, nf = f->nf, nh = 2 * n - 1;
  memset(f->cin, 0, f->nreal * sizeof *f->cin);
  if (f->dim == 1) {
    for (size_t i = 0; i < n; i++) f->cin[2 * i] = rho[i];
  } else {
    for (size_t i1 = 0; i1 < n; i1++)
      for (size_t i2 = 0; i2 < n; i2++) f->cin[2 * i1 * nf + 2 * i2] = rho[i1 * n + i2];
  }
  fftw_execute_dft_r2c(f->fwd, f->cin, f->chat);
  double bad = 0.0;
  for (int c = 0; c <= f->dim; c++) {
    if (!f->spec[c]) continue;
    if (c == 0 && !u) continue;
    if (c > 0 && !grad) continue;
    for (size_t i = 0; i < f->ncplx; i++) f->tmp[i] = fm_mul(f->chat[i], f->spec[c][i]);
    fftw_execute_dft_c2r(f->bwd, f->tmp, f->cout);
    if (c == 0) {
      if (f->dim == 1) {
        for (size_t i = 0; i < n; i++) u[i] = f->cout[2 * i];
      } else {
        for (size_t i1 = 0; i1 < n; i1++)
          for (size_t i2 = 0; i2 < n; i2++) u[i1 * n + i2] = f->cout[2 * i1 * nf + 2 * i2];
      }
      for (size_t i = 0; i < (f->dim == 1 ? n : n * n); i++) bad += 0.0 * u[i];
    } else {
      double *gc = grad + (size_t)(c - 1) * (f->dim == 1 ? nh : nh * nh);
      if (f->dim == 1) {
        for (size_t m = 0; m < nh; m++) gc[m] = f->cout[m];
      } else {
        for (size_t m1 = 0; m1 < nh; m1++)
          for (size_t m2 = 0; m2 < nh; m2++) gc[m1 * nh + m2] = f->cout[m1 * nf + m2];
      }
      for (size_t i = 0; i < (f->dim == 1 ? nh : nh * nh); i++) bad += 0.0 * gc[i];
    }
  }
  return bad == 0.0 ? MFH_OK : MFH_ENUMERIC;
}
