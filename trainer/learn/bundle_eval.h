/* bundle_eval.h: probabilities of dataset rows through a loaded bundle with
 * the plugin's own inference engine (evx_net_forward, normalisation
 * included), so evaluation measures live behaviour. Non-RT. */
#ifndef TR_LEARN_BUNDLE_EVAL_H
#define TR_LEARN_BUNDLE_EVAL_H

#include "evx_nn_model.h"
#include <stddef.h>

/* rows: n x evx_input_shape(&m->cfg) floats, as evx_build_input made them.
 * probs: n x m->n_labels. Rows are split over threads (one net each).
 * 0, or -1 when out of memory. */
int tl_bundle_predict(const evx_model *m, const float *rows, size_t n,
                      int threads, float *probs);

#endif
