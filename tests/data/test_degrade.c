/* Degradations for `emovox eval` (degrade.h): codec round trips keep the
 * duration, the alignment and the spectral envelope; achieved bitrates (file
 * size / duration) are within 15% of the target; noise lands at the SNR;
 * the option parser; the feature cache never serves clean frames to a
 * degraded run. */
#include "test_util.h"
#include "augment.h"
#include "degrade.h"
#include "featcache.h"
#include "evx_features.h"
#include "fixture.h"
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Speech-like: harmonics of a gliding 120-220 Hz f0 falling 1/k, gated at
 * 4 Hz, plus a little noise. */
static float *voice(double sr, size_t n)
{
  float *x = malloc(n * sizeof *x);
  uint64_t st = 5;
  double ph = 0;
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / sr, f0 = 170 + 50 * sin(2 * M_PI * 0.7 * t), s = 0;
    ph += 2 * M_PI * f0 / sr;
    for (int k = 1; k * f0 < 0.45 * sr && k < 40; k++)
      s += sin(k * ph) / k;
    double env = 0.55 + 0.45 * sin(2 * M_PI * 4 * t);
    x[i] = (float)(0.2 * env * s + 0.002 * tu_gauss(&st));
  }
  return x;
}

/* Lag (samples, |lag| <= max) of y against x with the highest correlation. */
static long best_lag(const float *x, const float *y, size_t n, long max)
{
  double best = -1e300;
  long arg = 0;
  for (long l = -max; l <= max; l++) {
    double c = 0;
    for (size_t i = (size_t)(max + 1); i + (size_t)(max + 1) < n; i += 2)
      c += (double)x[i] * y[(long)i + l];
    if (c > best)
      best = c, arg = l;
  }
  return arg;
}

/* Mean level (dB) in 12 bands of 500 Hz from 250 Hz, over 512-sample frames
 * (naive DFT of every 4th frame), into db[12]. */
static void envelope(const float *x, size_t n, double sr, double *db)
{
  const size_t len = 512;
  double acc[12] = { 0 };
  for (size_t b = 0; b + len <= n; b += 4 * len)
    for (size_t k = 1; k < len / 2; k++) {
      double f = (double)k * sr / (double)len, re = 0, im = 0;
      int band = (int)((f - 250) / 500);
      if (f < 250 || band >= 12)
        continue;
      for (size_t i = 0; i < len; i++) {
        double w = 0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)len);
        re += w * x[b + i] * cos(2 * M_PI * (double)(k * i) / (double)len);
        im -= w * x[b + i] * sin(2 * M_PI * (double)(k * i) / (double)len);
      }
      acc[band] += re * re + im * im;
    }
  for (int i = 0; i < 12; i++)
    db[i] = 10 * log10(acc[i] + 1e-20);
}

static void codec_roundtrip_keeps_signal(void **state)
{
  (void)state;
  struct { int codec; double value; double rate; } cases[] = {
    { TR_CODEC_OPUS, 24, 16000 }, { TR_CODEC_OPUS, 24, 44100 }, { TR_CODEC_OPUS, 32, 48000 },
    { TR_CODEC_MP3, 32, 16000 }, { TR_CODEC_MP3, 32, 22050 }, { TR_CODEC_MP3, 64, 44100 },
    { TR_CODEC_VORBIS, 0.4, 16000 }, { TR_CODEC_VORBIS, 0.4, 44100 },
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    double sr = cases[c].rate, out_rate = 0;
    size_t n = (size_t)(3 * sr), m = 0;
    float *x = voice(sr, n), *y = NULL;
    char err[512] = "";
    int rc = tr_codec_roundtrip(cases[c].codec, cases[c].value, x, n, sr, NULL, NULL, &y, &m,
                                 &out_rate, err, sizeof err);
    if (rc)
      print_error("%s\n", err);
    assert_int_equal(rc, 0);
    /* duration within 5 ms (Opus at 44.1 kHz comes back at 16 kHz) */
    assert_true(fabs((double)m / out_rate - (double)n / sr) < 0.005);
    float *ref = x;
    size_t nr = n;
    if (out_rate != sr)
      assert_int_equal(tr_resample_signal(x, n, sr, out_rate, &ref, &nr), 0);
    long lag = best_lag(ref, y, nr < m ? nr : m, (long)(0.010 * out_rate));
    double de[12], dr[12], worst = 0;
    envelope(ref, nr, out_rate, dr);
    envelope(y, m, out_rate, de);
    for (int b = 0; b < 12; b++)
      if ((b + 1) * 500 + 250 < 0.45 * out_rate && fabs(de[b] - dr[b]) > worst)
        worst = fabs(de[b] - dr[b]);
    print_message("codec %d %g at %.0f Hz: %zu -> %zu samples at %.0f Hz, lag %ld, "
                  "worst band %.1f dB\n", cases[c].codec, cases[c].value, sr, n, m, out_rate,
                  lag, worst);
    assert_true(labs(lag) <= (long)(0.002 * out_rate));   /* aligned within 2 ms */
    assert_true(worst < 6.0);
    if (ref != x)
      free(ref);
    free(x);
    free(y);
  }
}

