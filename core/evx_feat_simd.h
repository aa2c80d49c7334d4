/* evx_feat_simd.h: a frame's zcr, rms, window, power spectrum and filter banks (mel,
 * chroma, DCT), written once and included by evx_feat_frame.c once per
 * instruction set. The includer defines SFX (name suffix), VL (float lanes
 * of one vector: 4 or 8), KTARGET (a target attribute or nothing; never one
 * with FMA, which would fuse the products and sums), EVEN/ODD (the
 * __builtin_shufflevector indices of the even and odd elements of two VL/2
 * double vectors), EVEN_REV/ODD_REV (the same in reverse order), REV (one
 * VL/2 double vector reversed), TO_VD(h) (a VH converted to a VD), QUADS(p, l) (the VF of
 * the four floats at p + l[0], then at p + l[4], ...: one per quad of lanes) and TLO, THI,
 * TLH, THL (the indices, repeated in every quad of lanes, of unpacklo, unpackhi,
 * movelh and movehl of two VFs: a 4 x 4 transpose per quad) and MASK_BITS(v) (an
 * unsigned with bit l set where lane l of the VI v is -1);
 * it undefines them at its end. Every lane runs the scalar definition's operations in
 * its order, so every version gives the same bits. */
#define FS_CAT_(a, b) a##b
#define FS_CAT(a, b) FS_CAT_(a, b)
#define VF FS_CAT(fvf_, SFX)
#define VD FS_CAT(fvd_, SFX)
#define VH FS_CAT(fvh_, SFX)
#define VI FS_CAT(fvi_, SFX)

typedef float VF __attribute__((vector_size(VL * 4)));
typedef double VD __attribute__((vector_size(VL * 4)));  /* VL / 2 doubles */
typedef float VH __attribute__((vector_size(VL * 2)));   /* VL / 2 floats */
typedef int32_t VI __attribute__((vector_size(VL * 4)));

/* 10 log10(max(x, 1e-10)) on VL lanes: exponent from the bits, ln of the
 * mantissa (in [sqrt(1/2), sqrt(2))) by the atanh series to t^9, which is
 * within 1e-7 of log10f: 1e-6 dB, far below what the MFCC tolerance needs. */
KTARGET static inline VF FS_CAT(db_, SFX)(VF x)
{
  const VF amin = (VF){ 0 } + 1e-10f;
  const VI above = x > amin;  /* inputs are finite: no NaN here */
  const VI bits = ((VI)x & above) | ((VI)amin & ~above);
  /* split x = 2^e * m with m in [sqrt(1/2), sqrt(2)) */
  const VI off = bits - 0x3f3504f3;  /* bits of sqrt(1/2) */
  const VI e = off >> 23;
  const VI mbits = bits - (e << 23);
  VF m;
  memcpy(&m, &mbits, sizeof m);
  const VF one = (VF){ 0 } + 1.0f;
  const VF t = (m - one) / (m + one), t2 = t * t;
  const VF series = one + t2 * (1.0f / 3 + t2 * (1.0f / 5 + t2 * (1.0f / 7 + t2 * (1.0f / 9))));
  const VF ln_m = 2.0f * t * series;
  const VF ef = __builtin_convertvector(e, VF);
  /* 10 log10(x) = 10/ln(10) * (e ln 2 + ln m) */
  return (float)(10.0 / M_LN10) * (ef * (float)M_LN2 + ln_m);
}

/* zero_crossings(threshold=1e-10, zero_pos=True, pad=False) / frame length:
 * samples with |x| <= 1e-10 count as +0, so a crossing is a change of
 * "strictly below -1e-10" between neighbours. Each vector's comparison
 * becomes VL bits of a 64-bit word (bit i: sample 64w + i below), and the
 * pairs that differ are word ^ (word shifted by one, the next word's bit 0
 * at the top), counted: no shuffle of neighbours between vectors, no load
 * across the stores that just wrote the frame. A count: exact. */
/* bit j set where x[j] < -1e-10, j < n (a multiple of VL, at most 64) */
KTARGET static inline uint64_t FS_CAT(below_bits_, SFX)(const float *x, unsigned n)
{
  const VF neg_thr = (VF){ 0 } - 1e-10f;
  uint64_t m = 0;
  for (unsigned j = 0; j < n; j += VL) {
    VF a;
    memcpy(&a, x + j, sizeof a);
    m |= (uint64_t)MASK_BITS((VI)(a < neg_thr)) << j;
  }
  return m;
}

