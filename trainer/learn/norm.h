/* norm.h: the input normalisation a bundle carries (evx_norm), fitted on the
 * training rows and applied to rows exactly as the inference engine applies
 * it before layer 0, so training sees what the plugin computes. */
#ifndef TR_LEARN_NORM_H
#define TR_LEARN_NORM_H

#include "evx_nn_model.h"
#include <stddef.h>

typedef struct {
  uint32_t axis, len, window_mean;
  float *mean, *scale;       /* malloc'd, len each */
} tl_norm;

/* Fit per-index mean and 1/std along `axis` over n rows of shape s (after
 * subtracting each row's own mean along the other axes when window_mean).
 * 0, or -1 when out of memory / bad axis. */
int tl_norm_fit(tl_norm *nm, evx_shape s, uint32_t axis, uint32_t window_mean,
                const float *x, size_t n);
/* tl_norm_fit with the layout the input kind of cfg calls for: per mel band
 * after each window's own mean (logmel), per feature over time (frames), per
 * value (the window summaries). */
int tl_norm_fit_input(tl_norm *nm, const evx_feature_config *cfg, const float *x, size_t n);
/* Normalise n rows in place. Both treat a non-finite value as 0 (what the
 * engine feeds the network for it: evx_net_begin). */
void tl_norm_apply(const tl_norm *nm, evx_shape s, float *x, size_t n);
/* View as the evx_norm of a model (pointers into nm). */
evx_norm tl_norm_view(const tl_norm *nm);
void tl_norm_free(tl_norm *nm);

#endif
