/* test_synthetic.c: the prosody tracker on signals made here, whose F0 is
 * known at every frame: an F0 sweep, vibrato, harmonics in white noise at
 * 20/10/5 dB SNR (median error < 1 semitone, voicing agreement >= 90%),
 * silence and white noise (unvoiced); then what each descriptor column must
 * do (semitones, voice median, jitter, shimmer, HNR, loudness, alpha ratio,
 * Hammarberg, slope), level, block size and reset independence, and finite
 * output on hostile input. */
#include "pros_test_util.h"
#include "test_util.h"

#include "evx_features.h"
#include "evx_prosody.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SR 16000.0

/* F0 (Hz) at time t for a synthetic voice; 0 = no voice. */
typedef double (*f0_fn)(double t);

static double f0_sweep(double t) { return 90.0 * pow(2.0, t * 2.0); }   /* 90 -> 360 Hz in 2 s */
static double f0_vibrato(double t)  /* 220 Hz, +-1 semitone at 5.5 Hz */
{
  return 220.0 * pow(2.0, sin(2 * M_PI * 5.5 * t) / 12.0);
}
static double f0_steady(double t) { (void)t; return 150.0; }

/* Harmonics k = 1..n_harm with amplitude k^-tilt (phase follows F0), peak
 * scaled to `level`, plus white noise at snr_db (below -200: none). */
static float *make_voice(f0_fn f0, double seconds, int n_harm, double tilt, double level,
                         double snr_db, uint64_t seed, size_t *n)
{
  *n = (size_t)(SR * seconds);
  float *x = malloc(sizeof(float) * *n);
  double phase = 0, peak = 0, pow_s = 0;
  for (size_t i = 0; i < *n; i++) {
    double f = f0((double)i / SR);
    double v = 0;
    for (int k = 1; k <= n_harm && k * f < 0.45 * SR; k++)
      v += pow(k, -tilt) * sin(k * phase);
    phase += 2 * M_PI * f / SR;
    x[i] = (float)v;
    peak = fabs(v) > peak ? fabs(v) : peak;
    pow_s += v * v;
  }
  pow_s /= (double)*n;
  double sd = snr_db > -200 ? sqrt(pow_s * pow(10.0, -snr_db / 10.0)) : 0.0;
  uint64_t rng = seed;
  double g = level / peak;
  for (size_t i = 0; i < *n; i++)
    x[i] = (float)(g * (x[i] + sd * tu_gauss(&rng)));
  return x;
}

/* Median |semitone error| over frames both call voiced, and the share of
 * frames whose voicing agrees with `voiced_truth`, over frames whose whole
 * 40 ms window lies in the signal. */
static void score(const float *p, size_t n_frames, f0_fn f0, int voiced_truth,
                  double *median_st, double *agree)
{
  double *err = malloc(sizeof(double) * (n_frames + 1));
  size_t ne = 0, agreed = 0, counted = 0;
  for (size_t t = 2; t < n_frames; t++) {  /* frame 2's window starts at sample 80 */
    const float *row = p + t * EVX_NPROS;
    int v = row[EVX_P_VOICED] > 0.5f;
    agreed += v == voiced_truth;
    counted++;
    if (v && voiced_truth)
      err[ne++] = fabs(12.0 * log2(row[EVX_P_F0] / f0(pt_centre_s(t))));
  }
  *median_st = ne ? pt_median(err, ne) : 99.0;
  *agree = counted ? (double)agreed / (double)counted : 0.0;
  free(err);
}

static void check_voice(const char *what, f0_fn f0, double snr_db)
{
  size_t n, nf;
  float *x = make_voice(f0, 2.0, 12, 1.0, 0.5, snr_db, 11, &n);
  float *p = pt_prosody(x, n, SR, &nf);
  double med, agree;
  score(p, nf, f0, 1, &med, &agree);
  print_message("%-22s median error %.3f semitones, voicing agreement %.1f%% (%zu frames)\n",
                what, med, 100 * agree, nf);
  assert_true(med < 1.0);
  assert_true(agree >= 0.90);
  free(p);
  free(x);
}

static void test_sweep(void **s) { (void)s; check_voice("sweep 90-360 Hz", f0_sweep, -999); }
static void test_vibrato(void **s) { (void)s; check_voice("vibrato 220 Hz +-1 st", f0_vibrato, -999); }
static void test_snr20(void **s) { (void)s; check_voice("sweep, 20 dB SNR", f0_sweep, 20); }
static void test_snr10(void **s) { (void)s; check_voice("vibrato, 10 dB SNR", f0_vibrato, 10); }
static void test_snr5(void **s) { (void)s; check_voice("sweep, 5 dB SNR", f0_sweep, 5); }

