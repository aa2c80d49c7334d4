/* Feature set 2 (EVX_FSET_V1_LEVEL): a window is brought to a voiced level
 * of EVX_LEVEL_TARGET_DB before its input is built, so the same speech at
 * 0, -12 and -24 dB gives the same input for kinds 2, 4, 5 and 6, while
 * feature set 1's differs by the gain; a silent window gets no gain; kinds
 * 1 and 3 are refused; a bundle keeps the feature set; an ensemble's
 * networks share it. */
#include "test_util.h"
#include "evx_features.h"
#include "evx_nn_zoo.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SR 16000.0
#define SECONDS 3.5

static const uint32_t kinds[] = { EVX_INPUT_LOGMEL, EVX_INPUT_LOG_STATS,
                                  EVX_INPUT_VOICED_STATS, EVX_INPUT_FRAMES };

/* 3.5 s of something like speech at 16 kHz (tu_syllables). */
static float *speech_like(size_t *n)
{
  return tu_syllables(SR, SECONDS, SR / 2, 2024, n);
}

/* The frames of x scaled by db (dB). */
static float *frames_at(const float *x, size_t n, double db, size_t *nf)
{
  float *y = malloc(n * sizeof *y), *f;
  assert_non_null(y);
  float g = (float)pow(10.0, db / 20.0);
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] * g;
  assert_int_equal(evx_features_of_signal(y, n, SR, &f, nf), 0);
  free(y);
  return f;
}

static size_t input_len(const evx_feature_config *c)
{
  evx_shape s = evx_input_shape(c);
  return (size_t)s.c * s.h * s.w;
}

/* The input of kind `kind`, feature set `fset`, from the last window of
 * frames, or from its last `part` frames only (a window still filling: the
 * rest padded) when part > 0. */
static uint32_t part;

static float *input_of(uint32_t kind, uint32_t fset, const float *frames, size_t nf)
{
  evx_feature_config c = evx_feature_config_default(kind);
  c.feature_set = fset;
  uint32_t n = nf < c.window_frames ? (uint32_t)nf : c.window_frames;
  if (part && part < n)
    n = part;
  float *in = malloc(input_len(&c) * sizeof *in);
  assert_non_null(in);
  evx_build_input(&c, frames + (nf - n) * EVX_NFEAT, n, in);
  return in;
}

/* The frame feature input element i of kind reads (0..97). */
static uint32_t feature_of(uint32_t kind, size_t i, uint32_t W)
{
  switch (kind) {
  case EVX_INPUT_LOGMEL: return EVX_F_MEL;   /* every element a mel band in dB */
  case EVX_INPUT_FRAMES: return (uint32_t)(i / W);
  default: return (uint32_t)(i % EVX_NFEAT);
  }
}

/* Tolerance on element i: 0.05 dB for rms and mel (and mfcc 1..19, which a
 * gain does not touch), 8 x 0.05 for mfcc 0 (the sum of 64 dB bands / 8),
 * float noise for zcr and chroma. */
static double tolerance(uint32_t f)
{
  if (f < EVX_F_MFCC) return 1e-4;
  if (f == EVX_F_MFCC) return 8 * 0.05;
  return 0.05;
}

/* Largest |a - b - shift| over the elements reading features [lo, hi]. */
static double worst(uint32_t kind, const float *a, const float *b, size_t len, uint32_t W,
                    uint32_t lo, uint32_t hi, double shift)
{
  double w = 0;
  for (size_t i = 0; i < len; i++) {
    uint32_t f = feature_of(kind, i, W);
    if (f < lo || f > hi || !isfinite(a[i])) continue;
    double d = fabs((double)a[i] - b[i] - shift);
    w = d > w ? d : w;
  }
  return w;
}

