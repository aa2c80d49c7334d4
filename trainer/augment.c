/* augment.c: WSOLA time stretch, pitch shift (stretch + resample), speed,
 * channel; noise and resampling come from signal_blocks.c. */
#include "augment.h"
#include "signal_blocks.h"
#include "learn/hash.h"
#include "learn/rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

tr_augment_opts tr_augment_defaults(void)
{
  return (tr_augment_opts){ 0, 10.0, 30.0, 0, 0.8, 1.25, 0, -2.0, 2.0, 1, TR_NOISE_WHITE,
                             0, 0.9, 1.1, 0, -30.0, 6.0, 0 };
}

int tr_augment_enabled(const tr_augment_opts *o)
{
  return o && (o->noise || o->stretch || o->pitch || o->speed || o->gain || o->channel);
}

tr_augment_params tr_augment_draw(const tr_augment_opts *o, uint64_t key,
                                    uint32_t variant)
{
  uint64_t mix[3] = { o->seed, key, variant };
  tr_rng r;
  tr_rng_seed(&r, tr_fnv1a64(TR_FNV_OFFSET, mix, sizeof mix));
  /* Always draw all four, so switching one on or off leaves the others. */
  double snr = tr_rng_range(&r, o->snr_min, o->snr_max);
  /* Rates are drawn uniformly in log: 0.8..1.25 is symmetric about 1. */
  double rate = exp(tr_rng_range(&r, log(o->rate_min), log(o->rate_max)));
  double semi = tr_rng_range(&r, o->semi_min, o->semi_max);
  uint64_t noise_seed = tr_rng_next(&r);
  int coin = tr_rng_next(&r) >> 63;
  /* drawn after the older ones, so that those stay the same */
  double speed = exp(tr_rng_range(&r, log(o->speed_min), log(o->speed_max)));
  double gain = tr_rng_range(&r, o->gain_min, o->gain_max);
  int channel = 1 + (int)tr_rng_below(&r, 3);
  int babble = o->noise && (o->noise_kind == TR_NOISE_BABBLE ||
                            (o->noise_kind == TR_NOISE_MIXED && coin));
  tr_augment_params p;
  memset(&p, 0, sizeof p);   /* padding too: callers compare and hash these */
  p.snr_db = o->noise ? snr : 0;
  p.rate = o->stretch ? rate : 1;
  p.semitones = o->pitch ? semi : 0;
  p.noise_seed = noise_seed;
  p.babble = babble;
  p.speed = o->speed ? speed : 1;
  p.gain_db = o->gain ? gain : 0;
  p.channel = o->channel ? channel : TR_CH_NONE;
  return p;
}

/* Lag in [-tol, tol] (multiples of step) where x around `cand` best matches
 * the natural continuation `ref`, correlating every step-th sample. */
static long best_lag(const float *x, size_t n, long ref, long cand, long len,
                     long tol, long step, long lo, long hi)
{
  double best = -INFINITY;
  long arg = 0;
  for (long d = lo; d <= hi; d += step) {
    if (d < -tol || d > tol)
      continue;
    double c = 0;
    for (long i = 0; i < len; i += step)
      c += (double)tr_sample_at(x, n, ref + i) * tr_sample_at(x, n, cand + d + i);
    if (c > best)
      best = c, arg = d;
  }
  return arg;
}

/* WSOLA: Hann frames of 40 ms at 50% overlap; each frame is taken near its
 * nominal input position, shifted by up to 10 ms to continue the previous
 * frame's waveform, so periodicities (pitch) are kept. */
static int wsola(const float *x, size_t n, double rate, double sr, size_t n_out,
                 float *y)
{
  long half = (long)(0.020 * sr), len = 2 * half, hop = half;
  long tol = (long)(0.010 * sr), step = sr > 24000 ? (long)(sr / 16000) : 1;
  float *w = malloc((size_t)len * sizeof *w);
  float *wsum = calloc(n_out + 1, sizeof *wsum);
  if (!w || !wsum || half < 2) {
    free(w);
    free(wsum);
    return -1;
  }
  for (long i = 0; i < len; i++)
    w[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)len));
  memset(y, 0, n_out * sizeof *y);
  long prev = -half; /* input start of the previous frame */
  for (long k = 0; k * hop - half < (long)n_out; k++) {
    long start = (long)llround((double)(k * hop) * rate) - half;
    if (k > 0) {
      long ref = prev + hop, d = best_lag(x, n, ref, start, len, tol, step, -tol, tol);
      if (step > 1)
        d = best_lag(x, n, ref, start, len, tol, 1, d - step, d + step);
      start += d;
    }
    prev = start;
    for (long i = 0; i < len; i++) {
      long o = k * hop - half + i;
      if (o >= 0 && o < (long)n_out) {
        y[o] += w[i] * tr_sample_at(x, n, start + i);
        wsum[o] += w[i];
      }
    }
  }
  for (size_t i = 0; i < n_out; i++)
    if (wsum[i] > 1e-3f)
      y[i] /= wsum[i];
  free(w);
  free(wsum);
  return 0;
}

