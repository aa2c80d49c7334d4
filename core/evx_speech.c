/* evx_speech.c: the speech detector (evx_speech.h). */
#include "evx_speech.h"
#include "evx_features.h"

#include <math.h>
#include <string.h>

/* Periodicity on the frame decimated to 8 kHz: lags 20..100 samples are F0
 * 400..80 Hz, correlated over the first 100 samples (12.5 ms). */
#define DEC_N     (EVX_FRAME / 2u)
#define LAG_MIN   20u
#define LAG_MAX   100u
#define CORR_N    (DEC_N - LAG_MAX)   /* a multiple of 4 */
#define DEC_RATE  8000.0f
/* A frame is voiced when its normalised autocorrelation peak reaches this
 * (a vowel at 10 dB SNR stays above it; noise stays well below) ... */
#define VOICED_R  0.60f
/* ... and this share of its power is in the speech band, mel bands 5..50
 * (278 Hz..4.1 kHz): a kick drum's or a hum's periodic power is below it. */
#define BAND_LO   5u
#define BAND_HI   50u
#define BAND_MIN  0.25f
/* Smallest and largest F0 step between consecutive voiced frames that counts
 * as a glide, in octaves (0.1 % .. 5.7 %): a synthetic tone or chord moves
 * less, a pitch error (octave jump) more. */
#define GLIDE_MIN 0.0015f
#define GLIDE_MAX 0.08f
/* A second is speech with at least this many voiced frames, this share of
 * gliding pairs among them and this level spread. */
#define MIN_VOICED   8u
#define MIN_GLIDING  3u
#define GLIDE_SHARE  0.30f
#define MIN_SPREAD   1.0f
/* Voiced frames more than this below the loudest frame of the context are
 * ignored (reverberation tails, breath). */
#define BELOW_PEAK   35.0f

void evx_speech_reset(evx_speech *s)
{
  memset(s, 0, sizeof *s);
}

/* Peak of the normalised autocorrelation over LAG_MIN..LAG_MAX of y (DEC_N
 * samples); *lag gets its position, refined by a parabola. The smallest lag
 * within 10 % of the best wins, so that twice the period is not taken for
 * the period. */
static float periodicity(const float *y, float *lag)
{
  float r[LAG_MAX + 2];
  double e0 = 0.0, et = 0.0;
  for (uint32_t n = 0; n < CORR_N; n++)
    e0 += (double)y[n] * y[n];
  for (uint32_t n = LAG_MIN; n < LAG_MIN + CORR_N; n++)
    et += (double)y[n] * y[n];
  float best = 0.0f;
  for (uint32_t t = LAG_MIN; t <= LAG_MAX; t++) {
    /* four float sums: independent chains the compiler can keep in flight
     * (a double chain cost 19 us a frame, 0.19% of a core) */
    float c0 = 0.0f, c1 = 0.0f, c2 = 0.0f, c3 = 0.0f;
    const float *z = y + t;
    for (uint32_t n = 0; n < CORR_N; n += 4) {
      c0 += y[n] * z[n];
      c1 += y[n + 1] * z[n + 1];
      c2 += y[n + 2] * z[n + 2];
      c3 += y[n + 3] * z[n + 3];
    }
    double c = (double)((c0 + c1) + (c2 + c3));
    double d = e0 * et;
    r[t] = d > 1e-30 ? (float)(c / sqrt(d)) : 0.0f;
    if (r[t] > best)
      best = r[t];
    if (t < LAG_MAX) {  /* slide the lagged energy by one sample */
      et += (double)y[t + CORR_N] * y[t + CORR_N] - (double)y[t] * y[t];
      if (et < 0.0)
        et = 0.0;
    }
  }
  *lag = 0.0f;
  if (best <= 0.0f)
    return 0.0f;
  for (uint32_t t = LAG_MIN + 1; t < LAG_MAX; t++) {
    if (r[t] >= 0.9f * best && r[t] >= r[t - 1] && r[t] >= r[t + 1]) {
      float den = r[t - 1] - 2.0f * r[t] + r[t + 1];
      float off = den < 0.0f ? 0.5f * (r[t - 1] - r[t + 1]) / den : 0.0f;
      *lag = (float)t + (off > 0.5f ? 0.5f : off < -0.5f ? -0.5f : off);
      return r[t];
    }
  }
  return 0.0f;  /* the peak sits at an end of the range: no F0 inside it */
}

