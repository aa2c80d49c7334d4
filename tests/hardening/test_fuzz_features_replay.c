/* Replays every file of tests/hardening/fuzz-audio-corpus/ through the
 * in-process harness of the audio input path (bench/fuzz_audio_features.c:
 * memfd -> evx_audio_read -> resample -> features, as analyze and train
 * read audio): no crash, leak or bad access under ASan, every feature
 * finite. Seeds named broken_* must be refused, edge_* and crash-* may go
 * either way, every other (valid) seed must give features. */
#include "test_util.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
extern int fuzz_features_last_rc;

static void test_replay_corpus(void **state)
{
  (void)state;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/hardening/fuzz-audio-corpus", tu_source_root());
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  int files = 0, extracted = 0, wrong = 0;
  char wrong_names[2048] = "";
  for (struct dirent *e; (e = readdir(dp));) {
    if (e->d_name[0] == '.')
      continue;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t n = 0;
    char *buf = tu_slurp(path, &n);
    if (!buf)
      continue;
    unsigned char *exact = malloc(n ? n : 1);   /* exact size: ASan sees over-reads */
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    files++;
    extracted += fuzz_features_last_rc == 0;
    int broken = !strncmp(e->d_name, "broken_", 7);
    int kept = !strncmp(e->d_name, "crash-", 6) || !strncmp(e->d_name, "edge_", 5);
    if (!kept && (broken ? fuzz_features_last_rc != 1 : fuzz_features_last_rc != 0)) {
      wrong++;
      strncat(wrong_names, e->d_name, sizeof wrong_names - strlen(wrong_names) - 2);
      strcat(wrong_names, " ");
    }
  }
  closedir(dp);
  print_message("replayed %d corpus files, %d gave features, %d refused\n", files, extracted,
                files - extracted);
  if (wrong)
    print_message("unexpected outcome for: %s\n", wrong_names);
  assert_true(files >= 20);
  assert_int_equal(wrong, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_replay_corpus) };
  return cmocka_run_group_tests_name("fuzz_features_replay", tests, NULL, NULL);
}
