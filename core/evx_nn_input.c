/* evx_nn_input.c: from a window of feature frames to the network input.
 * evx_build_input is RT-safe (no allocation; work bounded by the window). */
#include "evx_nn.h"
#include "evx_features.h"
#include <math.h>
#include <string.h>

#define SILENCE_DB (-100.0f) /* 10*log10(1e-10): what a frame of mel 0 gives */

static void build_logmel(uint32_t W, const float *frames, uint32_t n, float *in)
{
  uint32_t pad = W - n;
  for (uint32_t b = 0; b < EVX_N_MEL; b++) {
    float *row = in + (size_t)b * W;
    for (uint32_t t = 0; t < pad; t++) row[t] = SILENCE_DB;
    for (uint32_t t = 0; t < n; t++) {
      float mel = frames[(size_t)t * EVX_NFEAT + EVX_F_MEL + b];
      row[pad + t] = 10.0f * log10f(mel > 1e-10f ? mel : 1e-10f);
    }
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

/* Means (and population stds when std != NULL) of each feature over the n
 * frames whose rms is at least gate (0: all frames); with delta != NULL also
 * the mean |change| between consecutive used frames (0 with fewer than two).
 * One pass per feature (each value is computed once), accumulated in double
 * so that long windows keep their precision. */
static void build_summary(const float *frames, uint32_t n, float gate,
                          float *mean, float *std, float *delta, int logd)
{
  for (uint32_t f = 0; f < EVX_NFEAT; f++) {
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
}

/* Voiced frames of the window (EVX_INPUT_VOICED_STATS): rms within
 * EVX_VOICED_RANGE_DB of the loudest frame and above EVX_VOICED_FLOOR. A
 * window with none (silence) uses every frame. */
static void voiced_summary(const float *frames, uint32_t n, float *in)
{
  float peak = 0.0f;
  for (uint32_t t = 0; t < n; t++) {
    float r = frames[(size_t)t * EVX_NFEAT + EVX_F_RMS];
    if (r > peak) peak = r;
  }
  float gate = peak * powf(10.0f, -EVX_VOICED_RANGE_DB / 20.0f);
  if (gate < EVX_VOICED_FLOOR) gate = EVX_VOICED_FLOOR;
  if (peak < gate) gate = 0.0f;
  build_summary(frames, n, gate, in, in + EVX_NFEAT, in + 2 * EVX_NFEAT, 1);
}

void evx_build_input(const evx_feature_config *cfg, const float *frames,
                     uint32_t n, float *input)
{
  evx_shape s = evx_input_shape(cfg);
  if (!s.c) return;
  uint32_t W = cfg->window_frames;
  if (n > W) { frames += (size_t)(n - W) * EVX_NFEAT; n = W; } /* keep the newest */
  if (!frames) n = 0;
  switch (cfg->input_kind) {
  case EVX_INPUT_LOGMEL: build_logmel(W, frames, n, input); break;
  case EVX_INPUT_SUMMARY: build_summary(frames, n, 0.0f, input, NULL, NULL, 0); break;
  case EVX_INPUT_SUMMARY_STATS:
    build_summary(frames, n, 0.0f, input, input + EVX_NFEAT, NULL, 0);
    break;
  case EVX_INPUT_LOG_STATS:
    build_summary(frames, n, 0.0f, input, input + EVX_NFEAT, NULL, 1);
    break;
  case EVX_INPUT_VOICED_STATS: voiced_summary(frames, n, input); break;
  default: break;
  }
}
