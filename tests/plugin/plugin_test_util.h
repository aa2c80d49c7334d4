/* plugin_test_util.h: what the plugin tests share besides the host: corpus
 * clips at a host rate, and `emovox analyze` run on a file. */
#ifndef EVX_PLUGIN_TEST_UTIL_H
#define EVX_PLUGIN_TEST_UTIL_H

#include "evx_labels.h"
#include <stddef.h>
#include <stdint.h>

#define PTU_ANGRY_CLIP "data/ravdess/Actor_05/03-01-05-02-01-01-05.flac"
#define PTU_SAD_CLIP   "data/ravdess/Actor_05/03-01-04-02-01-01-05.flac"

/* Skips the calling test where lv2apply cannot run this build's bundle:
 * a sanitizer build (lv2apply cannot load an ASan-built plugin), or no
 * lv2apply installed. EVX_SANITIZE is defined per test, hence a macro. */
#ifdef EVX_SANITIZE
#define PTU_REQUIRE_LV2APPLY()                                                             \
  do {                                                                                     \
    print_message("[  SKIP    ] sanitizer build: lv2apply cannot load an ASan-built plugin\n"); \
    skip();                                                                                \
  } while (0)
#else
#define PTU_REQUIRE_LV2APPLY()                                                             \
  do {                                                                                     \
    if (system("command -v lv2apply >/dev/null 2>&1") != 0) {                              \
      print_message("[  SKIP    ] lv2apply not installed (Debian package lilv-utils)\n");   \
      skip();                                                                              \
    }                                                                                      \
  } while (0)
#endif

/* An LV2_PATH directory in the test's temporary directory that holds only
 * a link to the built bundle, written to dir (len bytes). */
void ptu_lv2_path(char *dir, size_t len);

/* A ../shared clip brought to rate by linear interpolation (the plugin and
 * the analyser get the very same samples); malloc'd, NULL if unreadable. */
float *ptu_clip(const char *rel, double rate, size_t *n);

typedef struct {
  double t;
  float probs[EVX_N_EMOTIONS];
  int dominant;                 /* 0..7, 8 = none */
  float confidence, arousal, valence;
  int speech;                   /* the speech column */
} ptu_row;

/* Assert p (eight probabilities) finite, in 0..1 and summing to 1 (1e-4). */
void ptu_check_probs(const float *p);

/* `emovox analyze --csv ARGS... FILE`: its rows (malloc'd) and count, or -1. */
int ptu_analyze(const char *file, const char *args, ptu_row **rows);

/* A seed-architecture model with random weights (seed) written as
 * <tmpdir>/NAME into path; returns path. Fails the test on error. */
const char *ptu_seed_model(char *path, size_t len, const char *name, uint64_t seed);

/* Index of the row whose probabilities all lie within tol of probs among
 * the last `last` rows, or -1. */
int ptu_match_row(const ptu_row *rows, int n, int last, const float *probs, float tol);

#endif
