/* The frame-matrix input (EVX_INPUT_FRAMES) and speaker adaptation in frame
 * mode (core/evx_adapt.h): which frames make the statistics, the batch
 * update against a direct computation, padding, the stepped job against
 * update then apply, and the bundle round trip. */
#include "test_util.h"
#include "evx_features.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 300
#define F EVX_NFEAT

static float pop_mean[F], pop_var[F];

static evx_adapt make_adapt(float prior, float memory)
{
  for (uint32_t i = 0; i < F; i++) {
    pop_mean[i] = (float)i * 0.5f;
    pop_var[i] = 2.0f + (float)(i % 5);
  }
  return (evx_adapt){ F, prior, memory, pop_mean, pop_var, W };
}

static float uniform(uint64_t *r)   /* -0.5 .. 0.5 */
{
  *r = *r * 6364136223846793005ull + 1442695040888963407ull;
  return (float)(*r >> 40) / 16777216.0f - 0.5f;
}

/* A window x (F x W): `loud` voiced frames at the end around -20 dB rms,
 * quiet frames (-80 dB, far below the 35 dB gate) before them, and `pad`
 * NaN frames at the start. Every other feature: base + 10 * noise. */
static void make_window(float *x, uint32_t pad, uint32_t loud, float base, uint64_t *r)
{
  for (uint32_t f = 0; f < F; f++)
    for (uint32_t t = 0; t < W; t++) {
      float v = base + (float)f + 10.0f * uniform(r);
      if (f == EVX_F_RMS) v = t >= W - loud ? -20.0f + uniform(r) : -80.0f;
      if (f != EVX_F_RMS && t < W - loud) v = 1000.0f;   /* quiet frames: far off */
      x[(size_t)f * W + t] = t < pad ? NAN : v;
    }
}

/* Only the voiced frames count: the quiet frames' far-off values and the NaN
 * padding leave the statistics alone. */
static void test_window_stats_use_voiced_frames(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(1, 10);
  static float x[F * W];
  float mean[F], var[F];
  uint64_t r = 3;
  make_window(x, 40, 100, 5.0f, &r);
  assert_int_equal(evx_adapt_window_stats(&a, x, mean, var), 100);
  for (uint32_t f = 0; f < F; f++) {
    double s = 0, ss = 0;
    for (uint32_t t = W - 100; t < W; t++) {
      double v = x[(size_t)f * W + t];
      s += v, ss += v * v;
    }
    double m = s / 100, v = ss / 100 - m * m;
    assert_float_equal(mean[f], m, 1e-3);
    assert_float_equal(var[f], v, 1e-2 + 1e-4 * v);
  }
  /* nothing above the -70 dBFS floor: no statistics */
  for (uint32_t t = 0; t < W; t++) x[(size_t)EVX_F_RMS * W + t] = -90.0f;
  assert_int_equal(evx_adapt_window_stats(&a, x, mean, var), 0);
}

/* With a memory longer than the stream, the running statistics are the
 * pooled statistics of the population (weighing `prior` windows) and every
 * window's voiced frames, each window weighing one. */
static void test_update_pools_windows(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(1, 1e5f);
  static evx_adapt_state s;
  static float x[F * W];
  evx_adapt_reset(&s, &a);
  double sum[F], sq[F];
  for (uint32_t f = 0; f < F; f++) sum[f] = pop_mean[f], sq[f] = pop_var[f] + (double)pop_mean[f] * pop_mean[f];
  uint64_t r = 11;
  const int K = 20;
  for (int k = 0; k < K; k++) {
    make_window(x, (uint32_t)(k % 3) * 50, 120 + 5u * (uint32_t)k, (float)k, &r);
    float m[F], v[F];
    assert_true(evx_adapt_window_stats(&a, x, m, v) > 0);
    for (uint32_t f = 0; f < F; f++) sum[f] += m[f], sq[f] += v[f] + (double)m[f] * m[f];
    evx_adapt_update(&s, &a, x);
  }
  assert_float_equal(s.n, K + 1, 0);
  for (uint32_t f = 0; f < F; f++) {
    double m = sum[f] / (K + 1), v = sq[f] / (K + 1) - m * m;
    assert_float_equal(s.mean[f], m, 1e-3 * (1 + fabs(m)));
    assert_float_equal(s.var[f], v, 1e-3 * (1 + v));
  }
}

