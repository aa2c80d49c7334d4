/* Speaker adaptation (core/evx_adapt.h, bundle format v2): the running
 * statistics, their bounds, the stepped job in vector mode, and the bundle
 * round trip. */
#include "test_util.h"
#include "evx_bundle.h"
#include "evx_nn_zoo.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIM 294

static float pop_mean[DIM], pop_var[DIM];

static evx_adapt make_adapt(float prior, float memory)
{
  for (int i = 0; i < DIM; i++) {
    pop_mean[i] = (float)i * 0.1f;
    pop_var[i] = 1.0f + (float)(i % 7);
  }
  return (evx_adapt){ DIM, prior, memory, pop_mean, pop_var, 1 };
}

/* No history: the population statistics. */
static void test_reset_gives_population(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(4, 100);
  static evx_adapt_state s;
  evx_adapt_reset(&s, &a);
  float x[DIM];
  for (int i = 0; i < DIM; i++) x[i] = pop_mean[i] + sqrtf(pop_var[i]);
  evx_adapt_apply(&s, &a, x);
  for (int i = 0; i < DIM; i++) assert_float_equal(x[i], 1.0, 1e-4);
}

/* A long stream from one voice: the statistics become that voice's, so its
 * windows come out zero-mean, unit-variance, whatever the population says. */
static void test_converges_to_the_stream(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(4, 400);
  static evx_adapt_state s;
  evx_adapt_reset(&s, &a);
  uint64_t r = 12345;
  double sum[DIM] = { 0 }, sq[DIM] = { 0 };
  float x[DIM], y[DIM];
  int n = 6000, tail = 1000; /* the far-off start takes a few memories to fade */
  for (int k = 0; k < n; k++) {
    for (int i = 0; i < DIM; i++) {
      uint64_t z = (r += 0x9e3779b97f4a7c15ull);           /* splitmix64 */
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      float u = (float)(z >> 40) / (float)(1u << 24) - 0.5f;   /* var 1/12 */
      x[i] = 50.0f + 3.0f * (float)i + 20.0f * u;
    }
    evx_adapt_update(&s, &a, x);
    memcpy(y, x, sizeof y);
    evx_adapt_apply(&s, &a, y);
    if (k >= n - tail)
      for (int i = 0; i < DIM; i++) { sum[i] += y[i]; sq[i] += (double)y[i] * y[i]; }
  }
  assert_true(s.n <= 400.0);
  for (int i = 0; i < DIM; i++) {
    double m = sum[i] / tail, v = sq[i] / tail - m * m;
    assert_true(fabs(m) < 0.15);
    if (!(v > 0.8 && v < 1.25)) fail_msg("feature %d: variance %g, mean %g", i, v, m);
  }
}

/* NaN/Inf in a window neither poison the statistics nor reach the output
 * of a finite window afterwards. */
static void test_non_finite_ignored(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(2, 10);
  static evx_adapt_state s;
  evx_adapt_reset(&s, &a);
  float x[DIM];
  for (int k = 0; k < 50; k++) {
    for (int i = 0; i < DIM; i++) x[i] = (k + i) % 3 ? NAN : (i % 2 ? INFINITY : 1.0f);
    evx_adapt_update(&s, &a, x);
  }
  for (int i = 0; i < DIM; i++) x[i] = 1.0f;
  evx_adapt_apply(&s, &a, x);
  for (int i = 0; i < DIM; i++) {
    assert_true(isfinite(s.mean[i]) && isfinite(s.var[i]) && s.var[i] >= 0.0f);
    assert_true(isfinite(x[i]));
  }
}

/* A model with adaptation is written as format v2 and reads back with the
 * same fields and statistics; without it, v1 as before. */
/* Vector mode: the job is one unit that learns then normalises, as update
 * then apply do; without adaptation (len 0) it has no unit. */
static void test_stepped_job_vector(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(4, 100), none = { 0 };
  static evx_adapt_state ref, st;
  evx_adapt_reset(&ref, &a);
  evx_adapt_reset(&st, &a);
  float want[DIM], got[DIM];
  for (int i = 0; i < DIM; i++) want[i] = got[i] = (float)(i % 11) - 3.0f;
  evx_adapt_update(&ref, &a, want);
  evx_adapt_apply(&ref, &a, want);
  evx_adapt_job j;
  assert_int_equal(evx_adapt_units(&a, 1), 1);
  assert_int_equal(evx_adapt_unit_values(&a), 0);
  evx_adapt_begin(&j, &a, got, 1, 0);
  assert_true(evx_adapt_step(&j, &st, 1));
  assert_int_equal(j.next, 1);
  assert_memory_equal(got, want, sizeof got);
  assert_memory_equal(st.mean, ref.mean, sizeof ref.mean);
  assert_int_equal(evx_adapt_units(&none, 1), 0);
  evx_adapt_begin(&j, &none, got, 1, 0);
  assert_true(evx_adapt_step(&j, NULL, 1));
  assert_int_equal(j.next, 0);
}

static void test_bundle_roundtrip(void **state)
{
  (void)state;
  evx_feature_config cfg = evx_feature_config_default(EVX_INPUT_VOICED_STATS);
  evx_model *m = evx_model_make_seed(&cfg, 8, 7);
  assert_non_null(m);
  void *buf;
  size_t len;
  char err[256];
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), 0);
  assert_int_equal(((unsigned char *)buf)[8], 1);
  free(buf);
  m->adapt = make_adapt(6, 500);
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), 0);
  assert_int_equal(((unsigned char *)buf)[8], 2);
  evx_model *b = NULL;
  if (evx_bundle_parse(buf, len, &b, err, sizeof err)) fail_msg("%s", err);
  assert_int_equal(b->adapt.len, DIM);
  assert_float_equal(b->adapt.prior, 6.0, 0);
  assert_float_equal(b->adapt.memory, 500.0, 0);
  assert_memory_equal(b->adapt.mean, pop_mean, sizeof pop_mean);
  assert_memory_equal(b->adapt.var, pop_var, sizeof pop_var);
  evx_model_free(b);
  free(buf);
  m->adapt.memory = 2; /* below prior */
  tu_bundle_refused(m, "adaptation");
  m->adapt.len = 0;
  evx_model_free(m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reset_gives_population),
    cmocka_unit_test(test_converges_to_the_stream),
    cmocka_unit_test(test_non_finite_ignored),
    cmocka_unit_test(test_stepped_job_vector),
    cmocka_unit_test(test_bundle_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
