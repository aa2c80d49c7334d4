/* test_bad_input.c: NaN, Inf, huge values, denormals, full-scale square
 * waves and DC never give a non-finite feature; silence gives chroma 0;
 * pushing 0 samples (or a NULL block) is harmless; bad sizes are refused. */
#include "test_util.h"

#include "evx_features.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 1024u
#define N (16000u * 3u / 2u)

typedef void (*fill_fn)(float *x, size_t n);

static void fill_nan_inf(float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (i % 7 == 0) ? NAN : (i % 11 == 0) ? INFINITY : (i % 13 == 0) ? -INFINITY
                                                          : 0.5f * sinf(0.05f * (float)i);
}
static void fill_all_nan(float *x, size_t n) { for (size_t i = 0; i < n; i++) x[i] = NAN; }
static void fill_huge(float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (i & 1) ? FLT_MAX : -FLT_MAX;
}
static void fill_denormal(float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (i & 1 ? 1.0f : -1.0f) * FLT_MIN * 1e-3f * (float)(i % 5);
}
static void fill_square(float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (i / 20) & 1 ? 1.0f : -1.0f;
}
static void fill_dc(float *x, size_t n) { for (size_t i = 0; i < n; i++) x[i] = 1.0f; }
static void fill_zero(float *x, size_t n) { memset(x, 0, sizeof(float) * n); }

/* Feed the signal at `rate` and return every frame through check(). */
static size_t run(double rate, fill_fn fill, void (*check)(const float *f))
{
  size_t size = evx_fx_size(rate, BLOCK);
  if (size == 0)
    return 0;
  void *mem = malloc(size);
  evx_fx *fx = evx_fx_init(mem, size, rate, BLOCK);
  assert_non_null(fx);
  float *x = malloc(sizeof(float) * N);
  float *out = malloc(sizeof(float) * EVX_NFEAT * evx_fx_max_frames(fx));
  fill(x, N);
  size_t frames = 0;
  for (size_t i = 0; i + BLOCK <= N; i += BLOCK) {
    uint32_t k = evx_fx_push(fx, x + i, BLOCK, out);
    for (uint32_t f = 0; f < k; f++)
      check(out + (size_t)f * EVX_NFEAT);
    frames += k;
  }
  evx_fx_destroy(fx);
  free(out);
  free(x);
  free(mem);
  return frames;
}

static void check_finite(const float *f)
{
  for (unsigned j = 0; j < EVX_NFEAT; j++)
    if (!isfinite(f[j]))
      fail_msg("feature %u is %g", j, (double)f[j]);
}

static void check_silent(const float *f)
{
  check_finite(f);
  for (unsigned j = 0; j < EVX_N_CHROMA; j++)
    assert_true(f[EVX_F_CHROMA + j] == 0.0f);
  assert_true(f[EVX_F_RMS] == 0.0f && f[EVX_F_ZCR] == 0.0f);
  assert_true(f[EVX_F_MEL] == 0.0f);
}

static void check_square(const float *f)
{
  check_finite(f);
  assert_true(fabsf(f[EVX_F_RMS] - 1.0f) < 1e-6f);
  assert_true(f[EVX_F_ZCR] > 0.04f);  /* 19 or 20 crossings in 400 samples */
}

static void check_dc(const float *f)
{
  check_finite(f);
  assert_true(f[EVX_F_ZCR] == 0.0f);
  assert_true(fabsf(f[EVX_F_RMS] - 1.0f) < 1e-6f);
}

static const double rates[] = { 16000, 48000, 44100 };

static void each_rate(fill_fn fill, void (*check)(const float *f))
{
  for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
    size_t frames = run(rates[i], fill, check);
    if (rates[i] == 16000)
      assert_true(frames > 100);
  }
}

static void test_nan_inf(void **s) { (void)s; each_rate(fill_nan_inf, check_finite); }
static void test_all_nan_is_silence(void **s) { (void)s; each_rate(fill_all_nan, check_silent); }
static void test_huge(void **s) { (void)s; each_rate(fill_huge, check_finite); }
static void test_denormals(void **s) { (void)s; each_rate(fill_denormal, check_silent); }
static void test_square(void **s) { (void)s; run(16000, fill_square, check_square); each_rate(fill_square, check_finite); }
static void test_dc(void **s) { (void)s; run(16000, fill_dc, check_dc); each_rate(fill_dc, check_finite); }
static void test_zero(void **s) { (void)s; each_rate(fill_zero, check_silent); }

static void test_empty_push(void **state)
{
  (void)state;
  size_t size = evx_fx_size(16000, 256);
  void *mem = malloc(size);
  evx_fx *fx = evx_fx_init(mem, size, 16000, 256);
  float out[EVX_NFEAT * 8], x[1] = { 0.5f };
  assert_int_equal(evx_fx_push(fx, x, 0, out), 0);
  assert_int_equal(evx_fx_push(fx, NULL, 0, out), 0);
  assert_int_equal(evx_fx_push(fx, NULL, 5, out), 0);
  evx_fx_destroy(fx);
  free(mem);
}

static void test_bad_arguments(void **state)
{
  (void)state;
  assert_int_equal(evx_fx_size(16000, 0), 0);
  assert_int_equal(evx_fx_size(16000, EVX_MAX_BLOCK + 1), 0);
  assert_int_equal(evx_fx_size(NAN, 256), 0);
  assert_int_equal(evx_fx_size(1000, 256), 0);
  assert_int_equal(evx_fx_size(400000, 256), 0);
  size_t size = evx_fx_size(16000, 256);
  void *mem = malloc(size);
  assert_null(evx_fx_init(mem, size - 1, 16000, 256));
  assert_null(evx_fx_init(NULL, size, 16000, 256));
  free(mem);
  float *frames = (float *)1;
  size_t nf = 7;
  assert_int_not_equal(evx_features_of_signal(NULL, 10, 16000, &frames, &nf), 0);
  assert_null(frames);
  assert_int_equal(nf, 0);
  assert_int_equal(evx_features_of_signal(NULL, 0, 16000, &frames, &nf), 0);
  assert_int_equal(nf, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_nan_inf),
    cmocka_unit_test(test_all_nan_is_silence),
    cmocka_unit_test(test_huge),
    cmocka_unit_test(test_denormals),
    cmocka_unit_test(test_square),
    cmocka_unit_test(test_dc),
    cmocka_unit_test(test_zero),
    cmocka_unit_test(test_empty_push),
    cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
