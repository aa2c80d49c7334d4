/* evx_feat_frame.h: the 98 features of one 400-sample frame at 16 kHz.
 * Internal to the extractor. RT-safe (audio thread): no allocation, bounded
 * work; the FFT is an FFTW plan made at init on the buffers given here:
 * the 400 windowed samples read as 200 complex ones (even + i odd), a
 * complex FFT of 200, then split into the 201 real bins by the banks. */
#ifndef EVX_FEAT_FRAME_H
#define EVX_FEAT_FRAME_H

#include "evx_feat_tables.h"
#include <fftw3.h>

typedef struct evx_feat_frame evx_feat_frame;

/* Window, FFT, power and the banks of one frame (evx_feat_simd.h): mel[64],
 * chroma sums[16], mfcc[24]; and zr[2]: the zero-crossing rate and rms. */
typedef void (*evx_feat_banks_fn)(const evx_feat_frame *f, const float *x, float *mel,
                                  float *chroma, float *mfcc, float *zr);

struct evx_feat_frame {
  evx_feat_banks_fn banks; /* evx_feat_banks_pick() */
  const evx_feat_tables *t;
  double *fft_in;          /* EVX_FRAME doubles, the plan's input */
  fftw_complex *fft_out;   /* EVX_HALF_FFT bins, the plan's output */
  fftw_plan plan;          /* evx_feat_frame_plan */
  float *power;            /* EVX_NBINS floats of scratch, 16-byte aligned */
};

/* The frame's FFT plan on in (EVX_FRAME doubles) and out (EVX_HALF_FFT
 * complex), both 64-byte aligned: complex, forward, from wisdom made with
 * FFTW_MEASURE, else FFTW_ESTIMATE (deterministic either way; neither
 * touches the buffers). Init only, and the caller serialises FFTW planner
 * calls (it imports wisdom, FFTW's global state). */
fftw_plan evx_feat_frame_plan(double *in, fftw_complex *out);

/* The fastest banks this CPU runs (AVX2 or portable, the same bits). Init
 * only; the function is RT-safe. */
evx_feat_banks_fn evx_feat_banks_pick(void);

/* The banks of one instruction set by name ("avx2", "generic"), or NULL
 * where this CPU or build has none: for tests that compare them. */
evx_feat_banks_fn evx_feat_banks_named(const char *isa);

/* x: EVX_FRAME finite samples (|x| bounded so that powers stay finite).
 * out: EVX_NFEAT floats in the EVX_F_* layout, always finite. */
void evx_feat_frame_compute(const evx_feat_frame *f, const float *x, float *out);

#endif
