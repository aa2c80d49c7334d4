/* Each layer kind, alone, against the naive double-precision reference:
 * odd sizes, channel counts off the 8-block, strides, padding; once for
 * each instruction set this CPU runs, as each has its own conv tile and dot
 * product. evx_net_init() asks evx_nn_isa() for its kernels; this test is
 * linked with --wrap=evx_nn_isa so that it can choose them. */
#include "test_util.h"
#include "nn_ref.h"
#include "evx_nn_internal.h"
#include "evx_nn_kernels.h"
#include "evx_nn_winograd.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const evx_isa *forced_isa; /* NULL: the CPU's own choice */

const evx_isa *__real_evx_nn_isa(void);
const evx_isa *__wrap_evx_nn_isa(void)
{
  return forced_isa ? forced_isa : __real_evx_nn_isa();
}

typedef struct {
  evx_model m;
  float store[1 << 16];
} small_model;

/* One layer on input shape `in` with random parameters; optionally with an
 * input normalisation. Checks engine == reference within tolerance. */
static void check_layer(evx_layer l, evx_shape in, const evx_norm *norm, uint64_t seed)
{
  small_model *sm = calloc(1, sizeof *sm);
  evx_model *m = &sm->m;
  uint64_t rng = seed * 7919 + 1;
  char err[256];
  m->input = in;
  m->n_layers = 1;
  m->layers[0] = l;
  if (norm) m->norm = *norm;
  assert_int_equal(evx_model_infer_shapes(m, err, sizeof err), 0);
  float *p = sm->store;
  if (m->norm.len) {
    m->norm.mean = p; ref_fill(&rng, p, m->norm.len, -1, 1); p += m->norm.len;
    m->norm.scale = p; ref_fill(&rng, p, m->norm.len, 0.5, 2); p += m->norm.len;
  }
  evx_layer *L = &m->layers[0];
  const float **slot[EVX_T_MAX] = { &L->w.weight, &L->w.bias, &L->w.mean, &L->w.var };
  for (int r = 0; r < (int)evx_layer_n_tensors(L->type); r++) {
    uint32_t d[4] = { 1, 1, 1, 1 }, nd = evx_layer_tensor_dims(L, r, d);
    size_t n = 1;
    for (uint32_t k = 0; k < nd; k++) n *= d[k];
    assert_true(p + n <= sm->store + (1 << 16));
    ref_fill(&rng, p, n, r == EVX_T_VAR ? 0.1 : -1, r == EVX_T_VAR ? 2 : 1);
    *slot[r] = p;
    p += n;
  }
  size_t ni = evx_shape_elems(in), no = evx_shape_elems(L->out);
  float *x = malloc(ni * sizeof *x), *y = malloc(no * sizeof *y);
  double *ref = malloc(no * sizeof *ref);
  ref_fill(&rng, x, ni, -3, 3);
  ref_forward(m, x, ref);
  assert_int_equal(ref_run_net(m, x, y, no), no);
  for (size_t i = 0; i < no; i++) {
    double tol = 1e-5 * (1.0 + fabs(ref[i])) * (L->type <= EVX_LAYER_CONV2D ? 4 : 1);
    if (fabs(y[i] - ref[i]) > tol)
      fail_msg("layer %s, element %zu: engine %.9g, reference %.9g", evx_layer_name(L->type),
               i, (double)y[i], ref[i]);
  }
  free(x); free(y); free(ref); free(sm);
}

static evx_layer mk(uint32_t type, uint32_t oc, uint32_t kh, uint32_t kw, uint32_t sh,
                    uint32_t sw, uint32_t ph, uint32_t pw)
{
  evx_layer l = { .type = type, .out_ch = oc, .kh = kh, .kw = kw, .sh = sh, .sw = sw,
                  .ph = ph, .pw = pw, .eps = 1e-3f };
  return l;
}

