/* evx_rs_design.h: the resampler's anti-alias / anti-image filter: a Kaiser
 * windowed sinc, tabulated as polyphase rows. Init time only (not RT-safe:
 * it uses libm heavily, but allocates nothing). */
#ifndef EVX_RS_DESIGN_H
#define EVX_RS_DESIGN_H

#include <stdint.h>

/* Stopband attenuation the Kaiser window is designed for (dB): 10 dB of
 * margin over the 80 dB the resampler promises. */
#define EVX_RS_ATTEN_DB 90.0

/* Taps are a multiple of this, so the dot product runs in whole vectors. */
#define EVX_RS_TAP_ALIGN 8u

/* The most taps any rate gets (192 kHz: 1104; the length grows with the
 * input rate when downsampling and is 96 for every rate below 16 kHz). */
#define EVX_RS_MAX_TAPS 1104u

typedef struct {
  double pass_hz;   /* passband edge: 7 kHz, or 7/8 of the input Nyquist */
  double stop_hz;   /* stopband edge: 8 kHz, or the input Nyquist */
  double cutoff;    /* -6 dB point in cycles per input sample */
  double beta;      /* Kaiser shape */
  uint32_t taps;    /* input samples per output sample (a multiple of 8) */
} evx_rs_spec;

/* The filter for converting in_rate (Hz) to 16 kHz. */
void evx_rs_spec_for(double in_rate, evx_rs_spec *spec);

/* Fill rows x spec->taps floats: row r holds the taps for an output that
 * lies r/phases input samples after the newest input sample, in the order
 * of the input window (oldest sample first). Each row sums to exactly 1 in
 * double before rounding (flat DC gain for every phase). */
void evx_rs_fill_table(const evx_rs_spec *spec, uint32_t phases, uint32_t rows,
                       float *table);

#endif
