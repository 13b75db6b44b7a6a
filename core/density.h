/* Density operators on a position grid: the state kind "density".
 *
 * R = sum_k w_k |psi_k><psi_k| (orbitals and weights: a Hartree mixture, a
 * pure state with one orbital) or a dense kernel R(x_i, x_j) (a reduced
 * density matrix, a Hartree-Fock state).  The grid is the box of
 * mfh_xgrid (n^dim points, cell dx^dim); tr R = dx^dim sum_i R(x_i, x_i).
 * eps is the semiclassical scale the state lives at (it sets the Wigner
 * transform's scale and P = -i eps grad); 0 when it has none.
 * A Monte Carlo estimate (the mean over realisations of a random dynamics)
 * may carry its samples: nsamples kernels of N x N entries, whose mean is
 * the kernel; observables then give standard errors. */
#ifndef MFH_CORE_DENSITY_H
#define MFH_CORE_DENSITY_H

#include <complex.h>
#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"

enum mfh_density_kind {
  MFH_DENSITY_ORBITALS = 1, /* R = sum_k w_k |psi_k><psi_k| */
  MFH_DENSITY_KERNEL = 2    /* dense kernel R(x_i, x_j) */
};

/* Fields are public: an engine may fill a stack struct with pointers to its
 * own arrays (a borrowed view, never freed), or get an owned one from
 * mfh_density_new.
 *   orbitals: norb >= 1, orb[k * N + j] = psi_k(x_j), w[k] = w_k, kernel NULL;
 *   kernel:   norb = 0, orb = w = NULL, kernel[i * N + j] = R(x_i, x_j). */
typedef struct mfh_density {
  mfh_xgrid grid;
  int kind;
  size_t norb;
  double complex *orb;
  double *w;
  double complex *kernel;
  double eps;               /* semiclassical scale (hbar); 0: none */
  size_t nsamples;          /* kernel: the number of Monte Carlo samples in samples */
  double complex *samples;  /* nsamples * N * N entries, or NULL */
} mfh_density;

/* A zero-filled owned density on g (orbitals: norb >= 1 with weights 0;
 * kernel: N x N).  NULL when out of memory or a size overflows. */
mfh_density *mfh_density_new(const mfh_xgrid *g, int kind, size_t norb);
/* Free an owned density and its arrays; accepts NULL. */
void mfh_density_free(mfh_density *d);
/* A deep copy (owned); 0 or MFH_ENOMEM. */
int mfh_density_copy(const mfh_density *d, mfh_density **out, mfh_err *err);

#endif
