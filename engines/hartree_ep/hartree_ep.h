/* Hartree -> pressureless Euler-Poisson in 1D (THEOREMS.md CEP-5): the
 * modulated energy of a pure Hartree state against the exact Euler-Poisson
 * solution of engines/ep1d/ep1d.h, on the grid of a split-step solver.
 *
 * For a pure state R = |psi><psi| (unit mass) and the kernel V = -|x|/2,
 *   G(t) = ||(hbar D - u(t, .)) psi||^2 + int int V (rho_hbar - rho)(rho_hbar - rho)
 *        = G_kin + G_pot,   D = -i d/dx,
 *   G_pot = int (F_hbar - F_rho)^2 dx,
 * the Coulomb part rewritten with the cumulative distributions (-V'' = delta
 * and the difference has zero mass).  The current of the state is
 * J_hbar = hbar Im(conj(psi) psi') = hbar Re(conj(psi) D psi), and
 * J_hbar - rho_hbar u = Re(conj(psi) (hbar D - u) psi), so by Cauchy-Schwarz
 * ||J_hbar - rho_hbar u||_{L1} <= sqrt(G_kin) (unit mass): an identity-level
 * check of the implementation.
 *
 * Grid: n points x_j = xmin + j dx of a periodic box (the layout of
 * solvers/hartree); every integral is the grid sum times dx.  D is spectral
 * (the Nyquist mode of an even n is dropped); F_hbar is the exact integral
 * of the trigonometric interpolant of rho_hbar from xmin (spectral accuracy
 * for a smooth density negligible at the box edge), F_rho, rho and u are the
 * exact Euler-Poisson fields at the grid points (natural extension of u
 * outside the support). */
#ifndef MFH_ENGINES_HARTREE_EP_HARTREE_EP_H
#define MFH_ENGINES_HARTREE_EP_HARTREE_EP_H

#include "core/cplx.h"
#include <stddef.h>

#include "core/plugin.h"

/* The registry entry (`solver: hartree_ep`). */
extern const mfh_solver_type mfh_solver_hartree_ep;

/* Workspace for n grid points (FFTW plans made under the critical section
 * mfh_fftw_planner).  Caller frees with mfh_hartree_ep_work_destroy.
 * MFH_EINPUT (n < 4 or odd), MFH_ENOMEM. */
typedef struct mfh_hartree_ep_work mfh_hartree_ep_work;
int mfh_hartree_ep_work_create(size_t n, mfh_hartree_ep_work **out, mfh_err *err);
void mfh_hartree_ep_work_destroy(mfh_hartree_ep_work *w); /* accepts NULL */

/* The functionals of one state. */
typedef struct mfh_hartree_ep_values {
  double G_kin, G_pot, G; /* see the header comment */
  double cur_l1, cur_l2;  /* ||J_hbar - rho u|| in L1 and L2 */
  double jmod_l1;         /* ||J_hbar - rho_hbar u||_{L1} (<= sqrt(G_kin mass)) */
  double mass;            /* dx sum |psi|^2 */
} mfh_hartree_ep_values;

/* The functionals of psi (n values on the grid (xmin, dx) of w's size) at
 * time t against the Euler-Poisson solution with parameter beta (t before
 * breaking), semiclassical parameter hbar.  MFH_EINPUT for bad arguments,
 * MFH_ENUMERIC for a non-finite result. */
int mfh_hartree_ep_measure(mfh_hartree_ep_work *w, const double complex *psi, double xmin, double dx,
                           double hbar, double t, double beta, mfh_hartree_ep_values *out, mfh_err *err);

/* F[j] = int_{xmin}^{x_j} of the trigonometric interpolant of rho[0..n-1]
 * (F[0] = 0; spectral).  Uses w's buffers. */
void mfh_hartree_ep_cumulative(mfh_hartree_ep_work *w, const double *rho, double dx, double *F);

/* The CEP-5 right-hand side G0 e^{kappa t} + (1/2) hbar^2 M3 (e^{kappa t} - 1)/kappa,
 * kappa = 2 L ((e^{kappa t} - 1)/kappa -> t as kappa -> 0). */
double mfh_hartree_ep_bound(double G0, double hbar, double L, double M3, double t);

#endif
