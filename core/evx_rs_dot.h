/* evx_rs_dot.h: the resampler's inner product (audio thread). Vector
 * extensions keep it SIMD without -ffast-math; the summation order is fixed
 * for a given n and instruction set, so a given output is bit-identical
 * however the input was blocked. */
#ifndef EVX_RS_DOT_H
#define EVX_RS_DOT_H

#include <stdint.h>

/* Sum of a[i] * b[i] for i < n; n is a multiple of 8, any alignment. */
typedef float (*evx_rs_dot_fn)(const float *a, const float *b, uint32_t n);
/* Four such sums at once, out[k] = dot(a[k], b[k], n), each bit-identical
 * to the single one (same order of operations), so grouping outputs does
 * not change them; four chains at once keep the FMA units busy. */
typedef void (*evx_rs_dot4_fn)(const float *const a[4], const float *const b[4], uint32_t n,
                               float out[4]);

typedef struct {
  evx_rs_dot_fn dot;
  evx_rs_dot4_fn dot4;
} evx_rs_dots;

/* The fastest versions this CPU runs (AVX-512F, AVX2+FMA or portable, by
 * __builtin_cpu_supports). Non-RT (init); the functions are RT-safe. */
evx_rs_dots evx_rs_dot_pick(void);

#endif