static void same_input_at_every_level(void **state)
{
  (void)state;
  size_t n, nf[3];
  float *x = speech_like(&n);
  const double levels[3] = { 0, -12, -24 };
  float *fr[3];
  for (int l = 0; l < 3; l++)
    fr[l] = frames_at(x, n, levels[l], &nf[l]);
  assert_true(nf[0] >= 300 && nf[1] == nf[0] && nf[2] == nf[0]);
  for (int k = 0; k < 8; k++) {
    part = k < 4 ? 0 : 60;   /* then a window 60 frames into the speech */
    uint32_t kind = kinds[k % 4];
    evx_feature_config c = evx_feature_config_default(kind);
    size_t len = input_len(&c);
    float *ref = input_of(kind, EVX_FSET_V1_LEVEL, fr[0], nf[0]);
    for (int l = 1; l < 3; l++) {
      float *in = input_of(kind, EVX_FSET_V1_LEVEL, fr[l], nf[l]);
      double wd = 0, wm = 0, wc = 0;
      for (size_t i = 0; i < len; i++) {
        uint32_t f = feature_of(kind, i, c.window_frames);
        assert_true(isfinite(in[i]) == isfinite(ref[i]));
        if (!isfinite(ref[i])) continue;
        double d = fabs((double)in[i] - ref[i]);
        if (d > tolerance(f))
          fail_msg("kind %u at %.0f dB: element %zu (feature %u) %g, at 0 dB %g",
                   kind, levels[l], i, f, in[i], ref[i]);
        double *w = f < EVX_F_MFCC ? &wc : f < EVX_F_RMS ? &wm : &wd;
        *w = d > *w ? d : *w;
      }
      print_message("kind %u, set 2, %u frames, %+.0f dB against 0 dB: largest "
                    "difference rms/mel %.4f dB, mfcc %.4f, zcr/chroma %.2g\n",
                    kind, part ? part : c.window_frames, levels[l], wd, wm, wc);
      free(in);
    }
    free(ref);
  }
  part = 0;
  for (int l = 0; l < 3; l++)
    free(fr[l]);
  free(x);
}

/* Feature set 1 reads the level as it is: its rms and mel entries move by
 * the gain, so the comparison above would catch a correction that is off.
 * Set 2 puts the voiced frames' mean rms at the target. */
static void set_1_moves_with_the_gain(void **state)
{
  (void)state;
  size_t n, nf[2];
  float *x = speech_like(&n);
  float *fr[2] = { frames_at(x, n, 0, &nf[0]), frames_at(x, n, -12, &nf[1]) };
  for (int k = 0; k < 4; k++) {
    evx_feature_config c = evx_feature_config_default(kinds[k]);
    size_t len = input_len(&c);
    float *a = input_of(kinds[k], EVX_FSET_V1, fr[1], nf[1]);
    float *b = input_of(kinds[k], EVX_FSET_V1, fr[0], nf[0]);
    size_t means = kinds[k] == EVX_INPUT_LOG_STATS || kinds[k] == EVX_INPUT_VOICED_STATS
                       ? EVX_NFEAT : len;   /* std and delta do not move */
    double w = worst(kinds[k], a, b, means, c.window_frames, EVX_F_RMS, EVX_NFEAT - 1, -12);
    print_message("kind %u, set 1: rms/mel at -12 dB = at 0 dB - 12 within %.4f dB\n",
                  kinds[k], w);
    assert_true(w < 0.05);
    free(a);
    free(b);
  }
  for (int l = 0; l < 2; l++) {
    float *v = input_of(EVX_INPUT_VOICED_STATS, EVX_FSET_V1_LEVEL, fr[l], nf[l]);
    float *raw = input_of(EVX_INPUT_VOICED_STATS, EVX_FSET_V1, fr[l], nf[l]);
    print_message("voiced mean rms: %.2f dBFS as read, %.3f dBFS in set 2\n",
                  raw[EVX_F_RMS], v[EVX_F_RMS]);
    assert_float_equal(v[EVX_F_RMS], EVX_LEVEL_TARGET_DB, 1e-3);
    free(v);
    free(raw);
  }
  free(fr[0]);
  free(fr[1]);
  free(x);
}

/* A window without a voiced frame (digital silence, or noise below the
 * voiced floor of -70 dBFS) is not amplified: set 2 gives set 1's input. */
static void silence_gets_no_gain(void **state)
{
  (void)state;
  size_t n = (size_t)(SECONDS * SR), nf;
  float *x = calloc(n, sizeof *x);
  assert_non_null(x);
  uint64_t r = 5;
  for (int quiet = 0; quiet < 2; quiet++) {
    for (size_t i = 0; i < n; i++)   /* noise peaking near -80 dBFS */
      x[i] = quiet ? (float)(pow(10, -92 / 20.0) * tu_gauss(&r)) : 0.0f;
    float *fr = frames_at(x, n, 0, &nf);
    for (int k = 0; k < 4; k++) {
      evx_feature_config c = evx_feature_config_default(kinds[k]);
      float *a = input_of(kinds[k], EVX_FSET_V1_LEVEL, fr, nf);
      float *b = input_of(kinds[k], EVX_FSET_V1, fr, nf);
      assert_memory_equal(a, b, input_len(&c) * sizeof *a);
      free(a);
      free(b);
    }
    free(fr);
  }
  free(x);
}

/* Kinds 1 and 3 read rms and mel linearly: set 2 has no meaning there and
 * is refused with a message; kinds 2, 4, 5 and 6 are accepted. */