static void bitrate_is_on_target(void **state)
{
  (void)state;
  struct { int codec; double kbps; } cases[] = {
    { TR_CODEC_OPUS, 12 }, { TR_CODEC_OPUS, 16 }, { TR_CODEC_OPUS, 24 },
    { TR_CODEC_OPUS, 32 }, { TR_CODEC_OPUS, 64 },
    { TR_CODEC_MP3, 16 }, { TR_CODEC_MP3, 32 }, { TR_CODEC_MP3, 64 },
  };
  const double sr = 16000, seconds = 10;
  size_t n = (size_t)(seconds * sr);
  float *x = voice(sr, n);
  /* Speech in a crowd (babble at 10 dB SNR): Opus is VBR here (libsndfile
   * 1.2.0 ignores SFC_SET_BITRATE_MODE for Opus) and spends far less than
   * its target on a synthetic, perfectly clean harmonic signal. */
  tr_add_babble(x, n, 10, 17, sr);
  const char *dir = tu_tmpdir();
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    unsigned char *bytes;
    size_t nb;
    char err[512] = "", path[4200];
    assert_int_equal(tr_codec_roundtrip(cases[c].codec, cases[c].kbps, x, n, sr, &bytes, &nb,
                                         NULL, NULL, NULL, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/enc%zu.%s", dir, c,
             cases[c].codec == TR_CODEC_OPUS ? "opus" : "mp3");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, nb, f), nb);
    fclose(f);
    free(bytes);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    SF_INFO info = { 0 };
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    assert_non_null(sf);
    double dur = (double)info.frames / info.samplerate;
    sf_close(sf);
    double kbps = (double)st.st_size * 8 / dur / 1000;
    print_message("%s target %g kbps: %lld bytes / %.3f s = %.2f kbps\n",
                  cases[c].codec == TR_CODEC_OPUS ? "opus" : "mp3", cases[c].kbps,
                  (long long)st.st_size, dur, kbps);
    assert_true(fabs(dur - seconds) < 0.1);
    assert_true(fabs(kbps / cases[c].kbps - 1) < 0.15);
  }
  free(x);
}