static void check_unvoiced(const char *what, const float *x, size_t n)
{
  size_t nf;
  float *p = pt_prosody(x, n, SR, &nf);
  double med, agree;
  score(p, nf, f0_steady, 0, &med, &agree);
  print_message("%-22s unvoiced in %.1f%% of %zu frames\n", what, 100 * agree, nf);
  assert_true(agree >= 0.90);
  for (size_t i = 0; i < nf * EVX_NPROS; i++)
    assert_true(isfinite(p[i]));
  free(p);
}

static void test_silence(void **s)
{
  (void)s;
  size_t n = (size_t)SR;
  float *x = calloc(n, sizeof(float));
  check_unvoiced("silence", x, n);
  size_t nf;
  float *p = pt_prosody(x, n, SR, &nf);
  for (size_t i = 0; i < nf * EVX_NPROS; i++)   /* nothing at all in silence */
    assert_true(p[i] == 0.0f);
  free(p);
  free(x);
}

static void test_white_noise(void **s)
{
  (void)s;
  size_t n = (size_t)(2 * SR);
  float *x = malloc(sizeof(float) * n);
  uint64_t rng = 5;
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(0.1 * tu_gauss(&rng));
  check_unvoiced("white noise -20 dBFS", x, n);
  free(x);
}

/* Mean of column c over voiced frames from frame `from` on. */
static double voiced_mean(const float *p, size_t nf, size_t from, unsigned c)
{
  double s = 0;
  size_t k = 0;
  for (size_t t = from; t < nf; t++)
    if (p[t * EVX_NPROS + EVX_P_VOICED] > 0.5f) {
      s += p[t * EVX_NPROS + c];
      k++;
    }
  return k ? s / (double)k : NAN;
}

static double all_mean(const float *p, size_t nf, size_t from, unsigned c)
{
  double s = 0;
  for (size_t t = from; t < nf; t++)
    s += p[t * EVX_NPROS + c];
  return nf > from ? s / (double)(nf - from) : NAN;
}

/* st is 12 log2(f0 / 27.5); st_voice is near 0 on a steady voice and
 * follows a step above the voice's median. */
static void test_semitones(void **s)
{
  (void)s;
  size_t n, nf;
  float *x = make_voice(f0_steady, 2.0, 12, 1.0, 0.5, -999, 1, &n);
  float *p = pt_prosody(x, n, SR, &nf);
  for (size_t t = 0; t < nf; t++) {
    const float *row = p + t * EVX_NPROS;
    if (row[EVX_P_VOICED] > 0.5f)
      assert_float_equal(row[EVX_P_ST], 12.0 * log2(row[EVX_P_F0] / 27.5), 1e-3);
    else
      assert_true(row[EVX_P_ST] == 0.0f && row[EVX_P_ST_VOICE] == 0.0f && row[EVX_P_F0] == 0.0f);
  }
  double st_voice = voiced_mean(p, nf, 10, EVX_P_ST_VOICE);
  print_message("steady 150 Hz: mean st %.2f (expect %.2f), mean st_voice %.3f\n",
                voiced_mean(p, nf, 10, EVX_P_ST), 12 * log2(150 / 27.5), st_voice);
  assert_true(fabs(st_voice) < 0.3);
  free(p);
  free(x);
}

/* A pulse train whose periods vary at random by +-jit and heights by +-shim
 * (relative), through a fixed 2-pole "vocal tract". */
static float *make_pulses(double f0, double jit, double shim, size_t *n)
{
  *n = (size_t)(2 * SR);
  float *x = calloc(*n, sizeof(float));
  uint64_t rng = 99;
  for (double pos = 10; pos < (double)*n - 1;) {
    double a = 1.0 + shim * (2 * tu_uniform(&rng) - 1);
    x[(size_t)pos] += (float)a;
    pos += SR / f0 * (1.0 + jit * (2 * tu_uniform(&rng) - 1));
  }
  double y1 = 0, y2 = 0, r = 0.97, w = 2 * M_PI * 700 / SR;
  for (size_t i = 0; i < *n; i++) {  /* resonance at 700 Hz */
    double y = x[i] + 2 * r * cos(w) * y1 - r * r * y2;
    y2 = y1;
    y1 = y;
    x[i] = (float)(0.02 * y);
  }
  return x;
}

