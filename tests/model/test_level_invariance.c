/* test_level_invariance.c: the same speech played at 0, -12 and -24 dBFS
 * through a fresh engine (level gate at its minimum, -90 dBFS) gives the
 * same answer: the same dominant emotion and every probability within 0.15
 * of the 0 dB run. Compared: the mean of the probabilities over every
 * result the engine publishes for the clip (the final ones are printed).
 *  - models/default.emvx on a RAVDESS angry clip of actor 18 (skipped
 *    without ../shared). A feature-set-1 model reads the level as it is:
 *    for one the figures are printed and the check skipped; it applies once
 *    the default model is trained with feature set 2 (emovox train --level
 *    relative).
 *  - a hand-made feature-set-2 model (one dense layer over the voiced
 *    statistics, kind 5, reading the rms and mel dB means) on a synthetic
 *    voice and on the clip: the engine path itself is level invariant,
 *    whatever the weights; the same model as feature set 1 is not. */
#include "test_util.h"
#include "evx_engine.h"
#include "evx_features.h"
#include "evx_labels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096u
#define TOL 0.15

static const double levels[3] = { 0, -12, -24 };

typedef struct {
  int n;
  double sum[EVX_N_EMOTIONS];
  float last[EVX_N_EMOTIONS];
} tally;

static void on_publish(void *user, const evx_engine_out *o)
{
  tally *t = user;
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    t->sum[i] += o->probs[i], t->last[i] = o->probs[i];
  t->n++;
}

/* x (peak 1) scaled to db and played through a fresh engine with em (freed
 * here); the mean of the published probabilities into mean. */
static void play(evx_engine_model *em, const float *x, size_t n, double rate, double db,
                 double *mean)
{
  uint32_t W = evx_engine_model_get(em)->cfg.window_frames;
  size_t sz = evx_engine_size(rate, BLOCK, W);
  void *mem = malloc(sz);
  evx_engine *e = evx_engine_init(mem, sz, rate, BLOCK, W, em);
  assert_non_null(e);
  evx_engine_params p = { EVX_ENGINE_DEFAULT_RESPONSE, -90.0f, EVX_ENGINE_DEFAULT_HOLD };
  evx_engine_set_params(e, &p);
  tally t;
  memset(&t, 0, sizeof t);
  evx_engine_set_listener(e, on_publish, &t);
  static float y[BLOCK];
  float g = (float)pow(10.0, db / 20.0);
  for (size_t done = 0; done < n;) {
    uint32_t k = n - done < BLOCK ? (uint32_t)(n - done) : BLOCK;
    for (uint32_t i = 0; i < k; i++)
      y[i] = x[done + i] * g;
    evx_engine_push(e, y, k);
    done += k;
  }
  evx_engine_finish(e);
  assert_true(t.n > 0);
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    mean[i] = t.sum[i] / t.n;
  print_message("  %+3.0f dBFS: %d results; mean", db, t.n);
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    print_message(" %.3f", mean[i]);
  print_message("; final");
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    print_message(" %.3f", t.last[i]);
  print_message("\n");
  evx_engine_model_free(evx_engine_destroy(e));
  free(mem);
}

static int argmax(const double *p)
{
  int best = 0;
  for (int i = 1; i < EVX_N_EMOTIONS; i++)
    if (p[i] > p[best]) best = i;
  return best;
}

/* The three levels through fresh engines made by make(arg); returns the
 * largest probability difference from the 0 dB run, and in *same whether
 * the dominant emotion is the same at the three levels. */
static double spread(evx_engine_model *(*make)(const void *), const void *arg,
                     const float *x, size_t n, double rate, int *same)
{
  double p[3][EVX_N_EMOTIONS], worst = 0;
  *same = 1;
  for (int l = 0; l < 3; l++) {
    play(make(arg), x, n, rate, levels[l], p[l]);
    for (int i = 0; i < EVX_N_EMOTIONS; i++)
      worst = fmax(worst, fabs(p[l][i] - p[0][i]));
    *same = *same && argmax(p[l]) == argmax(p[0]);
  }
  print_message("  dominant at 0 dB: %s; the same at every level: %s; "
                "largest difference from 0 dB: %.3f\n",
                evx_emotion_name(argmax(p[0])), *same ? "yes" : "no", worst);
  return worst;
}

