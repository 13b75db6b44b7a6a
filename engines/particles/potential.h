/* Smooth even pair potentials V for the particle solvers, and the constants
 * of V that the theorems' explicit bounds use (THEOREMS.md section 1,
 * "Default smooth test potential"; DOB-1, MF-1, RBM-2).
 *
 *  Gaussian  V(x) = a exp(-|x|^2 / (2 s^2)) on R^d, or on the torus [0,L)^d
 *            through the minimum-image displacement (meant for s << L: the
 *            periodic function then has jumps of order a e^{-L^2/(8 s^2)}
 *            at the cell faces).
 *  Cosine    V(x) = a sum_{i=1..d} cos(2 pi x_i / L) on the torus [0,L)^d.
 *
 * d = 1, 2, 3.  a > 0 is repulsive; a = 0 (no interaction) is allowed. */
#ifndef MFH_ENGINES_PARTICLES_POTENTIAL_H
#define MFH_ENGINES_PARTICLES_POTENTIAL_H

#include "core/status.h"

enum mfh_potential_kind { MFH_POTENTIAL_GAUSSIAN = 1, MFH_POTENTIAL_COSINE = 2 };

/* Plain value: fill it with an init function, copy it freely. */
typedef struct mfh_potential {
  int kind;   /* enum mfh_potential_kind */
  int dim;    /* space dimension d, 1..3 */
  double a;   /* amplitude */
  double s;   /* Gaussian width (0 for the cosine) */
  double L;   /* torus period; 0 = whole space R^d (Gaussian only) */
} mfh_potential;

/* Constants of V computed from its parameters (sup norms over the domain). */
typedef struct mfh_potential_consts {
  double vinf;    /* ||V||_inf */
  double gradinf; /* ||grad V||_inf (Euclidean norm of the gradient) */
  double lipgrad; /* Lip(grad V) = sup of the Hessian's operator norm */
  double vhat_l1; /* (2 pi)^{-d} ||V^||_{L1} on R^d; on the torus the sum of
                     |Fourier coefficients|; NaN for the minimum-image Gaussian
                     (not a smooth periodic function) */
} mfh_potential_consts;

/* Gaussian of amplitude a and width s in dimension dim; L = 0 for R^d,
 * L > 0 for the torus [0,L)^d with minimum image.  Returns MFH_OK, or
 * MFH_EINPUT (dim not in 1..3, a not finite, s <= 0, L < 0) with a message
 * in err (may be NULL). */
int mfh_potential_init_gaussian(mfh_potential *p, int dim, double a, double s, double L,
                                mfh_err *err);

/* Cosine a sum_i cos(2 pi x_i / L) on the torus [0,L)^dim.  MFH_OK or
 * MFH_EINPUT (dim not in 1..3, a not finite, L <= 0). */
int mfh_potential_init_cosine(mfh_potential *p, int dim, double a, double L, mfh_err *err);

/* Check that p is a valid potential (what the init functions produce).
 * MFH_OK or MFH_EINPUT with the reason. */
int mfh_potential_check(const mfh_potential *p, mfh_err *err);

/* The constants of p (closed forms, THEOREMS.md section 1):
 *  Gaussian: |a|, (|a|/s) e^{-1/2}, |a|/s^2, |a|  (on the torus the first
 *            three are the sups over the minimum-image cell: the gradient
 *            maximum sits at |x| = s when s <= L/2);
 *  Cosine:   |a| d, |a| (2 pi/L) sqrt(d), |a| (2 pi/L)^2 (diagonal Hessian),
 *            |a| d (2d Fourier coefficients of size |a|/2).
 * MFH_OK or MFH_EINPUT for an invalid p. */
int mfh_potential_constants(const mfh_potential *p, mfh_potential_consts *out, mfh_err *err);

/* V(x) for a displacement x (dim components; minimum image on the torus).
 * Uses the library's own exp and sincos (engines/particles/vmath.h), not
 * libm's, so it is bit-reproducible across machines (it may differ from the
 * force kernels, which use exp2, in the last bit). */
double mfh_potential_value(const mfh_potential *p, const double *x);

/* grad V(x) into g (dim components). */
void mfh_potential_grad(const mfh_potential *p, const double *x, double *g);

#endif
