/* rs_measure.h: signal helpers for the resampler tests: whole-signal
 * conversion in fixed blocks, test tones, and least-squares sine fits. */
#ifndef EVX_RS_MEASURE_H
#define EVX_RS_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "evx_resample.h"

/* A fresh resampler in malloc'd memory (*mem, to free); NULL if the
 * resampler refuses the arguments. */
evx_rs *rsm_new(double rate, uint32_t max_in, void **mem);

/* x converted from rate to 16 kHz in blocks of `block` samples by a fresh
 * resampler; malloc'd, *m outputs. NULL if the resampler refuses rate. */
float *rsm_convert(double rate, const float *x, size_t n, uint32_t block,
                   size_t *m);

/* n samples of amp * sin(2 pi f t + phase) at rate; malloc'd. */
float *rsm_tone(size_t n, double rate, double f, double amp, double phase);

/* Least-squares fit of a * cos + b * sin at f (Hz, output rate 16 kHz) over
 * y[0..n): returns the amplitude; *residual_rms (if not NULL) gets the RMS
 * of what the sine does not explain; *phase (if not NULL) its phase. */
double rsm_fit(const float *y, size_t n, double f, double *residual_rms,
               double *phase);

double rsm_rms(const float *y, size_t n);

/* Frequency (Hz) of a sine near f0 in y (16 kHz), from the slope of its
 * phase over consecutive segments. */
double rsm_frequency(const float *y, size_t n, double f0);

/* Samples to skip at the start of the output: twice the filter delay. */
size_t rsm_warmup(double rate);

#endif