static void test_jitter_shimmer(void **s)
{
  (void)s;
  double jit[3], shim[3];
  const double dj[3] = { 0, 0.05, 0 }, ds[3] = { 0, 0, 0.3 };
  for (int k = 0; k < 3; k++) {
    size_t n, nf;
    float *x = make_pulses(125, dj[k], ds[k], &n);  /* 128 samples: no rounding jitter */
    float *p = pt_prosody(x, n, SR, &nf);
    jit[k] = voiced_mean(p, nf, 5, EVX_P_JITTER);
    shim[k] = voiced_mean(p, nf, 5, EVX_P_SHIMMER);
    print_message("pulses 125 Hz, period +-%.0f%%, height +-%.0f%%: jitter %.4f, shimmer %.3f dB\n",
                  100 * dj[k], 100 * ds[k], jit[k], shim[k]);
    free(p);
    free(x);
  }
  assert_true(jit[0] < 0.005 && shim[0] < 0.1);       /* periodic: next to nothing */
  assert_true(jit[1] > 0.02 && jit[1] > 5 * jit[0]);  /* random periods */
  assert_true(shim[2] > 1.0 && shim[2] > 5 * shim[0]); /* random heights */
  assert_true(jit[2] < 0.01);                         /* heights alone leave periods */
}

/* HNR falls as noise rises; periodicity likewise. */
static void test_hnr(void **s)
{
  (void)s;
  const double snr[3] = { -999, 20, 5 };
  double hnr[3], per[3];
  for (int k = 0; k < 3; k++) {
    size_t n, nf;
    float *x = make_voice(f0_steady, 2.0, 12, 1.0, 0.5, snr[k], 3, &n);
    float *p = pt_prosody(x, n, SR, &nf);
    hnr[k] = voiced_mean(p, nf, 5, EVX_P_HNR);
    per[k] = all_mean(p, nf, 5, EVX_P_PERIODICITY);
    if (snr[k] < -200)
      print_message("steady voice, no noise: HNR %.1f dB, periodicity %.3f\n", hnr[k], per[k]);
    else
      print_message("steady voice, SNR %.0f dB: HNR %.1f dB, periodicity %.3f\n", snr[k], hnr[k],
                    per[k]);
    free(p);
    free(x);
  }
  assert_true(hnr[0] > 20 && hnr[0] > hnr[1] && hnr[1] > hnr[2]);
  assert_true(per[0] > 0.95 && per[0] > per[1] && per[1] > per[2]);
  assert_true(fabs(hnr[1] - 20) < 6);   /* close to the SNR it was given */
}

/* A flat source (k^-0.5) has more energy high up than a steep one (k^-2):
 * higher alpha ratio, lower Hammarberg index, less steep 500-1500 slope. */
static void test_spectral_balance(void **s)
{
  (void)s;
  double alpha[2], ham[2], slope[2];
  const double tilt[2] = { 0.5, 2.0 };
  for (int k = 0; k < 2; k++) {
    size_t n, nf;
    float *x = make_voice(f0_steady, 1.0, 40, tilt[k], 0.5, -999, 1, &n);
    float *p = pt_prosody(x, n, SR, &nf);
    alpha[k] = all_mean(p, nf, 5, EVX_P_ALPHA);
    ham[k] = all_mean(p, nf, 5, EVX_P_HAMMARBERG);
    slope[k] = all_mean(p, nf, 5, EVX_P_SLOPE_500_1500);
    print_message("harmonics k^-%.1f: alpha %.1f dB, Hammarberg %.1f dB, slope 500-1500 %.1f dB/kHz\n",
                  tilt[k], alpha[k], ham[k], slope[k]);
    free(p);
    free(x);
  }
  assert_true(alpha[0] > alpha[1] + 10);
  assert_true(ham[1] > ham[0] + 10);
  assert_true(slope[0] > slope[1]);
}

/* 20 dB quieter: F0 and voicing the same, loudness x 10^(-20 * 0.33 / 10)
 * per band (so in total), level-free columns unchanged. */
