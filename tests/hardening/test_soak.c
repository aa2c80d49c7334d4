/* test_soak.c (soak_2min): the soak of bench/soak.c (bench/soak_core.h)
 * with 120 s of hostile audio per instance: three plugins x six rates,
 * random blocks 1..8192, every block checked, RSS flat after warm-up. */
#include "soak_core.h"
#include "test_util.h"

static void test_soak_2min(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  soak_opts o = { .seconds = 120, .seed = 20240601, .shared = tu_shared_dir() };
  soak_result r;
  int rc = soak_run(&o, &r);
  assert_int_not_equal(rc, -1);   /* bundle built and instantiable */
  assert_int_equal(r.instances, 18);
  assert_true(r.instance_s >= 18 * 119.9);
  assert_int_equal(r.violations, 0);
  assert_true(r.rss_growth_kib < r.rss_limit_kib);
  assert_int_equal(rc, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_soak_2min) };
  return cmocka_run_group_tests_name("soak_2min", tests, NULL, NULL);
}
