/* Opt-in SIMD clones for hot kernels (-DMFH_NBODY_CLONES, set by the build;
 * GCC or Clang on x86-64 with ifunc support): a function marked
 * MFH_KERNEL_CLONES is also compiled for AVX2 and AVX-512 and one version is
 * picked at load time.  The lanes are element-wise IEEE operations and FMA
 * contraction is off (-ffp-contract=off), so every clone gives the same bits
 * as the SSE2 baseline; only the speed changes.  MFH_KERNEL_CLONES_AVX2
 * has no AVX-512 clone, for files whose complex products GCC's vectoriser
 * would contract into vfmaddsub under avx512f (see engines/hartree).
 *
 * GCC only: clang 14 builds target_clones on static functions into wrong
 * code (the fermion kernel engine returned 1e12 for a free evolution under
 * clang and 1e-16 under GCC) and exports un-prefixed resolver symbols, so a
 * clang build takes the baseline path.  Elsewhere the macros are empty. */
#ifndef MFH_ENGINES_CLONES_H
#define MFH_ENGINES_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MFH_CLONES_SUPPORTED 1
#endif

#if defined(MFH_NBODY_CLONES) && defined(MFH_CLONES_SUPPORTED)
#define MFH_KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MFH_KERNEL_CLONES
#endif

#if (defined(MFH_NBODY_CLONES) || defined(MFH_HARTREE_CLONES) || defined(MFH_FERMION_CLONES)) && \
    defined(MFH_CLONES_SUPPORTED)
#define MFH_KERNEL_CLONES_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define MFH_KERNEL_CLONES_AVX2
#endif

#endif
