/* Characteristic functions of Wigner functions at fixed physical modes
 * (THEOREMS.md HF-3; the Egorov-type statement of Benedikter-Porta-
 * Saffirio-Schlein, Theorem 3 [003:L390-408]).
 *
 * For a density operator (or a difference of two) R on a grid at scale
 * eps (states.h, core/density.h), P = -i eps grad, and physical (p, q) in
 * R^d x R^d, T = e^{i (p.x + q.P)} acts as
 *   (T f)(x) = e^{i eps p.q / 2} e^{i p.x} f(x + eps q)
 * (Baker-Campbell-Hausdorff), so
 *   c(p, q) = tr(T R) = e^{i eps p.q / 2} int e^{i p.x} R(x + eps q, x) dx
 *           = (2 pi eps)^d x the Fourier transform of the Wigner function
 *             W_eps[R] at (p, q) (its characteristic function).
 * On the grid R(x + eps q, x) comes from the exact trigonometric
 * interpolation of the kernel's first index (one FFT per kernel row, R
 * Hermitian) or of each orbital, then the grid sum dx^d sum_x.  Unlike the
 * lattice modes of dualnorm.h these (p, q) are the same test functions at
 * every eps.
 *
 * Cost: kernel O(N^2 (log N + nq)), orbitals O(norb N (nq log N + nm)),
 * N the grid points, nq the number of distinct q among the nm modes.
 * FFT plans are made under the critical section mfh_fftw_planner.  Nothing
 * here keeps state. */
#ifndef MFH_METRICS_SEMICLASSICAL_CHARFUN_H
#define MFH_METRICS_SEMICLASSICAL_CHARFUN_H

#include <complex.h>
#include <stddef.h>

#include "core/status.h"
#include "metrics/semiclassical/states.h"

/* The most modes of mfh_sc_charfun_standard (per dim). */
#define MFH_SC_CHARFUN_MAX 100

/* The standard mode set of the HF-3 studies into p and q (room for
 * MFH_SC_CHARFUN_MAX * dim values each); returns the number of modes.
 *   1D: p in {0, 0.5, 1, 2, 4}, q in {0, +-0.5, +-1, +-2, +-4} (45 modes);
 *   2D: p and q each among 0 and the magnitudes 0.5, 1, 2 along e1, e2 and
 *       (e1 + e2) / sqrt 2 (10 vectors, 100 modes).
 * (c(-p, -q) = conj c(p, q) for a Hermitian R: the other half adds nothing.)
 * 0 for a dim other than 1 or 2. */
size_t mfh_sc_charfun_standard(int dim, double *p, double *q);

/* c_j = tr(e^{i (p_j.x + q_j.P)} R), j < nm, for R's own eps (> 0); p and
 * q hold nm * dim coordinates (p[j * dim + a]).  R is checked as an
 * operator (orbital weights of any sign).  c caller-owned.  0, MFH_EINPUT,
 * MFH_ENOMEM. */
int mfh_sc_charfun(const mfh_sc_state *R, size_t nm, const double *p, const double *q,
                   double complex *c, mfh_err *err);

/* max_j |c_j| / (1 + |p_j| + |q_j|)^2 (Euclidean norms); *arg (may be
 * NULL) the maximising j (the first on ties). */
double mfh_sc_charfun_weighted_max(int dim, size_t nm, const double *p, const double *q,
                                   const double complex *c, size_t *arg);

#endif
