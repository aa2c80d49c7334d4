/* test_one_window.c: `emovox train --windows one` (tl_train_opts.one_window):
 * an epoch trains on one row drawn per item (a clip's variant, whose
 * windows are consecutive rows), every item once, each of its rows in
 * turn over epochs; without it, every row once. Class and speaker weights
 * then count items, not rows, so a clip with many windows weighs what a
 * clip with one does. */
#include "test_util.h"
#include "learn/train_loop.h"
#include <stdlib.h>
#include <string.h>

/* Items of 1, 3, 2, 5 and 1 rows. */
#define N 12
static const uint32_t item[N] = { 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4 };
static const int label[N] = { 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1 };

static tl_set set_of(void)
{
  static float x[N];
  return (tl_set){ N, 1, x, label, NULL, item };
}

static void test_all_rows_without_one_window(void **state)
{
  (void)state;
  tl_set s = set_of();
  size_t perm[N];
  uint64_t rng = 3;
  assert_int_equal(tl_epoch_rows(&s, 0, &rng, perm), N);
  int seen[N] = { 0 };
  for (int i = 0; i < N; i++)
    seen[perm[i]]++;
  for (int i = 0; i < N; i++)
    assert_int_equal(seen[i], 1);
}

static void test_one_row_per_item(void **state)
{
  (void)state;
  tl_set s = set_of();
  size_t perm[N];
  int chosen[N] = { 0 };
  uint64_t rng = 3;
  for (int epoch = 0; epoch < 200; epoch++) {
    assert_int_equal(tl_epoch_rows(&s, 1, &rng, perm), 5);
    int per_item[5] = { 0 };
    for (int i = 0; i < 5; i++) {
      per_item[item[perm[i]]]++;
      chosen[perm[i]]++;
    }
    for (int k = 0; k < 5; k++)
      assert_int_equal(per_item[k], 1);
  }
  for (int i = 0; i < N; i++)   /* every window of every clip gets its turn */
    assert_true(chosen[i] > 0);
}

static void test_weights_count_items(void **state)
{
  (void)state;
  tl_set s = set_of();
  float cw[2], w[N];
  tl_class_weights(&s, 2, 1, 0, cw);   /* rows: 6 of class 0, 6 of class 1 */
  assert_float_equal(cw[0], 1.0, 1e-6);
  assert_float_equal(cw[1], 1.0, 1e-6);
  tl_class_weights(&s, 2, 1, 1, cw);   /* items: 2 of class 0, 3 of class 1 */
  assert_float_equal(cw[0], 5.0 / (2 * 2), 1e-6);
  assert_float_equal(cw[1], 5.0 / (2 * 3), 1e-6);
  /* two speakers: items 0-2 and items 3-4 */
  const uint32_t spk[N] = { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1 };
  tl_group_weights(spk, item, N, 2, w);   /* 5 items: 3 and 2 */
  assert_float_equal(w[0], 5.0 / (2 * 3), 1e-6);
  assert_float_equal(w[6], 5.0 / (2 * 2), 1e-6);
  tl_group_weights(spk, NULL, N, 2, w);   /* rows: 6 and 6 */
  assert_float_equal(w[0], 1.0, 1e-6);
  assert_float_equal(w[6], 1.0, 1e-6);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_rows_without_one_window),
    cmocka_unit_test(test_one_row_per_item),
    cmocka_unit_test(test_weights_count_items),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
