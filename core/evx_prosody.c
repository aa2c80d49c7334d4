/* evx_prosody.c: the streaming prosody tracker (evx_prosody.h): caller-owned
 * memory, FFTW float plans at init, and the RT path that turns each 40 ms
 * window into F0 candidates, a causal path through them, pulses for jitter
 * and shimmer, and spectral descriptors. */
#include "evx_prosody.h"
#include "evx_features.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#define W        EVX_PR_WINDOW
#define HIST     (W - EVX_FRAME)          /* samples kept before each frame */
#define NFFT     1024u                    /* >= W + LAG_MAX: no wrap-around */
#define NBIN     (NFFT / 2u + 1u)
#define LAG_MIN  26u                      /* 16000 / 600 Hz, rounded down */
#define LAG_MAX  215u                     /* W / 3 + 2, as Praat bounds it */
#define MAX_CAND 9u                       /* 0: unvoiced, then voiced peaks */

/* Praat's "To Pitch (ac)" defaults (time step 10 ms: no step correction). */
#define VOICING_THRESHOLD  0.45f
#define SILENCE_THRESHOLD  0.03f
#define OCTAVE_COST        0.01f
#define OCTAVE_JUMP_COST   0.35f
#define VOICED_UNVOICED    0.14f

/* The peak the silence threshold is relative to falls 6 dB in 5 s (500
 * frames), so a voice that gets quieter is judged against itself. */
#define PEAK_DECAY  0.998614f             /* 0.5 ^ (1 / 500) */
/* ... but never below -46 dBFS: before the first word there is no voice to
 * be relative to, and room noise must not count as voice. Only windows below
 * -74 dBFS (3% of it, the silence threshold) are affected. */
#define PEAK_FLOOR  0.005f
/* The voice's median F0: histogram of semitones re 27.5 Hz, voiced frames
 * weighted with a 1000-frame (10 s of voicing) half-life. */
#define ST_LO       16.0f                 /* 70 Hz */
#define ST_BIN      0.25f
#define ST_BINS     164u                  /* up to 57 st (735 Hz) */
#define ST_DECAY    0.999307f             /* 0.5 ^ (1 / 1000) */

#define N_BARK 21u
static const float bark_edges[N_BARK + 1] = {
  0, 100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720, 2000,
  2320, 2700, 3150, 3700, 4400, 5300, 6400, 7700
};

const char *const evx_pr_names[EVX_NPROS] = {
  "f0", "voiced", "periodicity", "hnr", "st", "st_voice", "jitter", "shimmer",
  "loudness", "slope_0_500", "slope_500_1500", "alpha", "hammarberg"
};

typedef struct {
  float freq;      /* 0: the unvoiced candidate */
  float r;         /* normalised autocorrelation at the peak */
} cand;

struct evx_pr {
  float win[W] __attribute__((aligned(64)));     /* Hann */
  float win_ac[LAG_MAX + 2];                     /* window autocorrelation / its lag 0 */
  float hist[HIST];                              /* samples before the frame */
  float x[W];                                    /* the mean-removed window */
  float *fft_in;                                 /* NFFT reals (plan buffer) */
  fftwf_complex *fft_out;                        /* NBIN bins (plan buffer) */
  float *ac;                                     /* NFFT reals (inverse output) */
  fftwf_plan fwd, inv;
  float power[NBIN];                             /* mean-square per bin */
  float norm_r[LAG_MAX + 2];
  cand prev[MAX_CAND];
  float prev_delta[MAX_CAND];
  uint32_t n_prev;
  float peak;                                    /* decaying peak of |x| */
  float st_hist[ST_BINS];
  float st_total;
};

static size_t align64(size_t x) { return (x + 63u) & ~(size_t)63u; }

static size_t off_fft_in(void) { return align64(sizeof(struct evx_pr)); }
static size_t off_fft_out(void) { return align64(off_fft_in() + sizeof(float) * NFFT); }
static size_t off_ac(void) { return align64(off_fft_out() + sizeof(fftwf_complex) * NBIN); }

size_t evx_pr_size(void)
{
  return align64(off_ac() + sizeof(float) * NFFT) + 63u;
}

