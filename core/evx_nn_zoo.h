/* evx_nn_zoo.h: reference architectures with seeded random weights, for
 * tests and benchmarks. Non-RT (allocates). */
#ifndef EVX_NN_ZOO_H
#define EVX_NN_ZOO_H

#include "evx_nn_model.h"

#include <stdint.h>

/* Reference architectures with random weights (seeded, deterministic), for
 * tests and benchmarks (non-RT). The model owns its storage (free with
 * evx_model_free), is finalized and can be evx_bundle_write()n. cfg NULL =
 * evx_feature_config_default(SUMMARY resp. LOGMEL). NULL on bad arguments.
 *  seed:       Conv1D(1->32,k5,p2) ReLU MaxPool1D(3,s2) Dropout
 *              Conv1D(32->64,k3,p1) ReLU MaxPool1D(3,s2) Dropout Flatten
 *              Dense(->n_labels) Softmax; normalisation per feature (axis w).
 *  logmel_cnn: Conv2D(1->8,3x3,p1) BatchNorm ReLU MaxPool2D(3,s2)
 *              Conv2D(8->16,3x3,p1) ReLU MaxPool2D(3,s2) GAP Dense Softmax;
 *              normalisation per mel band (axis h) after the window mean. */
evx_model *evx_model_make_seed(const evx_feature_config *cfg, uint32_t n_labels,
                               uint64_t seed);
evx_model *evx_model_make_logmel_cnn(const evx_feature_config *cfg, uint32_t n_labels,
                                     uint64_t seed);

#endif
