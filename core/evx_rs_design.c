/* evx_rs_design.c: Kaiser windowed-sinc design for the resampler (init
 * time, any thread). */
#include "evx_rs_design.h"

#include <math.h>
#include <stddef.h>

#define OUT_PASS_HZ 7000.0
#define OUT_STOP_HZ 8000.0

/* Modified Bessel function of the first kind, order 0 (power series; the
 * terms fall fast for the beta values used here). */
static double bessel_i0(double x)
{
  double sum = 1.0, term = 1.0, q = x * x / 4.0;
  for (int k = 1; k < 200 && term > sum * 1e-17; k++) {
    term *= q / ((double)k * (double)k);
    sum += term;
  }
  return sum;
}

void evx_rs_spec_for(double in_rate, evx_rs_spec *spec)
{
  /* Downsampling: keep 0..7 kHz, reject from the output Nyquist up.
   * Upsampling (input below 16 kHz): images start at the input Nyquist, so
   * the stopband starts there and the passband keeps the same 7/8 shape. */
  double nyq = in_rate / 2.0;
  double stop = nyq < OUT_STOP_HZ ? nyq : OUT_STOP_HZ;
  double pass = nyq < OUT_STOP_HZ ? stop * (OUT_PASS_HZ / OUT_STOP_HZ) : OUT_PASS_HZ;
  double atten = EVX_RS_ATTEN_DB;
  /* Kaiser's formulas: beta from the attenuation, length from the
   * transition width in radians per input sample. */
  double width = 2.0 * M_PI * (stop - pass) / in_rate;
  double n = (atten - 7.95) / (2.285 * width);
  uint32_t taps = (uint32_t)ceil(n);
  taps = (taps + EVX_RS_TAP_ALIGN - 1u) / EVX_RS_TAP_ALIGN * EVX_RS_TAP_ALIGN;
  spec->pass_hz = pass;
  spec->stop_hz = stop;
  spec->cutoff = (pass + stop) / 2.0 / in_rate;
  spec->beta = 0.1102 * (atten - 8.7);
  spec->taps = taps;
}

/* The continuous kernel at t input samples from its centre. */
static double kernel(const evx_rs_spec *spec, double t, double i0_beta)
{
  double half = spec->taps / 2.0;
  double r = t / half;
  if (fabs(r) >= 1.0)
    return 0.0;
  double window = bessel_i0(spec->beta * sqrt(1.0 - r * r)) / i0_beta;
  double x = 2.0 * spec->cutoff * t;
  double sinc = fabs(x) < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x);
  return 2.0 * spec->cutoff * sinc * window;
}

void evx_rs_fill_table(const evx_rs_spec *spec, uint32_t phases, uint32_t rows,
                       float *table)
{
  uint32_t n = spec->taps;
  double half = n / 2.0;
  double i0_beta = bessel_i0(spec->beta);
  /* each tap's kernel value is computed once (it is most of init's time:
   * a Bessel series and a sine) and kept for the normalisation */
  double k[EVX_RS_MAX_TAPS];
  if (n > EVX_RS_MAX_TAPS)  /* evx_resample.c refuses such a spec first */
    return;
  for (uint32_t r = 0; r < rows; r++) {
    double u = (double)r / (double)phases;
    float *row = table + (size_t)r * n;
    double sum = 0.0;
    /* Tap m weighs the sample m places after the oldest in the window,
     * which lies N - 1 - m samples before the newest. */
    for (uint32_t m = 0; m < n; m++) {
      k[m] = kernel(spec, half - 1.0 - m + u, i0_beta);
      sum += k[m];
    }
    for (uint32_t m = 0; m < n; m++)
      row[m] = (float)(k[m] / sum);
  }
}
