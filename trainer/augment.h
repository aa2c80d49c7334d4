/* augment.h: waveform augmentation for training, deterministic given a seed.
 *  noise   white Gaussian noise at an SNR (dB) drawn from [snr_min, snr_max]
 *  stretch time stretch without pitch change (WSOLA), rate drawn from
 *          [rate_min, rate_max]; rate > 1 is faster: n_out = n / rate
 *  pitch   pitch shift without tempo change (stretch, then resample back to
 *          the original length), semitones drawn from [semi_min, semi_max]
 *  speed   speed change (resampling: pitch, formants and tempo together, a
 *          shorter or longer vocal tract and a faster or slower talker),
 *          factor drawn from [speed_min, speed_max] (log-uniform)
 *  gain    a level change in dB drawn from [gain_min, gain_max]
 *  channel one of three channels drawn with equal odds: a telephone band
 *          (300-3400 Hz, 2nd-order high- and low-pass), a darker or a
 *          brighter microphone (+-6 dB high shelf at 2 kHz)
 * Works at the signal's own rate. Non-RT (allocates). */
#ifndef TR_AUGMENT_H
#define TR_AUGMENT_H

#include "signal_blocks.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
  int noise;   double snr_min, snr_max;     /* dB, e.g. 10..30 */
  int stretch; double rate_min, rate_max;   /* e.g. 0.8..1.25 */
  int pitch;   double semi_min, semi_max;   /* e.g. -2..2 */
  uint64_t seed;
  int noise_kind;  /* TR_NOISE_WHITE, _BABBLE or _MIXED (either, drawn per
                      variant with equal odds): what `noise` adds */
  int speed;   double speed_min, speed_max; /* e.g. 0.9..1.1 */
  int gain;    double gain_min, gain_max;   /* dB, e.g. -30..6 */
  int channel;                              /* 1: a channel per variant */
} tr_augment_opts;

/* All off; ranges set to the examples above; seed 1. */
tr_augment_opts tr_augment_defaults(void);

/* 1 if any augmentation is on. */
int tr_augment_enabled(const tr_augment_opts *o);

/* What one augmented variant did (drawn by tr_augment_draw). A value of
 * 0 / 1 / 0 means "not applied" for noise / stretch / pitch. */
typedef struct {
  double snr_db;     /* 0 = no noise (else the SNR) */
  double rate;       /* 1 = no stretch */
  double semitones;  /* 0 = no shift */
  uint64_t noise_seed;
  int babble;        /* 1: the noise is babble-like rather than white */
  double speed;      /* 1 = no speed change */
  double gain_db;    /* 0 = no level change */
  int channel;       /* enum tr_aug_channel */
} tr_augment_params;

enum tr_aug_channel { TR_CH_NONE = 0, TR_CH_PHONE, TR_CH_DARK, TR_CH_BRIGHT };

/* The channel c applied in place to x at rate sr (biquads, RBJ cookbook). */
void tr_apply_channel(int c, float *x, size_t n, double sr);

/* Draw the parameters of variant `variant` of the clip identified by `key`
 * (e.g. a hash of its path): depends only on (o->seed, key, variant). */
tr_augment_params tr_augment_draw(const tr_augment_opts *o, uint64_t key,
                                    uint32_t variant);

/* Apply p to x (n samples at rate Hz): stretch, then pitch, then speed,
 * then channel, then noise, then gain.
 * *out is malloc'd (*n_out samples). 0, or -1 on bad arguments / no memory. */
int tr_augment_apply(const tr_augment_params *p, const float *x, size_t n,
                      double rate, float **out, size_t *n_out);

/* The building blocks (noise and resampling: signal_blocks.h). */
int tr_time_stretch(const float *x, size_t n, double rate, double sr,
                     float **out, size_t *n_out);
int tr_pitch_shift(const float *x, size_t n, double semitones, double sr,
                    float **out, size_t *n_out);

#endif
