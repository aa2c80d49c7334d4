/* norm.c: fitting and applying the input normalisation (see norm.h). */
#include "norm.h"
#include "evx_nn_kernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t dim_of(evx_shape s, uint32_t axis)
{
  return axis == 0 ? s.c : axis == 1 ? s.h : s.w;
}

/* Index along axis of element e of a (c, h, w) row. */
static uint32_t axis_index(evx_shape s, uint32_t axis, size_t e)
{
  uint32_t w = (uint32_t)(e % s.w), h = (uint32_t)(e / s.w % s.h);
  uint32_t c = (uint32_t)(e / ((size_t)s.w * s.h));
  return axis == 0 ? c : axis == 1 ? h : w;
}

/* A non-finite value (the padding of a short frame-matrix window) is 0 at
 * the network input, as in evx_net_begin. */
static void zero_nonfinite(float *row, size_t n)
{
  for (size_t e = 0; e < n; e++)
    if (!isfinite(row[e])) row[e] = 0.0f;
}

int tl_norm_fit(tl_norm *nm, evx_shape s, uint32_t axis, uint32_t window_mean,
                const float *x, size_t n)
{
  memset(nm, 0, sizeof *nm);
  if (axis > 2)
    return -1;
  const uint32_t len = dim_of(s, axis);
  const size_t total = (size_t)s.c * s.h * s.w;
  double *sum = calloc(len, sizeof(double)), *sq = calloc(len, sizeof(double));
  float *row = malloc(sizeof(float) * total);
  nm->mean = calloc(len, sizeof(float));
  nm->scale = malloc(sizeof(float) * len);
  if (!sum || !sq || !row || !nm->mean || !nm->scale) {
    free(sum), free(sq), free(row);
    tl_norm_free(nm);
    return -1;
  }
  /* while fitting, mean 0 and scale 1: the kernel only takes the window mean */
  for (uint32_t i = 0; i < len; i++)
    nm->scale[i] = 1.0f;
  const evx_norm centre = { .axis = axis, .len = len, .mean = nm->mean, .scale = nm->scale,
                            .window_mean = 1 };
  nm->axis = axis, nm->len = len, nm->window_mean = window_mean;
  for (size_t r = 0; r < n; r++) {
    memcpy(row, x + r * total, sizeof(float) * total);
    zero_nonfinite(row, total);
    if (window_mean)
      evx_k_norm(&centre, s, row, 0, len);
    for (size_t e = 0; e < total; e++) {
      uint32_t i = axis_index(s, axis, e);
      sum[i] += row[e];
      sq[i] += (double)row[e] * row[e];
    }
  }
  const double count = (double)n * (double)(total / len);
  for (uint32_t i = 0; i < len; i++) {
    double mu = count > 0 ? sum[i] / count : 0.0;
    double var = count > 0 ? sq[i] / count - mu * mu : 0.0;
    double sd = sqrt(var > 0 ? var : 0);
    nm->mean[i] = (float)mu;
    nm->scale[i] = sd > 1e-6 ? (float)(1.0 / sd) : 1.0f;  /* constant input: leave scale */
  }
  free(sum), free(sq), free(row);
  return 0;
}

int tl_norm_fit_input(tl_norm *nm, const evx_feature_config *cfg, const float *x, size_t n)
{
  const uint32_t k = cfg->input_kind;
  const uint32_t axis = k == EVX_INPUT_LOGMEL ? 1 : k == EVX_INPUT_FRAMES ? 0 : 2;
  return tl_norm_fit(nm, evx_input_shape(cfg), axis, k == EVX_INPUT_LOGMEL, x, n);
}

/* Core's own kernel (evx_k_norm, the network's first op), so training
 * computes exactly what inference does. */
void tl_norm_apply(const tl_norm *nm, evx_shape s, float *x, size_t n)
{
  if (!nm->len)
    return;
  const size_t total = (size_t)s.c * s.h * s.w;
  const evx_norm view = tl_norm_view(nm);
  for (size_t r = 0; r < n; r++) {
    float *row = x + r * total;
    zero_nonfinite(row, total);
    evx_k_norm(&view, s, row, 0, nm->len);
  }
}

evx_norm tl_norm_view(const tl_norm *nm)
{
  return (evx_norm){ .axis = nm->axis, .len = nm->len, .mean = nm->mean,
                     .scale = nm->scale, .window_mean = nm->window_mean };
}

void tl_norm_free(tl_norm *nm)
{
  free(nm->mean);
  free(nm->scale);
  nm->mean = nm->scale = NULL;
  nm->len = 0;
}
