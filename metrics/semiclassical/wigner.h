/* Wigner and Husimi transforms at scale eps of density operators on a 1D
 * grid (2D phase space), THEOREMS.md section 1:
 *   W_eps[R](x, xi) = (2 pi)^{-1} int R(x + eps y/2, x - eps y/2) e^{-i xi y} dy
 *                   = (pi eps)^{-1} int R(x + s, x - s) e^{-2 i xi s/eps} ds,
 *   Husimi W~_eps[R] = G_{eps/2} * W_eps[R]   (variance eps/2 per coordinate)
 *                    = (2 pi eps)^{-1} <z|R|z>, z = (x, xi), pointwise.
 *
 * Phase-space grid (mfh_phase_grid, core/grid.h, whose v axis is the
 * momentum xi here): x_i = xmin + i dx on the state's grid (nx = n),
 * xi_k = vmin + k dv, k = 0..nv-1 (nv = nxi even), with
 *   dv = 2 pi eps/(nxi dx),   vmin = -pi eps/dx,
 * i.e. xi covers the whole momentum band [-pi eps/dx, pi eps/dx) that a
 * wave function on the grid can carry (xi = 0 is node k = nxi/2; with
 * nxi = n the xi nodes are the grid's momenta eps 2 pi j/(n dx)).
 * Values f[i * nv + k] = f(x_i, xi_k) (row i = the xi profile at x_i, the
 * layout of engines/vlasov).  Integrals are dx dv sum; period is 0 (the
 * states are taken as zero outside the box, see below).
 *
 * Method (FFT): the orbitals (or the kernel, in both indices) are
 * interpolated spectrally to the half grid x_j/2 (trigonometric
 * interpolation, Nyquist mode split evenly, which is exact for band-limited
 * data and commutes with complex conjugation), so s runs over multiples of
 * h = dx/2; then for each x_i
 *   W(x_i, xi_k) = (h/(pi eps)) sum_{|m| <= M} c_m R(x_i + m h, x_i - m h) e^{-2 i xi_k m h/eps},
 * M = min(nxi/2, n), c_m = 1 except c_{+-M} = 1/2 (trapezoid), one real
 * FFT of length nxi per x_i.  The state is taken as zero outside the box
 * (no periodic images: terms with x_i + m h or x_i - m h outside
 * [xmin, xmin + L), L = n dx, are dropped).  With nxi >= 2n the window
 * covers every pair of points in the box: exact to the trapezoid rule's
 * (spectral) accuracy for a state localised in the box.  With nxi < 2n the
 * kernel is cut at |x - y| = nxi dx/2: fine when R(x, y) is negligible
 * beyond that (coherence length; see mfh_sc_wigner_diag.window_edge).  For
 * orbitals the weighted products are summed before the FFT (W is linear
 * in R).
 * Known limits: W is sampled at the nodes x_i only (its x-frequencies reach
 * 2 pi/dx, twice the node Nyquist: the Gaussian smoothing of W below treats
 * the samples as a trigonometric interpolant, accurate when dx << sqrt(eps));
 * and W is periodic in xi with period 2 pi eps/dx (any momentum content at
 * the band edge aliases: see band_edge).
 * References: E. Wigner, Phys. Rev. 40 (1932) 749; discrete (half-step)
 * Wigner transform: T. Claasen, W. Mecklenbrauker, Philips J. Res. 35
 * (1980) 217; Husimi: K. Husimi, Proc. Phys.-Math. Soc. Japan 22 (1940) 264;
 * [000:L1234-1290] for the scale-eps conventions. */
#ifndef MFH_METRICS_SEMICLASSICAL_WIGNER_H
#define MFH_METRICS_SEMICLASSICAL_WIGNER_H

#include <stddef.h>

#include "core/grid.h"
#include "core/status.h"
#include "metrics/semiclassical/states.h"

/* Workspace for the transforms on one grid at one eps: FFTW plans and
 * scratch.  One workspace must not be used by two threads at once. */
typedef struct mfh_sc_phase mfh_sc_phase;