static void test_conv1d(void **state)
{
  (void)state;
  check_layer(mk(EVX_LAYER_CONV1D, 32, 1, 5, 1, 1, 0, 2), (evx_shape){ 1, 1, 98 }, NULL, 1);
  check_layer(mk(EVX_LAYER_CONV1D, 13, 1, 3, 1, 1, 0, 1), (evx_shape){ 7, 1, 23 }, NULL, 2);
  check_layer(mk(EVX_LAYER_CONV1D, 5, 1, 4, 1, 3, 0, 2), (evx_shape){ 3, 1, 17 }, NULL, 3);
  check_layer(mk(EVX_LAYER_CONV1D, 9, 1, 1, 1, 1, 0, 0), (evx_shape){ 4, 1, 1 }, NULL, 4);
  /* the shipped temporal network's first layer; positions off every strip */
  check_layer(mk(EVX_LAYER_CONV1D, 64, 1, 5, 1, 1, 0, 2), (evx_shape){ 98, 1, 300 }, NULL, 17);
  check_layer(mk(EVX_LAYER_CONV1D, 21, 1, 3, 1, 1, 0, 1), (evx_shape){ 10, 1, 70 }, NULL, 18);
}

/* Layer l on input `in` runs as a Winograd conv (evx_nn_winograd.h) with
 * the kernels evx_net_init() picks. */
static int winograd(evx_layer l, evx_shape in)
{
  evx_model m = { .input = in, .n_layers = 1 };
  char err[256];
  m.layers[0] = l;
  assert_int_equal(evx_model_infer_shapes(&m, err, sizeof err), 0);
  return evx_wg_applies(evx_nn_isa(), &m.layers[0]);
}

/* Stride-1 1-D convs with enough channels and positions run as Winograd
 * F(4, 3) / F(2, 5) where the kernels fuse multiply-adds, held to the
 * direct conv's tolerance: the temporal network's three layers (as
 * shipped), then output channels off the 8-block, positions off every tile
 * and vector, no padding, a Conv2D of one row; small ones stay direct. */
static void test_conv1d_winograd(void **state)
{
  (void)state;
  const struct { evx_layer l; evx_shape in; } cases[] = {
    { mk(EVX_LAYER_CONV1D, 64, 1, 5, 1, 1, 0, 2), { 98, 1, 300 } },
    { mk(EVX_LAYER_CONV1D, 64, 1, 5, 1, 1, 0, 2), { 64, 1, 149 } },
    { mk(EVX_LAYER_CONV1D, 64, 1, 3, 1, 1, 0, 1), { 64, 1, 74 } },
    { mk(EVX_LAYER_CONV1D, 37, 1, 3, 1, 1, 0, 1), { 33, 1, 67 } },
    { mk(EVX_LAYER_CONV1D, 41, 1, 5, 1, 1, 0, 0), { 35, 1, 133 } },
    { mk(EVX_LAYER_CONV1D, 32, 1, 5, 1, 1, 0, 1), { 40, 1, 205 } },
    { mk(EVX_LAYER_CONV2D, 48, 1, 5, 1, 1, 0, 2), { 32, 1, 70 } },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_int_equal(winograd(cases[i].l, cases[i].in), evx_nn_isa()->fma);
    check_layer(cases[i].l, cases[i].in, NULL, 30 + i);
  }
  assert_false(winograd(mk(EVX_LAYER_CONV1D, 64, 1, 3, 1, 1, 0, 1), (evx_shape){ 32, 1, 48 }));
  assert_false(winograd(mk(EVX_LAYER_CONV1D, 32, 1, 5, 1, 1, 0, 2), (evx_shape){ 1, 1, 98 }));
  assert_false(winograd(mk(EVX_LAYER_CONV1D, 64, 1, 5, 1, 2, 0, 2), (evx_shape){ 64, 1, 300 }));
  assert_false(winograd(mk(EVX_LAYER_CONV1D, 64, 1, 4, 1, 1, 0, 2), (evx_shape){ 64, 1, 300 }));
}

static void test_conv2d(void **state)
{
  (void)state;
  check_layer(mk(EVX_LAYER_CONV2D, 8, 3, 3, 1, 1, 1, 1), (evx_shape){ 1, 64, 20 }, NULL, 5);
  check_layer(mk(EVX_LAYER_CONV2D, 11, 3, 5, 2, 1, 0, 2), (evx_shape){ 3, 9, 13 }, NULL, 6);
  check_layer(mk(EVX_LAYER_CONV2D, 6, 2, 3, 2, 2, 1, 1), (evx_shape){ 2, 7, 10 }, NULL, 7);
  check_layer(mk(EVX_LAYER_CONV2D, 17, 3, 3, 1, 1, 1, 1), (evx_shape){ 3, 5, 41 }, NULL, 19);
}

