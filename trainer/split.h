/* split.h: which clips train, validate and test.
 *
 * Speaker-independent by default: no speaker has clips on two sides.
 *  EVX_SPLIT_SPEAKERS  seeded rule: within each corpus, its speakers (sorted,
 *                      then shuffled by the seed) give round(test_frac * n)
 *                      (at least 1 when the corpus has >= 2 speakers) to test
 *                      and round(val_frac * n) to validation, leaving at least
 *                      one to train.
 *  EVX_SPLIT_LIST      explicit comma-separated test_speakers (and optional
 *                      val_speakers); the rest train. Unknown names: error.
 *                      Without val_speakers, validation takes val_frac of
 *                      each corpus's other speakers as EVX_SPLIT_SPEAKERS
 *                      does (val_frac 0: no validation side).
 *  EVX_SPLIT_FOLD      leave-speakers-out fold `fold` of `folds`: each
 *                      corpus's shuffled speakers are dealt round robin to the
 *                      k folds, so over fold = 0..k-1 every speaker is test
 *                      exactly once; validation speakers are then taken from
 *                      the rest as in EVX_SPLIT_SPEAKERS (val_frac).
 *  EVX_SPLIT_RANDOM    clips shuffled regardless of speaker (only behind an
 *                      explicit flag): the result has random = 1 and reports
 *                      must print evx_split_warning().
 * Deterministic given the clips and the options. Non-RT. */
#ifndef EVX_SPLIT_H
#define EVX_SPLIT_H

#include "corpus.h"
#include <stddef.h>
#include <stdint.h>

enum evx_side { EVX_TRAIN = 0, EVX_VAL = 1, EVX_TEST = 2, EVX_N_SIDES = 3 };

enum evx_split_mode {
  EVX_SPLIT_SPEAKERS = 0,
  EVX_SPLIT_LIST,
  EVX_SPLIT_FOLD,
  EVX_SPLIT_RANDOM
};

typedef struct {
  int mode;                   /* enum evx_split_mode */
  uint64_t seed;
  double test_frac;           /* default 0.2 (of speakers; RANDOM: of clips) */
  double val_frac;            /* default 0.1 */
  const char *test_speakers;  /* LIST: "ravdess-17,ravdess-18" */
  const char *val_speakers;   /* LIST: optional */
  int folds, fold;            /* FOLD: k >= 2, 0 <= fold < k */
} evx_split_opts;

/* The defaults above (mode SPEAKERS, seed 1). */
evx_split_opts evx_split_defaults(void);

typedef struct {
  size_t n;                    /* = clips */
  unsigned char *side;         /* per clip: enum evx_side */
  int random;                  /* 1: speakers overlap between sides */
  size_t clips[EVX_N_SIDES];   /* clips per side */
  size_t speakers[EVX_N_SIDES];/* distinct speakers per side */
} evx_split;

/* 0, or -1 with a message in err. */
int evx_split_make(const evx_cliplist *cl, const evx_split_opts *o,
                   evx_split *sp, char *err, size_t errlen);
void evx_split_free(evx_split *sp);

/* "random split: speakers overlap" when sp->random, else NULL. */
const char *evx_split_warning(const evx_split *sp);

/* "train", "val", "test". */
const char *evx_side_name(int side);

#endif
