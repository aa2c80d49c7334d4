/* graph.c: building the training graph, its parameters and per-thread
 * scratch, and running forward / backward through the layer kernels. */
#include "graph.h"
#include "layers.h"
#include "rng.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tl_graph_init(tl_graph *g, evx_shape input, uint32_t n_classes)
{
  memset(g, 0, sizeof *g);
  g->input = input;
  g->n_classes = n_classes;
}

static evx_shape last_shape(const tl_graph *g)
{
  return g->n_layers ? g->layers[g->n_layers - 1].out : g->input;
}

static tl_layer *push(tl_graph *g, uint32_t type, char *err, size_t errlen)
{
  if (g->n_layers >= EVX_MAX_LAYERS) {
    snprintf(err, errlen, "too many layers (at most %d)", EVX_MAX_LAYERS);
    return NULL;
  }
  tl_layer *l = &g->layers[g->n_layers];
  memset(l, 0, sizeof *l);
  l->type = type;
  l->in = last_shape(g);
  l->kh = l->kw = l->sh = l->sw = 1;
  return l;
}

static void add_params(tl_graph *g, tl_layer *l, size_t n_w, size_t n_b)
{
  l->w_off = g->n_params;
  l->n_w = n_w;
  l->b_off = g->n_params + n_w;
  l->n_b = n_b;
  g->n_params += n_w + n_b;
}

/* Output length of a sliding window; 0 when it does not fit. */
static uint32_t slide(uint32_t in, uint32_t k, uint32_t s, uint32_t p)
{
  return in + 2 * p < k ? 0 : (in + 2 * p - k) / s + 1;
}

static int windowed(tl_graph *g, uint32_t type, int two_d, uint32_t ch, uint32_t k,
                    uint32_t s, uint32_t p, char *err, size_t errlen)
{
  tl_layer *l = push(g, type, err, errlen);
  if (!l)
    return -1;
  if (!two_d && l->in.h != 1) {
    snprintf(err, errlen, "layer %u: 1-D layer needs {C,1,L} input", g->n_layers);
    return -1;
  }
  l->out_ch = ch;
  l->kw = k, l->sw = s, l->pw = p;
  if (two_d)
    l->kh = k, l->sh = s, l->ph = p;
  l->out = (evx_shape){ ch, slide(l->in.h, l->kh, l->sh, l->ph),
                        slide(l->in.w, l->kw, l->sw, l->pw) };
  if (!l->out.h || !l->out.w || !ch) {
    snprintf(err, errlen, "layer %u: input %ux%ux%u too small for window %u",
             g->n_layers, l->in.c, l->in.h, l->in.w, k);
    return -1;
  }
  g->n_layers++;
  return 0;
}

int tl_add_conv(tl_graph *g, int two_d, uint32_t out_ch, uint32_t k,
                uint32_t pad, char *err, size_t errlen)
{
  uint32_t in_c = last_shape(g).c;
  if (windowed(g, two_d ? EVX_LAYER_CONV2D : EVX_LAYER_CONV1D, two_d, out_ch, k,
               1, pad, err, errlen))
    return -1;
  tl_layer *l = &g->layers[g->n_layers - 1];
  add_params(g, l, (size_t)out_ch * in_c * l->kh * l->kw, out_ch);
  return 0;
}

int tl_add_maxpool(tl_graph *g, int two_d, uint32_t size, uint32_t stride,
                   char *err, size_t errlen)
{
  return windowed(g, two_d ? EVX_LAYER_MAXPOOL2D : EVX_LAYER_MAXPOOL1D, two_d,
                  last_shape(g).c, size, stride, 0, err, errlen);
}

int tl_add_dense(tl_graph *g, uint32_t units, char *err, size_t errlen)
{
  tl_layer *l = push(g, EVX_LAYER_DENSE, err, errlen);
  if (!l)
    return -1;
  if (l->in.h != 1 || l->in.w != 1) {
    snprintf(err, errlen, "layer %u: dense needs a vector (add Flatten or GAP)",
             g->n_layers);
    return -1;
  }
  l->out_ch = units;
  l->out = (evx_shape){ units, 1, 1 };
  add_params(g, l, (size_t)units * l->in.c, units);
  g->n_layers++;
  return 0;
}

int tl_add_batchnorm(tl_graph *g, char *err, size_t errlen)
{
  tl_layer *l = push(g, EVX_LAYER_BATCHNORM, err, errlen);
  if (!l)
    return -1;
  l->out = l->in;
  add_params(g, l, l->in.c, l->in.c);
  l->s_off = g->n_params;
  g->n_params += 2 * (size_t)l->in.c;
  g->n_layers++;
  return 0;
}

