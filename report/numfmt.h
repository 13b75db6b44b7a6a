/* Numbers in reports: exact (%.17g, reads back bit for bit), human (4
 * significant digits) and rate exponents as fractions.  Each writes into
 * the caller's buffer and returns it where that is handy. */
#ifndef MFH_REPORT_NUMFMT_H
#define MFH_REPORT_NUMFMT_H

#include <stddef.h>

/* %.17g, or NaN / Inf / -Inf (what gnuplot and most readers accept). */
const char *mfh_fmt_g17(char buf[40], double v);
/* Human-readable (4 significant digits), "n/a" for NaN, "inf" / "-inf". */
const char *mfh_fmt_hnum(char buf[40], double v);
/* A rate exponent as a small fraction when it is one ("-1/2", "1"), else %.3g. */
void mfh_fmt_rate(char *buf, size_t n, double p);

#endif
