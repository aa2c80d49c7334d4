/* evx_adapt.c: running per-stream input normalisation (evx_adapt.h). */
#include "evx_adapt.h"
#include "evx_features.h"
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

/* Frame mode: a frame matrix whose rms row can be gated. */
static int frame_mode(const evx_adapt *a)
{
  return a->frames > 1 && a->len > EVX_F_RMS;
}

/* The voiced-frame gate of frame-mode window x in dB; NaN: no voiced frame,
 * the window must not be learned. */
static float voiced_gate_db(const evx_adapt *a, const float *x)
{
  uint32_t T = a->frames;
  if (!frame_mode(a)) return NAN;
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

/* mean[f] and var[f] of row f over the frames at or above gate. */
static void row_stats(const evx_adapt *a, const float *x, float gate, uint32_t f,
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
  float gate = voiced_gate_db(a, x);
  if (isnan(gate)) return 0;
  uint32_t T = a->frames, voiced = 0;
  const float *rms = x + (size_t)EVX_F_RMS * T;
  for (uint32_t t = 0; t < T; t++) voiced += isfinite(rms[t]) && rms[t] >= gate;
  for (uint32_t f = 0; f < span(a); f++) row_stats(a, x, gate, f, mean, var);
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

void evx_adapt_update(evx_adapt_state *s, const evx_adapt *a, const float *x)
{
  float bm[EVX_ADAPT_MAX], bv[EVX_ADAPT_MAX];
  if (!frame_mode(a)) {
    welford(s, a, x, NULL);
    return;
  }
  if (evx_adapt_window_stats(a, x, bm, bv)) welford(s, a, bm, bv);
}

/* Normalise rows f0..f1-1 of x in place (a row: one value in vector mode). */
static void apply_rows(const evx_adapt_state *s, const evx_adapt *a, float *x, uint32_t f0,
                       uint32_t f1)
{
  uint32_t n = span(a), T = frame_mode(a) ? a->frames : 1;
  if (f1 > n) f1 = n;
  for (uint32_t i = f0; i < f1; i++) {
    float m = s->mean[i], sd = sqrtf(s->var[i] + EVX_ADAPT_EPS);
    float *row = x + (size_t)i * T;
    for (uint32_t t = 0; t < T; t++) row[t] = (row[t] - m) / sd;
  }
}

void evx_adapt_apply(const evx_adapt_state *s, const evx_adapt *a, float *x)
{
  apply_rows(s, a, x, 0, span(a));
}

uint32_t evx_adapt_units(const evx_adapt *a, int learn)
{
  if (!a->len) return 0;
  if (!frame_mode(a)) return 1;
  return (learn ? 1 + span(a) : 0) + span(a);
}

uint32_t evx_adapt_unit_values(const evx_adapt *a)
{
  return a->len && frame_mode(a) ? a->frames : 0;
}

void evx_adapt_begin(evx_adapt_job *j, const evx_adapt *a, float *x, int learn, int cold)
{
  j->a = a;
  j->x = x;
  j->next = 0;
  j->learn = learn;
  j->cold = cold;
  j->gate = NAN;
  j->units = evx_adapt_units(a, learn);
  j->learn_units = frame_mode(a) && learn ? 1 + span(a) : 0;
}

void evx_adapt_stop_learning(evx_adapt_job *j)
{
  j->learn = 0;
}

/* The statistics the window is normalised by, fixed at its first
 * normalising unit. */
static void take_snapshot(evx_adapt_job *j, const evx_adapt_state *voice)
{
  uint32_t n = span(j->a);
  if (j->cold) {
    evx_adapt_reset(&j->snap, j->a);
    return;
  }
  j->snap.n = voice->n;
  memcpy(j->snap.mean, voice->mean, n * sizeof *voice->mean);
  memcpy(j->snap.var, voice->var, n * sizeof *voice->var);
}

/* Unit k of frame mode: the gate, a row's statistics (the last one learns
 * the window), or a row's normalisation. */
static void frame_unit(evx_adapt_job *j, evx_adapt_state *voice, uint32_t k)
{
  const evx_adapt *a = j->a;
  uint32_t L = j->learn_units;
  if (k == 0 && L) {
    j->gate = voiced_gate_db(a, j->x);
  } else if (k < L) {
    if (isnan(j->gate)) return; /* no voiced frame: nothing to learn */
    row_stats(a, j->x, j->gate, k - 1, j->bm, j->bv);
    if (k == L - 1 && j->learn) /* still the voice the window began with */
      welford(voice, a, j->bm, j->bv);
  } else {
    if (k == L) take_snapshot(j, voice);
    apply_rows(&j->snap, a, j->x, k - L, k - L + 1);
  }
}

int evx_adapt_step(evx_adapt_job *j, evx_adapt_state *voice, uint32_t max_units)
{
  if (max_units < 1) max_units = 1;
  if (j->next < j->units && !frame_mode(j->a)) {
    if (j->learn) welford(voice, j->a, j->x, NULL);
    take_snapshot(j, voice);
    evx_adapt_apply(&j->snap, j->a, j->x);
    j->next = j->units;
  }
  for (; j->next < j->units && max_units; j->next++, max_units--)
    frame_unit(j, voice, j->next);
  return j->next >= j->units;
}
