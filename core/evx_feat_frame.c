/* evx_feat_frame.c: features v1 of one frame (audio thread, RT-safe).
 *
 * The FFT runs in double precision like librosa's (numpy's float64 rfft of
 * the float64-windowed frame; ours is a complex FFT of half the length,
 * split into the real bins, about a third faster than FFTW's real plan): a float32 FFT's rounding noise lifts the
 * quiet mel bands of a chirp enough to move its MFCCs by 0.03, beyond the
 * 0.02 tolerance. Everything after the power spectrum is float32 like
 * librosa's (float32 filter banks, float32 log and DCT). */
#include "evx_feat_frame.h"
#include "evx_vec.h"

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

/* util.normalize(norm=inf) of the chroma bank's sums raw[0..11]: a frame
 * whose largest raw chroma is below float32's tiny is left unnormalised (so
 * silence is 0). */
static void chroma_normalize(const float *raw, float *chroma)
{
  /* the peak four lanes at a time: a max of finite sums, the same in any
   * order (a NaN lane is never taken, as a > peak is false for it) */
  v4si peak4 = { 0 };
  for (unsigned c = 0; c < EVX_N_CHROMA; c += 4) {
    const v4si a = (v4si)load4(raw + c) & 0x7fffffff;
    const v4si up = (v4sf)a > (v4sf)peak4;
    peak4 = (a & up) | (peak4 & ~up);
  }
  float peak = 0.0f;
  for (unsigned l = 0; l < 4; l++) {
    const float a = ((v4sf)peak4)[l];
    peak = a > peak ? a : peak;
  }
  /* a float division: the double one rounded to float gives the same bits
   * (53 >= 2 x 24 + 2 bits), at a sixth of the divides */
  const float len = peak < FLT_MIN ? 1.0f : peak;
  for (unsigned c = 0; c < EVX_N_CHROMA; c++)
    chroma[c] = raw[c] / len;
}

/* n floats from src to dst, non-finite ones as 0, four at a time (|v| <=
 * FLT_MAX is false for NaN and Inf). Reading the banks' own arrays, not out
 * after copying into it: loads across those fresh unaligned stores would
 * wait for them to retire. */
static void copy_finite(float *dst, const float *src, unsigned n)
{
  unsigned i = 0;
  for (; i + 4 <= n; i += 4) {
    const v4sf v = load4(src + i);
    const v4si keep = (v4si)v & (((v4si)v & 0x7fffffff) <= 0x7f7fffff);
    memcpy(dst + i, &keep, sizeof keep);
  }
  for (; i < n; i++)
    dst[i] = isfinite(src[i]) ? src[i] : 0.0f;
}

/* The plan FFTW_MEASURE finds on AVX machines with Debian 12's FFTW 3.3.10
 * (radix 20 with twiddle tables, then ten-point codelets): about 15%
 * faster than ESTIMATE's. Measuring at init would pick by timing, so two
 * instances could run different plans and differ in the last bits; wisdom
 * fixes the plan. Where it does not apply (another FFTW build, no AVX),
 * FFTW ignores it and ESTIMATE plans as before: deterministic either way. */
static const char frame_fft_wisdom[] =
  "(fftw-3.3.10 fftw_wisdom #x458a31c8 #x92381c4c #x4f974889 #xcd46f97e\n"
  "  (fftw_codelet_t2fv_20_avx 0 #x11bdd #x11bdd #x0 #xffd09777 #x6a22c421 #x26e23624 #x55b13d2a)\n"
  "  (fftw_codelet_n2fv_10_avx 0 #x11bdd #x11bdd #x0 #x70289adc #xdf6353ad #x7fcbfd48 #x4af238de)\n"
  ")\n";

fftw_plan evx_feat_frame_plan(double *in, fftw_complex *out)
{
  fftw_plan p = NULL;
  if (fftw_import_wisdom_from_string(frame_fft_wisdom))
    p = fftw_plan_dft_1d((int)EVX_HALF_FFT, (fftw_complex *)in, out, FFTW_FORWARD,
                         FFTW_MEASURE | FFTW_WISDOM_ONLY);
  return p ? p
           : fftw_plan_dft_1d((int)EVX_HALF_FFT, (fftw_complex *)in, out, FFTW_FORWARD,
                              FFTW_ESTIMATE);
}

