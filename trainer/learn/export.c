/* export.c: graph -> evx_model, and the architectures (see export.h). */
#include "export.h"
#include "evx_labels.h"
#include <stdio.h>
#include <string.h>

int tl_export(const tl_graph *g, const float *params, const evx_feature_config *cfg,
              const tl_prep *prep, evx_model *m, char *err, size_t errlen)
{
  memset(m, 0, sizeof *m);
  m->cfg = *cfg;
  m->input = g->input;
  m->n_labels = g->n_classes;
  for (uint32_t i = 0; i < g->n_classes; i++) {
    const char *name = evx_emotion_name((int)i);
    snprintf(m->labels[i], EVX_LABEL_LEN, "%s", name ? name : "class");
  }
  if (prep) {
    m->norm = tl_norm_view(&prep->norm);
    if (prep->adapt.len)
      m->adapt = tl_adapt_view(&prep->adapt);
  }
  m->n_layers = g->n_layers;
  for (uint32_t i = 0; i < g->n_layers; i++) {
    const tl_layer *t = &g->layers[i];
    evx_layer *l = &m->layers[i];
    l->type = t->type;
    l->out_ch = t->out_ch;
    l->kh = t->kh, l->kw = t->kw, l->sh = t->sh, l->sw = t->sw;
    l->ph = t->ph, l->pw = t->pw;
    l->rate = t->rate;
    if (t->n_w) {
      l->w.weight = params + t->w_off;
      l->w.bias = params + t->b_off;
    }
    if (t->type == EVX_LAYER_BATCHNORM) {   /* the writer folds it into the conv */
      l->w.mean = params + t->s_off;
      l->w.var = params + t->s_off + t->in.c;
      l->eps = TL_BN_EPS;
    }
  }
  return evx_model_finalize(m, err, errlen);
}

tl_arch_opts tl_arch_defaults(int arch)
{
  if (arch == TL_ARCH_LOGMEL)
    return (tl_arch_opts){ .arch = arch, .channels = { 8, 16, 32 }, .n_channels = 3,
                           .dropout = 0.25f };
  if (arch == TL_ARCH_MLP)
    return (tl_arch_opts){ .arch = arch, .channels = { 128, 64 }, .n_channels = 2,
                           .dropout = 0.5f };
  if (arch == TL_ARCH_TCN)
    return (tl_arch_opts){ .arch = arch, .channels = { 64, 64, 64 }, .n_channels = 3,
                           .dropout = 0.3f };
  return (tl_arch_opts){ .arch = TL_ARCH_SEED, .channels = { 32, 64 }, .n_channels = 2,
                         .dropout = 0.25f };
}

uint32_t tl_arch_input_kind(int arch)
{
  return arch == TL_ARCH_LOGMEL ? EVX_INPUT_LOGMEL
       : arch == TL_ARCH_MLP ? EVX_INPUT_LOG_STATS
       : arch == TL_ARCH_TCN ? EVX_INPUT_FRAMES : EVX_INPUT_SUMMARY;
}

/* A weighted layer's activation: [BatchNorm] ReLU. */
static int activate(const tl_arch_opts *o, tl_graph *g, char *err, size_t errlen)
{
  if (o->batchnorm && tl_add_batchnorm(g, err, errlen))
    return -1;
  return tl_add_simple(g, EVX_LAYER_RELU, 0, err, errlen);
}