static void test_level(void **s)
{
  (void)s;
  size_t n, nf1, nf2;
  float *x = make_voice(f0_vibrato, 2.0, 12, 1.0, 0.5, 20, 8, &n);
  float *p1 = pt_prosody(x, n, SR, &nf1);
  for (size_t i = 0; i < n; i++)
    x[i] *= 0.1f;
  float *p2 = pt_prosody(x, n, SR, &nf2);
  assert_int_equal(nf1, nf2);
  size_t same_voicing = 0;
  for (size_t t = 2; t < nf1; t++) {
    const float *a = p1 + t * EVX_NPROS, *b = p2 + t * EVX_NPROS;
    same_voicing += a[EVX_P_VOICED] == b[EVX_P_VOICED];
    assert_float_equal(b[EVX_P_LOUDNESS], a[EVX_P_LOUDNESS] * pow(10.0, -2 * 0.33), 1e-3 * a[EVX_P_LOUDNESS] + 1e-6);
    assert_float_equal(b[EVX_P_ALPHA], a[EVX_P_ALPHA], 0.05);
    if (a[EVX_P_VOICED] > 0.5f && b[EVX_P_VOICED] > 0.5f)
      assert_float_equal(b[EVX_P_F0], a[EVX_P_F0], 0.01 * a[EVX_P_F0]);
  }
  print_message("-20 dB: same voicing in %zu of %zu frames\n", same_voicing, nf1 - 2);
  assert_true(same_voicing >= (nf1 - 2) * 99 / 100);
  free(p1);
  free(p2);
  free(x);
}

/* At 48 kHz in random blocks through evx_fx_push_prosody, the rows equal the
 * offline ones bit for bit; after a reset, a stream starts over exactly. */
static void test_blocks_and_reset(void **s)
{
  (void)s;
  const double rate = 48000;
  size_t n = (size_t)(1.5 * rate);
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(0.3 * sin(2 * M_PI * (130 * i / rate + 40 * pow(i / rate, 2))) +
                   0.1 * sin(2 * M_PI * 390 * i / rate));
  size_t nf;
  float *ref = pt_prosody(x, n, rate, &nf);

  size_t fsize = evx_fx_size(rate, EVX_MAX_BLOCK), psize = evx_pr_size();
  void *fmem = malloc(fsize), *pmem = malloc(psize);
  evx_fx *fx = evx_fx_init(fmem, fsize, rate, EVX_MAX_BLOCK);
  evx_pr *pr = evx_pr_init(pmem, psize);
  assert_non_null(fx);
  assert_non_null(pr);
  uint32_t mf = evx_fx_max_frames(fx);
  float *feat = malloc(sizeof(float) * EVX_NFEAT * mf);
  float *rows = malloc(sizeof(float) * EVX_NPROS * (nf + mf));
  for (int pass = 0; pass < 2; pass++) {
    uint64_t rng = 17 + (uint64_t)pass;
    size_t got = 0;
    for (size_t i = 0; i < n;) {
      uint32_t len = 1u + (uint32_t)(tu_rand(&rng) % (pass ? 7u : EVX_MAX_BLOCK));
      len = (size_t)len > n - i ? (uint32_t)(n - i) : len;
      got += evx_fx_push_prosody(fx, pr, x + i, len, feat, rows + got * EVX_NPROS);
      i += len;
    }
    assert_int_equal(got, nf);
    assert_memory_equal(rows, ref, sizeof(float) * EVX_NPROS * nf);
    evx_fx_reset(fx);
    evx_pr_reset(pr);
  }
  evx_pr_destroy(pr);
  evx_fx_destroy(fx);
  free(rows);
  free(feat);
  free(fmem);
  free(pmem);
  free(ref);
  free(x);
}

/* NaN, Inf, full-scale square waves and denormals: always finite. */
static void test_hostile(void **s)
{
  (void)s;
  size_t n = (size_t)SR;
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++)
    x[i] = i % 311 == 0 ? NAN : i % 503 == 0 ? INFINITY : (i / 80) % 2 ? 1e6f : i > n / 2 ? 1e-39f : -1e6f;
  size_t nf;
  float *p = pt_prosody(x, n, SR, &nf);
  assert_true(nf > 90);
  for (size_t i = 0; i < nf * EVX_NPROS; i++)
    assert_true(isfinite(p[i]));
  free(p);
  free(x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sweep),
    cmocka_unit_test(test_vibrato),
    cmocka_unit_test(test_snr20),
    cmocka_unit_test(test_snr10),
    cmocka_unit_test(test_snr5),
    cmocka_unit_test(test_silence),
    cmocka_unit_test(test_white_noise),
    cmocka_unit_test(test_semitones),
    cmocka_unit_test(test_jitter_shimmer),
    cmocka_unit_test(test_hnr),
    cmocka_unit_test(test_spectral_balance),
    cmocka_unit_test(test_level),
    cmocka_unit_test(test_blocks_and_reset),
    cmocka_unit_test(test_hostile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
