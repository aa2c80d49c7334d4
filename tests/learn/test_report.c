/* test_report.c: the scores reports give (UA, WA, precision/recall/F1) on a
 * known confusion, and the files `emovox train --report` and `emovox eval
 * --report` write: per-window and per-clip sections, the split, the random
 * split warning, the plots, and windows.csv (every window's probabilities,
 * from which the printed UA is recomputed). */
#include "test_util.h"
#include "learn/metrics.h"
#include "learn_fixture.h"
#include <math.h>
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

/* windows.csv of report directory rep: a header, then rows of clip,
 * speaker, window (0 at each new clip, then +1), label and probabilities
 * summing to 1; returns the per-window UA recomputed from the rows. */
static double check_windows_csv(const char *rep)
{
  char *csv = lf_read_text(rep, "windows.csv");
  assert_non_null(csv);
  char *save = NULL, *line = strtok_r(csv, "\n", &save);
  assert_non_null(line);
  assert_int_equal(strncmp(line, "clip,speaker,window,label,p_", 28), 0);
  char names[EVX_MAX_LABELS][32];
  int k = 0;
  for (char *p = strstr(line, ",p_"); p && k < EVX_MAX_LABELS; p = strstr(p + 1, ",p_"), k++)
    sscanf(p + 3, "%31[^,]", names[k]);
  assert_true(k >= 2);
  int hit[EVX_MAX_LABELS] = { 0 }, n[EVX_MAX_LABELS] = { 0 }, rows = 0;
  char prev[512] = "";
  unsigned expect = 0;
  while ((line = strtok_r(NULL, "\n", &save))) {
    char clip[512], speaker[64], label[32];
    unsigned w;
    int used = 0;
    assert_int_equal(sscanf(line, "%511[^,],%63[^,],%u,%31[^,]%n", clip, speaker, &w, label, &used), 4);
    expect = strcmp(clip, prev) ? 0 : expect + 1;
    assert_int_equal(w, expect);
    snprintf(prev, sizeof prev, "%s", clip);
    const char *p = line + used;
    double sum = 0, best = -1;
    int arg = -1, y = -1;
    for (int j = 0; j < k; j++) {
      assert_int_equal(*p, ',');
      char *end;
      double v = strtod(p + 1, &end);
      sum += v;
      if (v > best) best = v, arg = j;
      if (!strcmp(label, names[j])) y = j;
      p = end;
    }
    assert_int_equal(*p, '\0');
    assert_true(fabs(sum - 1.0) < 1e-4);
    assert_true(y >= 0);
    n[y]++;
    hit[y] += arg == y;
    rows++;
  }
  assert_true(rows > 0);
  double ua = 0;
  int classes = 0;
  for (int j = 0; j < k; j++)
    if (n[j]) ua += (double)hit[j] / n[j], classes++;
  free(csv);
  return ua / classes;
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
  assert_non_null(strstr(cm, ">predicted</text>"));   /* both axes labelled */
  assert_non_null(strstr(cm, ">true</text>"));
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
  /* windows.csv holds the windows that UA was computed from */
  double ua = 0;
  assert_int_equal(sscanf(strstr(said, "every clip given: UA ") + 21, "%lf", &ua), 1);
  double ua_csv = check_windows_csv(rep_eval);
  print_message("eval UA %.1f%%, recomputed from windows.csv %.3f%%\n", ua, 100 * ua_csv);
  assert_true(fabs(100 * ua_csv - ua) <= 0.051);
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
