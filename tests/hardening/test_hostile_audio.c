/* test_hostile_audio.c: corrupt and hostile audio files (truncated WAV and
 * FLAC headers, a WAV declaring a huge data chunk, zero channels, absurd
 * sample rates, a 1-sample file, a 0-byte file, random bytes named .wav,
 * valid float WAVs holding NaN or Inf samples) given to `emovox analyze` and
 * to the corpus loader (`emovox train` and `emovox eval` on a CSV manifest
 * mixing them with good clips of ../shared/data): each is refused or
 * skipped with a message naming the file, the good ones are used, and no
 * run ends by a signal (under -Dsanitize=true an ASan report aborts). */
#include "hardening_util.h"
#include "test_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[512];

typedef struct {
  const char *name;
  int analyze_may_pass;   /* valid audio, just useless: analyze may print it */
} hostile;

static const hostile files[] = {
  { "empty.wav", 0 },          { "random_bytes.wav", 0 },  { "trunc_header.wav", 0 },
  { "trunc_fmt.wav", 0 },      { "huge_data.wav", 0 },     { "huge_fmt_chunk.wav", 0 },
  { "zero_channels.wav", 0 },  { "rate_zero.wav", 0 },     { "rate_huge.wav", 0 },
  { "one_sample.wav", 1 },     { "nan_samples.wav", 0 },   { "inf_samples.wav", 0 },
  { "all_nan.wav", 0 },        { "trunc_header.flac", 0 }, { "trunc_half.flac", 0 },
  { "random_bytes.flac", 0 },
};
#define N_FILES (sizeof files / sizeof files[0])

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

/* A canonical 44-byte-header WAV; declared sizes may lie. */
static int write_wav(const char *name, unsigned tag, unsigned ch, uint32_t rate, unsigned bits,
                     const void *data, uint32_t len, uint32_t declared_len,
                     uint32_t fmt_size, size_t cut)
{
  size_t total = 44 + len;
  unsigned char *b = calloc(1, total);
  memcpy(b, "RIFF", 4);
  put32(b + 4, (uint32_t)(36 + len));
  memcpy(b + 8, "WAVEfmt ", 8);
  put32(b + 16, fmt_size);
  put16(b + 20, tag);
  put16(b + 22, ch);
  put32(b + 24, rate);
  put32(b + 28, rate * ch * (bits / 8));
  put16(b + 32, ch * (bits / 8));
  put16(b + 34, bits);
  memcpy(b + 36, "data", 4);
  put32(b + 40, declared_len);
  memcpy(b + 44, data, len);
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  size_t n = cut && cut < total ? cut : total;
  int ok = f && fwrite(b, 1, n, f) == n;
  if (f)
    ok &= fclose(f) == 0;
  free(b);
  return ok ? 0 : -1;
}

static int write_bytes(const char *name, const void *p, size_t n)
{
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  int ok = f && (n == 0 || fwrite(p, 1, n, f) == n);
  if (f)
    ok &= fclose(f) == 0;
  return ok ? 0 : -1;
}

