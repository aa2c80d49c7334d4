/* test_adapt_replay.c: the three ways `emovox eval` replays rows through the
 * running speaker statistics (trainer/learn/speaker_adapt.h, over a dataset by trainer/dataset_adapt.h). Two synthetic
 * voices whose inputs sit at +10 and -10: alone, each voice is normalised
 * to about 0; heard interleaved in one shared stream, the statistics span
 * both voices and each keeps its sign; cold, nothing moves but the
 * population's normalisation. */
#include "test_util.h"
#include "dataset_adapt.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CLIPS_PER_VOICE 40
#define ROWS_PER_CLIP 3
#define DIM 2

typedef struct {
  tr_cliplist cl;
  tr_clip clips[2 * CLIPS_PER_VOICE];
  tr_dataset ds;
  float x[2 * CLIPS_PER_VOICE * ROWS_PER_CLIP * DIM];
  int y[2 * CLIPS_PER_VOICE * ROWS_PER_CLIP];
  uint32_t clip[2 * CLIPS_PER_VOICE * ROWS_PER_CLIP];
  uint32_t variant[2 * CLIPS_PER_VOICE * ROWS_PER_CLIP];
} two_voices;

/* Voice A's clips first, then voice B's (the order the corpus reader
 * gives); x = +-10 plus a small deterministic spread. The caller frees
 * it. */
static two_voices *make(void)
{
  two_voices *t = calloc(1, sizeof *t);
  assert_non_null(t);
  uint64_t seed = 7;
  size_t r = 0;
  for (uint32_t c = 0; c < 2 * CLIPS_PER_VOICE; c++) {
    int b = c >= CLIPS_PER_VOICE;
    snprintf(t->clips[c].speaker, sizeof t->clips[c].speaker, "voice-%c", b ? 'B' : 'A');
    for (int k = 0; k < ROWS_PER_CLIP; k++, r++) {
      for (int j = 0; j < DIM; j++)
        t->x[r * DIM + j] = (b ? -10.0f : 10.0f) + (float)tu_gauss(&seed);
      t->clip[r] = c;
    }
  }
  t->cl.clips = t->clips;
  t->cl.n = t->cl.cap = 2 * CLIPS_PER_VOICE;
  t->ds = (tr_dataset){ .n = r, .dim = DIM, .x = t->x, .y = t->y, .clip = t->clip,
                         .variant = t->variant, .n_clips = 2 * CLIPS_PER_VOICE };
  return t;
}

static const float pop_mean[DIM] = { 0, 0 }, pop_var[DIM] = { 1, 1 };
static const evx_adapt adapt = { DIM, 2.0f, 600.0f, pop_mean, pop_var, 1 };

/* Mean of feature 0 over voice v's rows from its clip `first` on. */
static double voice_mean(const two_voices *t, int v, uint32_t first)
{
  double s = 0;
  size_t n = 0;
  for (size_t r = 0; r < t->ds.n; r++) {
    uint32_t c = t->clip[r];
    if ((int)(c >= CLIPS_PER_VOICE) == v && c % CLIPS_PER_VOICE >= first) {
      s += t->x[r * DIM];
      n++;
    }
  }
  return s / (double)n;
}

/* The same over the last half of its clips. */
static double late_mean(const two_voices *t, int v)
{
  return voice_mean(t, v, CLIPS_PER_VOICE / 2);
}

static void test_stream_normalises_each_voice(void **state)
{
  (void)state;
  two_voices *t = make();
  assert_int_equal(tr_adapt_replay(&adapt, TL_ADAPT_STREAM, 1, &t->cl, &t->ds), 0);
  /* clips are shuffled within a voice, so "late" rows are mixed in time; a
   * voice's statistics converge to its own: every row is near 0 */
  assert_true(fabs(late_mean(t, 0)) < 1.0);
  assert_true(fabs(late_mean(t, 1)) < 1.0);
  free(t);
}

static void test_shared_keeps_voices_apart(void **state)
{
  (void)state;
  two_voices *t = make();
  assert_int_equal(tr_adapt_replay(&adapt, TL_ADAPT_SHARED, 1, &t->cl, &t->ds), 0);
  /* statistics over both voices: mean about 0, spread about 10, so A reads
   * about +1 and B about -1 */
  assert_true(late_mean(t, 0) > 0.5 && late_mean(t, 0) < 1.5);
  assert_true(late_mean(t, 1) < -0.5 && late_mean(t, 1) > -1.5);
  free(t);
}

static void test_shared_interleaves_voices(void **state)
{
  (void)state;
  /* if the shared stream played A's clips then B's, B's first rows would be
   * normalised by A's statistics alone and read far below -1; interleaved,
   * the mean of B over all its rows stays near -1 as well */
  two_voices *t = make();
  assert_int_equal(tr_adapt_replay(&adapt, TL_ADAPT_SHARED, 3, &t->cl, &t->ds), 0);
  assert_true(voice_mean(t, 1, 0) > -2.0);
  free(t);
}

static void test_cold_uses_population_only(void **state)
{
  (void)state;
  two_voices *t = make(), *u = make();
  assert_int_equal(tr_adapt_replay(&adapt, TL_ADAPT_COLD, 1, &t->cl, &t->ds), 0);
  /* population mean 0, variance 1: x' = x / sqrt(1 + eps) */
  for (size_t i = 0; i < t->ds.n * DIM; i++)
    assert_true(fabsf(t->x[i] - u->x[i] / sqrtf(1.0f + EVX_ADAPT_EPS)) < 1e-4f);
  free(t);
  free(u);
}

static void test_same_seed_same_rows(void **state)
{
  (void)state;
  two_voices *t = make(), *u = make();
  assert_int_equal(tr_adapt_replay(&adapt, TL_ADAPT_SHARED, 5, &t->cl, &t->ds), 0);
  assert_int_equal(tr_adapt_replay(&adapt, TL_ADAPT_SHARED, 5, &u->cl, &u->ds), 0);
  assert_memory_equal(t->x, u->x, sizeof t->x);
  free(t);
  free(u);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stream_normalises_each_voice),
    cmocka_unit_test(test_shared_keeps_voices_apart),
    cmocka_unit_test(test_shared_interleaves_voices),
    cmocka_unit_test(test_cold_uses_population_only),
    cmocka_unit_test(test_same_seed_same_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