static void noise_at_the_snr(void **state)
{
  (void)state;
  const double sr = 16000;
  size_t n = (size_t)(2 * sr);
  float *x = voice(sr, n);
  for (int kind = TR_NOISE_WHITE; kind <= TR_NOISE_BABBLE; kind++)
    for (double snr = 0; snr <= 20; snr += 10) {
      tr_degrade_opts o = { .noise = kind, .snr_db = snr, .seed = 3 };
      float *y, *y2;
      size_t m, m2;
      double r, r2;
      char err[256];
      assert_int_equal(tr_degrade_apply(&o, "/a/b.wav", x, n, sr, &y, &m, &r, err, sizeof err), 0);
      assert_int_equal(m, n);
      assert_true(r == sr);
      double ps = 0, pn = 0;
      for (size_t i = 0; i < n; i++)
        ps += (double)x[i] * x[i], pn += (double)(y[i] - x[i]) * (y[i] - x[i]);
      assert_true(fabs(10 * log10(ps / pn) - snr) < 0.5);
      /* same seed and path: same noise; another path: other noise */
      assert_int_equal(tr_degrade_apply(&o, "/a/b.wav", x, n, sr, &y2, &m2, &r2, err, sizeof err), 0);
      assert_memory_equal(y, y2, n * sizeof *y);
      free(y2);
      assert_int_equal(tr_degrade_apply(&o, "/a/c.wav", x, n, sr, &y2, &m2, &r2, err, sizeof err), 0);
      assert_true(memcmp(y, y2, n * sizeof *y) != 0);
      free(y2);
      free(y);
    }
  free(x);
}

/* --gain scales every clip (after noise and codec); --gain-half only the
 * clips whose path hash is odd, the same clips every time; the key and the
 * description carry it. */
static void gain_on_every_or_half_the_clips(void **state)
{
  (void)state;
  size_t n = 16000;
  float *x = voice(16000, n);
  tr_degrade_opts o = { .gain_db = -20, .seed = 1 };
  assert_true(tr_degrade_enabled(&o));
  char err[256], text[256];
  int scaled = 0;
  for (int k = 0; k < 16; k++) {
    char path[32];
    snprintf(path, sizeof path, "/c/clip%d.wav", k);
    for (int half = 0; half < 2; half++) {
      o.gain_half = half;
      float *y;
      size_t ny;
      double rate;
      assert_int_equal(tr_degrade_apply(&o, path, x, n, 16000, &y, &ny, &rate, err,
                                         sizeof err), 0);
      assert_int_equal(ny, n);
      double r = (double)y[1234] / x[1234];
      if (!half)
        assert_float_equal(r, 0.1, 1e-5);
      else {
        assert_true(fabs(r - 0.1) < 1e-5 || fabs(r - 1.0) < 1e-6);
        scaled += fabs(r - 0.1) < 1e-5;
      }
      free(y);
    }
  }
  assert_true(scaled > 2 && scaled < 14);   /* about half of 16 */
  tr_degrade_describe(&o, text, sizeof text);
  assert_non_null(strstr(text, "gain -20 dB on about half"));
  tr_degrade_opts none = { .seed = 1 };
  assert_true(tr_degrade_key(&o, "/c/a.wav", 7) != tr_degrade_key(&none, "/c/a.wav", 7));
  o.gain_half = 0;
  uint64_t all = tr_degrade_key(&o, "/c/a.wav", 7);
  o.gain_half = 1;
  assert_true(all != tr_degrade_key(&o, "/c/a.wav", 7));
  free(x);
}