int tr_time_stretch(const float *x, size_t n, double rate, double sr,
                     float **out, size_t *n_out)
{
  *out = NULL;
  *n_out = 0;
  if (!(rate > 0.1 && rate < 10) || !(sr >= 1000))
    return -1;
  size_t m = (size_t)llround((double)n / rate);
  float *y = malloc((m + 1) * sizeof *y);
  if (!y || wsola(x, n, rate, sr, m, y) < 0) {
    free(y);
    return -1;
  }
  *out = y;
  *n_out = m;
  return 0;
}

/* Stretch to n_final * f, then read it back f times faster: tempo 1/rate,
 * pitch times f = 2^(semitones/12). */
static int stretch_and_shift(const float *x, size_t n, double rate,
                             double semitones, double sr, float **out, size_t *n_out)
{
  double f = pow(2.0, semitones / 12.0);
  size_t m = (size_t)llround((double)n / rate);
  float *s, *y = malloc((m + 1) * sizeof *y);
  size_t ns;
  if (!y || tr_time_stretch(x, n, rate / f, sr, &s, &ns) < 0) {
    free(y);
    return -1;
  }
  tr_resample_to(s, ns, y, m);
  free(s);
  *out = y;
  *n_out = m;
  return 0;
}

int tr_pitch_shift(const float *x, size_t n, double semitones, double sr,
                    float **out, size_t *n_out)
{
  return stretch_and_shift(x, n, 1.0, semitones, sr, out, n_out);
}

int tr_augment_apply(const tr_augment_params *p, const float *x, size_t n,
                      double rate, float **out, size_t *n_out)
{
  int rc;
  if (p->semitones != 0)
    rc = stretch_and_shift(x, n, p->rate, p->semitones, rate, out, n_out);
  else if (p->rate != 1)
    rc = tr_time_stretch(x, n, p->rate, rate, out, n_out);
  else if ((*out = malloc((n + 1) * sizeof **out)) != NULL)
    rc = 0, memcpy(*out, x, n * sizeof *x), *n_out = n;
  else
    rc = -1;
  if (rc == 0 && p->speed != 1) {   /* played faster: every frequency up */
    float *sp;
    size_t n_sp;
    rc = tr_resample_signal(*out, *n_out, rate * p->speed, rate, &sp, &n_sp);
    free(*out);
    *out = rc == 0 ? sp : NULL;
    *n_out = rc == 0 ? n_sp : 0;
  }
  if (rc == 0 && p->channel != TR_CH_NONE)
    tr_apply_channel(p->channel, *out, *n_out, rate);
  if (rc == 0 && p->snr_db != 0)
    tr_add_noise_kind(p->babble, *out, *n_out, p->snr_db, p->noise_seed, rate);
  if (rc == 0 && p->gain_db != 0) {
    float g = (float)pow(10.0, p->gain_db / 20.0);
    for (size_t i = 0; i < *n_out; i++)
      (*out)[i] *= g;
  }
  return rc;
}

/* One biquad section run in place (direct form I, double state). */
static void biquad(float *x, size_t n, double b0, double b1, double b2, double a0,
                   double a1, double a2)
{
  double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  b0 /= a0, b1 /= a0, b2 /= a0, a1 /= a0, a2 /= a0;
  for (size_t i = 0; i < n; i++) {
    double y = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1, x1 = x[i], y2 = y1, y1 = y;
    x[i] = (float)y;
  }
}

/* RBJ cookbook: 2nd-order Butterworth high- or low-pass at fc. */
static void pass(float *x, size_t n, double fc, double sr, int high)
{
  double w = 2 * M_PI * fc / sr, c = cos(w), al = sin(w) / (2 * M_SQRT1_2);
  double b1 = high ? -(1 + c) : 1 - c, b0 = high ? (1 + c) / 2 : (1 - c) / 2;
  biquad(x, n, b0, b1, b0, 1 + al, -2 * c, 1 - al);
}

/* RBJ cookbook high shelf at fc, gain_db, slope 1. */
static void high_shelf(float *x, size_t n, double fc, double gain_db, double sr)
{
  double A = pow(10.0, gain_db / 40.0), w = 2 * M_PI * fc / sr, c = cos(w);
  double al = sin(w) / 2 * M_SQRT2, sa = 2 * sqrt(A) * al;
  biquad(x, n, A * ((A + 1) + (A - 1) * c + sa), -2 * A * ((A - 1) + (A + 1) * c),
         A * ((A + 1) + (A - 1) * c - sa), (A + 1) - (A - 1) * c + sa,
         2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - sa);
}

void tr_apply_channel(int c, float *x, size_t n, double sr)
{
  if (c == TR_CH_PHONE) {
    pass(x, n, 300.0, sr, 1);
    if (3400.0 < sr / 2)
      pass(x, n, 3400.0, sr, 0);
  } else if (c == TR_CH_DARK || c == TR_CH_BRIGHT) {
    high_shelf(x, n, 2000.0, c == TR_CH_DARK ? -6.0 : 6.0, sr);
  }
}
