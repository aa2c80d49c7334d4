/* test_fused_layers.c: the layer kernels that do two layers in one pass give
 * the bits of the two unfused kernels run one after the other, ties, signed
 * zeros and all (the graph picks the fused ones by itself, so the model a
 * seed trains must not depend on it), and the pooling the bits of a plain
 * loop. */
#include "test_util.h"
#include "learn/graph.h"
#include "learn/layers.h"
#include <float.h>
#include <stdlib.h>
#include <string.h>

#define N 3

/* Values from a small set, so pooling windows hold ties, zeros of both
 * signs and windows with nothing positive. */
static void fill_ties(float *x, size_t len, uint64_t *r)
{
  static const float set[] = { -2.0f, -1.0f, -0.0f, 0.0f, 0.5f, 1.0f, 1.0f, 2.0f };
  for (size_t i = 0; i < len; i++)
    x[i] = set[tu_rand(r) % 8];
}

/* A graph with one max pooling over input `in` (1-D when in.h == 1). */
static const tl_layer *pool_layer(tl_graph *g, evx_shape in)
{
  char err[256];
  tl_graph_init(g, in, 2);
  assert_int_equal(tl_add_maxpool(g, in.h > 1, 3, 2, err, sizeof err), 0);
  return &g->layers[0];
}

/* Pooling written out plainly: each window's first element inside the
 * input, then each strictly greater one, in window order; -FLT_MAX and 0
 * for a window wholly in the padding. */
static void ref_pool(const tl_layer *l, const float *x, float *y, uint32_t *arg)
{
  const evx_shape in = l->in, out = l->out;
  for (size_t p = 0; p < N * in.c; p++)
    for (uint32_t oh = 0; oh < out.h; oh++)
      for (uint32_t ow = 0; ow < out.w; ow++) {
        const float *xp = x + p * in.h * in.w;
        float best = -FLT_MAX;
        uint32_t best_at = 0;
        int found = 0;
        for (uint32_t ki = 0; ki < l->kh; ki++)
          for (uint32_t kj = 0; kj < l->kw; kj++) {
            long ih = (long)(oh * l->sh + ki) - l->ph, iw = (long)(ow * l->sw + kj) - l->pw;
            if (ih < 0 || iw < 0 || ih >= (long)in.h || iw >= (long)in.w)
              continue;
            uint32_t at = (uint32_t)(ih * in.w + iw);
            if (!found || xp[at] > best)
              best = xp[at], best_at = at, found = 1;
          }
        y[p * out.h * out.w + oh * out.w + ow] = best;
        arg[p * out.h * out.w + oh * out.w + ow] = best_at;
      }
}

/* The layer of pool_layer with padding 1 (no builder makes padding, but
 * the kernels take it): the edge windows are clipped. */
static const tl_layer *padded(tl_layer *l)
{
  l->pw = 1;
  if (l->in.h > 1)
    l->ph = 1;
  l->out.h = (l->in.h + 2 * l->ph - l->kh) / l->sh + 1;
  l->out.w = (l->in.w + 2 * l->pw - l->kw) / l->sw + 1;
  return l;
}

static void check_relu_pool(evx_shape in, int pad, uint64_t seed)
{
  tl_graph g;
  const tl_layer *l = pool_layer(&g, in);
  if (pad)
    l = padded(&g.layers[0]);
  const size_t il = N * tl_shape_len(l->in), ol = N * tl_shape_len(l->out);
  float *x = malloc(sizeof(float) * il), *r = malloc(sizeof(float) * il);
  float *y1 = malloc(sizeof(float) * ol), *y2 = malloc(sizeof(float) * ol);
  float *dy = malloc(sizeof(float) * ol), *d = malloc(sizeof(float) * il);
  float *dx1 = malloc(sizeof(float) * il), *dx2 = malloc(sizeof(float) * il);
  uint32_t *a1 = malloc(sizeof(uint32_t) * ol), *a2 = malloc(sizeof(uint32_t) * ol);
  uint64_t rs = seed;
  fill_ties(x, il, &rs);
  fill_ties(dy, ol, &rs);

  tl_relu_forward(il, x, r);                 /* unfused: ReLU, then pooling */
  ref_pool(l, r, y1, a1);
  tl_maxpool_forward(l, r, N, y2, a2);
  assert_memory_equal(y1, y2, sizeof(float) * ol);
  assert_memory_equal(a1, a2, sizeof(uint32_t) * ol);
  tl_relu_maxpool_forward(l, x, N, y2, a2);  /* fused */
  assert_memory_equal(y1, y2, sizeof(float) * ol);
  assert_memory_equal(a1, a2, sizeof(uint32_t) * ol);

  tl_maxpool_backward(l, a1, dy, N, d);      /* unfused backward */
  tl_relu_backward(il, r, d, dx1);
  memset(dx2, 0xff, sizeof(float) * il);     /* every element must be written */
  tl_maxpool_relu_backward(l, a2, y2, dy, N, dx2);
  assert_memory_equal(dx1, dx2, sizeof(float) * il);

  free(x), free(r), free(y1), free(y2), free(dy), free(d), free(dx1), free(dx2);
  free(a1), free(a2);
}

static void test_relu_maxpool1d(void **state)
{
  (void)state;
  check_relu_pool((evx_shape){ 4, 1, 23 }, 0, 1);
  check_relu_pool((evx_shape){ 3, 1, 8 }, 0, 2);
  check_relu_pool((evx_shape){ 3, 1, 9 }, 1, 5);
}

static void test_relu_maxpool2d(void **state)
{
  (void)state;
  check_relu_pool((evx_shape){ 2, 9, 13 }, 0, 3);
  check_relu_pool((evx_shape){ 3, 7, 8 }, 0, 4);
  check_relu_pool((evx_shape){ 2, 5, 7 }, 1, 6);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_relu_maxpool1d),
    cmocka_unit_test(test_relu_maxpool2d),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
