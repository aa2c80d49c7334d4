/* begin/step/output spread one inference over calls and must give exactly
 * (bit for bit) what forward() gives, for the zoo's architectures and the
 * shipped temporal network (Winograd convs), any budget. */
#include "test_util.h"
#include "nn_ref.h"
#include "evx_bundle.h"
#include "evx_features.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* unit_max: the largest unit's cost, what a step may spend past its
 * budget (half of it) or on a budget below it (all of it). */
static void check_slices(evx_model *m, uint64_t seed, uint64_t unit_max)
{
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  assert_non_null(net);
  assert_int_equal((uintptr_t)net % 64, 0);
  evx_shape s = evx_input_shape(&m->cfg);
  size_t n = (size_t)s.c * s.h * s.w;
  float *x = malloc(n * sizeof *x), want[EVX_MAX_LABELS];
  uint64_t rng = seed;
  ref_fill(&rng, x, n, -60, 10);
  evx_net_forward(net, x, want);
  const uint64_t budgets[] = { 0, 1, 777, 10000, 123457, 1000000, UINT64_MAX };
  uint64_t total = evx_model_flops(m);
  for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
    evx_net_begin(net, x);
    int steps = 0;
    while (!evx_net_step(net, budgets[b])) steps++;
    assert_memory_equal(evx_net_output(net), want, m->n_labels * sizeof *want);
    if (budgets[b] >= 10000 && budgets[b] < total) /* bounded: no unit is over unit_max */
      assert_true((uint64_t)steps + 1 >= total / (budgets[b] + unit_max));
    if (budgets[b] == UINT64_MAX) assert_int_equal(steps, 0);
  }
  /* A step past completion keeps reporting done and the output intact. */
  assert_int_equal(evx_net_step(net, 1), 1);
  assert_memory_equal(evx_net_output(net), want, m->n_labels * sizeof *want);
  free(x);
  free(mem);
}

static void test_seed_architecture(void **state)
{
  (void)state;
  evx_model *m = evx_model_make_seed(NULL, 8, 11);
  assert_non_null(m);
  check_slices(m, 1, 20000);
  evx_feature_config c = evx_feature_config_default(EVX_INPUT_SUMMARY_STATS);
  evx_model *m2 = evx_model_make_seed(&c, 5, 12);
  assert_non_null(m2);
  check_slices(m2, 2, 20000);
  evx_model_free(m);
  evx_model_free(m2);
}

static void test_logmel_cnn(void **state)
{
  (void)state;
  evx_model *m = evx_model_make_logmel_cnn(NULL, 8, 13);
  assert_non_null(m);
  check_slices(m, 3, 20000);
  evx_model_free(m);
}

/* The shipped model's temporal network (98 x 300 frames; three 1-D convs
 * run as Winograd convs where the kernels have FMA); its largest unit is
 * one of the first conv's, charged as the direct conv's tile of 8 channels
 * x 32 positions x 98 x 5 taps. */
static void test_temporal_network(void **state)
{
  (void)state;
  char path[4096], err[256];
  evx_model *m = NULL;
  snprintf(path, sizeof path, "%s/models/default.emvx", tu_source_root());
  assert_int_equal(evx_bundle_load(path, &m, err, sizeof err), 0);
  assert_non_null(m->next);
  assert_int_equal(m->next->input.w, 300);
  check_slices(m->next, 4, 2 * 8 * 32 * 98 * 5);
  evx_model_free(m);
}

/* One step never does much more than its budget: the largest unit. */
static void test_step_is_bounded(void **state)
{
  (void)state;
  evx_model *m = evx_model_make_logmel_cnn(NULL, 8, 14);
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  evx_shape s = evx_input_shape(&m->cfg);
  float *x = calloc((size_t)s.c * s.h * s.w, sizeof *x);
  evx_net_begin(net, x);
  int steps = 0;
  while (!evx_net_step(net, 50000)) steps++;
  /* ~4.7 MFLOPs in slices of ~50 kFLOPs (units of up to ~56 kFLOPs) */
  assert_true(steps >= 60);
  assert_true(steps <= 400);
  free(x);
  free(mem);
  evx_model_free(m);
}

/* The window summary sliced over steps of 1, 3 or 7 units equals the whole
 * evx_build_input bit for bit, for every input kind, full and short
 * windows, and a step never does more than it is allowed. */
static void test_input_slicing(void **state)
{
  (void)state;
  static const uint32_t kinds[] = { EVX_INPUT_SUMMARY, EVX_INPUT_LOGMEL,
                                    EVX_INPUT_SUMMARY_STATS, EVX_INPUT_LOG_STATS,
                                    EVX_INPUT_VOICED_STATS, EVX_INPUT_FRAMES,
                                    EVX_INPUT_PROSODY_STATS };
  uint64_t r = 5;
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
    evx_feature_config cfg = evx_feature_config_default(kinds[k]);
    uint32_t W = cfg.window_frames;
    evx_shape s = evx_input_shape(&cfg);
    size_t len = (size_t)s.c * s.h * s.w;
    float *frames = malloc(sizeof(float) * W * EVX_NFEAT);
    float *whole = malloc(sizeof(float) * len), *part = malloc(sizeof(float) * len);
    for (size_t i = 0; i < (size_t)W * EVX_NFEAT; i++) {
      r = r * 6364136223846793005ull + 1442695040888963407ull;
      frames[i] = (float)(r >> 40) / 16777216.0f * ((i % 7) ? 1.0f : 1e-4f);
    }
    uint32_t ns[2] = { W, W / 3 };
    for (int a = 0; a < 2; a++) {
      evx_build_input(&cfg, frames, ns[a], whole);
      uint32_t steps[3] = { 1, 3, 7 };
      for (int b = 0; b < 3; b++) {
        evx_input_job j;
        memset(part, 0xff, sizeof(float) * len);
        evx_input_begin(&j, &cfg, frames, ns[a]);
        uint32_t calls = 0, units = evx_input_units(&cfg);
        while (!evx_input_step(&j, &cfg, part, steps[b]))
          calls++;
        assert_int_equal(calls + 1, (units + steps[b] - 1) / steps[b]);
        assert_memory_equal(part, whole, sizeof(float) * len);
      }
    }
    free(frames), free(whole), free(part);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_architecture), cmocka_unit_test(test_logmel_cnn),
    cmocka_unit_test(test_temporal_network),
    cmocka_unit_test(test_step_is_bounded), cmocka_unit_test(test_input_slicing),
  };
  return cmocka_run_group_tests_name("nn_slicing", tests, NULL, NULL);
}