static void set_2_needs_a_db_input(void **state)
{
  (void)state;
  char err[256];
  for (uint32_t kind = EVX_INPUT_SUMMARY; kind <= EVX_INPUT_FRAMES; kind++) {
    evx_feature_config c = evx_feature_config_default(kind);
    c.feature_set = EVX_FSET_V1_LEVEL;
    int db = kind != EVX_INPUT_SUMMARY && kind != EVX_INPUT_SUMMARY_STATS;
    assert_int_equal(evx_feature_set_supported(EVX_FSET_V1_LEVEL, kind), db);
    assert_int_equal(evx_feature_set_supported(EVX_FSET_V1, kind), 1);
    err[0] = 0;
    assert_int_equal(evx_check_config(&c, err, sizeof err), db ? 0 : -1);
    if (!db)
      assert_non_null(strstr(err, "feature set 2"));
  }
  evx_feature_config c = evx_feature_config_default(EVX_INPUT_SUMMARY);
  c.feature_set = EVX_FSET_V1_LEVEL;
  assert_null(evx_model_make_seed(&c, 8, 1));   /* finalize refuses it */
  for (uint32_t kind = EVX_INPUT_SUMMARY; kind <= EVX_INPUT_SUMMARY_STATS; kind += 2) {
    c = evx_feature_config_default(kind);
    evx_model *m = evx_model_make_seed(&c, 8, 1);
    assert_non_null(m);
    m->cfg.feature_set = EVX_FSET_V1_LEVEL;
    err[0] = 0;
    assert_int_equal(evx_model_finalize(m, err, sizeof err), -1);
    print_message("kind %u, set 2: %s\n", kind, err);
    assert_non_null(strstr(err, "feature set 2"));
    tu_bundle_refused(m, "feature set 2");
    evx_model_free(m);
  }
  c = evx_feature_config_default(EVX_INPUT_VOICED_STATS);
  c.feature_set = 3;
  assert_int_equal(evx_check_config(&c, err, sizeof err), -1);
  assert_non_null(strstr(err, "feature set 3"));
}

/* A set-2 model written and read back is still set 2. */
static void bundle_keeps_the_feature_set(void **state)
{
  (void)state;
  for (int k = 0; k < 4; k++) {
    evx_feature_config c = evx_feature_config_default(kinds[k]);
    c.feature_set = EVX_FSET_V1_LEVEL;
    evx_model *m = kinds[k] == EVX_INPUT_LOGMEL ? evx_model_make_logmel_cnn(&c, 8, 3)
                                                : evx_model_make_seed(&c, 8, 3);
    assert_non_null(m);
    evx_model *r = tu_bundle_reparse(m);
    assert_int_equal(r->cfg.feature_set, EVX_FSET_V1_LEVEL);
    assert_memory_equal(&r->cfg, &m->cfg, sizeof m->cfg);
    evx_model_free(r);
    evx_model_free(m);
  }
}

/* The networks of an ensemble share the feature set (only the input kind
 * may differ): set 2 over kinds 5 and 6 is accepted, set 2 with set 1 is
 * refused, and the message says which sets. */
static void ensemble_shares_the_feature_set(void **state)
{
  (void)state;
  char err[256];
  evx_feature_config c5 = evx_feature_config_default(EVX_INPUT_VOICED_STATS);
  evx_feature_config c6 = evx_feature_config_default(EVX_INPUT_FRAMES);
  c5.feature_set = c6.feature_set = EVX_FSET_V1_LEVEL;
  evx_model *m = evx_model_make_seed(&c5, 8, 1);
  assert_non_null(m);
  m->next = evx_model_make_seed(&c6, 8, 2);
  assert_non_null(m->next);
  assert_int_equal(evx_ensemble_check(m, err, sizeof err), 0);
  m->next->cfg.feature_set = EVX_FSET_V1;
  assert_int_equal(evx_ensemble_check(m, err, sizeof err), -1);
  print_message("%s\n", err);
  assert_non_null(strstr(err, "member 1: feature configuration"));
  assert_non_null(strstr(err, "feature set 1) differs"));
  assert_non_null(strstr(err, "feature set 2): only"));
  evx_model_free(m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(same_input_at_every_level),
    cmocka_unit_test(set_1_moves_with_the_gain),
    cmocka_unit_test(silence_gets_no_gain),
    cmocka_unit_test(set_2_needs_a_db_input),
    cmocka_unit_test(bundle_keeps_the_feature_set),
    cmocka_unit_test(ensemble_shares_the_feature_set),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
