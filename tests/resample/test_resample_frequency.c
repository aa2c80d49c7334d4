/* test_resample_frequency.c: a 1 kHz sine stays 1 kHz from every rate (the
 * ratio is exact), and 16 kHz input passes through bit-exact, undelayed. */
#include "test_util.h"

#include "rs_measure.h"
#include "evx_resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TONE_HZ 1000.0
#define TOLERANCE_HZ 0.01

static void test_one_khz_stays_one_khz(void **state)
{
  (void)state;
  static const double rates[] = {8000, 11025, 22050, 24000, 32000, 44100, 48000,
                                 88200, 96000, 176400, 192000,
                                 44056, 47952.048, 16001, 191999.5};
  for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
    double rate = rates[k];
    size_t n = (size_t)rate, m, skip = rsm_warmup(rate);
    float *x = rsm_tone(n, rate, TONE_HZ, 0.5, 1.0);
    float *y = rsm_convert(rate, x, n, 1024, &m);
    free(x);
    assert_non_null(y);
    /* One second in, one second (less the delay) out. */
    assert_true(fabs((double)m - 16000.0) <= 2.0);
    double f = rsm_frequency(y + skip, m - skip, TONE_HZ);
    double a = rsm_fit(y + skip, m - skip, TONE_HZ, NULL, NULL);
    free(y);
    print_message("%10.3f Hz: %.6f Hz, amplitude %.6f\n", rate, f, a);
    assert_true(fabs(f - TONE_HZ) <= TOLERANCE_HZ);
    assert_true(fabs(a - 0.5) <= 0.5 * 0.012);   /* 0.1 dB */
  }
}

/* The reported delay is where the filter puts a tone: the output's phase
 * matches the input's delayed by evx_rs_delay() output samples. */
static void test_delay_matches_phase(void **state)
{
  (void)state;
  static const double rates[] = {8000, 44100, 48000, 192000, 47952.048};
  for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
    double rate = rates[k];
    size_t n = (size_t)(rate / 4), m;
    void *mem;
    evx_rs *rs = rsm_new(rate, 64, &mem);
    assert_non_null(rs);
    double delay = evx_rs_delay(rs);
    free(mem);
    float *x = rsm_tone(n, rate, 300.0, 0.5, 0.0);
    float *y = rsm_convert(rate, x, n, 64, &m);
    free(x);
    size_t skip = rsm_warmup(rate);
    double ph;
    rsm_fit(y + skip, m - skip, 300.0, NULL, &ph);
    free(y);
    /* Expected: sin(w (i + skip - delay)) with w per output sample. */
    double w = 2.0 * M_PI * 300.0 / 16000.0;
    double err = remainder(ph - w * ((double)skip - delay), 2.0 * M_PI);
    print_message("%10.3f Hz: delay %.3f, phase error %.2e rad\n", rate, delay, err);
    assert_true(fabs(err) < 1e-3);
  }
}

static void test_16k_passthrough_bit_exact(void **state)
{
  (void)state;
  enum { N = 10000, MAX_IN = 333 };
  float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
  uint64_t seed = 7;
  for (size_t i = 0; i < N; i++)
    x[i] = (float)(tu_gauss(&seed) * pow(10.0, (double)(i % 40) - 20.0));
  x[5] = 1e-42f;   /* a denormal passes too */
  void *mem;
  evx_rs *rs = rsm_new(16000.0, MAX_IN, &mem);
  assert_non_null(rs);
  assert_true(evx_rs_delay(rs) == 0.0);
  assert_true(evx_rs_max_out(rs) == MAX_IN);
  size_t got = 0;
  for (size_t i = 0; i < N;) {
    uint32_t b = (uint32_t)(tu_rand(&seed) % (MAX_IN + 1));
    b = b < N - i ? b : (uint32_t)(N - i);
    uint32_t k = evx_rs_process(rs, x + i, b, y + got);
    assert_int_equal(k, b);
    got += k;
    i += b;
  }
  assert_int_equal(got, N);
  assert_memory_equal(x, y, sizeof(float) * N);
  free(mem);
  free(x);
  free(y);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_khz_stays_one_khz),
    cmocka_unit_test(test_delay_matches_phase),
    cmocka_unit_test(test_16k_passthrough_bit_exact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
