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
#define EVX_MEL_LANES    8u                      /* mel filters summed side by side */
#define EVX_MEL_GROUPS   (EVX_N_MEL / EVX_MEL_LANES)
/* Rows of all groups: each group takes its longest filter's length rounded
 * up to EVX_MEL_BLOCK, and triangles that only overlap their neighbours
 * cover each bin at most twice, so the lengths sum to at most 2 x EVX_NBINS. */
#define EVX_MEL_BLOCK    4u                      /* rows read per transpose */
#define EVX_MEL_ROWS     (2u * EVX_NBINS + (EVX_MEL_BLOCK - 1u) * EVX_MEL_GROUPS)

#define EVX_HALF_FFT     (EVX_FRAME / 2u)        /* the complex FFT of 200 points */

typedef struct {
  double window[EVX_FRAME] __attribute__((aligned(64)));  /* Hann, in double */
  /* exp(-2 pi i k / EVX_FRAME), k < EVX_HALF_FFT / 2: the twiddles that turn
   * the half-length complex FFT into the real one's bins */
  double tw_re[EVX_HALF_FFT / 2] __attribute__((aligned(64)));
  double tw_im[EVX_HALF_FFT / 2] __attribute__((aligned(64)));
  /* Slaney mel bank, its weights lane-interleaved: group g sums filters
   * EVX_MEL_LANES * g + j side by side, one per lane j, in rows
   * mel_row0[g] + s (s < mel_row0[g + 1] - mel_row0[g], a multiple of
   * EVX_MEL_BLOCK); in row r lane j adds mel_gw[r][j] * power[mel_start[g][j] + s]:
   * weight 0 before its filter's first bin, its bins in order, weight 0 after
   * its last; every bin read lies in the spectrum. */
  uint16_t mel_row0[EVX_MEL_GROUPS + 1];
  int32_t mel_start[EVX_MEL_GROUPS][EVX_MEL_LANES];
  float mel_gw[EVX_MEL_ROWS][EVX_MEL_LANES] __attribute__((aligned(64)));
  /* chroma bank, bin-major: chroma_w[bin][lane], lanes >= 12 are 0 */
  float chroma_w[EVX_NBINS][EVX_CHROMA_LANES] __attribute__((aligned(64)));
  /* DCT-II ortho, input-major: dct[mel][lane], lanes >= 20 are 0 */
  float dct[EVX_N_MEL][EVX_MFCC_LANES] __attribute__((aligned(64)));
} evx_feat_tables;

/* Fill t for features v1 (variant = EVX_FX_V1) or a test variant; 0, or
 * -1 if the mel bank does not fit the interleaved layout (not for v1). */
int evx_feat_tables_build(evx_feat_tables *t, unsigned variant);

#endif
