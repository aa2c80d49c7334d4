/* speaker_adapt.c: speaker adaptation over dataset rows (speaker_adapt.h). */
#include "speaker_adapt.h"
#include "rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Frame mode: per feature, the voiced frames of each stream (sums of every
 * row's batch statistics), then every value normalised by its stream's. */
static int by_stream_frames(tl_adapt *ad, const uint32_t *id, long ns, evx_dataset *ds)
{
  const uint32_t T = ad->frames, d = ds->dim / T;
  double *s = calloc((size_t)(ns ? ns : 1) * d * 2 + d * 2, sizeof *s);
  double *cnt = calloc((size_t)ns + 1, sizeof *cnt);
  float *bm = malloc(sizeof(float) * d * 2);
  evx_adapt_state *st = malloc(sizeof *st);
  if (!s || !cnt || !bm || !st) {
    free(s), free(cnt), free(bm), free(st);
    return -1;
  }
  float *bv = bm + d;
  double *sum = s, *sq = s + (size_t)ns * d, *pm = sq + (size_t)ns * d, *pv = pm + d;
  evx_adapt view = tl_adapt_view(ad);
  for (size_t i = 0; i < ds->n; i++) {
    uint32_t k = evx_adapt_window_stats(&view, ds->x + i * ds->dim, bm, bv);
    double *a = sum + (size_t)id[i] * d, *b = sq + (size_t)id[i] * d;
    for (uint32_t f = 0; k && f < d; f++)
      a[f] += (double)k * bm[f], b[f] += (double)k * (bv[f] + (double)bm[f] * bm[f]);
    cnt[id[i]] += k;
  }
  long used = 0;
  for (long g = 0; g < ns; g++) {   /* sums -> mean, variance */
    double *a = sum + (size_t)g * d, *b = sq + (size_t)g * d;
    for (uint32_t f = 0; f < d; f++) {
      a[f] = cnt[g] ? a[f] / cnt[g] : 0.0;
      b[f] = cnt[g] ? b[f] / cnt[g] - a[f] * a[f] : 1.0;   /* no voiced frame: leave the scale */
      if (b[f] < 0) b[f] = 0;
      if (cnt[g]) pm[f] += a[f], pv[f] += b[f];
    }
    used += cnt[g] > 0;
  }
  for (uint32_t f = 0; f < d; f++)
    ad->mean[f] = (float)(used ? pm[f] / used : 0.0), ad->var[f] = (float)(used ? pv[f] / used : 1.0);
  for (size_t i = 0; i < ds->n; i++) {
    const double *a = sum + (size_t)id[i] * d, *b = sq + (size_t)id[i] * d;
    for (uint32_t f = 0; f < d; f++) st->mean[f] = (float)a[f], st->var[f] = (float)b[f];
    evx_adapt_apply(st, &view, ds->x + i * ds->dim);
  }
  free(s), free(cnt), free(bm), free(st);
  return 0;
}

