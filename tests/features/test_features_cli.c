/* test_features_cli.c: 'emovox features' on bad files (missing, empty,
 * truncated, text) fails naming the file; on good files it writes the golden
 * header and one row per frame; stereo is averaged; AIFF data in a .wav name
 * loads; --prosody adds the prosody columns after the same 98 features. Fixtures are made in a temporary directory at test time. */
#include "feat_test_util.h"
#include "test_util.h"

#include "evx_features.h"
#include "evx_prosody.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

/* Runs emovox with args (shell words, no quoting needed: /tmp paths);
 * stdout and stderr go to files in dir. Returns the exit status. */
static int run_cli(const char *args)
{
  char cmd[4096];
  int len = snprintf(cmd, sizeof cmd, "'%s/trainer/emovox' %s >%s/stdout.txt 2>%s/stderr.txt",
                     tu_build_root(), args, dir, dir);
  if (len < 0 || (size_t)len >= sizeof cmd)
    fail_msg("command line too long for %s", args);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  size_t got = fread(s, 1, (size_t)n, f);
  s[got] = '\0';
  fclose(f);
  return s;
}

static char *in_dir(char *buf, size_t len, const char *name)
{
  snprintf(buf, len, "%s/%s", dir, name);
  return buf;
}

/* The command fails and its stderr names the file. */
static void assert_fails_naming(const char *file)
{
  char args[1024], p[512];
  snprintf(args, sizeof args, "features %s", file);
  int rc = run_cli(args);
  char *err = slurp(in_dir(p, sizeof p, "stderr.txt"));
  print_message("exit %d: %s", rc, err ? err : "(no stderr)\n");
  assert_int_not_equal(rc, 0);
  assert_non_null(err);
  assert_non_null(strstr(err, file));
  free(err);
}

static float *tone(size_t n, double f, double amp)
{
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(amp * sin(2 * M_PI * f * (double)i / 16000.0));
  return x;
}

/* Write frames with libsndfile in any format (channels interleaved). */
static void write_sf(const char *path, int format, int channels, const float *x, size_t frames)
{
  SF_INFO info = { .samplerate = 16000, .channels = channels, .format = format };
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  assert_non_null(f);
  assert_int_equal(sf_writef_float(f, x, (sf_count_t)frames), (sf_count_t)frames);
  sf_close(f);
}

static void cut_file_in_half(const char *path)
{
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  assert_int_equal(truncate(path, n / 2), 0);
}

static size_t count_lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static int setup(void **state)
{
  (void)state;
  const char *d = tu_tmpdir();
  if (!d)
    return -1;
  snprintf(dir, sizeof dir, "%s", d);
  return 0;
}

static void test_missing(void **state)
{
  (void)state;
  char p[512];
  assert_fails_naming(in_dir(p, sizeof p, "no_such_file.wav"));
}

static void test_empty(void **state)
{
  (void)state;
  char p[512];
  fclose(fopen(in_dir(p, sizeof p, "empty.wav"), "wb"));
  assert_fails_naming(p);
}

static void test_text(void **state)
{
  (void)state;
  char p[512];
  FILE *f = fopen(in_dir(p, sizeof p, "notes.wav"), "w");
  fputs("this is not audio, just some text\nsecond line\n", f);
  fclose(f);
  assert_fails_naming(p);
}

static void test_truncated(void **state)
{
  (void)state;
  static const struct { const char *name; int format; } kinds[] = {
    { "cut.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
    { "cut.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "cut.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16 },
  };
  float *x = tone(16000, 300, 0.5);
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    char p[512];
    write_sf(in_dir(p, sizeof p, kinds[i].name), kinds[i].format, 1, x, 16000);
    cut_file_in_half(p);
    assert_fails_naming(p);
  }
  free(x);
}

static void test_good_wav(void **state)
{
  (void)state;
  char wav[512], csv[512], args[1200], p[512];
  float *x = tone(16000, 440, 0.5);
  assert_int_equal(tu_write_wav(in_dir(wav, sizeof wav, "good.wav"), x, 16000, 16000), 0);
  snprintf(args, sizeof args, "features %s --out %s", wav, in_dir(csv, sizeof csv, "good.csv"));
  assert_int_equal(run_cli(args), 0);
  char *text = slurp(csv);
  assert_non_null(text);
  const char *h = ft_golden_header();
  assert_memory_equal(text, h, strlen(h));
  assert_int_equal(count_lines(text), 1 + (1 + (16000 - EVX_FRAME) / EVX_HOP));
  /* stdout gives the same text */
  snprintf(args, sizeof args, "features %s", wav);
  assert_int_equal(run_cli(args), 0);
  char *out = slurp(in_dir(p, sizeof p, "stdout.txt"));
  assert_string_equal(out, text);
  free(out);
  free(text);
  free(x);
}

