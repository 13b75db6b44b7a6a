#include "core/rng.h"

#include <stdint.h>
#include <stdio.h>

#include <xxhash.h>

typedef struct {
  uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next64(xoshiro_state *st) {
  uint64_t *s = st->s;
  uint64_t result = rotl(s[0] + s[3], 23) + s[0];
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void xo_set(void *vstate, unsigned long seed) {
  xoshiro_state *st = vstate;
  uint64_t x = (uint64_t)seed;
  for (int i = 0; i < 4; i++) st->s[i] = splitmix64(&x);
}

/* GSL integer interface: 32 high bits (the best bits of xoshiro256++). */
static unsigned long xo_get(void *vstate) { return (unsigned long)(next64(vstate) >> 32); }

/* Uniform in [0, 1) with 53 random bits. */
static double xo_get_double(void *vstate) {
  return (double)(next64(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {"xoshiro256++", 0xffffffffUL, 0, sizeof(xoshiro_state),
                                          xo_set, xo_get, xo_get_double};

const gsl_rng_type *const mfh_rng_xoshiro256pp = &xoshiro_type;

gsl_rng *mfh_rng_alloc(unsigned long long seed) {
  gsl_rng *r = gsl_rng_alloc(mfh_rng_xoshiro256pp);
  if (r) gsl_rng_set(r, (unsigned long)seed);
  return r;
}

unsigned long long mfh_hash64(const char *text, size_t len) { return XXH3_64bits(text, len); }

void mfh_hash128_hex(const char *text, size_t len, char out[33]) {
  XXH128_hash_t h = XXH3_128bits(text, len);
  snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
           (unsigned long long)h.low64);
}
