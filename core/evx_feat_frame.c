/* evx_feat_frame.c: features v1 of one frame (audio thread, RT-safe).
 *
 * The FFT runs in double precision like librosa's (numpy's float64 rfft of
 * the float64-windowed frame): a float32 FFT's rounding noise lifts the
 * quiet mel bands of a chirp enough to move its MFCCs by 0.03, beyond the
 * 0.02 tolerance. Everything after the power spectrum is float32 like
 * librosa's (float32 filter banks, float32 log and DCT). */
#include "evx_feat_frame.h"

#include <float.h>
#include <math.h>

#include <stdint.h>
#include <string.h>

typedef float v4sf __attribute__((vector_size(16)));
typedef int32_t v4si __attribute__((vector_size(16)));

static inline v4sf load4(const float *p)  /* unaligned */
{
  v4sf v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline float hsum4(v4sf v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/* zero_crossings(threshold=1e-10, zero_pos=True, pad=False) / frame length:
 * samples with |x| <= 1e-10 count as +0, so a crossing is a change of
 * "strictly below -1e-10" between neighbours. */
static float frame_zcr(const float *x)
{
  const float thr = 1e-10f;
  const v4sf neg_thr = { -thr, -thr, -thr, -thr };
  v4si acc = { 0, 0, 0, 0 };
  unsigned i = 0;
  for (; i + 4 < EVX_FRAME; i += 4)  /* pairs (i, i+1) .. (i+3, i+4) */
    acc -= (load4(x + i) < neg_thr) ^ (load4(x + i + 1) < neg_thr);
  unsigned count = (unsigned)(acc[0] + acc[1] + acc[2] + acc[3]);
  for (; i + 1 < EVX_FRAME; i++)
    count += (unsigned)((x[i] < -thr) != (x[i + 1] < -thr));
  return (float)count / (float)EVX_FRAME;
}

/* rms(y, center=False): sqrt(mean(x^2)), no window. */
static float frame_rms(const float *x)
{
  v4sf acc[4] = { { 0 } };
  for (unsigned i = 0; i < EVX_FRAME; i += 16)
    for (unsigned j = 0; j < 4; j++) {
      const v4sf v = load4(x + i + 4 * j);
      acc[j] += v * v;
    }
  const float s = hsum4((acc[0] + acc[1]) + (acc[2] + acc[3]));
  return sqrtf(s / (float)EVX_FRAME);
}

/* |rfft(window * x)|^2 into f->power. */
static void frame_power(const evx_feat_frame *f, const float *x)
{
  const double *w = f->t->window;
  for (unsigned i = 0; i < EVX_FRAME; i++)
    f->fft_in[i] = w[i] * x[i];
  fftw_execute(f->plan);
  for (unsigned k = 0; k < EVX_NBINS; k++) {
    const double re = f->fft_out[k][0], im = f->fft_out[k][1];
    f->power[k] = (float)(re * re + im * im);
  }
}

static void frame_mel(const evx_feat_tables *t, const float *power, float *mel)
{
  for (unsigned m = 0; m < EVX_N_MEL; m++) {
    const float *w = t->mel_w + t->mel_off[m], *p = power + t->mel_lo[m];
    float acc = 0.0f;
    for (unsigned k = 0; k < t->mel_len[m]; k++)
      acc += w[k] * p[k];
    mel[m] = acc;
  }
}

/* 10 log10(max(x, 1e-10)) on 4 lanes: exponent from the bits, ln of the
 * mantissa (in [sqrt(1/2), sqrt(2))) by the atanh series to t^9, which is
 * within 1e-7 of log10f: 1e-6 dB, far below what the MFCC tolerance needs. */
static inline v4sf db4(v4sf x)
{
  const v4sf amin = { 1e-10f, 1e-10f, 1e-10f, 1e-10f };
  const v4si above = x > amin;  /* inputs are finite: no NaN here */
  const v4si bits = ((v4si)x & above) | ((v4si)amin & ~above);
  /* split x = 2^e * m with m in [sqrt(1/2), sqrt(2)) */
  const v4si off = bits - 0x3f3504f3;  /* bits of sqrt(1/2) */
  const v4si e = off >> 23;
  const v4si mbits = bits - (e << 23);
  v4sf m;
  memcpy(&m, &mbits, sizeof m);
  const v4sf one = { 1, 1, 1, 1 };
  const v4sf t = (m - one) / (m + one), t2 = t * t;
  const v4sf series = one + t2 * (1.0f / 3 + t2 * (1.0f / 5 + t2 * (1.0f / 7 + t2 * (1.0f / 9))));
  const v4sf ln_m = 2.0f * t * series;
  const v4sf ef = { (float)e[0], (float)e[1], (float)e[2], (float)e[3] };
  /* 10 log10(x) = 10/ln(10) * (e ln 2 + ln m) */
  return (float)(10.0 / M_LN10) * (ef * (float)M_LN2 + ln_m);
}

/* power_to_db(ref=1, amin=1e-10, top_db=None) then DCT-II ortho, 20 kept. */
static void frame_mfcc(const evx_feat_tables *t, const float *mel, float *mfcc)
{
  enum { L = EVX_MFCC_LANES / 4 };
  v4sf acc[L] = { { 0 } };
  for (unsigned n = 0; n < EVX_N_MEL; n += 4) {
    const v4sf db = db4(load4(mel + n));
    for (unsigned q = 0; q < 4; q++) {
      const v4sf *row = (const v4sf *)t->dct[n + q];
      const float d = db[q];
      acc[0] += row[0] * d; acc[1] += row[1] * d; acc[2] += row[2] * d;
      acc[3] += row[3] * d; acc[4] += row[4] * d; acc[5] += row[5] * d;
    }
  }
  for (unsigned k = 0; k < EVX_N_MFCC; k++)
    mfcc[k] = acc[k / 4][k % 4];
}

/* chroma filter bank, then util.normalize(norm=inf): a frame whose largest
 * raw chroma is below float32's tiny is left unnormalised (so silence is 0). */
static void frame_chroma(const evx_feat_tables *t, const float *power, float *chroma)
{
  v4sf a0 = { 0 }, a1 = { 0 }, a2 = { 0 };  /* lanes 12..15 are padding */
  for (unsigned k = 0; k < EVX_NBINS; k++) {
    const v4sf *row = (const v4sf *)t->chroma_w[k];
    const float p = power[k];
    a0 += row[0] * p;
    a1 += row[1] * p;
    a2 += row[2] * p;
  }
  const float raw[EVX_N_CHROMA] = { a0[0], a0[1], a0[2], a0[3], a1[0], a1[1],
                                    a1[2], a1[3], a2[0], a2[1], a2[2], a2[3] };
  float peak = 0.0f;
  for (unsigned c = 0; c < EVX_N_CHROMA; c++)
    peak = fmaxf(peak, fabsf(raw[c]));
  const double len = peak < FLT_MIN ? 1.0 : (double)peak;
  for (unsigned c = 0; c < EVX_N_CHROMA; c++)
    chroma[c] = (float)(raw[c] / len);
}

_Static_assert(EVX_FRAME % 16 == 0 && EVX_N_MEL % 4 == 0 && EVX_N_CHROMA == 12 &&
               EVX_MFCC_LANES == 24, "vector loops assume these sizes");

void evx_feat_frame_compute(const evx_feat_frame *f, const float *x, float *out)
{
  float mel[EVX_N_MEL];
  frame_power(f, x);
  frame_mel(f->t, f->power, mel);
  out[EVX_F_ZCR] = frame_zcr(x);
  frame_chroma(f->t, f->power, out + EVX_F_CHROMA);
  frame_mfcc(f->t, mel, out + EVX_F_MFCC);
  out[EVX_F_RMS] = frame_rms(x);
  for (unsigned m = 0; m < EVX_N_MEL; m++)
    out[EVX_F_MEL + m] = mel[m];
  /* Inputs are bounded by the caller, so this never fires; it is the last
   * line of the "outputs are always finite" promise. */
  for (unsigned i = 0; i < EVX_NFEAT; i++)
    if (!isfinite(out[i]))
      out[i] = 0.0f;
}
