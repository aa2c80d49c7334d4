/* featcache.c: per-clip frames through the one feature path, cached on disk. */
#include "featcache.h"
#include "learn/hash.h"
#include "audio.h"
#include "evx_features.h"
#include "evx_prosody.h"
#include "evx_write_atomic.h"
#include "tmpfiles.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void bump(size_t *counter)
{
  __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Hash of the file's bytes. 0 on success. */
static int hash_file(const char *path, uint64_t *h, char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  unsigned char buf[1 << 16];
  size_t got;
  *h = TR_FNV_OFFSET;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0)
    *h = tr_fnv1a64(*h, buf, got);
  int bad = ferror(f);
  fclose(f);
  if (bad)
    snprintf(err, errlen, "%s: read error", path);
  return bad ? -1 : 0;
}

static int is_identity(const tr_augment_params *a)
{
  return !a || (a->snr_db == 0 && a->rate == 1 && a->semitones == 0 && a->speed == 1 &&
                a->gain_db == 0 && a->channel == 0);
}

/* Everything the frames depend on besides the file's bytes; with_pros:
 * entries that also hold the prosody rows are keyed apart. */
static uint64_t config_key(uint64_t h, const evx_feature_config *cfg,
                           const tr_augment_params *aug, const tr_degrade_opts *deg,
                           const char *path, int with_pros)
{
  h = tr_degrade_key(deg, path, h);
  /* both feature sets read the same frames (set 2 corrects the level later,
   * when the input is built): one cache entry serves both */
  uint32_t frame_cfg[4] = { cfg->sample_rate, cfg->frame_len, cfg->hop, EVX_FSET_V1 };
  h = tr_fnv1a64(h, frame_cfg, sizeof frame_cfg);
  h = tr_fnv1a64(h, TR_FEATURE_CODE_VERSION, sizeof TR_FEATURE_CODE_VERSION);
  if (with_pros)
    h = tr_fnv1a64(h, TR_PROSODY_CODE_VERSION, sizeof TR_PROSODY_CODE_VERSION);
  if (!is_identity(aug)) {
    double p[3] = { aug->snr_db, aug->rate, aug->semitones };
    h = tr_fnv1a64(h, p, sizeof p);
    h = tr_fnv1a64(h, &aug->noise_seed, sizeof aug->noise_seed);
    if (aug->babble)   /* hashed only when set: white-noise keys stay as they were */
      h = tr_fnv1a64(h, &aug->babble, sizeof aug->babble);
    if (aug->speed != 1 || aug->gain_db != 0 || aug->channel) {   /* likewise */
      double q[3] = { aug->speed, aug->gain_db, aug->channel };
      h = tr_fnv1a64(h, q, sizeof q);
    }
  }
  return h;
}

typedef struct {
  char magic[4];      /* "EVXF" */
  uint32_t nfeat;     /* floats per row: EVX_NFEAT, or + EVX_NPROS with prosody */
  uint64_t key;
  uint64_t n_frames;
} cache_header;

/* 0 and the rows (width floats each) if a valid entry exists, else -1. */
static int cache_read(const char *file, uint64_t key, uint32_t width, float **frames, size_t *nf)
{
  FILE *f = fopen(file, "rb");
  if (!f)
    return -1;
  cache_header h;
  struct stat st;
  int ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(h.magic, "EVXF", 4)
        && h.nfeat == width && h.key == key && fstat(fileno(f), &st) == 0
        && h.n_frames < ((uint64_t)1 << 32)
        && (uint64_t)st.st_size == sizeof h + h.n_frames * width * sizeof(float);
  float *x = NULL;
  if (ok && h.n_frames) {
    x = malloc(h.n_frames * width * sizeof *x);
    ok = x && fread(x, sizeof *x * width, h.n_frames, f) == h.n_frames;
  }
  fclose(f);
  if (!ok) {
    free(x);
    return -1;
  }
  *frames = x;
  *nf = (size_t)h.n_frames;
  return 0;
}

/* Atomic, so readers never see half an entry; the temporary names our pid so
 * a later run removes it only once we are gone (tr_tmp_remove_stale). */
static int cache_write(const char *file, uint64_t key, uint32_t width, const float *x, size_t nf)
{
  const cache_header h = { { 'E', 'V', 'X', 'F' }, width, key, nf };
  const size_t body = sizeof *x * width * nf;
  unsigned char *buf = malloc(sizeof h + body);
  if (!buf)
    return -1;
  memcpy(buf, &h, sizeof h);
  if (body)
    memcpy(buf + sizeof h, x, body);
  int slot = -1;
  const evx_write_opts o = { .pid_temp = 1, .on_temp = tr_tmp_track, .user = &slot };
  char err[64];
  int rc = evx_write_atomic(file, buf, sizeof h + body, &o, err, sizeof err);
  free(buf);
  return rc;
}

/* Rows of features then prosody (EVX_NFEAT + EVX_NPROS floats each) from
 * the two blocks evx_features_prosody_of_signal gives; frees them. */
