/* test_cli.c: the emovox command line's own surface: --version, help for
 * every command (exit 0, on stdout), unknown commands and bad option values
 * (exit 2, saying what is wrong). */
#include "test_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run emovox with args, stdout and stderr into a fresh log; the exit code and
 * the log's text (malloc'd) in *said. */
static int run(char *const args[], char **said)
{
  static int n;
  char log[4200];
  snprintf(log, sizeof log, "%s/cli-%d.log", tu_tmpdir(), n++);
  int rc = tu_run_emovox(args, log, 0);
  *said = tu_slurp(log, NULL);
  if (!*said)
    *said = calloc(1, 1);
  return rc;
}

static void test_version(void **state)
{
  (void)state;
  char *said, *a[] = { "--version", NULL };
  assert_int_equal(run(a, &said), 0);
  assert_int_equal(strncmp(said, "emovox ", 7), 0);
  assert_non_null(strstr(said, "bundle formats 1..4"));   /* v4: provenance */
  free(said);
}

static void test_help_for_every_command(void **state)
{
  (void)state;
  const char *cmds[] = { "features", "info", "train", "eval", "analyze" };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char *said, *a[] = { "help", (char *)cmds[i], NULL }, *b[] = { (char *)cmds[i], "--help", NULL };
    assert_int_equal(run(a, &said), 0);
    assert_non_null(strstr(said, "usage: emovox "));
    assert_non_null(strstr(said, cmds[i]));
    free(said);
    assert_int_equal(run(b, &said), 0);
    assert_non_null(strstr(said, "usage: emovox "));
    free(said);
  }
  char *said, *top[] = { "help", NULL };
  assert_int_equal(run(top, &said), 0);
  assert_non_null(strstr(said, "commands:"));
  free(said);
}

static void test_unknown_commands(void **state)
{
  (void)state;
  char *said, *a[] = { "frobnicate", NULL }, *b[] = { "help", "frobnicate", NULL };
  assert_int_equal(run(a, &said), 2);
  assert_non_null(strstr(said, "unknown command 'frobnicate'"));
  free(said);
  assert_int_equal(run(b, &said), 2);
  assert_non_null(strstr(said, "unknown command 'frobnicate'"));
  free(said);
  char *none[] = { NULL };
  assert_int_equal(run(none, &said), 2);
  free(said);
}

/* Two-valued train options name their values; --ensemble cannot merge
 * members that carry BatchNorm. Parsing fails before any data is read. */
static void test_train_option_values(void **state)
{
  (void)state;
  struct { const char *opt, *val, *says; } bad[] = {
    { "--windows", "some", "--windows is all or one" },
    { "--batchnorm", "yes", "--batchnorm is on or off" },
    { "--lr-schedule", "step", "--lr-schedule is plateau or cosine" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *said, *a[] = { "train", "--data", "x", "--out", "y", (char *)bad[i].opt,
                         (char *)bad[i].val, NULL };
    assert_int_equal(run(a, &said), 2);
    assert_non_null(strstr(said, bad[i].says));
    free(said);
  }
  char *said, *a[] = { "train", "--data", "x", "--out", "y", "--arch", "mlp", "--channels",
                       "64", "--ensemble", "3", "--batchnorm", "on", NULL };
  assert_int_equal(run(a, &said), 2);
  assert_non_null(strstr(said, "and no --batchnorm"));
  free(said);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_version),
    cmocka_unit_test(test_help_for_every_command),
    cmocka_unit_test(test_unknown_commands),
    cmocka_unit_test(test_train_option_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
