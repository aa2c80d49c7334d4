/* degrade.h: degradations `emovox eval` applies to every clip before feature
 * extraction, to measure how accuracy changes with noise and codecs.
 *
 *  noise  white (tr_add_noise) or babble (tr_add_babble) at an SNR in dB
 *         against the clip's mean power;
 *  codec  an encode/decode round trip through libsndfile, in memory
 *         (sf_open_virtual): Ogg/Opus at KBPS, MPEG Layer III at KBPS
 *         (constant bitrate), Ogg/Vorbis at QUALITY 0..1.
 * Noise comes first, then the codec (a noisy recording, then transmitted),
 * then a level change (gain), on every clip or on about half of them.
 * Deterministic: the noise seed is drawn from (seed, hash of the clip's path);
 * the codecs are deterministic given their input. Non-RT (allocates).
 *
 * Rates: Opus takes 8/12/16/24/48 kHz and LAME 8/11.025/12/16/22.05/24/32/
 * 44.1/48 kHz; a clip at any other rate is first resampled to 16 kHz (the
 * extractor's rate) and comes back at 16 kHz. Vorbis takes any rate. */
#ifndef TR_DEGRADE_H
#define TR_DEGRADE_H

#include "signal_blocks.h"
#include <stddef.h>
#include <stdint.h>

enum { TR_CODEC_NONE, TR_CODEC_OPUS, TR_CODEC_MP3, TR_CODEC_VORBIS };

typedef struct {
  int noise;          /* TR_NOISE_NONE, _WHITE or _BABBLE (signal_blocks.h) */
  double snr_db;
  int codec;          /* TR_CODEC_* */
  double codec_value; /* kbps (opus, mp3) or quality 0..1 (vorbis) */
  double gain_db;     /* level change, applied last (0: none) */
  int gain_half;      /* 1: the gain only on the clips whose path hash is
                         odd (about half: one voice's clips at two levels) */
  uint64_t seed;
} tr_degrade_opts;

/* Help text of the eval options (--noise, --snr, --codec, --seed). */
extern const char tr_degrade_help[];

/* Parse "white"/"babble" and "opus:KBPS"/"mp3:KBPS"/"vorbis:QUALITY" into o.
 * 0, or -1 with a message in err. Codec values are range-checked here; MP3
 * needs this libsndfile to write MPEG Layer III (checked here too). */
int tr_degrade_parse_noise(tr_degrade_opts *o, const char *kind, char *err, size_t errlen);
int tr_degrade_parse_codec(tr_degrade_opts *o, const char *spec, char *err, size_t errlen);

/* 1 if o is non-NULL and does anything. */
int tr_degrade_enabled(const tr_degrade_opts *o);

/* "babble noise at 10 dB SNR, then opus at 16 kbps" or "none". */
void tr_degrade_describe(const tr_degrade_opts *o, char *buf, size_t len);
/* The same as a JSON object ("null" when not enabled). */
void tr_degrade_json(const tr_degrade_opts *o, char *buf, size_t len);

/* Continue FNV-1a hash h with everything the degraded signal of the clip at
 * path depends on (nothing when o is not enabled): for cache keys. */
uint64_t tr_degrade_key(const tr_degrade_opts *o, const char *path, uint64_t h);

/* Degrade x (n samples at rate Hz) of the clip at path: *out is malloc'd,
 * *n_out samples at *out_rate Hz. 0, or -1 with a message in err. */
int tr_degrade_apply(const tr_degrade_opts *o, const char *path, const float *x,
                      size_t n, double rate, float **out, size_t *n_out,
                      double *out_rate, char *err, size_t errlen);

/* The codec alone: encode x to *bytes (malloc'd, *n_bytes; NULL to skip)
 * and decode it back to *out (NULL to skip; *n_out samples at *out_rate,
 * aligned with x and cut or zero-padded to x's duration). codec/value as in
 * tr_degrade_opts. 0, or -1 with a message in err. */
int tr_codec_roundtrip(int codec, double value, const float *x, size_t n, double rate,
                        unsigned char **bytes, size_t *n_bytes, float **out,
                        size_t *n_out, double *out_rate, char *err, size_t errlen);

#endif
