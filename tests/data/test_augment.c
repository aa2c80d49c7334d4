/* Augmentation: SNR hits its target, stretch changes duration but not pitch,
 * pitch shift moves pitch but not duration, same seed gives the same output;
 * babble noise: SNR, determinism, syllable-rate level fluctuation, speech-like
 * spectral tilt; speed, gain and channel: their draws are deterministic and
 * leave the older draws as they were, gain scales, speed shortens and raises,
 * each channel has its frequency response. */
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

/* SNR (dB) of y = x + noise against x. */
static double snr_of(const float *x, const float *y, size_t n)
{
  double ps = 0, pn = 0;
  for (size_t i = 0; i < n; i++)
    ps += (double)x[i] * x[i], pn += (double)(y[i] - x[i]) * (y[i] - x[i]);
  return 10 * log10(ps / pn);
}

static void noise_hits_the_snr(void **state)
{
  (void)state;
  const size_t n = 16000;
  for (double snr = 0; snr <= 30; snr += 10) {
    float *x = sine(440, 16000, n), *y = sine(440, 16000, n);
    tr_add_noise(y, n, snr, 7);
    assert_true(fabs(snr_of(x, y, n) - snr) < 0.5);
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
      assert_int_equal(tr_time_stretch(x, n, rates[r], srs[s], &y, &m), 0);
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
    assert_int_equal(tr_pitch_shift(x, n, semis[k], 16000, &y, &m), 0);
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
  tr_augment_opts o = tr_augment_defaults();
  o.noise = o.stretch = o.pitch = 1;
  o.seed = 42;
  size_t n = 8000;
  float *x = sine(250, 16000, n), *y[3];
  size_t m[3];
  tr_augment_params p[3] = { tr_augment_draw(&o, 123, 1), tr_augment_draw(&o, 123, 1),
                              tr_augment_draw(&o, 123, 2) };
  assert_memory_equal(&p[0], &p[1], sizeof p[0]);
  assert_true(p[0].rate >= 0.8 && p[0].rate <= 1.25);
  assert_true(p[0].snr_db >= 10 && p[0].snr_db <= 30);
  assert_true(p[0].semitones >= -2 && p[0].semitones <= 2);
  assert_true(p[0].rate != p[2].rate);
  for (int i = 0; i < 3; i++)
    assert_int_equal(tr_augment_apply(&p[i], x, n, 16000, &y[i], &m[i]), 0);
  assert_int_equal(m[0], m[1]);
  assert_memory_equal(y[0], y[1], m[0] * sizeof *y[0]);
  assert_true(m[0] != m[2] || memcmp(y[0], y[2], m[0] * sizeof *y[0]));
  o.noise = 0; /* switching one off leaves the others as drawn */
  tr_augment_params q = tr_augment_draw(&o, 123, 1);
  assert_true(q.snr_db == 0 && q.rate == p[0].rate && q.semitones == p[0].semitones);
  for (int i = 0; i < 3; i++)
    free(y[i]);
  free(x);
}

/* Level in dB of each 50 ms block of d; returns the spread between the 10th
 * and 90th percentile. */
static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double block_spread_db(const float *d, size_t n, double sr)
{
  size_t blk = (size_t)(0.050 * sr), nb = n / blk;
  double *db = malloc(nb * sizeof *db);
  for (size_t b = 0; b < nb; b++) {
    double p = 1e-20;
    for (size_t i = 0; i < blk; i++)
      p += (double)d[b * blk + i] * d[b * blk + i];
    db[b] = 10 * log10(p / (double)blk);
  }
  qsort(db, nb, sizeof *db, cmp_double);
  double spread = db[nb * 9 / 10] - db[nb / 10];
  free(db);
  return spread;
}

/* Mean power (dB) of d at freq, by Goertzel over 512-sample blocks. */
static double level_at(const float *d, size_t n, double freq, double sr)
{
  const size_t len = 512;
  double c = 2 * cos(2 * M_PI * freq / sr), sum = 0;
  size_t blocks = 0;
  for (size_t b = 0; b + len <= n; b += len, blocks++) {
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < len; i++) {
      double w = 0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)len);
      double s0 = w * d[b + i] + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    sum += s1 * s1 + s2 * s2 - c * s1 * s2;
  }
  return 10 * log10(sum / (double)blocks);
}