int tl_add_simple(tl_graph *g, uint32_t type, float rate, char *err, size_t errlen)
{
  tl_layer *l = push(g, type, err, errlen);
  if (!l)
    return -1;
  l->rate = rate;
  switch (type) {
  case EVX_LAYER_RELU: case EVX_LAYER_DROPOUT: case EVX_LAYER_SOFTMAX:
    l->out = l->in;
    break;
  case EVX_LAYER_FLATTEN:
    l->out = (evx_shape){ (uint32_t)tl_shape_len(l->in), 1, 1 };
    break;
  case EVX_LAYER_GAP:
    l->out = (evx_shape){ l->in.c, 1, 1 };
    break;
  default:
    snprintf(err, errlen, "layer type %u is not a simple layer", type);
    return -1;
  }
  if (type == EVX_LAYER_DROPOUT && !(rate >= 0.0f && rate < 1.0f)) {
    snprintf(err, errlen, "dropout rate %g outside [0, 1)", rate);
    return -1;
  }
  g->n_layers++;
  return 0;
}

int tl_graph_check(const tl_graph *g, char *err, size_t errlen)
{
  const tl_layer *l = g->layers;
  uint32_t n = g->n_layers;
  if (n < 2 || l[n - 1].type != EVX_LAYER_SOFTMAX || l[n - 2].type != EVX_LAYER_DENSE ||
      l[n - 2].out.c != g->n_classes) {
    snprintf(err, errlen, "the graph must end in Dense(%u) + Softmax", g->n_classes);
    return -1;
  }
  return 0;
}

void tl_graph_init_params(const tl_graph *g, float *params, uint64_t *rng)
{
  memset(params, 0, sizeof(float) * g->n_params);
  for (uint32_t i = 0; i < g->n_layers; i++) {
    const tl_layer *l = &g->layers[i];
    if (l->type == EVX_LAYER_BATCHNORM) {   /* gamma 1, beta 0, mean 0, var 1 */
      for (size_t c = 0; c < l->n_w; c++) {
        params[l->w_off + c] = 1.0f;
        params[l->s_off + l->n_w + c] = 1.0f;
      }
      continue;
    }
    if (!l->n_w)
      continue;
    size_t fan_in = l->n_w / l->out_ch;
    float bound = sqrtf(6.0f / (float)fan_in);   /* He uniform, for ReLU nets */
    for (size_t j = 0; j < l->n_w; j++)
      params[l->w_off + j] = (2.0f * tl_rng_uniform(rng) - 1.0f) * bound;
  }
}

/* ---- scratch -------------------------------------------------------------- */

struct tl_work {
  size_t max_n, n, first;
  const float *x;                 /* input of the last forward pass */
  float *act[EVX_MAX_LAYERS];     /* each layer's output */
  uint32_t *arg[EVX_MAX_LAYERS];  /* maxpool choices */
  float *mask[EVX_MAX_LAYERS];    /* dropout masks */
  float *col[EVX_MAX_LAYERS];     /* conv columns, kept for the backward pass */
  float *xhat[EVX_MAX_LAYERS];    /* batchnorm: normalised input */
  float *istd[EVX_MAX_LAYERS];    /* batchnorm: 1/std per group and channel */
  double *stat[EVX_MAX_LAYERS];   /* batchnorm: sums of group means, variances */
  size_t groups[EVX_MAX_LAYERS];  /* batchnorm: groups in those sums */
  float *dcol, *tmp;              /* conv scratch */
  float *g0, *g1;                 /* gradient ping-pong */
};

