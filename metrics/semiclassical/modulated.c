/* The CEP-5 modulated energy of a pure 1D state against a fluid
 * (modulated.h); the arithmetic of the former hartree_ep solver. */
#include "metrics/semiclassical/modulated.h"
#include "core/fftw.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>

#define MOD_PI 3.14159265358979323846

struct mfh_sc_modulated_work {
  size_t n;
  fftw_complex *a, *b;  /* fftw_malloc'd, n values each */
  double *rho, *F;      /* n values each */
  fftw_plan fwd, bwd;   /* a -> b forward, b -> a backward (executed on these arrays) */
};

int mfh_sc_modulated_work_create(size_t n, mfh_sc_modulated_work **out, mfh_err *err) {
  *out = NULL;
  if (n < 4 || n % 2 || n > (1u << 26))
    return mfh_err_set(err, MFH_EINPUT, "modulated energy: n = %zu must be even, in [4, 2^26]", n);
  mfh_sc_modulated_work *w = calloc(1, sizeof *w);
  if (!w) return mfh_err_set(err, MFH_ENOMEM, "modulated energy: out of memory");
  w->n = n;
  w->a = fftw_malloc(n * sizeof *w->a);
  w->b = fftw_malloc(n * sizeof *w->b);
  w->rho = malloc(n * sizeof *w->rho);
  w->F = malloc(n * sizeof *w->F);
  if (!w->a || !w->b || !w->rho || !w->F) goto nomem;
#pragma omp critical(mfh_fftw_planner)
  {
    w->fwd = fftw_plan_dft_1d((int)n, w->a, w->b, FFTW_FORWARD, FFTW_ESTIMATE);
    w->bwd = fftw_plan_dft_1d((int)n, w->b, w->a, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!w->fwd || !w->bwd) goto nomem;
  *out = w;
  return MFH_OK;
nomem:
  mfh_sc_modulated_work_destroy(w);
  return mfh_err_set(err, MFH_ENOMEM, "modulated energy: out of memory for n = %zu", n);
}

void mfh_sc_modulated_work_destroy(mfh_sc_modulated_work *w) {
  if (!w) return;
  mfh_fftw_destroy_plans(w->fwd, w->bwd);
  fftw_free(w->a);
  fftw_free(w->b);
  free(w->rho);
  free(w->F);
  free(w);
}

/* Angular wave number of DFT index m on a box of length len (Nyquist -> 0). */
static double wave(size_t m, size_t n, double len) {
  if (2 * m == n) return 0;
  double k = 2 * MOD_PI / len;
  return m < n / 2 ? k * (double)m : -k * (double)(n - m);
}

void mfh_sc_modulated_cumulative(mfh_sc_modulated_work *w, const double *rho, double dx, double *F) {
  size_t n = w->n;
  double len = dx * (double)n;
  for (size_t j = 0; j < n; j++) w->a[j] = rho[j];
  fftw_execute_dft(w->fwd, w->a, w->b);
  /* rho(y) = (1/n) sum_m c_m e^{i k_m y}, y = x - xmin; its integral from 0 is
   * (c_0/n) y + (1/n) sum_{m != 0} c_m (e^{i k_m y} - 1)/(i k_m) */
  double mean = creal(w->b[0]) / (double)n;
  w->b[0] = 0;
  for (size_t m = 1; m < n; m++) {
    double k = wave(m, n, len);
    w->b[m] = k != 0 ? w->b[m] / (I * k) : 0;
  }
  fftw_execute_dft(w->bwd, w->b, w->a);
  double a0 = creal(w->a[0]);
  for (size_t j = 0; j < n; j++) F[j] = mean * dx * (double)j + (creal(w->a[j]) - a0) / (double)n;
}

int mfh_sc_modulated_energy(mfh_sc_modulated_work *w, const double complex *psi, double dx, double hbar,
                            const double *rho, const double *u, const double *F, mfh_sc_modulated *out,
                            mfh_err *err) {
  if (!w || !psi || !rho || !u || !F || !out || !(dx > 0) || !(hbar > 0))
    return mfh_err_set(err, MFH_EINPUT, "modulated energy: bad arguments");
  size_t n = w->n;
  double len = dx * (double)n;
  /* D psi = -i psi' spectrally: multiply by k */
  for (size_t j = 0; j < n; j++) w->a[j] = psi[j];
  fftw_execute_dft(w->fwd, w->a, w->b);
  for (size_t m = 0; m < n; m++) w->b[m] *= wave(m, n, len) / (double)n;
  fftw_execute_dft(w->bwd, w->b, w->a); /* a = D psi */
  double gk = 0, c1 = 0, c2 = 0, jm = 0, mass = 0;
  for (size_t j = 0; j < n; j++) {
    double complex p = psi[j], hd = hbar * w->a[j], d = hd - u[j] * p;
    double rh = creal(p) * creal(p) + cimag(p) * cimag(p);
    double J = creal(conj(p) * hd);
    gk += creal(d) * creal(d) + cimag(d) * cimag(d);
    double e = J - rho[j] * u[j];
    c1 += fabs(e);
    c2 += e * e;
    jm += fabs(J - rh * u[j]);
    mass += rh;
    w->rho[j] = rh;
  }
  /* G_pot = int (F_hbar - F_rho)^2 */
  mfh_sc_modulated_cumulative(w, w->rho, dx, w->F);
  double gp = 0;
  for (size_t j = 0; j < n; j++) {
    double e = w->F[j] - F[j];
    gp += e * e;
  }
  out->G_kin = gk * dx;
  out->G_pot = gp * dx;
  out->G = out->G_kin + out->G_pot;
  out->cur_l1 = c1 * dx;
  out->cur_l2 = sqrt(c2 * dx);
  out->jmod_l1 = jm * dx;
  out->mass = mass * dx;
  if (!isfinite(out->G) || !isfinite(out->cur_l1))
    return mfh_err_set(err, MFH_ENUMERIC, "modulated energy: non-finite value");
  return MFH_OK;
}
