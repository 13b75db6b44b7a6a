/* N-body wave functions on a tensor-product grid (core/nbody_wave.h). */
#include "core/nbody_wave.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t mfh_nbody_wave_size(int N, size_t M) {
  if (N < 1 || M < 1) return 0;
  size_t s = 1;
  for (int j = 0; j < N; j++) {
    if (s > SIZE_MAX / M) return 0;
    s *= M;
  }
  return s;
}

mfh_nbody_wave *mfh_nbody_wave_new(const mfh_xgrid *g, int N) {
  if (!g || g->dim != 1) return NULL;
  size_t size = mfh_nbody_wave_size(N, g->n);
  if (!size || size > SIZE_MAX / sizeof(double complex)) return NULL;
  mfh_nbody_wave *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->grid = *g;
  w->N = N;
  if (!(w->psi = calloc(size, sizeof *w->psi))) {
    free(w);
    return NULL;
  }
  return w;
}

void mfh_nbody_wave_free(mfh_nbody_wave *w) {
  if (!w) return;
  free(w->psi);
  free(w);
}

int mfh_nbody_wave_copy(const mfh_nbody_wave *w, mfh_nbody_wave **out, mfh_err *err) {
  mfh_nbody_wave *c = mfh_nbody_wave_new(&w->grid, w->N);
  if (!c)
    return mfh_err_set(err, MFH_ENOMEM, "out of memory copying a wave function of %d particles on %zu points", w->N,
                       w->grid.n);
  c->eps = w->eps;
  memcpy(c->psi, w->psi, mfh_nbody_wave_size(w->N, w->grid.n) * sizeof *c->psi);
  *out = c;
  return MFH_OK;
}