static void babble_hits_the_snr(void **state)
{
  (void)state;
  const double srs[] = { 16000, 44100 };
  for (int s = 0; s < 2; s++)
    for (double snr = -5; snr <= 30; snr += 5) {
      size_t n = (size_t)(2 * srs[s]);
      float *x = sine(440, srs[s], n), *y = sine(440, srs[s], n);
      tr_add_babble(y, n, snr, 11, srs[s]);
      assert_true(fabs(snr_of(x, y, n) - snr) < 0.5);
      free(x);
      free(y);
    }
  float silent[100] = { 0 };
  tr_add_babble(silent, 100, 10, 1, 16000);   /* a silent signal stays silent */
  for (int i = 0; i < 100; i++)
    assert_true(silent[i] == 0);
}

static void babble_is_deterministic(void **state)
{
  (void)state;
  size_t n = 16000;
  float *a = sine(300, 16000, n), *b = sine(300, 16000, n), *c = sine(300, 16000, n);
  tr_add_babble(a, n, 5, 99, 16000);
  tr_add_babble(b, n, 5, 99, 16000);
  tr_add_babble(c, n, 5, 100, 16000);
  assert_memory_equal(a, b, n * sizeof *a);
  assert_true(memcmp(a, c, n * sizeof *a) != 0);
  free(a);
  free(b);
  free(c);
}

/* Babble fluctuates at syllable rate like a crowd, white noise does not;
 * its spectrum falls like speech's (~20 dB from 300 Hz to 4 kHz). */
static void babble_is_modulated_and_tilted(void **state)
{
  (void)state;
  const double sr = 16000;
  size_t n = (size_t)(10 * sr);
  float *x = sine(440, sr, n), *bab = sine(440, sr, n), *wht = sine(440, sr, n);
  tr_add_babble(bab, n, 0, 5, sr);
  tr_add_noise(wht, n, 0, 5);
  for (size_t i = 0; i < n; i++)
    bab[i] -= x[i], wht[i] -= x[i];
  double sb = block_spread_db(bab, n, sr), sw = block_spread_db(wht, n, sr);
  print_message("50 ms block level spread (p90 - p10): babble %.1f dB, white %.1f dB\n", sb, sw);
  assert_true(sb > 3.0);
  assert_true(sw < 1.0);
  double tilt = level_at(bab, n, 300, sr) - level_at(bab, n, 4000, sr);
  double flat = level_at(wht, n, 300, sr) - level_at(wht, n, 4000, sr);
  print_message("300 Hz - 4 kHz: babble %.1f dB, white %.1f dB\n", tilt, flat);
  assert_true(tilt > 12 && tilt < 30);
  assert_true(fabs(flat) < 2);
  free(x);
  free(bab);
  free(wht);
}

/* --noise-type: white never draws babble, babble always, mixed both over
 * variants; the kind does not change the other draws. */
static void noise_kind_is_drawn_per_variant(void **state)
{
  (void)state;
  tr_augment_opts o = tr_augment_defaults();
  o.noise = 1;
  int counts[TR_NOISE_MIXED + 1] = { 0 };   /* by kind */
  for (int kind = TR_NOISE_WHITE; kind <= TR_NOISE_MIXED; kind++) {
    o.noise_kind = kind;
    for (uint32_t v = 1; v <= 64; v++) {
      tr_augment_params p = tr_augment_draw(&o, 99, v);
      counts[kind] += p.babble;
      o.noise_kind = TR_NOISE_WHITE;
      tr_augment_params w = tr_augment_draw(&o, 99, v);
      o.noise_kind = kind;
      assert_true(p.snr_db == w.snr_db && p.noise_seed == w.noise_seed);
    }
  }
  assert_int_equal(counts[TR_NOISE_WHITE], 0);
  assert_int_equal(counts[TR_NOISE_BABBLE], 64);
  assert_true(counts[TR_NOISE_MIXED] > 16 && counts[TR_NOISE_MIXED] < 48);
  o.noise = 0;   /* no noise: nothing is babble */
  o.noise_kind = TR_NOISE_BABBLE;
  assert_int_equal(tr_augment_draw(&o, 99, 1).babble, 0);
}

/* Speed, gain and channel are drawn after the older parameters: switching
 * them on changes none of snr/rate/semitones/noise_seed/babble, and their
 * own draws depend only on (seed, key, variant). */
