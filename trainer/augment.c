/* augment.c: noise, WSOLA time stretch, pitch shift (stretch + resample). */
#include "augment.h"
#include "featcache.h"
#include "rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

evx_augment_opts evx_augment_defaults(void)
{
  return (evx_augment_opts){ 0, 10.0, 30.0, 0, 0.8, 1.25, 0, -2.0, 2.0, 1 };
}

int evx_augment_enabled(const evx_augment_opts *o)
{
  return o && (o->noise || o->stretch || o->pitch);
}

evx_augment_params evx_augment_draw(const evx_augment_opts *o, uint64_t key,
                                    uint32_t variant)
{
  uint64_t mix[3] = { o->seed, key, variant };
  evx_rng r;
  evx_rng_seed(&r, evx_fnv1a64(EVX_FNV_OFFSET, mix, sizeof mix));
  /* Always draw all four, so switching one on or off leaves the others. */
  double snr = evx_rng_range(&r, o->snr_min, o->snr_max);
  /* Rates are drawn uniformly in log: 0.8..1.25 is symmetric about 1. */
  double rate = exp(evx_rng_range(&r, log(o->rate_min), log(o->rate_max)));
  double semi = evx_rng_range(&r, o->semi_min, o->semi_max);
  uint64_t noise_seed = evx_rng_next(&r);
  return (evx_augment_params){ o->noise ? snr : 0, o->stretch ? rate : 1,
                               o->pitch ? semi : 0, noise_seed };
}

void evx_add_noise(float *x, size_t n, double snr_db, uint64_t seed)
{
  double power = 0;
  for (size_t i = 0; i < n; i++)
    power += (double)x[i] * x[i];
  if (n == 0 || power == 0)
    return;
  double sigma = sqrt(power / (double)n / pow(10.0, snr_db / 10.0));
  evx_rng r;
  evx_rng_seed(&r, seed);
  for (size_t i = 0; i < n; i++)
    x[i] += (float)(sigma * evx_rng_gauss(&r));
}

static float at(const float *x, size_t n, long i)
{
  return i >= 0 && (size_t)i < n ? x[i] : 0.0f;
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
      c += (double)at(x, n, ref + i) * at(x, n, cand + d + i);
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
        y[o] += w[i] * at(x, n, start + i);
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

int evx_time_stretch(const float *x, size_t n, double rate, double sr,
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

/* Band-limited interpolation of x to m samples (Hann-windowed sinc, 16 zero
 * crossings a side, cutoff lowered when shrinking to avoid aliasing). */
static void resample_to(const float *x, size_t n, float *y, size_t m)
{
  double ratio = (double)n / (double)m, cut = ratio > 1 ? 1 / ratio : 1;
  double half = 16 / cut;
  for (size_t j = 0; j < m; j++) {
    double t = (double)j * ratio, acc = 0;
    long k0 = (long)ceil(t - half), k1 = (long)floor(t + half);
    for (long k = k0; k <= k1; k++) {
      double u = (t - (double)k) * cut, s = u == 0 ? 1 : sin(M_PI * u) / (M_PI * u);
      double win = 0.5 + 0.5 * cos(M_PI * (t - (double)k) / half);
      acc += at(x, n, k) * s * win;
    }
    y[j] = (float)(acc * cut);
  }
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
  if (!y || evx_time_stretch(x, n, rate / f, sr, &s, &ns) < 0) {
    free(y);
    return -1;
  }
  resample_to(s, ns, y, m);
  free(s);
  *out = y;
  *n_out = m;
  return 0;
}

int evx_pitch_shift(const float *x, size_t n, double semitones, double sr,
                    float **out, size_t *n_out)
{
  return stretch_and_shift(x, n, 1.0, semitones, sr, out, n_out);
}

int evx_augment_apply(const evx_augment_params *p, const float *x, size_t n,
                      double rate, float **out, size_t *n_out)
{
  int rc;
  if (p->semitones != 0)
    rc = stretch_and_shift(x, n, p->rate, p->semitones, rate, out, n_out);
  else if (p->rate != 1)
    rc = evx_time_stretch(x, n, p->rate, rate, out, n_out);
  else if ((*out = malloc((n + 1) * sizeof **out)) != NULL)
    rc = 0, memcpy(*out, x, n * sizeof *x), *n_out = n;
  else
    rc = -1;
  if (rc == 0 && p->snr_db != 0)
    evx_add_noise(*out, *n_out, p->snr_db, p->noise_seed);
  return rc;
}
