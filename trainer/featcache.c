/* featcache.c: per-clip frames through the one feature path, cached on disk. */
#include "featcache.h"
#include "audio.h"
#include "evx_features.h"
#include "tmpfiles.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t evx_fnv1a64(uint64_t h, const void *p, size_t n)
{
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

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
  *h = EVX_FNV_OFFSET;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0)
    *h = evx_fnv1a64(*h, buf, got);
  int bad = ferror(f);
  fclose(f);
  if (bad)
    snprintf(err, errlen, "%s: read error", path);
  return bad ? -1 : 0;
}

static int is_identity(const evx_augment_params *a)
{
  return !a || (a->snr_db == 0 && a->rate == 1 && a->semitones == 0);
}

/* Everything the frames depend on besides the file's bytes. */
static uint64_t config_key(uint64_t h, const evx_feature_config *cfg,
                           const evx_augment_params *aug, const evx_degrade_opts *deg,
                           const char *path)
{
  h = evx_degrade_key(deg, path, h);
  uint32_t frame_cfg[4] = { cfg->sample_rate, cfg->frame_len, cfg->hop, cfg->feature_set };
  h = evx_fnv1a64(h, frame_cfg, sizeof frame_cfg);
  h = evx_fnv1a64(h, EVX_FEATURE_CODE_VERSION, sizeof EVX_FEATURE_CODE_VERSION);
  if (!is_identity(aug)) {
    double p[3] = { aug->snr_db, aug->rate, aug->semitones };
    h = evx_fnv1a64(h, p, sizeof p);
    h = evx_fnv1a64(h, &aug->noise_seed, sizeof aug->noise_seed);
    if (aug->babble)   /* hashed only when set: white-noise keys stay as they were */
      h = evx_fnv1a64(h, &aug->babble, sizeof aug->babble);
  }
  return h;
}

typedef struct {
  char magic[4];      /* "EVXF" */
  uint32_t nfeat;     /* EVX_NFEAT */
  uint64_t key;
  uint64_t n_frames;
} cache_header;

/* 0 and the frames if a valid entry exists, else -1. */
static int cache_read(const char *file, uint64_t key, float **frames, size_t *nf)
{
  FILE *f = fopen(file, "rb");
  if (!f)
    return -1;
  cache_header h;
  struct stat st;
  int ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(h.magic, "EVXF", 4)
        && h.nfeat == EVX_NFEAT && h.key == key && fstat(fileno(f), &st) == 0
        && h.n_frames < ((uint64_t)1 << 32)
        && (uint64_t)st.st_size == sizeof h + h.n_frames * EVX_NFEAT * sizeof(float);
  float *x = NULL;
  if (ok && h.n_frames) {
    x = malloc(h.n_frames * EVX_NFEAT * sizeof *x);
    ok = x && fread(x, sizeof *x * EVX_NFEAT, h.n_frames, f) == h.n_frames;
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

/* Temp file in the same directory, then rename: readers never see half. */
static int cache_write(const char *file, uint64_t key, const float *x, size_t nf)
{
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.%ld.%lx.tmp", file, (long)getpid(),
           (unsigned long)(uintptr_t)&tmp);
  int slot = evx_tmp_register(tmp);   /* removed if we are interrupted */
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    evx_tmp_unregister(slot);
    return -1;
  }
  cache_header h = { { 'E', 'V', 'X', 'F' }, EVX_NFEAT, key, nf };
  int ok = fwrite(&h, sizeof h, 1, f) == 1
        && (nf == 0 || fwrite(x, sizeof *x * EVX_NFEAT, nf, f) == nf);
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, file) != 0) {
    unlink(tmp);
    evx_tmp_unregister(slot);
    return -1;
  }
  evx_tmp_unregister(slot);
  return 0;
}

/* Decode, augment, degrade, extract. */
static int extract(const char *path, const evx_augment_params *aug,
                   const evx_degrade_opts *deg, float **frames, size_t *nf,
                   char *err, size_t errlen)
{
  evx_audio a;
  if (evx_audio_read(path, &a, err, errlen) < 0)
    return -1;
  float *x = a.x, *d = NULL;
  size_t n = a.n;
  double rate = a.rate;
  int rc = -1;
  if (!is_identity(aug) && evx_augment_apply(aug, a.x, a.n, a.rate, &x, &n) < 0) {
    snprintf(err, errlen, "%s: augmentation failed", path);
  } else if (!evx_degrade_enabled(deg)
             || evx_degrade_apply(deg, path, x, n, a.rate, &d, &n, &rate, err, errlen) == 0) {
    rc = evx_features_of_signal(d ? d : x, n, rate, frames, nf);
    if (rc < 0)
      snprintf(err, errlen, "%s: feature extraction failed", path);
  }
  free(d);
  if (x != a.x)
    free(x);
  evx_audio_free(&a);
  return rc;
}

int evx_featcache_frames(evx_featcache *fc, const char *path,
                         const evx_feature_config *cfg,
                         const evx_augment_params *aug,
                         const evx_degrade_opts *deg,
                         float **frames, size_t *n_frames,
                         char *err, size_t errlen)
{
  *frames = NULL;
  *n_frames = 0;
  char file[4200] = "";
  uint64_t key = 0;
  if (fc && fc->dir) {
    if (hash_file(path, &key, err, errlen) < 0)
      return -1;
    key = config_key(key, cfg, aug, deg, path);
    mkdir(fc->dir, 0777); /* EEXIST is fine; a real failure shows at write */
    snprintf(file, sizeof file, "%s/%016llx.evxf", fc->dir, (unsigned long long)key);
    if (cache_read(file, key, frames, n_frames) == 0) {
      bump(&fc->hits);
      return 0;
    }
    if (access(file, F_OK) == 0)
      bump(&fc->bad);
  }
  if (extract(path, aug, deg, frames, n_frames, err, errlen) < 0)
    return -1;
  if (fc)
    bump(&fc->extractions);
  if (file[0] && cache_write(file, key, *frames, *n_frames) == 0)
    bump(&fc->writes);
  return 0;
}
