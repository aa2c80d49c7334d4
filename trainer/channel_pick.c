/* channel_pick.c: the channel `emovox analyze` judges (channel_pick.h). */
#include "channel_pick.h"
#include "evx_features.h"
#include "evx_speech.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEECH_FLOOR_DB (-60.0f)  /* the engine's default level floor */
#define DECIDE_FRAMES 50u         /* one speech decision per 0.5 s */

int tr_pick_parse(const char *s)
{
  if (!strcmp(s, "auto")) return TR_PICK_AUTO;
  if (!strcmp(s, "mix")) return TR_PICK_MIX;
  if (!strcmp(s, "loudest")) return TR_PICK_LOUDEST;
  char *end = NULL;
  long n = strtol(s, &end, 10);
  return end != s && !*end && n >= 1 && n <= 64 ? (int)(n - 1) : TR_PICK_BAD;
}

static void channel_of(const tr_audio *a, int c, float *out)
{
  size_t ch = (size_t)a->channels;
  for (size_t i = 0; i < a->n; i++)
    out[i] = a->x[i * ch + (size_t)c];
}

/* Half-second intervals in which the speech detector hears speech in x. */
static long speech_score(const float *x, size_t n, double rate)
{
  size_t sz = evx_fx_size(rate, EVX_MAX_BLOCK);
  void *mem = sz ? malloc(sz) : NULL;
  evx_fx *fx = mem ? evx_fx_init(mem, sz, rate, EVX_MAX_BLOCK) : NULL;
  uint32_t mf = fx ? evx_fx_max_frames(fx) : 0;
  float *feat = mf ? malloc((size_t)mf * EVX_NFEAT * sizeof *feat) : NULL;
  float *raw = mf ? malloc((size_t)mf * EVX_FRAME * sizeof *raw) : NULL;
  evx_speech sp;
  evx_speech_reset(&sp);
  long score = feat && raw ? 0 : -1;
  uint64_t frames = 0;
  for (size_t i = 0; score >= 0 && i < n; i += EVX_MAX_BLOCK) {
    uint32_t k = n - i < EVX_MAX_BLOCK ? (uint32_t)(n - i) : EVX_MAX_BLOCK;
    uint32_t m = evx_fx_push_frames(fx, x + i, k, feat, raw);
    for (uint32_t j = 0; j < m; j++) {
      evx_speech_frame(&sp, raw + (size_t)j * EVX_FRAME, feat + (size_t)j * EVX_NFEAT);
      if (++frames % DECIDE_FRAMES == 0)
        score += evx_speech_decide(&sp, SPEECH_FLOOR_DB, NULL);
    }
  }
  free(raw);
  free(feat);
  if (fx)
    evx_fx_destroy(fx);
  free(mem);
  return score;
}

static double energy(const float *x, size_t n)
{
  double e = 0;
  for (size_t i = 0; i < n; i++)
    e += (double)x[i] * x[i];
  return e;
}

float *tr_pick_channel(const tr_audio *a, int pick, int *chosen, char *err, size_t errlen)
{
  int ch = a->channels;
  float *out = malloc((a->n ? a->n : 1) * sizeof *out);
  if (!out) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (pick >= 0 || ch == 1) {
    if (pick >= ch) {
      snprintf(err, errlen, "--channel %d: the file has %d channel%s", pick + 1, ch,
               ch == 1 ? "" : "s");
      free(out);
      return NULL;
    }
    *chosen = pick >= 0 ? pick : 0;
    channel_of(a, *chosen, out);
    return out;
  }
  if (pick == TR_PICK_MIX) {
    for (size_t i = 0; i < a->n; i++) {
      double s = 0;
      for (int c = 0; c < ch; c++)
        s += a->x[i * (size_t)ch + (size_t)c];
      out[i] = (float)(s / ch);
    }
    *chosen = -1;
    return out;
  }
  if (pick == TR_PICK_AUTO && (ch == 6 || ch == 8)) {
    *chosen = 2;   /* 5.1 / 7.1 (WAV and SMPTE order L R C LFE ...): dialogue is centre */
    channel_of(a, 2, out);
    return out;
  }
  int best = 0;
  long best_speech = -1;
  double best_e = -1;
  for (int c = 0; c < ch; c++) {
    channel_of(a, c, out);
    double e = energy(out, a->n);
    long s = pick == TR_PICK_AUTO ? speech_score(out, a->n, a->rate) : 0;
    if (s > best_speech || (s == best_speech && e > best_e)) {
      best = c;
      best_speech = s;
      best_e = e;
    }
  }
  *chosen = best;
  channel_of(a, best, out);
  return out;
}
