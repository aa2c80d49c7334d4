/* bench/speech.c: what the speech detector (core/evx_speech.h) costs next
 * to its peer, the feature extractor it rides on, measured in the same run
 * on the same audio: a talker-like signal at 16 kHz (no resampling), pushed
 * in blocks of 512. Prints each one's time per 10 ms frame and the ratio.
 *   bench_speech [SECONDS]   (default 60 s of audio) */
#include "evx_features.h"
#include "evx_speech.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 60.0;
  size_t n = (size_t)(seconds * EVX_SR);
  float *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) {   /* harmonics of a gliding F0, in syllables */
    double t = (double)i / EVX_SR, f0 = 140 * (1 + 0.1 * sin(2 * M_PI * 0.7 * t));
    double s = 0;
    for (int h = 1; h <= 12; h++)
      s += sin(2 * M_PI * h * f0 * t) / h;
    x[i] = (float)(0.1 * s * (fmod(t, 0.25) < 0.18 ? 1 : 0.05));
  }
  size_t sz = evx_fx_size(EVX_SR, 512);
  void *mem = malloc(sz);
  evx_fx *fx = evx_fx_init(mem, sz, EVX_SR, 512);
  uint32_t mf = evx_fx_max_frames(fx);
  size_t total = n / EVX_HOP + mf;
  float *feat = malloc(total * EVX_NFEAT * sizeof *feat);
  float *raw = malloc(total * EVX_FRAME * sizeof *raw);
  /* the extractor: every frame's features (and a copy of its samples) */
  size_t frames = 0;
  double t0 = now();
  for (size_t i = 0; i < n; i += 512) {
    uint32_t k = n - i < 512 ? (uint32_t)(n - i) : 512;
    frames += evx_fx_push_frames(fx, x + i, k, feat + frames * EVX_NFEAT,
                                 raw + frames * EVX_FRAME);
  }
  double t_fx = now() - t0;
  /* the detector on the same frames, one decision per 50 */
  evx_speech sp;
  evx_speech_reset(&sp);
  long speech = 0;
  t0 = now();
  for (size_t j = 0; j < frames; j++) {
    evx_speech_frame(&sp, raw + j * EVX_FRAME, feat + j * EVX_NFEAT);
    if ((j + 1) % 50 == 0)
      speech += evx_speech_decide(&sp, -60.0f, NULL);
  }
  double t_sp = now() - t0;
  printf("%zu frames (%.0f s): extractor %.2f us/frame, speech detector %.2f us/frame, "
         "detector/extractor %.3f (%ld of %zu decisions speech)\n", frames, seconds,
         1e6 * t_fx / frames, 1e6 * t_sp / frames, t_sp / t_fx, speech, frames / 50);
  printf("RESULT speech frames=%zu extractor_us=%.3f detector_us=%.3f ratio=%.4f\n", frames,
         1e6 * t_fx / frames, 1e6 * t_sp / frames, t_sp / t_fx);
  evx_fx_destroy(fx);
  free(raw);
  free(feat);
  free(mem);
  free(x);
  return 0;
}
