/* evx_feat_offline.c: evx_features_of_signal, the frames of a whole signal
 * (trainer and CLI threads; allocates). It runs the streaming extractor in
 * chunks, so offline and live features are the same numbers. */
#include "evx_features.h"

#include <math.h>
#include <stdlib.h>

#define OFFLINE_CHUNK 4096u

/* Frames that n host samples give, plus one chunk's worth of slack. */
static size_t frames_upper_bound(size_t n, double rate, uint32_t chunk_frames)
{
  double n16 = ceil((double)n * EVX_SR / rate) + EVX_FRAME;
  return (size_t)(n16 / EVX_HOP) + 2u + chunk_frames;
}

int evx_features_of_signal(const float *x, size_t n, double rate,
                           float **frames, size_t *n_frames)
{
  *frames = NULL;
  *n_frames = 0;
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
  size_t got = 0;
  for (size_t i = 0; out && i < n; i += OFFLINE_CHUNK) {
    uint32_t len = (uint32_t)(n - i < OFFLINE_CHUNK ? n - i : OFFLINE_CHUNK);
    if (cap - got < evx_fx_max_frames(fx)) {  /* bound was wrong: grow */
      cap *= 2;
      float *grown = realloc(out, sizeof(float) * EVX_NFEAT * cap);
      if (!grown) {
        free(out);
        out = NULL;
        break;
      }
      out = grown;
    }
    got += evx_fx_push(fx, x + i, len, out + got * EVX_NFEAT);
  }
  evx_fx_destroy(fx);
  free(mem);
  if (!out)
    return -1;
  if (got == 0) {
    free(out);
    return 0;
  }
  float *fit = realloc(out, sizeof(float) * EVX_NFEAT * got);
  *frames = fit ? fit : out;
  *n_frames = got;
  return 0;
}
