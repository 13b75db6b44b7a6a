/* The parabolic profile rho_in = (3/4)(1 - a^2)_+ of the sheet model
 * (THEOREMS.md CEP-2, CEP-3): F_in(a) = (2 + 3a - a^3)/4 on [-1, 1],
 * F_in^{-1}(u) = 2 sin(asin(2u - 1)/3) in closed form, int F_in (1 - F_in)
 * = 9/35.  The sheet engine draws from it; the ep1d engine evolves it. */
#include "engines/ep1d/lagrange.h"

#include <math.h>

double mfh_ep1d_parabolic_cdf(double a) {
  if (a <= -1) return 0;
  if (a >= 1) return 1;
  return (2 + 3 * a - a * a * a) / 4;
}

double mfh_ep1d_parabolic_density(double a) { return fabs(a) < 1 ? 0.75 * (1 - a * a) : 0; }

double mfh_ep1d_parabolic_quantile(double u) {
  if (u <= 0) return -1;
  if (u >= 1) return 1;
  return 2 * sin(asin(2 * u - 1) / 3);
}

/* F_in(a) - 1/2, the (time-independent) force on the characteristic a. */
static double force_of(double a) {
  if (a <= -1) return -0.5;
  if (a >= 1) return 0.5;
  return (3 * a - a * a * a) / 4;
}

const mfh_ep1d_profile mfh_ep1d_parabolic = {
    "parabolic", force_of, mfh_ep1d_parabolic_density, mfh_ep1d_parabolic_cdf, mfh_ep1d_parabolic_quantile,
    0.75,        -1.0,     1.0,
};
