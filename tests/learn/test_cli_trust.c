/* test_cli_trust.c: the command lines of issue 21, each giving a clear
 * error or the right output: usage errors are one line `emovox: CMD: ...`
 * naming the value (exit 2, nothing written); failed writes are an error
 * and a non-zero exit; output paths are checked before the work; analyze's
 * standard input, summary, short-file note and silence; fuse never
 * overwrites its input; bundles record how they were trained (info shows
 * it, eval warns about training speakers); progress lines when piped. */
#include "evx_bundle.h"
#include "learn_fixture.h"
#include "test_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The test's directory (tu_tmpdir makes a new one per call). */
static const char *dir_(void)
{
  static const char *d;
  if (!d)
    d = tu_tmpdir();
  return d;
}

/* `emovox ARGS` through the shell in the test's directory (ARGS may
 * redirect stdin or stdout): the exit status; its stdout (empty when ARGS
 * redirects it) and stderr, malloc'd, in *out and *err when given. */
static int sh(const char *args, char **out, char **err)
{
  static int n;
  char o[4200], e[4200], cmd[16384];
  int redirected = strchr(args, '>') != NULL;
  snprintf(o, sizeof o, "%s/trust-%d.out", dir_(), n);
  snprintf(e, sizeof e, "%s/trust-%d.err", dir_(), n++);
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s %s%s%s 2>'%s'", dir_(), tu_emovox(), args,
           redirected ? "" : ">'", redirected ? "" : o, redirected ? "" : "'", e);
  int st = system(cmd);
  if (out)
    *out = redirected ? NULL : tu_slurp(o, NULL);
  if (out && !*out)
    *out = calloc(1, 1);
  if (err)
    *err = tu_slurp(e, NULL);
  if (err && !*err)
    *err = calloc(1, 1);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int lines(const char *s)
{
  int n = 0;
  for (; s && *s; s++)
    n += *s == '\n';
  return n;
}

/* A usage error: exit 2, exactly one line on stderr holding every `says`. */
static void usage_error(const char *args, const char *says1, const char *says2)
{
  char *out, *err;
  int rc = sh(args, &out, &err);
  print_message("emovox %s -> %d: %s", args, rc, err);
  assert_int_equal(rc, 2);
  assert_int_equal(lines(err), 1);
  assert_non_null(strstr(err, says1));
  if (says2)
    assert_non_null(strstr(err, says2));
  assert_int_equal(strncmp(err, "emovox: ", 8), 0);
  assert_int_equal(strlen(out), 0);   /* nothing written */
  free(out), free(err);
}

/* 3 s of a 220 Hz tone between 1 s and 2 s of silence at 16 kHz, and a
 * 0.3 s clip, in the test's directory. */
static void make_audio(void)
{
  size_t n = 6 * 16000;
  float *x = calloc(n, sizeof *x);
  for (size_t i = 16000; i < 4 * 16000; i++)   /* speech to the detector, not a tone */
    x[i] = tu_talker(i, 16000, 150.0, 0.3);
  char p[4200];
  snprintf(p, sizeof p, "%s/tone.wav", dir_());
  assert_int_equal(tu_write_wav(p, x, n, 16000), 0);
  snprintf(p, sizeof p, "%s/short.wav", dir_());
  assert_int_equal(tu_write_wav(p, x + 16000, 4800, 16000), 0);
  free(x);
}

