/* test_gradients.c: every layer type's backward pass against central finite
 * differences of the loss (parameters and input), in float with tolerances
 * fit for float. Each graph is: input -> layer(s) under test -> ... ->
 * Dense -> Softmax + cross-entropy. */
#include "test_util.h"
#include "learn/graph.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_SAMPLES 3
#define N_CLASSES 4

typedef struct {
  tl_graph g;
  float *params, *grad, *x, *dx;
  int y[N_SAMPLES];
  float sw[N_SAMPLES];
  float smooth;              /* label smoothing of the loss */
  size_t first;              /* the chunk's first sample in its batch */
  float scale;               /* the params' deviation; 0: 0.5 */
  tl_work *w;
} fixture;

static double loss_of(fixture *f)
{
  float *scratch = calloc(f->g.n_params, sizeof(float));
  double loss = 0;
  tl_forward(&f->g, f->w, f->params, f->x, N_SAMPLES, 1, 42, f->first, NULL);
  tl_backward(&f->g, f->w, f->params, f->y, f->sw, 2.5, f->smooth, scratch, &loss, NULL);
  free(scratch);
  return loss;
}

static void setup(fixture *f, uint64_t seed)
{
  uint64_t r = seed;
  size_t in = tl_shape_len(f->g.input);
  f->params = malloc(sizeof(float) * f->g.n_params);
  f->grad = calloc(f->g.n_params, sizeof(float));
  f->x = malloc(sizeof(float) * in * N_SAMPLES);
  f->dx = malloc(sizeof(float) * in * N_SAMPLES);
  for (size_t i = 0; i < f->g.n_params; i++)
    f->params[i] = (float)((f->scale ? f->scale : 0.5) * tu_gauss(&r));
  /* Inputs: a shuffled grid over [-1.5, 1.5], so no two values of a pooling
   * window come within the finite-difference step of each other. */
  const size_t m = in * N_SAMPLES;
  for (size_t i = 0; i < m; i++)
    f->x[i] = 3.0f * (float)i / (float)m - 1.5f;
  for (size_t i = m; i > 1; i--) {
    size_t j = (size_t)(tu_rand(&r) % i);
    float t = f->x[i - 1];
    f->x[i - 1] = f->x[j];
    f->x[j] = t;
  }
  for (int s = 0; s < N_SAMPLES; s++) {
    f->y[s] = (int)(tu_rand(&r) % N_CLASSES);
    f->sw[s] = 0.5f + (float)s;   /* unequal class weights */
  }
  f->w = tl_work_new(&f->g, N_SAMPLES);
  assert_non_null(f->w);
}

static void teardown(fixture *f)
{
  tl_work_free(f->w);
  free(f->params), free(f->grad), free(f->x), free(f->dx);
}

/* Compare one analytic derivative with (L(v+h) - L(v-h)) / 2h. */
static int check_one(fixture *f, float *v, float analytic, const char *what, size_t i)
{
  const float h = 2e-3f, keep = *v;
  *v = keep + h;
  double up = loss_of(f);
  *v = keep - h;
  double down = loss_of(f);
  *v = keep;
  double numeric = (up - down) / (2.0 * h);
  double tol = 2e-3 + 2e-2 * fabs(numeric);
  if (fabs(numeric - analytic) > tol) {
    print_message("%s[%zu]: analytic %.6g numeric %.6g\n", what, i, analytic, numeric);
    return 1;
  }
  return 0;
}

/* Every param and input from the first, `every` apart. */
static void check_graph_every(fixture *f, size_t every)
{
  setup(f, 7);
  double loss = 0;
  tl_forward(&f->g, f->w, f->params, f->x, N_SAMPLES, 1, 42, f->first, NULL);
  tl_backward(&f->g, f->w, f->params, f->y, f->sw, 2.5, f->smooth, f->grad, &loss, f->dx);
  assert_true(loss > 0 && isfinite(loss));
  int bad = 0;
  for (size_t i = 0; i < f->g.n_params; i += every)
    bad += check_one(f, &f->params[i], f->grad[i], "param", i);
  for (size_t i = 0; i < tl_shape_len(f->g.input) * N_SAMPLES; i += every)
    bad += check_one(f, &f->x[i], f->dx[i], "input", i);
  assert_int_equal(bad, 0);
  teardown(f);
}

