/* dataset.c: clips -> frames (cached) -> plugin windows -> network inputs,
 * over worker threads, assembled in clip order. */
#include "dataset.h"
#include "learn/hash.h"
#include "evx_features.h"
#include "evx_prosody.h"
#include "progress_bar.h"
#include "tmpfiles.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tr_window_count(const evx_feature_config *cfg, size_t n_frames)
{
  size_t w = cfg->window_frames, u = cfg->update_frames ? cfg->update_frames : w;
  return n_frames <= w ? 1 : 1 + (n_frames - w) / u;
}

typedef struct {
  uint32_t clip, variant;
  float *rows;          /* n_rows x dim */
  size_t n_rows;
  char err[512];        /* non-empty: the clip failed */
} job;

typedef struct {
  const tr_cliplist *cl;
  const evx_feature_config *cfg;
  const tr_augment_opts *aug;
  const tr_degrade_opts *deg;
  tr_featcache *fc;
  uint32_t dim;
  job *jobs;
  size_t n_jobs, next;  /* next: claimed atomically */
  size_t done;          /* jobs finished (atomic) */
  tr_progress *progress; /* drawn by the calling thread only */
} work;

static void run_job(work *w, job *j)
{
  const tr_clip *c = &w->cl->clips[j->clip];
  tr_augment_params p, *pp = NULL;
  if (j->variant > 0) {
    p = tr_augment_draw(w->aug, tr_fnv1a64(TR_FNV_OFFSET, c->path, strlen(c->path)),
                         j->variant);
    pp = &p;
  }
  float *frames, *pros = NULL;
  size_t nf;
  int rc = evx_input_needs_prosody(w->cfg)
           ? tr_featcache_frames_pros(w->fc, c->path, w->cfg, pp, w->deg, &frames, &pros, &nf,
                                       j->err, sizeof j->err)
           : tr_featcache_frames(w->fc, c->path, w->cfg, pp, w->deg, &frames, &nf, j->err,
                                  sizeof j->err);
  if (rc < 0)
    return;
  if (nf == 0) {
    snprintf(j->err, sizeof j->err, "%s: shorter than one frame", c->path);
    return;
  }
  size_t nw = tr_window_count(w->cfg, nf), win = w->cfg->window_frames;
  size_t hop = w->cfg->update_frames ? w->cfg->update_frames : win;
  j->rows = malloc(nw * w->dim * sizeof *j->rows);
  if (!j->rows) {
    snprintf(j->err, sizeof j->err, "%s: out of memory", c->path);
  } else {
    for (size_t k = 0; k < nw; k++) {
      size_t start = k * hop, len = nf - start < win ? nf - start : win;
      evx_build_input_pros(w->cfg, frames + start * EVX_NFEAT,
                           pros ? pros + start * EVX_NPROS : NULL, (uint32_t)len,
                           j->rows + k * w->dim);
    }
    j->n_rows = nw;
  }
  free(frames);
  free(pros);
}

