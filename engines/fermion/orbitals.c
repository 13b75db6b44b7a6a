/* The orbital engine: Hartree and Hartree-Fock on omega = sum_k lambda_k
 * |phi_k><phi_k| (see engines.h).  The same Strang step as the kernel
 * engine, so the kernel of the orbitals after n steps equals the kernel
 * engine's after n steps (mathematically; to round-off in practice). */
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

#define FM_ORBS 8 /* orbitals per FFT block */

struct mfh_fermion_orb_engine {
  mfh_fermion_engine_params p;
  mfh_fermion_orbitals *o; /* the state */
  size_t n, npts, m;
  double cell, t;
  int nthr;
  int open;       /* 1: the last step's closing half step is pending */
  double open_dt;
  double complex *kin; /* e^{-i dt eps |k|^2} / npts */
  double kin_dt;
  double complex *ph; /* e^{-i tau U / eps} */
  double *rho, *u;
  mfh_fermion_field *field;
  /* HF: stage, acc, scaled copy, rhs (m x npts each), W (npts^2), V table */
  double complex *stage, *acc, *A, *Y, *W;
  double *vt;
  size_t nblk, rem;
  fftw_plan f_blk, b_blk, f_rem, b_rem;
};

double mfh_fermion_orb_engine_bytes(const mfh_fermion_engine_params *p, int m) {
  if (!p) return 0;
  double np = (double)fm_npts(&p->grid), orb = 16.0 * np * (double)m;
  return p->model == MFH_FERMION_HF ? 5.0 * orb + 16.0 * np * np : orb;
}

void mfh_fermion_orb_engine_destroy(mfh_fermion_orb_engine *e) {
  if (!e) return;
  mfh_fftw_destroy_plans(e->f_blk, e->b_blk, e->f_rem, e->b_rem);
  mfh_fermion_field_destroy(e->field);
  if (e->o) {
    fftw_free(e->o->phi); /* allocated with fftw_malloc below */
    e->o->phi = NULL;
  }
  mfh_fermion_orbitals_destroy(e->o);
  fftw_free(e->kin);
  fftw_free(e->ph);
  free(e->rho);
  free(e->u);
  fftw_free(e->stage);
  fftw_free(e->acc);
  fftw_free(e->A);
  fftw_free(e->Y);
  fftw_free(e->W);
  free(e->vt);
  free(e);
}

