/* Replays every file of tests/hardening/fuzz-audio-corpus/ through the
 * in-process harness of the audio input path (bench/fuzz_audio_features.c:
 * memfd -> tr_audio_read -> resample -> features, as analyze and train
 * read audio): no crash, leak or bad access under ASan, every feature
 * finite. Seeds named broken_* must be refused, edge_* and crash-* may go
 * either way, every other (valid) seed must give features. */
#include "fuzz_replay.h"
#include "test_util.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
extern int fuzz_features_last_rc;

static int run(const uint8_t *d, size_t n)
{
  LLVMFuzzerTestOneInput(d, n);
  return fuzz_features_last_rc;
}

static void test_replay_corpus(void **state)
{
  (void)state;
  fr_replay_corpus(run, "gave features");
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_replay_corpus) };
  return cmocka_run_group_tests_name("fuzz_features_replay", tests, NULL, NULL);
}
