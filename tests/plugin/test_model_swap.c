/* test_model_swap.c: the model path is a patch parameter: a patch:Set with
 * a good bundle swaps it in through the worker; a missing or broken bundle
 * keeps the running model and logs why; the path is saved with the state
 * and restoring that state into a new instance loads it. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 256u


/* The first `keep` bytes of src as a new (truncated) bundle. */
static const char *write_truncated(const char *src, char *path, size_t len, long keep)
{
  snprintf(path, len, "%s/truncated.emvx", tu_tmpdir());
  assert_int_equal(tu_copy_prefix(src, path, keep), 0);
  return path;
}

static void run_for(th_host *h, double seconds)
{
  float x[BLOCK];
  static size_t t;
  for (int b = 0; b < (int)(seconds * 48000 / BLOCK); b++) {
    for (uint32_t i = 0; i < BLOCK; i++, t++)
      x[i] = 0.2f * sinf(2.0f * 3.14159265f * 200.0f * (float)t / 48000.0f);
    th_run(h, x, BLOCK);
    double sum = 0;
    for (int k = 0; k < EVX_N_EMOTIONS; k++)
      sum += th_control(h, evx_emotion_name(k));
    assert_true(fabs(sum - 1.0) <= 1e-4);
  }
}

static const void *no_port_value(const char *symbol, void *user, uint32_t *size, uint32_t *type)
{
  (void)symbol; (void)user;
  *size = *type = 0;
  return NULL;
}

static void test_swap_and_state(void **state)
{
  (void)state;
  char seed[4200], broken[4200];
  ptu_seed_model(seed, sizeof seed, "seed.emvx", 5);
  th_host *h = th_open(EMOVOX_URI_METER, 48000, BLOCK, 1);
  assert_non_null(h);
  LV2_Handle handle = lilv_instance_get_handle(th_instance(h));
  const EmovoxStatsInterface *st =
    lilv_instance_get_extension_data(th_instance(h), EMOVOX_URI_STATS);
  assert_non_null(st);
  uint64_t f_default = st->model_flops(handle);
  run_for(h, 1.0);

  th_send_model(h, seed);
  run_for(h, 1.0);
  assert_int_equal(st->swaps(handle), 1);
  uint64_t f_seed = st->model_flops(handle);
  assert_true(f_seed != f_default);
  evx_engine_stats s1, s2;
  st->get(handle, &s1);

  int logs = th_log_count(h);
  th_send_model(h, "/nonexistent/missing.emvx");
  run_for(h, 0.5);
  assert_int_equal(st->swaps(handle), 1);
  assert_true(th_log_count(h) > logs);
  assert_non_null(strstr(th_log_last(h), "missing.emvx"));

  logs = th_log_count(h);
  th_send_model(h, write_truncated(seed, broken, sizeof broken, 200));
  run_for(h, 0.5);
  assert_int_equal(st->swaps(handle), 1);
  assert_true(th_log_count(h) > logs);
  assert_int_equal(st->model_flops(handle), f_seed);   /* still the seed model */
  st->get(handle, &s2);
  assert_true(s2.inferences > s1.inferences);          /* and still running */

  /* the path is in the saved state; a new instance restored from it uses it */
  LilvState *saved = lilv_state_new_from_instance(th_plugin(h), th_instance(h), th_map(h),
                                                  NULL, NULL, NULL, NULL, no_port_value,
                                                  NULL, 0, NULL);
  assert_non_null(saved);
  th_host *h2 = th_open(EMOVOX_URI_METER, 44100, BLOCK, 1);
  assert_non_null(h2);
  LV2_Handle handle2 = lilv_instance_get_handle(th_instance(h2));
  assert_int_equal(st->model_flops(handle2), f_default);
  lilv_state_restore(saved, th_instance(h2), NULL, NULL, 0, NULL);
  assert_int_equal(st->swaps(handle2), 1);
  assert_int_equal(st->model_flops(handle2), f_seed);
  lilv_state_free(saved);
  th_close(h2);
  th_close(h);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_swap_and_state),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
