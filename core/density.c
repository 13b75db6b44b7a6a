/* Density operators: allocation, copy, release (core/density.h). */
#include "core/density.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

mfh_density *mfh_density_new(const mfh_xgrid *g, int kind, size_t norb) {
  size_t N = mfh_xgrid_points(g);
  if (!N) return NULL;
  if (kind == MFH_DENSITY_ORBITALS && (norb < 1 || norb > SIZE_MAX / sizeof(double complex) / N)) return NULL;
  if (kind == MFH_DENSITY_KERNEL && N > SIZE_MAX / sizeof(double complex) / N) return NULL;
  if (kind != MFH_DENSITY_ORBITALS && kind != MFH_DENSITY_KERNEL) return NULL;
  mfh_density *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->grid = *g;
  d->kind = kind;
  if (kind == MFH_DENSITY_ORBITALS) {
    d->norb = norb;
    d->orb = calloc(norb * N, sizeof *d->orb);
    d->w = calloc(norb, sizeof *d->w);
    if (!d->orb || !d->w) goto fail;
  } else {
    d->kernel = calloc(N * N, sizeof *d->kernel);
    if (!d->kernel) goto fail;
  }
  return d;
fail:
  mfh_density_free(d);
  return NULL;
}

void mfh_density_free(mfh_density *d) {
  if (!d) return;
  free(d->orb);
  free(d->w);
  free(d->kernel);
  free(d->samples);
  free(d);
}

int mfh_density_copy(const mfh_density *d, mfh_density **out, mfh_err *err) {
  size_t N = mfh_xgrid_points(&d->grid);
  mfh_density *c = mfh_density_new(&d->grid, d->kind, d->norb);
  if (!c) goto nomem;
  c->eps = d->eps;
  if (d->kind == MFH_DENSITY_ORBITALS) {
    memcpy(c->orb, d->orb, d->norb * N * sizeof *c->orb);
    memcpy(c->w, d->w, d->norb * sizeof *c->w);
  } else {
    memcpy(c->kernel, d->kernel, N * N * sizeof *c->kernel);
  }
  if (d->nsamples && d->samples) {
    if (!(c->samples = malloc(d->nsamples * N * N * sizeof *c->samples))) goto nomem;
    memcpy(c->samples, d->samples, d->nsamples * N * N * sizeof *c->samples);
    c->nsamples = d->nsamples;
  }
  *out = c;
  return MFH_OK;
nomem:
  mfh_density_free(c);
  return mfh_err_set(err, MFH_ENOMEM, "out of memory copying a density on %zu points", N);
}