static void test_usage_errors_are_one_line(void **state)
{
  (void)state;
  make_audio();
  usage_error("eval m.emvx --data d --side bogus", "emovox: eval: --side: 'bogus'",
              "train, val or test");
  usage_error("eval m.emvx --data d --adapt bogus", "emovox: eval: --adapt: 'bogus'",
              "stream, cold or shared");
  usage_error("eval m.emvx", "emovox: eval: no --data given", NULL);
  usage_error("eval --data d", "emovox: eval: no bundle given", NULL);
  usage_error("eval m.emvx --data d --side val", "--side val needs split options", NULL);
  usage_error("train --data d", "emovox: train: no --out given", NULL);
  usage_error("train --out x.emvx", "emovox: train: no --data given", NULL);
  usage_error("train --data d --out x.emvx --arch rnn", "--arch is seed, logmel, mlp or tcn",
              "'rnn'");
  usage_error("train --data d --out x.emvx --epochs", "--epochs needs a value", NULL);
  usage_error("analyze tone.wav --hold nan", "emovox: analyze: --hold: 'nan'", "0..10");
  usage_error("analyze tone.wav --response 100", "--response: '100'", "0..10");
  usage_error("analyze tone.wav --gate 10", "--gate: '10'", "-90..0");
  usage_error("analyze tone.wav --hold -3", "--hold: '-3'", "0..10");
  usage_error("analyze tone.wav --csv --json", "--csv and --json together", NULL);
  usage_error("analyze tone.wav --block 0", "--block: '0'", "1..8192");
  usage_error("analyze tone.wav --frobnicate", "unknown option '--frobnicate'", NULL);
  usage_error("analyze", "no input file", NULL);
  usage_error("fuse out.emvx a.emvx", "needs OUT.emvx and at least two", NULL);
  usage_error("info", "no bundle given", NULL);
  usage_error("frobnicate", "unknown command 'frobnicate'", "commands: features, info, train");
  usage_error("features", "no input file", NULL);
  /* nothing was written by any of them */
  char p[4200];
  snprintf(p, sizeof p, "%s/x.emvx", dir_());
  assert_int_not_equal(access(p, F_OK), 0);
}

static void test_failed_writes_are_errors(void **state)
{
  (void)state;
  make_audio();
  char *out, *err;
  /* standard output on a full disk */
  assert_int_equal(sh("analyze tone.wav --csv > /dev/full", NULL, &err), 1);
  assert_non_null(strstr(err, "emovox: analyze: cannot write standard output"));
  free(err);
  assert_int_equal(sh("info /nonexistent.emvx > /dev/full", NULL, &err), 1);
  free(err);
  /* the plot on a full disk */
  assert_int_equal(sh("analyze tone.wav --svg /dev/full", &out, &err), 1);
  assert_non_null(strstr(err, "cannot write /dev/full"));
  free(out), free(err);
  /* a plot that cannot be written is refused before the analysis */
  assert_int_equal(sh("analyze tone.wav --svg /nonexistent/dir/x.svg", &out, &err), 1);
  assert_non_null(strstr(err, "/nonexistent/dir/x.svg"));
  assert_non_null(strstr(err, "no such directory"));
  assert_int_equal(strlen(out), 0);   /* no timeline was printed first */
  assert_int_equal(lines(err), 1);
  free(out), free(err);
}

static void test_analyze_output(void **state)
{
  (void)state;
  make_audio();
  char *out, *err;
  /* a clip shorter than the first update: a note, no rows */
  assert_int_equal(sh("analyze short.wav --csv", &out, &err), 0);
  assert_non_null(strstr(err, "note: short.wav is 0.30 s long"));
  assert_non_null(strstr(err, "no results"));
  assert_int_equal(lines(out), 1);   /* the header only */
  free(out), free(err);
  /* the table ends with a summary line; silence with no decision has no
   * arousal or valence */
  assert_int_equal(sh("analyze tone.wav", &out, &err), 0);
  assert_non_null(strstr(out, "summary: tone.wav: "));
  assert_non_null(strstr(out, "% of "));
  assert_non_null(strstr(out, " s voiced (of 6.00 s)"));
  free(out), free(err);
  assert_int_equal(sh("analyze tone.wav --csv", &out, &err), 0);
  const char *first = strchr(out, '\n') + 1;   /* 0.50 s: silence, no decision yet */
  assert_int_equal(strncmp(first, "\"tone.wav\",0.50,", 16), 0);
  assert_non_null(strstr(first, ",none,0,0,,\n"));
  free(out), free(err);
  assert_int_equal(sh("analyze tone.wav --json", &out, &err), 0);
  assert_non_null(strstr(out, "\"arousal\": null, \"valence\": null"));
  assert_non_null(strstr(out, "\"summary\": {\"dominant\": \""));
  free(out), free(err);
  /* standard input, named - */
  char *file_rows, *stdin_rows;
  assert_int_equal(sh("analyze tone.wav --csv", &file_rows, &err), 0);
  free(err);
  assert_int_equal(sh("analyze - --csv < tone.wav", &stdin_rows, &err), 0);
  free(err);
  assert_non_null(strstr(stdin_rows, "\"-\",1.00,"));
  /* the same rows as the file's, but for the name */
  assert_int_equal(lines(stdin_rows), lines(file_rows));
  for (const char *a = strchr(file_rows, '\n'), *b = strchr(stdin_rows, '\n'); a && a[1];
       a = strchr(a + 1, '\n'), b = strchr(b + 1, '\n')) {
    const char *ra = strchr(a + 1, ','), *rb = strchr(b + 1, ',');
    assert_int_equal(strcspn(ra, "\n"), strcspn(rb, "\n"));
    assert_memory_equal(ra, rb, strcspn(ra, "\n"));
  }
  free(file_rows), free(stdin_rows);
  /* a missing model or file is named once */
  assert_int_equal(sh("analyze tone.wav --model nope.emvx", &out, &err), 1);
  assert_non_null(strstr(err, "emovox: analyze: nope.emvx: cannot open"));
  assert_null(strstr(strstr(err, "nope.emvx") + 1, "nope.emvx"));
  free(out), free(err);
}