int mfh_fermion_orb_engine_create(const mfh_fermion_engine_params *p,
                                  const mfh_fermion_orbitals *init, mfh_fermion_orb_engine **out,
                                  mfh_err *err) {
  int st;
  if (!out || !init) return mfh_err_set(err, MFH_EINPUT, "orbital engine: NULL argument");
  *out = NULL;
  if (!p) return mfh_err_set(err, MFH_EINPUT, "engine: NULL parameters");
  if (p->model == MFH_FERMION_VLASOV)
    return mfh_err_set(err, MFH_EINPUT, "model: vlasov runs on the kernel, not on orbitals");
  if ((st = mfh_fermion_grid_check(&p->grid, err)) != MFH_OK) return st;
  if ((st = mfh_fermion_pot_check(&p->V, err)) != MFH_OK) return st;
  if (!(p->N > 0) || !isfinite(p->N)) return mfh_err_set(err, MFH_EINPUT, "N: must be finite and > 0 (got %g)", p->N);
  if (p->model < MFH_FERMION_FREE || p->model > MFH_FERMION_HF)
    return mfh_err_set(err, MFH_EINPUT, "model: %d is not an orbital model (free, hartree, hf)", p->model);
  if (p->threads < 1 || p->threads > 1024)
    return mfh_err_set(err, MFH_EINPUT, "threads: must be in [1, 1024] (got %d)", p->threads);
  const mfh_fermion_grid *a = &p->grid, *b = &init->grid;
  if (a->dim != b->dim || a->n != b->n || a->dx != b->dx || a->xmin != b->xmin || a->eps != b->eps)
    return mfh_err_set(err, MFH_EINPUT, "orbital engine: the orbitals live on another grid");
  size_t npts = fm_npts(a), m = (size_t)init->m;
  if (m < 1 || m > SIZE_MAX / sizeof(double complex) / npts)
    return mfh_err_set(err, MFH_EINPUT, "orbital engine: bad orbital count %zu", m);
  if (p->model == MFH_FERMION_HF && (npts > FM_BLAS_MAX || m > FM_BLAS_MAX))
    return mfh_err_set(err, MFH_EINPUT, "exchange: sizes exceed BLAS ints");
  mfh_fermion_orb_engine *e = calloc(1, sizeof *e);
  if (!e) return mfh_err_set(err, MFH_ENOMEM, "orbital engine: out of memory");
  e->p = *p;
  e->n = (size_t)a->n;
  e->npts = npts;
  e->m = m;
  e->cell = fm_cell(a);
  e->nthr = p->threads;
  e->kin_dt = NAN;
  e->o = calloc(1, sizeof *e->o);
  int ok = e->o != NULL;
  if (ok) {
    e->o->grid = *a;
    e->o->m = (int)m;
    e->o->N = p->N;
    e->o->occ = malloc(m * sizeof *e->o->occ);
    e->o->phi = fftw_malloc(m * npts * sizeof *e->o->phi);
    ok = e->o->occ && e->o->phi;
  }
  e->kin = fftw_malloc(npts * sizeof *e->kin);
  e->ph = fftw_malloc(npts * sizeof *e->ph);
  e->rho = malloc(npts * sizeof *e->rho);
  e->u = malloc(npts * sizeof *e->u);
  ok = ok && e->kin && e->ph && e->rho && e->u;
  if (p->model == MFH_FERMION_HF) {
    e->stage = fftw_malloc(m * npts * sizeof *e->stage);
    e->acc = fftw_malloc(m * npts * sizeof *e->acc);
    e->A = fftw_malloc(m * npts * sizeof *e->A);
    e->Y = fftw_malloc(m * npts * sizeof *e->Y);
    e->W = fftw_malloc(npts * npts * sizeof *e->W);
    e->vt = mfh_fermion_pot_offsets(&p->V, a);
    ok = ok && e->stage && e->acc && e->A && e->Y && e->W && e->vt;
  }
  if (!ok) {
    st = mfh_err_set(err, MFH_ENOMEM, "orbital engine: out of memory (%.3g GiB)",
                     mfh_fermion_orb_engine_bytes(p, (int)m) / 1073741824.0);
    goto fail;
  }
  memcpy(e->o->occ, init->occ, m * sizeof *init->occ);
  memcpy(e->o->phi, init->phi, m * npts * sizeof *init->phi);
  if (e->W) memset(e->W, 0, npts * npts * sizeof *e->W);
  if (p->model != MFH_FERMION_FREE &&
      (st = mfh_fermion_field_create(a, &p->V, FM_FIELD_U, &e->field, err)) != MFH_OK)
    goto fail;
  e->nblk = m / FM_ORBS;
  e->rem = m % FM_ORBS;
  int nn[2] = {a->n, a->n}, d = a->dim, np = (int)npts;
  double complex *phi = e->o->phi;
#pragma omp critical(mfh_fftw_planner)
  {
    if (e->nblk) {
      e->f_blk = fftw_plan_many_dft(d, nn, FM_ORBS, phi, NULL, 1, np, phi, NULL, 1, np, FFTW_FORWARD, FFTW_ESTIMATE);
      e->b_blk = fftw_plan_many_dft(d, nn, FM_ORBS, phi, NULL, 1, np, phi, NULL, 1, np, FFTW_BACKWARD, FFTW_ESTIMATE);
    }
    if (e->rem) {
      e->f_rem = fftw_plan_many_dft(d, nn, (int)e->rem, phi, NULL, 1, np, phi, NULL, 1, np, FFTW_FORWARD,
                                    FFTW_ESTIMATE);
      e->b_rem = fftw_plan_many_dft(d, nn, (int)e->rem, phi, NULL, 1, np, phi, NULL, 1, np, FFTW_BACKWARD,
                                    FFTW_ESTIMATE);
    }
  }
  if ((e->nblk && (!e->f_blk || !e->b_blk)) || (e->rem && (!e->f_rem || !e->b_rem))) {
    st = mfh_err_set(err, MFH_ENOMEM, "orbital engine: FFTW could not plan %zu points", npts);
    goto fail;
  }
  /* the planner may have touched phi (FFTW_ESTIMATE does not, but be safe) */
  memcpy(e->o->phi, init->phi, m * npts * sizeof *init->phi);
  *out = e;
  return MFH_OK;
fail:
  mfh_fermion_orb_engine_destroy(e);
  return st;
}

const mfh_fermion_orbitals *mfh_fermion_orb_engine_state(const mfh_fermion_orb_engine *e) {
  return e ? e->o : NULL;
}

double mfh_fermion_orb_engine_time(const mfh_fermion_orb_engine *e) { return e ? e->t : NAN; }

/* ---- sub-steps ---------------------------------------------------------------------- */

