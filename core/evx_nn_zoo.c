/* evx_nn_zoo.c: the two reference architectures with seeded random weights,
 * for tests and benchmarks. Non-RT (allocates). */
#include "evx_nn_zoo.h"
#include "evx_nn_internal.h"
#include "evx_labels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint64_t s; float *next; } zoo_rng;

static double uniform(zoo_rng *r) /* xorshift64*, [0,1) */
{
  r->s ^= r->s >> 12; r->s ^= r->s << 25; r->s ^= r->s >> 27;
  return (double)((r->s * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* n floats from the storage, uniform in [lo, hi). */
static float *fill(zoo_rng *r, uint64_t n, double lo, double hi)
{
  float *p = r->next;
  for (uint64_t i = 0; i < n; i++) p[i] = (float)(lo + (hi - lo) * uniform(r));
  r->next += (n + 15) & ~(uint64_t)15;
  return p;
}

static evx_layer mk(uint32_t type, uint32_t out_ch, uint32_t kh, uint32_t kw, uint32_t sh,
                    uint32_t sw, uint32_t ph, uint32_t pw)
{
  evx_layer l;
  memset(&l, 0, sizeof l);
  l.type = type; l.out_ch = out_ch; l.kh = kh; l.kw = kw; l.sh = sh; l.sw = sw;
  l.ph = ph; l.pw = pw;
  return l;
}

/* Random weights for every layer that has some (He-like uniform scale) and
 * the normalisation; the layer shapes must be inferred already. */
static int give_weights(evx_model *m, uint64_t seed)
{
  uint64_t total = 2u * m->norm.len + 64;
  for (uint32_t i = 0; i < m->n_layers; i++)
    for (int r = 0; r < (int)evx_layer_n_tensors(m->layers[i].type); r++) {
      uint32_t d[4] = { 1, 1, 1, 1 }, nd = evx_layer_tensor_dims(&m->layers[i], r, d);
      uint64_t n = 1;
      for (uint32_t k = 0; k < nd; k++) n *= d[k];
      total += (n + 15) & ~(uint64_t)15;
    }
  total = (total + 15) & ~(uint64_t)15; /* aligned_alloc wants a multiple of 64 bytes */
  m->storage = aligned_alloc(64, total * sizeof(float));
  if (!m->storage) return -1;
  zoo_rng r = { seed * 0x9E3779B97F4A7C15ull + 1, m->storage };
  if (m->norm.len) {
    m->norm.mean = fill(&r, m->norm.len, -1.0, 1.0);
    m->norm.scale = fill(&r, m->norm.len, 0.5, 1.5);
  }
  for (uint32_t i = 0; i < m->n_layers; i++) {
    evx_layer *l = &m->layers[i];
    if (l->type == EVX_LAYER_BATCHNORM) {
      l->w.weight = fill(&r, l->in.c, 0.5, 1.5);
      l->w.bias = fill(&r, l->in.c, -0.2, 0.2);
      l->w.mean = fill(&r, l->in.c, -0.5, 0.5);
      l->w.var = fill(&r, l->in.c, 0.5, 2.0);
    } else if (evx_layer_n_tensors(l->type)) {
      uint32_t d[4] = { 1, 1, 1, 1 }, nd = evx_layer_tensor_dims(l, EVX_T_WEIGHT, d);
      uint64_t n = 1;
      for (uint32_t k = 0; k < nd; k++) n *= d[k];
      double fan_in = (double)n / l->out_ch, a = sqrt(6.0 / fan_in);
      l->w.weight = fill(&r, n, -a, a);
      l->w.bias = fill(&r, l->out_ch, -0.1, 0.1);
    }
  }
  return 0;
}

static evx_model *build(const evx_feature_config *cfg, uint32_t kind, uint32_t n_labels,
                        uint64_t seed, const evx_layer *layers, uint32_t n_layers)
{
  if (n_labels < 1 || n_labels > EVX_MAX_LABELS) return NULL;
  evx_model *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->cfg = cfg ? *cfg : evx_feature_config_default(kind);
  m->input = evx_input_shape(&m->cfg);
  m->n_labels = n_labels;
  for (uint32_t i = 0; i < n_labels; i++) {
    const char *e = evx_emotion_name((int)i);
    if (e) strcpy(m->labels[i], e);
    else snprintf(m->labels[i], EVX_LABEL_LEN, "class%u", i);
  }
  m->n_layers = n_layers;
  memcpy(m->layers, layers, n_layers * sizeof *layers);
  m->layers[n_layers - 2].out_ch = n_labels; /* the dense before softmax */
  if (m->cfg.input_kind == EVX_INPUT_LOGMEL) {
    m->norm.axis = 1; m->norm.len = m->input.h; m->norm.window_mean = 1;
  } else {
    m->norm.axis = 2; m->norm.len = m->input.w;
  }
  char err[256];
  if (evx_model_infer_shapes(m, err, sizeof err) || give_weights(m, seed) ||
      evx_model_finalize(m, err, sizeof err)) {
    evx_model_free(m);
    return NULL;
  }
  return m;
}

evx_model *evx_model_make_seed(const evx_feature_config *cfg, uint32_t n_labels, uint64_t seed)
{
  const evx_layer L[] = {
    mk(EVX_LAYER_CONV1D, 32, 1, 5, 1, 1, 0, 2), mk(EVX_LAYER_RELU, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_MAXPOOL1D, 0, 1, 3, 1, 2, 0, 0), mk(EVX_LAYER_DROPOUT, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_CONV1D, 64, 1, 3, 1, 1, 0, 1), mk(EVX_LAYER_RELU, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_MAXPOOL1D, 0, 1, 3, 1, 2, 0, 0), mk(EVX_LAYER_DROPOUT, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_FLATTEN, 0, 0, 0, 0, 0, 0, 0), mk(EVX_LAYER_DENSE, 8, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_SOFTMAX, 0, 0, 0, 0, 0, 0, 0),
  };
  evx_layer l[sizeof L / sizeof L[0]];
  memcpy(l, L, sizeof L);
  l[3].rate = l[7].rate = 0.2f;
  return build(cfg, EVX_INPUT_SUMMARY, n_labels, seed, l, sizeof L / sizeof L[0]);
}

evx_model *evx_model_make_logmel_cnn(const evx_feature_config *cfg, uint32_t n_labels,
                                     uint64_t seed)
{
  evx_layer l[] = {
    mk(EVX_LAYER_CONV2D, 8, 3, 3, 1, 1, 1, 1), mk(EVX_LAYER_BATCHNORM, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_RELU, 0, 0, 0, 0, 0, 0, 0), mk(EVX_LAYER_MAXPOOL2D, 0, 3, 3, 2, 2, 0, 0),
    mk(EVX_LAYER_CONV2D, 16, 3, 3, 1, 1, 1, 1), mk(EVX_LAYER_RELU, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_MAXPOOL2D, 0, 3, 3, 2, 2, 0, 0), mk(EVX_LAYER_GAP, 0, 0, 0, 0, 0, 0, 0),
    mk(EVX_LAYER_DENSE, 8, 0, 0, 0, 0, 0, 0), mk(EVX_LAYER_SOFTMAX, 0, 0, 0, 0, 0, 0, 0),
  };
  l[1].eps = 1e-5f;
  return build(cfg, EVX_INPUT_LOGMEL, n_labels, seed, l, sizeof l / sizeof l[0]);
}
