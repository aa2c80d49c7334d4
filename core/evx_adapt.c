/* evx_adapt.c: running per-stream input normalisation (evx_adapt.h). */
#include "evx_adapt.h"
#include "evx_features.h"
#include "evx_nn.h"
#include <math.h>
#include <string.h>

/* Values a stream keeps: the model's input, at most EVX_ADAPT_MAX. */
static uint32_t span(const evx_adapt *a)
{
  return a->len < EVX_ADAPT_MAX ? a->len : EVX_ADAPT_MAX;
}

void evx_adapt_reset(evx_adapt_state *s, const evx_adapt *a)
{
  uint32_t n = span(a);
  s->n = a->prior;
  if (n) {
    memcpy(s->mean, a->mean, n * sizeof *s->mean);
    memcpy(s->var, a->var, n * sizeof *s->var);
  }
}

int evx_adapt_frame_mode(const evx_adapt *a)
{
  return a->frames > 1 && a->len > EVX_F_RMS;
}

uint32_t evx_adapt_rows(const evx_adapt *a)
{
  return span(a);
}

float evx_adapt_gate(const evx_adapt *a, const float *x)
{
  uint32_t T = a->frames;
  if (!evx_adapt_frame_mode(a)) return NAN;
  const float *rms = x + (size_t)EVX_F_RMS * T;   /* dB */
  float peak = -INFINITY;
  for (uint32_t t = 0; t < T; t++)
    if (isfinite(rms[t]) && rms[t] > peak) peak = rms[t];
  /* the gate of EVX_INPUT_VOICED_STATS, taken to this row's dB scale */
  const float gate_rms = evx_voiced_gate(powf(10.0f, peak / 20.0f));
  if (!(gate_rms > 0.0f)) return NAN;   /* silence (or nothing finite) */
  const float gate = 20.0f * log10f(gate_rms);
  for (uint32_t t = 0; t < T; t++)
    if (isfinite(rms[t]) && rms[t] >= gate) return gate;
  return NAN;   /* a peak at the floor, lost in the dB round trip */
}

void evx_adapt_row_stats(const evx_adapt *a, const float *x, float gate, uint32_t f,
                         float *mean, float *var)
{
  uint32_t T = a->frames;
  const float *rms = x + (size_t)EVX_F_RMS * T, *row = x + (size_t)f * T;
  double s = 0.0, ss = 0.0;
  uint32_t k = 0;
  for (uint32_t t = 0; t < T; t++) {
    if (!(isfinite(rms[t]) && rms[t] >= gate) || !isfinite(row[t])) continue;
    s += row[t];
    ss += (double)row[t] * row[t];
    k++;
  }
  double mu = k ? s / k : 0.0, v = k ? ss / k - mu * mu : 0.0;
  mean[f] = (float)mu;
  var[f] = v > 0.0 ? (float)v : 0.0f;
}

uint32_t evx_adapt_window_stats(const evx_adapt *a, const float *x, float *mean, float *var)
{
  float gate = evx_adapt_gate(a, x);
  if (isnan(gate)) return 0;
  uint32_t T = a->frames, voiced = 0;
  const float *rms = x + (size_t)EVX_F_RMS * T;
  for (uint32_t t = 0; t < T; t++) voiced += isfinite(rms[t]) && rms[t] >= gate;
  for (uint32_t f = 0; f < span(a); f++) evx_adapt_row_stats(a, x, gate, f, mean, var);
  return voiced;
}

/* Welford's update with a capped count: once the count reaches memory each
 * window weighs 1/memory (an exponential forgetting of about memory
 * windows). In frame mode a window is a batch of mean bm and variance bv:
 * the squared deviation of one value becomes bv + (bm - mean)(bm - mean'). */
static void welford(evx_adapt_state *s, const evx_adapt *a, const float *x,
                    const float *spread)
{
  uint32_t n = span(a);
  double c = s->n + 1.0;
  if (c > a->memory) c = a->memory;
  if (c < 1.0) c = 1.0;
  s->n = c;
  float k = (float)(1.0 / c);
  for (uint32_t i = 0; i < n; i++) {
    float xi = x[i], sp = spread ? spread[i] : 0.0f;
    if (!isfinite(xi)) continue;
    float d = xi - s->mean[i];
    float m = s->mean[i] + d * k;
    float v = s->var[i] + (sp + d * (xi - m) - s->var[i]) * k;
    s->mean[i] = m;
    s->var[i] = v > 0.0f ? v : 0.0f;
  }
}

void evx_adapt_update_batch(evx_adapt_state *s, const evx_adapt *a, const float *bm,
                            const float *bv)
{
  welford(s, a, bm, bv);
}

void evx_adapt_update(evx_adapt_state *s, const evx_adapt *a, const float *x)
{
  float bm[EVX_ADAPT_MAX], bv[EVX_ADAPT_MAX];
  if (!evx_adapt_frame_mode(a)) {
    welford(s, a, x, NULL);
    return;
  }
  if (evx_adapt_window_stats(a, x, bm, bv)) welford(s, a, bm, bv);
}

void evx_adapt_apply_rows(const evx_adapt_state *s, const evx_adapt *a, float *x,
                          uint32_t f0, uint32_t f1)
{
  uint32_t n = span(a), T = evx_adapt_frame_mode(a) ? a->frames : 1;
  if (f1 > n) f1 = n;
  for (uint32_t i = f0; i < f1; i++) {
    float m = s->mean[i], sd = sqrtf(s->var[i] + EVX_ADAPT_EPS);
    float *row = x + (size_t)i * T;
    for (uint32_t t = 0; t < T; t++) row[t] = (row[t] - m) / sd;
  }
}

void evx_adapt_apply(const evx_adapt_state *s, const evx_adapt *a, float *x)
{
  evx_adapt_apply_rows(s, a, x, 0, span(a));
}
