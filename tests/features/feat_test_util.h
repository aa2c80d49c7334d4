/* feat_test_util.h: helpers shared by the feature tests: run the streaming
 * extractor with chosen block sizes, and compare frames with librosa's
 * golden CSVs under the tolerances of ../shared/golden/README.md. */
#ifndef EVX_FEAT_TEST_UTIL_H
#define EVX_FEAT_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Next block size to push (>= 1); ctx is the caller's. */
typedef uint32_t (*ft_block_fn)(void *ctx);

/* Frames of x (n samples at rate) through a fresh extractor built with
 * `variant` (evx_feat_variant.h; 0 = features v1), pushing blocks of the
 * sizes `next` returns (NULL: max_block each). *frames is malloc'd. */
int ft_extract(const float *x, size_t n, double rate, unsigned variant,
               uint32_t max_block, ft_block_fn next, void *ctx,
               float **frames, size_t *n_frames);

/* The golden CSV header line, newline included. */
const char *ft_golden_header(void);

/* Golden CSV rows (frame column dropped, EVX_NFEAT floats each), malloc'd.
 * Fails unless the header is exactly the golden layout. */
int ft_load_golden(const char *csv, float **rows, size_t *n_rows);

/* Feature groups, with their worst error as a fraction of the tolerance. */
enum { FT_ZCR, FT_CHROMA, FT_MFCC, FT_RMS, FT_MEL, FT_GROUPS };
extern const char *const ft_group_name[FT_GROUPS];

typedef struct {
  double worst[FT_GROUPS];   /* max error / tolerance (<= 1 passes) */
  double worst_abs[FT_GROUPS];  /* the absolute error at that point */
  size_t failures;           /* values beyond tolerance */
  size_t frames_compared;
  char first[160];           /* where the first failure was */
} ft_report;

/* Compare n frames (a frame-count mismatch counts as a failure). */
void ft_compare(const float *ours, size_t n_ours, const float *ref, size_t n_ref,
                ft_report *r);

/* The input signal of golden NAME (.wav beside it, or the corpus clip the
 * golden README names), read as mono float; NULL if unavailable. */
float *ft_golden_input(const char *name, size_t *n, double *rate);

/* Names of all golden references (NULL-terminated). */
extern const char *const ft_golden_names[];

#endif