/* FFTW's float planner is not thread-safe: our planner calls hold this lock,
 * and FFTW's own hook covers planner calls made elsewhere in the process. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t planner_once = PTHREAD_ONCE_INIT;
static void planner_make_safe(void) { fftwf_make_planner_thread_safe(); }

static void build_window(evx_pr *pr)
{
  for (uint32_t i = 0; i < W; i++)
    pr->win[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * (i + 0.5) / W));
  double r0 = 0;
  for (uint32_t i = 0; i < W; i++)
    r0 += (double)pr->win[i] * pr->win[i];
  for (uint32_t lag = 0; lag < LAG_MAX + 2; lag++) {
    double r = 0;
    for (uint32_t i = 0; i + lag < W; i++)
      r += (double)pr->win[i] * pr->win[i + lag];
    pr->win_ac[lag] = (float)(r / r0);
  }
}

evx_pr *evx_pr_init(void *mem, size_t size)
{
  if (!mem || size < evx_pr_size())
    return NULL;
  char *base = (char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u);
  memset(base, 0, evx_pr_size() - 63u);
  evx_pr *pr = (evx_pr *)base;
  pr->fft_in = (float *)(base + off_fft_in());
  pr->fft_out = (fftwf_complex *)(base + off_fft_out());
  pr->ac = (float *)(base + off_ac());
  build_window(pr);
  pthread_once(&planner_once, planner_make_safe);
  pthread_mutex_lock(&planner_lock);
  /* ESTIMATE: deterministic plans that never touch the buffers. */
  pr->fwd = fftwf_plan_dft_r2c_1d((int)NFFT, pr->fft_in, pr->fft_out, FFTW_ESTIMATE);
  pr->inv = fftwf_plan_dft_c2r_1d((int)NFFT, pr->fft_out, pr->ac, FFTW_ESTIMATE);
  pthread_mutex_unlock(&planner_lock);
  if (!pr->fwd || !pr->inv) {
    evx_pr_destroy(pr);
    return NULL;
  }
  evx_pr_reset(pr);
  return pr;
}

void evx_pr_destroy(evx_pr *pr)
{
  if (!pr)
    return;
  pthread_mutex_lock(&planner_lock);
  if (pr->fwd)
    fftwf_destroy_plan(pr->fwd);
  if (pr->inv)
    fftwf_destroy_plan(pr->inv);
  pthread_mutex_unlock(&planner_lock);
  pr->fwd = pr->inv = NULL;
}

void evx_pr_reset(evx_pr *pr)
{
  memset(pr->hist, 0, sizeof pr->hist);
  memset(pr->st_hist, 0, sizeof pr->st_hist);
  pr->st_total = 0;
  pr->peak = 0;
  pr->n_prev = 1;                 /* start from silence: unvoiced */
  pr->prev[0] = (cand){ 0, 0 };
  pr->prev_delta[0] = 0;
}

/* ---- window, spectrum and autocorrelation (audio thread) ---- */

/* x = the 640 samples ending with frame, mean removed; returns the peak
 * |x| within half the longest period (75 Hz) of the window's centre, where
 * Praat measures the local peak for its silence threshold. */
static float load_window(evx_pr *pr, const float *frame)
{
  memcpy(pr->x, pr->hist, sizeof pr->hist);
  memcpy(pr->x + HIST, frame, sizeof(float) * EVX_FRAME);
  memcpy(pr->hist, pr->x + EVX_HOP, sizeof pr->hist);
  double mean = 0;
  for (uint32_t i = 0; i < W; i++)
    mean += pr->x[i];
  mean /= W;
  for (uint32_t i = 0; i < W; i++)
    pr->x[i] -= (float)mean;
  float peak = 0;
  for (uint32_t i = W / 2u - LAG_MAX / 2u; i < W / 2u + LAG_MAX / 2u; i++) {
    float a = fabsf(pr->x[i]);
    peak = a > peak ? a : peak;
  }
  return peak;
}

/* power[] = mean-square per bin of the Hann-windowed x (sums to the
 * window-weighted mean square); norm_r[] = Praat's normalised
 * autocorrelation r(lag) / r(0) / r_window(lag). */