static void kinetic(mfh_fermion_orb_engine *e, double dt) {
  size_t npts = e->npts;
  if (e->kin_dt != dt) {
    double eps = e->p.grid.eps, inv = 1.0 / (double)npts;
    for (size_t ix = 0; ix < npts; ix++) {
      double complex z = fm_expmi(dt * eps * fm_k2(&e->p.grid, ix));
      e->kin[ix] = CMPLX(inv * creal(z), inv * cimag(z));
    }
    e->kin_dt = dt;
  }
  size_t nb = e->nblk + (e->rem ? 1 : 0);
  const double complex *kin = e->kin;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t b = 0; b < nb; b++) {
    int last = b == e->nblk;
    size_t nr = last ? e->rem : FM_ORBS;
    double complex *blk = e->o->phi + b * FM_ORBS * npts;
    fftw_execute_dft(last ? e->f_rem : e->f_blk, blk, blk);
    for (size_t r = 0; r < nr; r++) {
      double complex *row = blk + r * npts;
      for (size_t j = 0; j < npts; j++) row[j] = fm_mul(row[j], kin[j]);
    }
    fftw_execute_dft(last ? e->b_rem : e->b_blk, blk, blk);
  }
}

/* rho = (1/N) sum_k occ_k |phi_k|^2 (k ascending at every point). */
static void density(const mfh_fermion_orb_engine *e, const double complex *phi, double *rho) {
  size_t npts = e->npts, m = e->m;
  double inv = 1.0 / e->p.N;
  const double *occ = e->o->occ;
  size_t chunk = 256, nc = (npts + chunk - 1) / chunk;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t c = 0; c < nc; c++) {
    size_t i0 = c * chunk, i1 = i0 + chunk < npts ? i0 + chunk : npts;
    for (size_t i = i0; i < i1; i++) rho[i] = 0.0;
    for (size_t k = 0; k < m; k++) {
      const double complex *p = phi + k * npts;
      double w = occ[k];
      for (size_t i = i0; i < i1; i++) rho[i] += w * (creal(p[i]) * creal(p[i]) + cimag(p[i]) * cimag(p[i]));
    }
    for (size_t i = i0; i < i1; i++) rho[i] *= inv;
  }
}

static int mean_field(mfh_fermion_orb_engine *e, mfh_err *err) {
  density(e, e->o->phi, e->rho);
  if (mfh_fermion_field_eval(e->field, e->rho, e->u, NULL) != MFH_OK)
    return mfh_err_set(err, MFH_ENUMERIC, "orbital engine: the mean field is not finite at t = %g", e->t);
  return MFH_OK;
}

/* phi_k <- e^{-i tau U / eps} phi_k for the orbitals phi (e's own or a copy). */
static void potential(mfh_fermion_orb_engine *e, double tau, double complex *phi) {
  size_t npts = e->npts;
  double c = tau / e->p.grid.eps;
  for (size_t i = 0; i < npts; i++) e->ph[i] = fm_expmi(c * e->u[i]);
  const double complex *ph = e->ph;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t k = 0; k < e->m; k++) {
    double complex *p = phi + k * npts;
    for (size_t i = 0; i < npts; i++) p[i] = fm_mul(p[i], ph[i]);
  }
}

/* Y = (i / eps) cell X[omega(P)] P, omega(P) = sum occ |P_k><P_k|. */
static void exchange_rhs(mfh_fermion_orb_engine *e, const double complex *P) {
  size_t npts = e->npts, m = e->m, n = e->n, w = 2 * n - 1;
  const double *occ = e->o->occ;
  for (size_t k = 0; k < m; k++) {
    double f = sqrt(occ[k]);
    const double complex *s = P + k * npts;
    double complex *d = e->A + k * npts;
    for (size_t i = 0; i < npts; i++) d[i] = CMPLX(f * creal(s[i]), f * cimag(s[i]));
  }
  /* column-major W = A A^H: W(i, j) = omega(x_i, x_j), lower triangle */
  int in = (int)npts, im = (int)m;
  double one = 1.0, zero = 0.0;
  zherk_("L", "N", &in, &im, &one, e->A, &in, &zero, e->W, &in, 1, 1);
  /* X(i, j) = V(x_i - x_j) W(i, j) / N on the lower triangle (column j
   * holds rows i >= j at W[j npts + i]) */
  double inv = 1.0 / e->p.N;
  const mfh_fermion_grid *g = &e->p.grid;
#pragma omp parallel for num_threads(e->nthr) schedule(static)
  for (size_t j = 0; j < npts; j++) {
    double complex *col = e->W + j * npts;
    for (size_t i = j; i < npts; i++) {
      double v;
      if (g->dim == 1) {
        v = e->vt[i - j + n - 1];
      } else {
        long d1 = (long)(i / n) - (long)(j / n), d2 = (long)(i % n) - (long)(j % n);
        v = e->vt[(size_t)(d1 + (long)n - 1) * w + (size_t)(d2 + (long)n - 1)];
      }
      double f = inv * v;
      col[i] = CMPLX(f * creal(col[i]), f * cimag(col[i]));
    }
  }
  double complex alpha = CMPLX(0.0, e->cell / g->eps), beta = 0.0;
  zhemm_("L", "L", &in, &im, &alpha, e->W, &in, P, &in, &beta, e->Y, &in, 1, 1);
}

