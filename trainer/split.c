/* split.c: speaker-independent (or, when asked, random) train/val/test. */
#include "split.h"
#include "learn/hash.h"
#include "learn/rng.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tr_split_opts tr_split_defaults(void)
{
  tr_split_opts o;
  memset(&o, 0, sizeof o);
  o.mode = TR_SPLIT_SPEAKERS;
  o.seed = 1;
  o.test_frac = 0.2;
  o.val_frac = 0.1;
  o.folds = 5;
  return o;
}

const char *tr_side_name(int side)
{
  static const char *const names[] = { "train", "val", "test" };
  return side >= 0 && side < TR_N_SIDES ? names[side] : NULL;
}

const char *tr_split_warning(const tr_split *sp)
{
  return sp->random ? "random split: speakers overlap" : NULL;
}

/* One speaker: its corpus and the side it was given. */
typedef struct { const char *name, *corpus; int side, fold; } speaker;

static int by_name(const void *a, const void *b)
{
  return strcmp(((const speaker *)a)->name, ((const speaker *)b)->name);
}

static int by_corpus(const void *a, const void *b)
{
  const speaker *x = a, *y = b;
  int c = strcmp(x->corpus, y->corpus);
  return c ? c : strcmp(x->name, y->name);
}

/* Distinct speakers of cl sorted by corpus then name. */
static size_t collect(const tr_cliplist *cl, speaker **out)
{
  speaker *v = calloc(cl->n + 1, sizeof *v);
  size_t k = 0;
  *out = v;
  if (!v)
    return 0;
  for (size_t i = 0; i < cl->n; i++)
    v[i] = (speaker){ cl->clips[i].speaker, cl->clips[i].corpus, TR_TRAIN, -1 };
  qsort(v, cl->n, sizeof *v, by_corpus);
  for (size_t i = 0; i < cl->n; i++)
    if (k == 0 || strcmp(v[k - 1].name, v[i].name))
      v[k++] = v[i];
  qsort(v, k, sizeof *v, by_name);
  return k;
}

static speaker *find(speaker *v, size_t n, const char *name)
{
  speaker key = { name, NULL, 0, 0 };
  return bsearch(&key, v, n, sizeof *v, by_name);
}

static void shuffle(speaker **v, size_t n, tr_rng *r)
{
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)tr_rng_below(r, i);
    speaker *t = v[i - 1];
    v[i - 1] = v[j];
    v[j] = t;
  }
}

/* The speakers of one corpus that are still on train, shuffled by a stream
 * that depends only on the seed, the corpus name and `salt`. */
static size_t corpus_pool(speaker *v, size_t n, const char *corpus,
                          uint64_t seed, uint64_t salt, speaker **pool)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i].corpus, corpus) && v[i].side == TR_TRAIN && v[i].fold < 0)
      pool[k++] = &v[i];
  tr_rng r;
  tr_rng_seed(&r, tr_fnv1a64(seed ^ salt, corpus, strlen(corpus)));
  shuffle(pool, k, &r);
  return k;
}

static size_t share(double frac, size_t n)
{
  return (size_t)(frac * (double)n + 0.5);
}

/* Seeded rule: per corpus, test then validation speakers; at least one test
 * speaker when the corpus has two, always at least one left to train. */
static void pick_speakers(speaker *v, size_t n, const tr_split_opts *o,
                          int with_test, speaker **pool)
{
  for (size_t i = 0; i < n; i++) {
    int seen = 0; /* each corpus once: skip if an earlier speaker had it */
    for (size_t j = 0; j < i && !seen; j++)
      seen = !strcmp(v[j].corpus, v[i].corpus);
    if (seen)
      continue;
    size_t k = corpus_pool(v, n, v[i].corpus, o->seed, 0x5eed, pool), used = 0;
    if (with_test) {
      size_t t = share(o->test_frac, k);
      if (t == 0 && k >= 2 && o->test_frac > 0)
        t = 1;
      if (t >= k)
        t = k ? k - 1 : 0;
      for (; used < t; used++)
        pool[used]->side = TR_TEST;
    }
    size_t val = share(o->val_frac, k);
    if (used + val >= k)
      val = k > used ? k - used - 1 : 0;
    for (size_t e = used + val; used < e; used++)
      pool[used]->side = TR_VAL;
  }
}

/* Leave-speakers-out: each corpus's shuffled speakers dealt round robin to
 * the folds, continuing the deal across corpora to keep folds even. */
