/* test_adapt_frames_train.c: training-side speaker normalisation of
 * frame-matrix rows (tl_adapt_fit in frame mode). Two synthetic voices
 * with different means and spreads: afterwards each voice's voiced frames
 * are zero-mean and unit-variance per feature, quiet frames are normalised
 * by the same statistics without shaping them, NaN padding stays NaN, and
 * the bundle's population statistics are the mean of the two voices'. */
#include "test_util.h"
#include "evx_features.h"
#include "dataset_adapt.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T 24              /* frames per row */
#define F EVX_NFEAT
#define CLIPS 12          /* per voice, one row each */
#define QUIET 4           /* quiet frames (-90 dB) after the padding */
#define PAD 2             /* NaN frames at the start of odd rows */

typedef struct {
  tr_cliplist cl;
  tr_clip clips[2 * CLIPS];
  tr_dataset ds;
  float x[2 * CLIPS * F * T];
  int y[2 * CLIPS];
  uint32_t clip[2 * CLIPS], variant[2 * CLIPS];
} voices;

static const float centre[2] = { 10.0f, -10.0f }, spread[2] = { 1.0f, 3.0f };

static int quiet(uint32_t c, uint32_t t)
{
  uint32_t p = c % 2 ? PAD : 0u;
  return t >= p && t < p + QUIET;
}
static int padded(uint32_t c, uint32_t t) { return c % 2 && t < PAD; }

static voices *make(void)
{
  voices *v = calloc(1, sizeof *v);
  assert_non_null(v);
  uint64_t seed = 9;
  for (uint32_t c = 0; c < 2 * CLIPS; c++) {
    int b = c >= CLIPS;
    snprintf(v->clips[c].speaker, sizeof v->clips[c].speaker, "voice-%c", b ? 'B' : 'A');
    float *row = v->x + (size_t)c * F * T;
    for (uint32_t f = 0; f < F; f++)
      for (uint32_t t = 0; t < T; t++) {
        float x = centre[b] + spread[b] * (float)tu_gauss(&seed);
        if (f == EVX_F_RMS) x = -20.0f + 0.5f * (float)tu_gauss(&seed);
        if (quiet(c, t)) x = f == EVX_F_RMS ? -90.0f : 500.0f;
        row[f * T + t] = padded(c, t) ? NAN : x;
      }
    v->clip[c] = c;
  }
  v->cl.clips = v->clips;
  v->cl.n = v->cl.cap = 2 * CLIPS;
  v->ds = (tr_dataset){ .n = 2 * CLIPS, .dim = F * T, .x = v->x, .y = v->y, .clip = v->clip,
                         .variant = v->variant, .n_clips = 2 * CLIPS,
                         .shape = { F, 1, T } };
  return v;
}

static void test_voices_normalised_on_voiced_frames(void **state)
{
  (void)state;
  voices *v = make();
  static float raw[2 * CLIPS * F * T];
  memcpy(raw, v->x, sizeof raw);
  tl_adapt ad = { .prior = 8, .memory = 600, .frames = T };
  tl_streams st;
  assert_int_equal(tr_dataset_streams(&v->ds, &v->cl, &st), 0);
  assert_int_equal(st.n_streams, 2);
  assert_int_equal(tl_adapt_fit(&ad, &st, v->ds.x), 0);
  tr_streams_free(&st);
  assert_int_equal(ad.len, F);
  double pm = 0;
  for (int b = 0; b < 2; b++) {
    for (uint32_t f = 0; f < F; f++) {
      double s = 0, ss = 0, n = 0, rs = 0;
      for (uint32_t c = (uint32_t)b * CLIPS; c < (uint32_t)(b + 1) * CLIPS; c++)
        for (uint32_t t = 0; t < T; t++) {
          size_t i = (size_t)c * F * T + f * T + t;
          if (padded(c, t)) { assert_true(isnan(v->x[i])); continue; }
          if (quiet(c, t)) continue;
          s += v->x[i], ss += (double)v->x[i] * v->x[i], n++, rs += raw[i];
        }
      double m = s / n, var = ss / n - m * m;
      assert_float_equal(m, 0.0, 1e-3);
      assert_float_equal(var, 1.0, 1e-3);
      if (f == 0) pm += rs / n / 2;
    }
  }
  assert_float_equal(ad.mean[0], pm, 1e-3);
  /* the population variance of feature 0 is the mean of the voices' (1 and 9) */
  assert_float_equal(ad.var[0], 5.0, 1.0);
  /* a quiet frame (500) of voice A lies far above A's normalised range */
  assert_true(v->x[(size_t)0 * F * T + 0 * T + 0] > 100.0f);
  tl_adapt_free(&ad);
  free(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_voices_normalised_on_voiced_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
