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

/* A narrow chroma bin (Gaussian about a semitone wide, bins above ~700 Hz)
 * adds only to the EVX_CHROMA_BAND chroma of its band: band b holds chroma
 * 2b .. 2b + 7 (mod 12), the one nearest the bin's pitch class; the weights
 * it leaves out are below EVX_CHROMA_DROP times the bin's largest (about
 * 1e-11 for v1), far under float32 rounding, and are dropped. */
#define EVX_CHROMA_BAND  8u
#define EVX_CHROMA_BANDS (EVX_N_CHROMA / 2u)
#define EVX_CHROMA_DROP  1e-8

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
  /* chroma bank, bin-major. Wide bins: row i < chroma_nwide (a multiple of
   * 4; padding rows have weight 0) adds chroma_w[i][lane] *
   * power[chroma_wide[i]] into chroma lane (lanes >= 12 are 0). Narrow bins:
   * band b's runs are chroma_run0[b] .. chroma_run0[b + 1] - 1, run r the
   * bins chroma_run_bin[r] + s (s < chroma_run_len[r]), its rows next in
   * chroma_bw (rows in run order); a row adds chroma_bw[row][l] * power[bin]
   * into chroma (2b + l) % 12. */
  uint16_t chroma_nwide;
  uint16_t chroma_run0[EVX_CHROMA_BANDS + 1];
  uint16_t chroma_wide[EVX_NBINS + 3];
  uint16_t chroma_run_bin[EVX_NBINS];
  uint16_t chroma_run_len[EVX_NBINS];
  float chroma_w[EVX_NBINS + 3][EVX_CHROMA_LANES] __attribute__((aligned(64)));
  float chroma_bw[EVX_NBINS][EVX_CHROMA_BAND] __attribute__((aligned(64)));
  /* DCT-II ortho, input-major: dct[mel][lane], lanes >= 20 are 0 */
  float dct[EVX_N_MEL][EVX_MFCC_LANES] __attribute__((aligned(64)));
} evx_feat_tables;

/* Fill t for features v1 (variant = EVX_FX_V1) or a test variant; 0, or
 * -1 if the mel bank does not fit the interleaved layout (not for v1). */
int evx_feat_tables_build(evx_feat_tables *t, unsigned variant);

#endif