static float *join_rows(float *frames, float *pros, size_t nf)
{
  const size_t w = EVX_NFEAT + EVX_NPROS;
  float *rows = nf ? malloc(nf * w * sizeof *rows) : NULL;
  for (size_t t = 0; rows && t < nf; t++) {
    memcpy(rows + t * w, frames + t * EVX_NFEAT, EVX_NFEAT * sizeof *rows);
    memcpy(rows + t * w + EVX_NFEAT, pros + t * EVX_NPROS, EVX_NPROS * sizeof *rows);
  }
  free(frames);
  free(pros);
  return rows;
}

/* The inverse: *frames and *pros from rows (freed); 0, or -1 out of memory. */
static int split_rows(float *rows, size_t nf, float **frames, float **pros)
{
  const size_t w = EVX_NFEAT + EVX_NPROS;
  *frames = nf ? malloc(nf * EVX_NFEAT * sizeof **frames) : NULL;
  *pros = nf ? malloc(nf * EVX_NPROS * sizeof **pros) : NULL;
  if (nf && (!*frames || !*pros)) {
    free(*frames);
    free(*pros);
    free(rows);
    *frames = *pros = NULL;
    return -1;
  }
  for (size_t t = 0; t < nf; t++) {
    memcpy(*frames + t * EVX_NFEAT, rows + t * w, EVX_NFEAT * sizeof *rows);
    memcpy(*pros + t * EVX_NPROS, rows + t * w + EVX_NFEAT, EVX_NPROS * sizeof *rows);
  }
  free(rows);
  return 0;
}

/* Decode, augment, degrade, extract (with_pros: rows of features and
 * prosody, join_rows). */
static int extract(const char *path, const tr_augment_params *aug,
                   const tr_degrade_opts *deg, int with_pros, float **frames, size_t *nf,
                   char *err, size_t errlen)
{
  tr_audio a;
  if (tr_audio_read(path, &a, err, errlen) < 0)
    return -1;
  float *x = a.x, *d = NULL;
  size_t n = a.n;
  double rate = a.rate;
  int rc = -1;
  if (!is_identity(aug) && tr_augment_apply(aug, a.x, a.n, a.rate, &x, &n) < 0) {
    snprintf(err, errlen, "%s: augmentation failed", path);
  } else if (!tr_degrade_enabled(deg)
             || tr_degrade_apply(deg, path, x, n, a.rate, &d, &n, &rate, err, errlen) == 0) {
    float *pros = NULL;
    rc = with_pros ? evx_features_prosody_of_signal(d ? d : x, n, rate, frames, &pros, nf)
                   : evx_features_of_signal(d ? d : x, n, rate, frames, nf);
    if (rc == 0 && with_pros && *nf) {
      *frames = join_rows(*frames, pros, *nf);
      rc = *frames ? 0 : -1;
    }
    if (rc < 0)
      snprintf(err, errlen, "%s: feature extraction failed", path);
  }
  free(d);
  if (x != a.x)
    free(x);
  tr_audio_free(&a);
  return rc;
}

/* Rows of `width` floats (EVX_NFEAT, or with prosody EVX_NFEAT + EVX_NPROS),
 * from the cache or extracted (and cached). */
static int cached_rows(tr_featcache *fc, const char *path, const evx_feature_config *cfg,
                       const tr_augment_params *aug, const tr_degrade_opts *deg,
                       uint32_t width, float **frames, size_t *n_frames, char *err,
                       size_t errlen)
{
  int with_pros = width != EVX_NFEAT;
  char file[4200] = "";
  uint64_t key = 0;
  if (fc && fc->dir) {
    if (hash_file(path, &key, err, errlen) < 0)
      return -1;
    key = config_key(key, cfg, aug, deg, path, with_pros);
    mkdir(fc->dir, 0777); /* EEXIST is fine; a real failure shows at write */
    snprintf(file, sizeof file, "%s/%016llx.evxf", fc->dir, (unsigned long long)key);
    if (cache_read(file, key, width, frames, n_frames) == 0) {
      bump(&fc->hits);
      return 0;
    }
    if (access(file, F_OK) == 0)
      bump(&fc->bad);
  }
  if (extract(path, aug, deg, with_pros, frames, n_frames, err, errlen) < 0)
    return -1;
  if (fc)
    bump(&fc->extractions);
  if (file[0] && cache_write(file, key, width, *frames, *n_frames) == 0)
    bump(&fc->writes);
  return 0;
}

int tr_featcache_frames(tr_featcache *fc, const char *path,
                         const evx_feature_config *cfg,
                         const tr_augment_params *aug,
                         const tr_degrade_opts *deg,
                         float **frames, size_t *n_frames,
                         char *err, size_t errlen)
{
  *frames = NULL;
  *n_frames = 0;
  return cached_rows(fc, path, cfg, aug, deg, EVX_NFEAT, frames, n_frames, err, errlen);
}

int tr_featcache_frames_pros(tr_featcache *fc, const char *path,
                              const evx_feature_config *cfg,
                              const tr_augment_params *aug,
                              const tr_degrade_opts *deg,
                              float **frames, float **pros, size_t *n_frames,
                              char *err, size_t errlen)
{
  *frames = *pros = NULL;
  *n_frames = 0;
  float *rows = NULL;
  if (cached_rows(fc, path, cfg, aug, deg, EVX_NFEAT + EVX_NPROS, &rows, n_frames, err,
                  errlen) < 0)
    return -1;
  if (split_rows(rows, *n_frames, frames, pros) < 0) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  return 0;
}
