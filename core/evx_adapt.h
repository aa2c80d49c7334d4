/* evx_adapt.h: speaker adaptation by running normalisation of the network
 * input (bundle format v2).
 *
 * Much of what separates one speaker's "angry" from another's "calm" in the
 * summary features is the voice itself (pitch range, timbre, loudness). A
 * model trained on inputs z-normalised per speaker, and fed inputs that are
 * z-normalised by the statistics of the voice it is hearing, generalises far
 * better to new speakers (models/MODEL_CARD.md gives the figures).
 *
 * The stream's statistics start at the population's (the mean of the
 * training speakers' means and variances) with the weight of `prior`
 * windows, and follow the voiced windows heard since: a running mean and
 * variance whose count is capped at `memory` windows, so that older windows
 * fade and a change of speaker is followed. Each window is normalised as
 *   x' = (x - mean) / sqrt(var + EVX_ADAPT_EPS)
 * before the model's own input normalisation (evx_norm).
 *
 * Frame mode (frames > 1, the EVX_INPUT_FRAMES input): the input is a
 * matrix of len features x `frames` frames, feature-major, and the
 * statistics are per feature, over frames. A window joins them as a batch:
 * its voiced frames' mean and variance (voiced: row EVX_F_RMS, rms in dB,
 * within EVX_VOICED_RANGE_DB of the window's loudest frame and above
 * EVX_VOICED_FLOOR; non-finite values, the padding of a short window, are
 * left out), weighing one window like a vector-mode window. Every frame is
 * normalised by its feature's statistics; padding stays non-finite (the
 * network reads it as 0: evx_net_begin).
 *
 * Every function here is RT-safe: no allocation, O(len x frames) work at
 * most. */
#ifndef EVX_ADAPT_H
#define EVX_ADAPT_H

#include <stdint.h>

#define EVX_ADAPT_MAX 512u   /* longest input that can be adapted (floats) */
#define EVX_ADAPT_EPS 1e-6f

/* Part of a model (evx_nn.h); len = 0: no adaptation. */
typedef struct {
  uint32_t len;              /* = the flat input size (1..EVX_ADAPT_MAX) */
  float prior;               /* weight of the population statistics, windows (>= 1) */
  float memory;              /* cap on the count, windows (>= prior) */
  const float *mean, *var;   /* population statistics, len each */
  uint32_t frames;           /* 0 or 1: vector mode; > 1: frame mode, the
                                input is len x frames (set from the model's
                                input shape, not stored in the bundle) */
} evx_adapt;

/* Frame mode: the voiced frames' mean and population variance of each of
 * the len features of one window x (len x frames); returns how many frames
 * were voiced (0: mean and var untouched). Used by update and the trainer. */
uint32_t evx_adapt_window_stats(const evx_adapt *a, const float *x, float *mean, float *var);

/* One stream's statistics (caller-owned; no pointers inside). */
typedef struct {
  double n;
  float mean[EVX_ADAPT_MAX], var[EVX_ADAPT_MAX];
} evx_adapt_state;

/* Back to the population statistics (a new speaker, or no history). */
void evx_adapt_reset(evx_adapt_state *s, const evx_adapt *a);
/* Take in one window x (len floats; non-finite values are ignored). */
void evx_adapt_update(evx_adapt_state *s, const evx_adapt *a, const float *x);
/* Normalise x (len floats) in place by the current statistics. */
void evx_adapt_apply(const evx_adapt_state *s, const evx_adapt *a, float *x);

/* The same work in pieces, for a caller that spreads one window over
 * several audio callbacks (evx_engine): a row is one feature (len x frames
 * values in frame mode, one value in vector mode).
 *   update = gate, row_stats for every row, update_batch (frame mode only);
 *   apply  = apply_rows over [0, rows). */
int evx_adapt_frame_mode(const evx_adapt *a);
uint32_t evx_adapt_rows(const evx_adapt *a);
/* The voiced-frame gate of window x in dB; NaN: no voiced frame, the
 * window must not be learned. */
float evx_adapt_gate(const evx_adapt *a, const float *x);
/* mean[f] and var[f] of row f over the frames at or above gate. */
void evx_adapt_row_stats(const evx_adapt *a, const float *x, float gate, uint32_t f,
                         float *mean, float *var);
/* Take in one window given as its rows' means and variances. */
void evx_adapt_update_batch(evx_adapt_state *s, const evx_adapt *a, const float *bm,
                            const float *bv);
/* Normalise rows f0..f1-1 of x in place. */
void evx_adapt_apply_rows(const evx_adapt_state *s, const evx_adapt *a, float *x,
                          uint32_t f0, uint32_t f1);

#endif