KTARGET static inline float FS_CAT(zcr_, SFX)(const float *x)
{
  enum { NW = (EVX_FRAME + 63) / 64, TAIL = EVX_FRAME - 64 * (NW - 1) };
  uint64_t word[NW];
#pragma GCC unroll 8
  for (unsigned w = 0; w + 1 < NW; w++)
    word[w] = FS_CAT(below_bits_, SFX)(x + 64 * w, 64);
  word[NW - 1] = FS_CAT(below_bits_, SFX)(x + 64 * (NW - 1), TAIL);
  int count = 0;
  for (unsigned w = 0; w + 1 < NW; w++)
    count += __builtin_popcountll(word[w] ^ (word[w] >> 1 | word[w + 1] << 63));
  const uint64_t last = word[NW - 1];  /* TAIL samples: TAIL - 1 pairs */
  count += __builtin_popcountll((last ^ last >> 1) & ((UINT64_C(1) << (TAIL - 1)) - 1));
  return (float)count / (float)EVX_FRAME;
}

/* c[v] += w[v] * p for the VLs of a chroma band's row. */
KTARGET static inline void FS_CAT(band_add_, SFX)(VF *c, const float *w, float p)
{
  for (unsigned v = 0; v < EVX_CHROMA_BAND / VL; v++) {
    VF wv;
    memcpy(&wv, w + v * VL, sizeof wv);
    c[v] += wv * p;
  }
}

/* Window (in double), FFT and |X|^2 into f->power; then mel[64],
 * chroma[16] (the bank's sums, lanes 12..15 are 0) and the DCT of the mel
 * powers in dB, mfcc[24] (lanes 20..23 are 0). */