int tl_arch_build(const tl_arch_opts *o, evx_shape input, uint32_t n_classes,
                  tl_graph *g, char *err, size_t errlen)
{
  tl_graph_init(g, input, n_classes);
  int rc = 0;
  if (o->arch == TL_ARCH_SEED) {
    if (o->n_channels != 2) {
      snprintf(err, errlen, "--arch seed takes two channel counts");
      return -1;
    }
    for (int i = 0; i < 2 && !rc; i++) {
      rc |= tl_add_conv(g, 0, o->channels[i], i ? 3 : 5, i ? 1 : 2, err, errlen);
      rc |= rc ? 0 : activate(o, g, err, errlen);
      rc |= rc ? 0 : tl_add_maxpool(g, 0, 3, 2, err, errlen);
      rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_DROPOUT, o->dropout, err, errlen);
    }
    rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_FLATTEN, 0, err, errlen);
  } else if (o->arch == TL_ARCH_MLP) {
    if (o->n_channels < 1 || o->n_channels > 4) {
      snprintf(err, errlen, "--arch mlp takes one to four hidden layer sizes");
      return -1;
    }
    rc |= tl_add_simple(g, EVX_LAYER_FLATTEN, 0, err, errlen);
    for (uint32_t i = 0; i < o->n_channels && !rc; i++) {
      rc |= tl_add_dense(g, o->channels[i], err, errlen);
      rc |= rc ? 0 : activate(o, g, err, errlen);
      rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_DROPOUT, o->dropout, err, errlen);
    }
  } else if (o->arch == TL_ARCH_TCN) {
    /* Conv1D over time with the features as channels: kernel 5 (3 for the
     * third and fourth), ReLU, MaxPool1D(3, 2) after the first two; the
     * mean over time (GAP) of the last feeds the classifier */
    if (o->n_channels < 1 || o->n_channels > 4) {
      snprintf(err, errlen, "--arch tcn takes one to four channel counts");
      return -1;
    }
    for (uint32_t i = 0; i < o->n_channels && !rc; i++) {
      uint32_t k = i < 2 ? 5 : 3;
      rc |= tl_add_conv(g, 0, o->channels[i], k, k / 2, err, errlen);
      rc |= rc ? 0 : activate(o, g, err, errlen);
      if (i < 2 && i + 1 < o->n_channels)
        rc |= rc ? 0 : tl_add_maxpool(g, 0, 3, 2, err, errlen);
    }
    rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_GAP, 0, err, errlen);
    rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_DROPOUT, o->dropout, err, errlen);
  } else {
    if (o->n_channels < 1 || o->n_channels > 4) {
      snprintf(err, errlen, "--arch logmel takes one to four channel counts");
      return -1;
    }
    for (uint32_t i = 0; i < o->n_channels && !rc; i++) {
      rc |= tl_add_conv(g, 1, o->channels[i], 3, 1, err, errlen);
      rc |= rc ? 0 : activate(o, g, err, errlen);
      rc |= rc ? 0 : tl_add_maxpool(g, 1, 3, 2, err, errlen);
    }
    rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_GAP, 0, err, errlen);
    rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_DROPOUT, o->dropout, err, errlen);
  }
  rc |= rc ? 0 : tl_add_dense(g, n_classes, err, errlen);
  rc |= rc ? 0 : tl_add_simple(g, EVX_LAYER_SOFTMAX, 0, err, errlen);
  return rc ? -1 : tl_graph_check(g, err, errlen);
}

/* Indices of the first and last Dense layers when they are the only layers
 * with parameters; -1 otherwise. */
static int two_dense(const tl_graph *g, uint32_t *d1, uint32_t *d2)
{
  uint32_t n = 0;
  for (uint32_t i = 0; i < g->n_layers; i++) {
    const tl_layer *l = &g->layers[i];
    if (l->type == EVX_LAYER_DENSE) {
      if (n == 0) *d1 = i;
      *d2 = i;
      n++;
    } else if (l->n_w || l->n_b) {
      return -1;
    }
  }
  return n == 2 ? 0 : -1;
}

int tl_merge_ensemble(const tl_graph *g, const float *const *member, uint32_t k,
                      const tl_graph *gm, float *out, char *err, size_t errlen)
{
  uint32_t a1 = 0, a2 = 0, b1 = 0, b2 = 0; /* set by two_dense; gcc -O3 cannot tell */
  if (k < 1 || two_dense(g, &a1, &a2) || two_dense(gm, &b1, &b2) || a1 != b1 || a2 != b2 ||
      g->n_layers != gm->n_layers) {
    snprintf(err, errlen, "an ensemble needs one hidden Dense layer (--arch mlp --channels H)");
    return -1;
  }
  const tl_layer *h = &g->layers[a1], *o = &g->layers[a2];
  const tl_layer *hm = &gm->layers[b1], *om = &gm->layers[b2];
  size_t in = tl_shape_len(h->in), units = h->out.c, classes = o->out.c;
  if (tl_shape_len(hm->in) != in || hm->out.c != k * units || om->out.c != classes) {
    snprintf(err, errlen, "ensemble graph does not have %u x %zu hidden units", k, units);
    return -1;
  }
  memset(out, 0, sizeof(float) * gm->n_params);
  for (uint32_t m = 0; m < k; m++) {
    const float *p = member[m];
    /* hidden units of member m: rows m*units.. of the merged first layer */
    memcpy(out + hm->w_off + (size_t)m * units * in, p + h->w_off, sizeof(float) * units * in);
    memcpy(out + hm->b_off + (size_t)m * units, p + h->b_off, sizeof(float) * units);
    /* output: each class row sees member m's units scaled by 1/k */
    for (size_t c = 0; c < classes; c++) {
      for (size_t j = 0; j < units; j++)
        out[om->w_off + c * k * units + m * units + j] = p[o->w_off + c * units + j] / (float)k;
      out[om->b_off + c] += p[o->b_off + c] / (float)k;
    }
  }
  return 0;
}