/* g: 1D grid (mfh_sc_grid_check, dim 1), eps > 0, nxi even >= 4, threads:
 * OpenMP threads for the loop over x_i (0 = omp default, 1 = serial; every
 * x_i is computed the same way by whichever thread, so results do not
 * depend on it).  Plans are made with FFTW_ESTIMATE inside
 * `omp critical(mfh_fftw_planner)`.  *out owned by the caller
 * (mfh_sc_phase_destroy).  0, MFH_EINPUT, MFH_ENOMEM. */
int mfh_sc_phase_create(const mfh_xgrid *g, double eps, size_t nxi, int threads,
                        mfh_sc_phase **out, mfh_err *err);
void mfh_sc_phase_destroy(mfh_sc_phase *ws);

/* Allocate ps (mfh_phase_grid_alloc; the caller frees it with
 * mfh_phase_grid_free) with the workspace's phase-space geometry
 * (nx = n, nv = nxi, xmin, dx, vmin = -pi eps/dx, dv = 2 pi eps/(nxi dx),
 * period 0). */
int mfh_sc_phase_grid_alloc(const mfh_sc_phase *ws, mfh_phase_grid *ps, mfh_err *err);

/* Diagnostics of one Wigner transform (relative numbers; 0 is ideal). */
typedef struct mfh_sc_wigner_diag {
  /* max_i |R(x_i + M h, x_i - M h)| / max_i R(x_i, x_i): kernel size at the
   * cut of the s-window when nxi < 2n (0 when nxi >= 2n: no cut). */
  double window_edge;
  /* max |W| on the band-edge columns xi_0 (= -pi eps/dx) and xi_{nxi-1},
   * relative to max |W|: momentum content at the band edge (aliasing). */
  double band_edge;
} mfh_sc_wigner_diag;

/* W_eps[R] on the workspace's phase-space grid into W (geometry as made by
 * mfh_sc_phase_grid_alloc, checked).  R: orbitals or kernel on the
 * workspace's grid (same n, xmin, dx).  A kernel should be Hermitian: W is
 * computed from the entries R(x+s, x-s) for s >= 0 and their conjugates
 * (i.e. from the Hermitian part of the kernel's anti-diagonals).  Orbital
 * weights and normalisation are used as given (W is linear: int W = tr R).
 * diag may be NULL.  A kernel needs 96 n^2 bytes of scratch, allocated per
 * call (the kernel interpolated to the 2n x 2n half grid).  0, MFH_EINPUT,
 * MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_sc_wigner(mfh_sc_phase *ws, const mfh_sc_state *R, mfh_phase_grid *W,
                  mfh_sc_wigner_diag *diag, mfh_err *err);

/* out = G_var * in: convolution with the centred Gaussian of variance var
 * >= 0 in each phase-space coordinate, on the periodic nx x nxi grid of the
 * workspace (FFT: modes multiplied by exp(-var (kx^2 + kxi^2)/2)).  in and
 * out may be the same.  Spectrally accurate when in is resolved and
 * negligible at the grid edges.  0 or MFH_EINPUT. */
int mfh_sc_gauss_smooth(mfh_sc_phase *ws, const mfh_phase_grid *in, double var,
                        mfh_phase_grid *out, mfh_err *err);

/* Husimi function on the phase-space grid: mfh_sc_wigner then
 * mfh_sc_gauss_smooth with var = eps/2.  diag as for mfh_sc_wigner (may be
 * NULL).  0, MFH_EINPUT, MFH_ENOMEM, MFH_ENUMERIC. */
int mfh_sc_husimi(mfh_sc_phase *ws, const mfh_sc_state *R, mfh_phase_grid *H,
                  mfh_sc_wigner_diag *diag, mfh_err *err);

/* Husimi function pointwise, W~(q, p) = (2 pi eps)^{-d} <z|R|z>, at npts
 * phase-space points z[i * 2d ..] = (q_1..q_d, p_1..p_d), from grid
 * overlaps with the coherent state |z> (mfh_sc_coherent) -- an independent
 * route to the Husimi function, >= 0 by construction for R >= 0.  Works in
 * d = 1 and 2.  Cost O(norb N) per point (orbitals) or O(N^2) (kernel).
 * out: npts values (caller-owned).  0 or MFH_EINPUT. */
int mfh_sc_husimi_at(const mfh_sc_state *R, double eps, size_t npts, const double *z, double *out,
                     mfh_err *err);

#endif
