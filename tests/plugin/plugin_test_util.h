/* plugin_test_util.h: what the plugin tests share besides the host: corpus
 * clips at a host rate, and `emovox analyze` run on a file. */
#ifndef EVX_PLUGIN_TEST_UTIL_H
#define EVX_PLUGIN_TEST_UTIL_H

#include "evx_labels.h"
#include <stddef.h>
#include <stdint.h>

#define PTU_ANGRY_CLIP "data/ravdess/Actor_05/03-01-05-02-01-01-05.flac"
#define PTU_SAD_CLIP   "data/ravdess/Actor_05/03-01-04-02-01-01-05.flac"

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
