/* signal_blocks.c: noise and whole-signal resampling (signal_blocks.h). */
#include "signal_blocks.h"
#include "learn/rng.h"
#include <math.h>
#include <stdlib.h>

static double mean_power(const float *x, size_t n)
{
  double power = 0;
  for (size_t i = 0; i < n; i++)
    power += (double)x[i] * x[i];
  return n ? power / (double)n : 0;
}

void tr_add_noise(float *x, size_t n, double snr_db, uint64_t seed)
{
  double power = mean_power(x, n);
  if (power == 0)
    return;
  double sigma = sqrt(power / pow(10.0, snr_db / 10.0));
  tr_rng r;
  tr_rng_seed(&r, seed);
  for (size_t i = 0; i < n; i++)
    x[i] += (float)(sigma * tr_rng_gauss(&r));
}

/* One-pole low-pass coefficient for corner fc at rate sr. */
static double one_pole(double fc, double sr)
{
  return 1.0 - exp(-2.0 * M_PI * fc / sr);
}

/* Babble recipe (see augment.h). Each of TR_BABBLE_TALKERS talkers:
 *  - source: N(0, 1) white noise;
 *  - long-term average speech spectrum: one-pole high-pass at 100 Hz, then
 *    one-pole low-passes at 500 Hz and 3 kHz: flat from ~150 to 500 Hz,
 *    -6 dB/octave from 500 Hz to 3 kHz, -12 dB/octave above (about
 *    -8 dB/octave on average from 500 Hz to 8 kHz);
 *  - syllable envelope: the talker's syllable rate f is drawn in [3, 6] Hz;
 *    the time is cut into syllables of 1/f s each (length jittered by
 *    +-30%), each syllable is voiced with probability 0.7 at a level drawn
 *    in [0.3, 1] (else a pause, level 0); this gate is smoothed by a
 *    one-pole low-pass with a 20 ms time constant, run twice (attack and
 *    release ramps of ~40 ms), and starts at a random phase.
 * The talkers are summed and the sum is scaled so that its mean power is the
 * signal's mean power / 10^(snr_db/10). Every random number comes from one
 * tr_rng seeded with `seed`, in a fixed order. */
void tr_add_babble(float *x, size_t n, double snr_db, uint64_t seed, double rate)
{
  double power = mean_power(x, n);
  float *b = power > 0 && rate > 0 ? calloc(n, sizeof *b) : NULL;
  if (!b)
    return;
  tr_rng r;
  tr_rng_seed(&r, seed);
  double a_hp = one_pole(100, rate), a_lo = one_pole(500, rate);
  double a_hi = one_pole(3000, rate), a_env = 1.0 - exp(-1.0 / (0.020 * rate));
  for (int t = 0; t < TR_BABBLE_TALKERS; t++) {
    double syll = rate / tr_rng_range(&r, 3.0, 6.0); /* samples per syllable */
    double left = syll * tr_rng_uniform(&r), gate = 0, e1 = 0, e2 = 0;
    double lp_hp = 0, lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
      if ((left -= 1.0) <= 0) {   /* next syllable */
        left += syll * tr_rng_range(&r, 0.7, 1.3);
        double on = tr_rng_uniform(&r), level = tr_rng_range(&r, 0.3, 1.0);
        gate = on < 0.7 ? level : 0.0;
      }
      e1 += a_env * (gate - e1);
      e2 += a_env * (e1 - e2);
      double w = tr_rng_gauss(&r);
      lp_hp += a_hp * (w - lp_hp);
      lo += a_lo * ((w - lp_hp) - lo);
      hi += a_hi * (lo - hi);
      b[i] += (float)(e2 * hi);
    }
  }
  double pb = mean_power(b, n);
  double g = pb > 0 ? sqrt(power / pow(10.0, snr_db / 10.0) / pb) : 0;
  for (size_t i = 0; i < n; i++)
    x[i] += (float)(g * b[i]);
  free(b);
}

void tr_add_noise_kind(int babble, float *x, size_t n, double snr_db, uint64_t seed,
                        double rate)
{
  if (babble)
    tr_add_babble(x, n, snr_db, seed, rate);
  else
    tr_add_noise(x, n, snr_db, seed);
}

/* Hann-windowed sinc, 16 zero crossings a side, cutoff lowered when
 * shrinking to avoid aliasing. */
void tr_resample_to(const float *x, size_t n, float *y, size_t m)
{
  double ratio = (double)n / (double)m, cut = ratio > 1 ? 1 / ratio : 1;
  double half = 16 / cut;
  /* sin(pi u) and the window's cosine advance by fixed angles from one tap
   * to the next: rotated, not recomputed (two sin/cos pairs per output
   * sample instead of two per tap) */
  const double ds = -M_PI * cut, dw = -M_PI / half;
  const double cds = cos(ds), sds = sin(ds), cdw = cos(dw), sdw = sin(dw);
  for (size_t j = 0; j < m; j++) {
    double t = (double)j * ratio, acc = 0;
    long k0 = (long)ceil(t - half), k1 = (long)floor(t + half);
    double a = M_PI * (t - (double)k0) * cut, b = M_PI * (t - (double)k0) / half;
    double sa = sin(a), ca = cos(a), sb = sin(b), cb = cos(b);
    for (long k = k0; k <= k1; k++) {
      double u = (t - (double)k) * cut, s = u == 0 ? 1 : sa / (M_PI * u);
      acc += tr_sample_at(x, n, k) * s * (0.5 + 0.5 * cb);
      double sa1 = sa * cds + ca * sds, sb1 = sb * cdw + cb * sdw;
      ca = ca * cds - sa * sds, cb = cb * cdw - sb * sdw;
      sa = sa1, sb = sb1;
    }
    y[j] = (float)(acc * cut);
  }
}

int tr_resample_signal(const float *x, size_t n, double from, double to,
                        float **out, size_t *n_out)
{
  *out = NULL;
  *n_out = 0;
  if (!(from > 0) || !(to > 0))
    return -1;
  size_t m = (size_t)llround((double)n * to / from);
  float *y = malloc((m + 1) * sizeof *y);
  if (!y)
    return -1;
  tr_resample_to(x, n, y, m);
  *out = y;
  *n_out = m;
  return 0;
}
