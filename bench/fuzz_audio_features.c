/* fuzz_audio_features.c: libFuzzer harness for the audio input path that
 * `emovox analyze` and `emovox train` share, in process: each input is
 * written to a memfd and decoded from /proc/self/fd/N by tr_audio_read
 * (libsndfile, damage checks), then resampled to 16 kHz and turned into
 * feature frames by evx_features_of_signal, as the trainer's feature cache
 * does (trainer/featcache.c). No model and no printers, so millions of
 * executions fit in minutes (bench/fuzz_audio.c covers tr_cmd_analyze whole).
 * Built and run by fuzz_audio_features.sh; the replay test
 * (tests/hardening/test_fuzz_audio_replay.c) feeds it the corpus too. */
#include "audio.h"
#include "evx_features.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/* As bench/fuzz_audio.c: libsndfile 1.2.0 leaks libvorbis's vorbis_info on
 * some damaged Ogg/Vorbis files; not ours to fix. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libvorbis.so\n"; }

/* The last input's outcome: 0 decoded and extracted, 1 refused. */
int fuzz_features_last_rc;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
  static int fd = -1;
  if (fd < 0 && (fd = memfd_create("fuzz-audio-features", 0)) < 0) {
    perror("memfd_create");
    abort();
  }
  if (ftruncate(fd, 0) || (n && pwrite(fd, d, n, 0) != (ssize_t)n)) {
    perror("memfd write");
    abort();
  }
  char path[64], err[512];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  tr_audio a;
  fuzz_features_last_rc = 1;
  if (tr_audio_read(path, &a, err, sizeof err))
    return 0;
  float *frames = NULL;
  size_t nf = 0;
  if (evx_features_of_signal(a.x, a.n, a.rate, &frames, &nf) == 0) {
    fuzz_features_last_rc = 0;
    /* what the reader let through must give finite features */
    for (size_t i = 0; i < nf * EVX_NFEAT; i++)
      if (!isfinite(frames[i])) {
        fprintf(stderr, "non-finite feature %zu of %zu frames\n", i, nf);
        abort();
      }
  }
  free(frames);
  tr_audio_free(&a);
  return 0;
}