/* A silent window (no voiced frame) leaves the statistics untouched. */
static void test_silent_window_not_learned(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(4, 100);
  static evx_adapt_state s;
  static float x[F * W];
  evx_adapt_reset(&s, &a);
  for (size_t i = 0; i < (size_t)F * W; i++) x[i] = i / W == EVX_F_RMS ? -95.0f : 3.0f;
  evx_adapt_update(&s, &a, x);
  assert_float_equal(s.n, 4, 0);
  assert_memory_equal(s.mean, pop_mean, sizeof pop_mean);
}

/* apply normalises every frame by its feature's statistics (quiet frames
 * too), keeps padding non-finite, and the network reads that padding as 0:
 * a model fed a padded window gives the same output as one fed zeros
 * there. */
static void test_apply_and_padding(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(4, 100);
  static evx_adapt_state s;
  static float x[F * W], z[F * W];
  evx_adapt_reset(&s, &a);
  uint64_t r = 5;
  make_window(x, 60, 200, 1.0f, &r);
  memcpy(z, x, sizeof x);
  evx_adapt_apply(&s, &a, x);
  for (uint32_t f = 0; f < F; f++)
    for (uint32_t t = 0; t < W; t++) {
      float in = z[(size_t)f * W + t], out = x[(size_t)f * W + t];
      if (t < 60) { assert_true(isnan(out)); continue; }
      assert_float_equal(out, (in - pop_mean[f]) / sqrtf(pop_var[f] + EVX_ADAPT_EPS), 1e-3);
    }
  evx_feature_config cfg = evx_feature_config_default(EVX_INPUT_FRAMES);
  evx_model *m = evx_model_make_seed(&cfg, 8, 3);
  assert_non_null(m);
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  float p[8], q[8];
  evx_net_forward(net, x, p);
  for (size_t i = 0; i < (size_t)F * W; i++) z[i] = isfinite(x[i]) ? x[i] : 0.0f;
  evx_net_forward(net, z, q);
  assert_memory_equal(p, q, sizeof p);
  for (int i = 0; i < 8; i++) assert_true(isfinite(p[i]));
  free(mem);
  evx_model_free(m);
}

/* The input: feature-major rows, rms and mel in dB, a short window padded
 * with NaN at the start. */
/* The stepped job (evx_adapt_begin / evx_adapt_step), one unit or seven at
 * a time, learns and normalises bit-identically to update then apply; its
 * units are the gate, a row's statistics and a row's normalisation; a
 * window whose voice ended (stop_learning) is normalised but not learned;
 * cold normalises by the population's statistics. */
