/* test_default_model.c: the shipped models/default.emvx still scores, on
 * the held-out speakers named in models/MODEL_CARD.md, at least the
 * unweighted average recall the card states minus 2 points (per window, the
 * way the plugin reports). The card carries machine-readable lines, each
 * one floor, scored by `emovox eval` with its options (if any):
 *   <!-- regression: test_speakers=LIST window_ua=PERCENT [eval=OPT,OPT,...] -->
 * e.g. the held-out RAVDESS actors adapted and cold, the held-out CREMA-D
 * actors, the same speech 24 dB quieter. A retrained model that
 * generalises worse, or a change in the features or the engine that the
 * model no longer matches, fails here. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FLOORS 16

typedef struct {
  char speakers[512];
  char eval[256];      /* extra eval options, spaces for the card's commas */
  double window_ua;    /* percent */
} floor_line;

static int read_card(const char *path, floor_line *f, int max)
{
  FILE *fp = fopen(path, "r");
  if (!fp)
    return -1;
  char line[1024];
  int n = 0;
  while (n < max && fgets(line, sizeof line, fp)) {
    floor_line *l = &f[n];
    l->eval[0] = 0;
    int got = sscanf(line, " <!-- regression: test_speakers=%511s window_ua=%lf eval=%255s -->",
                     l->speakers, &l->window_ua, l->eval);
    if (got < 2)
      continue;
    for (char *c = l->eval; *c; c++)
      if (*c == ',')
        *c = ' ';
    n++;
  }
  fclose(fp);
  return n;
}

static void shipped_model_keeps_its_held_out_recall(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char card[4096], model[4096], data[4096], cmd[32768];
  snprintf(card, sizeof card, "%s/models/MODEL_CARD.md", tu_source_root());
  snprintf(model, sizeof model, "%s/models/default.emvx", tu_source_root());
  floor_line f[MAX_FLOORS];
  int n = read_card(card, f, MAX_FLOORS);
  assert_true(n >= 1);
  tu_shared_path(data, sizeof data, "data/manifest.csv");
  for (int k = 0; k < n; k++) {
    assert_true(f[k].window_ua > 12.5 && f[k].window_ua <= 100.0);   /* above chance */
    snprintf(cmd, sizeof cmd,
             "'%s/trainer/emovox' eval '%s' --data '%s' --test-speakers %s --side test --quiet"
             " --report '%s/report' %s",
             tu_build_root(), model, data, f[k].speakers, tu_tmpdir(), f[k].eval);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024];
    double ua_win = -1, ua_clip = -1;
    /* "test side of the split[, how it was adapted]: UA W% per window, C% per clip" */
    const char *ua;
    while (fgets(line, sizeof line, p))
      if (!strncmp(line, "test side of the split", 22) && (ua = strstr(line, ": UA ")) &&
          sscanf(ua, ": UA %lf%% per window, %lf%% per clip", &ua_win, &ua_clip) == 2)
        print_message("[ INFO     ] held-out %s %s: UA %.1f%% per window (card %.1f%%), "
                      "%.1f%% per clip\n", f[k].speakers, f[k].eval, ua_win, f[k].window_ua,
                      ua_clip);
    assert_int_equal(pclose(p), 0);
    assert_true(ua_win >= 0);
    assert_true(ua_win >= f[k].window_ua - 2.0);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(shipped_model_keeps_its_held_out_recall),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
