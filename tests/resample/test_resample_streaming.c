/* test_resample_streaming.c: the output does not depend on how the input is
 * blocked (bit-identical), each call stays within evx_rs_max_out(), reset
 * forgets everything, and NaN/Inf/huge input never poisons the output. */
#include "test_util.h"

#include "rs_measure.h"
#include "evx_resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IN 8192u

static const double rates[] = {8000, 11025, 16000, 44100, 48000, 192000, 47952.048};

/* Feed x in blocks (block 0: random sizes 0..MAX_IN); returns the outputs
 * (malloc'd), *m their count. */
static float *feed(evx_rs *rs, const float *x, size_t n, uint32_t block, size_t *m)
{
  uint64_t seed = 99 + block;
  uint32_t max_out = evx_rs_max_out(rs);
  float *y = malloc(sizeof(float) * (n * 2 + max_out));
  size_t got = 0;
  for (size_t i = 0; i < n;) {
    uint32_t b = block ? block : (uint32_t)(tu_rand(&seed) % (MAX_IN + 1));
    b = b < n - i ? b : (uint32_t)(n - i);
    uint32_t k = evx_rs_process(rs, x + i, b, y + got);
    assert_true(k <= max_out);
    got += k;
    i += b;
  }
  *m = got;
  return y;
}

static float *noise(size_t n, uint64_t seed)
{
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(0.3 * tu_gauss(&seed));
  return x;
}

static void test_block_sizes_bit_identical(void **state)
{
  (void)state;
  static const uint32_t blocks[] = {1, 7, 160, 4096, 8192, 0};
  for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    size_t n = (size_t)(rates[r] * 0.4), ref_m;
    float *x = noise(n, 5);
    void *mem;
    evx_rs *rs = rsm_new(rates[r], MAX_IN, &mem);
    assert_non_null(rs);
    float *ref = feed(rs, x, n, MAX_IN, &ref_m);
    /* Outputs of n inputs: those at input times 0 .. n-1. */
    assert_true(fabs((double)ref_m - (double)n * 16000.0 / rates[r]) <= 1.0);
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
      size_t m;
      evx_rs_reset(rs);   /* reset must equal a fresh instance */
      float *y = feed(rs, x, n, blocks[b], &m);
      assert_int_equal(m, ref_m);
      assert_memory_equal(y, ref, sizeof(float) * m);
      free(y);
    }
    free(ref);
    free(mem);
    free(x);
  }
}

/* Max output per call is reached, never exceeded, for every start phase. */
static void test_max_out_is_tight(void **state)
{
  (void)state;
  for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    enum { SMALL = 5 };
    void *mem;
    evx_rs *rs = rsm_new(rates[r], SMALL, &mem);
    assert_non_null(rs);
    uint32_t max_out = evx_rs_max_out(rs), best = 0;
    float x[SMALL] = {0}, y[64];
    assert_true(max_out <= 64);
    for (int call = 0; call < 2000; call++) {
      uint32_t k = evx_rs_process(rs, x, SMALL, y);
      assert_true(k <= max_out);
      best = k > best ? k : best;
    }
    assert_true(best + 1 >= max_out);
    free(mem);
  }
}

/* A burst of NaN, Inf and huge values: outputs stay finite and, once the
 * burst has left the filter, equal the output of the clean signal. */
static void test_bad_input_does_not_poison(void **state)
{
  (void)state;
  for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    double rate = rates[r];
    size_t n = (size_t)(rate * 0.3), m_clean, m_bad;
    float *clean = rsm_tone(n, rate, 440.0, 0.5, 0.0);
    float *bad = malloc(sizeof(float) * n);
    memcpy(bad, clean, sizeof(float) * n);
    size_t b0 = n / 3, b1 = b0 + 300;
    for (size_t i = b0; i < b1; i++)
      bad[i] = i % 4 == 0 ? NAN : i % 4 == 1 ? INFINITY : i % 4 == 2 ? -INFINITY : 3e38f;
    void *mem_a, *mem_b;
    evx_rs *a = rsm_new(rate, MAX_IN, &mem_a), *b = rsm_new(rate, MAX_IN, &mem_b);
    assert_non_null(a);
    assert_non_null(b);
    float *yc = feed(a, clean, n, 256, &m_clean);
    float *yb = feed(b, bad, n, 256, &m_bad);
    assert_int_equal(m_clean, m_bad);
    for (size_t j = 0; j < m_bad; j++)
      assert_true(isfinite(yb[j]));
    /* The last output whose window still holds the burst: the filter spans
     * 2 x delay output samples. */
    size_t after = (size_t)ceil((double)b1 * 16000.0 / rate + 2.0 * evx_rs_delay(a)) + 2;
    assert_true(after < m_bad);
    assert_memory_equal(yc + after, yb + after, sizeof(float) * (m_bad - after));
    free(yc);
    free(yb);
    free(mem_a);
    free(mem_b);
    free(clean);
    free(bad);
  }
}

static void test_bad_arguments(void **state)
{
  (void)state;
  assert_int_equal(evx_rs_size(7999.0, 64), 0);
  assert_int_equal(evx_rs_size(192001.0, 64), 0);
  assert_int_equal(evx_rs_size(NAN, 64), 0);
  assert_int_equal(evx_rs_size(48000.0, 0), 0);
  char small[16];
  assert_null(evx_rs_init(small, sizeof small, 48000.0, 64));
  /* Unaligned caller memory is fine. */
  size_t size = evx_rs_size(44100.0, 64);
  char *mem = malloc(size + 1);
  evx_rs *rs = evx_rs_init(mem + 1, size, 44100.0, 64);
  assert_non_null(rs);
  float x[64] = {0}, y[64];
  assert_int_equal(evx_rs_process(rs, x, 0, y), 0);
  assert_true(evx_rs_process(rs, x, 64, y) <= evx_rs_max_out(rs));
  free(mem);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_block_sizes_bit_identical),
    cmocka_unit_test(test_max_out_is_tight),
    cmocka_unit_test(test_bad_input_does_not_poison),
    cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
