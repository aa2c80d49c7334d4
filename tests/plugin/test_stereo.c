/* test_stereo.c: the stereo variants (issue 20). Both channels pass through
 * bit-exact; the channel control chooses what is judged: with a tone on the
 * left and a voice on the right, Right judges the voice and reads exactly
 * what the mono meter reads from that channel alone, Left finds no speech;
 * Both judges a voice on one side over silence on the other, and an
 * antiphase pair. (Both sums the channels: a voice on one side with music
 * on the other needs Left or Right.) lv2apply renders a stereo file through
 * meter-stereo (the output is the input) and render-stereo. */
#include "test_util.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "emovox_ext.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define BLOCK 512u
#define SECONDS 6
#define BLOCKS (RATE * SECONDS / BLOCK)

enum { BOTH = 0, LEFT = 1, RIGHT = 2 };

static float left_of(size_t i, int kind)
{
  switch (kind) {
  case 0: return (float)(0.2 * sin(2 * M_PI * 440 * (double)i / RATE));   /* a tone */
  case 1: return -tu_talker(i, RATE, 150, 0.3);                            /* antiphase */
  default: return 0.0f;
  }
}

/* The meter-stereo with the talker on the right and left_of(kind) on the
 * left, channel control `channel`; returns how many blocks showed speech and
 * the final probabilities. Checks the pass-through of both channels. */
static int play(const char *uri, int kind, int channel, float *final)
{
  th_host *h = th_open(uri, RATE, BLOCK, 1);
  assert_non_null(h);
  int stereo = strstr(uri, "stereo") != NULL;
  if (stereo)
    th_set_control(h, "channel", (float)channel);
  float l[BLOCK], r[BLOCK];
  int speech = 0;
  for (size_t b = 0; b < BLOCKS; b++) {
    for (uint32_t i = 0; i < BLOCK; i++) {
      size_t t = b * BLOCK + i;
      r[i] = tu_talker(t, RATE, 150, 0.3);
      l[i] = kind == 1 ? -r[i] : left_of(t, kind);
    }
    if (stereo)
      memcpy((float *)th_audio(h, "in_r"), r, sizeof r);
    th_run(h, stereo ? l : r, BLOCK);   /* mono: the right channel alone */
    assert_memory_equal(th_audio(h, "out"), stereo ? l : r, sizeof l);
    if (stereo)
      assert_memory_equal(th_audio(h, "out_r"), r, sizeof r);
    speech += th_control(h, "speech") > 0.5f;
  }
  th_probs(h, 0, final);
  th_close(h);
  return speech;
}

static void test_channel_control(void **state)
{
  (void)state;
  float p_mono[EVX_N_EMOTIONS], p[EVX_N_EMOTIONS];
  int mono = play(EMOVOX_URI_METER, 0, 0, p_mono);
  int right = play(EMOVOX_URI_METER_STEREO, 0, RIGHT, p);
  assert_true(mono > (int)BLOCKS / 2);
  assert_int_equal(right, mono);
  assert_memory_equal(p, p_mono, sizeof p);        /* the same samples, the same reading */
  int both = play(EMOVOX_URI_METER_STEREO, 2, BOTH, p);
  int left = play(EMOVOX_URI_METER_STEREO, 0, LEFT, p);
  int anti = play(EMOVOX_URI_METER_STEREO, 1, BOTH, p);
  int midi = play(EMOVOX_URI_METER_MIDI_STEREO, 2, BOTH, p);
  print_message("blocks with speech of %d: mono %d, right %d, both (left silent) %d, left "
                "(tone) %d, antiphase both %d, meter-midi-stereo both (left silent) %d\n",
                (int)BLOCKS, mono, right, both, left, anti, midi);
  assert_true(both > (int)BLOCKS / 2);
  assert_int_equal(left, 0);
  assert_true(anti > (int)BLOCKS / 2);
  assert_true(midi > (int)BLOCKS / 2);
}

static void test_lv2apply_stereo(void **state)
{
  (void)state;
  PTU_REQUIRE_LV2APPLY();
  const char *tmp = tu_tmpdir();
  /* LV2_PATH with only this bundle in it (a link to the built one) */
  char lv2dir[4200], in[4200], out[4200], cmd[16384];
  ptu_lv2_path(lv2dir, sizeof lv2dir);
  snprintf(in, sizeof in, "%s/stereo.wav", tmp);
  snprintf(out, sizeof out, "%s/out.wav", tmp);
  const size_t n = (size_t)RATE * SECONDS;
  float *x = malloc(2 * n * sizeof *x), *y = malloc(8 * n * sizeof *y);
  for (size_t i = 0; i < n; i++) {
    x[2 * i] = left_of(i, 0);
    x[2 * i + 1] = tu_talker(i, RATE, 150, 0.3);
  }
  SF_INFO info = { .samplerate = RATE, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *f = sf_open(in, SFM_WRITE, &info);
  assert_non_null(f);
  assert_int_equal(sf_writef_float(f, x, (sf_count_t)n), (sf_count_t)n);
  sf_close(f);

  /* the meter: both channels come out as they went in */
  snprintf(cmd, sizeof cmd, "LV2_PATH='%s' lv2apply -i '%s' -o '%s' urn:emovox:meter-stereo",
           lv2dir, in, out);
  assert_int_equal(system(cmd), 0);
  memset(&info, 0, sizeof info);
  f = sf_open(out, SFM_READ, &info);
  assert_non_null(f);
  assert_int_equal(info.channels, 2);
  assert_int_equal((size_t)info.frames, n);
  assert_int_equal(sf_readf_float(f, y, info.frames), info.frames);
  sf_close(f);
  assert_memory_equal(x, y, 2 * n * sizeof *x);

  /* render, channel Right: the voice is judged (the probabilities move) */
  snprintf(cmd, sizeof cmd, "LV2_PATH='%s' lv2apply -c channel 2 -i '%s' -o '%s' "
           "urn:emovox:render-stereo",
           lv2dir, in, out);
  assert_int_equal(system(cmd), 0);
  memset(&info, 0, sizeof info);
  f = sf_open(out, SFM_READ, &info);
  assert_non_null(f);
  assert_int_equal(info.channels, EVX_N_EMOTIONS);
  assert_int_equal(sf_readf_float(f, y, info.frames), info.frames);
  sf_close(f);
  const float *last = y + (size_t)(info.frames - 1) * EVX_N_EMOTIONS;
  double moved = 0;
  for (int k = 0; k < EVX_N_EMOTIONS; k++)
    moved += fabs(last[k] - 1.0 / EVX_N_EMOTIONS);
  print_message("render-stereo: the last frame is %.3f (L1) from uniform\n", moved);
  assert_true(moved > 0.01);
  free(y);
  free(x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_channel_control),
    cmocka_unit_test(test_lv2apply_stereo),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
