/* The emotion order is part of the bundle format and the port list. */
#include "test_util.h"
#include "evx_labels.h"
#include <string.h>

static void test_order_matches_design(void **state)
{
  (void)state;
  static const char *const expect[] = { "angry", "calm", "disgust", "fear",
                                         "happy", "neutral", "sad", "surprised" };
  assert_int_equal(EVX_N_EMOTIONS, 8);
  for (int i = 0; i < EVX_N_EMOTIONS; i++) {
    assert_string_equal(evx_emotion_name(i), expect[i]);
    assert_int_equal(evx_emotion_from_name(expect[i]), i);
  }
  assert_null(evx_emotion_name(-1));
  assert_null(evx_emotion_name(8));
  assert_int_equal(evx_emotion_from_name("fearful"), -1);
  assert_int_equal(evx_emotion_from_name(NULL), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_order_matches_design) };
  return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