static void test_stepped_job(void **state)
{
  (void)state;
  evx_adapt a = make_adapt(2, 50);
  static float x[F * W], want[F * W], got[F * W];
  uint64_t r = 9;
  make_window(x, 20, 150, 3.0f, &r);
  assert_int_equal(evx_adapt_units(&a, 1), 1 + 2 * F);
  assert_int_equal(evx_adapt_units(&a, 0), F);
  assert_int_equal(evx_adapt_unit_values(&a), W);
  for (uint32_t per = 1; per <= 7; per += 6) {
    evx_adapt_state ref, st;
    evx_adapt_reset(&ref, &a);
    evx_adapt_reset(&st, &a);
    memcpy(want, x, sizeof x);
    evx_adapt_update(&ref, &a, want);
    evx_adapt_apply(&ref, &a, want);
    memcpy(got, x, sizeof x);
    evx_adapt_job j;
    evx_adapt_begin(&j, &a, got, 1, 0);
    uint32_t steps = 0;
    while (!evx_adapt_step(&j, &st, per)) steps++;
    assert_int_equal(steps + 1, (1 + 2 * F + per - 1) / per);
    assert_memory_equal(got, want, sizeof got);
    assert_memory_equal(st.mean, ref.mean, F * sizeof(float));
    assert_memory_equal(st.var, ref.var, F * sizeof(float));
  }
  /* the voice ended half way through learning: nothing learned */
  evx_adapt_state st, pop;
  evx_adapt_reset(&st, &a);
  evx_adapt_reset(&pop, &a);
  memcpy(got, x, sizeof x);
  evx_adapt_job j;
  evx_adapt_begin(&j, &a, got, 1, 0);
  evx_adapt_step(&j, &st, 10);
  evx_adapt_stop_learning(&j);
  while (!evx_adapt_step(&j, &st, 10)) {}
  assert_memory_equal(st.mean, pop.mean, F * sizeof(float));
  memcpy(want, x, sizeof x);
  evx_adapt_apply(&pop, &a, want);
  assert_memory_equal(got, want, sizeof got);
  /* cold: the population's statistics normalise, the voice's are not read */
  evx_adapt_state other;
  evx_adapt_reset(&other, &a);
  memcpy(got, x, sizeof x);
  evx_adapt_update(&other, &a, got);
  evx_adapt_begin(&j, &a, got, 0, 1);
  while (!evx_adapt_step(&j, &other, 3)) {}
  assert_memory_equal(got, want, sizeof got);
}

static void test_frames_input(void **state)
{
  (void)state;
  evx_feature_config cfg = evx_feature_config_default(EVX_INPUT_FRAMES);
  evx_shape s = evx_input_shape(&cfg);
  assert_int_equal(s.c, F);
  assert_int_equal(s.h, 1);
  assert_int_equal(s.w, W);
  static float frames[W * F], in[F * W];
  for (uint32_t t = 0; t < W; t++)
    for (uint32_t f = 0; f < F; f++) frames[t * F + f] = 0.01f * (float)(1 + f + t);
  evx_build_input(&cfg, frames, 100, in);
  for (uint32_t f = 0; f < F; f++)
    for (uint32_t t = 0; t < W; t++) {
      float v = in[(size_t)f * W + t];
      if (t < W - 100) { assert_true(isnan(v)); continue; }
      float raw = frames[(t - (W - 100)) * F + f];
      float want = f < EVX_F_RMS ? raw : f == EVX_F_RMS ? 20.0f * log10f(raw) : 10.0f * log10f(raw);
      assert_float_equal(v, want, 1e-4);
    }
}

/* A frame-mode model keeps 98 statistics in its bundle and reads back in
 * frame mode; statistics of the flat input's length are refused. */
static void test_bundle_roundtrip(void **state)
{
  (void)state;
  evx_feature_config cfg = evx_feature_config_default(EVX_INPUT_FRAMES);
  evx_model *m = evx_model_make_seed(&cfg, 8, 7);
  assert_non_null(m);
  m->adapt = make_adapt(6, 500);
  m->adapt.frames = 0;   /* set from the input shape by the writer's checks */
  evx_model *b = tu_bundle_reparse(m);
  assert_int_equal(b->adapt.len, F);
  assert_int_equal(b->adapt.frames, W);
  assert_memory_equal(b->adapt.mean, pop_mean, sizeof pop_mean);
  evx_model_free(b);
  m->adapt.len = 3 * F;   /* the summary's length: wrong for frames */
  tu_bundle_refused(m, "adaptation");
  m->adapt.len = 0;
  evx_model_free(m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_window_stats_use_voiced_frames),
    cmocka_unit_test(test_update_pools_windows),
    cmocka_unit_test(test_silent_window_not_learned),
    cmocka_unit_test(test_apply_and_padding),
    cmocka_unit_test(test_stepped_job),
    cmocka_unit_test(test_frames_input),
    cmocka_unit_test(test_bundle_roundtrip),
  };
  return cmocka_run_group_tests_name("adapt_frames", tests, NULL, NULL);
}
