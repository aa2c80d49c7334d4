/* dataset_adapt.h: a dataset's rows as speaker adaptation hears them
 * (learn/speaker_adapt.h): a stream per speaker and variant, a run per clip
 * variant. Non-RT. */
#ifndef TR_DATASET_ADAPT_H
#define TR_DATASET_ADAPT_H

#include "corpus.h"
#include "dataset.h"
#include "learn/speaker_adapt.h"

/* The streams and clip runs of ds's rows (s points into nothing of ds; free
 * with tr_streams_free). 0, or -1 when out of memory. */
int tr_dataset_streams(const tr_dataset *ds, const tr_cliplist *cl, tl_streams *s);
void tr_streams_free(tl_streams *s);

/* tl_adapt_replay over ds's rows, in place. 0, or -1 when out of memory. */
int tr_adapt_replay(const evx_adapt *a, enum tl_adapt_mode mode, uint64_t seed,
                    const tr_cliplist *cl, tr_dataset *ds);

#endif