static void spectrum_and_ac(evx_pr *pr)
{
  double wsum2 = 0;
  for (uint32_t i = 0; i < W; i++) {
    pr->fft_in[i] = pr->x[i] * pr->win[i];
    wsum2 += (double)pr->win[i] * pr->win[i];
  }
  memset(pr->fft_in + W, 0, sizeof(float) * (NFFT - W));
  fftwf_execute(pr->fwd);
  const float scale = (float)(1.0 / (NFFT * wsum2));
  for (uint32_t k = 0; k < NBIN; k++) {
    float re = pr->fft_out[k][0], im = pr->fft_out[k][1];
    float p = re * re + im * im;
    pr->power[k] = p * scale * (k == 0 || k == NBIN - 1 ? 1.0f : 2.0f);
    pr->fft_out[k][0] = p;
    pr->fft_out[k][1] = 0;
  }
  fftwf_execute(pr->inv);
  float r0 = pr->ac[0];
  for (uint32_t lag = 0; lag < LAG_MAX + 2; lag++)
    pr->norm_r[lag] = r0 > 0 ? pr->ac[lag] / (r0 * pr->win_ac[lag]) : 0.0f;
}

/* ---- candidates and the causal path ---- */

static float voiced_score(cand c)
{
  return c.r - OCTAVE_COST * log2f(EVX_PR_F0_MAX / c.freq);
}

/* The strongest peaks of norm_r in the pitch range (at most MAX_CAND - 1,
 * kept by Praat's octave-cost-weighted strength) after the unvoiced one.
 * *periodicity gets the highest peak. */
static uint32_t find_candidates(const evx_pr *pr, cand *c, float *periodicity)
{
  const float *r = pr->norm_r;
  uint32_t n = 1;
  float best = 0;
  c[0] = (cand){ 0, 0 };
  for (uint32_t i = LAG_MIN; i < LAG_MAX; i++) {
    if (!(r[i] > r[i - 1] && r[i] >= r[i + 1]))
      continue;
    float dr = 0.5f * (r[i + 1] - r[i - 1]), d2r = 2.0f * r[i] - r[i - 1] - r[i + 1];
    float lag = (float)i + (d2r > 0 ? dr / d2r : 0.0f);
    float height = r[i] + (d2r > 0 ? 0.5f * dr * dr / d2r : 0.0f);
    if (height > 1.0f)            /* short-window overshoot: reflect around 1 */
      height = 1.0f / height;
    best = height > best ? height : best;
    float f = (float)EVX_SR / lag;
    if (height <= 0.5f * VOICING_THRESHOLD || f < EVX_PR_F0_MIN * 0.99f || f > EVX_PR_F0_MAX)
      continue;
    cand k = { f, height };
    uint32_t place = n;
    if (n == MAX_CAND) {          /* full: replace the weakest if weaker */
      place = 0;
      float weakest = voiced_score(k);
      for (uint32_t j = 1; j < MAX_CAND; j++)
        if (voiced_score(c[j]) < weakest) {
          weakest = voiced_score(c[j]);
          place = j;
        }
      if (place == 0)
        continue;
    } else {
      n++;
    }
    c[place] = k;
  }
  *periodicity = best < 0 ? 0 : best > 1 ? 1 : best;
  return n;
}

/* Entering voicing also pays for leaving it: Praat's backward pass makes a
 * voiced stretch pay both, and without look-ahead this is where to charge it
 * (single voiced frames in noise are then rare, as in Praat). */
static float transition(cand a, cand b)
{
  if (a.freq == 0 || b.freq == 0)
    return a.freq == b.freq ? 0.0f : a.freq == 0 ? 2.0f * VOICED_UNVOICED : VOICED_UNVOICED;
  return OCTAVE_JUMP_COST * fabsf(log2f(a.freq / b.freq));
}

/* One Viterbi step with Praat's costs; returns the candidate that ends the
 * best path so far (no look-ahead: the decision is made now). */
static cand choose(evx_pr *pr, const cand *c, uint32_t n, float intensity)
{
  float unvoiced = 2.0f - intensity / (SILENCE_THRESHOLD / (1.0f + VOICING_THRESHOLD));
  unvoiced = VOICING_THRESHOLD + (unvoiced > 0 ? unvoiced : 0.0f);
  float delta[MAX_CAND];
  uint32_t best = 0;
  for (uint32_t j = 0; j < n; j++) {
    float local = j == 0 ? unvoiced : voiced_score(c[j]);
    float m = -INFINITY;
    for (uint32_t i = 0; i < pr->n_prev; i++) {
      float v = pr->prev_delta[i] - transition(pr->prev[i], c[j]);
      m = v > m ? v : m;
    }
    delta[j] = m + local;
    if (delta[j] > delta[best])
      best = j;
  }
  float top = delta[best];        /* keep the scores near 0 */
  for (uint32_t j = 0; j < n; j++) {
    pr->prev[j] = c[j];
    pr->prev_delta[j] = delta[j] - top;
  }
  pr->n_prev = n;
  return c[best];
}