int tl_adapt_by_stream(tl_adapt *ad, const evx_cliplist *cl, evx_dataset *ds)
{
  const int framed = ad->frames > 1;
  uint32_t d = framed ? ds->dim / ad->frames : ds->dim;
  uint32_t *id = malloc((ds->n + 1) * sizeof *id);
  long ns = id ? evx_dataset_groups(ds, cl, 1, id) : -1;
  double *s = ns >= 0 ? calloc((size_t)(ns ? ns : 1) * d * 2 + d * 2, sizeof *s) : NULL;
  size_t *cnt = s ? calloc((size_t)ns + 1, sizeof *cnt) : NULL;
  if (cnt && !ad->mean) {
    ad->len = d;
    ad->mean = calloc(d, sizeof *ad->mean);
    ad->var = calloc(d, sizeof *ad->var);
  }
  if (!cnt || !ad->mean || !ad->var) {
    free(id), free(s), free(cnt);
    return -1;
  }
  if (framed) {
    int rc = by_stream_frames(ad, id, ns, ds);
    free(id), free(s), free(cnt);
    return rc;
  }
  double *sum = s, *sq = s + (size_t)ns * d, *pm = sq + (size_t)ns * d, *pv = pm + d;
  for (size_t i = 0; i < ds->n; i++) {
    const float *x = ds->x + i * d;
    double *a = sum + (size_t)id[i] * d, *b = sq + (size_t)id[i] * d;
    for (uint32_t k = 0; k < d; k++) a[k] += x[k], b[k] += (double)x[k] * x[k];
    cnt[id[i]]++;
  }
  for (long g = 0; g < ns; g++) {  /* sums -> mean, variance */
    double *a = sum + (size_t)g * d, *b = sq + (size_t)g * d;
    for (uint32_t k = 0; k < d; k++) {
      a[k] /= (double)cnt[g];
      b[k] = b[k] / (double)cnt[g] - a[k] * a[k];
      if (b[k] < 0) b[k] = 0;
      pm[k] += a[k] / (double)ns, pv[k] += b[k] / (double)ns;
    }
  }
  for (size_t i = 0; i < ds->n; i++) {
    float *x = ds->x + i * d;
    const double *a = sum + (size_t)id[i] * d, *b = sq + (size_t)id[i] * d;
    for (uint32_t k = 0; k < d; k++)
      x[k] = (float)((x[k] - a[k]) / sqrt(b[k] + EVX_ADAPT_EPS));
  }
  for (uint32_t k = 0; k < d; k++) ad->mean[k] = (float)pm[k], ad->var[k] = (float)pv[k];
  free(id), free(s), free(cnt);
  return 0;
}

int tl_adapt_replay(const evx_adapt *a, enum tl_adapt_mode mode, uint64_t seed,
                    const evx_cliplist *cl, evx_dataset *ds)
{
  const uint32_t d = ds->dim;   /* the row: a->len values, or len x frames */
  uint32_t *id = malloc((ds->n + 1) * sizeof *id);
  size_t *start = malloc((ds->n + 1) * sizeof *start), *order = malloc((ds->n + 1) * sizeof *order);
  evx_adapt_state *st = malloc(sizeof *st);
  long ns = -1;
  if (id && start && order && st) {
    if (mode == TL_ADAPT_SHARED) {   /* one stream: every row in group 0 */
      memset(id, 0, ds->n * sizeof *id);
      ns = ds->n ? 1 : 0;
    } else {
      ns = evx_dataset_groups(ds, cl, 1, id);
    }
  }
  if (ns < 0) {
    free(id), free(start), free(order), free(st);
    return -1;
  }
  /* clip runs: rows [start[c], start[c + 1]) */
  size_t nc = 0;
  for (size_t i = 0; i < ds->n; i++)
    if (!i || ds->clip[i] != ds->clip[i - 1] || ds->variant[i] != ds->variant[i - 1])
      start[nc++] = i;
  start[nc] = ds->n;
  for (long g = 0; g < ns; g++) {
    size_t m = 0;
    for (size_t c = 0; c < nc; c++)
      if (id[start[c]] == (uint32_t)g) order[m++] = c;
    uint64_t r = tl_rng_mix(seed, (uint64_t)g);
    for (size_t k = m; k > 1; k--) {  /* Fisher-Yates */
      size_t j = (size_t)tl_rng_below(&r, k), t = order[k - 1];
      order[k - 1] = order[j], order[j] = t;
    }
    evx_adapt_reset(st, a);
    for (size_t k = 0; k < m; k++)
      for (size_t i = start[order[k]]; i < start[order[k] + 1]; i++) {
        if (mode != TL_ADAPT_COLD) evx_adapt_update(st, a, ds->x + i * d);
        evx_adapt_apply(st, a, ds->x + i * d);
      }
  }
  free(id), free(start), free(order), free(st);
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
