/* test_nonspeech.c: the issue-20 report, through the plugins. Rendered
 * through urn:emovox:render, a 440 Hz tone, 50 Hz hum with harmonics, white
 * and pink noise and a synthetic chord used to publish emotions all the
 * time; now every frame stays uniform (no emotion published) and the
 * meter's speech output stays off, while a talker moves both. */
#include "test_util.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "emovox_ext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE 44100
#define BLOCK 1024u
#define SECONDS 8

static double source(int kind, size_t i, uint64_t *r, double *pink)
{
  double t = (double)i / RATE, v = 0;
  switch (kind) {
  case 0: return 0.3 * sin(2 * M_PI * 440 * t);
  case 1:
    for (int h = 1; h <= 10; h++)
      v += sin(2 * M_PI * 50 * h * t) / h;
    return 0.1 * v;
  case 2: return 0.1 * tu_gauss(r);
  case 3: *pink = 0.99 * *pink + 0.1 * tu_gauss(r); return 0.3 * *pink;   /* red-ish */
  case 4:
    for (int n = 0; n < 3; n++)   /* C major, harmonics 1..5, struck every second */
      for (int h = 1; h <= 5; h++)
        v += sin(2 * M_PI * h * 261.63 * pow(2.0, (n == 0 ? 0 : n == 1 ? 4 : 7) / 12.0) * t) / h;
    return 0.05 * v * exp(-2.0 * fmod(t, 1.0));
  default: return tu_talker(i, RATE, 140, 0.3);
  }
}

/* Frames (render) or blocks (meter) where something was published. */
static long play(const char *uri, int kind)
{
  th_host *h = th_open(uri, RATE, BLOCK, 1);
  assert_non_null(h);
  int render = !strcmp(uri, EMOVOX_URI_RENDER);
  float x[BLOCK];
  uint64_t r = 11;
  double pink = 0;
  long published = 0;
  for (size_t b = 0; b < (size_t)RATE * SECONDS / BLOCK; b++) {
    for (uint32_t i = 0; i < BLOCK; i++)
      x[i] = (float)source(kind, b * BLOCK + i, &r, &pink);
    th_run(h, x, BLOCK);
    if (render) {
      for (uint32_t i = 0; i < BLOCK; i++) {
        float p[EVX_N_EMOTIONS];
        th_probs(h, i, p);
        for (int e = 0; e < EVX_N_EMOTIONS; e++)
          if (fabsf(p[e] - 1.0f / EVX_N_EMOTIONS) > 1e-6f) {
            published++;
            break;
          }
      }
    } else {
      published += th_control(h, "speech") > 0.5f || th_control(h, "dominant") < EVX_N_EMOTIONS;
    }
  }
  th_close(h);
  return published;
}

static void test_nonspeech_is_not_judged(void **state)
{
  (void)state;
  const char *names[] = { "tone 440 Hz", "hum 50 Hz", "white noise", "red noise", "C major chords",
                          "talker" };
  for (int k = 0; k < 6; k++) {
    long frames = play(EMOVOX_URI_RENDER, k), blocks = play(EMOVOX_URI_METER, k);
    print_message("%-15s render: %ld of %d frames published; meter: %ld blocks with speech "
                  "or a dominant emotion\n", names[k], frames, RATE * SECONDS, blocks);
    if (k < 5) {
      assert_int_equal(frames, 0);
      assert_int_equal(blocks, 0);
    } else {
      assert_true(frames > RATE * SECONDS / 2);
      assert_true(blocks > 0);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_nonspeech_is_not_judged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
