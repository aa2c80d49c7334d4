/* Small host blocks with the shipped model (models/default.emvx): at 48 kHz, pushes of 16
 * and of 64 samples each do a bounded slice of the window summary, the
 * adaptation and the networks, never the whole of any (issue 19: the worst
 * call within 10% of a 16-frame block's budget, 5% of a 64-frame one's,
 * timed by bench_plugin). Counted, not timed: each push's grant is its
 * samples' share of the work over half an update interval, at most one
 * summary or adaptation unit (one feature over the window) fits it, and no
 * inference has to be forced through. The same results as pushes of 2048.
 * The same for a frame-matrix network with frame-mode adaptation alone (the
 * shape of bench/run_all.sh's plugin_model tcn bundle). */
#include "engine_fixture.h"
#include <stdio.h>
#include <stdlib.h>

static evx_engine_model *shipped(void)
{
  char path[4200], err[512];
  snprintf(path, sizeof path, "%s/models/default.emvx", tu_source_root());
  evx_engine_model *em = evx_engine_model_load(path, err, sizeof err);
  if (!em) fail_msg("%s", err);
  return em;
}

static evx_engine_model *frame_matrix(void)
{
  return ef_engine_model(ef_seed_model(EVX_INPUT_FRAMES, 1, 11));
}

static void run_blocks(evx_engine_model *(*model)(void), uint32_t block, trace *t,
                       evx_engine_stats *s)
{
  void *mem;
  evx_engine *e = engine(model(), &mem, t);
  play_voice(e, block, t, 150.0, 0.3);
  evx_engine_get_stats(e, s);
  drop(e, mem);
}

static void check_small_slices(evx_engine_model *(*model)(void))
{
  static trace t16, t64, big;
  evx_engine_stats s16, s64, sb;
  run_blocks(model, 16, &t16, &s16);
  run_blocks(model, 64, &t64, &s64);
  run_blocks(model, 2048, &big, &sb);
  /* half an update interval (0.5 s) of 48 kHz samples carries one window */
  double half = 0.5 * 0.5 * RATE;
  print_message("work %llu FLOPs per update; 16-sample pushes: grant <= %llu, <= %llu units; "
                "64: <= %llu, <= %llu units; %d results\n",
                (unsigned long long)s16.work_per_inference,
                (unsigned long long)s16.max_call_budget, (unsigned long long)s16.max_call_units,
                (unsigned long long)s64.max_call_budget, (unsigned long long)s64.max_call_units,
                t16.n);
  assert_true(t16.n > 30);
  assert_int_equal(s16.forced, 0);
  assert_int_equal(s64.forced, 0);
  /* the grant: the push's share of the work, 16/12000 or 64/12000 of it */
  assert_true((double)s16.max_call_budget <= s16.work_per_inference * 16 / half + 1);
  assert_true((double)s64.max_call_budget <= s64.work_per_inference * 64 / half + 1);
  /* one feature's pass over the window per 16 samples; about four per 64
   * (with 10 FLOPs per value charged, 64 samples took 51, ~47 us) */
  assert_true(s16.max_call_units <= 1);
  assert_true(s64.max_call_units <= 4);
  assert_true(sb.max_call_units > 4);   /* large pushes do take larger slices */
  assert_same(&t16, &big);
  assert_same(&t64, &big);
}

static void test_small_pushes_do_small_slices(void **state)
{
  (void)state;
  check_small_slices(shipped);
}

static void test_frame_matrix_small_slices(void **state)
{
  (void)state;
  check_small_slices(frame_matrix);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_small_pushes_do_small_slices),
    cmocka_unit_test(test_frame_matrix_small_slices),
  };
  return cmocka_run_group_tests_name("engine_small_blocks", tests, NULL, NULL);
}
