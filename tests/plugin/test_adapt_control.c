/* test_adapt_control.c: the `adapt` control (issue 20). One clip looped:
 * with adaptation learning, passes read differently (the statistics keep
 * moving); frozen or off, every pass gives the very same outputs, block for
 * block. The clip is a synthetic talker (tu_talker), a whole number of
 * update intervals long, so that each pass meets the same boundaries. */
#include "test_util.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "emovox_ext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000.0
#define BLOCK 480u
#define CLIP 192000u               /* 4 s at RATE: eight update intervals of 0.5 s */
#define PASSES 5
#define BLOCKS (CLIP / BLOCK)

/* Outputs after every block of every pass: eight probabilities, dominant. */
typedef struct { float v[PASSES][BLOCKS][EVX_N_EMOTIONS + 1]; } readings;

static void loop_clip(float adapt_from_pass2, readings *r)
{
  th_host *h = th_open(EMOVOX_URI_METER, RATE, BLOCK, 1);
  assert_non_null(h);
  th_set_control(h, "response", 0.0f);   /* each update as it comes */
  float x[BLOCK];
  for (int p = 0; p < PASSES; p++) {
    th_set_control(h, "adapt", p == 0 ? 0.0f : adapt_from_pass2);
    for (size_t b = 0; b < BLOCKS; b++) {
      for (uint32_t i = 0; i < BLOCK; i++)
        x[i] = tu_talker(b * BLOCK + i, RATE, 130 + 40 * ((b * BLOCK + i) > CLIP / 2), 0.25);
      th_run(h, x, BLOCK);
      th_probs(h, 0, r->v[p][b]);
      r->v[p][b][EVX_N_EMOTIONS] = th_control(h, "dominant");
    }
  }
  th_close(h);
}

static int same_pass(const readings *r, int a, int b)
{
  return !memcmp(r->v[a], r->v[b], sizeof r->v[a]);
}

static double pass_distance(const readings *r, int a, int b)
{
  double d = 0;
  for (size_t k = 0; k < BLOCKS; k++)
    for (int e = 0; e < EVX_N_EMOTIONS; e++)
      d += fabs((double)r->v[a][k][e] - r->v[b][k][e]);
  return d / BLOCKS;
}

static void test_looped_clip(void **state)
{
  (void)state;
  static readings learn, freeze, off;
  loop_clip(0.0f, &learn);
  loop_clip(1.0f, &freeze);
  loop_clip(2.0f, &off);
  /* the talker is speech: something was decided */
  int decided = 0;
  for (size_t k = 0; k < BLOCKS; k++)
    decided |= freeze.v[PASSES - 1][k][EVX_N_EMOTIONS] < EVX_N_EMOTIONS;
  assert_true(decided);
  print_message("mean L1 distance between passes 3 and 4: learn %.5f, freeze %.5f, off %.5f\n",
                pass_distance(&learn, 2, 3), pass_distance(&freeze, 2, 3),
                pass_distance(&off, 2, 3));
  /* learning: the passes drift */
  assert_false(same_pass(&learn, 2, 3));
  /* frozen or off: identical from the third pass on (the second still
   * publishes windows begun while learning) */
  for (int p = 3; p < PASSES; p++) {
    assert_true(same_pass(&freeze, 2, p));
    assert_true(same_pass(&off, 2, p));
  }
  /* off is the cold model: not what the frozen voice statistics give */
  assert_true(memcmp(freeze.v[2], off.v[2], sizeof freeze.v[2]) != 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_looped_clip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
