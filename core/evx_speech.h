/* evx_speech.h: is there speech to judge? A small detector that looks at the
 * feature frames the engine already computes (10 ms hop at 16 kHz) and says,
 * for the last second, whether it sounded like a voice talking rather than a
 * tone, hum, noise, music or clicks.
 *
 * Per frame: its level, its periodicity (normalised autocorrelation peak for
 * an F0 of 80..400 Hz, on the frame decimated to 8 kHz), its F0 and how much
 * of its power lies in the speech band (280 Hz..4.1 kHz, from the mel bands).
 * Over the last EVX_SPEECH_CONTEXT frames, speech needs all three of:
 *   - voiced frames: periodic, loud enough and with speech-band power;
 *   - intonation: from one voiced frame to the next, F0 glides (a few tenths
 *     of a percent to a few percent), as a voice does and a synthesiser,
 *     a tone, a hum or a held chord does not;
 *   - syllables: the frame level moves by several dB over the second
 *     (steady noise and tones do not).
 * Noise has no voiced frames, clicks and drums have no periodic frames with
 * speech-band power and gliding F0, tones and chords do not glide.
 *
 * Memory is the caller's (the struct is public so that it can be embedded).
 * evx_speech_frame and evx_speech_decide are real-time safe: no allocation,
 * lock, I/O or syscall; a frame costs about 10^4 multiply-adds, a decision
 * one pass over the context. Block-size independent: it sees only frames. */
#ifndef EVX_SPEECH_H
#define EVX_SPEECH_H

#include <stdint.h>

#define EVX_SPEECH_CONTEXT 100u   /* frames looked at by a decision (1 s) */

typedef struct {
  float db;        /* frame level, dBFS (rms) */
  float f0;        /* log2 of F0 in Hz (voiced frames) */
  uint8_t voiced;  /* periodic with speech-band power */
} evx_speech_frame_info;

typedef struct {
  evx_speech_frame_info ring[EVX_SPEECH_CONTEXT];
  uint32_t pos, filled;
} evx_speech;

/* What a decision looked at (tests, tuning, `emovox analyze`). */
typedef struct {
  uint32_t voiced;   /* voiced frames above the floor in the context */
  uint32_t pairs;    /* consecutive voiced pairs */
  uint32_t gliding;  /* ... whose F0 moved as a voice's does */
  float spread_db;   /* level spread over the context (std, dB) */
  int speech;        /* the decision */
} evx_speech_measures;

void evx_speech_reset(evx_speech *s);

/* One feature frame: x its EVX_FRAME samples at 16 kHz (finite), f its
 * EVX_NFEAT features. RT-safe. */
void evx_speech_frame(evx_speech *s, const float *x, const float *f);

/* Speech in the last second? Frames below floor_db (dBFS) count as silence.
 * m may be NULL. RT-safe. */
int evx_speech_decide(const evx_speech *s, float floor_db, evx_speech_measures *m);

#endif
