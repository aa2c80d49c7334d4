/* evx_nn_input.c: from a window of feature frames to the network input.
 * evx_build_input is RT-safe (no allocation; work bounded by the window). */
#include "evx_nn_input.h"
#include "evx_features.h"
#include "evx_prosody.h"
#include <math.h>
#include <string.h>

#define SILENCE_DB (-100.0f) /* 10*log10(1e-10): what a frame of mel 0 gives */

/* k ln(v) + gain_db (k: 20 or 10 over ln 10), at least SILENCE_DB. */
static inline float level_db(float v, float k, float gain_db)
{
  float db = k * logf(v > 1e-30f ? v : 1e-30f) + gain_db;
  return db > SILENCE_DB ? db : SILENCE_DB;
}

/* Row b (mel band b) of an EVX_INPUT_LOGMEL input, with the window's level
 * correction gain_db (0 but for EVX_FSET_V1_LEVEL). */
static void logmel_band(uint32_t W, const float *frames, uint32_t n, uint32_t b, float gain_db,
                        float *in)
{
  uint32_t pad = W - n;
  float *row = in + (size_t)b * W;
  for (uint32_t t = 0; t < pad; t++) row[t] = SILENCE_DB;
  for (uint32_t t = 0; t < n; t++) {
    float mel = frames[(size_t)t * EVX_NFEAT + EVX_F_MEL + b];
    row[pad + t] = gain_db != 0.0f ? level_db(mel, 4.34294482f, gain_db)
                                   : 10.0f * log10f(mel > 1e-10f ? mel : 1e-10f);
  }
}

/* Feature f of a frame, in dB for rms and mel when logd (EVX_INPUT_LOG_STATS
 * and _VOICED_STATS), with the window's level correction gain_db (0 but for
 * EVX_FSET_V1_LEVEL). Natural log in float, scaled: a window needs 65 x W of
 * these in one run() call, and logf is several times cheaper than log10. */
static inline float feat_at(const float *frames, uint32_t t, uint32_t f, int logd,
                            float gain_db)
{
  float v = frames[(size_t)t * EVX_NFEAT + f];
  if (f == EVX_F_MFCC) return v + 8.0f * gain_db;   /* c0 = sum of 64 dB bands / 8 */
  if (!logd || f < EVX_F_RMS) return v;
  if (gain_db != 0.0f)   /* floored at -100 dB after the correction, so that a
                            quieter take's pauses floor where the louder's do */
    return level_db(v, f == EVX_F_RMS ? 8.68588964f : 4.34294482f, gain_db);
  if (f == EVX_F_RMS) return 8.68588964f * logf(v > 1e-5f ? v : 1e-5f);   /* 20 log10 */
  return 4.34294482f * logf(v > 1e-10f ? v : 1e-10f);                     /* 10 log10 */
}

/* Row f of an EVX_INPUT_FRAMES input: feature f of every frame (dB for rms
 * and mel), after W - n NaN of padding. */
static void frames_feature(uint32_t W, const float *frames, uint32_t n, uint32_t f,
                           float gain_db, float *in)
{
  float *row = in + (size_t)f * W;
  uint32_t pad = W - n;
  for (uint32_t t = 0; t < pad; t++) row[t] = NAN;
  for (uint32_t t = 0; t < n; t++) row[pad + t] = feat_at(frames, t, f, 1, gain_db);
}

/* Mean (and population std when std != NULL) of feature f over the n
 * frames whose rms is at least gate (0: all frames); with delta != NULL also
 * the mean |change| between consecutive used frames (0 with fewer than two).
 * One pass (each value is computed once), accumulated in double so that long
 * windows keep their precision. */
