/* checkpoint.c: checkpoint files (see checkpoint.h). Layout, little-endian
 * as the machine: magic "EVXCKPT1", then the fields in the order of
 * put_state(), then FNV-1a 64 of everything before it. */
#include "checkpoint.h"
#include "hash.h"
#include "evx_write_atomic.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MAGIC[8] = "EVXCKPT1";

typedef struct {
  unsigned char *p;
  size_t len, cap;
  int fail;
} buf_t;

static void put(buf_t *b, const void *src, size_t n)
{
  if (b->fail)
    return;
  if (b->len + n > b->cap) {
    size_t cap = (b->len + n) * 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
      b->fail = 1;
      return;
    }
    b->p = p, b->cap = cap;
  }
  memcpy(b->p + b->len, src, n);
  b->len += n;
}

typedef struct {
  const unsigned char *p;
  size_t len, at;
  int fail;
} rd_t;

static void get(rd_t *r, void *dst, size_t n)
{
  if (r->fail || r->len - r->at < n) {
    r->fail = 1;
    memset(dst, 0, n);
    return;
  }
  memcpy(dst, r->p + r->at, n);
  r->at += n;
}

/* One list of fields serves both directions, so they cannot drift apart. */
#define STATE_FIELDS(X, st)                                                   \
  X(st->fingerprint) X(st->n_params) X(st->epoch) X(st->done) X(st->rng)      \
  X(st->adam) X(st->plateau) X(st->early)

int tl_checkpoint_write(const char *path, const tl_state *st, char *err, size_t errlen)
{
  buf_t b = { 0 };
  put(&b, MAGIC, sizeof MAGIC);
#define PUT(f) put(&b, &(f), sizeof(f));
  STATE_FIELDS(PUT, st)
#undef PUT
  put(&b, st->hist, sizeof(tl_epoch) * (size_t)st->epoch);
  const size_t bytes = sizeof(float) * st->n_params;
  put(&b, st->params, bytes);
  put(&b, st->m, bytes);
  put(&b, st->v, bytes);
  put(&b, st->best, bytes);
  uint64_t h = b.fail ? 0 : tr_fnv1a64(TR_FNV_OFFSET, b.p, b.len);
  put(&b, &h, sizeof h);
  int rc = b.fail ? (snprintf(err, errlen, "out of memory"), -1)
                  : tl_write_atomic(path, b.p, b.len, err, errlen);
  free(b.p);
  return rc;
}

static unsigned char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  unsigned char *p = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1))) {
      *len = fread(p, 1, (size_t)n, f);
      if (*len != (size_t)n) {
        free(p);
        p = NULL;
      }
    }
  }
  fclose(f);
  return p;
}

/* Parse header fields into st (without touching its arrays). */
static int parse(const unsigned char *p, size_t len, tl_state *st, rd_t *r)
{
  uint64_t h;
  if (len < sizeof MAGIC + sizeof h || memcmp(p, MAGIC, sizeof MAGIC))
    return -1;
  memcpy(&h, p + len - sizeof h, sizeof h);
  if (h != tr_fnv1a64(TR_FNV_OFFSET, p, len - sizeof h))
    return -1;
  *r = (rd_t){ .p = p, .len = len - sizeof h, .at = sizeof MAGIC };
#define GET(f) get(r, &(f), sizeof(f));
  STATE_FIELDS(GET, st)
#undef GET
  return r->fail || st->epoch < 0 || st->epoch > TL_MAX_EPOCHS ? -1 : 0;
}

int tl_checkpoint_read(const char *path, tl_state *st, uint64_t fingerprint,
                       char *err, size_t errlen)
{
  size_t len = 0;
  unsigned char *p = slurp(path, &len);
  if (!p) {
    snprintf(err, errlen, "%s: cannot read checkpoint: %s", path, strerror(errno));
    return -1;
  }
  tl_state h;
  rd_t r;
  memset(&h, 0, sizeof h);
  int rc = -1;
  if (parse(p, len, &h, &r))
    snprintf(err, errlen, "%s: not a checkpoint or corrupt", path);
  else if (h.fingerprint != fingerprint)
    snprintf(err, errlen, "%s: made with other data or options; start afresh "
             "without --resume or use the same command line", path);
  else if (h.n_params != st->n_params)
    snprintf(err, errlen, "%s: made for another network (%zu parameters, not %zu)",
             path, (size_t)h.n_params, st->n_params);
  else {
    float *params = st->params, *m = st->m, *v = st->v, *best = st->best;
    h.params = params, h.m = m, h.v = v, h.best = best;
    get(&r, h.hist, sizeof(tl_epoch) * (size_t)h.epoch);
    const size_t bytes = sizeof(float) * st->n_params;
    get(&r, params, bytes);
    get(&r, m, bytes);
    get(&r, v, bytes);
    get(&r, best, bytes);
    if (r.fail || r.at != r.len)
      snprintf(err, errlen, "%s: checkpoint has the wrong size", path);
    else {
      *st = h;
      rc = 0;
    }
  }
  free(p);
  return rc;
}

int tl_checkpoint_epoch(const char *path)
{
  size_t len = 0;
  unsigned char *p = slurp(path, &len);
  tl_state h;
  rd_t r;
  memset(&h, 0, sizeof h);
  int e = p && parse(p, len, &h, &r) == 0 ? h.epoch : -1;
  free(p);
  return e;
}

void (*tl_on_temp)(const char *tmp, int live, void *user);

int tl_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
  int slot = -1;
  const evx_write_opts o = { .durable = 1, .on_temp = tl_on_temp, .user = &slot };
  return evx_write_atomic(path, buf, len, &o, err, errlen);
}
