/* Vectorisable exp and sincos for the particle kernels (private to
 * engines/particles/ and its tests).
 *
 * glibc's exp/sin/cos do not vectorise without -ffast-math, and glibc picks
 * FMA or non-FMA variants at run time, so their last bit can differ between
 * x86-64 machines.  These are straight-line IEEE double code (no branches,
 * no tables, no FMA when built with -ffp-contract=off), so they vectorise
 * under `#pragma omp simd` and give the same bits whatever the vector width.
 *
 * Method: Cody-Waite argument reduction (Cody & Waite 1980, "Software Manual
 * for the Elementary Functions", ch. 6 and 8) followed by a polynomial.
 *  exp: t = k ln2 + r, |r| <= ln2/2, ln2 split in a 32-bit head and a tail
 *       (k ln2_hi exact); exp(r) by a degree-10 Chebyshev fit of exp on
 *       [-ln2/2, ln2/2] (truncation 3.3e-16 relative, fitted with mpmath
 *       chebyfit) evaluated by Estrin's scheme; 2^k added to the exponent
 *       bits.
 *  exp2 (the kernels' exponential): u = k + f, f = u - k exact, the same
 *       fit for 2^f on [-1/2, 1/2]; no multiplication by 1/ln2 and no
 *       Cody-Waite step.  exp2x2 is two exp2 with interleaved statements.
 *  sincos: th = q pi/2 + r, |r| <= pi/4, pi/2 split in three parts (33, 33,
 *       53 bits: exact products for |q| < 2^20); Taylor polynomials of
 *       degree 15 (sin) and 16 (cos) on [-pi/4, pi/4] (truncation < 7e-17
 *       relative); the quadrant q mod 4 selects and signs the two.
 * Measured against glibc on 10^6 random points each (tests/test_particles.c):
 * max relative error 6.4e-16 for exp on [-708, 709] and exp2 on
 * [-1021, 1023], 3.1e-16 for sin and cos on [-100, 100].
 *
 * GCC (12) vectorises these at -O2 inside `#pragma omp simd` only when they
 * are branch-free, take no addressable locals from the loop body, and do
 * selections with integer masks: hence the bit tricks below. */
#ifndef MFH_ENGINES_PARTICLES_VMATH_H
#define MFH_ENGINES_PARTICLES_VMATH_H

#include <stdint.h>
#include <string.h>

/* 1.5 * 2^52: adding and subtracting it rounds |y| < 2^51 to the nearest
 * integer (ties to even), and leaves that integer in the low mantissa bits. */
#define MFH_VM_SHIFTER 0x1.8p52

