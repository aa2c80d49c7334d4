/* evx_rs_dot.h: the resampler's inner product (audio thread). Vector
 * extensions keep it SIMD without -ffast-math; the summation order is fixed,
 * so a given output is bit-identical however the input was blocked. */
#ifndef EVX_RS_DOT_H
#define EVX_RS_DOT_H

#include <stdint.h>
#include <string.h>

typedef float evx_rs_v4 __attribute__((vector_size(16)));

/* Sum of a[i] * b[i] for i < n; n is a multiple of 8, any alignment. */
static inline float evx_rs_dot(const float *a, const float *b, uint32_t n)
{
  evx_rs_v4 s0 = {0.0f, 0.0f, 0.0f, 0.0f}, s1 = s0;
  for (uint32_t i = 0; i < n; i += 8) {
    evx_rs_v4 a0, a1, b0, b1;
    memcpy(&a0, a + i, sizeof a0);
    memcpy(&a1, a + i + 4, sizeof a1);
    memcpy(&b0, b + i, sizeof b0);
    memcpy(&b1, b + i + 4, sizeof b1);
    s0 += a0 * b0;
    s1 += a1 * b1;
  }
  s0 += s1;
  return (s0[0] + s0[2]) + (s0[1] + s0[3]);
}

#endif
