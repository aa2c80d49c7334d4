/* test_export.c: a trained graph exported as a bundle computes, through the
 * plugin's inference engine (normalisation included), what the training
 * graph computes in eval mode; for every architecture. The frame-matrix
 * input's NaN padding is 0 to both. */
#include "test_util.h"
#include "learn/export.h"
#include "learn/rng.h"
#include "evx_nn_net.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_arch(int arch, uint32_t window_frames, uint32_t pad, int batchnorm)
{
  char err[256];
  tl_arch_opts ao = tl_arch_defaults(arch);
  ao.batchnorm = batchnorm;
  evx_feature_config cfg = evx_feature_config_default(tl_arch_input_kind(arch));
  cfg.window_frames = window_frames;
  evx_shape in = evx_input_shape(&cfg);
  tl_graph g;
  assert_int_equal(tl_arch_build(&ao, in, 8, &g, err, sizeof err), 0);
  uint64_t rng = 5;
  float *params = malloc(sizeof(float) * g.n_params);
  tl_graph_init_params(&g, params, &rng);
  for (size_t i = 0; i < g.n_params; i++)   /* nonzero biases too */
    params[i] += 0.05f * (tl_rng_uniform(&rng) - 0.5f);
  for (uint32_t i = 0; i < g.n_layers; i++)   /* running statistics far from 0, 1 */
    for (uint32_t c = 0; g.layers[i].type == EVX_LAYER_BATCHNORM && c < g.layers[i].in.c; c++) {
      params[g.layers[i].s_off + c] = tl_rng_uniform(&rng) - 0.5f;
      params[g.layers[i].s_off + g.layers[i].in.c + c] = 0.25f + 2.0f * tl_rng_uniform(&rng);
    }

  const size_t n = 4, dim = tl_shape_len(in);
  float *raw = malloc(sizeof(float) * n * dim), *x = malloc(sizeof(float) * n * dim);
  for (size_t i = 0; i < n * dim; i++)
    raw[i] = 20.0f * tl_rng_uniform(&rng) - 30.0f + (float)(i % 7);
  for (size_t e = 0; e < dim; e++)   /* sample 1: the first `pad` steps padded */
    if (e % in.w < pad) raw[dim + e] = NAN;
  tl_prep prep = { 0 };
  assert_int_equal(tl_norm_fit_input(&prep.norm, &cfg, raw, n), 0);
  memcpy(x, raw, sizeof(float) * n * dim);
  tl_norm_apply(&prep.norm, in, x, n);

  evx_model m;
  assert_int_equal(tl_export(&g, params, &cfg, &prep, &m, err, sizeof err), 0);
  evx_model *back = tu_bundle_reparse(&m);
  void *mem = malloc(evx_net_size(back));
  evx_net *net = evx_net_init(mem, evx_net_size(back), back);
  assert_non_null(net);

  tl_work *w = tl_work_new(&g, n);
  float ours[4 * 8], theirs[8];
  tl_forward(&g, w, params, x, n, 0, 0, 0, ours);
  for (size_t s = 0; s < n; s++) {
    evx_net_forward(net, raw + s * dim, theirs);
    for (int k = 0; k < 8; k++)
      assert_float_equal(ours[s * 8 + k], theirs[k], 2e-4);
  }
  tl_work_free(w);
  free(mem);
  evx_model_free(back);
  tl_prep_free(&prep);
  free(params), free(raw), free(x);
}

static void test_seed_matches_engine(void **state) { (void)state; check_arch(TL_ARCH_SEED, 200, 0, 0); }
static void test_logmel_matches_engine(void **state) { (void)state; check_arch(TL_ARCH_LOGMEL, 60, 0, 0); }
static void test_tcn_matches_engine(void **state) { (void)state; check_arch(TL_ARCH_TCN, 120, 30, 0); }
/* BatchNorm's running statistics, folded into the conv by the writer. */
static void test_tcn_batchnorm_matches_engine(void **state) { (void)state; check_arch(TL_ARCH_TCN, 120, 30, 1); }

static void test_bad_channels_rejected(void **state)
{
  (void)state;
  char err[256] = "";
  tl_arch_opts o = tl_arch_defaults(TL_ARCH_SEED);
  o.n_channels = 3;
  tl_graph g;
  assert_int_equal(tl_arch_build(&o, (evx_shape){ 1, 1, 98 }, 8, &g, err, sizeof err), -1);
  assert_non_null(strstr(err, "two channel counts"));
  o = tl_arch_defaults(TL_ARCH_LOGMEL);
  /* A window too short for three poolings is refused with a message. */
  assert_int_equal(tl_arch_build(&o, (evx_shape){ 1, 64, 4 }, 8, &g, err, sizeof err), -1);
  assert_true(strlen(err) > 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_matches_engine),
    cmocka_unit_test(test_logmel_matches_engine),
    cmocka_unit_test(test_tcn_matches_engine),
    cmocka_unit_test(test_tcn_batchnorm_matches_engine),
    cmocka_unit_test(test_bad_channels_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
