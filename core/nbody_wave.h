/* N-body wave functions on a tensor-product grid: the state kind
 * "nbody_wave".
 *
 * Psi(x_1, .., x_N) for N particles, each on the same one-body grid (an
 * mfh_xgrid of dim 1: M = grid.n nodes x_i = xmin + i dx), stored as M^N
 * complex values row-major over the particles:
 *   psi[((i_0 M + i_1) M + ...) M + i_{N-1}] = Psi(x_{i_0}, .., x_{i_{N-1}}),
 * with ||Psi||^2 = dx^N sum |psi|^2.  Its marginals R_{N:1}, R_{N:2} are
 * metrics/marginals.h; eps is the semiclassical scale (hbar) the state lives
 * at, 0 when it has none.  An engine may hand out a borrowed view (a stack
 * struct pointing into its own array, never freed) or an owned one from
 * mfh_nbody_wave_new. */
#ifndef MFH_CORE_NBODY_WAVE_H
#define MFH_CORE_NBODY_WAVE_H

#include <complex.h>
#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"

typedef struct mfh_nbody_wave {
  mfh_xgrid grid; /* the one-body grid: dim 1, n = M */
  int N;          /* particles, >= 1 */
  double eps;     /* semiclassical scale (hbar); 0: none */
  double complex *psi; /* M^N values */
} mfh_nbody_wave;

/* M^N, or 0 when it overflows size_t (or N < 1, M < 1). */
size_t mfh_nbody_wave_size(int N, size_t M);
/* A zero-filled owned wave function of N particles on the 1D grid g.  NULL
 * when g is not a 1D grid, N < 1, M^N overflows or memory runs out. */
mfh_nbody_wave *mfh_nbody_wave_new(const mfh_xgrid *g, int N);
/* Free an owned wave function and its values; accepts NULL. */
void mfh_nbody_wave_free(mfh_nbody_wave *w);
/* A deep copy (owned); 0 or MFH_ENOMEM. */
int mfh_nbody_wave_copy(const mfh_nbody_wave *w, mfh_nbody_wave **out, mfh_err *err);

#endif
