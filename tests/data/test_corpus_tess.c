/* TESS: OAF_/YAF_ folders and prefixes, ps = surprised, and the quirks of the
 * real download: AIFF data named .wav, a 96 kHz file, an OA_ prefix. */
#include "test_util.h"
#include "fixture.h"
#include "corpus.h"
#include "evx_labels.h"
#include <sndfile.h>
#include <string.h>

static void labels_speakers_and_quirks(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  const int pcm16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  fx_tone(root, "OAF_angry/OAF_back_angry.wav", pcm16, 24414, 0.4);
  fx_tone(root, "OAF_Pleasant_surprise/OAF_back_ps.wav", pcm16, 24414, 0.4);
  fx_tone(root, "YAF_pleasant_surprised/YAF_bath_ps.wav", pcm16, 24414, 0.4);
  fx_tone(root, "YAF_fear/YAF_bean_fear.wav", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 24414, 0.4);
  fx_tone(root, "YAF_disgust/YAF_boat_disgust.wav", pcm16, 96000, 0.4);
  fx_tone(root, "OAF_neutral/OA_bite_neutral.wav", pcm16, 24414, 0.4);
  fx_tone(root, "OAF_Sad/OAF_cab_sad.wav", pcm16, 24414, 0.4);
  fx_tone(root, "YAF_happy/YAF_date_happy.wav", pcm16, 24414, 0.4);
  fx_tone(root, "YAF_happy/YAF_dead_pleasant_surprise.wav", pcm16, 24414, 0.4);
  static const struct { const char *name, *speaker; int label; } want[] = {
    { "OAF_back_angry.wav", "tess-OAF", EVX_ANGRY },
    { "OAF_back_ps.wav", "tess-OAF", EVX_SURPRISED },
    { "YAF_bath_ps.wav", "tess-YAF", EVX_SURPRISED },
    { "YAF_bean_fear.wav", "tess-YAF", EVX_FEAR },
    { "YAF_boat_disgust.wav", "tess-YAF", EVX_DISGUST },
    { "OA_bite_neutral.wav", "tess-OAF", EVX_NEUTRAL },
    { "OAF_cab_sad.wav", "tess-OAF", EVX_SAD },
    { "YAF_date_happy.wav", "tess-YAF", EVX_HAPPY },
    { "YAF_dead_pleasant_surprise.wav", "tess-YAF", EVX_SURPRISED },
  };
  tr_cliplist cl = { 0 };
  tr_log *log = fx_log();
  assert_int_equal(tr_corpus_add(&cl, root, log), 0);
  assert_int_equal(log->warnings, 0);
  assert_int_equal(cl.n, 9);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    fx_expect_clip(&cl, want[i].name, "tess", want[i].speaker, want[i].label);
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void unknown_emotion_is_an_error_naming_the_file(void **state)
{
  (void)state;
  fx_expect_label_error("OAF_bored/OAF_back_bored.wav", "OAF_angry/OAF_back_angry.wav");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(labels_speakers_and_quirks),
    cmocka_unit_test(unknown_emotion_is_an_error_naming_the_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
