/* test_bad_input.c: NaN, infinities, denormals and huge values never reach
 * the outputs (finite, probabilities summing to 1), the audio still passes
 * through bit-exact, and analysis carries on once the input is sane again.
 * Also: every plugin but meter-midi runs with no host feature at all. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define BLOCK 480u

static void check_outputs(const th_host *h)
{
  float p[EVX_N_EMOTIONS];
  th_probs(h, 0, p);
  ptu_check_probs(p);
  const char *other[] = { "dominant", "confidence", "speech", "arousal", "valence" };
  for (int k = 0; k < 5; k++)
    assert_true(isfinite(th_control(h, other[k])));
}

static void test_hostile_input(void **state)
{
  (void)state;
  th_host *h = th_open(EMOVOX_URI_METER, 48000, BLOCK, 0);
  assert_non_null(h);
  const float kinds[] = { NAN, INFINITY, -INFINITY, 1e-40f, FLT_MAX, -1e30f };
  float x[BLOCK];
  uint64_t seed = 3;
  for (size_t kind = 0; kind < sizeof kinds / sizeof kinds[0]; kind++) {
    for (int b = 0; b < 100; b++) {   /* 1 s of each, mixed with a tone */
      for (uint32_t i = 0; i < BLOCK; i++)
        x[i] = tu_rand(&seed) % 3 ? kinds[kind] : 0.3f * sinf(0.05f * (float)i);
      th_run(h, x, BLOCK);
      assert_memory_equal(th_audio(h, "out"), x, sizeof x);
      check_outputs(h);
    }
  }
  /* sane speech-like input again: analysis resumes (speech comes back on) */
  int voiced = 0;
  for (int b = 0; b < 200; b++) {
    for (uint32_t i = 0; i < BLOCK; i++)
      x[i] = tu_talker((size_t)b * BLOCK + i, 48000, 150, 0.3);
    th_run(h, x, BLOCK);
    check_outputs(h);
    voiced |= th_control(h, "speech") > 0.5f;
  }
  assert_true(voiced);
  th_close(h);
}

static void test_features_optional(void **state)
{
  (void)state;
  th_host *h = th_open(EMOVOX_URI_RENDER, 44100, 64, 0);
  assert_non_null(h);
  th_close(h);
  /* meter-midi requires urid:map (declared in its TTL) */
  assert_null(th_open(EMOVOX_URI_METER_MIDI, 44100, 64, 0));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hostile_input),
    cmocka_unit_test(test_features_optional),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
