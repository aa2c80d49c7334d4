/* corpus.c: the clip list, directory scanning and the summary report. */
#include "corpus_internal.h"
#include "evx_labels.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int tr_corpus_push(tr_cliplist *cl, const tr_clip *c, const char *path)
{
  if (cl->n == cl->cap) {
    size_t cap = cl->cap ? cl->cap * 2 : 256;
    tr_clip *p = realloc(cl->clips, cap * sizeof *p);
    if (!p)
      return -1;
    cl->clips = p;
    cl->cap = cap;
  }
  tr_clip *d = &cl->clips[cl->n];
  *d = *c;
  if (!(d->path = strdup(path)))
    return -1;
  cl->n++;
  return 0;
}

/* A manifest row without corpus/speaker that no naming rule explains:
 * corpus "csv", speaker named after the file's directory. */
static void fill_gaps(tr_clip *c, const char *path)
{
  if (!c->corpus[0])
    snprintf(c->corpus, sizeof c->corpus, "csv");
  if (!c->speaker[0]) {
    const char *end = strrchr(path, '/'), *start = end;
    while (start && start > path && start[-1] != '/')
      start--;
    if (!end || end == start)
      snprintf(c->speaker, sizeof c->speaker, "%s-unknown", c->corpus);
    else
      snprintf(c->speaker, sizeof c->speaker, "%s-%.*s", c->corpus,
               (int)(end - start), start);
  }
}

int tr_corpus_take_file(tr_cliplist *cl, const char *path, const tr_clip *known,
                     tr_log *log)
{
  tr_clip c;
  memset(&c, 0, sizeof c);
  c.label = -1;
  enum name_kind k = tr_corpus_parse_name(path, &c);
  if (known) { /* a manifest's own fields win; the name fills the gaps */
    if (k != NAME_CLIP)
      memset(&c, 0, sizeof c), k = NAME_CLIP;
    if (known->corpus[0])
      memcpy(c.corpus, known->corpus, sizeof c.corpus);
    if (known->speaker[0])
      memcpy(c.speaker, known->speaker, sizeof c.speaker);
    c.label = known->label;
    fill_gaps(&c, path);
  }
  switch (k) {
  case NAME_NONE:
    if (tr_corpus_audio_ext(path)) {
      cl->skips.unrecognised++;
      tr_warn(log, "%s: skipped, name matches no known corpus naming", path);
    } else {
      cl->skips.other++;
    }
    return 0;
  case NAME_SONG:
    cl->skips.song++;
    return 0;
  case NAME_VIDEO:
    cl->skips.video++;
    return 0;
  case NAME_BAD_LABEL:
    tr_error(log, "%s: unknown emotion label in the file name", path);
    return -1;
  case NAME_CLIP:
    break;
  }
  if (tr_corpus_probe(path, &cl->skips, log) < 0)
    return 0;
  if (tr_corpus_push(cl, &c, path) < 0) {
    tr_error(log, "out of memory");
    return -1;
  }
  return 0;
}

static int by_path(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_clip_path(const void *a, const void *b)
{
  return strcmp(((const tr_clip *)a)->path, ((const tr_clip *)b)->path);
}

typedef struct { char **v; size_t n, cap; } pathvec;

static int pathvec_push(pathvec *pv, char *p)
{
  if (pv->n == pv->cap) {
    size_t cap = pv->cap ? pv->cap * 2 : 1024;
    char **v = realloc(pv->v, cap * sizeof *v);
    if (!v)
      return -1;
    pv->v = v;
    pv->cap = cap;
  }
  pv->v[pv->n++] = p;
  return 0;
}

/* Every regular file under dir (symlinks followed), hidden ones counted as
 * other. */
static int walk(const char *dir, pathvec *pv, tr_cliplist *cl, tr_log *log)
{
  DIR *d = opendir(dir);
  if (!d) {
    tr_error(log, "%s: cannot open directory (%s)", dir, strerror(errno));
    return -1;
  }
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *p = malloc(len);
    if (!p) {
      rc = -1;
      break;
    }
    snprintf(p, len, "%s/%s", dir, e->d_name);
    struct stat st;
    if (e->d_name[0] == '.' || stat(p, &st) != 0) {
      cl->skips.other++;
      free(p);
    } else if (S_ISDIR(st.st_mode)) {
      rc = walk(p, pv, cl, log);
      free(p);
    } else if (pathvec_push(pv, p) < 0) {
      free(p);
      rc = -1;
    }
  }
  closedir(d);
  return rc;
}

