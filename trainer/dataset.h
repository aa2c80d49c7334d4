/* dataset.h: network inputs for one side of a split, ready to train on.
 *
 * For each clip on the side: frames (featcache.h: decode -> optional
 * augmentation -> optional degradation -> evx_features_of_signal) -> windows of cfg->window_frames
 * frames starting every cfg->update_frames frames (the windows the plugin
 * sees; a clip shorter than one window gives one window, padded as silence
 * by evx_build_input) -> evx_build_input -> one row of `dim` floats.
 * Rows are in clip order then window order, whatever the thread count, so
 * results are deterministic. Clips that fail to decode are skipped with a
 * warning naming them and counted. Non-RT. */
#ifndef TR_DATASET_H
#define TR_DATASET_H

#include "augment.h"
#include "corpus.h"
#include "evx_nn_input.h"
#include "featcache.h"
#include "log.h"
#include "split.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
  unsigned threads;          /* worker threads over clips; 0 = 2 */
  const char *cache_dir;     /* NULL: no feature cache */
  const tr_augment_opts *augment; /* NULL or all off: no augmented copies */
  unsigned augment_copies;   /* augmented variants per clip (added to the
                                original), only when augment is on */
  tr_log *log;              /* NULL: stderr */
  const tr_degrade_opts *degrade; /* NULL or all off: clips as they are */
} tr_dataset_opts;

typedef struct {
  size_t n;                  /* rows */
  uint32_t dim;              /* floats per row = shape.c * shape.h * shape.w */
  evx_shape shape;           /* evx_input_shape(cfg) */
  float *x;                  /* n x dim */
  int *y;                    /* n labels (enum evx_emotion) */
  uint32_t *clip;            /* n: index of the row's clip in the cliplist */
  uint32_t *variant;         /* n: 0 = original, 1.. = augmented copy */
  size_t n_clips;            /* clips that gave rows */
  size_t skipped;            /* clips that failed (decode / extraction) */
  size_t cache_hits;         /* of this build */
  size_t extractions;        /* of this build */
} tr_dataset;

/* Windows a clip of n_frames frames gives: 1 if n_frames <= W, else
 * 1 + (n_frames - W) / U. */
size_t tr_window_count(const evx_feature_config *cfg, size_t n_frames);

/* Build the rows of side `side` of sp (sp NULL: every clip). 0 on success
 * (skipped clips are not failures), -1 with a message in err. */
int tr_dataset_build(tr_dataset *ds, const tr_cliplist *cl,
                      const tr_split *sp, int side,
                      const evx_feature_config *cfg,
                      const tr_dataset_opts *o, char *err, size_t errlen);
/* Group id of every row of ds: its clip's speaker, and with by_variant also
 * its variant (an augmented copy apart from the original). Ids count from 0
 * in order of first appearance; id has ds->n entries. Returns the number of
 * groups, or -1 when out of memory. */
long tr_dataset_groups(const tr_dataset *ds, const tr_cliplist *cl, int by_variant,
                        uint32_t *id);
void tr_dataset_free(tr_dataset *ds);

#endif
