/* votes.h: CREMA-D's crowd ratings as a training filter.
 *
 * CREMA-D's summaryTable.csv (beside its clips) gives, for each clip, the
 * emotion(s) most raters heard from the voice alone (VoiceVote: letters
 * A D F H N S, ties joined by ':'). Raters recognised the intended emotion
 * from the voice only about 41% of the time, so many clips do not sound
 * like their label. tr_votes_keep_agreeing() drops the training-side
 * CREMA-D clips whose vote does not include their label; validation and
 * test clips are never touched. Non-RT. */
#ifndef TR_VOTES_H
#define TR_VOTES_H

#include "corpus.h"
#include "split.h"

/* Drops (from cl and sp together) every TR_TRAIN clip of corpus "cremad"
 * whose VoiceVote disagrees with its label; *dropped and *kept count the
 * training CREMA-D clips. A CREMA-D clip with no row in the table of its
 * folder is kept. 0, or -1 with a message in err (table missing or
 * unreadable, out of memory). */
int tr_votes_keep_agreeing(tr_cliplist *cl, tr_split *sp, size_t *dropped,
                            size_t *kept, char *err, size_t errlen);

#endif