/* ---- voice quality from pulses ---- */

/* Pulses one period apart, walking back from the strongest peak of the last
 * period; jitter (relative) and shimmer (dB) from their spacing and height. */
static void pulses(const evx_pr *pr, float period, float *jitter, float *shimmer)
{
  const float *x = pr->x;
  float amax = 0, sign = 1;
  for (uint32_t i = 0; i < W; i++)
    if (fabsf(x[i]) > amax) {
      amax = fabsf(x[i]);
      sign = x[i] < 0 ? -1.0f : 1.0f;
    }
  float pos[W / LAG_MIN + 2], amp[W / LAG_MIN + 2];
  uint32_t np = 0;
  int lo = (int)((float)W - 1.0f - period), hi = (int)W - 2;
  float centre = 0.5f * (float)(lo + hi);
  float reach = 0.5f * (float)(hi - lo);
  for (;;) {
    int a = (int)floorf(centre - reach), b = (int)ceilf(centre + reach);
    a = a < 1 ? 1 : a;
    b = b > (int)W - 2 ? (int)W - 2 : b;
    if (a > b || np == sizeof pos / sizeof pos[0])
      break;
    int m = a;
    for (int i = a + 1; i <= b; i++)
      if (sign * x[i] > sign * x[m])
        m = i;
    float y0 = sign * x[m - 1], y1 = sign * x[m], y2 = sign * x[m + 1];
    if (y1 <= 0)
      break;
    float d2 = y0 - 2.0f * y1 + y2;
    float off = d2 < 0 ? 0.5f * (y0 - y2) / d2 : 0.0f;
    float p = (float)m + off, h = y1 - 0.25f * (y0 - y2) * off;
    if (np > 0) {
      float l = pos[np - 1] - p;
      if (l < 0.7f * period || l > 1.3f * period)
        break;
    }
    pos[np] = p;
    amp[np] = h;
    np++;
    centre = p - period;
    reach = 0.25f * period;
    if (centre - reach < 1.0f)
      break;
  }
  *jitter = 0;
  *shimmer = 0;
  if (np >= 3) {
    float dl = 0, l = 0;
    for (uint32_t k = 0; k + 2 < np; k++)
      dl += fabsf((pos[k] - pos[k + 1]) - (pos[k + 1] - pos[k + 2]));
    l = (pos[0] - pos[np - 1]) / (float)(np - 1);
    *jitter = dl / (float)(np - 2) / l;
  }
  if (np >= 2) {
    float s = 0;
    for (uint32_t k = 0; k + 1 < np; k++)
      s += fabsf(20.0f * log10f(amp[k + 1] / amp[k]));
    *shimmer = s / (float)(np - 1);
  }
}

/* ---- spectral descriptors ---- */

static uint32_t bin_of(float hz) { return (uint32_t)ceilf(hz * NFFT / EVX_SR); }

/* Least-squares slope of 10 log10(power) over bins [a, b), in dB/kHz. */
static float db_slope(const evx_pr *pr, uint32_t a, uint32_t b, float floor_p)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double hz = (double)EVX_SR / NFFT;
  for (uint32_t k = a; k < b; k++) {
    double f = k * hz / 1000.0, y = 10.0 * log10(pr->power[k] + floor_p);
    sx += f;
    sy += y;
    sxx += f * f;
    sxy += f * y;
  }
  double n = (double)(b - a), den = n * sxx - sx * sx;
  return den > 0 ? (float)((n * sxy - sx * sy) / den) : 0.0f;
}

