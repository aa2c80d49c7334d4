/* optim.h: Adam (as torch.optim.Adam, no weight decay), ReduceLROnPlateau
 * (mode min, relative threshold 1e-4, as PyTorch) and early stopping on the
 * validation loss. Every field is plain data so checkpoints can save it. */
#ifndef TR_LEARN_OPTIM_H
#define TR_LEARN_OPTIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  double lr, beta1, beta2, eps;
  uint64_t step;               /* updates done */
} tl_adam;

tl_adam tl_adam_defaults(double lr);
/* One update of n parameters with gradient g; m and v are the moments. */
void tl_adam_step(tl_adam *a, size_t n, float *params, const float *g,
                  float *m, float *v);

typedef struct {
  double factor, min_lr;
  int patience;
  double best;                 /* best loss seen (HUGE_VAL at start) */
  int bad;                     /* epochs since best */
} tl_plateau;

tl_plateau tl_plateau_make(double factor, int patience, double min_lr);
/* Feed one epoch's validation loss; may lower *lr. Returns 1 if it did. */
int tl_plateau_update(tl_plateau *p, double loss, double *lr);

typedef struct {
  int patience;
  double best;                 /* best validation loss */
  int best_epoch;              /* epoch that reached it (1-based; 0 none) */
  int bad;
} tl_early;

tl_early tl_early_make(int patience);
/* Returns 1 when loss is a new best (the caller keeps those weights). */
int tl_early_update(tl_early *e, double loss, int epoch);
/* 1 when training should stop. */
int tl_early_stop(const tl_early *e);

#endif
