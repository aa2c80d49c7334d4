/* evx_nn_model.c: model shape inference and checks, counts, and the
 * feature-config helpers. Non-RT except where marked. */
#include "evx_nn_internal.h"
#include "evx_features.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const evx_tensor_role[EVX_T_MAX] = { "weight", "bias", "mean", "var" };

int evx_fail(char *err, size_t errlen, const char *fmt, ...)
{
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

const char *evx_layer_name(uint32_t type)
{
  static const char *const names[] = { NULL, "conv1d", "conv2d", "maxpool1d",
    "maxpool2d", "dense", "relu", "batchnorm", "dropout", "flatten", "gap", "softmax" };
  return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}

uint32_t evx_layer_n_tensors(uint32_t type)
{
  switch (type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D: case EVX_LAYER_DENSE: return 2;
  case EVX_LAYER_BATCHNORM: return 4;
  default: return 0;
  }
}

uint32_t evx_layer_tensor_dims(const evx_layer *l, int role, uint32_t d[4])
{
  if (role < 0 || (uint32_t)role >= evx_layer_n_tensors(l->type)) return 0;
  if (l->type == EVX_LAYER_BATCHNORM) { d[0] = l->in.c; return 1; }
  if (role == EVX_T_BIAS) { d[0] = l->out_ch; return 1; }
  d[0] = l->out_ch; d[1] = l->in.c;
  if (l->type == EVX_LAYER_DENSE) return 2;
  if (l->type == EVX_LAYER_CONV1D) { d[2] = l->kw; return 3; }
  d[2] = l->kh; d[3] = l->kw;
  return 4;
}

evx_shape evx_input_shape(const evx_feature_config *cfg)
{
  evx_shape s = { 0, 0, 0 };
  if (!cfg) return s;
  switch (cfg->input_kind) {
  case EVX_INPUT_SUMMARY: s = (evx_shape){ 1, 1, EVX_NFEAT }; break;
  case EVX_INPUT_SUMMARY_STATS:
  case EVX_INPUT_LOG_STATS: s = (evx_shape){ 1, 1, 2 * EVX_NFEAT }; break;
  case EVX_INPUT_VOICED_STATS: s = (evx_shape){ 1, 1, 3 * EVX_NFEAT }; break;
  case EVX_INPUT_PROSODY_STATS: s = (evx_shape){ 1, 1, 3 * EVX_NFEAT + EVX_PROSODY_STATS }; break;
  case EVX_INPUT_FRAMES:
    if (cfg->window_frames >= 1 && cfg->window_frames <= EVX_MAX_DIM)
      s = (evx_shape){ EVX_NFEAT, 1, cfg->window_frames };
    break;
  case EVX_INPUT_LOGMEL:
    if (cfg->window_frames >= 1 && cfg->window_frames <= EVX_MAX_DIM)
      s = (evx_shape){ 1, EVX_N_MEL, cfg->window_frames };
    break;
  default: break;
  }
  return s;
}

uint32_t evx_adapt_frames(const evx_feature_config *cfg)
{
  return cfg->input_kind == EVX_INPUT_FRAMES && cfg->window_frames ? cfg->window_frames : 1;
}

evx_feature_config evx_feature_config_default(uint32_t input_kind)
{
  evx_feature_config c = { EVX_SR, EVX_FRAME, EVX_HOP, 1, input_kind, 300, 50 };
  if (input_kind == EVX_INPUT_LOGMEL) { c.window_frames = 100; c.update_frames = 25; }
  return c;
}

int evx_check_config(const evx_feature_config *c, char *err, size_t errlen)
{
  if (c->sample_rate != EVX_SR || c->frame_len != EVX_FRAME || c->hop != EVX_HOP)
    return evx_fail(err, errlen, "feature configuration %u Hz, frame %u, hop %u "
                    "not supported (need %u Hz, %u, %u)", c->sample_rate,
                    c->frame_len, c->hop, EVX_SR, EVX_FRAME, EVX_HOP);
  if (c->feature_set != EVX_FSET_V1 && c->feature_set != EVX_FSET_V1_LEVEL)
    return evx_fail(err, errlen, "feature set %u not supported (need 1 or 2)", c->feature_set);
  if (c->input_kind < EVX_INPUT_SUMMARY || c->input_kind > EVX_INPUT_PROSODY_STATS)
    return evx_fail(err, errlen, "unknown input kind %u", c->input_kind);
  if (!evx_feature_set_supported(c->feature_set, c->input_kind))
    return evx_fail(err, errlen, "feature set %u (level-corrected) needs an input kind "
                    "in dB (2, 4, 5 or 6), not %u", c->feature_set, c->input_kind);
  if (c->window_frames < 1 || c->window_frames > EVX_MAX_DIM)
    return evx_fail(err, errlen, "window of %u frames out of range 1..%u",
                    c->window_frames, EVX_MAX_DIM);
  if (c->update_frames < 1 || c->update_frames > EVX_MAX_DIM)
    return evx_fail(err, errlen, "update interval of %u frames out of range 1..%u",
                    c->update_frames, EVX_MAX_DIM);
  return 0;
}

/* Output length of a sliding window; 0 when it does not fit. */
static uint32_t slide_len(uint32_t in, uint32_t k, uint32_t s, uint32_t p)
{
  uint64_t padded = (uint64_t)in + 2ull * p;
  if (k == 0 || s == 0 || padded < k) return 0;
  return (uint32_t)((padded - k) / s + 1);
}

static int check_window(const evx_layer *l, uint32_t i, int two_d, int pool,
                        char *err, size_t errlen)
{
  const char *n = evx_layer_name(l->type);
  if (!two_d && (l->in.h != 1 || l->kh != 1 || l->sh != 1 || l->ph != 0))
    return evx_fail(err, errlen, "layer %u (%s): needs h = 1, kh = sh = 1, ph = 0", i, n);
  if (l->kh < 1 || l->kw < 1 || l->kh > EVX_MAX_DIM || l->kw > EVX_MAX_DIM)
    return evx_fail(err, errlen, "layer %u (%s): kernel %ux%u out of range", i, n, l->kh, l->kw);
  if (l->sh < 1 || l->sw < 1 || l->sh > EVX_MAX_DIM || l->sw > EVX_MAX_DIM)
    return evx_fail(err, errlen, "layer %u (%s): stride %ux%u out of range", i, n, l->sh, l->sw);
  if (!pool && (l->ph >= l->kh || l->pw >= l->kw))
    return evx_fail(err, errlen, "layer %u (%s): padding %ux%u not below the kernel %ux%u",
                    i, n, l->ph, l->pw, l->kh, l->kw);
  if (pool && (2ull * l->ph > l->kh || 2ull * l->pw > l->kw))
    return evx_fail(err, errlen, "layer %u (%s): padding %ux%u over half the window %ux%u",
                    i, n, l->ph, l->pw, l->kh, l->kw);
  if (!slide_len(l->in.h, l->kh, l->sh, l->ph) || !slide_len(l->in.w, l->kw, l->sw, l->pw))
    return evx_fail(err, errlen, "layer %u (%s): window %ux%u larger than padded input %ux%u",
                    i, n, l->kh, l->kw, l->in.h + 2 * l->ph, l->in.w + 2 * l->pw);
  return 0;
}

static int infer_layer(evx_layer *l, uint32_t i, char *err, size_t errlen)
{
  evx_shape in = l->in, out = in;
  const char *n = evx_layer_name(l->type);
  if (!n) return evx_fail(err, errlen, "layer %u: unknown layer type %u", i, l->type);
  if (evx_layer_n_tensors(l->type) && in.c > EVX_MAX_DIM)
    return evx_fail(err, errlen, "layer %u (%s): %u input channels over %u", i, n, in.c,
                    EVX_MAX_DIM);
  switch (l->type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D:
    if (l->out_ch < 1 || l->out_ch > EVX_MAX_DIM)
      return evx_fail(err, errlen, "layer %u (%s): %u output channels out of range", i, n, l->out_ch);
    /* fall through */
  case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D: {
    int two_d = l->type == EVX_LAYER_CONV2D || l->type == EVX_LAYER_MAXPOOL2D;
    int pool = l->type == EVX_LAYER_MAXPOOL1D || l->type == EVX_LAYER_MAXPOOL2D;
    if (check_window(l, i, two_d, pool, err, errlen)) return -1;
    if ((uint64_t)in.c * (in.h + 2ull * l->ph) * (in.w + 2ull * l->pw) > EVX_MAX_ACT_ELEMS)
      return evx_fail(err, errlen, "layer %u (%s): padded input over %u elements", i, n,
                      EVX_MAX_ACT_ELEMS);
    out.h = slide_len(in.h, l->kh, l->sh, l->ph);
    out.w = slide_len(in.w, l->kw, l->sw, l->pw);
    if (!pool) out.c = l->out_ch;
    break;
  }
  case EVX_LAYER_DENSE:
    if (in.h != 1 || in.w != 1)
      return evx_fail(err, errlen, "layer %u (dense): input {%u,%u,%u} is not flat "
                      "(add a flatten or gap layer)", i, in.c, in.h, in.w);
    if (l->out_ch < 1 || l->out_ch > EVX_MAX_DIM)
      return evx_fail(err, errlen, "layer %u (dense): %u units out of range", i, l->out_ch);
    out = (evx_shape){ l->out_ch, 1, 1 };
    break;
  case EVX_LAYER_BATCHNORM:
    if (!(l->eps > 0.0f) || !isfinite(l->eps))
      return evx_fail(err, errlen, "layer %u (batchnorm): eps %g must be > 0", i, (double)l->eps);
    break;
  case EVX_LAYER_DROPOUT:
    if (!(l->rate >= 0.0f && l->rate < 1.0f))
      return evx_fail(err, errlen, "layer %u (dropout): rate %g out of [0,1)", i, (double)l->rate);
    break;
  case EVX_LAYER_FLATTEN: out = (evx_shape){ in.c * in.h * in.w, 1, 1 }; break;
  case EVX_LAYER_GAP: out = (evx_shape){ in.c, 1, 1 }; break;
  case EVX_LAYER_SOFTMAX:
    if (in.h != 1 || in.w != 1)
      return evx_fail(err, errlen, "layer %u (softmax): input {%u,%u,%u} is not flat",
                      i, in.c, in.h, in.w);
    break;
  default: break;
  }
  if (out.c > EVX_MAX_DIM && l->type != EVX_LAYER_FLATTEN)
    return evx_fail(err, errlen, "layer %u (%s): output shape too large", i, n);
  if (evx_shape_elems(out) > EVX_MAX_ACT_ELEMS)
    return evx_fail(err, errlen, "layer %u (%s): output {%u,%u,%u} over %u elements",
                    i, n, out.c, out.h, out.w, EVX_MAX_ACT_ELEMS);
  l->out = out;
  return 0;
}

int evx_model_infer_shapes(evx_model *m, char *err, size_t errlen)
{
  evx_shape s = m->input;
  if (s.c < 1 || s.h < 1 || s.w < 1 || s.c > EVX_MAX_DIM || s.h > EVX_MAX_DIM || s.w > EVX_MAX_DIM
      || evx_shape_elems(s) > EVX_MAX_ACT_ELEMS)
    return evx_fail(err, errlen, "input shape {%u,%u,%u} out of range", s.c, s.h, s.w);
  if (m->n_layers < 1 || m->n_layers > EVX_MAX_LAYERS)
    return evx_fail(err, errlen, "%u layers (need 1..%u)", m->n_layers, EVX_MAX_LAYERS);
  uint64_t flops = evx_norm_flops(m);
  for (uint32_t i = 0; i < m->n_layers; i++) {
    m->layers[i].in = s;
    if (infer_layer(&m->layers[i], i, err, errlen)) return -1;
    s = m->layers[i].out;
    flops += evx_layer_flops(&m->layers[i]);
    if (flops > EVX_MAX_MODEL_FLOPS)
      return evx_fail(err, errlen, "layer %u: model needs over %llu FLOPs per inference",
                      i, (unsigned long long)EVX_MAX_MODEL_FLOPS);
  }
  return 0;
}

static int check_finite(const float *p, uint64_t n, const char *what, uint32_t i,
                        char *err, size_t errlen)
{
  for (uint64_t k = 0; k < n; k++)
    if (!isfinite(p[k]))
      return evx_fail(err, errlen, "layer %u %s: element %llu is not finite", i, what,
                      (unsigned long long)k);
  return 0;
}

static int check_params(const evx_layer *l, uint32_t i, char *err, size_t errlen)
{
  const float *t[EVX_T_MAX] = { l->w.weight, l->w.bias, l->w.mean, l->w.var };
  for (int r = 0; r < (int)evx_layer_n_tensors(l->type); r++) {
    uint32_t d[4] = { 1, 1, 1, 1 };
    uint32_t nd = evx_layer_tensor_dims(l, r, d);
    uint64_t n = 1;
    for (uint32_t k = 0; k < nd; k++) n *= d[k];
    if (n > EVX_MAX_TENSOR_ELEMS)
      return evx_fail(err, errlen, "layer %u (%s): %s of %llu elements is too large", i,
                      evx_layer_name(l->type), evx_tensor_role[r], (unsigned long long)n);
    if (!t[r]) {
      if (r == EVX_T_BIAS && l->type != EVX_LAYER_BATCHNORM) continue; /* bias optional */
      return evx_fail(err, errlen, "layer %u (%s): missing %s", i, evx_layer_name(l->type),
                      evx_tensor_role[r]);
    }
    if (check_finite(t[r], n, evx_tensor_role[r], i, err, errlen)) return -1;
    if (r == EVX_T_VAR)
      for (uint64_t k = 0; k < n; k++)
        if (t[r][k] < 0.0f)
          return evx_fail(err, errlen, "layer %u (batchnorm): negative variance", i);
  }
  return 0;
}

static int check_norm(const evx_model *m, char *err, size_t errlen)
{
  const evx_norm *n = &m->norm;
  if (n->len == 0) {
    if (n->window_mean)
      return evx_fail(err, errlen, "normalisation: window_mean needs an axis (len > 0)");
    return 0;
  }
  if (n->axis > 2)
    return evx_fail(err, errlen, "normalisation: axis %u out of range 0..2", n->axis);
  uint32_t dim = n->axis == 0 ? m->input.c : n->axis == 1 ? m->input.h : m->input.w;
  if (n->len != dim)
    return evx_fail(err, errlen, "normalisation: length %u does not match input dim %u "
                    "along axis %u", n->len, dim, n->axis);
  if (n->window_mean > 1)
    return evx_fail(err, errlen, "normalisation: window_mean %u is not 0 or 1", n->window_mean);
  if (!n->mean || !n->scale)
    return evx_fail(err, errlen, "normalisation: missing mean or scale");
  if (check_finite(n->mean, n->len, "norm.mean", 0, err, errlen) ||
      check_finite(n->scale, n->len, "norm.scale", 0, err, errlen))
    return -1;
  return 0;
}

static int check_adapt(evx_model *m, char *err, size_t errlen)
{
  evx_adapt *a = &m->adapt;
  if (a->len == 0) return 0;
  a->frames = evx_adapt_frames(&m->cfg);
  uint64_t dim = evx_shape_elems(m->input) / a->frames;
  if (a->len != dim || a->len > EVX_ADAPT_MAX)
    return evx_fail(err, errlen, "adaptation: length %u must equal the input size %llu "
                    "(at most %u)", a->len, (unsigned long long)dim, EVX_ADAPT_MAX);
  if (!(a->prior >= 1.0f && a->prior <= 1e6f) || !(a->memory >= a->prior && a->memory <= 1e6f))
    return evx_fail(err, errlen, "adaptation: prior %g and memory %g must satisfy "
                    "1 <= prior <= memory <= 1e6", (double)a->prior, (double)a->memory);
  if (!a->mean || !a->var)
    return evx_fail(err, errlen, "adaptation: missing mean or var");
  if (check_finite(a->mean, a->len, "adapt.mean", 0, err, errlen) ||
      check_finite(a->var, a->len, "adapt.var", 0, err, errlen))
    return -1;
  for (uint32_t i = 0; i < a->len; i++)
    if (a->var[i] < 0.0f) return evx_fail(err, errlen, "adaptation: negative variance");
  return 0;
}

static int check_labels(const evx_model *m, char *err, size_t errlen)
{
  if (m->n_labels < 1 || m->n_labels > EVX_MAX_LABELS)
    return evx_fail(err, errlen, "%u labels (need 1..%u)", m->n_labels, EVX_MAX_LABELS);
  for (uint32_t i = 0; i < m->n_labels; i++) {
    const char *s = m->labels[i];
    size_t n = strnlen(s, EVX_LABEL_LEN);
    if (n == 0 || n == EVX_LABEL_LEN)
      return evx_fail(err, errlen, "label %u is empty or not NUL-terminated", i);
    for (size_t k = 0; k < n; k++)
      if (s[k] < 0x20 || s[k] > 0x7e)
        return evx_fail(err, errlen, "label %u has a non-printable character", i);
    for (uint32_t j = 0; j < i; j++)
      if (!strcmp(s, m->labels[j]))
        return evx_fail(err, errlen, "label %u \"%s\" is a duplicate", i, s);
  }
  return 0;
}

int evx_model_finalize(evx_model *m, char *err, size_t errlen)
{
  if (!m) return evx_fail(err, errlen, "no model");
  if (evx_check_config(&m->cfg, err, errlen)) return -1;
  evx_shape want = evx_input_shape(&m->cfg);
  if (memcmp(&want, &m->input, sizeof want))
    return evx_fail(err, errlen, "input shape {%u,%u,%u} does not match the feature "
                    "configuration {%u,%u,%u}", m->input.c, m->input.h, m->input.w,
                    want.c, want.h, want.w);
  if (check_labels(m, err, errlen)) return -1;
  if (evx_model_infer_shapes(m, err, errlen)) return -1;
  if (check_norm(m, err, errlen) || check_adapt(m, err, errlen)) return -1;
  for (uint32_t i = 0; i < m->n_layers; i++)
    if (check_params(&m->layers[i], i, err, errlen)) return -1;
  evx_shape o = m->layers[m->n_layers - 1].out;
  if (evx_shape_elems(o) != m->n_labels)
    return evx_fail(err, errlen, "network output {%u,%u,%u} does not match %u labels",
                    o.c, o.h, o.w, m->n_labels);
  return 0;
}

uint64_t evx_layer_flops(const evx_layer *l)
{
  uint64_t out = evx_shape_elems(l->out), in = evx_shape_elems(l->in);
  switch (l->type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D:
    return 2ull * out * l->in.c * l->kh * l->kw;
  case EVX_LAYER_DENSE: return 2ull * out * l->in.c;
  case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D: return out * l->kh * l->kw;
  case EVX_LAYER_BATCHNORM: return 2ull * in;
  case EVX_LAYER_RELU: case EVX_LAYER_GAP: return in;
  case EVX_LAYER_SOFTMAX: return 4ull * in;
  default: return 0;
  }
}

uint64_t evx_norm_flops(const evx_model *m)
{
  if (!m->norm.len) return 0;
  uint64_t n = evx_shape_elems(m->input);
  return (m->norm.window_mean ? 4ull : 2ull) * n;
}

uint64_t evx_model_flops(const evx_model *m)
{
  uint64_t f = evx_norm_flops(m);
  for (uint32_t i = 0; i < m->n_layers && i < EVX_MAX_LAYERS; i++)
    f += evx_layer_flops(&m->layers[i]);
  return f;
}

uint64_t evx_model_params(const evx_model *m)
{
  uint64_t p = 0;
  for (uint32_t i = 0; i < m->n_layers && i < EVX_MAX_LAYERS; i++) {
    const evx_layer *l = &m->layers[i];
    /* batchnorm running stats are buffers, not trainable */
    uint32_t nt = l->type == EVX_LAYER_BATCHNORM ? 2 : evx_layer_n_tensors(l->type);
    for (uint32_t r = 0; r < nt; r++) {
      uint32_t d[4] = { 1, 1, 1, 1 };
      uint32_t nd = evx_layer_tensor_dims(l, (int)r, d);
      uint64_t n = 1;
      for (uint32_t k = 0; k < nd; k++) n *= d[k];
      p += n;
    }
  }
  return p;
}

void evx_model_free(evx_model *m)
{
  while (m) {
    evx_model *next = m->next;
    free(m->storage);
    free(m->provenance);
    free(m);
    m = next;
  }
}
