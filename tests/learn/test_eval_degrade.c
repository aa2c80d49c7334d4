/* `emovox eval --noise/--snr/--codec` on a few ../shared/data clips: runs,
 * names the degradation in report.json and report.md, never reuses clean
 * cache entries for a degraded run, and rejects bad degradation options. */
#include "test_util.h"
#include "learn_fixture.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t files_in(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t n = 0;
  while (d && (e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  if (d)
    closedir(d);
  return n;
}

/* A manifest of 8 RAVDESS clips (2 actors x 4) with absolute paths. */
static const char *shared_manifest(const char *dir)
{
  static char csv[700];
  char src[600], line[1024];
  snprintf(csv, sizeof csv, "%s/manifest.csv", dir);
  FILE *in = fopen(tu_shared_path(src, sizeof src, "data/manifest.csv"), "r");
  FILE *out = fopen(csv, "w");
  assert_non_null(in);
  assert_non_null(out);
  fprintf(out, "path,corpus,speaker,emotion\n");
  int a1 = 0, a2 = 0;
  while (fgets(line, sizeof line, in) && (a1 < 4 || a2 < 4)) {
    char path[512], corpus[64], speaker[64], sex[16], emotion[32];
    if (sscanf(line, "%511[^,],%63[^,],%63[^,],%15[^,],%31[^,]", path, corpus, speaker, sex,
               emotion) != 5)
      continue;
    int *count = !strcmp(speaker, "ravdess-01") ? &a1 : !strcmp(speaker, "ravdess-02") ? &a2 : NULL;
    if (!count || *count >= 4)
      continue;
    (*count)++;
    fprintf(out, "%s/%s,%s,%s,%s\n", tu_shared_path(src, sizeof src, "data"), path, corpus,
            speaker, emotion);
  }
  fclose(in);
  fclose(out);
  assert_int_equal(a1 + a2, 8);
  return csv;
}

static void test_eval_degraded(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  const char *dir = tu_tmpdir();
  const char *csv = shared_manifest(dir);
  char bundle[600], cache[600], clean[600], rep[600];
  snprintf(bundle, sizeof bundle, "%s/m.emvx", dir);
  snprintf(cache, sizeof cache, "%s/cache", dir);
  snprintf(clean, sizeof clean, "%s/clean", dir);
  char *train[] = { "train", "--data", (char *)csv, "--out", bundle, "--arch", "seed",
                    "--channels", "4,8", "--window", "0.5", "--hop", "0.25", "--epochs", "1",
                    "--random-split", "--quiet", NULL };
  assert_int_equal(tu_run_emovox(train, NULL, 0), 0);

  char *eval_clean[] = { "eval", bundle, "--data", (char *)csv, "--cache", cache, "--report",
                         clean, "--quiet", NULL };
  assert_int_equal(tu_run_emovox(eval_clean, NULL, 0), 0);
  size_t cached = files_in(cache);
  assert_int_equal(cached, 8);
  char *js = lf_read_text(clean, "report.json"), *md = lf_read_text(clean, "report.md");
  assert_non_null(strstr(js, "\"degradation\": null"));
  assert_non_null(strstr(md, "- degradation: none"));
  free(js), free(md);

  struct { const char *noise, *snr, *codec, *json, *md; } runs[] = {
    { "babble", "10", "opus:16", "\"noise\": \"babble\", \"snr_db\": 10, \"codec\": \"opus\", "
      "\"kbps\": 16", "- degradation: babble noise at 10 dB SNR, then opus at 16 kbps (seed 1)" },
    { "white", "5", "mp3:32", "\"noise\": \"white\", \"snr_db\": 5, \"codec\": \"mp3\", "
      "\"kbps\": 32", "- degradation: white noise at 5 dB SNR, then mp3 at 32 kbps (seed 1)" },
    { NULL, NULL, "vorbis:0.2", "\"noise\": \"none\", \"snr_db\": null, \"codec\": \"vorbis\", "
      "\"quality\": 0.2", "- degradation: vorbis quality 0.2 (seed 1)" },
  };
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
    snprintf(rep, sizeof rep, "%s/rep%zu", dir, i);
    char *args[20] = { "eval", bundle, "--data", (char *)csv, "--cache", cache, "--report", rep,
                       "--quiet", "--codec", (char *)runs[i].codec };
    int k = 11;
    if (runs[i].noise) {
      args[k++] = "--noise", args[k++] = (char *)runs[i].noise;
      args[k++] = "--snr", args[k++] = (char *)runs[i].snr;
    }
    args[k] = NULL;
    assert_int_equal(tu_run_emovox(args, NULL, 0), 0);
    /* 8 new cache entries: the clean ones were not reused */
    assert_int_equal(files_in(cache), cached + 8);
    cached += 8;
    js = lf_read_text(rep, "report.json");
    md = lf_read_text(rep, "report.md");
    assert_non_null(js);
    assert_non_null(md);
    if (!strstr(js, runs[i].json))
      print_error("report.json lacks %s\n", runs[i].json);
    assert_non_null(strstr(js, runs[i].json));
    assert_non_null(strstr(md, runs[i].md));
    free(js), free(md);
  }
}

static void test_bad_degradation_options(void **state)
{
  (void)state;
  char *no_snr[] = { "eval", "/nonexistent.emvx", "--data", "/x", "--noise", "white", NULL };
  assert_int_equal(tu_run_emovox(no_snr, NULL, 0), 2);
  char *no_noise[] = { "eval", "/nonexistent.emvx", "--data", "/x", "--snr", "10", NULL };
  assert_int_equal(tu_run_emovox(no_noise, NULL, 0), 2);
  char *pink[] = { "eval", "/nonexistent.emvx", "--data", "/x", "--noise", "pink", "--snr", "3",
                   NULL };
  assert_int_equal(tu_run_emovox(pink, NULL, 0), 2);
  char *aac[] = { "eval", "/nonexistent.emvx", "--data", "/x", "--codec", "aac:64", NULL };
  assert_int_equal(tu_run_emovox(aac, NULL, 0), 2);
  char *fast[] = { "eval", "/nonexistent.emvx", "--data", "/x", "--codec", "opus:999", NULL };
  assert_int_equal(tu_run_emovox(fast, NULL, 0), 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_eval_degraded),
    cmocka_unit_test(test_bad_degradation_options),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