KTARGET static void FS_CAT(frame_banks_, SFX)(const evx_feat_frame *f, const float *x,
                                              float *mel, float *chroma, float *mfcc,
                                              float *zr)
{
  zr[0] = FS_CAT(zcr_, SFX)(x);
  const evx_feat_tables *t = f->t;
  double *in = f->fft_in;  /* a local: stores through it cannot move it */
  /* the window, and rms(y, center=False) from the same loads: sqrt(mean(x^2)),
   * no window, summed as four 4-lane accumulators over x[16i + 4j ..] (j =
   * 0..3) */
  v4sf acc[4] = { { 0 } };
  for (unsigned i = 0; i < EVX_FRAME; i += 16)
#pragma GCC unroll 4
    for (unsigned j = 0; j < 4; j++) {
      const v4sf q = load4(x + i + 4 * j);
      acc[j] += q * q;
#pragma GCC unroll 2
      for (unsigned h = 0; h < 4; h += VL / 2) {
        VH xh;
        VD w;
        memcpy(&xh, (const float *)&q + h, sizeof xh);
        memcpy(&w, t->window + i + 4 * j + h, sizeof w);
        const VD y = w * TO_VD(xh);
        memcpy(in + i + 4 * j + h, &y, sizeof y);
      }
    }
  float sq[4];
  for (unsigned l = 0; l < 4; l++) sq[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
  zr[1] = sqrtf(((sq[0] + sq[1]) + (sq[2] + sq[3])) / (float)EVX_FRAME);
  fftw_execute(f->plan);

  /* Z = FFT200(even + i odd) into the real FFT's |X|^2. For 0 < k < 100
   * and Z[k] = a + ib, Z[200 - k] = c + id: 2E = (a + c) + i(b - d) and
   * 2O = (b + d) + i(c - a) are twice the even and odd samples' FFTs,
   * 2T = W^k 2O, and X[k] = E + T, X[200 - k] = conj(E - T). */
  enum { H = EVX_HALF_FFT, Q = EVX_HALF_FFT / 2, QV = (Q - 1) / (VL / 2) * (VL / 2) };
  const double *c = (const double *)f->fft_out;
  float *power = f->power;
  const VD quarter = (VD){ 0 } + 0.25;
  unsigned k = 1;
  for (; k < 1 + QV; k += VL / 2) {  /* the bins k..k+VL/2-1 and their mirrors */
    VD u0, u1, m0, m1, wr, wi;
    memcpy(&u0, c + 2 * k, sizeof u0);
    memcpy(&u1, c + 2 * k + VL / 2, sizeof u1);
    memcpy(&m0, c + 2 * (H - k - (VL / 2 - 1)), sizeof m0);
    memcpy(&m1, c + 2 * (H - k - (VL / 2 - 1)) + VL / 2, sizeof m1);
    memcpy(&wr, t->tw_re + k, sizeof wr);
    memcpy(&wi, t->tw_im + k, sizeof wi);
    const VD a = __builtin_shufflevector(u0, u1, EVEN), b = __builtin_shufflevector(u0, u1, ODD);
    const VD cc = __builtin_shufflevector(m0, m1, EVEN_REV);
    const VD d = __builtin_shufflevector(m0, m1, ODD_REV);
    const VD er = a + cc, ei = b - d, odr = b + d, odi = cc - a;
    const VD tr = wr * odr - wi * odi, ti = wr * odi + wi * odr;
    const VD pr = er + tr, pi = ei + ti, qr = er - tr, qi = ei - ti;
    const VH lo = __builtin_convertvector((pr * pr + pi * pi) * quarter, VH);
    const VD hi = (qr * qr + qi * qi) * quarter;
    const VH hir = __builtin_convertvector(__builtin_shufflevector(hi, hi, REV), VH);
    memcpy(power + k, &lo, sizeof lo);
    memcpy(power + H - k - (VL / 2 - 1), &hir, sizeof hir);
  }
  for (; k < Q; k++) {  /* the same, one lane */
    const double a = c[2 * k], b = c[2 * k + 1], cc = c[2 * (H - k)], d = c[2 * (H - k) + 1];
    const double wr = t->tw_re[k], wi = t->tw_im[k];
    const double er = a + cc, ei = b - d, odr = b + d, odi = cc - a;
    const double tr = wr * odr - wi * odi, ti = wr * odi + wi * odr;
    const double pr = er + tr, pi = ei + ti, qr = er - tr, qi = ei - ti;
    power[k] = (float)((pr * pr + pi * pi) * 0.25);
    power[H - k] = (float)((qr * qr + qi * qi) * 0.25);
  }
  power[0] = (float)((c[0] + c[1]) * (c[0] + c[1]));          /* X[0] = a + b */
  power[H] = (float)((c[0] - c[1]) * (c[0] - c[1]));          /* X[200] = a - b */
  power[Q] = (float)(c[2 * Q] * c[2 * Q] + c[2 * Q + 1] * c[2 * Q + 1]); /* conj(Z[100]) */

  /* mel: each lane sums one filter over its bins in order (the group's
   * rows); the lanes only hide one another's add latency. Four rows at a
   * time: each lane's four powers are one load, and a 4 x 4 transpose per
   * quad of lanes turns them into rows (a gather per row cost more). */
  enum { NM = EVX_MEL_LANES / VL, NC = EVX_CHROMA_LANES / VL, ND = EVX_MFCC_LANES / VL };
  for (unsigned g = 0; g < EVX_MEL_GROUPS; g++) {
    VF acc[NM] = { { 0 } };
    for (unsigned r = t->mel_row0[g]; r < t->mel_row0[g + 1]; r += EVX_MEL_BLOCK)
#pragma GCC unroll 2
      for (unsigned v = 0; v < NM; v++) {
        const float *p = power + (r - t->mel_row0[g]);
        const int32_t *l = t->mel_start[g] + v * VL;
        const VF y0 = QUADS(p, l), y1 = QUADS(p, l + 1), y2 = QUADS(p, l + 2),
                 y3 = QUADS(p, l + 3);
        const VF t0 = __builtin_shufflevector(y0, y1, TLO), t1 = __builtin_shufflevector(y0, y1, THI);
        const VF t2 = __builtin_shufflevector(y2, y3, TLO), t3 = __builtin_shufflevector(y2, y3, THI);
        const VF row[EVX_MEL_BLOCK] = {
          __builtin_shufflevector(t0, t2, TLH), __builtin_shufflevector(t0, t2, THL),
          __builtin_shufflevector(t1, t3, TLH), __builtin_shufflevector(t1, t3, THL)
        };
#pragma GCC unroll 4
        for (unsigned i = 0; i < EVX_MEL_BLOCK; i++) {
          VF w;
          memcpy(&w, t->mel_gw[r + i] + v * VL, sizeof w);
          acc[v] += w * row[i];
        }
      }
    for (unsigned v = 0; v < NM; v++) {
      const VF a = acc[v];  /* a copy: acc itself stays in registers */
      memcpy(mel + g * EVX_MEL_LANES + v * VL, &a, sizeof a);
    }
  }

  /* chroma, wide bins: every lane a chroma; row i adds into chain i % 4 and
   * the chains meet as (0 + 1) + (2 + 3): one chain would wait on the add
   * latency at every row */
  VF ch[4][NC] = { { { 0 } } };
  for (unsigned i = 0; i < t->chroma_nwide; i += 4)
#pragma GCC unroll 4
    for (unsigned j = 0; j < 4; j++) {
      const float p = power[t->chroma_wide[i + j]];
#pragma GCC unroll 4
      for (unsigned v = 0; v < NC; v++) {
        VF w;
        memcpy(&w, t->chroma_w[i + j] + v * VL, sizeof w);
        ch[j][v] += w * p;
      }
    }
  float wide[EVX_CHROMA_LANES];
  for (unsigned v = 0; v < NC; v++) {
    const VF a = (ch[0][v] + ch[1][v]) + (ch[2][v] + ch[3][v]);
    memcpy(wide + v * VL, &a, sizeof a);
  }

  /* narrow bins: a band's EVX_CHROMA_BAND lanes at a time, its rows in four
   * chains as above (a run's last rows into chains 0, 1, 2), run by run:
   * each run's powers are consecutive bins */
  enum { NB = EVX_CHROMA_BAND / VL };
  float band[EVX_CHROMA_BANDS][EVX_CHROMA_BAND];
  const float (*bw)[EVX_CHROMA_BAND] = t->chroma_bw;
  for (unsigned b = 0; b < EVX_CHROMA_BANDS; b++) {
    VF cb[4][NB] = { { { 0 } } };
    for (unsigned r = t->chroma_run0[b]; r < t->chroma_run0[b + 1]; r++) {
      const float *p = power + t->chroma_run_bin[r];
      const unsigned n = t->chroma_run_len[r];
      unsigned i = 0;
      for (; i + 4 <= n; i += 4, bw += 4)
#pragma GCC unroll 4
        for (unsigned j = 0; j < 4; j++)
          FS_CAT(band_add_, SFX)(cb[j], bw[j], p[i + j]);
      if (i < n)
        FS_CAT(band_add_, SFX)(cb[0], bw[0], p[i]);
      if (i + 1 < n)
        FS_CAT(band_add_, SFX)(cb[1], bw[1], p[i + 1]);
      if (i + 2 < n)
        FS_CAT(band_add_, SFX)(cb[2], bw[2], p[i + 2]);
      bw += n - i;
    }
    for (unsigned v = 0; v < NB; v++) {
      const VF a = (cb[0][v] + cb[1][v]) + (cb[2][v] + cb[3][v]);
      memcpy(band[b] + v * VL, &a, sizeof a);
    }
  }
  /* each chroma: the wide sum, then the bands that hold it in order */
#pragma GCC unroll 12
  for (unsigned c = 0; c < EVX_N_CHROMA; c++) {
    float s = wide[c];
#pragma GCC unroll 6
    for (unsigned b = 0; b < EVX_CHROMA_BANDS; b++) {
      const unsigned l = (c + EVX_N_CHROMA - 2 * b) % EVX_N_CHROMA;
      if (l < EVX_CHROMA_BAND)
        s += band[b][l];
    }
    chroma[c] = s;
  }
  for (unsigned c = EVX_N_CHROMA; c < EVX_CHROMA_LANES; c++)
    chroma[c] = 0.0f;

  /* power_to_db(ref=1, amin=1e-10, top_db=None), then the DCT-II (ortho,
   * 20 kept) input-major, every lane a coefficient */
  float db[EVX_N_MEL];
  for (unsigned n = 0; n < EVX_N_MEL; n += VL) {
    VF d;
    memcpy(&d, mel + n, sizeof d);
    d = FS_CAT(db_, SFX)(d);
    memcpy(db + n, &d, sizeof d);
  }
  VF dc[ND] = { { 0 } };
#pragma GCC unroll 4
  for (unsigned n = 0; n < EVX_N_MEL; n++) {
    const float d = db[n];
#pragma GCC unroll 6
    for (unsigned v = 0; v < ND; v++) {
      VF w;
      memcpy(&w, t->dct[n] + v * VL, sizeof w);
      dc[v] += w * d;
    }
  }
  for (unsigned v = 0; v < ND; v++) {
    const VF a = dc[v];
    memcpy(mfcc + v * VL, &a, sizeof a);
  }
}

#undef VF
#undef VD
#undef VH
#undef VI
#undef SFX
#undef VL
#undef KTARGET
#undef EVEN
#undef ODD
#undef TO_VD
#undef EVEN_REV
#undef ODD_REV
#undef REV
#undef QUADS
#undef TLO
#undef THI
#undef TLH
#undef THL
#undef MASK_BITS
