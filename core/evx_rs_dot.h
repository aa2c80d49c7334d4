/* evx_rs_dot.h: the resampler's inner product (audio thread). Vector
 * extensions keep it SIMD without -ffast-math; the summation order is fixed
 * for a given n and instruction set, so a given output is bit-identical
 * however the input was blocked. */
#ifndef EVX_RS_DOT_H
#define EVX_RS_DOT_H

#include <stdint.h>

/* Sum of a[i] * b[i] for i < n; n is a multiple of 8, any alignment. */
typedef float (*evx_rs_dot_fn)(const float *a, const float *b, uint32_t n);

/* The fastest version this CPU runs (AVX-512F, AVX2+FMA or portable, by
 * __builtin_cpu_supports). Non-RT (init); the result is RT-safe. */
evx_rs_dot_fn evx_rs_dot_pick(void);

#endif
