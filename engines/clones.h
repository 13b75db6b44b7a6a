/* Opt-in SIMD clones for hot kernels (-DMFH_NBODY_CLONES, set by the build;
 * GCC or Clang on x86-64 with ifunc support): a function marked
 * MFH_KERNEL_CLONES is also compiled for AVX2 and AVX-512 and one version is
 * picked at load time.  The lanes are element-wise IEEE operations and FMA
 * contraction is off (-ffp-contract=off), so every clone gives the same bits
 * as the SSE2 baseline; only the speed changes.  Elsewhere the macro is
 * empty. */
#ifndef MFH_ENGINES_CLONES_H
#define MFH_ENGINES_CLONES_H

#if defined(MFH_NBODY_CLONES) && defined(__x86_64__) && defined(__GNUC__)
#define MFH_KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MFH_KERNEL_CLONES
#endif

#endif
