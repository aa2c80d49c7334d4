/* evx_prosody.h: streaming prosody and voice quality (issue 18, point 3).
 *
 * Fed the same 16 kHz frames as the feature extractor (evx_features.h: 400
 * samples every 160), it gives one row of EVX_NPROS columns per frame. It
 * keeps the 240 samples before each frame, so every row looks at the last
 * 40 ms (640 samples) ending where the feature frame ends: three periods of
 * the 75 Hz pitch floor, as Praat's autocorrelation pitch needs. The row's
 * centre is 7.5 ms before the feature frame's centre.
 *
 * F0: Boersma's (1993) autocorrelation method as Praat's "To Pitch (ac)"
 * does it (Hann window, autocorrelation divided by the window's, octave cost,
 * voicing threshold 0.45, silence threshold 0.03 of the peak), with one
 * difference: the path through the candidates is chosen causally (the
 * Viterbi costs up to the current frame, no look-ahead), and "the peak" is a
 * slowly decaying peak of what was heard, not the whole file's.
 *
 * Columns (EVX_P_*). Those marked (v) are 0 in unvoiced frames:
 *   f0           (v) F0 in Hz, 74.4..600 (lags 26..215 at 16 kHz)
 *   voiced           1 when the frame is voiced, else 0
 *   periodicity      strongest normalised autocorrelation peak in the pitch
 *                    range, 0..1 (every frame: a voicing probability proxy)
 *   hnr          (v) harmonics-to-noise ratio proxy in dB from the chosen
 *                    peak r: 10 log10(r / (1 - r)) (Praat's formula), -20..40
 *   st           (v) pitch in semitones relative to 27.5 Hz (as eGeMAPS)
 *   st_voice     (v) pitch in semitones relative to the voice's running
 *                    median F0 (a 0.25 semitone histogram of voiced frames
 *                    with a 10 s half-life in voiced frames; reset forgets it)
 *   jitter       (v) local jitter: mean |L(k) - L(k+1)| / mean L over the
 *                    pitch periods L found in the 40 ms window (pulses picked
 *                    one period apart, parabolic interpolation), 0..1
 *   shimmer      (v) local shimmer in dB: mean |20 log10(A(k+1) / A(k))|
 *                    over the same pulses' amplitudes
 *   loudness         sum over 21 Zwicker critical bands (to 7.7 kHz) of the
 *                    band's mean-square power to the power 0.33 (eGeMAPS'
 *                    compression, no equal-loudness curve): level dependent
 *   slope_0_500      least-squares slope of the power spectrum in dB over
 *                    0..500 Hz, in dB/kHz
 *   slope_500_1500   the same over 500..1500 Hz
 *   alpha            alpha ratio in dB: energy 1..5 kHz over 50..1000 Hz
 *   hammarberg       Hammarberg index in dB: strongest bin 0..2 kHz over the
 *                    strongest bin 2..5 kHz
 * Spectral columns use the 40 ms Hann window's 1024-point spectrum; they are
 * 0 when the window is silent. Every column is always finite.
 *
 * Memory is the caller's: ask evx_pr_size(), hand a block of that size to
 * evx_pr_init(). Init and destroy are NOT real-time safe (FFTW plans, made
 * under a lock); evx_pr_frame() and evx_pr_reset() are: no allocation, lock,
 * I/O or syscall, and the same bounded work for every frame.
 */
#ifndef EVX_PROSODY_H
#define EVX_PROSODY_H

#include <stddef.h>
#include <stdint.h>

#define EVX_NPROS      13u    /* columns per frame */
#define EVX_PR_WINDOW  640u   /* samples at 16 kHz each row looks at (40 ms) */
#define EVX_PR_F0_MIN  75.0f  /* pitch floor (Hz), Praat's default */
#define EVX_PR_F0_MAX  600.0f /* pitch ceiling (Hz), Praat's default */

enum {
  EVX_P_F0 = 0,
  EVX_P_VOICED,
  EVX_P_PERIODICITY,
  EVX_P_HNR,
  EVX_P_ST,
  EVX_P_ST_VOICE,
  EVX_P_JITTER,
  EVX_P_SHIMMER,
  EVX_P_LOUDNESS,
  EVX_P_SLOPE_0_500,
  EVX_P_SLOPE_500_1500,
  EVX_P_ALPHA,
  EVX_P_HAMMARBERG
};

/* Column names, for CSV headers ("f0", "voiced", ...). */
extern const char *const evx_pr_names[EVX_NPROS];

typedef struct evx_pr evx_pr;

/* Bytes evx_pr_init() needs. */
size_t evx_pr_size(void);

/* Initialise into mem (size bytes, any alignment). NULL if size is too small
 * or FFTW planning fails. Not RT-safe. */
evx_pr *evx_pr_init(void *mem, size_t size);

/* Release the FFTW plans. The memory block stays the caller's. */
void evx_pr_destroy(evx_pr *pr);

/* Forget all history: samples, path, peak and the voice's median. RT-safe. */
void evx_pr_reset(evx_pr *pr);

/* One row: frame is the feature frame (EVX_FRAME finite samples at 16 kHz,
 * the same ones evx_fx computes its features from, in order, one call per
 * frame); out gets EVX_NPROS floats. RT-safe. */
void evx_pr_frame(evx_pr *pr, const float *frame, float *out);

#endif
