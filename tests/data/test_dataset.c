/* Datasets: the plugin's windows per clip, shapes, labels and clip indices,
 * one padded window for a short clip, cache hits on a second build, the
 * same rows whatever the thread count. */
#include "test_util.h"
#include "fixture.h"
#include "dataset.h"
#include "evx_features.h"
#include "evx_labels.h"
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

static void window_count_rule(void **state)
{
  (void)state;
  evx_feature_config c = { 16000, 400, 160, 1, EVX_INPUT_SUMMARY, 100, 25 };
  assert_int_equal(tr_window_count(&c, 1), 1);
  assert_int_equal(tr_window_count(&c, 100), 1);
  assert_int_equal(tr_window_count(&c, 124), 1);
  assert_int_equal(tr_window_count(&c, 125), 2);
  assert_int_equal(tr_window_count(&c, 300), 9);
}

/* Three clips: 0.3 s (one padded window), 1.5 s, 2.0 s. */
static tr_cliplist make_clips(const char *root)
{
  const int fmt = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  fx_tone(root, "03-01-05-01-01-01-01.wav", fmt, 16000, 0.3);
  fx_tone(root, "03-01-04-01-01-01-02.wav", fmt, 16000, 1.5);
  fx_tone(root, "03-01-03-01-01-01-03.wav", fmt, 16000, 2.0);
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, root, fx_log()), 0);
  fx_log_close();
  assert_int_equal(cl.n, 3);
  return cl;
}

/* Frames the extractor gives for a file (its framing is the extractor's). */
static size_t frames_of(const char *path)
{
  size_t n, nf;
  double rate;
  float *x = tu_read_audio(path, &n, &rate), *f;
  assert_int_equal(evx_features_of_signal(x, n, rate, &f, &nf), 0);
  free(x);
  free(f);
  return nf;
}

/* Row r equals evx_build_input over the window starting at frame `start`. */
static int rows_equal_window(const tr_dataset *ds, size_t r, const evx_feature_config *cfg,
                             const char *path, size_t start)
{
  size_t n, nf;
  double rate;
  float *x = tu_read_audio(path, &n, &rate), *f, *in = malloc(ds->dim * sizeof *in);
  assert_int_equal(evx_features_of_signal(x, n, rate, &f, &nf), 0);
  evx_build_input(cfg, f + start * EVX_NFEAT, cfg->window_frames, in);
  int same = !memcmp(in, ds->x + r * ds->dim, ds->dim * sizeof *in);
  free(x);
  free(f);
  free(in);
  return same;
}

static void rows_follow_windows(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  char cache[4096], err[512];
  snprintf(cache, sizeof cache, "%s/cache", root);
  tr_cliplist cl = make_clips(root);
  evx_feature_config cfg = { 16000, 400, 160, 1, EVX_INPUT_SUMMARY, 100, 50 };
  tr_dataset_opts o = { .threads = 2, .cache_dir = cache };
  tr_dataset ds, again;
  assert_int_equal(tr_dataset_build(&ds, &cl, NULL, 0, &cfg, &o, err, sizeof err), 0);
  assert_int_equal(ds.dim, EVX_NFEAT);
  assert_int_equal(ds.n_clips, 3);
  assert_int_equal(ds.extractions, 3);
  size_t frames[3];
  for (int c = 0; c < 3; c++)
    frames[c] = frames_of(cl.clips[c].path);
  size_t want = 0;
  for (int c = 0; c < 3; c++) {
    size_t rows = 0;
    for (size_t r = 0; r < ds.n; r++)
      rows += ds.clip[r] == (uint32_t)c;
    assert_int_equal(rows, tr_window_count(&cfg, frames[c]));
    want += rows;
  }
  assert_int_equal(ds.n, want);
  assert_true(frames[0] >= 150 && ds.clip[1] == 0); /* 2.0 s clip sorts first */
  assert_true(rows_equal_window(&ds, 1, &cfg, cl.clips[0].path, 50));
  long shortest = fx_find(&cl, "03-01-05-01-01-01-01.wav"); /* 0.3 s: one window */
  assert_true(shortest >= 0 && frames[shortest] < cfg.window_frames);
  assert_int_equal(tr_window_count(&cfg, frames[shortest]), 1);
  for (size_t r = 0; r < ds.n; r++) {
    assert_int_equal(ds.y[r], cl.clips[ds.clip[r]].label);
    assert_int_equal(ds.variant[r], 0);
  }
  o.threads = 1; /* second build: from the cache, identical rows */
  assert_int_equal(tr_dataset_build(&again, &cl, NULL, 0, &cfg, &o, err, sizeof err), 0);
  assert_int_equal(again.extractions, 0);
  assert_int_equal(again.cache_hits, 3);
  assert_int_equal(again.n, ds.n);
  assert_memory_equal(again.x, ds.x, ds.n * ds.dim * sizeof *ds.x);
  tr_dataset_free(&again);
  tr_dataset_free(&ds);
  tr_cliplist_free(&cl);
}

static void logmel_shape_split_side_and_augmented_copies(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  char err[512];
  tr_cliplist cl = make_clips(root);
  evx_feature_config cfg = { 16000, 400, 160, 1, EVX_INPUT_LOGMEL, 80, 40 };
  tr_split sp = { cl.n, (unsigned char[]){ TR_TRAIN, TR_TEST, TR_TRAIN }, 0, { 0 }, { 0 } };
  tr_augment_opts aug = tr_augment_defaults();
  aug.noise = aug.stretch = 1;
  tr_dataset_opts o = { .threads = 2, .augment = &aug, .augment_copies = 2 };
  tr_dataset ds;
  assert_int_equal(tr_dataset_build(&ds, &cl, &sp, TR_TRAIN, &cfg, &o, err, sizeof err), 0);
  evx_shape s = evx_input_shape(&cfg);
  assert_int_equal(ds.dim, s.c * s.h * s.w);
  assert_int_equal(ds.shape.h, EVX_N_MEL);
  assert_int_equal(ds.n_clips, 2);
  assert_int_equal(ds.extractions, 6); /* 2 clips x (original + 2 copies) */
  int seen[3] = { 0 };
  for (size_t r = 0; r < ds.n; r++) {
    assert_true(ds.clip[r] != 1); /* the test clip is not on train */
    assert_true(ds.variant[r] <= 2);
    seen[ds.variant[r]] = 1;
  }
  assert_true(seen[0] && seen[1] && seen[2]);
  tr_dataset_free(&ds);
  tr_cliplist_free(&cl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(window_count_rule),
    cmocka_unit_test(rows_follow_windows),
    cmocka_unit_test(logmel_shape_split_side_and_augmented_copies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
