/* test_rt_interposer.c: run() (and work_response) of every emovox plugin,
 * hosted through lilv, never allocates or frees memory, takes a mutex,
 * waits, sleeps, or does file or console I/O: rt_interposer.so (preloaded)
 * counts such calls made while the flag set around run() is on. Thousands
 * of calls at blocks 1, 64, 1000 and 8192 and rates 8, 48 and 192 kHz,
 * with a model hot swap through the worker (to a frame-matrix model with
 * frame-mode adaptation), two newVoice messages and a change of voice slot
 * and back, mid-block. The work per call is bounded:
 * the FLOPs granted to the network in one call stay within the slicing
 * rate times the block (plus whole inferences only when a block spans more
 * than half an update interval), checked from the engine's counters. */
#include "emovox_ext.h"
#include "evx_features.h"
#include "evx_bundle.h"
#include "evx_nn_zoo.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*rt_set)(int);
static unsigned long (*rt_count)(void);
static const char *(*rt_first)(void);
static void (*rt_clear)(void);

static void hook(int entering) { rt_set(entering); }

static int preloaded(void)
{
#ifdef EVX_SANITIZE
  print_message("[  SKIP    ] sanitizer build: an LD_PRELOAD interposer cannot be combined "
                "with ASan (ASan must be first); run the optimised build for this test\n");
  return 0;
#else
  rt_set = (void (*)(int))dlsym(RTLD_DEFAULT, "rtint_set");
  rt_count = (unsigned long (*)(void))dlsym(RTLD_DEFAULT, "rtint_count");
  rt_first = (const char *(*)(void))dlsym(RTLD_DEFAULT, "rtint_first");
  rt_clear = (void (*)(void))dlsym(RTLD_DEFAULT, "rtint_clear");
  if (!rt_set || !rt_count || !rt_first || !rt_clear) {
    print_message("[  SKIP    ] rt_interposer.so is not preloaded (run through meson test)\n");
    return 0;
  }
  /* the interposer does see what it must catch */
  rt_set(1);
  void *volatile p = malloc(32);
  free(p);
  rt_set(0);
  assert_int_equal(rt_count(), 2);
  rt_clear();
  return 1;
#endif
}

/* The model swapped in: the seed architecture with other weights on the
 * frame-matrix input (EVX_INPUT_FRAMES) with frame-mode speaker adaptation,
 * so run() also builds that input and adapts it per feature over each
 * window's voiced frames (core/evx_adapt.h). */
static const char *second_model(void)
{
  static char path[4200];
  static float mean[EVX_NFEAT], var[EVX_NFEAT];
  snprintf(path, sizeof path, "%s/second.emvx", tu_tmpdir());
  evx_feature_config cfg = evx_feature_config_default(EVX_INPUT_FRAMES);
  evx_model *m = evx_model_make_seed(&cfg, EVX_N_EMOTIONS, 99);
  assert_non_null(m);
  for (uint32_t f = 0; f < EVX_NFEAT; f++)
    mean[f] = -30.0f, var[f] = 100.0f;
  m->adapt = (evx_adapt){ EVX_NFEAT, 8, 600, mean, var, 0 };
  char err[256];
  if (evx_bundle_write(m, path, err, sizeof err)) fail_msg("%s", err);
  m->adapt.len = 0;   /* the statistics are static, not the model's */
  evx_model_free(m);
  return path;
}

static void fill(float *x, uint32_t n, uint64_t *seed, double rate, size_t *t)
{
  for (uint32_t i = 0; i < n; i++, (*t)++) {
    /* a voiced-ish signal: a 180 Hz buzz with noise, bursts of 0.4 s */
    double s = fmod((double)*t / rate, 0.8) < 0.4 ? 0.3 : 0.0;
    x[i] = (float)(s * sin(2 * M_PI * 180.0 * (double)*t / rate) + 0.01 * tu_gauss(seed));
  }
}