/* x scaled to a peak of 1 (0 dBFS). */
static void peak_normalise(float *x, size_t n)
{
  float peak = 0;
  for (size_t i = 0; i < n; i++)
    peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
  assert_true(peak > 0);
  for (size_t i = 0; i < n; i++)
    x[i] /= peak;
}

/* The angry clip, peak-normalised; NULL (the test skipped) without ../shared. */
static float *angry_clip(size_t *n, double *rate)
{
  char path[4096];
  if (!tu_shared_dir())
    return NULL;
  tu_shared_path(path, sizeof path, "data/ravdess/Actor_18/03-01-05-02-01-01-18.flac");
  float *x = tu_read_audio(path, n, rate);
  if (!x)
    fail_msg("cannot read %s", path);
  peak_normalise(x, *n);
  return x;
}

static evx_engine_model *load(const void *path)
{
  char err[512];
  evx_engine_model *em = evx_engine_model_load(path, err, sizeof err);
  if (!em) fail_msg("%s", err);
  return em;
}

/* The shipped model: expected to pass once it is trained with feature set
 * 2; a feature-set-1 model reads the level and may fail here. */
static void default_model_is_level_invariant(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  size_t n;
  double rate;
  float *x = angry_clip(&n, &rate);
  char model[4096];
  snprintf(model, sizeof model, "%s/models/default.emvx", tu_source_root());
  evx_engine_model *em = load(model);
  uint32_t fset = evx_engine_model_get(em)->cfg.feature_set;
  evx_engine_model_free(em);
  print_message("models/default.emvx (feature set %u), RAVDESS actor 18 angry clip "
                "(%.2f s at %.0f Hz), gate -90 dBFS:\n", fset, (double)n / rate, rate);
  int same;
  double worst = spread(load, model, x, n, rate, &same);
  free(x);
  if (fset == EVX_FSET_V1) {
    print_message("[  SKIP    ] models/default.emvx is feature set 1 (the level as "
                  "read): measured above, checked once it is trained with feature set 2\n");
    skip();
  }
  assert_true(same);
  assert_true(worst < TOL);
}

/* ---- hand-made models --------------------------------------------------- */

typedef struct {
  uint32_t fset, kind;   /* feature set; EVX_INPUT_VOICED_STATS or _FRAMES */
  int adapt;             /* with speaker adaptation */
} spec;

/* Flatten, Dense(-> 8), Softmax on the input kind and feature set of s,
 * without normalisation. The logits read only rms (a tilt across the
 * classes: louder favours the later ones) and the 64 mel bands (the
 * spectral shape) in dB: their means over the voiced frames (kind 5), or
 * every frame (kind 6). With s->adapt, speaker adaptation from population
 * statistics of mean -40, variance 100 (the weights scaled up to match). */
static evx_engine_model *hand_made(const void *arg)
{
  const spec *s = arg;
  static float pop_mean[EVX_ADAPT_MAX], pop_var[EVX_ADAPT_MAX];
  evx_model *m = calloc(1, sizeof *m);
  assert_non_null(m);
  m->cfg = evx_feature_config_default(s->kind);
  m->cfg.feature_set = s->fset;
  m->input = evx_input_shape(&m->cfg);
  size_t len = (size_t)m->input.c * m->input.h * m->input.w;
  uint32_t W = s->kind == EVX_INPUT_FRAMES ? m->cfg.window_frames : 1;
  m->n_labels = EVX_N_EMOTIONS;
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    strcpy(m->labels[i], evx_emotion_name(i));
  float *w = calloc(EVX_N_EMOTIONS * len + 16, sizeof *w);
  assert_non_null(w);
  m->storage = w;
  float scale = (s->adapt ? 10.0f : 1.0f) / (float)W;
  for (size_t k = 0; k < EVX_N_EMOTIONS; k++)
    for (uint32_t t = 0; t < W; t++) {
      w[k * len + (size_t)EVX_F_RMS * W + t] = scale * 0.05f * ((float)k - 3.5f);
      for (uint32_t b = 0; b < EVX_N_MEL; b++)
        w[k * len + (size_t)(EVX_F_MEL + b) * W + t] =
            scale * 0.01f * (float)cos(0.2 * (double)(k + 1) * b + (double)k);
    }
  if (s->adapt) {
    uint32_t n = s->kind == EVX_INPUT_FRAMES ? EVX_NFEAT : (uint32_t)len;
    for (uint32_t i = 0; i < n; i++)
      pop_mean[i] = -40.0f, pop_var[i] = 100.0f;
    m->adapt = (evx_adapt){ n, 4.0f, 200.0f, pop_mean, pop_var, W };
  }
  evx_layer flat = { .type = EVX_LAYER_FLATTEN };
  evx_layer dense = { .type = EVX_LAYER_DENSE, .out_ch = EVX_N_EMOTIONS,
                      .w = { .weight = w, .bias = w + EVX_N_EMOTIONS * len } };
  evx_layer soft = { .type = EVX_LAYER_SOFTMAX };
  m->layers[0] = flat, m->layers[1] = dense, m->layers[2] = soft;
  m->n_layers = 3;
  char err[256];
  if (evx_model_finalize(m, err, sizeof err)) fail_msg("%s", err);
  evx_engine_model *em = evx_engine_model_new(m, err, sizeof err);
  if (!em) fail_msg("%s", err);
  return em;
}