static void summary_feature(const float *frames, uint32_t n, float gate, uint32_t f,
                            float *mean, float *std, float *delta, int logd, float gain_db)
{
  double s = 0.0, ss = 0.0, ds = 0.0, prev = 0.0;
  uint32_t k = 0;
  for (uint32_t t = 0; t < n; t++) {
    if (frames[(size_t)t * EVX_NFEAT + EVX_F_RMS] < gate) continue;
    double v = feat_at(frames, t, f, logd, gain_db);
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

static float window_peak(const float *frames, uint32_t n)
{
  float peak = 0.0f;
  for (uint32_t t = 0; t < n; t++) {
    float r = frames[(size_t)t * EVX_NFEAT + EVX_F_RMS];
    if (r > peak) peak = r;
  }
  return peak;
}

/* EVX_FSET_V1_LEVEL: the gain (dB) that takes the mean dB rms of the
 * window's voiced frames (evx_voiced_gate of its peak) to the target; 0 for
 * a silent window, so that silence is never amplified into speech. */
static float level_gain_db(const float *frames, uint32_t n, float peak)
{
  float gate = evx_voiced_gate(peak);
  if (!(gate > 0.0f)) return 0.0f;
  double s = 0.0;
  uint32_t k = 0;
  for (uint32_t t = 0; t < n; t++) {
    float r = frames[(size_t)t * EVX_NFEAT + EVX_F_RMS];
    if (r >= gate) s += 8.68588964 * log(r), k++;
  }
  float g = k ? EVX_LEVEL_TARGET_DB - (float)(s / k) : 0.0f;
  return g > EVX_LEVEL_MAX_DB ? EVX_LEVEL_MAX_DB : g < -EVX_LEVEL_MAX_DB ? -EVX_LEVEL_MAX_DB : g;
}

int evx_feature_set_supported(uint32_t feature_set, uint32_t input_kind)
{
  if (feature_set == EVX_FSET_V1)
    return 1;
  return feature_set == EVX_FSET_V1_LEVEL &&
         (input_kind == EVX_INPUT_LOGMEL || input_kind == EVX_INPUT_LOG_STATS ||
          input_kind == EVX_INPUT_VOICED_STATS || input_kind == EVX_INPUT_FRAMES);
}

/* The EVX_PROSODY_STATS statistics (evx_nn_input.h) of n prosody rows in a
 * window of W frames (padding counts as unvoiced); pros NULL: all 0. */
static void prosody_stats(const float *pros, uint32_t n, uint32_t W, float *out)
{
  static const uint8_t mean_col[8] = { EVX_P_HNR, EVX_P_JITTER, EVX_P_SHIMMER, EVX_P_LOUDNESS,
                                       EVX_P_SLOPE_0_500, EVX_P_SLOPE_500_1500, EVX_P_ALPHA,
                                       EVX_P_HAMMARBERG };
  double s = 0, ss = 0, st = 0, stt = 0, sty = 0, lo = INFINITY, hi = -INFINITY, m[8] = { 0 };
  uint32_t k = 0;
  for (uint32_t t = 0; pros && t < n; t++) {
    const float *r = pros + (size_t)t * EVX_NPROS;
    if (!(r[EVX_P_VOICED] > 0.5f)) continue;
    double v = r[EVX_P_ST_VOICE], sec = t * ((double)EVX_HOP / EVX_SR);
    s += v; ss += v * v; st += sec; stt += sec * sec; sty += sec * v;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    for (int c = 0; c < 8; c++) m[c] += r[mean_col[c]];
    k++;
  }
  memset(out, 0, sizeof(float) * EVX_PROSODY_STATS);
  out[0] = W ? (float)k / (float)W : 0.0f;
  if (!k) return;
  double mu = s / k, var = ss / k - mu * mu, den = k * stt - st * st;
  out[1] = (float)mu;
  out[2] = var > 0 ? (float)sqrt(var) : 0.0f;
  out[3] = (float)(hi - lo);
  out[4] = den > 1e-12 ? (float)((k * sty - st * s) / den) : 0.0f;
  for (int c = 0; c < 8; c++) out[5 + c] = (float)(m[c] / k);
}

static int per_feature(uint32_t kind)
{
  return kind == EVX_INPUT_SUMMARY || kind == EVX_INPUT_SUMMARY_STATS ||
         kind == EVX_INPUT_LOG_STATS || kind == EVX_INPUT_VOICED_STATS ||
         kind == EVX_INPUT_FRAMES || kind == EVX_INPUT_PROSODY_STATS;
}

int evx_input_needs_prosody(const evx_feature_config *cfg)
{
  return cfg && cfg->input_kind == EVX_INPUT_PROSODY_STATS;
}

/* One unit per feature (plus one for the prosody statistics), or per mel
 * band: each a pass over the window. */
uint32_t evx_input_units(const evx_feature_config *cfg)
{
  return per_feature(cfg->input_kind) ? EVX_NFEAT + (evx_input_needs_prosody(cfg) ? 1u : 0u)
       : cfg->input_kind == EVX_INPUT_LOGMEL ? EVX_N_MEL : 1u;
}

void evx_input_begin_pros(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                          const float *pros, uint32_t n)
{
  uint32_t W = cfg->window_frames;
  if (n > W) {  /* keep the newest */
    if (frames) frames += (size_t)(n - W) * EVX_NFEAT;
    if (pros) pros += (size_t)(n - W) * EVX_NPROS;
    n = W;
  }
  if (!frames) n = 0;
  j->frames = frames;
  j->pros = pros;
  j->n = n;
  j->next = 0;
  int level = cfg->feature_set == EVX_FSET_V1_LEVEL;
  int voiced = cfg->input_kind == EVX_INPUT_VOICED_STATS ||
               cfg->input_kind == EVX_INPUT_PROSODY_STATS;
  float peak = level || voiced ? window_peak(frames, n) : 0.0f;
  j->gain_db = level ? level_gain_db(frames, n, peak) : 0.0f;
  /* voiced frames of the window (EVX_INPUT_VOICED_STATS): evx_voiced_gate of
   * its loudest frame at the corrected level, taken back to raw rms; a
   * window with none (silence) uses every frame */
  float g = powf(10.0f, j->gain_db / 20.0f);
  j->gate = voiced ? evx_voiced_gate(peak * g) / g : 0.0f;
}

void evx_input_begin(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                     uint32_t n)
{
  evx_input_begin_pros(j, cfg, frames, NULL, n);
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
    float gdb = j->gain_db;
    switch (cfg->input_kind) {
    case EVX_INPUT_LOGMEL: logmel_band(cfg->window_frames, fr, n, f, gdb, input); break;
    case EVX_INPUT_SUMMARY: summary_feature(fr, n, 0.0f, f, input, NULL, NULL, 0, 0); break;
    case EVX_INPUT_SUMMARY_STATS: summary_feature(fr, n, 0.0f, f, input, std, NULL, 0, 0); break;
    case EVX_INPUT_LOG_STATS: summary_feature(fr, n, 0.0f, f, input, std, NULL, 1, gdb); break;
    case EVX_INPUT_VOICED_STATS:
      summary_feature(fr, n, j->gate, f, input, std, delta, 1, gdb);
      break;
    case EVX_INPUT_PROSODY_STATS:
      if (f < EVX_NFEAT) summary_feature(fr, n, j->gate, f, input, std, delta, 1, gdb);
      else prosody_stats(j->pros, n, cfg->window_frames, input + 3 * EVX_NFEAT);
      break;
    case EVX_INPUT_FRAMES: frames_feature(cfg->window_frames, fr, n, f, gdb, input); break;
    default: break;
    }
  }
  return j->next >= units;
}

void evx_build_input_pros(const evx_feature_config *cfg, const float *frames,
                          const float *pros, uint32_t n, float *input)
{
  evx_input_job j;
  evx_input_begin_pros(&j, cfg, frames, pros, n);
  evx_input_step(&j, cfg, input, UINT32_MAX);
}

void evx_build_input(const evx_feature_config *cfg, const float *frames,
                     uint32_t n, float *input)
{
  evx_build_input_pros(cfg, frames, NULL, n, input);
}