/* The banks, once per instruction set (evx_feat_simd.h). */
#define SFX generic
#define VL 4
#define KTARGET
#define EVEN 0, 2
#define ODD 1, 3
#define TO_VD(h) __builtin_convertvector(h, VD)
#define EVEN_REV 2, 0
#define ODD_REV 3, 1
#define REV 1, 0
#define QUADS(p, l) load4((p) + (l)[0])
#define TLO 0, 4, 1, 5
#define THI 2, 6, 3, 7
#define TLH 0, 1, 4, 5
#define THL 2, 3, 6, 7
#define MASK_BITS(v) (unsigned)(((v)[0] & 1) | ((v)[1] & 2) | ((v)[2] & 4) | ((v)[3] & 8))
#include "evx_feat_simd.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define EVX_FEAT_X86 1
#define SFX avx2
#define VL 8
#define KTARGET __attribute__((target("avx2,popcnt")))  /* no "fma": sums stay unfused */
#define EVEN 0, 2, 4, 6
#define ODD 1, 3, 5, 7
#define TO_VD(h) (VD) _mm256_cvtps_pd((__m128)(h))  /* convertvector takes it in halves */
#define EVEN_REV 6, 4, 2, 0
#define ODD_REV 7, 5, 3, 1
#define REV 3, 2, 1, 0
#define QUADS(p, l) __builtin_shufflevector(load4((p) + (l)[0]), load4((p) + (l)[4]), 0, 1, 2, 3, 4, 5, 6, 7)
#define TLO 0, 8, 1, 9, 4, 12, 5, 13
#define THI 2, 10, 3, 11, 6, 14, 7, 15
#define TLH 0, 1, 8, 9, 4, 5, 12, 13
#define THL 2, 3, 10, 11, 6, 7, 14, 15
#define MASK_BITS(v) (unsigned)_mm256_movemask_ps((__m256)(v))
#include "evx_feat_simd.h"
#endif

evx_feat_banks_fn evx_feat_banks_named(const char *isa)
{
#ifdef EVX_FEAT_X86
  __builtin_cpu_init();
  if (!strcmp(isa, "avx2"))
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") ? frame_banks_avx2 : NULL;
#endif
  return !strcmp(isa, "generic") ? frame_banks_generic : NULL;
}

evx_feat_banks_fn evx_feat_banks_pick(void)
{
  evx_feat_banks_fn f = evx_feat_banks_named("avx2");
  return f ? f : frame_banks_generic;
}

_Static_assert(EVX_HALF_FFT == 200 && EVX_FRAME % 16 == 0 && EVX_N_MEL % 4 == 0 && EVX_N_CHROMA == 12 &&
               EVX_MFCC_LANES == 24 && EVX_MEL_LANES == 8 && EVX_MEL_BLOCK == 4 &&
               EVX_CHROMA_BAND == 8,
               "vector loops assume these sizes");

void evx_feat_frame_compute(const evx_feat_frame *f, const float *x, float *out)
{
  float mel[EVX_N_MEL], chroma[EVX_CHROMA_LANES], mfcc[EVX_MFCC_LANES], zr[2];
  float norm[EVX_N_CHROMA];
  f->banks(f, x, mel, chroma, mfcc, zr);
  chroma_normalize(chroma, norm);
  /* Inputs are bounded by the caller, so the cleaning never fires; it is the
   * last line of the "outputs are always finite" promise (non-finite -> 0). */
  copy_finite(out + EVX_F_ZCR, zr, 1);
  copy_finite(out + EVX_F_CHROMA, norm, EVX_N_CHROMA);
  copy_finite(out + EVX_F_MFCC, mfcc, EVX_N_MFCC);
  copy_finite(out + EVX_F_RMS, zr + 1, 1);
  copy_finite(out + EVX_F_MEL, mel, EVX_N_MEL);
}
