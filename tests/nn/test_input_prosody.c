/* test_input_prosody.c: input kind EVX_INPUT_PROSODY_STATS (7): its first
 * 294 values are VOICED_STATS', then the 13 prosody statistics computed as
 * evx_nn_input.h says on rows made here; no rows gives 0s; sliced equals whole;
 * the engine feeds the model the tracker's rows (a network that reads
 * only the voiced fraction is sure of a voice, and unsure without rows); a
 * kind-7 bundle with adaptation round-trips through the C writer and reader
 * and reads in the independent Python reader (tests/nn/emvx.py). */
#include "engine_fixture.h"

#include "evx_bundle.h"
#include "evx_nn_net.h"
#include "evx_prosody.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIN (3 * EVX_NFEAT + EVX_PROSODY_STATS)

static void fill_frames(float *frames, uint32_t n, uint64_t r)
{
  for (size_t i = 0; i < (size_t)n * EVX_NFEAT; i++) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    frames[i] = (float)(r >> 40) / 16777216.0f * ((i % 7) ? 1.0f : 1e-3f);
  }
}

/* Rows of a window: even frames voiced, st_voice rising 0.1 st per frame. */
static void fill_rows(float *pros, uint32_t n)
{
  memset(pros, 0, sizeof(float) * n * EVX_NPROS);
  for (uint32_t t = 0; t < n; t += 2) {
    float *r = pros + (size_t)t * EVX_NPROS;
    r[EVX_P_VOICED] = 1.0f;
    r[EVX_P_F0] = 150.0f;
    r[EVX_P_ST_VOICE] = 0.1f * (float)t;
    r[EVX_P_HNR] = 10.0f + (float)(t % 4);     /* 10, 12, 10, ... */
    r[EVX_P_JITTER] = 0.01f;
    r[EVX_P_SHIMMER] = 0.5f;
    r[EVX_P_LOUDNESS] = 2.0f;
    r[EVX_P_SLOPE_0_500] = 30.0f;
    r[EVX_P_SLOPE_500_1500] = -10.0f;
    r[EVX_P_ALPHA] = -8.0f;
    r[EVX_P_HAMMARBERG] = 20.0f;
  }
  for (uint32_t t = 1; t < n; t += 2)        /* unvoiced rows must not count */
    pros[(size_t)t * EVX_NPROS + EVX_P_LOUDNESS] = 100.0f;
}

static void test_statistics(void **state)
{
  (void)state;
  evx_feature_config c7 = evx_feature_config_default(EVX_INPUT_PROSODY_STATS);
  evx_feature_config c5 = evx_feature_config_default(EVX_INPUT_VOICED_STATS);
  evx_shape s = evx_input_shape(&c7);
  assert_int_equal(s.c * s.h * s.w, NIN);
  assert_true(evx_input_needs_prosody(&c7) && !evx_input_needs_prosody(&c5));
  uint32_t W = c7.window_frames, n = 200;   /* a short window: 200 of 300 */
  float *frames = malloc(sizeof(float) * W * EVX_NFEAT), *pros = malloc(sizeof(float) * W * EVX_NPROS);
  float in7[NIN], in5[3 * EVX_NFEAT], none[NIN];
  fill_frames(frames, W, 3);
  fill_rows(pros, n);
  evx_build_input_pros(&c7, frames, pros, n, in7);
  evx_build_input(&c5, frames, n, in5);
  assert_memory_equal(in7, in5, sizeof in5);
  const float *p = in7 + 3 * EVX_NFEAT;
  /* 100 voiced rows t = 0, 2, .., 198: st_voice = 0.1 t */
  double mean = 0.1 * 99, var = 0;
  for (uint32_t t = 0; t < n; t += 2) var += pow(0.1 * t - mean, 2);
  var /= 100;
  assert_float_equal(p[0], 100.0 / W, 1e-6);
  assert_float_equal(p[1], mean, 1e-4);
  assert_float_equal(p[2], sqrt(var), 1e-3);
  assert_float_equal(p[3], 19.8, 1e-4);
  assert_float_equal(p[4], 0.1 / 0.01, 1e-3);          /* 0.1 st per 10 ms frame */
  assert_float_equal(p[5], 11.0, 1e-4);
  assert_float_equal(p[6], 0.01, 1e-6);
  assert_float_equal(p[7], 0.5, 1e-6);
  assert_float_equal(p[8], 2.0, 1e-6);
  assert_float_equal(p[9], 30.0, 1e-4);
  assert_float_equal(p[10], -10.0, 1e-4);
  assert_float_equal(p[11], -8.0, 1e-4);
  assert_float_equal(p[12], 20.0, 1e-4);
  /* no rows: the same 294, then 0s */
  evx_build_input(&c7, frames, n, none);
  assert_memory_equal(none, in5, sizeof in5);
  for (uint32_t i = 3 * EVX_NFEAT; i < NIN; i++)
    assert_true(none[i] == 0.0f);
  /* sliced, one unit a step: the same bits */
  float part[NIN];
  evx_input_job j;
  evx_input_begin_pros(&j, &c7, frames, pros, n);
  uint32_t steps = 1;
  while (!evx_input_step(&j, &c7, part, 1))
    steps++;
  assert_int_equal(steps, EVX_NFEAT + 1);
  assert_memory_equal(part, in7, sizeof in7);
  free(frames);
  free(pros);
}

