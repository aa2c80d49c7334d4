/* split.h: which clips train, validate and test.
 *
 * Speaker-independent by default: no speaker has clips on two sides.
 *  TR_SPLIT_SPEAKERS  seeded rule: within each corpus, its speakers (sorted,
 *                      then shuffled by the seed) give round(test_frac * n)
 *                      (at least 1 when the corpus has >= 2 speakers) to test
 *                      and round(val_frac * n) to validation, leaving at least
 *                      one to train.
 *  TR_SPLIT_LIST      explicit comma-separated test_speakers (and optional
 *                      val_speakers); the rest train. Unknown names: error.
 *                      Without val_speakers, validation takes val_frac of
 *                      each corpus's other speakers as TR_SPLIT_SPEAKERS
 *                      does (val_frac 0: no validation side).
 *  TR_SPLIT_FOLD      leave-speakers-out fold `fold` of `folds`: each
 *                      corpus's shuffled speakers are dealt round robin to the
 *                      k folds, so over fold = 0..k-1 every speaker is test
 *                      exactly once; validation speakers are then taken from
 *                      the rest as in TR_SPLIT_SPEAKERS (val_frac).
 *  TR_SPLIT_RANDOM    clips shuffled regardless of speaker (only behind an
 *                      explicit flag): the result has random = 1 and reports
 *                      must print tr_split_warning().
 * Deterministic given the clips and the options. Non-RT. */
#ifndef TR_SPLIT_H
#define TR_SPLIT_H

#include "corpus.h"
#include <stddef.h>
#include <stdint.h>

enum tr_side { TR_TRAIN = 0, TR_VAL = 1, TR_TEST = 2, TR_N_SIDES = 3 };

enum tr_split_mode {
  TR_SPLIT_SPEAKERS = 0,
  TR_SPLIT_LIST,
  TR_SPLIT_FOLD,
  TR_SPLIT_RANDOM
};

typedef struct {
  int mode;                   /* enum tr_split_mode */
  uint64_t seed;
  double test_frac;           /* default 0.2 (of speakers; RANDOM: of clips) */
  double val_frac;            /* default 0.1 */
  const char *test_speakers;  /* LIST: "ravdess-17,ravdess-18" */
  const char *val_speakers;   /* LIST: optional */
  int folds, fold;            /* FOLD: k >= 2, 0 <= fold < k */
} tr_split_opts;

/* The defaults above (mode SPEAKERS, seed 1). */
tr_split_opts tr_split_defaults(void);

typedef struct {
  size_t n;                    /* = clips */
  unsigned char *side;         /* per clip: enum tr_side */
  int random;                  /* 1: speakers overlap between sides */
  size_t clips[TR_N_SIDES];   /* clips per side */
  size_t speakers[TR_N_SIDES];/* distinct speakers per side */
} tr_split;

/* 0, or -1 with a message in err. */
int tr_split_make(const tr_cliplist *cl, const tr_split_opts *o,
                   tr_split *sp, char *err, size_t errlen);
void tr_split_free(tr_split *sp);

/* "random split: speakers overlap" when sp->random, else NULL. */
const char *tr_split_warning(const tr_split *sp);

/* "train", "val", "test". */
const char *tr_side_name(int side);

#endif