static void new_draws_leave_the_older_ones(void **state)
{
  (void)state;
  tr_augment_opts o = tr_augment_defaults();
  o.noise = o.stretch = o.pitch = 1;
  o.noise_kind = TR_NOISE_MIXED;
  o.seed = 7;
  tr_augment_opts all = o;
  all.speed = all.gain = all.channel = 1;
  int channels[4] = { 0, 0, 0, 0 };
  for (uint32_t v = 1; v <= 90; v++) {
    tr_augment_params p = tr_augment_draw(&o, 555, v), q = tr_augment_draw(&all, 555, v);
    assert_true(p.snr_db == q.snr_db && p.rate == q.rate && p.semitones == q.semitones);
    assert_true(p.noise_seed == q.noise_seed && p.babble == q.babble);
    assert_true(p.speed == 1 && p.gain_db == 0 && p.channel == TR_CH_NONE);
    assert_true(q.speed >= 0.9 && q.speed <= 1.1 && q.speed != 1);
    assert_true(q.gain_db >= -30 && q.gain_db <= 6 && q.gain_db != 0);
    assert_true(q.channel >= TR_CH_PHONE && q.channel <= TR_CH_BRIGHT);
    channels[q.channel]++;
    tr_augment_params again = tr_augment_draw(&all, 555, v);
    assert_memory_equal(&q, &again, sizeof q);
    /* one of the three alone draws the same value as with the others */
    tr_augment_opts one = o;
    one.gain = 1;
    tr_augment_params g = tr_augment_draw(&one, 555, v);
    assert_true(g.gain_db == q.gain_db && g.speed == 1 && g.channel == TR_CH_NONE);
    assert_true(g.snr_db == p.snr_db && g.noise_seed == p.noise_seed);
  }
  for (int c = TR_CH_PHONE; c <= TR_CH_BRIGHT; c++)   /* equal odds: 30 each */
    assert_true(channels[c] > 15 && channels[c] < 45);
  tr_augment_params a = tr_augment_draw(&all, 555, 1), b = tr_augment_draw(&all, 556, 1);
  all.seed = 8;
  tr_augment_params c = tr_augment_draw(&all, 555, 1);
  assert_true(a.speed != b.speed && a.gain_db != b.gain_db);   /* another clip */
  assert_true(a.speed != c.speed && a.gain_db != c.gain_db);   /* another seed */
  assert_int_equal(tr_augment_enabled(&o), 1);
  tr_augment_opts only = tr_augment_defaults();
  assert_int_equal(tr_augment_enabled(&only), 0);
  only.channel = 1;
  assert_int_equal(tr_augment_enabled(&only), 1);
}

/* The whole chain with speed, gain and channel is deterministic too. */
static void new_augmentations_are_deterministic(void **state)
{
  (void)state;
  tr_augment_opts o = tr_augment_defaults();
  o.noise = o.speed = o.gain = o.channel = 1;
  o.noise_kind = TR_NOISE_MIXED;
  size_t n = 16000;
  float *x = sine(250, 16000, n), *y[3];
  size_t m[3];
  tr_augment_params p[3] = { tr_augment_draw(&o, 321, 4), tr_augment_draw(&o, 321, 4),
                              tr_augment_draw(&o, 321, 5) };
  for (int i = 0; i < 3; i++)
    assert_int_equal(tr_augment_apply(&p[i], x, n, 16000, &y[i], &m[i]), 0);
  assert_int_equal(m[0], m[1]);
  assert_memory_equal(y[0], y[1], m[0] * sizeof *y[0]);
  assert_true(m[0] != m[2] || memcmp(y[0], y[2], m[0] * sizeof *y[0]));
  for (int i = 0; i < 3; i++)
    free(y[i]);
  free(x);
}

static tr_augment_params identity(void)
{
  return (tr_augment_params){ .rate = 1, .speed = 1 };
}

static void gain_scales_by_its_db(void **state)
{
  (void)state;
  const double gains[] = { -30, -12, -0.5, 6 };
  size_t n = 4000;
  float *x = sine(440, 16000, n);
  for (int k = 0; k < 4; k++) {
    tr_augment_params p = identity();
    p.gain_db = gains[k];
    float *y;
    size_t m;
    assert_int_equal(tr_augment_apply(&p, x, n, 16000, &y, &m), 0);
    assert_int_equal(m, n);
    double g = pow(10.0, gains[k] / 20.0);
    for (size_t i = 0; i < n; i++)
      assert_true(fabs(y[i] - g * x[i]) <= 1e-6 * (fabs(x[i]) + 1e-6));
    free(y);
  }
  free(x);
}