static void exchange_rhs_cb(void *e, const double complex *in) { exchange_rhs(e, in); }

/* The exchange sub-flow over tau by RK4 on the orbitals Ph (e's own or a copy). */
static void exchange(mfh_fermion_orb_engine *e, double tau, double complex *Ph) {
  mfh_fermion_rk4(e->m * e->npts, tau, Ph, e->stage, e->acc, e->Y, exchange_rhs_cb, e, e->nthr);
}

static int open_run(mfh_fermion_orb_engine *e, double dt, mfh_err *err) {
  int st;
  if (e->p.model == MFH_FERMION_HF) {
    exchange(e, 0.5 * dt, e->o->phi);
  } else if (e->p.model != MFH_FERMION_FREE) {
    if ((st = mean_field(e, err)) != MFH_OK) return st;
    potential(e, 0.5 * dt, e->o->phi);
  }
  e->open = 1;
  e->open_dt = dt;
  return MFH_OK;
}

int mfh_fermion_orb_engine_advance(mfh_fermion_orb_engine *e, double dt, long nsteps, mfh_err *err) {
  int st;
  if (!e) return mfh_err_set(err, MFH_EINPUT, "orbital engine: NULL");
  if (!isfinite(dt) || dt == 0) return mfh_err_set(err, MFH_EINPUT, "dt: must be finite and != 0 (got %g)", dt);
  if (nsteps < 0) return mfh_err_set(err, MFH_EINPUT, "nsteps: must be >= 0 (got %ld)", nsteps);
  if (nsteps == 0) return MFH_OK;
  if (e->open && e->open_dt != dt)
    return mfh_err_set(err, MFH_EINPUT, "orbital engine: dt %g while a run with dt %g is open (close it first)", dt,
                       e->open_dt);
  int pot = e->p.model != MFH_FERMION_FREE, hf = e->p.model == MFH_FERMION_HF;
  int merge = e->open;
  if (!e->open && (st = open_run(e, dt, err)) != MFH_OK) return st;
  for (long s = 0; s < nsteps; s++) {
    if (merge || s > 0) {
      if (hf) {
        exchange(e, dt, e->o->phi);
      } else if (pot) {
        if ((st = mean_field(e, err)) != MFH_OK) return st;
        potential(e, dt, e->o->phi);
      }
    }
    if (hf) {
      /* X(dt/2) [U(dt/2) K(dt) U(dt/2) X(dt)]...: U and X stay adjacent,
       * so for N = 1 (U phi = X phi) they cancel */
      if ((st = mean_field(e, err)) != MFH_OK) return st;
      potential(e, 0.5 * dt, e->o->phi);
      kinetic(e, dt);
      if ((st = mean_field(e, err)) != MFH_OK) return st;
      potential(e, 0.5 * dt, e->o->phi);
    } else {
      kinetic(e, dt);
    }
    e->t += dt;
  }
  return MFH_OK;
}

int mfh_fermion_orb_engine_close_into(mfh_fermion_orb_engine *e, double complex *phi, mfh_err *err) {
  int st;
  if (!e || !phi) return mfh_err_set(err, MFH_EINPUT, "orbital engine: NULL argument");
  if (phi != e->o->phi) memcpy(phi, e->o->phi, e->m * e->npts * sizeof *phi);
  if (!e->open) return MFH_OK;
  double h = 0.5 * e->open_dt;
  if (e->p.model == MFH_FERMION_HF) {
    exchange(e, h, phi);
  } else if (e->p.model != MFH_FERMION_FREE) {
    if ((st = mean_field(e, err)) != MFH_OK) return st;
    potential(e, h, phi);
  }
  if (phi == e->o->phi) e->open = 0;
  return MFH_OK;
}

int mfh_fermion_orb_engine_run(mfh_fermion_orb_engine *e, double dt, long nsteps, mfh_err *err) {
  int st = mfh_fermion_orb_engine_advance(e, dt, nsteps, err);
  if (st == MFH_OK && e->open) st = mfh_fermion_orb_engine_close_into(e, e->o->phi, err);
  return st;
}
