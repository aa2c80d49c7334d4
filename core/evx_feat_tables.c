/* evx_feat_tables.c: window, mel, chroma and DCT tables of features v1,
 * computed the way librosa 0.9.2 / scipy compute them (same formulas, same
 * order of operations, float64 then rounded to float32 where librosa's
 * dtype=float32 rounds). Runs in init only (any thread, not RT). */
#include "evx_feat_tables.h"

#include <math.h>
#include <string.h>

/* np.linspace(start, stop, num, endpoint) element i. */
static double linspace_at(double start, double stop, unsigned num, int endpoint,
                          unsigned i)
{
  unsigned div = endpoint ? num - 1 : num;
  if (endpoint && i == num - 1)
    return stop;
  return (double)i * ((stop - start) / div) + start;
}

/* scipy.signal.get_window('hann', N, fftbins=!symmetric). */
static void build_window(double *w, int symmetric)
{
  unsigned m = symmetric ? EVX_FRAME : EVX_FRAME + 1;  /* periodic: N+1, cut */
  for (unsigned i = 0; i < EVX_FRAME; i++)
    w[i] = 0.5 + 0.5 * cos(linspace_at(-M_PI, M_PI, m, 1, i));
}

/* librosa.hz_to_mel / mel_to_hz (Slaney unless htk). */
static double hz_to_mel(double f, int htk)
{
  if (htk)
    return 2595.0 * log10(1.0 + f / 700.0);
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp, logstep = log(6.4) / 27.0;
  return f >= min_log_hz ? min_log_mel + log(f / min_log_hz) / logstep : f / f_sp;
}

static double mel_to_hz(double m, int htk)
{
  if (htk)
    return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp, logstep = log(6.4) / 27.0;
  return m >= min_log_mel ? min_log_hz * exp(logstep * (m - min_log_mel)) : f_sp * m;
}

/* Filter m of librosa.filters.mel(sr=16000, n_fft=400, n_mels=64, fmin=0,
 * fmax=8000, norm='slaney', dtype=float32) into w; its nonzero span is
 * [*lo, *lo + *len). */
static void mel_filter(const double *mel_f, unsigned m, float *w, unsigned *lo, unsigned *len)
{
  const double fdiff_lo = mel_f[m + 1] - mel_f[m], fdiff_hi = mel_f[m + 2] - mel_f[m + 1];
  const double enorm = 2.0 / (mel_f[m + 2] - mel_f[m]);
  unsigned first = EVX_NBINS, hi = 0;
  for (unsigned k = 0; k < EVX_NBINS; k++) {
    const double fk = (double)k * ((double)EVX_SR / EVX_FRAME);
    const double lower = -(mel_f[m] - fk) / fdiff_lo;
    const double upper = (mel_f[m + 2] - fk) / fdiff_hi;
    const float tri = (float)fmax(0.0, fmin(lower, upper));
    w[k] = (float)((double)tri * enorm);
    if (w[k] != 0.0f) {
      first = k < first ? k : first;
      hi = k + 1;
    }
  }
  if (hi == 0)  /* empty filter (cannot happen for v1): one zero weight */
    first = 0, hi = 1;
  *lo = first;
  *len = hi - first;
}

/* The mel bank, each group's filters interleaved into its rows
 * (evx_feat_tables.h); -1 if they do not fit EVX_MEL_ROWS. */
static int build_mel(evx_feat_tables *t, int htk)
{
  double mel_f[EVX_N_MEL + 2];
  const double min_mel = hz_to_mel(0.0, htk), max_mel = hz_to_mel(EVX_SR / 2.0, htk);
  for (unsigned i = 0; i < EVX_N_MEL + 2; i++)
    mel_f[i] = mel_to_hz(linspace_at(min_mel, max_mel, EVX_N_MEL + 2, 1, i), htk);

  memset(t->mel_gw, 0, sizeof t->mel_gw);
  unsigned row = 0;
  for (unsigned g = 0; g < EVX_MEL_GROUPS; g++) {
    float w[EVX_MEL_LANES][EVX_NBINS];
    unsigned lo[EVX_MEL_LANES], len[EVX_MEL_LANES], steps = 0;
    for (unsigned j = 0; j < EVX_MEL_LANES; j++) {
      mel_filter(mel_f, g * EVX_MEL_LANES + j, w[j], &lo[j], &len[j]);
      steps = len[j] > steps ? len[j] : steps;
    }
    steps = (steps + EVX_MEL_BLOCK - 1) / EVX_MEL_BLOCK * EVX_MEL_BLOCK;
    t->mel_row0[g] = (uint16_t)row;
    if (row + steps > EVX_MEL_ROWS || steps > EVX_NBINS)
      return -1;
    for (unsigned j = 0; j < EVX_MEL_LANES; j++) {
      /* a lane starts early where its rows would run past the last bin */
      const unsigned start = lo[j] < EVX_NBINS - steps ? lo[j] : EVX_NBINS - steps;
      t->mel_start[g][j] = (int32_t)start;
      for (unsigned s = 0; s < steps; s++)  /* 0 outside [lo, lo + len) */
        t->mel_gw[row + s][j] = w[j][start + s];
    }
    row += steps;
  }
  t->mel_row0[EVX_MEL_GROUPS] = (uint16_t)row;
  return 0;
}

/* librosa.filters.chroma(sr=16000, n_fft=400, n_chroma=12, tuning=0,
 * ctroct=5, octwidth=2, norm=2, base_c=True) into w[bin][chroma]. */
