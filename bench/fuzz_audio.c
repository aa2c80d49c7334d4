/* fuzz_audio.c: libFuzzer harness for the audio-file path of `emovox
 * analyze`. Each input is written to a memfd and given, as
 * /proc/self/fd/N, to tr_cmd_analyze itself: the same stat checks, libsndfile
 * decode, damage checks (truncation, NaN), engine (resampler, features,
 * CNN, smoothing) and printers as the command line. The output format,
 * --svg and the block size are picked from the input's length so every
 * printer and block path gets exercised. The model is $EMOVOX_MODEL.
 * Built by fuzz_audio.sh; tests/hardening/test_fuzz_audio_replay.c replays
 * tests/hardening/fuzz-audio-corpus/ through the same function. */
#include "cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/* LeakSanitizer: libsndfile 1.2.0 loses libvorbis's vorbis_info (allocated
 * by vorbis_info_init) when an Ogg/Vorbis file turns out to be damaged
 * while decoding (seed broken_trunc_half.ogg), although tr_audio_read
 * does sf_close it. Not ours to fix; everything else is still checked. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libvorbis.so\n"; }

/* tr_cmd_analyze's status for the last input (0 analysed, 1 refused). */
int fuzz_audio_last_rc;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
  static int fd = -1;
  if (fd < 0 && (fd = memfd_create("fuzz-audio", 0)) < 0) {
    perror("memfd_create");
    abort();
  }
  if (ftruncate(fd, 0) || (n && pwrite(fd, d, n, 0) != (ssize_t)n)) {
    perror("memfd write");
    abort();
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  static const char *const blocks[] = { "512", "64", "4096", "8192", "1000" };
  static const char *const formats[] = { "--csv", "--json", NULL };
  char *argv[8];
  int argc = 0;
  argv[argc++] = "analyze";
  argv[argc++] = path;
  argv[argc++] = "--block";
  argv[argc++] = (char *)blocks[n % 5];
  if (formats[n % 3])
    argv[argc++] = (char *)formats[n % 3];
  if (n % 7 == 0) {
    argv[argc++] = "--svg";
    argv[argc++] = "/dev/null";
  }
  argv[argc] = NULL;
  int rc = tr_cmd_analyze(argc, argv);
  fuzz_audio_last_rc = rc;
  if (rc != 0 && rc != 1)   /* 2 would be a usage error: the harness is wrong */
    abort();
  return 0;
}
