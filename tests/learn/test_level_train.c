/* test_level_train.c: `emovox train --level relative` writes a feature-set-2
 * bundle (absolute, the default, a feature-set-1 one), also with the speed,
 * gain and channel augmentations on; relative over an input that is not in
 * dB is refused, and so are bad values of the new options. */
#include "test_util.h"
#include "learn_fixture.h"
#include "evx_bundle.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run emovox with args, stdout and stderr into a fresh log; the exit code and
 * the log's text (malloc'd) in *said. */
static int run(char *const args[], char **said)
{
  static int n;
  char log[4200];
  snprintf(log, sizeof log, "%s/level-%d.log", tu_tmpdir(), n++);
  int rc = tu_run_emovox(args, log, 0);
  *said = tu_slurp(log, NULL);
  if (!*said)
    *said = calloc(1, 1);
  return rc;
}

static uint32_t feature_set_of(const char *path)
{
  char err[256];
  evx_model *m = NULL;
  if (evx_bundle_load(path, &m, err, sizeof err)) fail_msg("%s", err);
  uint32_t fset = m->cfg.feature_set;
  assert_int_equal(m->cfg.input_kind, EVX_INPUT_VOICED_STATS);
  evx_model_free(m);
  return fset;
}

static void relative_writes_feature_set_2(void **state)
{
  (void)state;
  const char *dir = lf_make_corpus(3, 1);
  assert_non_null(dir);
  char manifest[600], rel[600], abs_[600];
  snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
  snprintf(rel, sizeof rel, "%s/relative.emvx", dir);
  snprintf(abs_, sizeof abs_, "%s/absolute.emvx", dir);
  char *said;
  char *a[] = { "train", "--data", manifest, "--out", rel, "--arch", "mlp", "--input", "voiced",
                "--channels", "8", "--window", "0.5", "--hop", "0.25", "--epochs", "1",
                "--random-split", "--quiet", "--level", "relative", "--speed", "0.9:1.1",
                "--gain", "-30:6", "--channel-aug", "on", NULL };
  if (run(a, &said)) fail_msg("%s", said);
  free(said);
  assert_int_equal(feature_set_of(rel), EVX_FSET_V1_LEVEL);
  char *info[] = { "info", rel, NULL };
  assert_int_equal(run(info, &said), 0);
  assert_non_null(strstr(said, "feature set 2"));
  free(said);

  char *b[] = { "train", "--data", manifest, "--out", abs_, "--arch", "mlp", "--input", "voiced",
                "--channels", "8", "--window", "0.5", "--hop", "0.25", "--epochs", "1",
                "--random-split", "--quiet", NULL };
  if (run(b, &said)) fail_msg("%s", said);
  free(said);
  assert_int_equal(feature_set_of(abs_), EVX_FSET_V1);

  /* relative over linear rms and mel (kind 1) has no meaning: refused */
  char *c[] = { "train", "--data", manifest, "--out", abs_, "--arch", "mlp", "--input",
                "summary", "--epochs", "1", "--random-split", "--quiet", "--level", "relative",
                NULL };
  assert_int_equal(run(c, &said), 1);
  assert_non_null(strstr(said, "--level relative needs an input in dB"));
  free(said);
}

static void bad_values_are_refused(void **state)
{
  (void)state;
  const char *bad[][2] = { { "--speed", "3:4" }, { "--speed", "1.1:0.9" },
                           { "--gain", "-90:0" }, { "--gain", "6" },
                           { "--channel-aug", "maybe" }, { "--level", "loud" } };
  const char *says[] = { "--speed needs LO:HI", "--speed needs LO:HI", "--gain needs LO:HI",
                         "--gain needs LO:HI", "--channel-aug is on or off",
                         "--level is" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *said, *a[] = { "train", "--data", "/nonexistent.csv", "--out", "/nonexistent.emvx",
                         (char *)bad[i][0], (char *)bad[i][1], NULL };
    assert_int_equal(run(a, &said), 2);
    if (!strstr(said, says[i]))
      fail_msg("%s %s: '%s'", bad[i][0], bad[i][1], said);
    free(said);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(relative_writes_feature_set_2),
    cmocka_unit_test(bad_values_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
