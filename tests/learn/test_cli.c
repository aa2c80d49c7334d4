/* test_cli.c: the emovox command line's own surface: --version, help for
 * every command (exit 0, on stdout), unknown commands and bad option values
 * (exit 2, saying what is wrong). `emovox train` and `eval` parse their own
 * options from one table each (trainer/opts.h) that also writes their --help:
 * every option of a table is documented, every option --help documents is
 * parsed (none is "unknown"), and an option missing its value says so,
 * whichever it is. */
#include "cmd.h"
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

#define MAX_DOCUMENTED 128

/* Adds each "--name" of s[0..len) to doc (no duplicates). */
static void add_names(const char *s, size_t len, char doc[][64], int *n)
{
  for (size_t k = 0; k + 2 < len; k++) {
    if (s[k] != '-' || s[k + 1] != '-' || (k && s[k - 1] != ' ' && s[k - 1] != '['))
      continue;
    size_t e = k + 2;
    while (e < len && (s[e] == '-' || (s[e] >= 'a' && s[e] <= 'z')))
      e++;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(e - k), s + k);
    int seen = 0;
    for (int j = 0; j < *n && !seen; j++)
      seen = !strcmp(doc[j], name);
    if (!seen && *n < MAX_DOCUMENTED)
      snprintf(doc[(*n)++], 64, "%s", name);
  }
}

/* The options `emovox CMD --help` documents: those of its usage lines and
 * those in the option column (a line's text up to the first double space). */
static int documented(const char *cmd, char doc[][64])
{
  char *said, *a[] = { (char *)cmd, "--help", NULL };
  assert_int_equal(run(a, &said), 0);
  int n = 0, in_usage = 0;
  for (char *line = said; *line;) {
    char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    in_usage = !strncmp(line, "usage:", 6) || (in_usage && !strncmp(line, "       ", 7));
    if (in_usage) {
      add_names(line, len, doc, &n);
    } else if (!strncmp(line, "  --", 4)) {
      char *gap = strstr(line + 2, "  ");
      add_names(line, gap && gap < line + len ? (size_t)(gap - line) : len, doc, &n);
    }
    line += len + (end != NULL);
  }
  free(said);
  return n;
}

/* The commands whose own options come from a table. */
static const struct {
  const char *cmd;
  const opt_def *(*table)(size_t *n);
  size_t at_least;   /* rows */
} tabled[] = {
  { "train", tr_cmd_train_options, 30 },
  { "eval", tr_cmd_eval_options, 4 },
};
#define N_TABLED (sizeof tabled / sizeof tabled[0])

static void test_every_table_option_is_documented(void **state)
{
  (void)state;
  static char doc[MAX_DOCUMENTED][64];
  for (size_t c = 0; c < N_TABLED; c++) {
    int n = documented(tabled[c].cmd, doc);
    size_t nt;
    const opt_def *t = tabled[c].table(&nt);
    assert_true(nt >= tabled[c].at_least);
    for (size_t k = 0; k < nt; k++) {
      int found = 0;
      for (int j = 0; j < n && !found; j++)
        found = !strcmp(doc[j], t[k].name);
      if (!found)
        fail_msg("%s is parsed but not in emovox %s --help", t[k].name, tabled[c].cmd);
      for (size_t j = 0; j < k; j++)
        assert_string_not_equal(t[j].name, t[k].name);
    }
  }
}

/* Whether opt takes no value: a flag of the table, or of the options
 * parsed beside it (data and split, eval's degradations). */
static int is_flag(const opt_def *t, size_t nt, const char *opt)
{
  for (size_t k = 0; k < nt; k++)
    if (!strcmp(t[k].name, opt))
      return t[k].kind == OPT_FLAG;
  return !strcmp(opt, "--random-split") || !strcmp(opt, "--gain-half");
}

/* Each documented option, last on a command line and so without its value:
 * a flag runs on (and fails on the missing data or bundle, exit 1), an
 * option with a value says it needs one (exit 2); none is unknown. */
static void test_every_documented_option_is_parsed(void **state)
{
  (void)state;
  static char doc[MAX_DOCUMENTED][64];
  char out[4200];
  snprintf(out, sizeof out, "%s/cli-options.emvx", tu_tmpdir());
  for (size_t c = 0; c < N_TABLED; c++) {
    int n = documented(tabled[c].cmd, doc);
    assert_true(n > (int)tabled[c].at_least);
    size_t nt;
    const opt_def *t = tabled[c].table(&nt);
    for (int j = 0; j < n; j++) {
      char *said, *train[] = { "train", "--data", "/nonexistent", "--out", out, doc[j], NULL },
           *eval[] = { "eval", "/nonexistent.emvx", "--data", "/nonexistent", doc[j], NULL };
      int rc = run(c ? eval : train, &said);
      if (strstr(said, "unknown option"))
        fail_msg("emovox %s --help documents %s, but %s does not parse it: %s",
                 tabled[c].cmd, doc[j], tabled[c].cmd, said);
      if (!is_flag(t, nt, doc[j])) {
        assert_int_equal(rc, 2);
        char says[96];
        snprintf(says, sizeof says, "%.63s needs a value", doc[j]);
        if (!strstr(said, says))
          fail_msg("%s %s without its value: %s", tabled[c].cmd, doc[j], said);
      }
      free(said);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_version),
    cmocka_unit_test(test_help_for_every_command),
    cmocka_unit_test(test_unknown_commands),
    cmocka_unit_test(test_train_option_values),
    cmocka_unit_test(test_every_table_option_is_documented),
    cmocka_unit_test(test_every_documented_option_is_parsed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
