/* Replays every file of tests/hardening/fuzz-audio-corpus/ (seeds and
 * inputs kept from bench/fuzz_audio.sh) through the fuzz harness itself
 * (bench/fuzz_audio.c: memfd -> cmd_analyze -> libsndfile decode -> the
 * streaming engine -> the printers): no crash, leak or bad access under
 * ASan, and cmd_analyze answers 0 (analysed) or 1 (refused), never a usage
 * error. Seeds named broken_* must be refused, edge_* (legal but odd) and
 * crash-* (inputs kept from fuzzing) may go either way, and every other
 * (valid) seed must be analysed. */
#include "test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
extern int fuzz_audio_last_rc;

static void test_replay_corpus(void **state)
{
  (void)state;
  char dir[4096], model[4096];
  snprintf(dir, sizeof dir, "%s/tests/hardening/fuzz-audio-corpus", tu_source_root());
  snprintf(model, sizeof model, "%s/emovox.lv2/default.emvx", tu_build_root());
  assert_int_equal(access(model, R_OK), 0);
  setenv("EMOVOX_MODEL", model, 1);
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  /* analyze's tables go to /dev/null; its messages stay on stderr */
  fflush(stdout);
  int saved = dup(1), null = open("/dev/null", O_WRONLY);
  assert_true(saved >= 0 && null >= 0);
  int files = 0, analysed = 0, wrong = 0;
  char wrong_names[2048] = "";
  for (struct dirent *e; (e = readdir(dp));) {
    if (e->d_name[0] == '.')
      continue;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f)
      continue;
    unsigned char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    unsigned char *exact = malloc(n ? n : 1);   /* exact size: ASan sees over-reads */
    memcpy(exact, buf, n);
    free(buf);
    dup2(null, 1);
    LLVMFuzzerTestOneInput(exact, n);
    fflush(stdout);
    dup2(saved, 1);
    free(exact);
    files++;
    analysed += fuzz_audio_last_rc == 0;
    int broken = !strncmp(e->d_name, "broken_", 7);
    int kept = !strncmp(e->d_name, "crash-", 6) || !strncmp(e->d_name, "edge_", 5);
    if (!kept && (broken ? fuzz_audio_last_rc != 1 : fuzz_audio_last_rc != 0)) {
      wrong++;
      strncat(wrong_names, e->d_name, sizeof wrong_names - strlen(wrong_names) - 2);
      strcat(wrong_names, " ");
    }
  }
  closedir(dp);
  close(null);
  close(saved);
  print_message("replayed %d corpus files, %d analysed, %d refused\n", files, analysed,
                files - analysed);
  if (wrong)
    print_message("unexpected outcome for: %s\n", wrong_names);
  assert_true(files >= 20);
  assert_int_equal(wrong, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_replay_corpus) };
  return cmocka_run_group_tests_name("fuzz_audio_replay", tests, NULL, NULL);
}
