/* test_resample_response.c: measured frequency response of the resampler:
 * passband ripple over 50 Hz..7 kHz <= 0.1 dB, and >= 80 dB rejection of
 * every tone above 8 kHz (aliases) and of the images made when upsampling. */
#include "test_util.h"

#include "rs_measure.h"
#include "evx_resample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AMP 0.5
#define SECONDS 0.25         /* 4000 outputs: enough for a -100 dB fit */
#define MAX_RIPPLE_DB 0.1
#define MIN_REJECT_DB 80.0

static double db(double x) { return 20.0 * log10(x > 1e-30 ? x : 1e-30); }

/* Output of a tone at f, warm-up skipped; malloc'd. */
static float *converted_tone(double rate, double f, size_t *m)
{
  size_t n = (size_t)(rate * SECONDS), skip = rsm_warmup(rate), got = 0;
  float *x = rsm_tone(n, rate, f, AMP, 0.3);
  float *y = rsm_convert(rate, x, n, 512, &got);
  free(x);
  assert_non_null(y);
  assert_true(got > skip + 1000);
  *m = got - skip;
  memmove(y, y + skip, sizeof(float) * *m);
  return y;
}

/* Ripple (max - min gain) over passband tones up to pass_hz, and the worst
 * level of everything else in the output (images when upsampling, spurs),
 * relative to the tone. */
static void check_passband(double rate, double pass_hz)
{
  static const double tones[] = {50, 100, 200, 400, 700, 1000, 1500, 2000, 2500,
                                 3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500,
                                 6800, 6900, 6950, 7000};
  double gmin = 1e9, gmax = -1e9, worst = -1e9;
  for (size_t k = 0; k < sizeof tones / sizeof tones[0]; k++) {
    double f = tones[k] < pass_hz ? tones[k] : pass_hz;
    size_t m;
    float *y = converted_tone(rate, f, &m);
    double resid, a = rsm_fit(y, m, f, &resid, NULL);
    free(y);
    double g = db(a / AMP), other = db(resid / (a / sqrt(2.0)));
    gmin = g < gmin ? g : gmin;
    gmax = g > gmax ? g : gmax;
    worst = other > worst ? other : worst;
    if (tones[k] >= pass_hz)
      break;
  }
  print_message("%9.3f Hz: passband ripple %.5f dB (gain %+.5f..%+.5f), "
                "worst image/spur %.1f dB\n", rate, gmax - gmin, gmin, gmax, worst);
  assert_true(gmax - gmin <= MAX_RIPPLE_DB);
  assert_true(fabs(gmax) <= MAX_RIPPLE_DB && fabs(gmin) <= MAX_RIPPLE_DB);
  assert_true(worst <= -MIN_REJECT_DB);
}

/* Whole output energy of tones from 8 kHz to the input Nyquist, relative to
 * a full-gain passband tone of the same amplitude. */
static void check_stopband(double rate)
{
  double nyq = rate / 2.0, worst = -1e9, worst_f = 0;
  double tones[64];
  size_t nt = 0;
  static const double near[] = {8000, 8001, 8020, 8100, 8500, 9000, 10000,
                                12000, 15000};
  for (size_t k = 0; k < sizeof near / sizeof near[0]; k++)
    tones[nt++] = near[k];
  /* Tones that alias to near DC and near 8 kHz. */
  for (double c = 16000; c < nyq && nt + 2 < 64; c += 8000) {
    tones[nt++] = c - 37;
    tones[nt++] = c + 37;
  }
  tones[nt++] = nyq - 1;
  for (size_t k = 0; k < nt; k++) {
    if (tones[k] >= nyq)
      continue;
    size_t m;
    float *y = converted_tone(rate, tones[k], &m);
    double level = db(rsm_rms(y, m) / (AMP / sqrt(2.0)));
    free(y);
    if (level > worst) {
      worst = level;
      worst_f = tones[k];
    }
  }
  print_message("%9.3f Hz: stopband worst %.1f dB (tone %.0f Hz, %zu tones)\n",
                rate, worst, worst_f, nt);
  assert_true(worst <= -MIN_REJECT_DB);
}

static void test_downsampling(void **state)
{
  (void)state;
  static const double rates[] = {22050, 44100, 48000, 96000, 192000};
  for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
    check_passband(rates[k], 7000);
    check_stopband(rates[k]);
  }
}

/* A rate no small ratio fits: the interpolated phase table. */
static void test_non_integer_rate(void **state)
{
  (void)state;
  check_passband(47952.048, 7000);
  check_stopband(47952.048);
}

/* No content above the input Nyquist exists; the images of the passband
 * must be gone. The passband ends at 7/8 of the input Nyquist. */
static void test_upsampling_images(void **state)
{
  (void)state;
  check_passband(8000, 3500);
  check_passband(11025, 11025 / 2.0 * 7.0 / 8.0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_downsampling),
    cmocka_unit_test(test_non_integer_rate),
    cmocka_unit_test(test_upsampling_images),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
