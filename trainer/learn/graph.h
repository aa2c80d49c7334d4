/* graph.h: the training graph. It mirrors the layer types of evx_model
 * (evx_nn_model.h) and keeps every trainable parameter in one flat vector, so the
 * optimiser, checkpoints and export each see a single array.
 *
 * Activations of a chunk of n samples are sample-major, each sample
 * channels-first {c,h,w} exactly as evx_nn_model.h lays tensors out. 1-D layers are
 * the 2-D ones with kh = sh = 1 and ph = 0. The last layer is Softmax; its
 * backward pass is fused with the cross-entropy loss. Non-RT (allocates). */
#ifndef TR_LEARN_GRAPH_H
#define TR_LEARN_GRAPH_H

#include "evx_nn_model.h"
#include <stddef.h>
#include <stdint.h>

/* BatchNorm in training: statistics over ghost batches of this many samples
 * (fixed, so --threads does not change the model), epsilon as PyTorch's, and
 * running averages updated with this momentum after every batch. */
#define TL_BN_GROUP 16
#define TL_BN_EPS 1e-5f
#define TL_BN_MOMENTUM 0.1

typedef struct {
  uint32_t type;              /* enum evx_layer_type */
  uint32_t out_ch, kh, kw, sh, sw, ph, pw;
  float rate;                 /* dropout */
  evx_shape in, out;
  size_t w_off, n_w;          /* weight in the parameter vector */
  size_t b_off, n_b;          /* bias */
  size_t s_off;               /* batchnorm: running mean then running var
                                 (C each), in the parameter vector so that
                                 checkpoints and export carry them; their
                                 gradient is always 0, so Adam leaves them */
} tl_layer;

typedef struct {
  evx_shape input;
  uint32_t n_classes;
  uint32_t n_layers;
  tl_layer layers[EVX_MAX_LAYERS];
  size_t n_params;
} tl_graph;

static inline size_t tl_shape_len(evx_shape s) { return (size_t)s.c * s.h * s.w; }

/* Start a graph for inputs of one shape. */
void tl_graph_init(tl_graph *g, evx_shape input, uint32_t n_classes);

/* Append layers; each returns 0, or -1 when the shapes do not chain (the
 * message goes to err). 1-D variants take {C,1,L} activations. */
int tl_add_conv(tl_graph *g, int two_d, uint32_t out_ch, uint32_t k,
                uint32_t pad, char *err, size_t errlen);
int tl_add_maxpool(tl_graph *g, int two_d, uint32_t size, uint32_t stride,
                   char *err, size_t errlen);
int tl_add_dense(tl_graph *g, uint32_t units, char *err, size_t errlen);
int tl_add_batchnorm(tl_graph *g, char *err, size_t errlen);
int tl_add_simple(tl_graph *g, uint32_t type, float rate, char *err, size_t errlen);

/* Check that the graph ends in Dense(n_classes) + Softmax. */
int tl_graph_check(const tl_graph *g, char *err, size_t errlen);

/* He-uniform weights and zero biases from a seeded generator. */
void tl_graph_init_params(const tl_graph *g, float *params, uint64_t *rng);

/* Per-thread scratch for forward + backward of up to max_n samples. */
typedef struct tl_work tl_work;
tl_work *tl_work_new(const tl_graph *g, size_t max_n);
void tl_work_free(tl_work *w);

/* Forward pass of n rows of input (each tl_shape_len(g->input) floats).
 * train = 1 applies dropout with masks drawn from dropout_seed and each
 * sample's global index first + i, so masks do not depend on how a batch is
 * split among threads. probs (n x n_classes) may be NULL. */
void tl_forward(const tl_graph *g, tl_work *w, const float *params,
                const float *x, size_t n, int train, uint64_t dropout_seed,
                size_t first, float *probs);

/* After tl_forward(train = 1): cross-entropy of the n samples with labels y,
 * sample weights sw (NULL = 1) divided by norm (the batch's total weight),
 * accumulated into *loss; parameter gradients are ADDED to grad. smooth
 * (0..1) is label smoothing: the target puts 1 - smooth + smooth / k on the
 * label and smooth / k on every other class (0: one-hot).
 * dx (n x input floats) receives the input gradient when not NULL. */
void tl_backward(const tl_graph *g, tl_work *w, const float *params,
                 const int *y, const float *sw, double norm, float smooth, float *grad,
                 double *loss, float *dx);

/* After a training batch run as chunks on works[0..n_works) (each one ran
 * tl_forward with train = 1 on a non-empty chunk of it): move every
 * BatchNorm layer's running mean and var towards the mean of the batch's
 * group statistics, by TL_BN_MOMENTUM. */
void tl_bn_update_running(const tl_graph *g, tl_work *const *works, int n_works,
                          float *params);

/* Probabilities of the last forward pass (n x n_classes). */
const float *tl_probs(const tl_work *w);

#endif
