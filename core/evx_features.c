/* evx_features.c: the streaming extractor (evx_features.h): caller-owned
 * memory layout, FFTW planning at init, and the RT push path that resamples
 * to 16 kHz and cuts frames of 400 every 160 samples. */
#include "evx_features.h"
#include "evx_feat_frame.h"
#include "evx_feat_variant.h"
#include "evx_prosody.h"
#include "evx_resample.h"
#include "evx_sanitize.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* Samples are clamped to this (about +120 dBFS) so that no power, mel or
 * chroma sum can overflow float; real audio never comes near it. */
#define SAMPLE_LIMIT 1e6f
/* Smaller magnitudes are flushed to 0: denormals would only slow the FFT
 * down, and their powers are far below power_to_db's amin of 1e-10. */
#define SAMPLE_FLUSH 1e-30f

struct evx_fx {
  double rate;
  uint32_t max_block;
  uint32_t max_frames;
  evx_rs *rs;           /* NULL at 16 kHz: input is used as is */
  float *res;           /* resampler output, rs_max_out samples */
  float *frame;         /* the last EVX_FRAME samples at 16 kHz */
  uint32_t fill;        /* valid samples in frame */
  evx_sanitize_fn clean; /* the input cleaning for this CPU */
  evx_feat_tables *tables;
  evx_feat_frame calc;
};

/* Where each part lives inside the caller's block (offsets from a 64-byte
 * aligned base). */
typedef struct {
  size_t rs, rs_size, res, frame, tables, fft_in, fft_out, power, total;
  uint32_t rs_max_out;
} fx_layout;

static size_t align64(size_t x) { return (x + 63u) & ~(size_t)63u; }

static int is_16k(double rate) { return rate == (double)EVX_SR; }

static int args_ok(double rate, uint32_t max_block)
{
  return isfinite(rate) && rate >= EVX_RS_MIN_RATE && rate <= EVX_RS_MAX_RATE &&
         max_block >= 1 && max_block <= EVX_MAX_BLOCK;
}

static int make_layout(double rate, uint32_t max_block, fx_layout *l)
{
  memset(l, 0, sizeof *l);
  size_t off = align64(sizeof(struct evx_fx));
  uint32_t n16 = max_block;
  if (!is_16k(rate)) {
    l->rs_size = evx_rs_size(rate, max_block);
    if (l->rs_size == 0)
      return -1;
    l->rs_max_out = evx_rs_max_out_for(rate, max_block);
    if (l->rs_max_out == 0)
      return -1;
    n16 = l->rs_max_out;
    l->rs = off;                   off = align64(off + l->rs_size);
    l->res = off;                  off = align64(off + sizeof(float) * n16);
  }
  l->frame = off;                  off = align64(off + sizeof(float) * EVX_FRAME);
  l->tables = off;                 off = align64(off + sizeof(evx_feat_tables));
  l->fft_in = off;                 off = align64(off + sizeof(double) * EVX_FRAME);
  l->fft_out = off;                off = align64(off + sizeof(fftw_complex) * EVX_NBINS);
  l->power = off;                  off = align64(off + sizeof(float) * EVX_NBINS);
  l->total = off + 63u;            /* room to align the caller's base */
  l->rs_max_out = n16;
  return 0;
}

size_t evx_fx_size(double host_rate, uint32_t max_block)
{
  fx_layout l;
  if (!args_ok(host_rate, max_block) || make_layout(host_rate, max_block, &l) != 0)
    return 0;
  return l.total;
}

/* FFTW's planner is not thread-safe: every planner call in this process
 * that goes through us holds this lock, and FFTW's own hook is installed
 * once for planner calls made elsewhere (another plugin instance's host). */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t planner_once = PTHREAD_ONCE_INIT;
static void planner_make_safe(void) { fftw_make_planner_thread_safe(); }

static fftw_plan plan_frame_fft(double *in, fftw_complex *out)
{
  pthread_once(&planner_once, planner_make_safe);
  pthread_mutex_lock(&planner_lock);
  fftw_plan p = evx_feat_frame_plan(in, out);
  pthread_mutex_unlock(&planner_lock);
  return p;
}

