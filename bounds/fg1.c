#include "bounds/fg1.h"

#include <math.h>

/* W_1 = int |F_N - F| dx in 1D and E|F_N(x) - F(x)| <= sqrt(F(1-F)/N)
 * (Cauchy-Schwarz), so E W_1 <= N^{-1/2} int sqrt(F(1-F)) dx. */
static int w1_1d_eval(mfh_lookup_fn lookup, void *ctx, double *out, mfh_err *err) {
  double n, j1;
  int rc = lookup("N", &n, ctx);
  if (!rc) rc = lookup("J1", &j1, ctx);
  if (rc) return mfh_err_set(err, MFH_EINPUT, "bound w1_1d needs N and the model constant J1 (dim = 1)");
  *out = j1 / sqrt(n);
  return MFH_OK;
}

const mfh_bound_type mfh_bound_w1_1d = {
    "w1_1d",
    "E W_1(mu_N, mu) <= J1 N^{-1/2}, J1 = int sqrt(F(1-F)) dx (pi/8 for uniform on [0,1])",
    "FG-1, 1D explicit constant (Bobkov-Ledoux 2019, Thm 3.5)",
    "N J1",
    w1_1d_eval,
};