static int make_files(void)
{
  enum { N = 16000 };
  static short pcm[N];
  static float fl[N];
  static unsigned char rnd[5000];
  uint64_t seed = 77;
  for (int i = 0; i < N; i++) {
    pcm[i] = (short)(8000 * sin(i * 0.05));
    fl[i] = (float)(0.3 * sin(i * 0.05));
  }
  for (size_t i = 0; i < sizeof rnd; i++)
    rnd[i] = (unsigned char)tu_rand(&seed);
  int rc = 0;
  rc |= write_bytes("empty.wav", "", 0);
  rc |= write_bytes("random_bytes.wav", rnd, sizeof rnd);
  rc |= write_bytes("random_bytes.flac", rnd, sizeof rnd);
  rc |= write_wav("trunc_header.wav", 1, 1, 16000, 16, pcm, sizeof pcm, sizeof pcm, 16, 30);
  rc |= write_wav("trunc_fmt.wav", 1, 1, 16000, 16, pcm, sizeof pcm, sizeof pcm, 16, 22);
  rc |= write_wav("huge_data.wav", 1, 1, 16000, 16, pcm, 3200, 0x7ffffff0u, 16, 0);
  rc |= write_wav("huge_fmt_chunk.wav", 1, 1, 16000, 16, pcm, sizeof pcm, sizeof pcm,
                  0xfffffff0u, 0);
  rc |= write_wav("zero_channels.wav", 1, 0, 16000, 16, pcm, sizeof pcm, sizeof pcm, 16, 0);
  rc |= write_wav("rate_zero.wav", 1, 1, 0, 16, pcm, sizeof pcm, sizeof pcm, 16, 0);
  rc |= write_wav("rate_huge.wav", 1, 1, 2000000000u, 16, pcm, sizeof pcm, sizeof pcm, 16, 0);
  rc |= write_wav("one_sample.wav", 1, 1, 16000, 16, pcm, 2, 2, 16, 0);
  float nanx[N], infx[N], alln[N];
  for (int i = 0; i < N; i++) {
    nanx[i] = i % 3 ? fl[i] : NAN;
    infx[i] = i % 2 ? INFINITY : -1e38f;
    alln[i] = NAN;
  }
  rc |= write_wav("nan_samples.wav", 3, 1, 16000, 32, nanx, sizeof nanx, sizeof nanx, 16, 0);
  rc |= write_wav("inf_samples.wav", 3, 1, 16000, 32, infx, sizeof infx, sizeof infx, 16, 0);
  rc |= write_wav("all_nan.wav", 3, 1, 16000, 32, alln, sizeof alln, sizeof alln, 16, 0);
  /* a good FLAC (libsndfile), then cut copies */
  char path[700];
  snprintf(path, sizeof path, "%s/whole.flac", dir);
  SF_INFO info = { .samplerate = 16000, .channels = 1,
                   .format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16 };
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  if (!sf)
    return -1;
  float tone[3 * N];
  for (int i = 0; i < 3 * N; i++)
    tone[i] = (float)(0.3 * sin(i * 0.05) + 0.05 * tu_gauss(&seed));
  sf_writef_float(sf, tone, 3 * N);
  sf_close(sf);
  size_t len;
  char *flac = tu_slurp(path, &len);
  if (!flac || len < 1000)
    return -1;
  rc |= write_bytes("trunc_header.flac", flac, 20);
  rc |= write_bytes("trunc_half.flac", flac, len / 2);
  free(flac);
  return rc;
}

static int setup(void **state)
{
  (void)state;
  const char *t = tu_tmpdir();
  if (!t)
    return -1;
  snprintf(dir, sizeof dir, "%s", t);
  return make_files();
}

/* Run emovox with args; returns the status, log text in *out (malloc'd). */
static int run_logged(char *const args[], const char *logname, char **out)
{
  char log[700];
  snprintf(log, sizeof log, "%s/%s", dir, logname);
  remove(log);
  int st = tu_run_emovox(args, log, 0);
  *out = tu_slurp(log, NULL);
  assert_non_null(*out);
  assert_true(st >= 0 && st < 128);   /* never ended by a signal */
  return st;
}

static void test_analyze_each(void **state)
{
  (void)state;
  for (size_t i = 0; i < N_FILES; i++) {
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
    char *args[] = { "analyze", path, NULL }, *log;
    int st = run_logged(args, "analyze.log", &log);
    const char *line = strstr(log, path);
    print_message("analyze %-20s exit %d: %.*s\n", files[i].name, st,
                  line ? (int)strcspn(line, "\n") : 0, line ? line : "");
    assert_non_null(line);   /* the file is named (error, or the table's title) */
    if (!files[i].analyze_may_pass) {
      assert_int_equal(st, 1);
      assert_non_null(strstr(log, "emovox: analyze: "));   /* one prefix for every message */
    } else {
      assert_true(st == 0 || st == 1);
    }
    free(log);
  }
}

