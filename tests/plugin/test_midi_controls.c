/* test_midi_controls.c: urn:emovox:meter-midi sends its nine controllers on
 * the channel of its midi_channel control, from its first_cc control on;
 * the dominant emotion's CC spans 0..127 (0 none, 16..127 angry..surprised);
 * out-of-range and NaN control values stay in range; changing either
 * control sends every controller again at its new place. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Runs n samples of a synthetic talker (tu_talker: a tone is not speech) in blocks of 512 and
 * collects every CC: last[cc] = last value, chan[cc] = its channel; returns
 * how many were sent. */
static int run_tone(th_host *h, size_t n, int last[128], int chan[128])
{
  float x[512];
  int total = 0;
  static size_t t;
  for (size_t i = 0; i < n; i += 512) {
    for (int k = 0; k < 512; k++, t++)
      x[k] = tu_talker(t, 48000, 150.0, 0.3);
    th_run(h, x, 512);
    int cc[64][3], m = th_midi_ccs_on(h, cc, 64);
    for (int j = 0; j < m; j++) {
      assert_true(cc[j][0] >= 0 && cc[j][0] < 128 && cc[j][1] >= 0 && cc[j][1] <= 127);
      last[cc[j][0]] = cc[j][1];
      chan[cc[j][0]] = cc[j][2];
    }
    total += m;
  }
  return total;
}

static void test_channel_and_first_cc(void **state)
{
  (void)state;
  assert_int_equal(emovox_cc_dominant(8), 0);   /* none */
  assert_int_equal(emovox_cc_dominant(0), 16);
  assert_int_equal(emovox_cc_dominant(7), 127);
  th_host *h = th_open(EMOVOX_URI_METER_MIDI, 48000, 512, 1);
  assert_non_null(h);
  assert_float_equal(th_control(h, "midi_channel"), 1, 0);   /* the TTL's defaults */
  assert_float_equal(th_control(h, "first_cc"), EMOVOX_CC_FIRST, 0);
  th_set_control(h, "midi_channel", 5);
  th_set_control(h, "first_cc", 40);
  int last[128], chan[128];
  memset(last, 0xff, sizeof last);
  memset(chan, 0xff, sizeof chan);
  assert_true(run_tone(h, 3 * 48000, last, chan) > 0);
  for (int c = 0; c < 128; c++) {
    int ours = c >= 40 && c <= 48;
    if (!ours) {
      assert_int_equal(last[c], -1);   /* nothing outside 40..48 */
      continue;
    }
    assert_int_equal(chan[c], 5);
  }
  float dom = th_control(h, "dominant");
  assert_int_not_equal(last[48], -1);
  assert_int_equal(last[48], emovox_cc_dominant((unsigned)dom));
  assert_true(dom < 8);                 /* a voice decides something */
  assert_true(last[48] >= 16);          /* the dominant's CC spans the range */

  /* moved: every controller again, on the new channel and numbers */
  th_set_control(h, "midi_channel", 16);
  th_set_control(h, "first_cc", 119);
  memset(last, 0xff, sizeof last);
  run_tone(h, 512, last, chan);
  for (int c = 119; c < 128; c++) {
    assert_int_not_equal(last[c], -1);
    assert_int_equal(chan[c], 16);
  }
  /* out of range and NaN: clamped or the default, never outside 0..127 */
  th_set_control(h, "midi_channel", 99);
  th_set_control(h, "first_cc", NAN);
  memset(last, 0xff, sizeof last);
  run_tone(h, 512, last, chan);
  for (int c = EMOVOX_CC_FIRST; c <= EMOVOX_CC_DOMINANT; c++) {
    assert_int_not_equal(last[c], -1);
    assert_int_equal(chan[c], 16);
  }
  th_close(h);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_channel_and_first_cc) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