void evx_speech_frame(evx_speech *s, const float *x, const float *f)
{
  float y[DEC_N];
  float mean = 0.0f;
  for (uint32_t i = 0; i < DEC_N; i++) {  /* half-band-ish [1 2 1]/4, then 2:1 */
    uint32_t k = 2 * i;
    float prev = k ? x[k - 1] : x[k];
    y[i] = 0.25f * prev + 0.5f * x[k] + 0.25f * x[k + 1];
    mean += y[i];
  }
  mean /= (float)DEC_N;
  for (uint32_t i = 0; i < DEC_N; i++)
    y[i] -= mean;
  float lag;
  float r = periodicity(y, &lag);
  double band = 0.0, all = 0.0;
  for (uint32_t b = 0; b < EVX_N_MEL; b++) {
    double p = f[EVX_F_MEL + b];
    all += p;
    if (b >= BAND_LO && b <= BAND_HI)
      band += p;
  }
  float rms = f[EVX_F_RMS];
  evx_speech_frame_info *fi = &s->ring[s->pos];
  fi->db = rms > 1e-10f ? 20.0f * log10f(rms) : -200.0f;
  fi->voiced = r >= VOICED_R && lag > 0.0f && all > 0.0 && band >= BAND_MIN * all;
  fi->f0 = fi->voiced ? log2f(DEC_RATE / lag) : 0.0f;
  s->pos = s->pos + 1 == EVX_SPEECH_CONTEXT ? 0 : s->pos + 1;
  if (s->filled < EVX_SPEECH_CONTEXT)
    s->filled++;
}

int evx_speech_decide(const evx_speech *s, float floor_db, evx_speech_measures *m)
{
  evx_speech_measures z = { 0 };
  uint32_t n = s->filled;
  uint32_t first = (s->pos + EVX_SPEECH_CONTEXT - n) % EVX_SPEECH_CONTEXT;
  float peak = -200.0f;
  double sum = 0.0, sum2 = 0.0;
  for (uint32_t i = 0; i < n; i++) {
    float db = s->ring[(first + i) % EVX_SPEECH_CONTEXT].db;
    db = db > floor_db ? db : floor_db;  /* silence reads as the floor */
    peak = db > peak ? db : peak;
    sum += db;
    sum2 += (double)db * db;
  }
  if (n) {
    double mu = sum / n, var = sum2 / n - mu * mu;
    z.spread_db = var > 0.0 ? (float)sqrt(var) : 0.0f;
  }
  int prev = 0;
  float prev_f0 = 0.0f;
  for (uint32_t i = 0; i < n; i++) {
    const evx_speech_frame_info *fi = &s->ring[(first + i) % EVX_SPEECH_CONTEXT];
    int v = fi->voiced && fi->db >= floor_db && fi->db >= peak - BELOW_PEAK;
    if (v) {
      z.voiced++;
      if (prev) {
        float d = fabsf(fi->f0 - prev_f0);
        z.pairs++;
        z.gliding += d >= GLIDE_MIN && d <= GLIDE_MAX;
      }
      prev_f0 = fi->f0;
    }
    prev = v;
  }
  z.speech = z.voiced >= MIN_VOICED && z.gliding >= MIN_GLIDING &&
             (float)z.gliding >= GLIDE_SHARE * (float)z.pairs && z.spread_db >= MIN_SPREAD;
  if (m)
    *m = z;
  return z.speech;
}
