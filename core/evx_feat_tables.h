/* evx_feat_tables.h: the constant tables of features v1 (window, mel and
 * chroma filter banks, DCT), built once at init in double precision the way
 * librosa 0.9.2 builds them and rounded to float32 where librosa does.
 * Internal to the extractor; init-time only (not RT-safe: uses libm heavily,
 * but allocates nothing). */
#ifndef EVX_FEAT_TABLES_H
#define EVX_FEAT_TABLES_H

#include "evx_features.h"
#include "evx_feat_variant.h"

#define EVX_NBINS        (EVX_FRAME / 2u + 1u)   /* 201 rfft bins */
#define EVX_CHROMA_LANES 16u                     /* 12 chroma padded for SIMD */
#define EVX_MFCC_LANES   24u                     /* 20 mfcc padded for SIMD */

typedef struct {
  double window[EVX_FRAME] __attribute__((aligned(64)));  /* Hann, in double */
  /* Slaney mel bank stored sparsely: filter m covers bins
   * [mel_lo[m], mel_lo[m] + mel_len[m]) with weights at mel_w + mel_off[m]. */
  uint16_t mel_lo[EVX_N_MEL], mel_len[EVX_N_MEL], mel_off[EVX_N_MEL];
  float mel_w[EVX_N_MEL * EVX_NBINS];
  /* chroma bank, bin-major: chroma_w[bin][lane], lanes >= 12 are 0 */
  float chroma_w[EVX_NBINS][EVX_CHROMA_LANES] __attribute__((aligned(64)));
  /* DCT-II ortho, input-major: dct[mel][lane], lanes >= 20 are 0 */
  float dct[EVX_N_MEL][EVX_MFCC_LANES] __attribute__((aligned(64)));
} evx_feat_tables;

/* Fill t for features v1 (variant = EVX_FX_V1) or a test variant. */
void evx_feat_tables_build(evx_feat_tables *t, unsigned variant);

#endif