static void run_case(const char *uri, double rate, uint32_t block, int swap)
{
  th_host *h = th_open(uri, rate, block, 1);
  assert_non_null(h);
  const EmovoxStatsInterface *st =
    lilv_instance_get_extension_data(th_instance(h), EMOVOX_URI_STATS);
  assert_non_null(st);
  LV2_Handle handle = lilv_instance_get_handle(th_instance(h));
  /* the slicing rate and size of the first model (the swap changes both) */
  evx_engine_stats s0;
  st->get(handle, &s0);
  uint64_t F0 = s0.work_per_inference;
  float *x = malloc(block * sizeof *x);
  uint64_t seed = 1;
  size_t t = 0;
  /* about 1.5 s of audio, at least 200 calls; with the swap 11 s, so that
   * between the voice-slot changes at a third and two thirds a whole 3 s
   * window of one voice completes and the swapped-in model learns from it
   * (frame-mode evx_adapt_update) under the hook, not only applies */
  uint32_t calls = (uint32_t)((swap ? 11.0 : 1.5) * rate / block);
  if (calls < 200)
    calls = 200;
  rt_clear();   /* this case's count only */
  th_set_rt_hook(h, hook);
  for (uint32_t c = 0; c < calls; c++) {
    if (swap && c == calls / 3)
      th_send_model(h, second_model());
    if (swap && c == calls / 2)
      th_send_model(h, "/nonexistent/broken.emvx");   /* kept out, logged */
    if (c == calls / 4 || c == 3 * calls / 4)
      th_send_new_voice(h, block / 2);                /* a speaker change mid-block */
    if (c == calls / 3 + 1 || c == 2 * calls / 3)
      th_send_voice(h, block / 3, c < calls / 2 ? 2 : 1);   /* another slot, then back */
    fill(x, block, &seed, rate, &t);
    th_run(h, x, block);
  }
  th_set_rt_hook(h, NULL);
  if (rt_count())
    print_message("%s %.0f Hz block %u: first forbidden call in run(): %s\n", uri, rate, block,
                  rt_first());
  assert_int_equal(rt_count(), 0);

  evx_engine_stats s;
  st->get(handle, &s);
  /* a forced completion is charged the whole work: summary + network */
  uint64_t F = s.work_per_inference;
  assert_true(F >= st->model_flops(handle) && st->model_flops(handle) > 0);
  if (F0 > F)
    F = F0;
  if (s0.flops_per_sample > s.flops_per_sample)
    s.flops_per_sample = s0.flops_per_sample;
  assert_true(s.inferences > 0);
  /* frames one call completes, and update intervals they can span */
  double frames = block * 16000.0 / rate / 160.0;
  double bound = ceil(block * s.flops_per_sample) + 1.0 + (double)F * (ceil(frames / 25.0) + 1.0);
  if (swap)
    assert_int_equal(st->swaps(handle), 1);
  /* blocks of at most half an update interval: every inference is sliced */
  if (block <= 1000 || rate > 100000) {
    assert_int_equal(s.forced, 0);
    bound = ceil(block * s.flops_per_sample) + 1.0;
  }
  if ((double)s.max_call_budget > bound)
    print_message("%s %.0f Hz block %u: max FLOPs granted in one call %llu > bound %.0f "
                  "(work %llu FLOPs per update, %.1f per sample, %llu forced)\n", uri, rate, block,
                  (unsigned long long)s.max_call_budget, bound, (unsigned long long)F,
                  s.flops_per_sample, (unsigned long long)s.forced);
  assert_true((double)s.max_call_budget <= bound);
  assert_true(s.max_call_samples >= 1 && s.max_call_samples <= block);
  free(x);
  th_close(h);
}

static void test_no_forbidden_calls(void **state)
{
  (void)state;
  if (!preloaded())
    skip();
  const double rates[] = { 8000, 48000, 192000 };
  const uint32_t blocks[] = { 1, 64, 1000, 8192 };
  /* the stereo meter too: its channel mixing runs in run() (issue 20) */
  const char *uris[] = { EMOVOX_URI_METER, EMOVOX_URI_METER_MIDI, EMOVOX_URI_RENDER,
                         EMOVOX_URI_METER_STEREO };
  for (size_t r = 0; r < 3; r++)
    for (size_t b = 0; b < 4; b++)
      for (size_t u = 0; u < 4; u++) {
        if (blocks[b] == 1 && rates[r] > 48000 && u > 0)
          continue;   /* 576000 calls of one sample: the meter alone covers it */
        run_case(uris[u], rates[r], blocks[b], u == 0 && b == 1);
      }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_forbidden_calls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
