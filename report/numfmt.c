/* Number formatting for the report writers (report/numfmt.h). */
#include "report/numfmt.h"

#include <math.h>
#include <stdio.h>

/* %.17g, or NaN / Inf / -Inf (what gnuplot and most readers accept). */
const char *mfh_fmt_g17(char buf[40], double v) {
  if (isnan(v))
    snprintf(buf, 40, "NaN");
  else if (isinf(v))
    snprintf(buf, 40, v > 0 ? "Inf" : "-Inf");
  else
    snprintf(buf, 40, "%.17g", v);
  return buf;
}

/* Human-readable (4 significant digits), "n/a" for NaN. */
const char *mfh_fmt_hnum(char buf[40], double v) {
  if (isnan(v))
    snprintf(buf, 40, "n/a");
  else if (isinf(v))
    snprintf(buf, 40, v > 0 ? "inf" : "-inf");
  else
    snprintf(buf, 40, "%.4g", v);
  return buf;
}

/* A rate exponent as a small fraction when it is one ("-1/2", "1"), else %.3g. */
void mfh_fmt_rate(char *buf, size_t n, double p) {
  if (!isfinite(p)) {
    snprintf(buf, n, "%g", p);
    return;
  }
  for (int q = 1; q <= 12; q++) {
    double a = p * q, r = round(a);
    if (fabs(a - r) < 1e-9 * fmax(1.0, fabs(a)) && fabs(r) < 1e6) {
      if (q == 1)
        snprintf(buf, n, "%ld", (long)r);
      else
        snprintf(buf, n, "%ld/%d", (long)r, q);
      return;
    }
  }
  snprintf(buf, n, "%.3g", p);
}
