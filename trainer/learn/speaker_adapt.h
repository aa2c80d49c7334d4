/* speaker_adapt.h: speaker adaptation (core/evx_adapt.h) over rows.
 *
 * A "stream" is one speaker's rows of one dataset variant (an augmented
 * copy has its own noise, so its own statistics): what one plugin instance
 * would hear from one voice. The caller says which rows form a stream and a
 * clip (tl_streams; trainer/dataset_adapt.h makes them for a dataset). Training normalises each stream by its own
 * statistics; the bundle carries the population's (the mean over training
 * streams of their means and variances). Evaluation replays each stream as
 * the plugin would: clips in a shuffled (seeded) order, windows in time
 * order, each window joining the running statistics before it is scored.
 * Non-RT. */
#ifndef TR_LEARN_SPEAKER_ADAPT_H
#define TR_LEARN_SPEAKER_ADAPT_H

#include "evx_adapt.h"
#include <stddef.h>

typedef struct {
  uint32_t len;
  float prior, memory;
  float *mean, *var;         /* malloc'd, len each */
  uint32_t frames;           /* the caller's: 0/1 vector mode, > 1 frame mode
                                (rows of len features x frames: evx_adapt.h) */
} tl_adapt;

/* n rows of dim floats: row i belongs to stream stream[i] (ids 0 ..
 * n_streams - 1) and to clip run run[i] (one clip variant's windows, on
 * consecutive rows; a new run starts where the id changes). */
typedef struct {
  size_t n;
  uint32_t dim;
  const uint32_t *stream, *run;
  uint32_t n_streams;
} tl_streams;

/* Normalise each stream of the rows x (s->n x s->dim) by its own statistics,
 * in place, and set ad's population statistics from these streams
 * (ad->prior, ad->memory and ad->frames are the caller's). In frame mode a
 * stream's statistics are those of its rows' voiced frames
 * (evx_adapt_window_stats). 0, or -1 when out of memory. */
int tl_adapt_fit(tl_adapt *ad, const tl_streams *s, float *x);

/* How tl_adapt_replay plays rows through the running statistics. */
enum tl_adapt_mode {
  TL_ADAPT_COLD = 0,   /* population statistics only: a voice heard for the
                          first time */
  TL_ADAPT_STREAM = 1, /* each stream on its own, as one plugin instance per
                          voice (or a reset between voices) hears it */
  TL_ADAPT_SHARED = 2  /* every clip in one stream, speakers interleaved: one
                          instance hearing several voices with no reset (a
                          panel or podcast track) */
};

/* Replay the rows x (s->n x s->dim) through a's running statistics (the
 * plugin's behaviour), normalising them in place: each stream's clips (every
 * clip, one stream, in TL_ADAPT_SHARED) in an order shuffled by seed,
 * windows in time order. 0, or -1 when out of memory. */
int tl_adapt_replay(const evx_adapt *a, enum tl_adapt_mode mode, uint64_t seed,
                    const tl_streams *s, float *x);

evx_adapt tl_adapt_view(const tl_adapt *ad);
void tl_adapt_free(tl_adapt *ad);

#endif
