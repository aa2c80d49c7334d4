/* test_util.h: small helpers shared by the cmocka tests. */
#ifndef EVX_TEST_UTIL_H
#define EVX_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>

/* ../shared (from $EVX_SHARED, else <source root>/../shared), or NULL when it
 * is absent. */
const char *tu_shared_dir(void);

/* Skip the current test with a clear message when ../shared is missing. */
#define TU_REQUIRE_SHARED()                                                   \
  do {                                                                        \
    if (!tu_shared_dir()) {                                                   \
      print_message("[  SKIP    ] ../shared not found (set EVX_SHARED): "     \
                    "corpus tests skipped\n");                                \
      skip();                                                                 \
    }                                                                         \
  } while (0)

/* Path under ../shared into buf; returns buf. */
const char *tu_shared_path(char *buf, size_t len, const char *rel);

/* Source and build roots (from the environment meson sets). */
const char *tu_source_root(void);
const char *tu_build_root(void);

/* A fresh private temporary directory under $TMPDIR (else /tmp), new on every
 * call; the string stays valid. All are removed with their contents when the
 * test process exits, unless EVX_KEEP_TMP is set (then their paths are
 * printed). NULL on failure. */
const char *tu_tmpdir(void);

/* Whole file as mono float (channels averaged); malloc'd. NULL on error. */
float *tu_read_audio(const char *path, size_t *n, double *rate);

/* Copy the first `keep` bytes of src (all of it when shorter) to dst: a
 * truncated file. 0, or -1 when either file cannot be opened. */
int tu_copy_prefix(const char *src, const char *dst, long keep);

/* Write mono float samples as a 32-bit float WAV. 0 on success. */
int tu_write_wav(const char *path, const float *x, size_t n, int rate);

/* A synthetic talker that the speech detector (core/evx_speech.h) takes for
 * speech: harmonics up to 4 kHz of an F0 around f0 Hz with intonation, in
 * syllables of 4 per second: sample i of the stream at rate, peak about amp. Tones and sines are not speech any more (issue 20),
 * so tests that need a voice use this. */
float tu_talker(size_t i, double rate, double f0, double amp);

/* seconds of something like speech at rate, peak 1 (calloc'd, *n samples):
 * syllables of 150-300 ms (a gliding f0 of 100-220 Hz, harmonics below
 * fmax Hz under two formant-like peaks, a smooth envelope) between pauses
 * of 50-150 ms, over a noise floor 55 dB below the peak (a pause is quiet,
 * never digital silence); seed picks the syllables. */
float *tu_syllables(double rate, double seconds, double fmax, uint64_t seed, size_t *n);

/* Deterministic PRNG (xorshift64*) for tests. */
uint64_t tu_rand(uint64_t *state);
double tu_uniform(uint64_t *state);   /* [0, 1) */
double tu_gauss(uint64_t *state);     /* N(0, 1) */

/* <build root>/trainer/emovox. */
const char *tu_emovox(void);

/* Start emovox with args (NULL-terminated, without argv[0]); stdout and
 * stderr go to log (appended) when log is not NULL. fsize_limit > 0 sets
 * RLIMIT_FSIZE in the child with SIGXFSZ ignored (a full disk as write()
 * sees it: EFBIG). stop_epoch > 0 sets EVX_TRAIN_STOP_AFTER_EPOCH (the
 * trainer stops itself with SIGSTOP after that epoch's checkpoint).
 * Returns the pid, -1 on failure. */
pid_t tu_spawn_emovox(char *const args[], const char *log, long fsize_limit, int stop_epoch);

/* Wait for pid: its exit status, or 128 + signal when a signal ended it. */
int tu_wait(pid_t pid);

/* tu_spawn_emovox + tu_wait. */
int tu_run_emovox(char *const args[], const char *log, long fsize_limit);

/* Whole file, NUL-terminated (malloc'd); NULL when missing. */
char *tu_slurp(const char *path, size_t *len);

/* m written as bundle bytes and parsed back (free with evx_model_free); the
 * test fails when either step does. */
struct evx_model *tu_bundle_reparse(const struct evx_model *m);
/* Writing m as a bundle must fail, with a message containing `says`. */
void tu_bundle_refused(const struct evx_model *m, const char *says);

/* Assert that the bundles at paths a and b hold the same networks byte for
 * byte, whatever their provenance records say (the command lines that
 * wrote them differ: --out, --resume, --cache). */
void tu_assert_same_networks(const char *a, const char *b);

#endif
