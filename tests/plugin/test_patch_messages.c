/* test_patch_messages.c: whatever a host puts on the control port, run()
 * stays safe. Thousands of random events per plugin: patch:Set and other
 * objects, known and unknown properties, values of every atom type
 * (including NaN, infinities, huge and negative numbers, strings, empty and
 * nested objects), frames past the block and out of order, and events that
 * are not objects at all. The outputs stay finite and sum to 1, and the
 * ASan build (scripts/test.sh runs both) sees no bad read. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <lv2/atom/forge.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <math.h>
#include <string.h>

#define RATE 48000.0
#define BLOCK 512u
#define BLOCKS 1500u   /* 16 s */

static LV2_URID map(th_host *h, const char *uri)
{
  LV2_URID_Map *m = th_map(h);
  return m->map(m->handle, uri);
}

/* One random value atom. */
static void random_value(th_host *h, LV2_Atom_Forge *f, uint64_t *r)
{
  static const double numbers[] = { 1, 2, 8, 9, 0, -1, -3, 1e9, -1e18, 2.5, 7.999 };
  double x = tu_rand(r) % 8 ? numbers[tu_rand(r) % (sizeof numbers / sizeof numbers[0])]
           : tu_rand(r) % 2 ? NAN : INFINITY;
  LV2_Atom_Forge_Frame inner;
  switch (tu_rand(r) % 10) {
  case 0: lv2_atom_forge_int(f, (int32_t)(isfinite(x) && fabs(x) < 2e9 ? x : -7)); break;
  case 1: lv2_atom_forge_long(f, (int64_t)(isfinite(x) ? x : 123456789012LL)); break;
  case 2: lv2_atom_forge_float(f, (float)x); break;
  case 3: lv2_atom_forge_double(f, x); break;
  case 4: lv2_atom_forge_bool(f, tu_rand(r) % 2); break;
  case 5: lv2_atom_forge_string(f, "voice two", 9); break;
  case 6: lv2_atom_forge_path(f, "/nonexistent/any.emvx", 21); break;
  case 7: lv2_atom_forge_object(f, &inner, 0, map(h, LV2_PATCH__Set));   /* nested, empty */
          lv2_atom_forge_pop(f, &inner);
          break;
  case 8: lv2_atom_forge_urid(f, map(h, EMOVOX_URI_VOICE)); break;
  default: lv2_atom_forge_string(f, "", 0); break;
  }
}

/* One random event at frame. */
static void random_event(th_host *h, LV2_Atom_Forge *f, uint32_t frame, uint64_t *r)
{
  const char *props[] = { EMOVOX_URI_VOICE, EMOVOX_URI_NEW_VOICE, EMOVOX_URI_VOICE,
                          EMOVOX_URI_NEW_VOICE, EMOVOX_URI_MODEL, "urn:emovox:nothing",
                          LV2_PATCH__value };
  lv2_atom_forge_frame_time(f, frame);
  unsigned kind = (unsigned)(tu_rand(r) % 12);
  if (kind == 0) {                        /* not an object */
    lv2_atom_forge_int(f, 5);
    return;
  }
  if (kind == 1) {                        /* a MIDI note on */
    const uint8_t note[3] = { 0x90, 60, 100 };
    lv2_atom_forge_atom(f, 3, map(h, LV2_MIDI__MidiEvent));
    lv2_atom_forge_write(f, note, 3);
    return;
  }
  LV2_Atom_Forge_Frame obj;
  lv2_atom_forge_object(f, &obj, 0, kind == 2 ? map(h, LV2_PATCH__Get) : map(h, LV2_PATCH__Set));
  if (kind != 3) {                        /* 3: no property */
    lv2_atom_forge_key(f, map(h, LV2_PATCH__property));
    if (kind == 4)
      lv2_atom_forge_int(f, 2);           /* a property that is not a URID */
    else
      lv2_atom_forge_urid(f, map(h, props[tu_rand(r) % (sizeof props / sizeof props[0])]));
  }
  if (kind != 5) {                        /* 5: no value */
    lv2_atom_forge_key(f, map(h, LV2_PATCH__value));
    random_value(h, f, r);
  }
  lv2_atom_forge_pop(f, &obj);
}

static void hostile_messages(const char *uri)
{
  th_host *h = th_open(uri, RATE, BLOCK, 1);
  assert_non_null(h);
  static float x[BLOCK];
  uint64_t r = 11, noise = 5;
  size_t t = 0;
  for (uint32_t b = 0; b < BLOCKS; b++) {
    for (uint32_t i = 0; i < BLOCK; i++, t++) {   /* voiced bursts with noise */
      double s = (double)t / RATE;
      x[i] = (float)((fmod(s, 0.9) < 0.6 ? 0.3 : 0.0) * sin(2 * M_PI * 170.0 * s) +
                     0.01 * tu_gauss(&noise));
    }
    if (b % 3) {
      LV2_Atom_Forge_Frame seq;
      LV2_Atom_Forge *f = th_control_forge(h, &seq);
      assert_non_null(f);
      uint32_t events = (uint32_t)(tu_rand(&r) % 6), frame = 0;
      if (b % 50 == 1)
        events = 100;                     /* a flood: more than run() acts on */
      for (uint32_t e = 0; e < events; e++) {
        uint32_t pick = (uint32_t)(tu_rand(&r) % 8);
        /* mostly in order; sometimes past the block or backwards */
        frame = pick == 0 ? BLOCK + 100 : pick == 1 && frame > 10 ? frame - 10
              : frame + (uint32_t)(tu_rand(&r) % 64) % BLOCK;
        random_event(h, f, frame, &r);
      }
      lv2_atom_forge_pop(f, &seq);
    }
    th_run(h, x, BLOCK);
    float p[EVX_N_EMOTIONS];
    th_probs(h, BLOCK - 1, p);
    ptu_check_probs(p);
  }
  th_close(h);
}

static void test_meter(void **state)
{
  (void)state;
  hostile_messages(EMOVOX_URI_METER);
}

static void test_meter_midi(void **state)
{
  (void)state;
  hostile_messages(EMOVOX_URI_METER_MIDI);
}

static void test_render(void **state)
{
  (void)state;
  hostile_messages(EMOVOX_URI_RENDER);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_meter),
    cmocka_unit_test(test_meter_midi),
    cmocka_unit_test(test_render),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
