/* The modulated energy of a pure 1D quantum state against a monokinetic
 * fluid with the Coulomb kernel V = -|x|/2 (THEOREMS.md CEP-5; Golse-Paul
 * [002:L1052-1132]).  For R = |psi><psi| (unit mass) and the fluid (rho, u):
 *   G = ||(hbar D - u) psi||^2 + int int V (rho_hbar - rho)(rho_hbar - rho)
 *     = G_kin + G_pot,   D = -i d/dx,   G_pot = int (F_hbar - F_rho)^2 dx,
 * the Coulomb part rewritten with the cumulative distributions (-V'' = delta
 * and the difference has zero mass).  The current of the state is
 * J_hbar = hbar Im(conj(psi) psi') = hbar Re(conj(psi) D psi), and
 * J_hbar - rho_hbar u = Re(conj(psi) (hbar D - u) psi), so by Cauchy-Schwarz
 * ||J_hbar - rho_hbar u||_{L1} <= sqrt(G_kin mass): an identity-level check.
 *
 * Grid: n points x_j = xmin + j dx of a periodic box (the split-step
 * layout); every integral is the grid sum times dx.  D is spectral (the
 * Nyquist mode of an even n is dropped); F_hbar is the exact integral of the
 * trigonometric interpolant of rho_hbar from xmin (spectral accuracy for a
 * density negligible at the box edge); rho, u and F_rho are the fluid's
 * values at the grid points. */
#ifndef MFH_METRICS_SEMICLASSICAL_MODULATED_H
#define MFH_METRICS_SEMICLASSICAL_MODULATED_H

#include <stddef.h>

#include "core/cmplx.h"
#include "core/status.h"

/* Workspace for n grid points (FFTW plans made under the critical section
 * mfh_fftw_planner).  Free with mfh_sc_modulated_work_destroy.  MFH_EINPUT
 * (n < 4 or odd), MFH_ENOMEM. */
typedef struct mfh_sc_modulated_work mfh_sc_modulated_work;
int mfh_sc_modulated_work_create(size_t n, mfh_sc_modulated_work **out, mfh_err *err);
void mfh_sc_modulated_work_destroy(mfh_sc_modulated_work *w); /* accepts NULL */

/* The functionals of one state. */
typedef struct mfh_sc_modulated {
  double G_kin, G_pot, G; /* see the header comment */
  double cur_l1, cur_l2;  /* ||J_hbar - rho u|| in L1 and L2 */
  double jmod_l1;         /* ||J_hbar - rho_hbar u||_{L1} (<= sqrt(G_kin mass)) */
  double mass;            /* dx sum |psi|^2 */
} mfh_sc_modulated;

/* The functionals of psi (n values on the grid (xmin, dx) of w's size)
 * against the fluid's rho, u and F_rho at the same points, semiclassical
 * parameter hbar.  MFH_EINPUT for bad arguments, MFH_ENUMERIC for a
 * non-finite result. */
int mfh_sc_modulated_energy(mfh_sc_modulated_work *w, const double complex *psi, double dx, double hbar,
                            const double *rho, const double *u, const double *F, mfh_sc_modulated *out,
                            mfh_err *err);

/* F[j] = int_{xmin}^{x_j} of the trigonometric interpolant of rho[0..n-1]
 * (F[0] = 0; spectral).  Uses w's buffers. */
void mfh_sc_modulated_cumulative(mfh_sc_modulated_work *w, const double *rho, double dx, double *F);

#endif
