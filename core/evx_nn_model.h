/* evx_nn_model.h: a model, what a .emvx bundle describes: its
 * configuration (the feature configuration, the input shape, each layer's
 * hyperparameters), its weights (evx_layer_weights: pointers into the
 * model's storage, a shape comment on each) and its speaker adaptation. The
 * activations live apart, in a network's arena (evx_nn_net.h). Layouts as
 * in PyTorch: conv weights [out][in][kh][kw] (1-D: kh = 1), dense weights
 * [out][in], Flatten C-major. Everything here is non-RT (checks walk every
 * weight; free). */
#ifndef EVX_NN_MODEL_H
#define EVX_NN_MODEL_H

#include "evx_adapt.h"
#include "evx_nn_input.h"

#include <stddef.h>
#include <stdint.h>

#define EVX_MAX_LAYERS 32
#define EVX_MAX_LABELS 16
#define EVX_LABEL_LEN  32

enum evx_layer_type {
  EVX_LAYER_CONV1D = 1,
  EVX_LAYER_CONV2D,
  EVX_LAYER_MAXPOOL1D,
  EVX_LAYER_MAXPOOL2D,
  EVX_LAYER_DENSE,
  EVX_LAYER_RELU,
  EVX_LAYER_BATCHNORM,   /* per-channel; the writer folds it into a preceding conv/dense */
  EVX_LAYER_DROPOUT,     /* identity at inference */
  EVX_LAYER_FLATTEN,
  EVX_LAYER_GAP,         /* global average pooling over h, w -> {C,1,1} */
  EVX_LAYER_SOFTMAX
};

/* A layer's weights (NULL when the layer has none), in the model's
 * storage; shapes in terms of the layer's configuration and input shape. */
typedef struct {
  const float *weight;    /* conv [out_ch][in.c][kh][kw]; dense [out_ch][in.c*in.h*in.w];
                             batchnorm gamma [in.c] */
  const float *bias;      /* conv, dense [out_ch]; batchnorm beta [in.c] */
  const float *mean, *var; /* batchnorm running statistics [in.c] each */
} evx_layer_weights;

/* A layer: its configuration (the bundle's layer record), its weights (the
 * bundle's tensors) and its shapes (inferred). */
typedef struct {
  uint32_t type;          /* enum evx_layer_type */
  uint32_t out_ch;        /* conv: filters; dense: units */
  uint32_t kh, kw;        /* conv kernel or pool window (1-D: kh = 1) */
  uint32_t sh, sw;        /* strides (1-D: sh = 1) */
  uint32_t ph, pw;        /* zero padding on each side (pool: -inf padding) */
  float    rate;          /* dropout rate (kept for the record) */
  float    eps;           /* batchnorm epsilon */
  evx_layer_weights w;
  evx_shape in, out;      /* filled by evx_model_finalize() */
} evx_layer;

/* Input normalisation, applied before layer 0: x' = (x - mean[i]) * scale[i]
 * where i indexes the axis `axis` (0 = c, 1 = h, 2 = w) of the input. */
typedef struct {
  uint32_t axis;
  uint32_t len;           /* = input dim along axis; 0 = no normalisation */
  const float *mean, *scale; /* [len] each */
  uint32_t window_mean;   /* 1: first subtract the window's own mean along the
                             other axes (per-utterance normalisation) */
} evx_norm;

typedef struct evx_model {
  evx_feature_config cfg;
  uint32_t n_labels;
  char labels[EVX_MAX_LABELS][EVX_LABEL_LEN];
  evx_shape input;
  evx_norm norm;
  evx_adapt adapt;         /* speaker adaptation (len 0: none; applied by
                              the caller before evx_net_*: evx_adapt.h);
                              EVX_INPUT_FRAMES: frame mode, len = 98 */
  uint32_t n_layers;
  evx_layer layers[EVX_MAX_LAYERS];
  void *storage;          /* owned tensor memory (loaded models); may be NULL */
  char *provenance;       /* how the bundle was trained (bundle v4): owned,
                             NUL-terminated "key: value" lines; NULL when the
                             bundle has none. Only the chain's head has one. */
  struct evx_model *next; /* ensemble (bundle v3): the next member, owned by
                             this one; NULL for a single network. Members see
                             the same windows, each through its own input
                             kind, normalisation and speaker statistics, and
                             their probabilities are averaged. */
} evx_model;

/* Check and complete a model built in memory (the trainer does this before
 * writing): infers each layer's in/out shapes from m->input and checks that
 * they chain, that parameters are present, and that the output size equals
 * n_labels. Returns 0, or -1 with a message in err. */
int evx_model_finalize(evx_model *m, char *err, size_t errlen);
/* Trainable parameters of one inference of m alone (not its chain). */
uint64_t evx_model_params(const evx_model *m);
/* FLOPs (multiply-adds x 2) of one inference of m alone (not its chain). */
uint64_t evx_model_flops(const evx_model *m);
/* Free m, its storage and its chain (m->next). */
void evx_model_free(evx_model *m);

#endif
