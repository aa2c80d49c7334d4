/* evx_sanitize.h: the input cleaning the resampler and the extractor share
 * (audio thread, RT-safe): NaN/Inf -> 0, values clamped to +-limit, values
 * with |x| < flush -> 0, so no filter state can hold NaN, overflow or run on
 * denormals. Written with vector extensions because -O2 leaves the scalar
 * loop's selects as branches; every lane gives what the scalar form gives. */
#ifndef EVX_SANITIZE_H
#define EVX_SANITIZE_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float evx_san_vf __attribute__((vector_size(16)));
typedef int32_t evx_san_vi __attribute__((vector_size(16)));

/* One sample: |v| <= FLT_MAX is false for NaN and Inf. */
static inline float evx_sanitize1(float v, float limit, float flush)
{
  float a = fabsf(v);
  v = a <= FLT_MAX ? v : 0.0f;
  v = v > limit ? limit : v;
  v = v < -limit ? -limit : v;
  return a < flush ? 0.0f : v;
}

/* Four samples, as four evx_sanitize1 (masks instead of selects). */
static inline evx_san_vf evx_sanitize4(evx_san_vf v, float limit, float flush)
{
  const evx_san_vi sign = (evx_san_vi){ 0 } + INT32_MAX;
  const evx_san_vf hi = (evx_san_vf){ 0 } + limit, lo = -hi;
  const evx_san_vf a = (evx_san_vf)((evx_san_vi)v & sign);
  evx_san_vi x = (evx_san_vi)v & (a <= FLT_MAX);
  evx_san_vi over = (evx_san_vf)x > hi, under = (evx_san_vf)x < lo;
  x = (x & ~over) | ((evx_san_vi)hi & over);
  x = (x & ~under) | ((evx_san_vi)lo & under);
  return (evx_san_vf)(x & ~(a < flush));
}

/* Clean n samples of src into dst, and into mirror too when it is not NULL
 * (the resampler's doubled ring). */
static inline void evx_sanitize_run(float *dst, float *mirror, const float *src, uint32_t n,
                                    float limit, float flush)
{
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    evx_san_vf v;
    memcpy(&v, src + i, sizeof v);
    v = evx_sanitize4(v, limit, flush);
    memcpy(dst + i, &v, sizeof v);
    if (mirror)
      memcpy(mirror + i, &v, sizeof v);
  }
  for (; i < n; i++) {
    dst[i] = evx_sanitize1(src[i], limit, flush);
    if (mirror)
      mirror[i] = dst[i];
  }
}

/* The same run eight lanes at a time with AVX2, where the CPU has it: the
 * same values per lane. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

typedef float evx_san_vf8 __attribute__((vector_size(32)));
typedef int32_t evx_san_vi8 __attribute__((vector_size(32)));

__attribute__((target("avx2"))) static inline void
evx_sanitize_run_avx2(float *dst, float *mirror, const float *src, uint32_t n, float limit,
                      float flush)
{
  const evx_san_vi8 sign = (evx_san_vi8){ 0 } + INT32_MAX;
  const evx_san_vf8 hi = (evx_san_vf8){ 0 } + limit, lo = -hi;
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    evx_san_vf8 v;
    memcpy(&v, src + i, sizeof v);
    const evx_san_vf8 a = (evx_san_vf8)((evx_san_vi8)v & sign);
    /* x is finite once NaN/Inf are 0, so max/min clamp it as the selects do */
    const evx_san_vf8 fin = (evx_san_vf8)((evx_san_vi8)v & (a <= FLT_MAX));
    evx_san_vi8 x = (evx_san_vi8)_mm256_min_ps(_mm256_max_ps((__m256)fin, (__m256)lo), (__m256)hi);
    x &= ~(a < flush);
    memcpy(dst + i, &x, sizeof x);
    if (mirror)
      memcpy(mirror + i, &x, sizeof x);
  }
  evx_sanitize_run(dst + i, mirror ? mirror + i : NULL, src + i, n - i, limit, flush);
}
#endif

typedef void (*evx_sanitize_fn)(float *dst, float *mirror, const float *src, uint32_t n,
                                float limit, float flush);

/* The fastest run this CPU has (init; the run itself is RT-safe). */
static inline evx_sanitize_fn evx_sanitize_pick(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2"))
    return evx_sanitize_run_avx2;
#endif
  return evx_sanitize_run;
}

#endif