evx_fx *evx_fx_init_variant(void *mem, size_t size, double host_rate,
                            uint32_t max_block, unsigned variant)
{
  fx_layout l;
  if (!mem || !args_ok(host_rate, max_block) ||
      make_layout(host_rate, max_block, &l) != 0 || size < l.total)
    return NULL;
  char *base = (char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u);
  memset(base, 0, l.total - 63u);
  evx_fx *fx = (evx_fx *)base;
  fx->rate = host_rate;
  fx->max_block = max_block;
  fx->max_frames = 1u + (l.rs_max_out - 1u) / EVX_HOP;
  if (l.rs_size) {
    fx->rs = evx_rs_init(base + l.rs, l.rs_size, host_rate, max_block);
    if (!fx->rs || evx_rs_max_out(fx->rs) > l.rs_max_out)
      return NULL;
    evx_rs_set_limit(fx->rs, SAMPLE_LIMIT);  /* its cleaning is then ours */
    fx->res = (float *)(base + l.res);
  }
  fx->clean = evx_sanitize_pick();
  fx->frame = (float *)(base + l.frame);
  fx->tables = (evx_feat_tables *)(base + l.tables);
  if (evx_feat_tables_build(fx->tables, variant) != 0)
    return NULL;
  fx->calc.banks = evx_feat_banks_pick();
  fx->calc.t = fx->tables;
  fx->calc.fft_in = (double *)(base + l.fft_in);
  fx->calc.fft_out = (fftw_complex *)(base + l.fft_out);
  fx->calc.power = (float *)(base + l.power);
  fx->calc.plan = plan_frame_fft(fx->calc.fft_in, fx->calc.fft_out);
  return fx->calc.plan ? fx : NULL;
}

evx_fx *evx_fx_init(void *mem, size_t size, double host_rate, uint32_t max_block)
{
  return evx_fx_init_variant(mem, size, host_rate, max_block, EVX_FX_V1);
}

void evx_fx_destroy(evx_fx *fx)
{
  if (!fx || !fx->calc.plan)
    return;
  pthread_mutex_lock(&planner_lock);
  fftw_destroy_plan(fx->calc.plan);
  pthread_mutex_unlock(&planner_lock);
  fx->calc.plan = NULL;
}

void evx_fx_reset(evx_fx *fx)
{
  fx->fill = 0;
  if (fx->rs)
    evx_rs_reset(fx->rs);
}

uint32_t evx_fx_max_frames(const evx_fx *fx)
{
  return fx->max_frames;
}

/* NaN/Inf -> 0, clamp, flush tiny values (audio thread). */
static void sanitize_copy(const evx_fx *fx, float *dst, const float *src, uint32_t n)
{
  fx->clean(dst, NULL, src, n, SAMPLE_LIMIT, SAMPLE_FLUSH);
}

/* Append n samples at 16 kHz; every completed frame goes to out (its
 * samples to raw, and through pr into pout, when those are given). */
static uint32_t feed_16k(evx_fx *fx, evx_pr *pr, const float *x, uint32_t n, float *out,
                         float *pout, float *raw)
{
  uint32_t frames = 0;
  while (n > 0) {
    uint32_t take = EVX_FRAME - fx->fill;
    take = take < n ? take : n;
    sanitize_copy(fx, fx->frame + fx->fill, x, take);
    fx->fill += take;
    x += take;
    n -= take;
    if (fx->fill == EVX_FRAME) {
      evx_feat_frame_compute(&fx->calc, fx->frame, out + (size_t)frames * EVX_NFEAT);
      if (pr)
        evx_pr_frame(pr, fx->frame, pout + (size_t)frames * EVX_NPROS);
      if (raw)
        memcpy(raw + (size_t)frames * EVX_FRAME, fx->frame, sizeof(float) * EVX_FRAME);
      frames++;
      memmove(fx->frame, fx->frame + EVX_HOP, sizeof(float) * (EVX_FRAME - EVX_HOP));
      fx->fill = EVX_FRAME - EVX_HOP;
    }
  }
  return frames;
}

uint32_t evx_fx_push_ext(evx_fx *fx, evx_pr *pr, const float *in, uint32_t n, float *out,
                         float *pout, float *raw)
{
  if (n == 0 || !in)
    return 0;
  n = n < fx->max_block ? n : fx->max_block;
  if (!fx->rs)
    return feed_16k(fx, pr, in, n, out, pout, raw);
  /* the resampler cleans its input with our limit (evx_rs_set_limit) and
   * a higher flush level, so no pass of ours is needed before it */
  uint32_t m = evx_rs_process(fx->rs, in, n, fx->res);
  return feed_16k(fx, pr, fx->res, m, out, pout, raw);
}

uint32_t evx_fx_push(evx_fx *fx, const float *in, uint32_t n, float *out)
{
  return evx_fx_push_ext(fx, NULL, in, n, out, NULL, NULL);
}

uint32_t evx_fx_push_prosody(evx_fx *fx, evx_pr *pr, const float *in, uint32_t n, float *out,
                             float *pout)
{
  return evx_fx_push_ext(fx, pr, in, n, out, pout, NULL);
}

uint32_t evx_fx_push_frames(evx_fx *fx, const float *in, uint32_t n, float *out, float *raw)
{
  return evx_fx_push_ext(fx, NULL, in, n, out, NULL, raw);
}