static int deal_folds(speaker *v, size_t n, const tr_split_opts *o,
                      speaker **pool, char *err, size_t errlen)
{
  if (o->folds < 2 || o->fold < 0 || o->fold >= o->folds) {
    snprintf(err, errlen, "folds must be >= 2 and fold in 0..folds-1 (got %d of %d)",
             o->fold, o->folds);
    return -1;
  }
  if ((size_t)o->folds > n) {
    snprintf(err, errlen, "%d folds but only %zu speakers", o->folds, n);
    return -1;
  }
  size_t next = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i].fold >= 0)
      continue;
    size_t k = corpus_pool(v, n, v[i].corpus, o->seed, 0xf01d, pool);
    for (size_t j = 0; j < k; j++)
      pool[j]->fold = (int)(next++ % (size_t)o->folds);
  }
  for (size_t i = 0; i < n; i++) {
    v[i].side = v[i].fold == o->fold ? TR_TEST : TR_TRAIN;
    v[i].fold = v[i].side == TR_TEST ? 0 : -1; /* corpus_pool: train only */
  }
  pick_speakers(v, n, o, 0, pool);
  return 0;
}

/* Comma-separated names onto `side`; unknown names are an error. */
static int assign_list(speaker *v, size_t n, const char *list, int side,
                       char *err, size_t errlen)
{
  char name[64];
  for (const char *p = list; p && *p;) {
    size_t len = strcspn(p, ",");
    snprintf(name, sizeof name, "%.*s", (int)len, p);
    speaker *s = find(v, n, name);
    if (!s) {
      snprintf(err, errlen, "speaker '%s' is not in the data", name);
      return -1;
    }
    s->side = side;
    p += len + (p[len] == ',');
  }
  return 0;
}

static int random_sides(const tr_cliplist *cl, const tr_split_opts *o,
                         tr_split *sp)
{
  size_t *idx = malloc((cl->n + 1) * sizeof *idx);
  if (!idx)
    return -1;
  tr_rng r;
  tr_rng_seed(&r, o->seed ^ 0xa11c1175ull);
  for (size_t i = 0; i < cl->n; i++)
    idx[i] = i;
  for (size_t i = cl->n; i > 1; i--) {
    size_t j = (size_t)tr_rng_below(&r, i), t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
  size_t t = share(o->test_frac, cl->n), val = share(o->val_frac, cl->n);
  for (size_t i = 0; i < cl->n; i++)
    sp->side[idx[i]] = i < t ? TR_TEST : i < t + val ? TR_VAL : TR_TRAIN;
  free(idx);
  sp->random = 1;
  return 0;
}

/* Per-side clip and speaker counts. */
static void count(const tr_cliplist *cl, tr_split *sp, speaker *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    v[i].fold = 0; /* reused: bit mask of sides the speaker is on */
  for (size_t i = 0; i < cl->n; i++) {
    sp->clips[sp->side[i]]++;
    find(v, n, cl->clips[i].speaker)->fold |= 1 << sp->side[i];
  }
  for (size_t i = 0; i < n; i++)
    for (int s = 0; s < TR_N_SIDES; s++)
      sp->speakers[s] += (v[i].fold >> s) & 1;
}

int tr_split_make(const tr_cliplist *cl, const tr_split_opts *o,
                   tr_split *sp, char *err, size_t errlen)
{
  memset(sp, 0, sizeof *sp);
  speaker *v;
  size_t n = collect(cl, &v);
  speaker **pool = calloc(n + 1, sizeof *pool);
  sp->side = calloc(cl->n + 1, 1);
  sp->n = cl->n;
  int rc = 0;
  if (!v || !pool || !sp->side) {
    snprintf(err, errlen, "out of memory");
    rc = -1;
  } else if (o->mode == TR_SPLIT_RANDOM) {
    if ((rc = random_sides(cl, o, sp)) < 0)
      snprintf(err, errlen, "out of memory");
  } else {
    if (o->mode == TR_SPLIT_SPEAKERS)
      pick_speakers(v, n, o, 1, pool);
    else if (o->mode == TR_SPLIT_FOLD)
      rc = deal_folds(v, n, o, pool, err, errlen);
    else if (o->mode == TR_SPLIT_LIST) {
      rc = assign_list(v, n, o->test_speakers, TR_TEST, err, errlen) < 0
        || assign_list(v, n, o->val_speakers, TR_VAL, err, errlen) < 0 ? -1 : 0;
      /* no validation speakers named: val_frac of each corpus's remaining
       * speakers, as the seeded rule takes them */
      if (rc == 0 && !(o->val_speakers && *o->val_speakers))
        pick_speakers(v, n, o, 0, pool);
    }
    else
      snprintf(err, errlen, "unknown split mode %d", o->mode), rc = -1;
    for (size_t i = 0; rc == 0 && i < cl->n; i++)
      sp->side[i] = (unsigned char)find(v, n, cl->clips[i].speaker)->side;
  }
  if (rc == 0)
    count(cl, sp, v, n);
  free(v);
  free(pool);
  if (rc < 0)
    tr_split_free(sp);
  return rc;
}

void tr_split_free(tr_split *sp)
{
  free(sp->side);
  memset(sp, 0, sizeof *sp);
}
