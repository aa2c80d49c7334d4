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
 * most (a step: O(frames) per unit). */
#ifndef EVX_ADAPT_H
#define EVX_ADAPT_H

#include "evx_nn_input.h"

#include <stdint.h>

#define EVX_ADAPT_MAX 512u   /* longest input that can be adapted (floats) */
#define EVX_ADAPT_EPS 1e-6f

/* Part of a model (evx_nn_model.h); len = 0: no adaptation. */
typedef struct {
  uint32_t len;              /* = the flat input size (1..EVX_ADAPT_MAX) */
  float prior;               /* weight of the population statistics, windows (>= 1) */
  float memory;              /* cap on the count, windows (>= prior) */
  const float *mean, *var;   /* population statistics [len] each */
  uint32_t frames;           /* 0 or 1: vector mode; > 1: frame mode, the
                                input is len x frames (set from the model's
                                input shape, not stored in the bundle) */
} evx_adapt;

/* Frame mode: the voiced frames' mean and population variance of each of
 * the len features of one window x (len x frames); returns how many frames
 * were voiced (0: mean and var untouched). Used by update and the trainer. */
uint32_t evx_adapt_window_stats(const evx_adapt *a, const float *x, float *mean, float *var);

/* Frames per statistic for a model of configuration cfg: the window for
 * EVX_INPUT_FRAMES (frame mode), else 1. */
uint32_t evx_adapt_frames(const evx_feature_config *cfg);

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

/* The same work spread over audio callbacks (evx_engine), shaped like the
 * input job (evx_input_begin / evx_input_step) and the network's
 * begin/step. A unit is one row of the input (a feature over the window's
 * frames in frame mode). Frame mode: when the window is learned, one unit
 * finds its voiced-frame gate and one per row takes that row's statistics
 * (the last one takes the window into the voice's statistics); then one unit
 * per row normalises it. Vector mode: a single unit learns and normalises.
 * Normalising reads a snapshot of the voice's statistics (or the
 * population's, `cold`) taken at its first unit, so that a voice change or
 * reset between two steps cannot normalise half a window one way and half
 * the other. The job holds that snapshot: no pointers into the caller's
 * statistics. */
typedef struct {
  const evx_adapt *a;
  float *x;                  /* the window's input, normalised in place */
  uint32_t next, units, learn_units;
  int learn;                 /* the window joins the voice's statistics */
  int cold;                  /* normalise by the population's statistics */
  float gate;                /* frame mode: voiced-frame gate (dB); NaN: none */
  float bm[EVX_ADAPT_MAX], bv[EVX_ADAPT_MAX]; /* the window's row statistics */
  evx_adapt_state snap;      /* the statistics the window is normalised by */
} evx_adapt_job;

/* Units of one window's adaptation, learned (learn) or not; 0 without
 * adaptation (len 0). */
uint32_t evx_adapt_units(const evx_adapt *a, int learn);
/* Values one unit reads: the frames of a row in frame mode; 0 in vector
 * mode (a few hundred values in all, not worth charging). */
uint32_t evx_adapt_unit_values(const evx_adapt *a);
/* Start on window x (the model's input, len x frames floats): learn it or
 * not, normalise by the voice's or the population's (cold) statistics.
 * The layout of units is fixed here. x must stay in place until done. */
void evx_adapt_begin(evx_adapt_job *j, const evx_adapt *a, float *x, int learn, int cold);
/* Do at most max_units (at least one) units with voice, the statistics of
 * the voice heard now (NULL only when a has no adaptation); returns 1 once
 * the window is normalised. Bit-identical to update then apply. */
int evx_adapt_step(evx_adapt_job *j, evx_adapt_state *voice, uint32_t max_units);
/* The window's voice has ended: it is still normalised, no longer learned. */
void evx_adapt_stop_learning(evx_adapt_job *j);

#endif
