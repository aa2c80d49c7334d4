/* test_train_prosody.c: `emovox train --input prosody` on the synthetic
 * corpus writes a bundle of input kind 7 ({1,1,307}); its features and
 * prosody rows are cached apart from plain frames, and a second run from the
 * cache writes the same bytes; `emovox eval` scores it with finite
 * probabilities. */
#include "test_util.h"
#include "learn_fixture.h"

#include "evx_bundle.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t files_in(const char *dir)
{
  DIR *d = opendir(dir);
  size_t n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += e->d_name[0] != '.';
  if (d)
    closedir(d);
  return n;
}

static void train(const char *manifest, const char *out, const char *cache)
{
  char *a[] = { "train", "--data", (char *)manifest, "--out", (char *)out, "--arch", "mlp",
                "--input", "prosody", "--channels", "16", "--window", "0.5", "--hop", "0.25",
                "--epochs", "2", "--adapt", "speaker", "--random-split", "--quiet",
                "--cache", (char *)cache, NULL };
  assert_int_equal(tu_run_emovox(a, NULL, 0), 0);
}

static void test_train_eval_prosody(void **state)
{
  (void)state;
  const char *dir = lf_make_corpus(3, 1);
  assert_non_null(dir);
  char manifest[600], a[600], b[600], cache[600], rep[600];
  snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
  snprintf(a, sizeof a, "%s/a.emvx", dir);
  snprintf(b, sizeof b, "%s/b.emvx", dir);
  snprintf(cache, sizeof cache, "%s/cache", dir);
  snprintf(rep, sizeof rep, "%s/rep", dir);

  train(manifest, a, cache);
  size_t cached = files_in(cache);
  assert_true(cached > 0);
  train(manifest, b, cache);   /* from the cache: nothing new, same networks */
  assert_int_equal(files_in(cache), cached);
  tu_assert_same_networks(a, b);

  evx_model *m = NULL;
  char err[256];
  assert_int_equal(evx_bundle_load(a, &m, err, sizeof err), 0);
  assert_int_equal(m->cfg.input_kind, EVX_INPUT_PROSODY_STATS);
  assert_int_equal(m->input.c * m->input.h * m->input.w, 3 * 98 + EVX_PROSODY_STATS);
  assert_int_equal(m->adapt.len, 3 * 98 + EVX_PROSODY_STATS);
  evx_model_free(m);

  /* plain frames are cached apart: an eval of a voiced-stats network would
   * add entries; this one reads the prosody entries back */
  char *ev[] = { "eval", a, "--data", manifest, "--report", rep, "--cache", cache, "--quiet",
                 NULL };
  assert_int_equal(tu_run_emovox(ev, NULL, 0), 0);
  assert_int_equal(files_in(cache), cached);
  char *csv = lf_read_text(rep, "windows.csv");
  assert_non_null(csv);
  size_t lines = 0, bad = 0;
  for (char *p = csv; *p; p++)
    lines += *p == '\n';
  for (char *p = strchr(csv, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
    char *q = p + 1;
    for (int c = 0; c < 4; c++)
      q = strchr(q, ',') + 1;   /* clip,speaker,window,label */
    for (int j = 0; j < 8; j++) {
      char *end;
      double v = strtod(q, &end);
      bad += !isfinite(v) || v < 0 || v > 1;
      q = end + 1;
    }
  }
  print_message("eval of the prosody network: %zu windows, %zu bad probabilities, %zu cache files\n",
                lines - 1, bad, cached);
  assert_true(lines > 10);
  assert_int_equal(bad, 0);
  free(csv);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_train_eval_prosody),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
