/* test_fuse.c: `emovox fuse` makes an ensemble bundle (v3) of trained
 * networks with different inputs, and `emovox eval` scores it as the mean
 * of its networks, window by window, each with its own speaker statistics;
 * networks that would not see the same windows are refused. */
#include "test_util.h"
#include "learn_fixture.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 256

typedef struct { int n, k; double p[MAX_ROWS][8]; } rows;

/* The probabilities of report directory rep's windows.csv. */
static void read_windows(const char *rep, rows *r)
{
  char *csv = lf_read_text(rep, "windows.csv");
  assert_non_null(csv);
  char *save = NULL, *line = strtok_r(csv, "\n", &save);
  r->n = 0;
  r->k = 0;
  for (const char *p = strstr(line, ",p_"); p; p = strstr(p + 1, ",p_")) r->k++;
  assert_int_equal(r->k, 8);
  while ((line = strtok_r(NULL, "\n", &save)) && r->n < MAX_ROWS) {
    const char *p = line;
    for (int c = 0; c < 4; c++) p = strchr(p, ',') + 1; /* clip,speaker,window,label */
    for (int j = 0; j < r->k; j++) {
      char *end;
      r->p[r->n][j] = strtod(p, &end);
      p = end + 1;
    }
    r->n++;
  }
  free(csv);
}

static void train(const char *manifest, const char *out, const char *arch, const char *input,
                  const char *window)
{
  char *a[] = { "train", "--data", (char *)manifest, "--out", (char *)out, "--arch", (char *)arch,
                "--channels", "8", "--window", (char *)window, "--hop", "0.25",
                "--epochs", "1", "--adapt", "speaker", "--random-split", "--quiet",
                input ? "--input" : NULL, (char *)input, NULL };
  assert_int_equal(tu_run_emovox(a, NULL, 0), 0);
}

static void test_fuse_and_eval(void **state)
{
  (void)state;
  const char *dir = lf_make_corpus(3, 1);
  assert_non_null(dir);
  char manifest[600], a[600], b[600], c[600], ab[600], rep[3][700], log[700];
  snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
  snprintf(a, sizeof a, "%s/a.emvx", dir);
  snprintf(b, sizeof b, "%s/b.emvx", dir);
  snprintf(c, sizeof c, "%s/c.emvx", dir);
  snprintf(ab, sizeof ab, "%s/ab.emvx", dir);
  train(manifest, a, "mlp", "voiced", "0.5");   /* window statistics */
  train(manifest, b, "tcn", NULL, "0.5");       /* the frame matrix */
  train(manifest, c, "mlp", "voiced", "0.75");  /* another window */

  char *fuse[] = { "fuse", ab, a, b, NULL };
  assert_int_equal(tu_run_emovox(fuse, NULL, 0), 0);
  snprintf(log, sizeof log, "%s/info.log", dir);
  char *info[] = { "info", ab, NULL };
  assert_int_equal(tu_run_emovox(info, log, 0), 0);
  char *said = tu_slurp(log, NULL);
  assert_non_null(strstr(said, "ensemble of 2 networks"));
  assert_non_null(strstr(said, "frames"));
  free(said);

  const char *bundles[3] = { a, b, ab };
  rows r[3];
  for (int i = 0; i < 3; i++) {
    snprintf(rep[i], sizeof rep[i], "%s/rep%d", dir, i);
    char *ev[] = { "eval", (char *)bundles[i], "--data", manifest, "--report", rep[i],
                   "--quiet", NULL };
    assert_int_equal(tu_run_emovox(ev, NULL, 0), 0);
    read_windows(rep[i], &r[i]);
  }
  assert_true(r[2].n > 10);
  assert_int_equal(r[2].n, r[0].n);
  assert_int_equal(r[2].n, r[1].n);
  double apart = 0;
  for (int w = 0; w < r[2].n; w++)
    for (int j = 0; j < 8; j++) {
      assert_float_equal(r[2].p[w][j], 0.5 * (r[0].p[w][j] + r[1].p[w][j]), 2e-6);
      apart += fabs(r[0].p[w][j] - r[1].p[w][j]);
    }
  assert_true(apart > 0.01);

  /* a network with another window is refused, and nothing is written */
  char bad[700];
  snprintf(bad, sizeof bad, "%s/bad.emvx", dir);
  snprintf(log, sizeof log, "%s/bad.log", dir);
  char *mismatch[] = { "fuse", bad, a, c, NULL };
  assert_int_equal(tu_run_emovox(mismatch, log, 0), 1);
  said = tu_slurp(log, NULL);
  assert_non_null(strstr(said, "member 1: feature configuration"));
  free(said);
  assert_null(lf_read_text(dir, "bad.emvx"));
  char *one[] = { "fuse", bad, a, NULL };
  assert_int_equal(tu_run_emovox(one, NULL, 0), 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fuse_and_eval),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