static void check_graph(fixture *f) { check_graph_every(f, 1); }

#define ADD(call) assert_int_equal((call), 0)
static char err[256];

static void head(tl_graph *g)
{
  ADD(tl_add_simple(g, EVX_LAYER_FLATTEN, 0, err, sizeof err));
  ADD(tl_add_dense(g, N_CLASSES, err, sizeof err));
  ADD(tl_add_simple(g, EVX_LAYER_SOFTMAX, 0, err, sizeof err));
  ADD(tl_graph_check(g, err, sizeof err));
}

/* Dense -> Dense -> Softmax + cross-entropy, with label smoothing smooth. */
static void check_dense_softmax_ce(float smooth)
{
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 6, 1, 1 }, N_CLASSES);
  ADD(tl_add_dense(&f.g, 5, err, sizeof err));
  head(&f.g);
  f.smooth = smooth;
  check_graph(&f);
}

static void test_dense_softmax_ce(void **state)
{
  (void)state;
  check_dense_softmax_ce(0.0f);
}

/* The same with label smoothing (--label-smoothing): the loss against the
 * smoothed target and its gradient agree. */
static void test_dense_softmax_ce_smoothed(void **state)
{
  (void)state;
  check_dense_softmax_ce(0.2f);
}

static void test_conv1d(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 2, 1, 9 }, N_CLASSES);
  ADD(tl_add_conv(&f.g, 0, 3, 5, 2, err, sizeof err));
  ADD(tl_add_conv(&f.g, 0, 2, 3, 0, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

static void test_conv2d(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 2, 5, 6 }, N_CLASSES);
  ADD(tl_add_conv(&f.g, 1, 3, 3, 1, err, sizeof err));
  ADD(tl_add_conv(&f.g, 1, 2, 3, 0, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

/* Convolutions {out channels, kernel, padding}, then the head (after global
 * average pooling when gap: wide convolutions' outputs averaged keep the
 * logits small enough that the softmax does not saturate; flattened, they
 * would). */
static void check_convs(evx_shape in, int two_d, size_t n, const uint32_t (*conv)[3], int gap)
{
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, in, N_CLASSES);
  for (size_t i = 0; i < n; i++)
    ADD(tl_add_conv(&f.g, two_d, conv[i][0], conv[i][1], conv[i][2], err, sizeof err));
  if (gap)
    ADD(tl_add_simple(&f.g, EVX_LAYER_GAP, 0, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

/* Wider than one tile of the conv kernel (8 channels x up to 32 positions)
 * both ways, odd sizes: partial channel blocks and position strips in the
 * forward pass and in the input gradient (whose outputs are the input
 * channels); the 2-D one's second layer pads less than "same". */
static void test_conv1d_wide(void **state)
{
  (void)state;
  check_convs((evx_shape){ 10, 1, 37 }, 0, 2, (const uint32_t[][3]){ { 9, 5, 2 }, { 3, 3, 1 } }, 1);
}

static void test_conv2d_wide(void **state)
{
  (void)state;
  check_convs((evx_shape){ 9, 4, 35 }, 1, 2, (const uint32_t[][3]){ { 10, 3, 1 }, { 2, 3, 0 } }, 1);
}

/* The weight gradient as one sgemm per sample (one input channel, in 1-D
 * and 2-D, or 2048 filter pairs and more) rather than one per tap. */
static void test_conv_one_gemm(void **state)
{
  (void)state;
  check_convs((evx_shape){ 1, 5, 7 }, 1, 2, (const uint32_t[][3]){ { 3, 3, 1 }, { 2, 3, 0 } }, 0);
  check_convs((evx_shape){ 1, 1, 11 }, 0, 1, (const uint32_t[][3]){ { 3, 5, 2 } }, 0);
  check_convs((evx_shape){ 32, 1, 3 }, 0, 1, (const uint32_t[][3]){ { 64, 3, 1 } }, 1);
}

/* Convs that core runs as Winograd F(2, 5) / F(4, 3) (32 channels in and
 * out over 64 positions, on a CPU with FMA), whose training forward and
 * input gradient run so too: every 31st param and input (all of them
 * would take minutes). */
static void test_conv_winograd(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  f.scale = 0.08f; /* logits that do not saturate the softmax */
  tl_graph_init(&f.g, (evx_shape){ 32, 1, 64 }, N_CLASSES);
  ADD(tl_add_conv(&f.g, 0, 32, 5, 2, err, sizeof err));
  ADD(tl_add_conv(&f.g, 0, 32, 5, 2, err, sizeof err));
  ADD(tl_add_conv(&f.g, 0, 33, 3, 1, err, sizeof err));
  ADD(tl_add_simple(&f.g, EVX_LAYER_GAP, 0, err, sizeof err));
  head(&f.g);
  check_graph_every(&f, 31);
}

/* The im2col path: padding as large as the kernel (the input gradient is
 * then no convolution of the padded output gradient), and a layer whose
 * im2col scratch for the chunk is smaller than its packed weights. */
static void test_conv_im2col(void **state)
{
  (void)state;
  check_convs((evx_shape){ 2, 1, 6 }, 0, 2, (const uint32_t[][3]){ { 8, 3, 3 }, { 16, 1, 0 } }, 0);
  check_convs((evx_shape){ 2, 4, 5 }, 1, 1, (const uint32_t[][3]){ { 3, 2, 2 } }, 0);
}

/* The first layer's backward pass, which computes no input gradient, gives
 * the parameter gradients bit for bit as with one, in 1-D and 2-D. */
static void test_conv_no_input_grad(void **state)
{
  (void)state;
  const evx_shape in[2] = { { 5, 1, 19 }, { 3, 6, 11 } };
  for (int two_d = 0; two_d < 2; two_d++) {
    fixture f;
    memset(&f, 0, sizeof f);
    tl_graph_init(&f.g, in[two_d], N_CLASSES);
    ADD(tl_add_conv(&f.g, two_d, 9, 3, 1, err, sizeof err));
    ADD(tl_add_conv(&f.g, two_d, 2, 3, 0, err, sizeof err));
    head(&f.g);
    setup(&f, 5);
    float *without = calloc(f.g.n_params, sizeof(float));
    tl_forward(&f.g, f.w, f.params, f.x, N_SAMPLES, 1, 42, 0, NULL);
    tl_backward(&f.g, f.w, f.params, f.y, f.sw, 2.5, 0, f.grad, NULL, f.dx);
    tl_forward(&f.g, f.w, f.params, f.x, N_SAMPLES, 1, 42, 0, NULL);
    tl_backward(&f.g, f.w, f.params, f.y, f.sw, 2.5, 0, without, NULL, NULL);
    assert_memory_equal(f.grad, without, sizeof(float) * f.g.n_params);
    free(without);
    teardown(&f);
  }
}

static void test_maxpool1d(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 2, 1, 11 }, N_CLASSES);
  ADD(tl_add_maxpool(&f.g, 0, 3, 2, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

static void test_maxpool2d(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 2, 7, 8 }, N_CLASSES);
  ADD(tl_add_maxpool(&f.g, 1, 3, 2, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

static void test_relu(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 3, 1, 5 }, N_CLASSES);
  ADD(tl_add_simple(&f.g, EVX_LAYER_RELU, 0, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

/* A ReLU before a pooling runs inside the pooling's passes (graph.c). The
 * input's 189 grid values keep clear of 0 by more than the step. */
static void test_relu_maxpool2d(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 1, 7, 9 }, N_CLASSES);
  ADD(tl_add_simple(&f.g, EVX_LAYER_RELU, 0, err, sizeof err));
  ADD(tl_add_maxpool(&f.g, 1, 3, 2, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

static void test_dropout(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 3, 1, 6 }, N_CLASSES);
  ADD(tl_add_simple(&f.g, EVX_LAYER_DROPOUT, 0.4f, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

static void test_gap(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 3, 4, 5 }, N_CLASSES);
  ADD(tl_add_simple(&f.g, EVX_LAYER_GAP, 0, err, sizeof err));
  ADD(tl_add_dense(&f.g, N_CLASSES, err, sizeof err));
  ADD(tl_add_simple(&f.g, EVX_LAYER_SOFTMAX, 0, err, sizeof err));
  check_graph(&f);
}

/* BatchNorm with batch statistics after a conv (no ReLU after it: outputs
 * near 0 put a kink within the finite difference's step); first is
 * where the chunk starts in its batch: 0 puts the three samples in one
 * ghost batch, TL_BN_GROUP - 2 splits them 2 + 1. (The running mean and var
 * play no part in training: their analytic and numeric gradients are 0.) */
static void check_batchnorm(size_t first)
{
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 2, 1, 7 }, N_CLASSES);
  ADD(tl_add_conv(&f.g, 0, 3, 3, 1, err, sizeof err));
  ADD(tl_add_batchnorm(&f.g, err, sizeof err));
  head(&f.g);
  f.first = first;
  check_graph(&f);
}

static void test_batchnorm(void **state) { (void)state; check_batchnorm(0); }
static void test_batchnorm_split_group(void **state) { (void)state; check_batchnorm(TL_BN_GROUP - 2); }

/* A batch of 2 x TL_BN_GROUP rows gives the same outputs and the same running
 * averages as one chunk or as two (two threads): ghost batches are fixed by
 * the sample's index in the batch, not by the thread split. The running
 * averages move by the momentum towards the groups' mean statistics. */
static void test_batchnorm_thread_invariant(void **state)
{
  (void)state;
  enum { B = 2 * TL_BN_GROUP, C = 2, L = 5 };
  tl_graph g;
  tl_graph_init(&g, (evx_shape){ C, 1, L }, N_CLASSES);
  ADD(tl_add_batchnorm(&g, err, sizeof err));
  head(&g);
  float *p1 = calloc(g.n_params, sizeof(float)), *p2 = calloc(g.n_params, sizeof(float));
  uint64_t r = 11;
  tl_graph_init_params(&g, p1, &r);
  float x[B * C * L], whole[B * N_CLASSES], parts[B * N_CLASSES];
  double mean0 = 0, v0 = 0, v1 = 0;   /* channel 0 of each group, by hand */
  for (size_t i = 0; i < B * C * L; i++)
    x[i] = (float)tu_gauss(&r) + (i / (C * L) < TL_BN_GROUP ? 3.0f : -1.0f);
  for (int grp = 0; grp < 2; grp++) {
    double s = 0, q = 0;
    for (int k = 0; k < TL_BN_GROUP; k++)
      for (int i = 0; i < L; i++)
        s += x[((grp * TL_BN_GROUP + k) * C) * L + i];
    s /= TL_BN_GROUP * L;
    for (int k = 0; k < TL_BN_GROUP; k++)
      for (int i = 0; i < L; i++) {
        double d = x[((grp * TL_BN_GROUP + k) * C) * L + i] - s;
        q += d * d;
      }
    mean0 += s / 2;
    *(grp ? &v1 : &v0) = q / (TL_BN_GROUP * L - 1);
  }
  memcpy(p2, p1, sizeof(float) * g.n_params);
  tl_work *one = tl_work_new(&g, B), *a = tl_work_new(&g, B), *b = tl_work_new(&g, B);
  tl_forward(&g, one, p1, x, B, 1, 3, 0, whole);
  tl_forward(&g, a, p2, x, TL_BN_GROUP, 1, 3, 0, parts);
  tl_forward(&g, b, p2, x + TL_BN_GROUP * C * L, TL_BN_GROUP, 1, 3, TL_BN_GROUP,
             parts + TL_BN_GROUP * N_CLASSES);
  assert_memory_equal(whole, parts, sizeof whole);
  tl_bn_update_running(&g, &one, 1, p1);
  tl_work *two[2] = { a, b };
  tl_bn_update_running(&g, two, 2, p2);
  assert_memory_equal(p1, p2, sizeof(float) * g.n_params);
  const tl_layer *bn = &g.layers[0];
  assert_float_equal(p1[bn->s_off], TL_BN_MOMENTUM * mean0, 1e-5);
  assert_float_equal(p1[bn->s_off + C], (1 - TL_BN_MOMENTUM) + TL_BN_MOMENTUM * (v0 + v1) / 2, 1e-4);
  tl_work_free(one), tl_work_free(a), tl_work_free(b);
  free(p1), free(p2);
}

/* The seed architecture end to end, small. */
static void test_seed_like_stack(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 1, 1, 20 }, N_CLASSES);
  ADD(tl_add_conv(&f.g, 0, 3, 5, 2, err, sizeof err));
  ADD(tl_add_simple(&f.g, EVX_LAYER_RELU, 0, err, sizeof err));
  ADD(tl_add_maxpool(&f.g, 0, 3, 2, err, sizeof err));
  ADD(tl_add_simple(&f.g, EVX_LAYER_DROPOUT, 0.25f, err, sizeof err));
  ADD(tl_add_conv(&f.g, 0, 4, 3, 1, err, sizeof err));
  ADD(tl_add_simple(&f.g, EVX_LAYER_RELU, 0, err, sizeof err));
  head(&f.g);
  check_graph(&f);
}

/* Dropout masks depend on the sample's index, not on how the batch is cut. */
static void test_dropout_split_invariant(void **state)
{
  (void)state;
  fixture f;
  memset(&f, 0, sizeof f);
  tl_graph_init(&f.g, (evx_shape){ 2, 1, 8 }, N_CLASSES);
  ADD(tl_add_simple(&f.g, EVX_LAYER_DROPOUT, 0.5f, err, sizeof err));
  head(&f.g);
  setup(&f, 3);
  float whole[N_SAMPLES * N_CLASSES], part[N_SAMPLES * N_CLASSES];
  tl_forward(&f.g, f.w, f.params, f.x, N_SAMPLES, 1, 9, 0, whole);
  tl_forward(&f.g, f.w, f.params, f.x, 1, 1, 9, 0, part);
  tl_forward(&f.g, f.w, f.params, f.x + 16, N_SAMPLES - 1, 1, 9, 1, part + N_CLASSES);
  assert_memory_equal(whole, part, sizeof whole);
  teardown(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_dense_softmax_ce),
    cmocka_unit_test(test_dense_softmax_ce_smoothed),
    cmocka_unit_test(test_conv1d),
    cmocka_unit_test(test_conv2d),
    cmocka_unit_test(test_conv1d_wide),
    cmocka_unit_test(test_conv2d_wide),
    cmocka_unit_test(test_conv_one_gemm),
    cmocka_unit_test(test_conv_winograd),
    cmocka_unit_test(test_conv_im2col),
    cmocka_unit_test(test_conv_no_input_grad),
    cmocka_unit_test(test_maxpool1d),
    cmocka_unit_test(test_maxpool2d),
    cmocka_unit_test(test_relu),
    cmocka_unit_test(test_relu_maxpool2d),
    cmocka_unit_test(test_dropout),
    cmocka_unit_test(test_gap),
    cmocka_unit_test(test_seed_like_stack),
    cmocka_unit_test(test_dropout_split_invariant),
    cmocka_unit_test(test_batchnorm),
    cmocka_unit_test(test_batchnorm_split_group),
    cmocka_unit_test(test_batchnorm_thread_invariant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