static void *worker(void *arg)
{
  work *w = arg;
  size_t i;
  while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->n_jobs) {
    run_job(w, &w->jobs[i]);
    __atomic_fetch_add(&w->done, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

/* The calling thread's share: the same, drawing the progress as it goes. */
static void lead(work *w)
{
  size_t i;
  while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->n_jobs) {
    run_job(w, &w->jobs[i]);
    tr_progress_update(w->progress, __atomic_add_fetch(&w->done, 1, __ATOMIC_RELAXED));
  }
}

static void run_all(work *w, unsigned threads)
{
  pthread_t t[64];
  unsigned started = 0;
  if (threads > 64)
    threads = 64;
  for (; started + 1 < threads; started++)
    if (pthread_create(&t[started], NULL, worker, w) != 0)
      break;
  lead(w); /* this thread works too */
  for (unsigned i = 0; i < started; i++)
    pthread_join(t[i], NULL);
  tr_progress_end(w->progress, w->done);
}

/* Concatenate the jobs' rows in job order; report failures in order. */
static int assemble(tr_dataset *ds, const work *w, tr_log *log)
{
  size_t rows = 0;
  for (size_t i = 0; i < w->n_jobs; i++)
    rows += w->jobs[i].n_rows;
  ds->x = malloc((rows * ds->dim + 1) * sizeof *ds->x);
  ds->y = malloc((rows + 1) * sizeof *ds->y);
  ds->clip = malloc((rows + 1) * sizeof *ds->clip);
  ds->variant = malloc((rows + 1) * sizeof *ds->variant);
  if (!ds->x || !ds->y || !ds->clip || !ds->variant)
    return -1;
  for (size_t i = 0; i < w->n_jobs; i++) {
    const job *j = &w->jobs[i];
    if (j->err[0]) {
      tr_warn(log, "%s (skipped)", j->err);
      ds->skipped++;
      continue;
    }
    memcpy(ds->x + ds->n * ds->dim, j->rows, j->n_rows * ds->dim * sizeof *ds->x);
    for (size_t k = 0; k < j->n_rows; k++, ds->n++) {
      ds->y[ds->n] = w->cl->clips[j->clip].label;
      ds->clip[ds->n] = j->clip;
      ds->variant[ds->n] = j->variant;
    }
    ds->n_clips += j->variant == 0;
  }
  return 0;
}

int tr_dataset_build(tr_dataset *ds, const tr_cliplist *cl,
                      const tr_split *sp, int side,
                      const evx_feature_config *cfg,
                      const tr_dataset_opts *o, char *err, size_t errlen)
{
  static const tr_dataset_opts none = { 0 };
  memset(ds, 0, sizeof *ds);
  if (!o)
    o = &none;
  ds->shape = evx_input_shape(cfg);
  ds->dim = ds->shape.c * ds->shape.h * ds->shape.w;
  if (ds->dim == 0 || cfg->window_frames == 0) {
    snprintf(err, errlen, "feature configuration gives no input (window %u frames)",
             cfg->window_frames);
    return -1;
  }
  if (sp && sp->n != cl->n) {
    snprintf(err, errlen, "split is for %zu clips, list has %zu", sp->n, cl->n);
    return -1;
  }
  unsigned copies = tr_augment_enabled(o->augment) ? o->augment_copies : 0;
  tr_featcache fc = { o->cache_dir, 0, 0, 0, 0 };
  if (o->cache_dir)
    tr_tmp_remove_stale(o->cache_dir);   /* temps of a killed run */
  tr_progress bar;
  work w = { cl, cfg, o->augment, o->degrade, &fc, ds->dim, NULL, 0, 0, 0, &bar };
  w.jobs = calloc(cl->n * (copies + 1) + 1, sizeof *w.jobs);
  if (!w.jobs) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < cl->n; i++)
    if (!sp || sp->side[i] == side)
      for (unsigned v = 0; v <= copies; v++)
        w.jobs[w.n_jobs++] = (job){ (uint32_t)i, v, NULL, 0, "" };
  char what[96];
  snprintf(what, sizeof what, "%s%s%s%s", copies ? "features and augmentation" : "features",
           sp ? " (" : "", sp ? tr_side_name(side) : "", sp ? " side)" : "");
  tr_progress_begin(&bar, what, w.n_jobs, o->log);
  run_all(&w, o->threads ? o->threads : 2);
  int rc = assemble(ds, &w, o->log);
  for (size_t i = 0; i < w.n_jobs; i++)
    free(w.jobs[i].rows);
  free(w.jobs);
  ds->cache_hits = fc.hits;
  ds->extractions = fc.extractions;
  if (rc < 0) {
    tr_dataset_free(ds);
    snprintf(err, errlen, "out of memory");
  }
  return rc;
}

/* Rows come clip by clip, so most rows share the previous row's group. */
long tr_dataset_groups(const tr_dataset *ds, const tr_cliplist *cl, int by_variant,
                        uint32_t *id)
{
  size_t cap = 64, n = 0;
  uint32_t *first = malloc(cap * sizeof *first); /* a row of each group */
  if (!first) return -1;
  for (size_t i = 0; i < ds->n; i++) {
    const char *spk = cl->clips[ds->clip[i]].speaker;
    size_t g = n;
    if (i && (!by_variant || ds->variant[i] == ds->variant[i - 1]) &&
        !strcmp(cl->clips[ds->clip[i - 1]].speaker, spk))
      g = id[i - 1];
    else
      for (size_t k = 0; k < n; k++)
        if ((!by_variant || ds->variant[first[k]] == ds->variant[i]) &&
            !strcmp(cl->clips[ds->clip[first[k]]].speaker, spk)) { g = k; break; }
    if (g == n) {
      if (n == cap) {
        uint32_t *f = realloc(first, 2 * cap * sizeof *first);
        if (!f) { free(first); return -1; }
        first = f, cap *= 2;
      }
      first[n++] = (uint32_t)i;
    }
    id[i] = (uint32_t)g;
  }
  free(first);
  return (long)n;
}

void tr_dataset_free(tr_dataset *ds)
{
  free(ds->x);
  free(ds->y);
  free(ds->clip);
  free(ds->variant);
  memset(ds, 0, sizeof *ds);
}
