/* test_streaming.c: the frames do not depend on how the signal is cut into
 * blocks (1, 7, 160, 4096, random up to 8192), at 16 kHz and through the
 * resampler at 44.1/48 kHz; frame t is exactly the frame of samples
 * [160t, 160t+400); reset forgets everything. */
#include "feat_test_util.h"
#include "test_util.h"

#include "evx_features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLOCK EVX_MAX_BLOCK

/* A test signal with tones, a sweep, noise and a silent gap. */
static float *make_signal(double rate, double seconds, size_t *n)
{
  uint64_t rng = 12345;
  *n = (size_t)(rate * seconds);
  float *x = malloc(sizeof(float) * *n);
  for (size_t i = 0; i < *n; i++) {
    double t = i / rate;
    double v = 0.3 * sin(2 * M_PI * 220 * t) + 0.2 * sin(2 * M_PI * (100 * t + 1500 * t * t))
               + 0.05 * tu_gauss(&rng);
    x[i] = (t > 0.8 && t < 1.0) ? 0.0f : (float)v;
  }
  return x;
}

static uint32_t fixed_block;
static uint32_t next_fixed(void *ctx) { (void)ctx; return fixed_block; }
static uint32_t next_random(void *ctx)
{
  return 1u + (uint32_t)(tu_rand((uint64_t *)ctx) % MAX_BLOCK);
}

static int have_rate(double rate) { return evx_fx_size(rate, MAX_BLOCK) != 0; }

static void check_block_invariance(double rate)
{
  size_t n;
  float *x = make_signal(rate, 2.3, &n);
  float *ref, *got;
  size_t n_ref, n_got;
  fixed_block = 4096;
  assert_int_equal(ft_extract(x, n, rate, 0, MAX_BLOCK, next_fixed, NULL, &ref, &n_ref), 0);
  assert_true(n_ref > 200);
  static const uint32_t sizes[] = { 1, 7, 160, 8192 };
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    fixed_block = sizes[i];
    assert_int_equal(ft_extract(x, n, rate, 0, MAX_BLOCK, next_fixed, NULL, &got, &n_got), 0);
    assert_int_equal(n_got, n_ref);
    if (memcmp(got, ref, sizeof(float) * EVX_NFEAT * n_ref) != 0)
      fail_msg("rate %g: blocks of %u differ from blocks of 4096", rate, sizes[i]);
    free(got);
  }
  for (uint64_t seed = 1; seed <= 3; seed++) {
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull;
    assert_int_equal(ft_extract(x, n, rate, 0, MAX_BLOCK, next_random, &rng, &got, &n_got), 0);
    assert_int_equal(n_got, n_ref);
    if (memcmp(got, ref, sizeof(float) * EVX_NFEAT * n_ref) != 0)
      fail_msg("rate %g: random blocks (seed %u) differ", rate, (unsigned)seed);
    free(got);
  }
  free(ref);
  free(x);
}

static void test_blocks_16k(void **state)
{
  (void)state;
  check_block_invariance(16000);
}

static void test_blocks_44k1_48k(void **state)
{
  (void)state;
  if (!have_rate(44100) || !have_rate(48000)) {
    print_message("[  SKIP    ] resampler not available (evx_fx_size(48000) == 0)\n");
    skip();
  }
  check_block_invariance(44100);
  check_block_invariance(48000);
}

/* 16 kHz: N samples give 1 + (N-400)//160 frames, frame t is the frame of
 * x[160t, 160t+400) computed on its own, and the offline call agrees. */
static void test_framing_matches_offline(void **state)
{
  (void)state;
  size_t n;
  float *x = make_signal(16000, 1.0, &n);
  float *all, *one;
  size_t n_all, n_one;
  assert_int_equal(evx_features_of_signal(x, n, 16000, &all, &n_all), 0);
  assert_int_equal(n_all, 1 + (n - EVX_FRAME) / EVX_HOP);
  static const size_t picks[] = { 0, 1, 37, 97 };
  for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
    size_t t = picks[i];
    assert_int_equal(evx_features_of_signal(x + t * EVX_HOP, EVX_FRAME, 16000, &one, &n_one), 0);
    assert_int_equal(n_one, 1);
    assert_memory_equal(one, all + t * EVX_NFEAT, sizeof(float) * EVX_NFEAT);
    free(one);
  }
  assert_int_equal(evx_features_of_signal(x, EVX_FRAME - 1, 16000, &one, &n_one), 0);
  assert_int_equal(n_one, 0);
  assert_null(one);
  free(all);
  free(x);
}

static void test_reset_forgets(void **state)
{
  (void)state;
  size_t n;
  float *x = make_signal(16000, 0.5, &n);
  size_t size = evx_fx_size(16000, 1024);
  void *mem = malloc(size);
  evx_fx *fx = evx_fx_init(mem, size, 16000, 1024);
  assert_non_null(fx);
  float *a = malloc(sizeof(float) * EVX_NFEAT * evx_fx_max_frames(fx));
  float *b = malloc(sizeof(float) * EVX_NFEAT * evx_fx_max_frames(fx));
  evx_fx_push(fx, x + 5000, 333, a);  /* leave history behind */
  evx_fx_reset(fx);
  uint32_t na = evx_fx_push(fx, x, 1024, a);
  evx_fx_destroy(fx);
  evx_fx *fresh = evx_fx_init(mem, size, 16000, 1024);  /* same memory, anew */
  uint32_t nb = evx_fx_push(fresh, x, 1024, b);
  assert_int_equal(na, 1 + (1024 - EVX_FRAME) / EVX_HOP);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, sizeof(float) * EVX_NFEAT * na);
  evx_fx_destroy(fresh);
  free(a);
  free(b);
  free(mem);
  free(x);
}

/* max_frames is a true bound: a full block after 399 pending samples. */
static void test_max_frames_bound(void **state)
{
  (void)state;
  static const double rates[] = { 16000, 8000, 44100, 48000, 192000 };
  for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
    if (!have_rate(rates[i]))
      continue;
    size_t size = evx_fx_size(rates[i], 512);
    void *mem = malloc(size);
    evx_fx *fx = evx_fx_init(mem, size, rates[i], 512);
    assert_non_null(fx);
    uint32_t maxf = evx_fx_max_frames(fx);
    float *out = malloc(sizeof(float) * EVX_NFEAT * maxf);
    float block[512] = { 0 };
    for (int k = 0; k < 400; k++)
      assert_true(evx_fx_push(fx, block, 1 + (uint32_t)k % 512, out) <= maxf);
    for (int k = 0; k < 50; k++)
      assert_true(evx_fx_push(fx, block, 512, out) <= maxf);
    evx_fx_destroy(fx);
    free(out);
    free(mem);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_blocks_16k),
    cmocka_unit_test(test_blocks_44k1_48k),
    cmocka_unit_test(test_framing_matches_offline),
    cmocka_unit_test(test_reset_forgets),
    cmocka_unit_test(test_max_frames_bound),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