/* Flatten, Dense(307 -> 8) reading only the voiced fraction (weight 10,
 * label 0), Softmax. */
static evx_model *voiced_fraction_model(void)
{
  static float w[8 * NIN], b[8];
  memset(w, 0, sizeof w);
  w[3 * EVX_NFEAT] = 10.0f;
  evx_model *m = ef_seed_model(EVX_INPUT_PROSODY_STATS, 0, 1);
  m->n_layers = 3;
  memset(m->layers, 0, 3 * sizeof m->layers[0]);
  m->layers[0].type = EVX_LAYER_FLATTEN;
  m->layers[1].type = EVX_LAYER_DENSE;
  m->layers[1].out_ch = 8;
  m->layers[1].w.weight = w;
  m->layers[1].w.bias = b;
  m->layers[2].type = EVX_LAYER_SOFTMAX;
  m->norm.len = 0;
  char err[256];
  if (evx_model_finalize(m, err, sizeof err))
    fail_msg("%s", err);
  return m;
}

static float top(const float *p)
{
  float t = 0;
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    t = p[i] > t ? p[i] : t;
  return t;
}

static void test_engine_feeds_rows(void **state)
{
  (void)state;
  static trace t1, t2;
  void *mem;
  evx_engine *e = engine(ef_engine_model(voiced_fraction_model()), &mem, &t1);
  play_voice(e, 0, &t1, 160, 0.3);
  drop(e, mem);
  e = engine(ef_engine_model(voiced_fraction_model()), &mem, &t2);
  play_voice(e, 1024, &t2, 160, 0.3);
  drop(e, mem);
  assert_true(t1.n > 10);
  print_message("voiced-fraction network after 20 s of voice: top probability %.3f "
                "(1/8 without prosody rows)\n", (double)top(t1.p[t1.n - 1]));
  assert_true(top(t1.p[t1.n - 1]) > 0.9f);
  assert_same(&t1, &t2);     /* random blocks or 1024: the same */
}

static void test_bundle(void **state)
{
  (void)state;
  char err[256], path[512], cmd[2048];
  evx_model *m = ef_seed_model(EVX_INPUT_PROSODY_STATS, 1, 5), *r = NULL;
  snprintf(path, sizeof path, "%s/prosody.emvx", tu_tmpdir());
  if (evx_bundle_write(m, path, err, sizeof err)) fail_msg("%s", err);
  if (evx_bundle_load(path, &r, err, sizeof err)) fail_msg("%s", err);
  assert_memory_equal(&r->cfg, &m->cfg, sizeof m->cfg);
  assert_memory_equal(&r->input, &m->input, sizeof m->input);
  assert_int_equal(r->adapt.len, NIN);
  float x[NIN], p1[8], p2[8];
  for (uint32_t i = 0; i < NIN; i++) x[i] = sinf((float)i);
  void *a = malloc(evx_net_size(m)), *b = malloc(evx_net_size(r));
  evx_net_forward(evx_net_init(a, evx_net_size(m), m), x, p1);
  evx_net_forward(evx_net_init(b, evx_net_size(r), r), x, p2);
  assert_memory_equal(p1, p2, sizeof p1);
  free(a), free(b);
  evx_model_free(r);
  evx_model_free(m);
  const char *py = getenv("EVX_PYTHON") ? getenv("EVX_PYTHON") : "/usr/bin/python3";
  snprintf(cmd, sizeof cmd,
           "'%s' -c 'import sys; sys.path.insert(0, sys.argv[1]); import emvx; "
           "b = emvx.read(open(sys.argv[2], \"rb\").read()); "
           "sys.exit(0 if b[\"cfg\"][4] == 7 and b[\"input\"] == [1, 1, %u] "
           "and b[\"adapt\"][0] == %u else 1)' '%s/tests/nn' '%s'",
           py, NIN, NIN, tu_source_root(), path);
  char probe[600];
  snprintf(probe, sizeof probe, "'%s' -c 'import numpy' >/dev/null 2>&1", py);
  if (system(probe) != 0) {
    print_message("[  SKIP    ] no %s with numpy: Python reader not checked\n", py);
    return;
  }
  int rc = system(cmd);
  print_message("Python reader (tests/nn/emvx.py) on the kind-7 bundle: %s\n", rc ? "FAILED" : "ok");
  assert_int_equal(rc, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_statistics),
    cmocka_unit_test(test_engine_feeds_rows),
    cmocka_unit_test(test_bundle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
