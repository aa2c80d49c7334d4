/* speaker_adapt.c: speaker adaptation over rows (speaker_adapt.h). */
#include "speaker_adapt.h"
#include "rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A stream's statistics are those of its rows' values (vector mode) or, per
 * feature, of its rows' voiced frames (frame mode: each row adds its batch
 * statistics, evx_adapt_window_stats); every value is then normalised by its
 * stream's. */
int tl_adapt_fit(tl_adapt *ad, const tl_streams *st, float *x)
{
  const uint32_t T = ad->frames > 1 ? ad->frames : 1, d = st->dim / T;
  const uint32_t *id = st->stream;
  const long ns = st->n_streams;
  double *s = calloc((size_t)(ns ? ns : 1) * d * 2 + d * 2, sizeof *s);
  size_t *cnt = s ? calloc((size_t)ns + 1, sizeof *cnt) : NULL;
  float *bm = T > 1 ? malloc(sizeof(float) * d * 2) : NULL;   /* one row's batch */
  if (cnt && !ad->mean) {
    ad->len = d;
    ad->mean = calloc(d, sizeof *ad->mean);
    ad->var = calloc(d, sizeof *ad->var);
  }
  if (!cnt || !ad->mean || !ad->var || (T > 1 && !bm)) {
    free(s), free(cnt), free(bm);
    return -1;
  }
  double *sum = s, *sq = s + (size_t)ns * d, *pm = sq + (size_t)ns * d, *pv = pm + d;
  const evx_adapt view = tl_adapt_view(ad);
  for (size_t i = 0; i < st->n; i++) {
    const float *r = x + i * st->dim;
    double *a = sum + (size_t)id[i] * d, *b = sq + (size_t)id[i] * d;
    if (T == 1) {
      for (uint32_t k = 0; k < d; k++) a[k] += r[k], b[k] += (double)r[k] * r[k];
      cnt[id[i]]++;
      continue;
    }
    float *bv = bm + d;
    uint32_t v = evx_adapt_window_stats(&view, r, bm, bv);
    for (uint32_t k = 0; v && k < d; k++)
      a[k] += (double)v * bm[k], b[k] += (double)v * (bv[k] + (double)bm[k] * bm[k]);
    cnt[id[i]] += v;
  }
  long used = 0;   /* streams with statistics (frame mode: a voiced frame) */
  for (long g = 0; g < ns; g++) used += cnt[g] > 0;
  for (long g = 0; g < ns; g++) {  /* sums -> mean, variance */
    double *a = sum + (size_t)g * d, *b = sq + (size_t)g * d;
    for (uint32_t k = 0; k < d; k++) {
      if (!cnt[g]) {   /* no voiced frame: leave the values as they are */
        a[k] = 0.0, b[k] = 1.0;
        continue;
      }
      a[k] /= (double)cnt[g];
      b[k] = b[k] / (double)cnt[g] - a[k] * a[k];
      if (b[k] < 0) b[k] = 0;
      pm[k] += a[k] / (double)used, pv[k] += b[k] / (double)used;
    }
  }
  for (size_t i = 0; i < st->n; i++) {
    float *r = x + i * st->dim;
    const double *a = sum + (size_t)id[i] * d, *b = sq + (size_t)id[i] * d;
    for (uint32_t k = 0; k < d; k++)
      for (uint32_t t = 0; t < T; t++)
        r[k * T + t] = (float)((r[k * T + t] - a[k]) / sqrt(b[k] + EVX_ADAPT_EPS));
  }
  for (uint32_t k = 0; k < d; k++)
    ad->mean[k] = (float)pm[k], ad->var[k] = (float)(T > 1 && !used ? 1.0 : pv[k]);
  free(s), free(cnt), free(bm);
  return 0;
}

int tl_adapt_replay(const evx_adapt *a, enum tl_adapt_mode mode, uint64_t seed,
                    const tl_streams *s, float *x)
{
  const uint32_t d = s->dim;   /* the row: a->len values, or len x frames */
  size_t *start = malloc((s->n + 1) * sizeof *start), *order = malloc((s->n + 1) * sizeof *order);
  evx_adapt_state *st = malloc(sizeof *st);
  if (!start || !order || !st) {
    free(start), free(order), free(st);
    return -1;
  }
  /* one stream (every row in stream 0) when shared */
  const long ns = mode == TL_ADAPT_SHARED ? (s->n ? 1 : 0) : (long)s->n_streams;
  /* clip runs: rows [start[c], start[c + 1]) */
  size_t nc = 0;
  for (size_t i = 0; i < s->n; i++)
    if (!i || s->run[i] != s->run[i - 1])
      start[nc++] = i;
  start[nc] = s->n;
  for (long g = 0; g < ns; g++) {
    size_t m = 0;
    for (size_t c = 0; c < nc; c++)
      if (mode == TL_ADAPT_SHARED || s->stream[start[c]] == (uint32_t)g) order[m++] = c;
    uint64_t r = tl_rng_mix(seed, (uint64_t)g);
    for (size_t k = m; k > 1; k--) {  /* Fisher-Yates */
      size_t j = (size_t)tl_rng_below(&r, k), t = order[k - 1];
      order[k - 1] = order[j], order[j] = t;
    }
    evx_adapt_reset(st, a);
    for (size_t k = 0; k < m; k++)
      for (size_t i = start[order[k]]; i < start[order[k] + 1]; i++) {
        if (mode != TL_ADAPT_COLD) evx_adapt_update(st, a, x + i * d);
        evx_adapt_apply(st, a, x + i * d);
      }
  }
  free(start), free(order), free(st);
  return 0;
}

evx_adapt tl_adapt_view(const tl_adapt *ad)
{
  return (evx_adapt){ ad->len, ad->prior, ad->memory, ad->mean, ad->var,
                      ad->frames > 1 ? ad->frames : 1 };
}

void tl_adapt_free(tl_adapt *ad)
{
  free(ad->mean);
  free(ad->var);
  memset(ad, 0, sizeof *ad);
}