tl_work *tl_work_new(const tl_graph *g, size_t max_n)
{
  tl_work *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->max_n = max_n;
  size_t col = 1, tmp = 1, big = tl_shape_len(g->input);
  int ok = 1;
  for (uint32_t i = 0; i < g->n_layers; i++) {
    const tl_layer *l = &g->layers[i];
    size_t len = tl_shape_len(l->out) * max_n;
    w->act[i] = malloc(sizeof(float) * len);
    ok &= w->act[i] != NULL;
    big = big > tl_shape_len(l->out) ? big : tl_shape_len(l->out);
    if (l->type == EVX_LAYER_MAXPOOL1D || l->type == EVX_LAYER_MAXPOOL2D)
      ok &= (w->arg[i] = malloc(sizeof(uint32_t) * len)) != NULL;
    if (l->type == EVX_LAYER_DROPOUT)
      ok &= (w->mask[i] = malloc(sizeof(float) * len)) != NULL;
    if (l->type == EVX_LAYER_BATCHNORM) {
      size_t groups = max_n / TL_BN_GROUP + 2;   /* a chunk may cut two groups */
      ok &= (w->xhat[i] = malloc(sizeof(float) * len)) != NULL;
      ok &= (w->istd[i] = malloc(sizeof(float) * groups * l->in.c)) != NULL;
      ok &= (w->stat[i] = calloc(2 * (size_t)l->in.c, sizeof(double))) != NULL;
    }
    if (l->type == EVX_LAYER_CONV1D || l->type == EVX_LAYER_CONV2D) {
      size_t cols = (size_t)l->out.h * l->out.w * max_n;
      size_t k = (size_t)l->in.c * l->kh * l->kw;
      ok &= (w->col[i] = malloc(sizeof(float) * k * cols)) != NULL;
      col = col > k * cols ? col : k * cols;
      tmp = tmp > l->out.c * cols ? tmp : l->out.c * cols;
      tmp = tmp > tl_conv_wg_len(l) ? tmp : tl_conv_wg_len(l);
    }
  }
  w->dcol = malloc(sizeof(float) * col);
  w->tmp = malloc(sizeof(float) * tmp);
  w->g0 = malloc(sizeof(float) * big * max_n);
  w->g1 = malloc(sizeof(float) * big * max_n);
  if (!ok || !w->dcol || !w->tmp || !w->g0 || !w->g1) {
    tl_work_free(w);
    return NULL;
  }
  return w;
}

void tl_work_free(tl_work *w)
{
  if (!w)
    return;
  for (int i = 0; i < EVX_MAX_LAYERS; i++) {
    free(w->act[i]);
    free(w->arg[i]);
    free(w->mask[i]);
    free(w->col[i]);
    free(w->xhat[i]);
    free(w->istd[i]);
    free(w->stat[i]);
  }
  free(w->dcol);
  free(w->tmp);
  free(w->g0);
  free(w->g1);
  free(w);
}

const float *tl_probs(const tl_work *w)
{
  for (int i = EVX_MAX_LAYERS - 1; i >= 0; i--)
    if (w->act[i])
      return w->act[i];
  return NULL;
}

/* ---- forward / backward ---------------------------------------------------- */

static int is_maxpool(const tl_layer *l)
{
  return l->type == EVX_LAYER_MAXPOOL1D || l->type == EVX_LAYER_MAXPOOL2D;
}

/* Layer i is a ReLU that only a max pooling reads: the pooling takes it
 * inside its own pass both ways (tl_relu_maxpool_forward,
 * tl_maxpool_relu_backward), so its output is never written. */
static int relu_into_pool(const tl_graph *g, uint32_t i)
{
  return i + 1 < g->n_layers && g->layers[i].type == EVX_LAYER_RELU &&
         is_maxpool(&g->layers[i + 1]);
}

void tl_forward(const tl_graph *g, tl_work *w, const float *params,
                const float *x, size_t n, int train, uint64_t dropout_seed,
                size_t first, float *probs)
{
  w->x = x;
  w->n = n;
  w->first = first;
  const float *in = x;
  for (uint32_t i = 0; i < g->n_layers; i++) {
    const tl_layer *l = &g->layers[i];
    float *out = w->act[i];
    const float *wt = params + l->w_off, *b = params + l->b_off;
    size_t len = n * tl_shape_len(l->out);
    switch (l->type) {
    case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D:
      tl_conv_forward(l, wt, b, in, n, w->col[i], w->tmp, out);
      break;
    case EVX_LAYER_DENSE: tl_dense_forward(l, wt, b, in, n, out); break;
    case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D:
      if (i > 0 && relu_into_pool(g, i - 1))   /* in: the ReLU's input */
        tl_relu_maxpool_forward(l, in, n, out, w->arg[i]);
      else
        tl_maxpool_forward(l, in, n, out, w->arg[i]);
      break;
    case EVX_LAYER_RELU:
      if (relu_into_pool(g, i))
        continue;   /* the pooling reads `in` through it */
      tl_relu_forward(len, in, out);
      break;
    case EVX_LAYER_BATCHNORM:
      if (train) {
        memset(w->stat[i], 0, sizeof(double) * 2 * l->in.c);
        w->groups[i] = 0;
      }
      tl_bn_forward(l, wt, b, params + l->s_off, params + l->s_off + l->in.c, in, n,
                    train, first, w->xhat[i], w->istd[i], w->stat[i], &w->groups[i], out);
      break;
    case EVX_LAYER_DROPOUT:
      tl_dropout_forward(l, in, n, train, tl_rng_mix(dropout_seed, i), first,
                         w->mask[i], out);
      break;
    case EVX_LAYER_GAP: tl_gap_forward(l, in, n, out); break;
    case EVX_LAYER_SOFTMAX: tl_softmax_rows(in, n, l->in.c, out); break;
    default: memcpy(out, in, sizeof(float) * len); break;   /* flatten */
    }
    in = out;
  }
  if (probs)
    memcpy(probs, in, sizeof(float) * n * g->n_classes);
}

