/* An ensemble (bundle v3) in the streaming engine: each published result is
 * the mean of what its networks publish alone, each with its own speaker
 * statistics; the sequence does not depend on the block size; the networks
 * run one after the other inside the slicing budget; reset and new_voice
 * reach every network; the one average (evx_ensemble_add/mean) that the
 * engine and `emovox eval` both take. */
#include "engine_fixture.h"
#include "evx_nn_ensemble.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A: voiced window statistics, vector adaptation; B: the frame matrix,
 * frame-mode adaptation (the two kinds the shipped ensemble averages). */
static evx_model *member_a(void) { return ef_seed_model(EVX_INPUT_VOICED_STATS, 1, 11); }
static evx_model *member_b(void) { return ef_seed_model(EVX_INPUT_FRAMES, 1, 12); }

static evx_engine_model *ensemble(void)
{
  evx_model *a = member_a();
  a->next = member_b();
  return ef_engine_model(a);
}

static void immediate(evx_engine *e)
{
  evx_engine_params p = { 0.0f, EVX_ENGINE_DEFAULT_GATE, EVX_ENGINE_DEFAULT_HOLD };
  evx_engine_set_params(e, &p); /* no smoothing: the published result is the mean */
}

static void test_the_mean_of_its_networks(void **state)
{
  (void)state;
  static trace ta, tb, tab;
  void *ma, *mb, *mab;
  evx_engine *a = engine(ef_engine_model(member_a()), &ma, &ta);
  evx_engine *b = engine(ef_engine_model(member_b()), &mb, &tb);
  evx_engine *ab = engine(ensemble(), &mab, &tab);
  evx_engine *all[3] = { a, b, ab };
  for (int i = 0; i < 3; i++) immediate(all[i]);
  evx_engine_stats sa, sb, sab;
  evx_engine_get_stats(a, &sa);
  evx_engine_get_stats(b, &sb);
  evx_engine_get_stats(ab, &sab);
  assert_int_equal(sab.work_per_inference, sa.work_per_inference + sb.work_per_inference);
  for (int round = 0; round < 2; round++) {
    /* round 1: after a reset and a new voice, which must reach both networks */
    for (int i = 0; round && i < 3; i++) {
      evx_engine_reset(all[i]);
      evx_engine_new_voice(all[i]);
    }
    play_voice(a, 256, &ta, 140.0, 0.3);
    play_voice(b, 256, &tb, 140.0, 0.3);
    play_voice(ab, 256, &tab, 140.0, 0.3);
    assert_true(tab.n > 30);
    assert_int_equal(tab.n, ta.n);
    assert_int_equal(tab.n, tb.n);
    double apart = 0;
    for (int k = 0; k < tab.n; k++)
      for (int i = 0; i < EVX_N_EMOTIONS; i++) {
        assert_float_equal(tab.p[k][i], 0.5f * (ta.p[k][i] + tb.p[k][i]), 2e-6);
        apart += fabs(ta.p[k][i] - tb.p[k][i]);
      }
    assert_true(apart > 0.1); /* the networks disagree: the mean is not trivial */
  }
  drop(a, ma);
  drop(b, mb);
  drop(ab, mab);
}

static void test_sliced_and_block_size_independent(void **state)
{
  (void)state;
  static trace one, big, rnd;
  void *m1, *m2, *m3;
  evx_engine *e1 = engine(ensemble(), &m1, &one);
  evx_engine *e2 = engine(ensemble(), &m2, &big);
  evx_engine *e3 = engine(ensemble(), &m3, &rnd);
  play_voice(e1, 1, &one, 140.0, 0.3);
  play_voice(e2, 2048, &big, 140.0, 0.3);
  play_voice(e3, 0, &rnd, 140.0, 0.3);
  assert_true(one.n > 30);
  assert_same(&one, &big);
  assert_same(&one, &rnd);
  evx_engine_stats s;
  evx_engine_get_stats(e1, &s);
  /* 1-sample pushes: never more than one unit of summary or adaptation,
   * never a completion forced at a boundary: both networks fit the budget */
  assert_int_equal(s.forced, 0);
  assert_int_equal(s.max_call_units, 1);
  assert_int_equal(s.inferences, (uint64_t)one.n);
  drop(e1, m1);
  drop(e2, m2);
  drop(e3, m3);
}

/* Members that would not see the same windows are refused. */
static void test_mismatched_members_refused(void **state)
{
  (void)state;
  evx_model *a = member_a();
  a->next = member_b();
  a->next->cfg.update_frames = 25;
  char err[256] = "";
  assert_null(evx_engine_model_new(a, err, sizeof err)); /* frees a */
  assert_non_null(strstr(err, "member 1"));
}

/* Members add into the canonical order through their label map (or as they
 * are); a non-finite or negative probability counts as 0; the mean divides
 * by the member count, exactly for one member. */
static void test_the_one_average(void **state)
{
  (void)state;
  const int map[3] = { 2, 0, 1 };
  float sum[3] = { 0 };
  const float a[3] = { 0.5f, 0.25f, 0.25f }, b[3] = { NAN, -1.0f, 0.75f };
  evx_ensemble_add(sum, a, 3, map);
  assert_true(sum[0] == 0.25f && sum[1] == 0.25f && sum[2] == 0.5f);
  evx_ensemble_add(sum, b, 3, NULL);
  assert_true(sum[0] == 0.25f && sum[1] == 0.25f && sum[2] == 1.25f);
  evx_ensemble_mean(sum, 3, 2);
  assert_true(sum[0] == 0.125f && sum[1] == 0.125f && sum[2] == 0.625f);
  float one[3] = { 0 };
  const float c[3] = { 0.1f, 0.2f, 0.7f };
  evx_ensemble_add(one, c, 3, NULL);
  evx_ensemble_mean(one, 3, 1);
  assert_memory_equal(one, c, sizeof c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_the_mean_of_its_networks),
    cmocka_unit_test(test_sliced_and_block_size_independent),
    cmocka_unit_test(test_mismatched_members_refused),
    cmocka_unit_test(test_the_one_average),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