/* 6 s of a synthetic voice at rate, peak 1, harmonics below 7.5 kHz
 * (tu_syllables). */
static float *synthetic_voice(size_t *n, double rate)
{
  return tu_syllables(rate, 6, 7500, 77, n);
}

static const char *describe(const spec *s)
{
  static char d[128];
  snprintf(d, sizeof d, "hand-made model, feature set %u, kind %u, %s", s->fset, s->kind,
           s->adapt ? "speaker adaptation" : "no adaptation");
  return d;
}

/* Feature set 2 answers the same at every level, with and without speaker
 * adaptation, over the voiced statistics and over the frames; the same
 * weights in feature set 1 do not (so the comparison would catch a missing
 * or wrong correction). */
static void level_models_are_level_invariant(void **state)
{
  (void)state;
  const double rate = 48000;
  size_t n, nc = 0;
  double clip_rate = 0;
  float *x = synthetic_voice(&n, rate), *clip = angry_clip(&nc, &clip_rate);
  const spec specs[4] = { { EVX_FSET_V1_LEVEL, EVX_INPUT_VOICED_STATS, 0 },
                          { EVX_FSET_V1_LEVEL, EVX_INPUT_VOICED_STATS, 1 },
                          { EVX_FSET_V1_LEVEL, EVX_INPUT_FRAMES, 0 },
                          { EVX_FSET_V1_LEVEL, EVX_INPUT_FRAMES, 1 } };
  int same;
  for (int k = 0; k < 4; k++) {
    print_message("%s; synthetic voice (6 s at 48 kHz):\n", describe(&specs[k]));
    double w2 = spread(hand_made, &specs[k], x, n, rate, &same);
    assert_true(same);
    assert_true(w2 < 0.01);   /* equal but for float noise */
    spec one = specs[k];
    one.fset = EVX_FSET_V1;
    print_message("%s; synthetic voice:\n", describe(&one));
    double w1 = spread(hand_made, &one, x, n, rate, &same);
    if (!one.adapt)   /* adaptation takes some of the level away, slowly */
      assert_true(w1 > TOL);
    if (!clip)
      continue;
    /* the clip's pauses are near -96 dBFS: at -24 dB their rms and mel
     * fall below the dB floors (-100 dB) before the correction, which the
     * frame input (kind 6) reads; and a window whose loudest frame is near
     * the voiced floor (-70 dBFS) is silent at one level and not at
     * another. Hence the test's own tolerance here. */
    print_message("%s; RAVDESS actor 18 angry clip:\n", describe(&specs[k]));
    w2 = spread(hand_made, &specs[k], clip, nc, clip_rate, &same);
    assert_true(same);
    assert_true(w2 < TOL);
  }
  if (!clip)
    print_message("../shared not found (set EVX_SHARED): the RAVDESS clip runs skipped\n");
  free(clip);
  free(x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(level_models_are_level_invariant),
    cmocka_unit_test(default_model_is_level_invariant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