void tl_backward(const tl_graph *g, tl_work *w, const float *params,
                 const int *y, const float *sw, double norm, float smooth, float *grad,
                 double *loss, float *dx_out)
{
  const size_t n = w->n, k = g->n_classes;
  const float *p = w->act[g->n_layers - 1];
  float *dy = w->g0, *dx = w->g1;
  /* Softmax + cross-entropy against the target t = (1 - smooth) onehot +
   * smooth / k: d loss / d logits = weight * (p - t) / norm. */
  double l_sum = 0;
  const float off = smooth / (float)k, on = 1.0f - smooth + off;
  for (size_t s = 0; s < n; s++) {
    float ws = sw ? sw[s] : 1.0f;
    float scale = (float)(ws / norm);
    for (size_t j = 0; j < k; j++) {
      float t = j == (size_t)y[s] ? on : off;
      if (t > 0.0f)
        l_sum -= ws * t * log(fmax(p[s * k + j], 1e-30));
      dy[s * k + j] = scale * (p[s * k + j] - t);
    }
  }
  if (loss)
    *loss += l_sum / norm;
  for (int i = (int)g->n_layers - 2; i >= 0; i--) {
    const tl_layer *l = &g->layers[i];
    const float *in = i ? w->act[i - 1] : w->x;
    float *dxi = (i == 0) ? dx_out : dx;
    size_t len = n * tl_shape_len(l->out);
    const float *wt = params + l->w_off;
    float *dw = grad + l->w_off, *db = grad + l->b_off;
    switch (l->type) {
    case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D:
      tl_conv_backward(l, wt, w->col[i], dy, n, w->tmp, w->dcol, dw, db, dxi);
      break;
    case EVX_LAYER_DENSE: tl_dense_backward(l, wt, in, dy, n, dw, db, dxi); break;
    case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D:
      if (i > 0 && relu_into_pool(g, (uint32_t)i - 1)) {
        /* and the ReLU below in the same pass: its input gradient goes
         * where the ReLU would have written it */
        float *to = i - 1 == 0 ? dx_out : dx;
        if (to)
          tl_maxpool_relu_backward(l, w->arg[i], w->act[i], dy, n, to);
        if (--i == 0)
          break;
        float *t = dy;
        dy = dx;
        dx = t;
        continue;
      }
      if (dxi)
        tl_maxpool_backward(l, w->arg[i], dy, n, dxi);
      break;
    case EVX_LAYER_RELU: if (dxi) tl_relu_backward(len, w->act[i], dy, dxi); break;
    case EVX_LAYER_BATCHNORM:
      tl_bn_backward(l, wt, w->xhat[i], w->istd[i], dy, n, w->first, dw, db, dxi);
      break;
    case EVX_LAYER_DROPOUT: if (dxi) tl_dropout_backward(len, w->mask[i], dy, dxi); break;
    case EVX_LAYER_GAP: if (dxi) tl_gap_backward(l, dy, n, dxi); break;
    default: if (dxi) memcpy(dxi, dy, sizeof(float) * len); break;   /* flatten */
    }
    if (i == 0)
      break;
    float *t = dy;   /* this layer's input gradient is the next one's output gradient */
    dy = dx;
    dx = t;
  }
}

void tl_bn_update_running(const tl_graph *g, tl_work *const *works, int n_works,
                          float *params)
{
  for (uint32_t i = 0; i < g->n_layers; i++) {
    const tl_layer *l = &g->layers[i];
    if (l->type != EVX_LAYER_BATCHNORM)
      continue;
    const size_t C = l->in.c;
    size_t groups = 0;
    for (int t = 0; t < n_works; t++)
      groups += works[t]->groups[i];
    if (!groups)
      continue;
    float *mean = params + l->s_off, *var = mean + C;
    for (size_t c = 0; c < C; c++) {
      double sm = 0, sv = 0;
      for (int t = 0; t < n_works; t++)
        sm += works[t]->stat[i][c], sv += works[t]->stat[i][C + c];
      mean[c] = (float)((1.0 - TL_BN_MOMENTUM) * mean[c] + TL_BN_MOMENTUM * sm / (double)groups);
      var[c] = (float)((1.0 - TL_BN_MOMENTUM) * var[c] + TL_BN_MOMENTUM * sv / (double)groups);
    }
  }
}
