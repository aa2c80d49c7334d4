/* RAVDESS naming: speech kept, song and video skipped and counted, bad files
 * skipped with warnings naming them, unknown emotion codes an error. */
#include "test_util.h"
#include "fixture.h"
#include "corpus.h"
#include "evx_labels.h"
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

static void speech_kept_song_video_skipped(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  fx_wav(root, "Actor_01/03-01-01-01-01-01-01.wav");
  fx_wav(root, "Actor_01/03-01-06-02-01-01-01.wav");
  fx_tone(root, "Actor_12/03-01-08-01-02-02-12.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16,
          48000, 0.4);
  fx_wav(root, "Actor_01/03-02-01-01-01-01-01.wav");   /* song */
  fx_wav(root, "Actor_01/01-01-01-01-01-01-01.wav");   /* audio-video */
  fx_wav(root, "Actor_01/02-01-01-01-01-01-01.wav");   /* video only */
  fx_text(root, "README.txt", "not a clip\n");
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, root, fx_log()), 0);
  assert_int_equal(cl.n, 3);
  long a = fx_find(&cl, "03-01-01-01-01-01-01.wav"), b = fx_find(&cl, "03-01-06-02-01-01-01.wav");
  long c = fx_find(&cl, "03-01-08-01-02-02-12.flac");
  assert_true(a >= 0 && b >= 0 && c >= 0);
  assert_int_equal(cl.clips[a].label, EVX_NEUTRAL);
  assert_int_equal(cl.clips[b].label, EVX_FEAR);
  assert_int_equal(cl.clips[c].label, EVX_SURPRISED);
  assert_string_equal(cl.clips[a].speaker, "ravdess-01");
  assert_string_equal(cl.clips[c].speaker, "ravdess-12");
  assert_string_equal(cl.clips[c].corpus, "ravdess");
  assert_int_equal(cl.skips.song, 1);
  assert_int_equal(cl.skips.video, 2);
  assert_int_equal(cl.skips.other, 1);
  assert_int_equal(tr_corpus_skipped(&cl), 4);
  for (size_t i = 1; i < cl.n; i++) /* sorted: independent of readdir order */
    assert_true(strcmp(cl.clips[i - 1].path, cl.clips[i].path) < 0);
  tr_corpus_report(&cl, fx_log());
  assert_non_null(strstr(fx_log_text(), "RAVDESS song 1"));
  assert_non_null(strstr(fx_log_text(), "RAVDESS video 2"));
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void bad_files_skipped_with_warnings(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  fx_wav(root, "03-01-01-01-01-01-01.wav");
  fx_text(root, "03-01-02-01-01-01-01.wav", "");                        /* empty */
  fx_text(root, "03-01-03-01-01-01-01.wav", "this is not audio at all\n");
  fx_truncated(root, "03-01-01-01-01-01-01.wav", "03-01-04-01-01-01-01.wav", 8000);
  fx_tone(root, "03-01-05-01-01-01-01.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 2.0);
  fx_truncated(root, "03-01-05-01-01-01-01.flac", "03-01-06-01-01-01-01.flac", 9000);
  fx_tone(root, "03-01-07-01-01-01-01.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 0.01);
  fx_wav(root, "take_2.wav");                                           /* unrecognised */
  tr_cliplist cl = { 0 };
  tr_log *log = fx_log();
  assert_int_equal(tr_corpus_add(&cl, root, log), 0);
  assert_int_equal(cl.n, 2);
  assert_int_equal(cl.skips.empty, 1);
  assert_int_equal(cl.skips.unreadable, 1);
  assert_int_equal(cl.skips.truncated, 2);
  assert_int_equal(cl.skips.too_short, 1);
  assert_int_equal(cl.skips.unrecognised, 1);
  assert_int_equal(log->warnings, 6);
  const char *text = fx_log_text();
  const char *named[] = { "03-01-02-01-01-01-01.wav", "03-01-03-01-01-01-01.wav",
                          "03-01-04-01-01-01-01.wav", "03-01-06-01-01-01-01.flac",
                          "03-01-07-01-01-01-01.wav", "take_2.wav" };
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    assert_non_null(strstr(text, named[i]));
  fx_log_close();
  tr_cliplist_free(&cl);
}

static void unknown_emotion_is_an_error_naming_the_file(void **state)
{
  (void)state;
  fx_expect_label_error("03-01-09-01-01-01-01.wav", "03-01-01-01-01-01-01.wav");
}

static void shared_ravdess_has_1200_clips_from_20_actors(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char dir[4096];
  tr_cliplist cl = { 0 };
  tr_log quiet = { .quiet = 1 };
  assert_int_equal(tr_corpus_add(&cl, tu_shared_path(dir, sizeof dir, "data/ravdess"), &quiet), 0);
  assert_int_equal(cl.n, 1200);
  assert_int_equal(quiet.warnings, 0);
  const char **spk;
  assert_int_equal(tr_corpus_speakers(&cl, &spk), 20);
  assert_string_equal(spk[0], "ravdess-01");
  assert_string_equal(spk[19], "ravdess-20");
  free(spk);
  size_t per[EVX_N_EMOTIONS] = { 0 };
  for (size_t i = 0; i < cl.n; i++)
    per[cl.clips[i].label]++;
  assert_int_equal(per[EVX_NEUTRAL], 80); /* one intensity only */
  assert_int_equal(per[EVX_ANGRY], 160);
  tr_cliplist_free(&cl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(speech_kept_song_video_skipped),
    cmocka_unit_test(bad_files_skipped_with_warnings),
    cmocka_unit_test(unknown_emotion_is_an_error_naming_the_file),
    cmocka_unit_test(shared_ravdess_has_1200_clips_from_20_actors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