static void options_parse_and_describe(void **state)
{
  (void)state;
  tr_degrade_opts o = { .seed = 1 };
  char err[512], text[256], json[768];
  assert_false(tr_degrade_enabled(&o));
  tr_degrade_describe(&o, text, sizeof text);
  assert_string_equal(text, "none");
  assert_int_equal(tr_degrade_parse_noise(&o, "pink", err, sizeof err), -1);
  assert_int_equal(tr_degrade_parse_codec(&o, "opus", err, sizeof err), -1);
  assert_int_equal(tr_degrade_parse_codec(&o, "opus:2", err, sizeof err), -1);
  assert_int_equal(tr_degrade_parse_codec(&o, "aac:64", err, sizeof err), -1);
  assert_int_equal(tr_degrade_parse_codec(&o, "vorbis:3", err, sizeof err), -1);
  assert_int_equal(tr_degrade_parse_codec(&o, "mp3:32x", err, sizeof err), -1);
  assert_false(tr_degrade_enabled(&o));
  assert_int_equal(tr_degrade_parse_noise(&o, "babble", err, sizeof err), 0);
  o.snr_db = 10;
  assert_int_equal(tr_degrade_parse_codec(&o, "opus:16", err, sizeof err), 0);
  tr_degrade_describe(&o, text, sizeof text);
  assert_string_equal(text, "babble noise at 10 dB SNR, then opus at 16 kbps (seed 1)");
  tr_degrade_json(&o, json, sizeof json);
  assert_non_null(strstr(json, "\"noise\": \"babble\", \"snr_db\": 10, \"codec\": \"opus\", "
                               "\"kbps\": 16"));
  /* MP3 writing: this libsndfile either can (Debian 12's can) or says so */
  int mp3 = tr_degrade_parse_codec(&o, "mp3:32", err, sizeof err);
  if (mp3)
    print_message("mp3 unavailable: %s\n", err);
  assert_true(mp3 == 0 || strstr(err, "cannot write mp3"));
  /* keys: off leaves the hash; any change in the options changes it */
  tr_degrade_opts off = { .seed = 1 }, a = o, b = o;
  assert_true(tr_degrade_key(&off, "/x.wav", 123) == 123);
  b.snr_db = 11;
  assert_true(tr_degrade_key(&a, "/x.wav", 1) != tr_degrade_key(&b, "/x.wav", 1));
  b = o, b.seed = 2;
  assert_true(tr_degrade_key(&a, "/x.wav", 1) != tr_degrade_key(&b, "/x.wav", 1));
  b = o, b.codec_value = 24;
  assert_true(tr_degrade_key(&a, "/x.wav", 1) != tr_degrade_key(&b, "/x.wav", 1));
  assert_true(tr_degrade_key(&a, "/x.wav", 1) != tr_degrade_key(&a, "/y.wav", 1));
}

static void cache_keeps_degraded_apart(void **state)
{
  (void)state;
  static const evx_feature_config cfg = { 16000, 400, 160, 1, EVX_INPUT_SUMMARY, 100, 50 };
  char wav[4200], cache[4200], err[512];
  fx_tone_with_cache("a", 1.0, wav, cache, sizeof wav);
  tr_featcache fc = { cache, 0, 0, 0, 0 };
  tr_degrade_opts deg = { .noise = TR_NOISE_WHITE, .snr_db = 0, .seed = 1,
                           .codec = TR_CODEC_OPUS, .codec_value = 12 };
  float *clean, *d1, *d2;
  size_t nc, n1, n2;
  assert_int_equal(tr_featcache_frames(&fc, wav, &cfg, NULL, NULL, &clean, &nc, err, sizeof err), 0);
  assert_int_equal(tr_featcache_frames(&fc, wav, &cfg, NULL, &deg, &d1, &n1, err, sizeof err), 0);
  assert_int_equal(fc.extractions, 2);   /* the clean entry was not reused */
  assert_int_equal(fc.hits, 0);
  assert_int_equal(nc, n1);
  assert_true(memcmp(clean, d1, nc * EVX_NFEAT * sizeof *clean) != 0);
  assert_int_equal(tr_featcache_frames(&fc, wav, &cfg, NULL, &deg, &d2, &n2, err, sizeof err), 0);
  assert_int_equal(fc.hits, 1);          /* the degraded entry is */
  assert_int_equal(n1, n2);
  assert_memory_equal(d1, d2, n1 * EVX_NFEAT * sizeof *d1);
  free(d2);
  deg.seed = 2;                          /* another seed: another entry */
  assert_int_equal(tr_featcache_frames(&fc, wav, &cfg, NULL, &deg, &d2, &n2, err, sizeof err), 0);
  assert_int_equal(fc.extractions, 3);
  free(clean);
  free(d1);
  free(d2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(codec_roundtrip_keeps_signal),
    cmocka_unit_test(bitrate_is_on_target),
    cmocka_unit_test(noise_at_the_snr),
    cmocka_unit_test(gain_on_every_or_half_the_clips),
    cmocka_unit_test(options_parse_and_describe),
    cmocka_unit_test(cache_keeps_degraded_apart),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
