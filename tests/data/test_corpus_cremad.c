/* CREMA-D naming 1001_DFA_ANG_XX: six emotions, speaker = actor id. */
#include "test_util.h"
#include "fixture.h"
#include "corpus.h"
#include "evx_labels.h"
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

static void six_codes_and_actor_speakers(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  static const struct { const char *name; int label; } files[] = {
    { "1001_DFA_ANG_XX.wav", EVX_ANGRY }, { "1001_IEO_DIS_HI.wav", EVX_DISGUST },
    { "1002_TIE_FEA_LO.wav", EVX_FEAR },  { "1002_MTI_HAP_MD.wav", EVX_HAPPY },
    { "1091_WSI_NEU_XX.wav", EVX_NEUTRAL }, { "1091_ITS_SAD_XX.wav", EVX_SAD },
  };
  char rel[64];
  for (size_t i = 0; i < 6; i++) {
    snprintf(rel, sizeof rel, "AudioWAV/%s", files[i].name);
    fx_tone(root, rel, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 0.3);
  }
  fx_tone(root, "AudioWAV/1003_DFA_ANG_XX.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 0.3);
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, root, fx_log()), 0);
  assert_int_equal(cl.n, 7);
  for (size_t i = 0; i < 6; i++)
    fx_expect_clip(&cl, files[i].name, "cremad", NULL, files[i].label);
  assert_string_equal(cl.clips[fx_find(&cl, "1001_DFA_ANG_XX.wav")].speaker, "cremad-1001");
  assert_string_equal(cl.clips[fx_find(&cl, "1091_ITS_SAD_XX.wav")].speaker, "cremad-1091");
  const char **spk;
  assert_int_equal(tr_corpus_speakers(&cl, &spk), 4);
  free(spk);
  assert_int_equal(tr_corpus_skipped(&cl), 0);
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void unknown_code_is_an_error_naming_the_file(void **state)
{
  (void)state;
  fx_expect_label_error("1001_DFA_BOR_XX.wav", "1001_DFA_ANG_XX.wav");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(six_codes_and_actor_speakers),
    cmocka_unit_test(unknown_code_is_an_error_naming_the_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
