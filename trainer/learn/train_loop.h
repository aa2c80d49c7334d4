/* train_loop.h: mini-batch training of a tl_graph with Adam, plateau LR
 * schedule, early stopping on the validation loss and a checkpoint after
 * every epoch. Threads split each batch into contiguous chunks whose
 * gradients are summed in thread order, so a run is deterministic for a given
 * seed and thread count; with a checkpoint, a resumed run ends bit-identical
 * to an uninterrupted one. Non-RT. */
#ifndef TR_LEARN_TRAIN_LOOP_H
#define TR_LEARN_TRAIN_LOOP_H

#include "graph.h"
#include "optim.h"
#include <stddef.h>
#include <stdint.h>

#define TL_MAX_EPOCHS 1000

/* Rows to train or validate on (already normalised). */
typedef struct {
  size_t n;
  uint32_t dim;
  const float *x;     /* n x dim */
  const int *y;       /* n labels in 0..n_classes-1 */
  const float *w;     /* NULL, or n row weights (multiplying the class weights
                         in the loss; e.g. tl_speaker_weights) */
  const uint32_t *item; /* NULL, or n ids: the rows of one item (the windows
                         of one clip's variant) are consecutive and share an
                         id; used by tl_train_opts.one_window */
} tl_set;

typedef struct {
  int epochs;                 /* at most (200) */
  int batch;                  /* 32 */
  double lr;                  /* 1e-3 */
  double lr_factor;           /* plateau factor (0.5) */
  int lr_patience;            /* plateau patience in epochs (5) */
  double min_lr;              /* 1e-5 */
  int patience;               /* early stopping patience (15; 0 = never) */
  int cosine;                 /* 1: lr follows a cosine from lr to 0 over
                                 `epochs` instead of the plateau rule */
  int keep_last;              /* 1: keep the last epoch's weights, not the
                                 best validation loss's (no early stop) */
  int one_window;             /* 1: every epoch trains on one row drawn at
                                 random from each item of the training set
                                 (a random crop per clip), not on every row */
  int threads;                /* 2 */
  uint64_t seed;              /* 1 */
  int balanced;               /* 1: class weights n / (k * count) */
  double label_smoothing;     /* 0..<1: smoothed targets (tl_backward); 0 */
  double mixup;               /* 0: off; a in (0, 1]: each training row is
                                 mixed with a random row of its batch,
                                 x = l x_i + (1 - l) x_j with l ~ Beta(a, a),
                                 and trained towards both labels, weighted
                                 l and 1 - l (mixup, Zhang et al. 2018) */
  const char *checkpoint;     /* NULL: none */
  int resume;                 /* 1: continue from the checkpoint */
  uint64_t fingerprint;       /* must match the checkpoint's on resume */
  int quiet;                  /* 1: no progress output */
} tl_train_opts;

tl_train_opts tl_train_defaults(void);

typedef struct {
  double train_loss, train_acc, val_loss, val_acc, lr, seconds;
} tl_epoch;

/* Everything a checkpoint holds. */
typedef struct {
  size_t n_params;
  float *params, *m, *v, *best;
  tl_adam adam;
  tl_plateau plateau;
  tl_early early;
  uint64_t rng;
  uint64_t fingerprint;
  int epoch;                  /* epochs completed */
  int done;                   /* 1: training finished (stopped or max) */
  tl_epoch hist[TL_MAX_EPOCHS];
} tl_state;

int tl_state_alloc(tl_state *st, size_t n_params);
void tl_state_free(tl_state *st);

/* The rows one epoch trains on, in the order it takes them (perm, up to
 * s->n entries; returns how many): every row, or with one_window and
 * s->item one row per item drawn from rng; then shuffled from rng. */
size_t tl_epoch_rows(const tl_set *s, int one_window, uint64_t *rng, size_t *perm);

/* Class weights for the loss (1 each unless balanced). w has n_classes.
 * Classes are counted under the row weights s->w when there are any.
 * per_item: count items (s->item), not rows, as one_window trains on. */
void tl_class_weights(const tl_set *s, uint32_t n_classes, int balanced, int per_item,
                      float *w);

/* Row weights that give every group (e.g. speaker) the same total weight
 * while keeping the mean weight 1: w[i] = n / (groups * count[group[i]]).
 * group: n ids in 0..n_groups-1. item (NULL: rows count) makes n and count
 * count items instead (consecutive rows with one id), for one_window. */
void tl_group_weights(const uint32_t *group, const uint32_t *item, size_t n,
                      uint32_t n_groups, float *w);

/* Train. On success st->best holds the weights of the best validation epoch
 * (the last epoch when val is empty or keep_last) and 0 is returned; -1 with err on
 * failure; 130 when interrupted by SIGINT/SIGTERM (the checkpoint holds the
 * last completed epoch). */
int tl_train(const tl_graph *g, const tl_set *train, const tl_set *val,
             const tl_train_opts *o, tl_state *st, char *err, size_t errlen);

/* Probabilities (n x n_classes) of every row, eval mode, over threads. */
int tl_predict(const tl_graph *g, const float *params, const tl_set *s,
               int threads, float *probs);

/* Run fn(ctx, t) for t = 0..threads-1 on that many threads (t = 0 on the
 * caller's). Returns 0, or -1 if a thread could not start (then all ran
 * on the caller, in order). */
int tl_parallel(int threads, void (*fn)(void *ctx, int t), void *ctx);

#endif
