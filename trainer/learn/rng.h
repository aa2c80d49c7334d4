/* rng.h: the trainer's one random generator (splitmix64). Its whole state is
 * one uint64_t, so checkpoints can save it and resume bit-identically. */
#ifndef EVX_LEARN_RNG_H
#define EVX_LEARN_RNG_H

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

#endif
