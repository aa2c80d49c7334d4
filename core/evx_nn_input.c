/* evx_nn_input.c: from a window of feature frames to the network input.
 * evx_build_input is RT-safe (no allocation; work bounded by the window). */
#include "evx_nn.h"
#include "evx_features.h"
#include <math.h>
#include <string.h>

#define SILENCE_DB (-100.0f) /* 10*log10(1e-10): what a frame of mel 0 gives */

/* Row b (mel band b) of an EVX_INPUT_LOGMEL input. */
static void logmel_band(uint32_t W, const float *frames, uint32_t n, uint32_t b, float *in)
{
  uint32_t pad = W - n;
  float *row = in + (size_t)b * W;
  for (uint32_t t = 0; t < pad; t++) row[t] = SILENCE_DB;
  for (uint32_t t = 0; t < n; t++) {
    float mel = frames[(size_t)t * EVX_NFEAT + EVX_F_MEL + b];
    row[pad + t] = 10.0f * log10f(mel > 1e-10f ? mel : 1e-10f);
  }
}

/* Feature f of a frame, in dB for rms and mel when logd (EVX_INPUT_LOG_STATS
 * and _VOICED_STATS). Natural log in float, scaled: a window needs 65 x W of
 * these in one run() call, and logf is several times cheaper than log10. */
static inline float feat_at(const float *frames, uint32_t t, uint32_t f, int logd)
{
  float v = frames[(size_t)t * EVX_NFEAT + f];
  if (!logd || f < EVX_F_RMS) return v;
  if (f == EVX_F_RMS) return 8.68588964f * logf(v > 1e-5f ? v : 1e-5f);   /* 20 log10 */
  return 4.34294482f * logf(v > 1e-10f ? v : 1e-10f);                     /* 10 log10 */
}

/* Row f of an EVX_INPUT_FRAMES input: feature f of every frame (dB for rms
 * and mel), after W - n NaN of padding. */
static void frames_feature(uint32_t W, const float *frames, uint32_t n, uint32_t f, float *in)
{
  float *row = in + (size_t)f * W;
  uint32_t pad = W - n;
  for (uint32_t t = 0; t < pad; t++) row[t] = NAN;
  for (uint32_t t = 0; t < n; t++) row[pad + t] = feat_at(frames, t, f, 1);
}

/* Mean (and population std when std != NULL) of feature f over the n
 * frames whose rms is at least gate (0: all frames); with delta != NULL also
 * the mean |change| between consecutive used frames (0 with fewer than two).
 * One pass (each value is computed once), accumulated in double so that long
 * windows keep their precision. */
static void summary_feature(const float *frames, uint32_t n, float gate, uint32_t f,
                            float *mean, float *std, float *delta, int logd)
{
  double s = 0.0, ss = 0.0, ds = 0.0, prev = 0.0;
  uint32_t k = 0;
  for (uint32_t t = 0; t < n; t++) {
    if (frames[(size_t)t * EVX_NFEAT + EVX_F_RMS] < gate) continue;
    double v = feat_at(frames, t, f, logd);
    s += v;
    ss += v * v;
    if (k) ds += fabs(v - prev);
    prev = v;
    k++;
  }
  double mu = k ? s / k : 0.0, var = k ? ss / k - mu * mu : 0.0;
  mean[f] = (float)mu;
  if (std) std[f] = var > 0.0 ? (float)sqrt(var) : 0.0f;
  if (delta) delta[f] = k > 1 ? (float)(ds / (k - 1)) : 0.0f;
}

float evx_voiced_gate(float peak)
{
  float gate = peak * powf(10.0f, -EVX_VOICED_RANGE_DB / 20.0f);
  if (gate < EVX_VOICED_FLOOR) gate = EVX_VOICED_FLOOR;
  return peak < gate ? 0.0f : gate;
}

/* Voiced frames of the window (EVX_INPUT_VOICED_STATS): evx_voiced_gate of
 * its loudest frame. A window with none (silence) uses every frame. */
static float voiced_gate(const float *frames, uint32_t n)
{
  float peak = 0.0f;
  for (uint32_t t = 0; t < n; t++) {
    float r = frames[(size_t)t * EVX_NFEAT + EVX_F_RMS];
    if (r > peak) peak = r;
  }
  return evx_voiced_gate(peak);
}

static int per_feature(uint32_t kind)
{
  return kind == EVX_INPUT_SUMMARY || kind == EVX_INPUT_SUMMARY_STATS ||
         kind == EVX_INPUT_LOG_STATS || kind == EVX_INPUT_VOICED_STATS ||
         kind == EVX_INPUT_FRAMES;
}

/* One unit per feature, or per mel band: each a pass over the window. */
uint32_t evx_input_units(const evx_feature_config *cfg)
{
  return per_feature(cfg->input_kind) ? EVX_NFEAT
       : cfg->input_kind == EVX_INPUT_LOGMEL ? EVX_N_MEL : 1u;
}

void evx_input_begin(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                     uint32_t n)
{
  uint32_t W = cfg->window_frames;
  if (n > W) { frames += (size_t)(n - W) * EVX_NFEAT; n = W; } /* keep the newest */
  if (!frames) n = 0;
  j->frames = frames;
  j->n = n;
  j->next = 0;
  j->gate = cfg->input_kind == EVX_INPUT_VOICED_STATS ? voiced_gate(frames, n) : 0.0f;
}

int evx_input_step(evx_input_job *j, const evx_feature_config *cfg, float *input,
                   uint32_t max_units)
{
  evx_shape s = evx_input_shape(cfg);
  uint32_t units = evx_input_units(cfg);
  if (!s.c) j->next = units;
  if (max_units < 1) max_units = 1;
  for (; j->next < units && max_units; j->next++, max_units--) {
    const float *fr = j->frames;
    uint32_t n = j->n, f = j->next;
    float *std = input + EVX_NFEAT, *delta = input + 2 * EVX_NFEAT;
    switch (cfg->input_kind) {
    case EVX_INPUT_LOGMEL: logmel_band(cfg->window_frames, fr, n, f, input); break;
    case EVX_INPUT_SUMMARY: summary_feature(fr, n, 0.0f, f, input, NULL, NULL, 0); break;
    case EVX_INPUT_SUMMARY_STATS: summary_feature(fr, n, 0.0f, f, input, std, NULL, 0); break;
    case EVX_INPUT_LOG_STATS: summary_feature(fr, n, 0.0f, f, input, std, NULL, 1); break;
    case EVX_INPUT_VOICED_STATS: summary_feature(fr, n, j->gate, f, input, std, delta, 1); break;
    case EVX_INPUT_FRAMES: frames_feature(cfg->window_frames, fr, n, f, input); break;
    default: break;
    }
  }
  return j->next >= units;
}

void evx_build_input(const evx_feature_config *cfg, const float *frames,
                     uint32_t n, float *input)
{
  evx_input_job j;
  evx_input_begin(&j, cfg, frames, n);
  evx_input_step(&j, cfg, input, UINT32_MAX);
}