/* train records its provenance, info shows it, eval warns about clips of
 * training speakers; --report on an unwritable path fails before training;
 * fuse will not overwrite its input. */
static void test_provenance_and_outputs(void **state)
{
  (void)state;
  const char *dir = lf_make_corpus(3, 1);
  assert_non_null(dir);
  char args[8192], m[600];
  snprintf(m, sizeof m, "%s/trust.emvx", dir);
  char *out, *err;
  snprintf(args, sizeof args, "train --data '%s/manifest.csv' --out '%s' --arch mlp "
           "--channels 8 --window 0.5 --hop 0.25 --epochs 2 --test-speakers spk2 "
           "--val-speakers spk1 --report /proc/x --quiet", dir, m);
  assert_int_equal(sh(args, &out, &err), 1);
  assert_non_null(strstr(err, "emovox: train: /proc/x"));
  assert_null(strstr(err, "epoch"));
  assert_int_not_equal(access(m, F_OK), 0);   /* failed before training */
  free(out), free(err);

  *strstr(args, " --report /proc/x") = '\0';
  assert_int_equal(sh(args, &out, &err), 0);
  free(out), free(err);
  snprintf(args, sizeof args, "info '%s'", m);
  assert_int_equal(sh(args, &out, &err), 0);
  assert_non_null(strstr(out, "provenance (format v4):"));
  assert_non_null(strstr(out, "command: emovox train --data"));
  assert_non_null(strstr(out, "train-speakers: spk0\n"));
  assert_non_null(strstr(out, "val-speakers: spk1\n"));
  assert_non_null(strstr(out, "test-speakers: spk2\n"));
  assert_non_null(strstr(out, "seed: 1\n"));
  assert_non_null(strstr(out, "revision: "));
  assert_non_null(strstr(out, "clips, 3 speakers\n"));
  free(out), free(err);

  /* every clip: spk0 and spk1 were seen in training */
  snprintf(args, sizeof args, "eval '%s' --data '%s/manifest.csv'", m, dir);
  assert_int_equal(sh(args, &out, &err), 0);
  /* piped: feature extraction's progress as plain lines */
  const char *line = strstr(err, "features: ");
  assert_non_null(line);
  assert_non_null(strstr(line, "% ("));
  assert_non_null(strstr(line, "/24 clips), ETA "));
  assert_non_null(strstr(err, "features: 24/24 clips in "));
  assert_non_null(strstr(err, "warning: 16 of 24 clips scored are of 2 speakers this bundle "
                              "was trained or validated on (spk0, spk1)"));
  assert_non_null(strstr(out, "16 of these clips are of training speakers"));
  free(out), free(err);
  /* the held-out speaker only: no warning */
  snprintf(args, sizeof args, "eval '%s' --data '%s/manifest.csv' --test-speakers spk2 "
           "--val-speakers spk1 --quiet", m, dir);
  assert_int_equal(sh(args, &out, &err), 0);
  assert_null(strstr(err, "warning"));
  free(out), free(err);

  /* the same network without provenance (as before v4): eval says it cannot check */
  char old[700], e2[512];
  snprintf(old, sizeof old, "%s/old.emvx", dir);
  evx_model *om = NULL;
  assert_int_equal(evx_bundle_load(m, &om, e2, sizeof e2), 0);
  free(om->provenance);
  om->provenance = NULL;
  assert_int_equal(evx_bundle_write(om, old, e2, sizeof e2), 0);
  evx_model_free(om);
  snprintf(args, sizeof args, "eval '%s' --data '%s/manifest.csv'", old, dir);
  assert_int_equal(sh(args, &out, &err), 0);
  assert_non_null(strstr(err, "records no provenance (written before format v4)"));
  assert_null(strstr(err, "warning"));
  free(out), free(err);

  /* fuse: the output may not be one of the inputs; the input stays as it was */
  size_t before = 0, after = 0;
  char *a = tu_slurp(m, &before);
  snprintf(args, sizeof args, "fuse '%s' '%s' '%s'", m, m, m);
  usage_error(args, "would be overwritten", NULL);
  char *b = tu_slurp(m, &after);
  assert_int_equal(before, after);
  assert_memory_equal(a, b, before);
  free(a), free(b);
  /* a fused bundle keeps its inputs' records */
  snprintf(args, sizeof args, "fuse '%s/fused.emvx' '%s' '%s'", dir, m, m);
  assert_int_equal(sh(args, &out, &err), 0);
  free(out), free(err);
  snprintf(args, sizeof args, "info '%s/fused.emvx'", dir);
  assert_int_equal(sh(args, &out, &err), 0);
  assert_non_null(strstr(out, "command: emovox fuse"));
  assert_non_null(strstr(out, "input 2: "));
  assert_non_null(strstr(out, "\n  train-speakers: spk0\n"));
  free(out), free(err);
  /* a bundle without a record (as before v4) still loads and says it has
   * none; its networks hash is the recorded one's (the same weights) */
  char *with = NULL;
  snprintf(args, sizeof args, "info '%s'", old);
  assert_int_equal(sh(args, &out, &err), 0);
  assert_non_null(strstr(out, "provenance: none recorded"));
  free(err);
  snprintf(args, sizeof args, "info '%s'", m);
  assert_int_equal(sh(args, &with, &err), 0);
  const char *h1 = strstr(out, "networks: fnv1a64 "), *h2 = strstr(with, "networks: fnv1a64 ");
  assert_non_null(h1);
  assert_non_null(h2);
  assert_memory_equal(h1, h2, 34);
  free(out), free(with), free(err);
  /* the shipped default model loads and says how it was trained */
  snprintf(args, sizeof args, "info '%s/models/default.emvx'", tu_source_root());
  assert_int_equal(sh(args, &out, &err), 0);
  assert_non_null(strstr(out, "networks: fnv1a64 "));
  free(out), free(err);
}

/* emovox.1 is built from the help text: every command's section is there. */
static void test_man_page(void **state)
{
  (void)state;
  char path[4200];
  snprintf(path, sizeof path, "%s/trainer/emovox.1", tu_build_root());
  char *man = tu_slurp(path, NULL);
  assert_non_null(man);
  const char *cmds[] = { "features", "info", "train", "eval", "fuse", "analyze" };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char sec[64];
    snprintf(sec, sizeof sec, ".SS \"emovox %s\"", cmds[i]);
    assert_non_null(strstr(man, sec));
  }
  assert_non_null(strstr(man, ".TH EMOVOX "));
  assert_non_null(strstr(man, "EXIT STATUS"));
  assert_non_null(strstr(man, "--new-voice-at T"));   /* analyze's options */
  assert_non_null(strstr(man, "--label-smoothing E"));   /* train's */
  free(man);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_usage_errors_are_one_line),
    cmocka_unit_test(test_failed_writes_are_errors),
    cmocka_unit_test(test_analyze_output),
    cmocka_unit_test(test_provenance_and_outputs),
    cmocka_unit_test(test_man_page),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