/* A stereo file gives the features of the mean of its channels. */
static void test_stereo_is_averaged(void **state)
{
  (void)state;
  const size_t n = 8000;
  float *l = tone(n, 440, 0.5), *r = tone(n, 1250, 0.25);
  float *lr = malloc(sizeof(float) * 2 * n), *mean = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++) {
    lr[2 * i] = l[i];
    lr[2 * i + 1] = r[i];
    mean[i] = (float)(((double)l[i] + r[i]) / 2);
  }
  char st[512], mo[512], args[1200], p[512];
  write_sf(in_dir(st, sizeof st, "stereo.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, lr, n);
  write_sf(in_dir(mo, sizeof mo, "mean.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, mean, n);
  snprintf(args, sizeof args, "features %s", st);
  assert_int_equal(run_cli(args), 0);
  char *a = slurp(in_dir(p, sizeof p, "stdout.txt"));
  snprintf(args, sizeof args, "features %s", mo);
  assert_int_equal(run_cli(args), 0);
  char *b = slurp(p);
  assert_int_equal(count_lines(a), 1 + (1 + (n - EVX_FRAME) / EVX_HOP));
  assert_string_equal(a, b);
  free(a);
  free(b);
  free(l);
  free(r);
  free(lr);
  free(mean);
}

static void test_aiff_named_wav(void **state)
{
  (void)state;
  char p[512], args[1024], o[512];
  float *x = tone(4000, 700, 0.4);
  write_sf(in_dir(p, sizeof p, "really_aiff.wav"), SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1, x, 4000);
  snprintf(args, sizeof args, "features %s", p);
  assert_int_equal(run_cli(args), 0);
  char *out = slurp(in_dir(o, sizeof o, "stdout.txt"));
  assert_int_equal(count_lines(out), 1 + (1 + (4000 - EVX_FRAME) / EVX_HOP));
  free(out);
  free(x);
}

/* The CSV round trip ("%.9g") still matches librosa's golden frames. */
static void test_csv_matches_golden(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char wav[4096], gold[4096], csv[512], args[5000];
  tu_shared_path(wav, sizeof wav, "golden/chirp_50_7900.wav");
  tu_shared_path(gold, sizeof gold, "golden/chirp_50_7900.csv");
  snprintf(args, sizeof args, "features %s --out %s", wav, in_dir(csv, sizeof csv, "chirp.csv"));
  assert_int_equal(run_cli(args), 0);
  float *ours, *ref;
  size_t n_ours, n_ref;
  assert_int_equal(ft_load_golden(csv, &ours, &n_ours), 0);
  assert_int_equal(ft_load_golden(gold, &ref, &n_ref), 0);
  ft_report r;
  ft_compare(ours, n_ours, ref, n_ref, &r);
  if (r.failures)
    fail_msg("%zu values out of tolerance; first: %s", r.failures, r.first);
  free(ours);
  free(ref);
}

/* --prosody: every line is the line without it plus the EVX_NPROS columns
 * (named in the header); a 200 Hz voice reads 200 Hz, voiced. */
static void test_prosody_columns(void **state)
{
  (void)state;
  const size_t n = 16000;
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++) {
    double v = 0;
    for (int k = 1; k <= 8; k++)
      v += sin(2 * M_PI * 200 * k * (double)i / 16000.0) / k;
    x[i] = (float)(0.2 * v);
  }
  char wav[512], args[1200], p[512];
  assert_int_equal(tu_write_wav(in_dir(wav, sizeof wav, "voice.wav"), x, n, 16000), 0);
  snprintf(args, sizeof args, "features %s", wav);
  assert_int_equal(run_cli(args), 0);
  char *plain = slurp(in_dir(p, sizeof p, "stdout.txt"));
  snprintf(args, sizeof args, "features %s --prosody", wav);
  assert_int_equal(run_cli(args), 0);
  char *pros = slurp(p);
  assert_non_null(plain);
  assert_non_null(pros);
  assert_int_equal(count_lines(pros), count_lines(plain));
  size_t voiced_200 = 0, rows = 0;
  char *a = plain, *b = pros;
  for (size_t line = 0; *a; line++) {
    char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
    size_t la = (size_t)(ea - a);
    assert_memory_equal(a, b, la);          /* the same features first */
    assert_int_equal(b[la], ',');
    size_t commas = 0;
    for (char *c = b + la; c < eb; c++)
      commas += *c == ',';
    assert_int_equal(commas, EVX_NPROS);
    if (line == 0) {
      char names[512] = "";
      for (unsigned j = 0; j < EVX_NPROS; j++)
        snprintf(names + strlen(names), sizeof names - strlen(names), ",%s", evx_pr_names[j]);
      assert_int_equal((size_t)(eb - b) - la, strlen(names));
      assert_memory_equal(b + la, names, strlen(names));
    } else {
      double f0 = strtod(b + la + 1, NULL);
      double voiced = strtod(strchr(b + la + 1, ',') + 1, NULL);
      voiced_200 += voiced == 1.0 && fabs(f0 - 200) < 2;
      rows++;
    }
    a = ea + 1;
    b = eb + 1;
  }
  print_message("--prosody: %zu of %zu rows voiced at 200 +- 2 Hz\n", voiced_200, rows);
  assert_true(voiced_200 >= rows - 3);
  free(plain);
  free(pros);
  free(x);
}

static void test_help_and_usage(void **state)
{
  (void)state;
  char p[512];
  assert_int_equal(run_cli("features --help"), 0);
  char *out = slurp(in_dir(p, sizeof p, "stdout.txt"));
  assert_non_null(strstr(out, "usage: emovox features"));
  free(out);
  assert_int_equal(run_cli("features"), 2);
  assert_int_equal(run_cli("features --bogus x.wav"), 2);
}

static int teardown(void **state)
{
  (void)state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_missing),
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_text),
    cmocka_unit_test(test_truncated),
    cmocka_unit_test(test_good_wav),
    cmocka_unit_test(test_stereo_is_averaged),
    cmocka_unit_test(test_aiff_named_wav),
    cmocka_unit_test(test_csv_matches_golden),
    cmocka_unit_test(test_prosody_columns),
    cmocka_unit_test(test_help_and_usage),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
