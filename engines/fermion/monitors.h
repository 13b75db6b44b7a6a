/* Monitors of fermionic states on their grid (see fermion.h for the
 * layouts): traces and Hermiticity, the resolution of a kernel or of
 * orbitals at the box edge and the top of the band (the engines report
 * them with every output), and ||grad W_N||_{L^1} of a trap state from the
 * exact Wigner functions of the oscillator eigenstates (THEOREMS.md HF-3:
 * the reference the tests hold the general grid computation of
 * metrics/semiclassical/regularity.h to).
 *
 * The norms, characteristic-function modes and commutator monitors of
 * density operators are general and live in metrics/semiclassical/
 * (distances.h, charfun.h, regularity.h), read by the observables of any
 * engine producing densities.
 *
 *   W_k(x, xi) = (-1)^k / (pi eps) e^{-z/2} L_k(z),  z = 2 (x^2 + xi^2) / eps
 * (products in 2D), W_N = sum occ_k W_k / N, integrated by Gauss-Legendre
 * panels of width eps / 4 in the radii (a scaled Laguerre recurrence:
 * e^{-z/2} L_k(z) underflows / overflows in its factors for large z, not in
 * the product).  Nothing here keeps state. */
#ifndef MFH_ENGINES_FERMION_MONITORS_H
#define MFH_ENGINES_FERMION_MONITORS_H

#include <complex.h>
#include <stddef.h>

#include "core/status.h"
#include "engines/fermion/fermion.h"

/* tr omega = cell sum_I Re K_II. */
double mfh_fermion_kernel_trace(const mfh_fermion_grid *g, const double complex *K);
/* max_IJ |K_IJ - conj K_JI| / max_IJ |K_IJ| (0 for an exactly Hermitian K). */
double mfh_fermion_kernel_hermiticity(const mfh_fermion_grid *g, const double complex *K);
/* sum_k occ_k cell sum |phi_k|^2. */
double mfh_fermion_orbitals_trace(const mfh_fermion_orbitals *o);

/* ||grad W_N||_{L^1(R^2d)} of the trap state with levels lv (see above;
 * cost O(m r_max / eps) in 1D, O((r_max / eps)^2 K) in 2D).  MFH_EINPUT,
 * MFH_ENOMEM. */
int mfh_fermion_wigner_grad_l1(const mfh_fermion_levels *lv, double *out, mfh_err *err);

/* Resolution monitors of a kernel: *edge = max |K| over the rows whose
 * point lies on the box edge (first or last index on some axis) / max |K|;
 * *band = max |row spectrum| over the top 10% of the momenta on some axis
 * (|k_a| >= 0.9 pi / dx) / max |row spectrum|.  Both should be below the
 * run's tolerance.  MFH_EINPUT, MFH_ENOMEM. */
int mfh_fermion_kernel_edges(const mfh_fermion_grid *g, const double complex *K, double *edge,
                             double *band, mfh_err *err);
/* The same bounds for orbitals through |K(x, y)| <= sqrt(K(x, x) K(y, y)):
 * *edge = sqrt(max_edge rho / max rho), *band = sqrt(max_band S / max S),
 * S(k) = sum occ |phi_k^(k)|^2. */
int mfh_fermion_orbital_edges(const mfh_fermion_orbitals *o, double *edge, double *band,
                              mfh_err *err);

#endif