static inline uint64_t mfh_vm_bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static inline double mfh_vm_double(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* Nearest integer to y (ties to even) for |y| < 2^51, as a double. */
static inline double mfh_vm_round(double y) { return (y + MFH_VM_SHIFTER) - MFH_VM_SHIFTER; }

/* exp(t) for -708 <= t <= 709 (relative error about 1e-16).  Below
 * -708.05 (where exp(t) < 3.1e-308) it returns 0, also for t = -inf.
 * Results for t > 709 are unspecified; NaN gives NaN or 0. */
static inline double mfh_vm_exp(double t) {
  const double inv_ln2 = 0x1.71547652b82fep+0;
  const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
  double kf = t * inv_ln2 + MFH_VM_SHIFTER;
  double k = kf - MFH_VM_SHIFTER;
  double r = (t - k * ln2_hi) - k * ln2_lo;
  /* Estrin's scheme: same operation count as Horner, a third of its
   * latency (the kernels are latency-bound) */
  double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  double p01 = 1.0 + 0x1.000000000001ep+0 * r;
  double p23 = 0x1.0000000000005p-1 + 0x1.555555554b757p-3 * r;
  double p45 = 0x1.55555555520afp-5 + 0x1.1111112dd67c5p-7 * r;
  double p67 = 0x1.6c16c17f43a58p-10 + 0x1.a01978c6baf81p-13 * r;
  double p89 = 0x1.a019a66a75dd4p-16 + 0x1.72faf024b693bp-19 * r;
  double q03 = p01 + p23 * r2, q47 = p45 + p67 * r2;
  double q8a = p89 + 0x1.28a2c0a7209fbp-22 * r2;
  double p = (q03 + q47 * r4) + q8a * r8;
  /* kf = 1.5 2^52 + k exactly, so k is the difference of the bit patterns;
   * k << 52 adds k to p's binary exponent.  The result is a normal number
   * iff k >= -1021; below, a bit mask (not a branch: GCC does not
   * if-convert around FP operations that could trap, which would stop the
   * vectoriser) flushes it to 0. */
  uint64_t kb = mfh_vm_bits(kf) - mfh_vm_bits(MFH_VM_SHIFTER);
  uint64_t e = mfh_vm_bits(p) + (kb << 52);
  uint64_t keep = ((kb + 1021) >> 63) - 1; /* all ones iff k >= -1021 */
  return mfh_vm_double(e & keep);
}

/* 2^u for -1021 <= u <= 1023 (relative error about 2e-16): the particle
 * kernels' exponential, with the Gaussian's 1/(2 s^2) and log2(e) folded
 * into one constant; this saves exp's multiplication and Cody-Waite steps
 * (u = k + f with f = u - k exact).  Below -1021.5 (2^u < 3.1e-308) it
 * returns 0, also for u = -inf.  NaN gives NaN or 0. */
static inline double mfh_vm_exp2(double u) {
  double kf = u + MFH_VM_SHIFTER;
  double f = u - (kf - MFH_VM_SHIFTER); /* exact, |f| <= 1/2 */
  /* degree-10 Chebyshev fit of 2^f on [-1/2, 1/2] (3.1e-16), Estrin */
  double f2 = f * f, f4 = f2 * f2, f8 = f4 * f4;
  double p01 = 1.0 + 0x1.62e42fefa3a19p-1 * f;
  double p23 = 0x1.ebfbdff82c598p-3 + 0x1.c6b08d703ce49p-5 * f;
  double p45 = 0x1.3b2ab6fba1ddap-7 + 0x1.5d87fe9d7a584p-10 * f;
  double p67 = 0x1.430913096fd9fp-13 + 0x1.ffcb54062e698p-17 * f;
  double p89 = 0x1.62bfd47773353p-20 + 0x1.b675bca4eeebbp-24 * f;
  double q03 = p01 + p23 * f2, q47 = p45 + p67 * f2;
  double q8a = p89 + 0x1.e6063f7217bc6p-28 * f2;
  double p = (q03 + q47 * f4) + q8a * f8;
  /* as in mfh_vm_exp */
  uint64_t kb = mfh_vm_bits(kf) - mfh_vm_bits(MFH_VM_SHIFTER);
  uint64_t e = mfh_vm_bits(p) + (kb << 52);
  uint64_t keep = ((kb + 1021) >> 63) - 1;
  return mfh_vm_double(e & keep);
}

/* Two independent mfh_vm_exp2 (bit-identical results) with the statements
 * of the two chains interleaved: GCC does not schedule FP code across such
 * chains at -O2 on x86-64, and the out-of-order window of current cores holds
 * about one chain, so interleaving in the source buys ~15% in the kernels. */
typedef struct mfh_vm_pair {
  double a, b;
} mfh_vm_pair;

static inline mfh_vm_pair mfh_vm_exp2x2(double ua, double ub) {
  double kfa = ua + MFH_VM_SHIFTER, kfb = ub + MFH_VM_SHIFTER;
  double fa = ua - (kfa - MFH_VM_SHIFTER), fb = ub - (kfb - MFH_VM_SHIFTER);
  double fa2 = fa * fa, fb2 = fb * fb;
  double pa01 = 1.0 + 0x1.62e42fefa3a19p-1 * fa, pb01 = 1.0 + 0x1.62e42fefa3a19p-1 * fb;
  double fa4 = fa2 * fa2, fb4 = fb2 * fb2;
  double pa23 = 0x1.ebfbdff82c598p-3 + 0x1.c6b08d703ce49p-5 * fa;
  double pb23 = 0x1.ebfbdff82c598p-3 + 0x1.c6b08d703ce49p-5 * fb;
  double fa8 = fa4 * fa4, fb8 = fb4 * fb4;
  double pa45 = 0x1.3b2ab6fba1ddap-7 + 0x1.5d87fe9d7a584p-10 * fa;
  double pb45 = 0x1.3b2ab6fba1ddap-7 + 0x1.5d87fe9d7a584p-10 * fb;
  double pa67 = 0x1.430913096fd9fp-13 + 0x1.ffcb54062e698p-17 * fa;
  double pb67 = 0x1.430913096fd9fp-13 + 0x1.ffcb54062e698p-17 * fb;
  double pa89 = 0x1.62bfd47773353p-20 + 0x1.b675bca4eeebbp-24 * fa;
  double pb89 = 0x1.62bfd47773353p-20 + 0x1.b675bca4eeebbp-24 * fb;
  double qa03 = pa01 + pa23 * fa2, qb03 = pb01 + pb23 * fb2;
  double qa47 = pa45 + pa67 * fa2, qb47 = pb45 + pb67 * fb2;
  double qa8a = pa89 + 0x1.e6063f7217bc6p-28 * fa2, qb8a = pb89 + 0x1.e6063f7217bc6p-28 * fb2;
  double pa = (qa03 + qa47 * fa4) + qa8a * fa8, pb = (qb03 + qb47 * fb4) + qb8a * fb8;
  uint64_t kba = mfh_vm_bits(kfa) - mfh_vm_bits(MFH_VM_SHIFTER);
  uint64_t kbb = mfh_vm_bits(kfb) - mfh_vm_bits(MFH_VM_SHIFTER);
  uint64_t ea = mfh_vm_bits(pa) + (kba << 52), eb = mfh_vm_bits(pb) + (kbb << 52);
  uint64_t keepa = ((kba + 1021) >> 63) - 1, keepb = ((kbb + 1021) >> 63) - 1;
  mfh_vm_pair r = {mfh_vm_double(ea & keepa), mfh_vm_double(eb & keepb)};
  return r;
}

/* The constant c with e^{-r^2/(2 s^2)} = 2^{c r^2}, for mfh_vm_exp2. */
static inline double mfh_vm_gauss_c2(double s) { return (-0.5 / (s * s)) * 0x1.71547652b82fep+0; }

/* sin(th) and cos(th) for |th| <= 1e5 (relative error about 2e-16 away
 * from the zeros, absolute error about 1e-16 * max(1, |th| 2^-20) near
 * them). */
static inline void mfh_vm_sincos(double th, double *s, double *c) {
  const double two_over_pi = 0x1.45f306dc9c883p-1;
  const double p1 = 0x1.921fb54400000p+0, p2 = 0x1.0b4611a600000p-34,
               p3 = 0x1.3198a2e037073p-69;
  double qf = th * two_over_pi + MFH_VM_SHIFTER;
  double q = qf - MFH_VM_SHIFTER;
  double r = ((th - q * p1) - q * p2) - q * p3;
  double z = r * r;
  double ps = 1.0 / 1307674368000.0; /* 1/15! */
  ps = ps * z - 1.0 / 6227020800.0;
  ps = ps * z + 1.0 / 39916800.0;
  ps = ps * z - 1.0 / 362880.0;
  ps = ps * z + 1.0 / 5040.0;
  ps = ps * z - 1.0 / 120.0;
  ps = ps * z + 1.0 / 6.0;
  double sr = r - (r * z) * ps;
  double pc = 1.0 / 20922789888000.0; /* 1/16! */
  pc = pc * z - 1.0 / 87178291200.0;
  pc = pc * z + 1.0 / 479001600.0;
  pc = pc * z - 1.0 / 3628800.0;
  pc = pc * z + 1.0 / 40320.0;
  pc = pc * z - 1.0 / 720.0;
  pc = pc * z + 1.0 / 24.0;
  double cr = (1.0 - 0.5 * z) + (z * z) * pc;
  uint64_t n = mfh_vm_bits(qf);
  double sv = (n & 1) ? cr : sr, cv = (n & 1) ? sr : cr;
  *s = (n & 2) ? -sv : sv;
  *c = ((n + 1) & 2) ? -cv : cv;
}

#endif
