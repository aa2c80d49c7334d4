/* test_analyze_channels.c: `emovox analyze --channel` and `--adapt` (issue
 * 20). A synthetic talker (tu_talker) placed on one channel of a stereo or
 * 5.1 file: by default analyze judges the channel with the speech (the
 * centre of 5.1) and reads exactly what it reads from the talker alone;
 * antiphase stereo is judged (one channel), while --channel mix cancels it.
 * --adapt freeze and cold read a looped clip the same on every loop, stream
 * does not. */
#include "test_util.h"
#include "plugin_test_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 16000
#define SECONDS 8
#define N ((size_t)RATE * SECONDS)

/* how many rows the speech detector passed */
static int speech_rows(const ptu_row *r, int n)
{
  int k = 0;
  for (int i = 0; i < n; i++)
    k += r[i].speech;
  return k;
}

/* frames x channels: channel c of frame i is x[c][i] (NULL: quiet noise). */
static const char *write_multi(const char *name, int channels, float *const *x, size_t n)
{
  static char path[4][4200];
  static int k;
  char *p = path[k++ % 4];
  snprintf(p, sizeof path[0], "%s/%s", tu_tmpdir(), name);
  SF_INFO info = { .samplerate = RATE, .channels = channels,
                   .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *f = sf_open(p, SFM_WRITE, &info);
  assert_non_null(f);
  float *buf = malloc(n * (size_t)channels * sizeof *buf);
  uint64_t r = 5;
  /* sample k of the interleaved file is frame k / channels of channel k % channels */
  for (size_t k = 0, c; k < n * (size_t)channels; k++)
    buf[k] = x[c = k % (size_t)channels] ? x[c][k / (size_t)channels]
                                          : (float)(0.001 * tu_gauss(&r));
  assert_int_equal(sf_writef_float(f, buf, (sf_count_t)n), (sf_count_t)n);
  sf_close(f);
  free(buf);
  return p;
}

static void assert_same_rows(const ptu_row *a, int na, const ptu_row *b, int nb)
{
  assert_int_equal(na, nb);
  for (int i = 0; i < na; i++) {
    assert_memory_equal(a[i].probs, b[i].probs, sizeof a[i].probs);
    assert_int_equal(a[i].speech, b[i].speech);
  }
}

static void test_channels(void **state)
{
  (void)state;
  float *talk = malloc(N * sizeof *talk), *neg = malloc(N * sizeof *neg);
  float *tone = malloc(N * sizeof *tone);
  for (size_t i = 0; i < N; i++) {
    talk[i] = tu_talker(i, RATE, 160, 0.3);
    neg[i] = -talk[i];
    tone[i] = (float)(0.2 * sin(2 * M_PI * 440 * (double)i / RATE));
  }
  ptu_row *mono, *r;
  float *one[1] = { talk };
  int nm = ptu_analyze(write_multi("mono.wav", 1, one, N), NULL, &mono);
  assert_true(nm > 8);
  assert_true(speech_rows(mono, nm) > nm / 2);

  /* speech on the right only (the left holds a tone): picked by default */
  float *right[2] = { tone, talk };
  const char *f = write_multi("right.wav", 2, right, N);
  int n = ptu_analyze(f, NULL, &r);
  assert_same_rows(mono, nm, r, n);
  free(r);
  n = ptu_analyze(f, "--channel 1", &r);
  assert_int_equal(speech_rows(r, n), 0);   /* the tone is not speech */
  free(r);
  n = ptu_analyze(f, "--channel 2", &r);
  assert_same_rows(mono, nm, r, n);
  free(r);

  /* antiphase: the mix cancels, the default judges one channel */
  float *anti[2] = { talk, neg };
  f = write_multi("antiphase.wav", 2, anti, N);
  n = ptu_analyze(f, NULL, &r);
  assert_true(speech_rows(r, n) == speech_rows(mono, nm));
  free(r);
  n = ptu_analyze(f, "--channel mix", &r);
  assert_int_equal(speech_rows(r, n), 0);
  free(r);

  /* 5.1 (L R C LFE Ls Rs): dialogue on the centre, music left and right */
  float *surround[6] = { tone, tone, talk, NULL, NULL, NULL };
  f = write_multi("surround.wav", 6, surround, N);
  n = ptu_analyze(f, NULL, &r);
  assert_same_rows(mono, nm, r, n);
  free(r);
  n = ptu_analyze(f, "--channel loudest", &r);   /* the tones are louder */
  assert_int_equal(speech_rows(r, n), 0);
  free(r);

  /* a channel the file does not have, a bad value */
  assert_int_equal(ptu_analyze(f, "--channel 7", &r), -1);
  free(r);
  assert_int_equal(ptu_analyze(f, "--channel centre", &r), -1);
  free(r);
  free(mono);
  free(tone);
  free(neg);
  free(talk);
}

/* A 4 s loop played 2.5 times: the row that ends the first loop (4 s) and
 * the one that ends the second (8 s) have the same 3 s of audio in their
 * window; only the speaker statistics can tell them apart. */
static void test_adapt(void **state)
{
  (void)state;
  const size_t loop = 4 * RATE, n_all = 10 * RATE;   /* a whole number of 0.5 s updates */
  float *x = malloc(n_all * sizeof *x);
  for (size_t i = 0; i < n_all; i++)
    x[i] = tu_talker(i % loop, RATE, 150 + 50 * (i % loop > loop / 2), 0.3);
  float *one[1] = { x };
  const char *f = write_multi("loop.wav", 1, one, n_all);
  const char *modes[] = { "--response 0 --adapt stream", "--response 0 --adapt freeze",
                          "--response 0 --adapt cold" };
  ptu_row *rows[3];
  int n[3];
  for (int m = 0; m < 3; m++) {
    n[m] = ptu_analyze(f, modes[m], &rows[m]);
    assert_true(n[m] >= 16);
  }
  int same[3];
  for (int m = 0; m < 3; m++) {
    same[m] = !memcmp(rows[m][7].probs, rows[m][15].probs, sizeof rows[m][7].probs);
    print_message("--adapt %s: loop 1 and loop 2 read %s\n", modes[m] + 21,
                  same[m] ? "the same" : "differently");
  }
  assert_false(same[0]);
  assert_true(same[1]);
  assert_true(same[2]);
  assert_true(memcmp(rows[1][7].probs, rows[2][7].probs, sizeof rows[1][7].probs) != 0);
  for (int m = 0; m < 3; m++)
    free(rows[m]);
  assert_int_equal(ptu_analyze(f, "--adapt learn", &rows[0]), -1);
  free(rows[0]);
  free(x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_channels),
    cmocka_unit_test(test_adapt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
