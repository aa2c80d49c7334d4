/* export.h: a trained graph as an evx_model (what a .emvx bundle holds) and
 * the two architectures `emovox train` offers. Non-RT. */
#ifndef TR_LEARN_EXPORT_H
#define TR_LEARN_EXPORT_H

#include "graph.h"
#include "prep.h"
#include "evx_nn_model.h"

/* Fill m from g with weights pointing into params and the normalisation and
 * adaptation statistics into prep (both must outlive m; m->storage stays
 * NULL) and finalize it. prep NULL: neither. Labels: the eight emotions.
 * 0, or -1 with a message. */
int tl_export(const tl_graph *g, const float *params, const evx_feature_config *cfg,
              const tl_prep *prep, evx_model *m, char *err, size_t errlen);

enum tl_arch { TL_ARCH_SEED = 1, TL_ARCH_LOGMEL = 2, TL_ARCH_MLP = 3, TL_ARCH_TCN = 4 };

typedef struct {
  int arch;                 /* enum tl_arch */
  uint32_t channels[4];     /* seed: 2 used (32,64); logmel: up to 4 (8,16,32);
                               mlp: hidden units, up to 4 (128,64);
                               tcn: up to 4 Conv1D (64,64,64) */
  uint32_t n_channels;
  float dropout;            /* seed: 0.25; logmel, tcn: 0.25, 0.3 before the
                               dense layer; mlp: 0.5 after each hidden layer */
  int batchnorm;            /* 1: BatchNorm between each conv / hidden dense
                               layer and its ReLU (folded into it at export) */
} tl_arch_opts;

tl_arch_opts tl_arch_defaults(int arch);

/* An ensemble of k members of graph g (each with its own trained params)
 * as one network of graph gm, built by the same architecture with k times
 * the hidden units: g must be Flatten, Dense(h), parameter-free layers,
 * Dense(classes), Softmax. The members' hidden units sit side by side and the
 * output layer averages their logits, so gm computes exactly the mean of the
 * members' logits. out has gm->n_params floats. 0, or -1 with a message. */
int tl_merge_ensemble(const tl_graph *g, const float *const *member, uint32_t k,
                      const tl_graph *gm, float *out, char *err, size_t errlen);

/* The input kind an architecture reads by default (seed: EVX_INPUT_SUMMARY,
 * logmel: _LOGMEL, mlp: _LOG_STATS). */
uint32_t tl_arch_input_kind(int arch);

/* With batchnorm, every ReLU below is preceded by BatchNorm.
 *  seed:   Conv1D(c1,k5,p2) ReLU MaxPool1D(3,s2) Dropout Conv1D(c2,k3,p1)
 *          ReLU MaxPool1D(3,s2) Dropout Flatten Dense Softmax
 *  logmel: [Conv2D(c,3x3,p1) ReLU MaxPool2D(3,s2)] per channel count, GAP,
 *          Dropout, Dense Softmax
 *  mlp:    Flatten [Dense(c) ReLU Dropout] per unit count, Dense Softmax
 *          (any vector input: summary, summary_stats, log_stats) */
int tl_arch_build(const tl_arch_opts *o, evx_shape input, uint32_t n_classes,
                  tl_graph *g, char *err, size_t errlen);

#endif
