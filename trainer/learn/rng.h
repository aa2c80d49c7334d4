/* rng.h: the trainer's random generators, so results depend only on the
 * seed, never on rand(). Learning uses splitmix64 (tl_rng_*): its whole state
 * is one uint64_t, so checkpoints can save it and resume bit-identically.
 * Data preparation (splits, augmentation) uses xoshiro256** seeded by
 * splitmix64 (tr_rng_*). */
#ifndef TR_LEARN_RNG_H
#define TR_LEARN_RNG_H

#include <math.h>
#include <stdint.h>

static inline uint64_t tl_rng_next(uint64_t *s)
{
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* [0, 1) with 24 bits, exact in float. */
static inline float tl_rng_uniform(uint64_t *s)
{
  return (float)(tl_rng_next(s) >> 40) * (1.0f / 16777216.0f);
}

/* Stateless hash of two values: seeds that depend on position, not order. */
static inline uint64_t tl_rng_mix(uint64_t a, uint64_t b)
{
  uint64_t s = a ^ (b * 0xd1342543de82ef95ull);
  return tl_rng_next(&s);
}

/* Uniform integer in [0, n). */
static inline uint64_t tl_rng_below(uint64_t *s, uint64_t n)
{
  return n ? tl_rng_next(s) % n : 0;
}

typedef struct { uint64_t s[4]; } tr_rng;

static inline void tr_rng_seed(tr_rng *r, uint64_t seed)
{
  for (int i = 0; i < 4; i++)
    r->s[i] = tl_rng_next(&seed);
}

static inline uint64_t tr_rng_next(tr_rng *r)
{
  uint64_t *s = r->s;
  uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t; s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* [0, 1) with 53 random bits. */
static inline double tr_rng_uniform(tr_rng *r)
{
  return (double)(tr_rng_next(r) >> 11) * 0x1.0p-53;
}

/* [lo, hi). */
static inline double tr_rng_range(tr_rng *r, double lo, double hi)
{
  return lo + (hi - lo) * tr_rng_uniform(r);
}

/* 0 .. n-1 (n >= 1); the tiny modulo bias is irrelevant here. */
static inline uint64_t tr_rng_below(tr_rng *r, uint64_t n)
{
  return tr_rng_next(r) % n;
}

/* N(0, 1) by Box-Muller. */
static inline double tr_rng_gauss(tr_rng *r)
{
  double u = 1.0 - tr_rng_uniform(r), v = tr_rng_uniform(r);
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

#endif
