/* nn_ref.c: the naive reference the engine is checked against: textbook
 * loops, double accumulation, explicit bounds checks for padding. */
#include "nn_ref.h"
#include "test_util.h"
#include "evx_nn_net.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ref_fill(uint64_t *rng, float *x, size_t n, double lo, double hi)
{
  for (size_t i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * tu_uniform(rng));
}

static size_t elems(evx_shape s) { return (size_t)s.c * s.h * s.w; }
size_t ref_out_elems(const evx_model *m) { return elems(m->layers[m->n_layers - 1].out); }

static void conv(const evx_layer *l, const double *x, double *y)
{
  evx_shape i = l->in, o = l->out;
  for (size_t oc = 0; oc < o.c; oc++)
    for (size_t oh = 0; oh < o.h; oh++)
      for (size_t ow = 0; ow < o.w; ow++) {
        double s = l->w.bias ? l->w.bias[oc] : 0.0;
        for (size_t ic = 0; ic < i.c; ic++)
          for (size_t kh = 0; kh < l->kh; kh++)
            for (size_t kw = 0; kw < l->kw; kw++) {
              long ih = (long)(oh * l->sh + kh) - (long)l->ph;
              long iw = (long)(ow * l->sw + kw) - (long)l->pw;
              if (ih < 0 || iw < 0 || ih >= (long)i.h || iw >= (long)i.w) continue;
              s += l->w.weight[((oc * i.c + ic) * l->kh + kh) * l->kw + kw] *
                   x[(ic * i.h + (size_t)ih) * i.w + (size_t)iw];
            }
        y[(oc * o.h + oh) * o.w + ow] = s;
      }
}

static void pool(const evx_layer *l, const double *x, double *y)
{
  evx_shape i = l->in, o = l->out;
  for (size_t c = 0; c < o.c; c++)
    for (size_t oh = 0; oh < o.h; oh++)
      for (size_t ow = 0; ow < o.w; ow++) {
        double m = -INFINITY;
        for (size_t kh = 0; kh < l->kh; kh++)
          for (size_t kw = 0; kw < l->kw; kw++) {
            long ih = (long)(oh * l->sh + kh) - (long)l->ph;
            long iw = (long)(ow * l->sw + kw) - (long)l->pw;
            if (ih < 0 || iw < 0 || ih >= (long)i.h || iw >= (long)i.w) continue;
            double v = x[(c * i.h + (size_t)ih) * i.w + (size_t)iw];
            if (v > m) m = v;
          }
        y[(c * o.h + oh) * o.w + ow] = m;
      }
}

static void layer(const evx_layer *l, const double *x, double *y)
{
  size_t n = elems(l->in), hw = (size_t)l->in.h * l->in.w;
  switch (l->type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D: conv(l, x, y); break;
  case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D: pool(l, x, y); break;
  case EVX_LAYER_DENSE:
    for (size_t o = 0; o < l->out_ch; o++) {
      double s = l->w.bias ? l->w.bias[o] : 0.0;
      for (size_t i = 0; i < l->in.c; i++) s += l->w.weight[o * l->in.c + i] * x[i];
      y[o] = s;
    }
    break;
  case EVX_LAYER_RELU: for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0; break;
  case EVX_LAYER_BATCHNORM:
    for (size_t i = 0; i < n; i++) {
      size_t c = i / hw;
      y[i] = (x[i] - l->w.mean[c]) / sqrt((double)l->w.var[c] + l->eps) * l->w.weight[c] +
             l->w.bias[c];
    }
    break;
  case EVX_LAYER_GAP:
    for (size_t c = 0; c < l->in.c; c++) {
      double s = 0;
      for (size_t i = 0; i < hw; i++) s += x[c * hw + i];
      y[c] = s / (double)hw;
    }
    break;
  case EVX_LAYER_SOFTMAX: {
    double mx = -INFINITY, s = 0;
    for (size_t i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    for (size_t i = 0; i < n; i++) s += exp(x[i] - mx);
    for (size_t i = 0; i < n; i++) y[i] = exp(x[i] - mx) / s;
    break;
  }
  default: memcpy(y, x, n * sizeof *y); break; /* dropout, flatten */
  }
}

static void norm(const evx_model *m, double *x)
{
  const evx_norm *nm = &m->norm;
  evx_shape s = m->input;
  for (size_t i = 0; i < nm->len; i++) {
    double mu = 0;
    size_t cnt = 0;
    for (size_t c = 0; c < s.c; c++)
      for (size_t h = 0; h < s.h; h++)
        for (size_t w = 0; w < s.w; w++) {
          size_t idx[3] = { c, h, w };
          if (idx[nm->axis] != i) continue;
          mu += x[(c * s.h + h) * s.w + w];
          cnt++;
        }
    mu = nm->window_mean ? mu / (double)cnt : 0.0;
    for (size_t c = 0; c < s.c; c++)
      for (size_t h = 0; h < s.h; h++)
        for (size_t w = 0; w < s.w; w++) {
          size_t idx[3] = { c, h, w };
          if (idx[nm->axis] != i) continue;
          double *v = &x[(c * s.h + h) * s.w + w];
          *v = (*v - mu - nm->mean[i]) * nm->scale[i];
        }
  }
}

void ref_forward(const evx_model *m, const float *input, double *out)
{
  size_t cap = elems(m->input);
  for (uint32_t i = 0; i < m->n_layers; i++)
    if (elems(m->layers[i].out) > cap) cap = elems(m->layers[i].out);
  double *a = calloc(cap, sizeof *a), *b = calloc(cap, sizeof *b);
  for (size_t i = 0; i < elems(m->input); i++) a[i] = input[i];
  if (m->norm.len) norm(m, a);
  for (uint32_t i = 0; i < m->n_layers; i++) {
    layer(&m->layers[i], a, b);
    double *t = a; a = b; b = t;
  }
  memcpy(out, a, ref_out_elems(m) * sizeof *out);
  free(a);
  free(b);
}

size_t ref_run_net(const evx_model *m, const float *input, float *out, size_t out_cap)
{
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  if (!net) { free(mem); return 0; }
  evx_net_begin(net, input);
  while (!evx_net_step(net, UINT64_MAX)) {}
  size_t n = ref_out_elems(m);
  if (n > out_cap) n = out_cap;
  memcpy(out, evx_net_output(net), n * sizeof *out);
  free(mem);
  return n;
}
