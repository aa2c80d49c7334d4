/* evx_feat_offline.c: evx_features_of_signal and
 * evx_features_prosody_of_signal, the frames of a whole signal (trainer and
 * CLI threads; allocates). They run the streaming extractor (and tracker) in
 * chunks, so offline and live numbers are the same. */
#include "evx_features.h"
#include "evx_prosody.h"

#include <math.h>
#include <stdlib.h>

#define OFFLINE_CHUNK 4096u

/* Frames that n host samples give, plus one chunk's worth of slack. */
static size_t frames_upper_bound(size_t n, double rate, uint32_t chunk_frames)
{
  double n16 = ceil((double)n * EVX_SR / rate) + EVX_FRAME;
  return (size_t)(n16 / EVX_HOP) + 2u + chunk_frames;
}

/* Grow *p (cap rows of width floats) to new_cap rows; 0 ok. */
static int grow(float **p, size_t new_cap, size_t width)
{
  if (!*p)
    return 0;
  float *g = realloc(*p, sizeof(float) * width * new_cap);
  if (!g)
    return -1;
  *p = g;
  return 0;
}

/* Shrink to got rows (keeps the block if realloc refuses). */
static float *fit(float *p, size_t got, size_t width)
{
  float *f = realloc(p, sizeof(float) * width * got);
  return f ? f : p;
}

/* Both public functions: pr NULL for features only. */
static int run_signal(const float *x, size_t n, double rate, evx_pr *pr, float **frames,
                      float **prosody, size_t *n_frames)
{
  size_t size = evx_fx_size(rate, OFFLINE_CHUNK);
  if (size == 0 || (!x && n > 0))
    return -1;
  void *mem = malloc(size);
  evx_fx *fx = mem ? evx_fx_init(mem, size, rate, OFFLINE_CHUNK) : NULL;
  if (!fx) {
    free(mem);
    return -1;
  }
  size_t cap = frames_upper_bound(n, rate, evx_fx_max_frames(fx));
  float *out = malloc(sizeof(float) * EVX_NFEAT * cap);
  float *pout = pr ? malloc(sizeof(float) * EVX_NPROS * cap) : NULL;
  int bad = !out || (pr && !pout);
  size_t got = 0;
  for (size_t i = 0; !bad && i < n; i += OFFLINE_CHUNK) {
    uint32_t len = (uint32_t)(n - i < OFFLINE_CHUNK ? n - i : OFFLINE_CHUNK);
    if (cap - got < evx_fx_max_frames(fx)) {  /* bound was wrong: grow */
      cap *= 2;
      bad = grow(&out, cap, EVX_NFEAT) != 0 || grow(&pout, cap, EVX_NPROS) != 0;
      if (bad)
        break;
    }
    got += evx_fx_push_prosody(fx, pr, x + i, len, out + got * EVX_NFEAT,
                               pout ? pout + got * EVX_NPROS : NULL);
  }
  evx_fx_destroy(fx);
  free(mem);
  if (bad || got == 0) {
    free(out);
    free(pout);
    return bad ? -1 : 0;
  }
  *frames = fit(out, got, EVX_NFEAT);
  if (prosody)
    *prosody = fit(pout, got, EVX_NPROS);
  *n_frames = got;
  return 0;
}

int evx_features_of_signal(const float *x, size_t n, double rate,
                           float **frames, size_t *n_frames)
{
  *frames = NULL;
  *n_frames = 0;
  return run_signal(x, n, rate, NULL, frames, NULL, n_frames);
}

int evx_features_prosody_of_signal(const float *x, size_t n, double rate, float **frames,
                                   float **prosody, size_t *n_frames)
{
  *frames = NULL;
  *prosody = NULL;
  *n_frames = 0;
  size_t size = evx_pr_size();
  void *mem = malloc(size);
  evx_pr *pr = mem ? evx_pr_init(mem, size) : NULL;
  int rc = pr ? run_signal(x, n, rate, pr, frames, prosody, n_frames) : -1;
  evx_pr_destroy(pr);
  free(mem);
  return rc;
}
