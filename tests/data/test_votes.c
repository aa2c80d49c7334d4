/* CREMA-D crowd votes (--cremad-votes agree): training clips whose audio-only
 * vote does not include their label are dropped, ties count, clips without a
 * row stay, held-out clips are never touched, a missing table is an error. */
#include "test_util.h"
#include "fixture.h"
#include "corpus.h"
#include "evx_labels.h"
#include "split.h"
#include "votes.h"
#include <string.h>

static const char *table =
  "\"\",\"FileName\",\"VoiceVote\",\"VoiceLevel\",\"FaceVote\"\n"
  "\"1\",\"1001_DFA_ANG_XX\",\"A\",\"80\",\"A\"\n"      /* agrees */
  "\"2\",\"1001_DFA_HAP_XX\",\"N\",\"60\",\"H\"\n"      /* disagrees: dropped */
  "\"3\",\"1001_DFA_SAD_XX\",\"N:S\",\"50\",\"S\"\n"    /* tie including it */
  "\"4\",\"1002_DFA_FEA_XX\",\"N\",\"70\",\"F\"\n";     /* test speaker: kept */
/* 1001_DFA_NEU_XX has no row: kept */

static void disagreeing_training_clips_are_dropped(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  const char *names[] = { "1001_DFA_ANG_XX", "1001_DFA_HAP_XX", "1001_DFA_SAD_XX",
                          "1001_DFA_NEU_XX", "1002_DFA_FEA_XX" };
  char rel[64];
  for (int i = 0; i < 5; i++) {
    snprintf(rel, sizeof rel, "cremad/%s.wav", names[i]);
    fx_wav(root, rel);
  }
  fx_text(root, "cremad/summaryTable.csv", table);
  tr_cliplist cl = { 0 };
  char dir[4096], err[512];
  snprintf(dir, sizeof dir, "%s/cremad", root);
  assert_int_equal(tr_corpus_add(&cl, dir, fx_log()), 0);
  fx_log_close();
  assert_int_equal(cl.n, 5);
  tr_split_opts o = tr_split_defaults();
  o.mode = TR_SPLIT_LIST;
  o.test_speakers = "cremad-1002";
  o.val_frac = 0;
  tr_split sp;
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  size_t dropped, kept;
  assert_int_equal(tr_votes_keep_agreeing(&cl, &sp, &dropped, &kept, err, sizeof err), 0);
  assert_int_equal(dropped, 1);
  assert_int_equal(kept, 3);
  assert_int_equal(cl.n, 4);
  assert_int_equal(sp.n, 4);
  assert_int_equal(sp.clips[TR_TRAIN], 3);
  assert_int_equal(sp.clips[TR_TEST], 1);
  assert_true(fx_find(&cl, "1001_DFA_HAP_XX.wav") < 0);
  long t = fx_find(&cl, "1002_DFA_FEA_XX.wav");
  assert_true(t >= 0);
  assert_int_equal(sp.side[t], TR_TEST);
  for (size_t i = 0; i < cl.n; i++)   /* sides still follow their clips */
    assert_int_equal(sp.side[i], strstr(cl.clips[i].path, "1002_") ? TR_TEST : TR_TRAIN);
  tr_split_free(&sp);
  tr_cliplist_free(&cl);
}

static void missing_table_is_an_error(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  fx_wav(root, "cremad/1001_DFA_ANG_XX.wav");
  tr_cliplist cl = { 0 };
  char dir[4096], err[512];
  snprintf(dir, sizeof dir, "%s/cremad", root);
  assert_int_equal(tr_corpus_add(&cl, dir, fx_log()), 0);
  fx_log_close();
  tr_split_opts o = tr_split_defaults();
  o.test_frac = 0, o.val_frac = 0;
  tr_split sp;
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  size_t dropped, kept;
  assert_int_equal(tr_votes_keep_agreeing(&cl, &sp, &dropped, &kept, err, sizeof err), -1);
  assert_non_null(strstr(err, "summaryTable.csv"));
  tr_split_free(&sp);
  tr_cliplist_free(&cl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(disagreeing_training_clips_are_dropped),
    cmocka_unit_test(missing_table_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
