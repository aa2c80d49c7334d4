/* Replays every file of tests/hardening/fuzz-audio-corpus/ (seeds and
 * inputs kept from bench/fuzz_audio.sh) through the fuzz harness itself
 * (bench/fuzz_audio.c: memfd -> tr_cmd_analyze -> libsndfile decode -> the
 * streaming engine -> the printers): no crash, leak or bad access under
 * ASan, and tr_cmd_analyze answers 0 (analysed) or 1 (refused), never a usage
 * error. Seeds named broken_* must be refused, edge_* (legal but odd) and
 * crash-* (inputs kept from fuzzing) may go either way, and every other
 * (valid) seed must be analysed. */
#include "fuzz_replay.h"
#include "test_util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
extern int fuzz_audio_last_rc;

static int saved_out = -1, null_out = -1;

/* analyze's tables go to /dev/null; its messages stay on stderr */
static int run_quiet(const uint8_t *d, size_t n)
{
  fflush(stdout);
  dup2(null_out, 1);
  LLVMFuzzerTestOneInput(d, n);
  fflush(stdout);
  dup2(saved_out, 1);
  return fuzz_audio_last_rc;
}

static void test_replay_corpus(void **state)
{
  (void)state;
  char model[4096];
  snprintf(model, sizeof model, "%s/emovox.lv2/default.emvx", tu_build_root());
  assert_int_equal(access(model, R_OK), 0);
  setenv("EMOVOX_MODEL", model, 1);
  fflush(stdout);
  saved_out = dup(1);
  null_out = open("/dev/null", O_WRONLY);
  assert_true(saved_out >= 0 && null_out >= 0);
  fr_replay_corpus(run_quiet, "analysed");
  close(null_out);
  close(saved_out);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_replay_corpus) };
  return cmocka_run_group_tests_name("fuzz_audio_replay", tests, NULL, NULL);
}
