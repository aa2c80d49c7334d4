/* Augmentation: SNR hits its target, stretch changes duration but not pitch,
 * pitch shift moves pitch but not duration, same seed gives the same output. */
#include "test_util.h"
#include "augment.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *sine(double freq, double sr, size_t n)
{
  float *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = 0.5f * (float)sin(2 * M_PI * freq * (double)i / sr);
  return x;
}

/* Frequency from rising zero crossings (interpolated) away from the ends. */
static double frequency(const float *x, size_t n, double sr)
{
  double first = -1, last = -1;
  int count = 0;
  for (size_t i = n / 10; i + 1 < n - n / 10; i++)
    if (x[i] < 0 && x[i + 1] >= 0) {
      double t = (double)i + x[i] / (x[i] - x[i + 1]);
      if (first < 0)
        first = t;
      last = t;
      count++;
    }
  return count > 1 ? (count - 1) * sr / (last - first) : 0;
}

static void noise_hits_the_snr(void **state)
{
  (void)state;
  const size_t n = 16000;
  for (double snr = 0; snr <= 30; snr += 10) {
    float *x = sine(440, 16000, n), *y = sine(440, 16000, n);
    evx_add_noise(y, n, snr, 7);
    double ps = 0, pn = 0;
    for (size_t i = 0; i < n; i++)
      ps += (double)x[i] * x[i], pn += (double)(y[i] - x[i]) * (y[i] - x[i]);
    assert_true(fabs(10 * log10(ps / pn) - snr) < 0.5);
    free(x);
    free(y);
  }
}

static void stretch_keeps_pitch(void **state)
{
  (void)state;
  const double rates[] = { 0.8, 1.25 }, srs[] = { 16000, 44100 };
  for (size_t s = 0; s < 2; s++)
    for (size_t r = 0; r < 2; r++) {
      size_t n = (size_t)srs[s];
      float *x = sine(220, srs[s], n), *y;
      size_t m;
      assert_int_equal(evx_time_stretch(x, n, rates[r], srs[s], &y, &m), 0);
      assert_true(fabs((double)m / (double)n * rates[r] - 1) < 0.01);
      assert_true(fabs(frequency(y, m, srs[s]) / 220 - 1) < 0.01);
      free(x);
      free(y);
    }
}

static void pitch_shift_keeps_duration(void **state)
{
  (void)state;
  const double semis[] = { -2, 2, 0.5 };
  for (size_t k = 0; k < 3; k++) {
    size_t n = 16000;
    float *x = sine(300, 16000, n), *y;
    size_t m;
    assert_int_equal(evx_pitch_shift(x, n, semis[k], 16000, &y, &m), 0);
    assert_true(fabs((double)m / (double)n - 1) < 0.01);
    double want = 300 * pow(2, semis[k] / 12);
    assert_true(fabs(frequency(y, m, 16000) / want - 1) < 0.01);
    free(x);
    free(y);
  }
}

static void same_seed_same_output(void **state)
{
  (void)state;
  evx_augment_opts o = evx_augment_defaults();
  o.noise = o.stretch = o.pitch = 1;
  o.seed = 42;
  size_t n = 8000;
  float *x = sine(250, 16000, n), *y[3];
  size_t m[3];
  evx_augment_params p[3] = { evx_augment_draw(&o, 123, 1), evx_augment_draw(&o, 123, 1),
                              evx_augment_draw(&o, 123, 2) };
  assert_memory_equal(&p[0], &p[1], sizeof p[0]);
  assert_true(p[0].rate >= 0.8 && p[0].rate <= 1.25);
  assert_true(p[0].snr_db >= 10 && p[0].snr_db <= 30);
  assert_true(p[0].semitones >= -2 && p[0].semitones <= 2);
  assert_true(p[0].rate != p[2].rate);
  for (int i = 0; i < 3; i++)
    assert_int_equal(evx_augment_apply(&p[i], x, n, 16000, &y[i], &m[i]), 0);
  assert_int_equal(m[0], m[1]);
  assert_memory_equal(y[0], y[1], m[0] * sizeof *y[0]);
  assert_true(m[0] != m[2] || memcmp(y[0], y[2], m[0] * sizeof *y[0]));
  o.noise = 0; /* switching one off leaves the others as drawn */
  evx_augment_params q = evx_augment_draw(&o, 123, 1);
  assert_true(q.snr_db == 0 && q.rate == p[0].rate && q.semitones == p[0].semitones);
  for (int i = 0; i < 3; i++)
    free(y[i]);
  free(x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(noise_hits_the_snr),
    cmocka_unit_test(stretch_keeps_pitch),
    cmocka_unit_test(pitch_shift_keeps_duration),
    cmocka_unit_test(same_seed_same_output),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