static void spectral(const evx_pr *pr, float *out)
{
  double total = 0;
  for (uint32_t k = 0; k < NBIN; k++)
    total += pr->power[k];
  if (!(total > 1e-24)) {        /* silent window */
    out[EVX_P_LOUDNESS] = out[EVX_P_SLOPE_0_500] = out[EVX_P_SLOPE_500_1500] = 0;
    out[EVX_P_ALPHA] = out[EVX_P_HAMMARBERG] = 0;
    return;
  }
  /* dB floor 100 dB under the window's power: level-independent slopes. */
  float floor_p = (float)(total * 1e-10);
  float loud = 0;
  for (uint32_t b = 0; b < N_BARK; b++) {
    double e = 0;
    for (uint32_t k = bin_of(bark_edges[b]); k < bin_of(bark_edges[b + 1]); k++)
      e += pr->power[k];
    loud += powf((float)e, 0.33f);
  }
  out[EVX_P_LOUDNESS] = loud;
  out[EVX_P_SLOPE_0_500] = db_slope(pr, 1, bin_of(500) + 1, floor_p);
  out[EVX_P_SLOPE_500_1500] = db_slope(pr, bin_of(500), bin_of(1500) + 1, floor_p);
  double lo = 0, hi = 0;
  for (uint32_t k = bin_of(50); k < bin_of(1000); k++)
    lo += pr->power[k];
  for (uint32_t k = bin_of(1000); k < bin_of(5000); k++)
    hi += pr->power[k];
  out[EVX_P_ALPHA] = (float)(10.0 * log10((hi + floor_p) / (lo + floor_p)));
  float max_lo = 0, max_hi = 0;
  for (uint32_t k = 0; k < bin_of(2000); k++)
    max_lo = pr->power[k] > max_lo ? pr->power[k] : max_lo;
  for (uint32_t k = bin_of(2000); k < bin_of(5000); k++)
    max_hi = pr->power[k] > max_hi ? pr->power[k] : max_hi;
  out[EVX_P_HAMMARBERG] = 10.0f * log10f((max_lo + floor_p) / (max_hi + floor_p));
}

/* ---- the voice's running median ---- */

static float voice_median_st(evx_pr *pr, float st)
{
  int bin = (int)floorf((st - ST_LO) / ST_BIN);
  bin = bin < 0 ? 0 : bin >= (int)ST_BINS ? (int)ST_BINS - 1 : bin;
  for (uint32_t i = 0; i < ST_BINS; i++)
    pr->st_hist[i] *= ST_DECAY;
  pr->st_hist[bin] += 1.0f;
  pr->st_total = pr->st_total * ST_DECAY + 1.0f;
  float half = 0.5f * pr->st_total, cum = 0;
  for (uint32_t i = 0; i < ST_BINS; i++) {
    if (cum + pr->st_hist[i] >= half && pr->st_hist[i] > 0)
      return ST_LO + ST_BIN * ((float)i + (half - cum) / pr->st_hist[i]);
    cum += pr->st_hist[i];
  }
  return st;
}

static float clampf(float v, float lo, float hi)
{
  return isfinite(v) ? (v < lo ? lo : v > hi ? hi : v) : 0.0f;
}

void evx_pr_frame(evx_pr *pr, const float *frame, float *out)
{
  memset(out, 0, sizeof(float) * EVX_NPROS);
  float local_peak = load_window(pr, frame);
  pr->peak = pr->peak * PEAK_DECAY;
  pr->peak = local_peak > pr->peak ? local_peak : pr->peak;
  spectrum_and_ac(pr);
  spectral(pr, out);

  cand c[MAX_CAND];
  float periodicity = 0;
  uint32_t n = local_peak > 0 ? find_candidates(pr, c, &periodicity) : (c[0] = (cand){ 0, 0 }, 1u);
  float ref = pr->peak > PEAK_FLOOR ? pr->peak : PEAK_FLOOR;
  float intensity = local_peak / ref;
  cand pick = choose(pr, c, n, intensity);
  out[EVX_P_PERIODICITY] = periodicity;
  if (pick.freq > 0) {
    float r = clampf(pick.r, 0.0f, 1.0f);
    out[EVX_P_F0] = pick.freq;
    out[EVX_P_VOICED] = 1.0f;
    out[EVX_P_HNR] = clampf(10.0f * log10f(r / (1.0f - r + 1e-6f) + 1e-12f), -20.0f, 40.0f);
    float st = 12.0f * log2f(pick.freq / 27.5f);
    out[EVX_P_ST] = st;
    out[EVX_P_ST_VOICE] = st - voice_median_st(pr, st);
    pulses(pr, (float)EVX_SR / pick.freq, &out[EVX_P_JITTER], &out[EVX_P_SHIMMER]);
    out[EVX_P_JITTER] = clampf(out[EVX_P_JITTER], 0.0f, 1.0f);
    out[EVX_P_SHIMMER] = clampf(out[EVX_P_SHIMMER], 0.0f, 40.0f);
  }
  for (uint32_t j = 0; j < EVX_NPROS; j++)
    out[j] = clampf(out[j], -1e6f, 1e6f);
}