static void chroma_bank(float w[EVX_NBINS][EVX_N_CHROMA], int base_c)
{
  enum { N = EVX_FRAME, C = EVX_N_CHROMA };
  double frqbins[N], binw[N];
  for (unsigned j = 1; j < N; j++) {
    const double f = linspace_at(0.0, EVX_SR, N, 0, j);
    frqbins[j] = C * log2(f / (440.0 / 16));
  }
  frqbins[0] = frqbins[1] - 1.5 * C;  /* made-up DC bin, 1.5 octaves down */
  for (unsigned j = 0; j + 1 < N; j++)
    binw[j] = fmax(frqbins[j + 1] - frqbins[j], 1.0);
  binw[N - 1] = 1.0;

  for (unsigned j = 0; j < EVX_NBINS; j++) {
    double col[C], norm2 = 0.0;
    for (unsigned i = 0; i < C; i++) {
      double d = fmod(frqbins[j] - i + 6.0 + 10.0 * C, C) - 6.0;
      col[i] = exp(-0.5 * pow(2.0 * d / binw[j], 2.0));
      norm2 += col[i] * col[i];
    }
    const double len = sqrt(norm2);  /* util.normalize(norm=2, axis=0) */
    const double oct = exp(-0.5 * pow((frqbins[j] / C - 5.0) / 2.0, 2.0));
    for (unsigned i = 0; i < C; i++) {
      const unsigned row = base_c ? (i + C - 3) % C : i;  /* np.roll(-3) */
      w[j][row] = (float)(col[i] / len * oct);
    }
  }
}

/* The band (EVX_CHROMA_BAND chroma from 2b) that leaves out the smallest
 * weights of column w, or -1 if what it leaves out is above the drop level. */
static int chroma_band_of(const float *w)
{
  float top = 0.0f;
  for (unsigned c = 0; c < EVX_N_CHROMA; c++)
    top = w[c] > top ? w[c] : top;
  int best = -1;
  float best_out = INFINITY;
  for (unsigned b = 0; b < EVX_CHROMA_BANDS; b++) {
    float out = 0.0f;
    for (unsigned l = EVX_CHROMA_BAND; l < EVX_N_CHROMA; l++) {
      const float v = w[(2 * b + l) % EVX_N_CHROMA];
      out = v > out ? v : out;
    }
    if (out < best_out)
      best_out = out, best = (int)b;
  }
  return best_out <= EVX_CHROMA_DROP * top ? best : -1;
}

/* The chroma bank split into wide rows and narrow bands' runs
 * (evx_feat_tables.h). */
static void build_chroma(evx_feat_tables *t, int base_c)
{
  float w[EVX_NBINS][EVX_N_CHROMA];
  int band[EVX_NBINS];
  chroma_bank(w, base_c);
  memset(t->chroma_w, 0, sizeof t->chroma_w);
  memset(t->chroma_bw, 0, sizeof t->chroma_bw);
  memset(t->chroma_wide, 0, sizeof t->chroma_wide);
  unsigned nwide = 0;
  for (unsigned j = 0; j < EVX_NBINS; j++) {
    band[j] = chroma_band_of(w[j]);
    if (band[j] < 0) {
      t->chroma_wide[nwide] = (uint16_t)j;
      memcpy(t->chroma_w[nwide++], w[j], sizeof w[j]);
    }
  }
  t->chroma_nwide = (uint16_t)((nwide + 3) / 4 * 4);
  unsigned run = 0, row = 0;
  for (unsigned b = 0; b < EVX_CHROMA_BANDS; b++) {
    t->chroma_run0[b] = (uint16_t)run;
    for (unsigned j = 0; j < EVX_NBINS; j++) {
      if (band[j] != (int)b)
        continue;
      if (j == 0 || band[j - 1] != (int)b) {  /* a new run */
        t->chroma_run_bin[run] = (uint16_t)j;
        t->chroma_run_len[run++] = 0;
      }
      t->chroma_run_len[run - 1]++;
      for (unsigned l = 0; l < EVX_CHROMA_BAND; l++)
        t->chroma_bw[row][l] = w[j][(2 * b + l) % EVX_N_CHROMA];
      row++;
    }
  }
  t->chroma_run0[EVX_CHROMA_BANDS] = (uint16_t)run;
}

/* scipy.fftpack.dct(type=2, norm='ortho'), first 20 rows, input-major. */
static void build_dct(evx_feat_tables *t)
{
  memset(t->dct, 0, sizeof t->dct);
  for (unsigned k = 0; k < EVX_N_MFCC; k++) {
    const double scale = k == 0 ? sqrt(1.0 / EVX_N_MEL) : sqrt(2.0 / EVX_N_MEL);
    for (unsigned n = 0; n < EVX_N_MEL; n++)
      t->dct[n][k] = (float)(scale * cos(M_PI * k * (2.0 * n + 1.0) / (2.0 * EVX_N_MEL)));
  }
}

/* The real FFT's split twiddles (evx_feat_tables.h). */
static void build_twiddles(evx_feat_tables *t)
{
  for (unsigned k = 0; k < EVX_HALF_FFT / 2; k++) {
    t->tw_re[k] = cos(2.0 * M_PI * k / EVX_FRAME);
    t->tw_im[k] = -sin(2.0 * M_PI * k / EVX_FRAME);
  }
}

int evx_feat_tables_build(evx_feat_tables *t, unsigned variant)
{
  build_twiddles(t);
  build_window(t->window, (variant & EVX_FX_SYMMETRIC_HANN) != 0);
  build_chroma(t, (variant & EVX_FX_CHROMA_BASE_A) == 0);
  build_dct(t);
  return build_mel(t, (variant & EVX_FX_HTK_MEL) != 0);
}
