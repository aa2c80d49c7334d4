/* signal_blocks.h: the signal building blocks augmentation (augment.c) and
 * evaluation's degradations (degrade.c) share: noise at an SNR and
 * whole-signal resampling. Deterministic given their seeds. Non-RT. */
#ifndef TR_SIGNAL_BLOCKS_H
#define TR_SIGNAL_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* The kinds of added noise, for --noise-type (training) and --noise (eval):
 * white: tr_add_noise; babble: tr_add_babble; mixed (augmentation only):
 * either, drawn per variant. */
enum tr_noise_kind { TR_NOISE_NONE = 0, TR_NOISE_WHITE, TR_NOISE_BABBLE, TR_NOISE_MIXED };

/* Noise is added in place; SNR is measured against the
 * signal's mean power (a silent signal stays silent). */
void tr_add_noise(float *x, size_t n, double snr_db, uint64_t seed);

/* Babble-like noise, added in place at snr_db against the signal's mean
 * power (a silent signal stays silent); rate is the signal's rate in Hz.
 * Made without any recording: the sum of TR_BABBLE_TALKERS independent
 * Gaussian noises, each shaped to a long-term average speech spectrum (flat
 * to 500 Hz, then falling ~6 dB/octave, ~12 above 3 kHz) and gated on and
 * off at a random syllable rate of 3-6 Hz with smoothed ramps, so its level
 * fluctuates like a crowd of talkers. The exact recipe is in signal_blocks.c.
 * Deterministic: depends only on (n, rate, seed) and the signal's power. */
#define TR_BABBLE_TALKERS 6
void tr_add_babble(float *x, size_t n, double snr_db, uint64_t seed, double rate);

/* The one choice between the two, for augmentation (tr_augment_apply) and
 * evaluation (degrade.c) alike: babble-like noise when babble, else white. */
void tr_add_noise_kind(int babble, float *x, size_t n, double snr_db, uint64_t seed,
                        double rate);

/* Band-limited resampling of a whole signal from `from` Hz to `to` Hz
 * (windowed sinc, anti-aliased when lowering the rate); *out is malloc'd
 * with round(n * to / from) samples. 0, or -1 on bad rates / no memory. */
int tr_resample_signal(const float *x, size_t n, double from, double to,
                        float **out, size_t *n_out);

/* x[i], or 0 outside the signal. */
static inline float tr_sample_at(const float *x, size_t n, long i)
{
  return i >= 0 && (size_t)i < n ? x[i] : 0.0f;
}

/* Band-limited interpolation of x (n samples) to y (m samples). */
void tr_resample_to(const float *x, size_t n, float *y, size_t m);

#endif
