/* CSV manifests: path/emotion/speaker columns by header name, paths relative
 * to the CSV, extra and quoted columns ignored; ../shared's manifest.csv. */
#include "test_util.h"
#include "fixture.h"
#include "corpus.h"
#include "evx_labels.h"
#include <stdlib.h>
#include <string.h>

static void columns_by_name_relative_paths(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  fx_wav(root, "clips/a.wav");
  fx_wav(root, "clips/b.wav");
  fx_wav(root, "other/c.wav");
  fx_wav(root, "other/DC_a01.wav");
  fx_text(root, "meta/list.csv",
          "id,emotion,text,path,speaker\r\n"
          "1,angry,\"Kids, talking \"\"loudly\"\"\",../clips/a.wav,spk-1\r\n"
          "2,Fearful,plain,../clips/b.wav,spk-2\r\n"
          "3,ps,,../other/c.wav,\r\n"
          "\r\n"
          "4,neutral,x,../other/DC_a01.wav,\r\n"
          "5,sad,x,../clips/missing.wav,spk-1\r\n");
  char csv[4096];
  snprintf(csv, sizeof csv, "%s/meta/list.csv", root);
  tr_cliplist cl = { 0 };
  tr_log *log = fx_log();
  assert_int_equal(tr_corpus_add(&cl, csv, log), 0);
  assert_int_equal(cl.n, 4);
  long a = fx_find(&cl, "clips/a.wav"), b = fx_find(&cl, "clips/b.wav");
  long c = fx_find(&cl, "other/c.wav"), d = fx_find(&cl, "DC_a01.wav");
  assert_true(a >= 0 && b >= 0 && c >= 0 && d >= 0);
  assert_int_equal(cl.clips[a].label, EVX_ANGRY);
  assert_int_equal(cl.clips[b].label, EVX_FEAR);
  assert_int_equal(cl.clips[c].label, EVX_SURPRISED);
  assert_int_equal(cl.clips[d].label, EVX_NEUTRAL); /* the manifest's label wins */
  assert_string_equal(cl.clips[a].speaker, "spk-1");
  assert_string_equal(cl.clips[c].speaker, "csv-other");  /* no speaker: folder */
  assert_string_equal(cl.clips[d].speaker, "savee-DC");   /* no speaker: naming */
  assert_int_equal(cl.skips.unreadable, 1);
  assert_non_null(strstr(fx_log_text(), "missing.wav"));
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void unknown_emotion_is_an_error_naming_the_file(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  fx_wav(root, "a.wav");
  fx_text(root, "m.csv", "path,emotion\na.wav,angry\na.wav,bored\n");
  char csv[4096];
  snprintf(csv, sizeof csv, "%s/m.csv", root);
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, csv, fx_log()), -1);
  assert_non_null(strstr(fx_log_text(), "a.wav"));
  assert_non_null(strstr(fx_log_text(), "bored"));
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void header_without_path_is_an_error(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  fx_text(root, "m.csv", "file,emotion\na.wav,angry\n");
  char csv[4096];
  snprintf(csv, sizeof csv, "%s/m.csv", root);
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, csv, fx_log()), -1);
  assert_non_null(strstr(fx_log_text(), "path"));
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void shared_manifest_has_11103_clips_8_emotions(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char csv[4096];
  tr_cliplist cl = { 0 };
  tr_log quiet = { .quiet = 1 };
  assert_int_equal(tr_corpus_add(&cl, tu_shared_path(csv, sizeof csv, "data/manifest.csv"),
                                  &quiet), 0);
  assert_int_equal(cl.n, 11103);
  assert_int_equal(tr_corpus_skipped(&cl), 0);
  size_t per[EVX_N_EMOTIONS] = { 0 };
  for (size_t i = 0; i < cl.n; i++)
    per[cl.clips[i].label]++;
  for (int e = 0; e < EVX_N_EMOTIONS; e++)
    assert_true(per[e] > 0);
  const char **spk;
  assert_int_equal(tr_corpus_speakers(&cl, &spk), 107);
  free(spk);
  tr_cliplist_free(&cl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(columns_by_name_relative_paths),
    cmocka_unit_test(unknown_emotion_is_an_error_naming_the_file),
    cmocka_unit_test(header_without_path_is_an_error),
    cmocka_unit_test(shared_manifest_has_11103_clips_8_emotions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