/* Played faster by `speed`: n / speed samples, every frequency times speed. */
static void speed_shortens_and_raises(void **state)
{
  (void)state;
  const double speeds[] = { 1.1, 0.9 }, srs[] = { 16000, 48000 };
  for (int s = 0; s < 2; s++)
    for (int k = 0; k < 2; k++) {
      size_t n = (size_t)srs[s];
      float *x = sine(220, srs[s], n), *y;
      size_t m;
      tr_augment_params p = identity();
      p.speed = speeds[k];
      assert_int_equal(tr_augment_apply(&p, x, n, srs[s], &y, &m), 0);
      assert_true(fabs((double)m - (double)n / speeds[k]) <= 1.0);
      double f = frequency(y, m, srs[s]);
      print_message("speed %.1f at %.0f Hz: %zu -> %zu samples, 220 Hz -> %.2f Hz\n",
                    speeds[k], srs[s], n, m, f);
      assert_true(fabs(f / (220 * speeds[k]) - 1) < 0.002);
      free(x);
      free(y);
    }
}

/* The gain (dB) channel c gives a tone of freq Hz at rate sr, measured by
 * Goertzel after the filters' start (the first 0.1 s left out). */
static double channel_gain_db(int c, double freq, double sr)
{
  size_t n = (size_t)sr, skip = (size_t)(0.1 * sr);
  float *x = sine(freq, sr, n);
  tr_augment_params p = identity();
  p.channel = c;
  float *y;
  size_t m;
  assert_int_equal(tr_augment_apply(&p, x, n, sr, &y, &m), 0);
  assert_int_equal(m, n);
  double g = level_at(y + skip, n - skip, freq, sr) - level_at(x + skip, n - skip, freq, sr);
  free(x);
  free(y);
  return g;
}

/* Telephone: 100 Hz down by more than 12 dB, 6 kHz by more than 12 dB at the
 * rates the corpora are stored at here (16 kHz; 24.4) and by more than 9 dB
 * at 44.1 and 48 kHz (a 2nd-order low-pass at 3.4 kHz: about 11 dB there),
 * 1 kHz within 1 dB;
 * darker / brighter microphone: 6 kHz about -6 / +6 dB, 200 Hz within 1 dB.
 * At the corpora's rates (CREMA-D 16 kHz, TESS 24.4, SAVEE 44.1, RAVDESS 48). */
static void channels_shape_the_spectrum(void **state)
{
  (void)state;
  const double srs[] = { 16000, 24414, 44100, 48000 };
  for (int s = 0; s < 4; s++) {
    double sr = srs[s];
    double lo = channel_gain_db(TR_CH_PHONE, 100, sr), mid = channel_gain_db(TR_CH_PHONE, 1000, sr);
    double hi = channel_gain_db(TR_CH_PHONE, 6000, sr);
    double dark = channel_gain_db(TR_CH_DARK, 6000, sr), bright = channel_gain_db(TR_CH_BRIGHT, 6000, sr);
    double dark_lo = channel_gain_db(TR_CH_DARK, 200, sr);
    double bright_lo = channel_gain_db(TR_CH_BRIGHT, 200, sr);
    print_message("%5.0f Hz: phone 100 Hz %.1f, 1 kHz %.2f, 6 kHz %.1f dB; "
                  "dark 6 kHz %.2f, 200 Hz %.2f; bright 6 kHz %.2f, 200 Hz %.2f dB\n",
                  sr, lo, mid, hi, dark, dark_lo, bright, bright_lo);
    assert_true(lo < -12 && hi < (sr < 30000 ? -12 : -9) && fabs(mid) < 1);
    assert_true(fabs(dark + 6) < 1 && fabs(bright - 6) < 1);
    assert_true(fabs(dark_lo) < 1 && fabs(bright_lo) < 1);
  }
  float x[64];   /* no channel: untouched */
  for (int i = 0; i < 64; i++)
    x[i] = (float)i;
  tr_apply_channel(TR_CH_NONE, x, 64, 16000);
  for (int i = 0; i < 64; i++)
    assert_true(x[i] == (float)i);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(noise_hits_the_snr),
    cmocka_unit_test(stretch_keeps_pitch),
    cmocka_unit_test(pitch_shift_keeps_duration),
    cmocka_unit_test(same_seed_same_output),
    cmocka_unit_test(babble_hits_the_snr),
    cmocka_unit_test(babble_is_deterministic),
    cmocka_unit_test(babble_is_modulated_and_tilted),
    cmocka_unit_test(noise_kind_is_drawn_per_variant),
    cmocka_unit_test(new_draws_leave_the_older_ones),
    cmocka_unit_test(new_augmentations_are_deterministic),
    cmocka_unit_test(gain_scales_by_its_db),
    cmocka_unit_test(speed_shortens_and_raises),
    cmocka_unit_test(channels_shape_the_spectrum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
