/* Random streams: one per task, derived from (study seed, task identity).
 *
 * The generator is xoshiro256++ (Blackman & Vigna 2019) exposed as a GSL
 * rng type, so every GSL distribution works on it; its 256-bit state is
 * filled from a 64-bit seed with splitmix64.  A task's seed is a 64-bit
 * XXH3 hash of its canonical description, so streams do not depend on task
 * order, thread count or which other tasks exist. */
#ifndef MFH_CORE_RNG_H
#define MFH_CORE_RNG_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

extern const gsl_rng_type *const mfh_rng_xoshiro256pp;

/* Allocate a generator seeded with seed; NULL on out-of-memory.  Free with
 * gsl_rng_free. */
gsl_rng *mfh_rng_alloc(unsigned long long seed);
/* 64-bit hash of a text (XXH3), used to derive seeds. */
unsigned long long mfh_hash64(const char *text, size_t len);
/* 128-bit hash of a text as 32 lower-case hex digits + NUL. */
void mfh_hash128_hex(const char *text, size_t len, char out[33]);

#endif