static void test_maxpool(void **state)
{
  (void)state;
  check_layer(mk(EVX_LAYER_MAXPOOL1D, 0, 1, 3, 1, 2, 0, 0), (evx_shape){ 32, 1, 98 }, NULL, 8);
  check_layer(mk(EVX_LAYER_MAXPOOL1D, 0, 1, 4, 1, 3, 0, 2), (evx_shape){ 3, 1, 11 }, NULL, 9);
  check_layer(mk(EVX_LAYER_MAXPOOL2D, 0, 3, 3, 2, 2, 0, 0), (evx_shape){ 8, 64, 100 }, NULL, 10);
  check_layer(mk(EVX_LAYER_MAXPOOL2D, 0, 3, 2, 1, 2, 1, 1), (evx_shape){ 2, 5, 9 }, NULL, 11);
}

static void test_dense_and_pointwise(void **state)
{
  (void)state;
  check_layer(mk(EVX_LAYER_DENSE, 8, 0, 0, 0, 0, 0, 0), (evx_shape){ 1472, 1, 1 }, NULL, 12);
  check_layer(mk(EVX_LAYER_DENSE, 3, 0, 0, 0, 0, 0, 0), (evx_shape){ 37, 1, 1 }, NULL, 13);
  /* four outputs at a time and one left over, inputs off every vector */
  check_layer(mk(EVX_LAYER_DENSE, 37, 0, 0, 0, 0, 0, 0), (evx_shape){ 294, 1, 1 }, NULL, 20);
  check_layer(mk(EVX_LAYER_RELU, 0, 0, 0, 0, 0, 0, 0), (evx_shape){ 3, 4, 5 }, NULL, 14);
  check_layer(mk(EVX_LAYER_BATCHNORM, 0, 0, 0, 0, 0, 0, 0), (evx_shape){ 5, 3, 7 }, NULL, 15);
  check_layer(mk(EVX_LAYER_DROPOUT, 0, 0, 0, 0, 0, 0, 0), (evx_shape){ 2, 3, 4 }, NULL, 16);
  check_layer(mk(EVX_LAYER_FLATTEN, 0, 0, 0, 0, 0, 0, 0), (evx_shape){ 2, 3, 4 }, NULL, 17);
  check_layer(mk(EVX_LAYER_GAP, 0, 0, 0, 0, 0, 0, 0), (evx_shape){ 6, 5, 7 }, NULL, 18);
  check_layer(mk(EVX_LAYER_SOFTMAX, 0, 0, 0, 0, 0, 0, 0), (evx_shape){ 8, 1, 1 }, NULL, 19);
}

/* The dense kernel runs four outputs at a time where it can: a slice of one
 * output, of three, or the whole layer give the same bits. */
static void test_dense_slices_same_bits(void **state)
{
  (void)state;
  enum { IN = 294, OUT = 37 };
  static float w[OUT * IN], b[OUT], x[IN], whole[OUT], sliced[OUT];
  uint64_t rng = 5;
  ref_fill(&rng, w, OUT * IN, -1, 1);
  ref_fill(&rng, b, OUT, -1, 1);
  ref_fill(&rng, x, IN, -3, 3);
  evx_kargs a = { .isa = evx_nn_isa(), .src = x, .w = w, .b = b, .in = { IN, 1, 1 },
                  .out = { OUT, 1, 1 }, .relu = 1 };
  a.dst = whole;
  evx_k_dense(&a, 0, OUT);
  a.dst = sliced;
  for (uint32_t u = 0; u < OUT; u += u % 2 ? 3 : 1)
    evx_k_dense(&a, u, u + (u % 2 ? 3 : 1) < OUT ? u + (u % 2 ? 3 : 1) : OUT);
  assert_memory_equal(whole, sliced, sizeof whole);
}