/* All of them in one command with a good file: each bad one is named, the
 * good one's timeline is still printed, and the exit status is 1. */
static void test_analyze_mixed(void **state)
{
  (void)state;
  char *args[N_FILES + 3], paths[N_FILES + 1][700];
  args[0] = "analyze";
  snprintf(paths[0], sizeof paths[0], "%s/whole.flac", dir);
  args[1] = paths[0];
  for (size_t i = 0; i < N_FILES; i++) {
    snprintf(paths[i + 1], sizeof paths[i + 1], "%s/%s", dir, files[i].name);
    args[i + 2] = paths[i + 1];
  }
  args[N_FILES + 2] = NULL;
  char *log;
  assert_int_equal(run_logged(args, "mixed.log", &log), 1);
  char header[720];
  snprintf(header, sizeof header, "%s (16000 Hz", paths[0]);
  if (!strstr(log, header)) fail_msg("no timeline for the good file (%s)", header);
  for (size_t i = 0; i < N_FILES; i++)
    if (!files[i].analyze_may_pass)
      assert_non_null(strstr(log, paths[i + 1]));
  free(log);
}

/* A manifest of 40 good clips (actors 1..4: train, val, test sides) plus
 * every hostile file labelled as a training speaker's. */
static void write_mixed_manifest(char *csv, size_t len)
{
  snprintf(csv, len, "%s/mixed.csv", dir);
  char good[700];
  snprintf(good, sizeof good, "%s/good.csv", dir);
  assert_int_equal(hu_write_subset_manifest(good, 40), 40);
  size_t n;
  char *text = tu_slurp(good, &n);
  assert_non_null(text);
  FILE *f = fopen(csv, "w");
  assert_non_null(f);
  fputs(text, f);
  free(text);
  for (size_t i = 0; i < N_FILES; i++)
    fprintf(f, "%s/%s,angry,ravdess-01\n", dir, files[i].name);
  assert_int_equal(fclose(f), 0);
}

static void check_each_named(const char *log, const char *cmd)
{
  for (size_t i = 0; i < N_FILES; i++) {
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
    const char *line = strstr(log, path);
    if (!line)
      print_message("%s: no message names %s\n", cmd, path);
    assert_non_null(line);
    while (line > log && line[-1] != '\n')
      line--;
    int len = (int)strcspn(line, "\n");
    print_message("%s: %.*s\n", cmd, len, line);
    assert_non_null(strstr(line, "skipped"));
    assert_true(strncmp(line, "warning: ", 9) == 0);
  }
}

static void test_loader_skips(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char csv[700], out[700];
  write_mixed_manifest(csv, sizeof csv);
  snprintf(out, sizeof out, "%s/mixed.emvx", dir);
  char *train[] = { "train", "--data", csv, "--out", out, "--epochs", "3", "--window", "1",
                    "--hop", "0.5", "--channels", "4,8", "--test-speakers", "ravdess-04",
                    "--val-speakers", "ravdess-03", "--threads", "1", "--quiet", NULL };
  char *log;
  int st = run_logged(train, "train.log", &log);
  if (st)
    print_message("%s", log);
  assert_int_equal(st, 0);
  check_each_named(log, "train");
  free(log);
  char *info[] = { "info", out, NULL };
  assert_int_equal(tu_run_emovox(info, "/dev/null", 0), 0);

  char *eval[] = { "eval", out, "--data", csv, "--quiet", NULL };
  st = run_logged(eval, "eval.log", &log);
  if (st)
    print_message("%s", log);
  assert_int_equal(st, 0);
  check_each_named(log, "eval");
  free(log);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_analyze_each),
    cmocka_unit_test(test_analyze_mixed),
    cmocka_unit_test(test_loader_skips),
  };
  return cmocka_run_group_tests_name("hostile_audio", tests, setup, NULL);
}
