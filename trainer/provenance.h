/* provenance.h: the record a bundle keeps of how it was made (bundle v4,
 * docs/bundle-format.md): "key: value" lines written by `emovox train` and
 * `emovox fuse`, shown by `emovox info`, read by `emovox eval` to warn when
 * it scores clips of speakers the bundle was trained on. Non-RT. */
#ifndef TR_PROVENANCE_H
#define TR_PROVENANCE_H

#include "corpus.h"
#include "split.h"
#include <stdint.h>

/* emovox's version and source revision, e.g. "0.1.0 (a1b2c3d)". */
const char *tr_revision(void);

/* train's record: its command line, revision, seed, each --data, clips and
 * speakers per corpus, the split and the speakers of each side. malloc'd
 * (NULL when out of memory); at most EVX_MAX_PROVENANCE bytes (long speaker
 * lists are cut with "..."). */
char *tr_provenance_train(int argc, char **argv, const char *const *data, int n_data,
                           const tr_cliplist *cl, const tr_split *sp, uint64_t seed);

/* fuse's record: its command line and revision, then each input's own
 * record (or "none") indented under "input K: PATH". malloc'd or NULL. */
char *tr_provenance_fuse(int argc, char **argv, const char *const *inputs,
                          const char *const *records, int n);

/* Whether speaker appears in a train-speakers or val-speakers line of text
 * (any indentation: a fused bundle's inputs count too). */
int tr_provenance_trained_on(const char *text, const char *speaker);

#endif