static int add_dir(tr_cliplist *cl, const char *dir, tr_log *log)
{
  pathvec pv = { 0 };
  int rc = walk(dir, &pv, cl, log);
  if (pv.n)
    qsort(pv.v, pv.n, sizeof *pv.v, by_path);
  for (size_t i = 0; i < pv.n; i++) {
    if (rc == 0)
      rc = tr_corpus_take_file(cl, pv.v[i], NULL, log);
    free(pv.v[i]);
  }
  free(pv.v);
  return rc;
}

static int is_csv(const char *path)
{
  size_t n = strlen(path);
  return n > 4 && !strcasecmp(path + n - 4, ".csv");
}

int tr_corpus_add(tr_cliplist *cl, const char *path, tr_log *log)
{
  struct stat st;
  size_t first = cl->n;
  int rc;
  if (stat(path, &st) != 0) {
    tr_error(log, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    rc = add_dir(cl, path, log);
  } else if (!is_csv(path)) { /* a single audio file */
    rc = tr_corpus_take_file(cl, path, NULL, log);
  } else {
    rc = tr_corpus_read_manifest(cl, path, log);
    if (rc == 0 && cl->n > first) /* manifests keep their order only per call */
      qsort(cl->clips + first, cl->n - first, sizeof *cl->clips, by_clip_path);
  }
  return rc;
}

size_t tr_corpus_skipped(const tr_cliplist *cl)
{
  const tr_corpus_skips *s = &cl->skips;
  return s->unreadable + s->empty + s->truncated + s->too_short + s->bad_rate
       + s->song + s->video + s->unrecognised + s->other;
}

static int by_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t tr_corpus_speakers(const tr_cliplist *cl, const char ***speakers)
{
  const char **v = malloc((cl->n + 1) * sizeof *v);
  size_t k = 0;
  *speakers = v;
  if (!v)
    return 0;
  for (size_t i = 0; i < cl->n; i++)
    v[i] = cl->clips[i].speaker;
  qsort(v, cl->n, sizeof *v, by_str);
  for (size_t i = 0; i < cl->n; i++)
    if (k == 0 || strcmp(v[k - 1], v[i]))
      v[k++] = v[i];
  return k;
}

void tr_corpus_report(const tr_cliplist *cl, tr_log *log)
{
  const char **spk;
  size_t n_spk = tr_corpus_speakers(cl, &spk);
  free(spk);
  size_t per[EVX_N_EMOTIONS] = { 0 };
  for (size_t i = 0; i < cl->n; i++)
    if (cl->clips[i].label >= 0 && cl->clips[i].label < EVX_N_EMOTIONS)
      per[cl->clips[i].label]++;
  tr_info(log, "clips: %zu from %zu speaker%s", cl->n, n_spk, n_spk == 1 ? "" : "s");
  for (int e = 0; e < EVX_N_EMOTIONS; e++)
    tr_info(log, "  %-10s %zu", evx_emotion_name(e), per[e]);
  const tr_corpus_skips *s = &cl->skips;
  tr_info(log, "skipped: %zu (unreadable %zu, empty %zu, truncated %zu, "
           "too short %zu, bad rate %zu, RAVDESS song %zu, RAVDESS video %zu, "
           "unrecognised name %zu, other files %zu)",
           tr_corpus_skipped(cl), s->unreadable, s->empty, s->truncated,
           s->too_short, s->bad_rate, s->song, s->video, s->unrecognised, s->other);
}

void tr_cliplist_free(tr_cliplist *cl)
{
  for (size_t i = 0; i < cl->n; i++)
    free(cl->clips[i].path);
  free(cl->clips);
  memset(cl, 0, sizeof *cl);
}
