/* Splits: no speaker on two sides, deterministic, folds cover every speaker
 * once as test, explicit lists, random split flagged. */
#include "test_util.h"
#include "corpus.h"
#include "split.h"
#include <stdlib.h>
#include <string.h>

/* 3 corpora: 20, 4 and 2 speakers, 6 clips each; no audio needed. */
static tr_cliplist make_list(void)
{
  tr_cliplist cl = { 0 };
  static const struct { const char *corpus; int speakers; } corpora[] = {
    { "ravdess", 20 }, { "savee", 4 }, { "tess", 2 },
  };
  cl.cap = 26 * 6;
  cl.clips = calloc(cl.cap, sizeof *cl.clips);
  for (size_t c = 0; c < 3; c++)
    for (int s = 0; s < corpora[c].speakers; s++)
      for (int k = 0; k < 6; k++) {
        tr_clip *e = &cl.clips[cl.n++];
        char path[64];
        snprintf(path, sizeof path, "/x/%s/%d/%d.wav", corpora[c].corpus, s, k);
        e->path = strdup(path);
        snprintf(e->corpus, sizeof e->corpus, "%s", corpora[c].corpus);
        snprintf(e->speaker, sizeof e->speaker, "%s-%02d", corpora[c].corpus, s);
        e->label = k;
      }
  return cl;
}

/* Side of each speaker; fails if a speaker is on two sides. */
static void assert_speaker_independent(const tr_cliplist *cl, const tr_split *sp)
{
  for (size_t i = 0; i < cl->n; i++)
    for (size_t j = 0; j < i; j++)
      if (!strcmp(cl->clips[i].speaker, cl->clips[j].speaker))
        assert_int_equal(sp->side[i], sp->side[j]);
}

static void speakers_rule_is_independent_and_deterministic(void **state)
{
  (void)state;
  tr_cliplist cl = make_list();
  tr_split_opts o = tr_split_defaults();
  tr_split a, b, c;
  char err[256];
  assert_int_equal(tr_split_make(&cl, &o, &a, err, sizeof err), 0);
  assert_int_equal(tr_split_make(&cl, &o, &b, err, sizeof err), 0);
  assert_speaker_independent(&cl, &a);
  assert_memory_equal(a.side, b.side, cl.n);
  assert_int_equal(a.random, 0);
  assert_null(tr_split_warning(&a));
  /* 20 speakers: 4 test, 2 val; 4: 1 test, 0 val; 2: 1 test, 0 val */
  assert_int_equal(a.speakers[TR_TEST], 6);
  assert_int_equal(a.speakers[TR_VAL], 2);
  assert_int_equal(a.speakers[TR_TRAIN], 18);
  assert_int_equal(a.clips[TR_TEST] + a.clips[TR_VAL] + a.clips[TR_TRAIN], cl.n);
  o.seed = 99;
  assert_int_equal(tr_split_make(&cl, &o, &c, err, sizeof err), 0);
  assert_speaker_independent(&cl, &c);
  assert_memory_not_equal(a.side, c.side, cl.n);
  tr_split_free(&a);
  tr_split_free(&b);
  tr_split_free(&c);
  tr_cliplist_free(&cl);
}

static void folds_cover_every_speaker_once(void **state)
{
  (void)state;
  tr_cliplist cl = make_list();
  tr_split_opts o = tr_split_defaults();
  o.mode = TR_SPLIT_FOLD;
  o.folds = 5;
  int *tested = calloc(cl.n, sizeof *tested);
  char err[256];
  for (o.fold = 0; o.fold < o.folds; o.fold++) {
    tr_split sp;
    assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
    assert_speaker_independent(&cl, &sp);
    assert_true(sp.speakers[TR_TEST] >= 5 && sp.speakers[TR_TEST] <= 6);
    assert_true(sp.speakers[TR_VAL] > 0);
    for (size_t i = 0; i < cl.n; i++)
      tested[i] += sp.side[i] == TR_TEST;
    tr_split_free(&sp);
  }
  for (size_t i = 0; i < cl.n; i++)
    assert_int_equal(tested[i], 1);
  free(tested);
  o.fold = 5;
  tr_split sp;
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), -1);
  tr_cliplist_free(&cl);
}

static void explicit_lists(void **state)
{
  (void)state;
  tr_cliplist cl = make_list();
  tr_split_opts o = tr_split_defaults();
  o.mode = TR_SPLIT_LIST;
  o.test_speakers = "ravdess-17,ravdess-18,savee-03";
  o.val_speakers = "tess-01";
  tr_split sp;
  char err[256];
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  assert_int_equal(sp.speakers[TR_TEST], 3);
  assert_int_equal(sp.speakers[TR_VAL], 1);
  assert_int_equal(sp.clips[TR_TEST], 18);
  for (size_t i = 0; i < cl.n; i++)
    if (!strcmp(cl.clips[i].speaker, "savee-03"))
      assert_int_equal(sp.side[i], TR_TEST);
  tr_split_free(&sp);
  o.test_speakers = "ravdess-17,nobody";
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), -1);
  assert_non_null(strstr(err, "nobody"));
  tr_cliplist_free(&cl);
}

/* --test-speakers alone: validation is val_frac of each corpus's other
 * speakers (it used to be empty, and early stopping ran on training rows);
 * val_frac 0 leaves every other speaker on train. */
static void test_list_alone_still_validates(void **state)
{
  (void)state;
  tr_cliplist cl = make_list();
  tr_split_opts o = tr_split_defaults();
  o.mode = TR_SPLIT_LIST;
  o.test_speakers = "ravdess-17,ravdess-18,savee-03";
  tr_split sp;
  char err[256];
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  assert_speaker_independent(&cl, &sp);
  assert_int_equal(sp.speakers[TR_TEST], 3);
  /* round(0.1 x 18) = 2 of ravdess's 18 others, round(0.1 x 3) = 0 of
   * savee's, round(0.1 x 2) = 0 of tess's */
  assert_int_equal(sp.speakers[TR_VAL], 2);
  for (size_t i = 0; i < cl.n; i++)
    if (sp.side[i] == TR_VAL)
      assert_string_equal(cl.clips[i].corpus, "ravdess");
  unsigned char first[26 * 6];
  memcpy(first, sp.side, cl.n);
  tr_split_free(&sp);
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  assert_memory_equal(first, sp.side, cl.n);   /* deterministic */
  tr_split_free(&sp);
  o.val_frac = 0.0;
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  assert_int_equal(sp.speakers[TR_VAL], 0);
  assert_int_equal(sp.speakers[TR_TRAIN], 23);
  tr_split_free(&sp);
  tr_cliplist_free(&cl);
}

static void random_split_is_flagged(void **state)
{
  (void)state;
  tr_cliplist cl = make_list();
  tr_split_opts o = tr_split_defaults();
  o.mode = TR_SPLIT_RANDOM;
  tr_split sp;
  char err[256];
  assert_int_equal(tr_split_make(&cl, &o, &sp, err, sizeof err), 0);
  assert_int_equal(sp.random, 1);
  assert_string_equal(tr_split_warning(&sp), "random split: speakers overlap");
  assert_int_equal(sp.clips[TR_TEST], 31); /* 20% of 156 */
  assert_true(sp.speakers[TR_TEST] > 6);  /* clips, not speakers, were drawn */
  tr_split_free(&sp);
  tr_cliplist_free(&cl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(speakers_rule_is_independent_and_deterministic),
    cmocka_unit_test(folds_cover_every_speaker_once),
    cmocka_unit_test(explicit_lists),
    cmocka_unit_test(test_list_alone_still_validates),
    cmocka_unit_test(random_split_is_flagged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
