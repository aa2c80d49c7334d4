/* test_new_voice.c: the speaker patch parameters urn:emovox:newVoice and
 * urn:emovox:voice. A patch:Set of either reaches the engine of every
 * plugin (meter, meter-midi, render) and changes what follows; it takes
 * effect at its own frame, not at the block start (the same as splitting
 * the block there); without it nothing changes. A dialogue with each voice
 * in its own slot is heard as each voice alone is. The shipped model adapts
 * to the voice (format v2), so all of this shows in the outputs. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At 16 kHz a block of 8192 frames spans more than one update interval
 * (50 feature frames of 160), so an update falls between the block start
 * and SWITCH_AT: acting at the block start would give other results. */
#define RATE 16000.0
#define BLOCK 8192u
#define SWITCH_BLOCK 20u     /* voice B starts in this block ... */
#define SWITCH_AT 8100u      /* ... at this frame (10.75 s) */
#define BLOCKS 42u           /* 21.5 s in all */

/* Sample t of the track: voice A (a high, loud gliding buzz) before the
 * switch, voice B (lower, softer) after; both in 0.4 s bursts. */
static float track(size_t t)
{
  size_t sw = (size_t)SWITCH_BLOCK * BLOCK + SWITCH_AT;
  int b = t >= sw;
  double s = (double)t / RATE, f0 = b ? 140.0 : 320.0, amp = b ? 0.15 : 0.6;
  double f = f0 * (1.0 + 0.2 * sin(0.9 * s));
  double on = fmod(s, 0.8) < 0.5 ? 1.0 : 0.0;
  double ph = 2 * M_PI * f * s;
  return (float)(on * amp * (sin(ph) + 0.4 * sin(2 * ph) + 0.2 * sin(3 * ph)));
}

static float max_diff(const float *a, const float *b)
{
  float d = 0;
  for (int k = 0; k < EVX_N_EMOTIONS; k++)
    d = fmaxf(d, fabsf(a[k] - b[k]));
  return d;
}

/* The message a check sends: newVoice, or voice = 2. */
static void send(th_host *h, uint32_t frame, int use_slot)
{
  if (use_slot)
    th_send_voice(h, frame, 2);
  else
    th_send_new_voice(h, frame);
}

/* Runs the track through three instances of uri: `plain` (no message),
 * `voice` (the message at SWITCH_AT of SWITCH_BLOCK) and `split` (that
 * block run as SWITCH_AT frames, then the rest with the message at 0). */
static void check_plugin(const char *uri, int use_slot)
{
  th_host *plain = th_open(uri, RATE, BLOCK, 1), *voice = th_open(uri, RATE, BLOCK, 1),
          *split = th_open(uri, RATE, BLOCK, 1);
  assert_non_null(plain);
  assert_non_null(voice);
  assert_non_null(split);
  static float x[BLOCK];
  float pp[EVX_N_EMOTIONS], pv[EVX_N_EMOTIONS], ps[EVX_N_EMOTIONS];
  float most_after = 0;
  for (uint32_t b = 0; b < BLOCKS; b++) {
    for (uint32_t i = 0; i < BLOCK; i++)
      x[i] = track((size_t)b * BLOCK + i);
    th_run(plain, x, BLOCK);
    if (b == SWITCH_BLOCK)
      send(voice, SWITCH_AT, use_slot);
    th_run(voice, x, BLOCK);
    if (b == SWITCH_BLOCK) {
      th_run(split, x, SWITCH_AT);
      send(split, 0, use_slot);
      th_run(split, x + SWITCH_AT, BLOCK - SWITCH_AT);
    } else {
      th_run(split, x, BLOCK);
    }
    th_probs(plain, BLOCK - 1, pp);
    th_probs(voice, BLOCK - 1, pv);
    th_probs(split, BLOCK - 1, ps);
    if (b < SWITCH_BLOCK)   /* the same instances on the same audio so far */
      assert_true(max_diff(pp, pv) == 0.0f);
    else if (max_diff(pp, pv) > most_after)
      most_after = max_diff(pp, pv);
    if (b > SWITCH_BLOCK)   /* the message acts at its frame */
      assert_true(max_diff(pv, ps) <= 1e-5f);
  }
  print_message("%s: largest change after %s %.3f\n", uri, use_slot ? "voice 2" : "newVoice",
                most_after);
  assert_true(most_after > 0.01f);
  th_close(plain);
  th_close(voice);
  th_close(split);
}

static void test_meter(void **state)
{
  (void)state;
  check_plugin(EMOVOX_URI_METER, 0);
  check_plugin(EMOVOX_URI_METER, 1);
}

static void test_meter_midi(void **state)
{
  (void)state;
  check_plugin(EMOVOX_URI_METER_MIDI, 0);
  check_plugin(EMOVOX_URI_METER_MIDI, 1);
}

static void test_render(void **state)
{
  (void)state;
  check_plugin(EMOVOX_URI_RENDER, 0);
  check_plugin(EMOVOX_URI_RENDER, 1);
}

/* RAVDESS clips of actor `actor`, emotions 1..8, statement `st`,
 * appended to buf at *n (16 kHz). */