/* A row's last strip runs a narrower tile when one vector covers it: the
 * outputs it computes are the same bits as the wider tile's. Width 40 ends
 * in a strip of 8 positions, width 60 in one of 28; positions 32..37 read
 * the same inputs in both. */
static void test_conv_tail_tile_same_bits(void **state)
{
  (void)state;
  enum { C = 7, OC = 9, K = 5 };
  static float wt[OC * C * K], bias[OC], x40[C * 40], x60[C * 60], y40[OC * 40], y60[OC * 60];
  uint64_t rng = 9;
  ref_fill(&rng, wt, OC * C * K, -1, 1);
  ref_fill(&rng, bias, OC, -1, 1);
  ref_fill(&rng, x60, C * 60, -3, 3);
  for (int c = 0; c < C; c++) memcpy(x40 + c * 40, x60 + c * 60, 40 * sizeof(float));
  float *y[2] = { y40, y60 }, *x[2] = { x40, x60 };
  uint32_t width[2] = { 40, 60 };
  for (int i = 0; i < 2; i++) {
    evx_model m;
    memset(&m, 0, sizeof m);
    char err[128];
    m.input = (evx_shape){ C, 1, width[i] };
    m.n_layers = 1;
    m.layers[0] = mk(EVX_LAYER_CONV1D, OC, 1, K, 1, 1, 0, 2);
    m.layers[0].w.weight = wt;
    m.layers[0].w.bias = bias;
    assert_int_equal(evx_model_infer_shapes(&m, err, sizeof err), 0);
    assert_int_equal(ref_run_net(&m, x[i], y[i], OC * width[i]), OC * width[i]);
  }
  for (int oc = 0; oc < OC; oc++)
    assert_memory_equal(y40 + oc * 40 + 32, y60 + oc * 60 + 32, 6 * sizeof(float));
}

static void test_softmax_is_stable(void **state)
{
  (void)state;
  evx_model m;
  memset(&m, 0, sizeof m);
  char err[128];
  m.input = (evx_shape){ 4, 1, 1 };
  m.n_layers = 1;
  m.layers[0].type = EVX_LAYER_SOFTMAX;
  assert_int_equal(evx_model_infer_shapes(&m, err, sizeof err), 0);
  const float x[4] = { 1000.0f, 999.0f, -1000.0f, 1000.0f };
  float y[4];
  ref_run_net(&m, x, y, 4);
  for (int i = 0; i < 4; i++) assert_true(isfinite(y[i]));
  assert_float_equal(y[0], y[3], 1e-7);
  assert_float_equal(y[0] + y[1] + y[2] + y[3], 1.0, 1e-6);
}

static void test_input_normalisation(void **state)
{
  (void)state;
  evx_layer id = mk(EVX_LAYER_DROPOUT, 0, 0, 0, 0, 0, 0, 0);
  for (uint32_t axis = 0; axis < 3; axis++)
    for (uint32_t wm = 0; wm < 2; wm++) {
      evx_shape s = { 3, 5, 7 };
      uint32_t dims[3] = { s.c, s.h, s.w };
      evx_norm n = { .axis = axis, .len = dims[axis], .window_mean = wm };
      check_layer(id, s, &n, 20 + axis * 2 + wm);
    }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_conv1d), cmocka_unit_test(test_conv1d_winograd), cmocka_unit_test(test_conv2d),
    cmocka_unit_test(test_maxpool), cmocka_unit_test(test_dense_and_pointwise),
    cmocka_unit_test(test_softmax_is_stable), cmocka_unit_test(test_input_normalisation),
    cmocka_unit_test(test_dense_slices_same_bits), cmocka_unit_test(test_conv_tail_tile_same_bits),
  };
  const char *isas[] = { "generic", "avx2", "avx512" };
  int failed = 0, ran = 0;
  for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
    if (!(forced_isa = evx_nn_isa_named(isas[i]))) {
      printf("nn_layers: %s: not on this CPU, skipped\n", isas[i]);
      continue;
    }
    printf("nn_layers: kernels %s\n", evx_nn_isa()->name);
    failed += cmocka_run_group_tests_name("nn_layers", tests, NULL, NULL);
    ran++;
  }
  return failed || !ran;
}
