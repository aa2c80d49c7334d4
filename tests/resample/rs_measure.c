/* rs_measure.c: signal helpers for the resampler tests (rs_measure.h). */
#include "rs_measure.h"

#include "evx_resample.h"

#include <math.h>
#include <stdlib.h>

#define OUT_RATE 16000.0

evx_rs *rsm_new(double rate, uint32_t max_in, void **mem)
{
  size_t size = evx_rs_size(rate, max_in);
  *mem = size ? malloc(size) : NULL;
  return *mem ? evx_rs_init(*mem, size, rate, max_in) : NULL;
}

float *rsm_convert(double rate, const float *x, size_t n, uint32_t block,
                   size_t *m)
{
  void *mem;
  evx_rs *rs = rsm_new(rate, block, &mem);
  size_t cap = (size_t)((double)n * OUT_RATE / rate) + 2u * block + 16u;
  float *y = rs ? malloc(sizeof(float) * cap) : NULL;
  size_t got = 0;
  for (size_t i = 0; y && i < n; i += block) {
    uint32_t b = (uint32_t)(n - i < block ? n - i : block);
    got += evx_rs_process(rs, x + i, b, y + got);
  }
  free(mem);
  *m = got;
  return y;
}

float *rsm_tone(size_t n, double rate, double f, double amp, double phase)
{
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; x && i < n; i++)
    x[i] = (float)(amp * sin(2.0 * M_PI * f * (double)i / rate + phase));
  return x;
}

double rsm_fit(const float *y, size_t n, double f, double *residual_rms,
               double *phase)
{
  /* Normal equations of [cos sin] (2 x 2). */
  double w = 2.0 * M_PI * f / OUT_RATE;
  double cc = 0, ss = 0, cs = 0, yc = 0, ys = 0;
  for (size_t i = 0; i < n; i++) {
    double c = cos(w * (double)i), s = sin(w * (double)i);
    cc += c * c; ss += s * s; cs += c * s;
    yc += y[i] * c; ys += y[i] * s;
  }
  double det = cc * ss - cs * cs;
  double a = det != 0 ? (yc * ss - ys * cs) / det : 0;
  double b = det != 0 ? (ys * cc - yc * cs) / det : 0;
  if (residual_rms) {
    double e = 0;
    for (size_t i = 0; i < n; i++) {
      double r = y[i] - a * cos(w * (double)i) - b * sin(w * (double)i);
      e += r * r;
    }
    *residual_rms = sqrt(e / (double)n);
  }
  if (phase)
    *phase = atan2(a, b);   /* y ~ amp * sin(w i + phase) */
  return hypot(a, b);
}

double rsm_rms(const float *y, size_t n)
{
  double e = 0;
  for (size_t i = 0; i < n; i++)
    e += (double)y[i] * y[i];
  return n ? sqrt(e / (double)n) : 0.0;
}

double rsm_frequency(const float *y, size_t n, double f0)
{
  enum { SEGMENTS = 8 };
  size_t len = n / SEGMENTS;
  double t[SEGMENTS], p[SEGMENTS], prev = 0;
  for (int k = 0; k < SEGMENTS; k++) {
    double ph;
    size_t start = (size_t)k * len;
    rsm_fit(y + start, len, f0, NULL, &ph);
    /* rsm_fit's phase is relative to the segment start: make it absolute. */
    ph -= 2.0 * M_PI * f0 * (double)start / OUT_RATE;
    while (k > 0 && ph - prev > M_PI) ph -= 2.0 * M_PI;
    while (k > 0 && ph - prev < -M_PI) ph += 2.0 * M_PI;
    prev = p[k] = ph;
    t[k] = (double)start / OUT_RATE;
  }
  double mt = 0, mp = 0, stt = 0, stp = 0;
  for (int k = 0; k < SEGMENTS; k++) { mt += t[k]; mp += p[k]; }
  mt /= SEGMENTS; mp /= SEGMENTS;
  for (int k = 0; k < SEGMENTS; k++) {
    stt += (t[k] - mt) * (t[k] - mt);
    stp += (t[k] - mt) * (p[k] - mp);
  }
  return f0 + stp / stt / (2.0 * M_PI);
}

size_t rsm_warmup(double rate)
{
  void *mem;
  evx_rs *rs = rsm_new(rate, 1, &mem);
  size_t skip = rs ? (size_t)ceil(2.0 * evx_rs_delay(rs)) : 0;
  free(mem);
  return skip;
}