static void append_actor(float *buf, size_t cap, size_t *n, int actor, int st)
{
  for (int e = 1; e <= 8; e++) {
    char rel[256];
    snprintf(rel, sizeof rel, "data/ravdess/Actor_%02d/03-01-%02d-01-%02d-01-%02d.flac", actor,
             e, st, actor);
    size_t m;
    float *x = ptu_clip(rel, RATE, &m);
    assert_non_null(x);
    assert_true(*n + m <= cap);
    memcpy(buf + *n, x, m * sizeof *x);
    *n += m;
    free(x);
  }
}

/* A dialogue of two held-out RAVDESS actors: A (actor 17, eight clips),
 * then B (actor 18), then A again (eight other clips). A's return as heard
 * by: `slots` (voice 2 for B, voice 1 again for A), `shared` (no messages:
 * B's statistics colour A's), `cont` (B's part silent: A's statistics
 * only, the reference) and `same` (voice 1, the slot already in use: it
 * changes nothing). A in its own slot sounds as A continued does. */
static void test_dialogue(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  size_t cap = (size_t)(120 * RATE), n = 0;
  float *x = calloc(cap, sizeof *x), *xm = calloc(cap, sizeof *xm);
  assert_non_null(x);
  assert_non_null(xm);
  append_actor(x, cap, &n, 17, 1);
  size_t s1 = n;
  append_actor(x, cap, &n, 18, 1);
  size_t s2 = n;
  append_actor(x, cap, &n, 17, 2);
  memcpy(xm, x, s1 * sizeof *x);
  memcpy(xm + s2, x + s2, (n - s2) * sizeof *x);
  th_host *cont = th_open(EMOVOX_URI_METER, RATE, BLOCK, 1),
          *slots = th_open(EMOVOX_URI_METER, RATE, BLOCK, 1),
          *shared = th_open(EMOVOX_URI_METER, RATE, BLOCK, 1),
          *same = th_open(EMOVOX_URI_METER, RATE, BLOCK, 1);
  assert_non_null(cont);
  assert_non_null(slots);
  assert_non_null(shared);
  assert_non_null(same);
  float pc[EVX_N_EMOTIONS], ps[EVX_N_EMOTIONS], ph[EVX_N_EMOTIONS], pm[EVX_N_EMOTIONS];
  double d_slots = 0, d_shared = 0;
  for (size_t t = 0; t + BLOCK <= n; t += BLOCK) {
    if (s1 >= t && s1 < t + BLOCK) {
      th_send_voice(slots, (uint32_t)(s1 - t), 2);
      th_send_voice(same, (uint32_t)(s1 - t), 1);
    }
    if (s2 >= t && s2 < t + BLOCK)
      th_send_voice(slots, (uint32_t)(s2 - t), 1);
    th_run(cont, xm + t, BLOCK);
    th_run(slots, x + t, BLOCK);
    th_run(shared, x + t, BLOCK);
    th_run(same, x + t, BLOCK);
    th_probs(cont, BLOCK - 1, pc);
    th_probs(slots, BLOCK - 1, ps);
    th_probs(shared, BLOCK - 1, ph);
    th_probs(same, BLOCK - 1, pm);
    assert_true(max_diff(ph, pm) == 0.0f);
    if (t > s2 + (size_t)(4 * RATE)) {   /* A's return, once its window holds only A */
      for (int k = 0; k < EVX_N_EMOTIONS; k++) {
        d_slots += fabsf(ps[k] - pc[k]);
        d_shared += fabsf(ph[k] - pc[k]);
      }
    }
  }
  print_message("A's return against A continued: own slot %.4f, shared slot %.4f\n", d_slots,
                d_shared);
  assert_true(d_shared > 0.05);
  assert_true(d_slots < 0.5 * d_shared);
  th_close(cont);
  th_close(slots);
  th_close(shared);
  th_close(same);
  free(x);
  free(xm);
}

/* A newVoice at a frame past the block, voice numbers out of range (0, 9,
 * -3) and a flood of messages do no harm. */
static void test_odd_messages(void **state)
{
  (void)state;
  th_host *h = th_open(EMOVOX_URI_METER, RATE, BLOCK, 1);
  assert_non_null(h);
  static float x[BLOCK];
  for (uint32_t b = 0; b < 40; b++) {
    for (uint32_t i = 0; i < BLOCK; i++)
      x[i] = track((size_t)b * BLOCK + i);
    if (b % 5 == 2)
      th_send_new_voice(h, b % 10 == 2 ? BLOCK + 1000 : 0);
    if (b % 5 == 3)
      th_send_voice(h, 100, b % 10 == 3 ? 0 : b % 15 == 8 ? 9 : -3);
    if (b % 5 == 4)
      th_send_voice(h, BLOCK / 2, 1 + (int32_t)(b % 8));
    th_run(h, x, BLOCK);
    float p[EVX_N_EMOTIONS];
    th_probs(h, BLOCK - 1, p);
    ptu_check_probs(p);
  }
  th_close(h);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_meter),
    cmocka_unit_test(test_meter_midi),
    cmocka_unit_test(test_render),
    cmocka_unit_test(test_dialogue),
    cmocka_unit_test(test_odd_messages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
