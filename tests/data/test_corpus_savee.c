/* SAVEE naming DC_a01 (a d f h n sa su), speaker = two-letter prefix. */
#include "test_util.h"
#include "fixture.h"
#include "corpus.h"
#include "evx_labels.h"
#include <sndfile.h>
#include <string.h>

static void codes_and_speakers(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  static const struct { const char *name, *speaker; int label; } want[] = {
    { "DC_a01.wav", "savee-DC", EVX_ANGRY },  { "DC_d02.wav", "savee-DC", EVX_DISGUST },
    { "JE_f03.wav", "savee-JE", EVX_FEAR },   { "JE_h04.wav", "savee-JE", EVX_HAPPY },
    { "JK_n05.wav", "savee-JK", EVX_NEUTRAL }, { "JK_sa06.wav", "savee-JK", EVX_SAD },
    { "KL_su15.wav", "savee-KL", EVX_SURPRISED },
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    fx_tone(root, want[i].name, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 0.3);
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, root, fx_log()), 0);
  assert_int_equal(cl.n, 7);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    fx_expect_clip(&cl, want[i].name, "savee", want[i].speaker, want[i].label);
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void unknown_code_is_an_error_naming_the_file(void **state)
{
  (void)state;
  fx_expect_label_error("DC_x01.wav", "DC_a01.wav");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(codes_and_speakers),
    cmocka_unit_test(unknown_code_is_an_error_naming_the_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
