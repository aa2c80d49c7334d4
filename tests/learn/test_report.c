/* test_report.c: the scores reports give (UA, WA, precision/recall/F1) on a
 * known confusion, and the files `emovox train --report` and `emovox eval
 * --report` write: per-window and per-clip sections, the split, the random
 * split warning, the plots. */
#include "test_util.h"
#include "learn/metrics.h"
#include "learn_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_metrics_known_confusion(void **state)
{
  (void)state;
  tl_confusion c;
  tl_confusion_init(&c, 3);
  /* class 0: 3 of 4 right; class 1: 1 of 1; class 2: no examples. */
  float p0[3] = { 0.9f, 0.1f, 0 }, p1[3] = { 0.1f, 0.8f, 0.1f };
  for (int i = 0; i < 3; i++)
    tl_confusion_add(&c, 0, p0);
  tl_confusion_add(&c, 0, p1);
  tl_confusion_add(&c, 1, p1);
  assert_float_equal(tl_wa(&c), 4.0 / 5.0, 1e-12);
  assert_float_equal(tl_ua(&c), (0.75 + 1.0) / 2, 1e-12);   /* class 2 not counted */
  assert_float_equal(tl_precision(&c, 1), 0.5, 1e-12);
  assert_float_equal(tl_recall(&c, 0), 0.75, 1e-12);
  assert_float_equal(tl_f1(&c, 1), 2 * 0.5 * 1.0 / 1.5, 1e-12);
  assert_int_equal(tl_support(&c, 2), 0);
  assert_float_equal(tl_f1(&c, 2), 0.0, 0);
}

static void test_train_and_eval_reports(void **state)
{
  (void)state;
  const char *dir = lf_make_corpus(3, 1);
  assert_non_null(dir);
  char manifest[600], out[600], rep[600], rep_eval[600];
  snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
  snprintf(out, sizeof out, "%s/m.emvx", dir);
  snprintf(rep, sizeof rep, "%s/report", dir);
  snprintf(rep_eval, sizeof rep_eval, "%s/report-eval", dir);
  char *train[] = { "train", "--data", manifest, "--out", out, "--arch", "seed",
                    "--channels", "4,8", "--window", "0.5", "--hop", "0.25", "--epochs", "2",
                    "--random-split", "--report", rep, "--quiet", NULL };
  assert_int_equal(tu_run_emovox(train, NULL, 0), 0);
  char *md = lf_read_text(rep, "report.md"), *js = lf_read_text(rep, "report.json");
  char *curves = lf_read_text(rep, "learning_curves.svg"), *cm = lf_read_text(rep, "confusion_clip.svg");
  assert_non_null(md);
  assert_non_null(js);
  assert_non_null(curves);
  assert_non_null(cm);
  assert_non_null(strstr(md, "random split: speakers overlap"));
  assert_non_null(strstr(js, "\"warning\": \"random split: speakers overlap\""));
  assert_non_null(strstr(js, "\"per_window\""));
  assert_non_null(strstr(js, "\"per_clip\""));
  assert_non_null(strstr(js, "\"confusion\""));
  assert_non_null(strstr(js, "\"seed\": 1"));
  assert_non_null(strstr(js, "--random-split"));
  assert_non_null(strstr(md, "Per clip"));
  assert_int_equal(strncmp(curves, "<svg", 4), 0);
  assert_non_null(strstr(curves, "</svg>"));
  free(md), free(js), free(curves), free(cm);

  char *eval[] = { "eval", out, "--data", manifest, "--report", rep_eval, "--quiet", NULL };
  assert_int_equal(tu_run_emovox(eval, NULL, 0), 0);
  js = lf_read_text(rep_eval, "report.json");
  assert_non_null(js);
  assert_non_null(strstr(js, "every clip given"));
  assert_non_null(strstr(js, "\"spk2\""));   /* the speakers evaluated are listed */
  free(js);
  /* eval writes no learning curves: it did not train. */
  assert_null(lf_read_text(rep_eval, "learning_curves.svg"));

  /* without --report, eval still prints the scores (it once printed nothing) */
  char log[4200];
  snprintf(log, sizeof log, "%s/eval-no-report.log", dir);
  char *bare[] = { "eval", out, "--data", manifest, "--quiet", NULL };
  assert_int_equal(tu_run_emovox(bare, log, 0), 0);
  char *said = tu_slurp(log, NULL);
  assert_non_null(said);
  assert_non_null(strstr(said, "every clip given: UA "));
  assert_non_null(strstr(said, "% per window"));
  free(said);
}

static void test_bad_usage(void **state)
{
  (void)state;
  char *no_out[] = { "train", "--data", "/nonexistent", NULL };
  assert_int_equal(tu_run_emovox(no_out, NULL, 0), 2);
  char *bad_arch[] = { "train", "--arch", "rnn", "--out", "x", NULL };
  assert_int_equal(tu_run_emovox(bad_arch, NULL, 0), 2);
  char *no_bundle[] = { "eval", "/nonexistent.emvx", "--data", "/nonexistent", NULL };
  assert_int_equal(tu_run_emovox(no_bundle, NULL, 0), 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_metrics_known_confusion),
    cmocka_unit_test(test_train_and_eval_reports),
    cmocka_unit_test(test_bad_usage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
