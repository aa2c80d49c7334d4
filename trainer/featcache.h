/* featcache.h: per-clip feature frames (before windowing), cached on disk.
 *
 * A clip's frames are computed by the one feature path: tr_audio_read ->
 * (optional augmentation) -> evx_features_of_signal. With a cache directory
 * they are stored as <dir>/<key>.evxf where key = FNV-1a 64 over the file's
 * bytes, the frame-level feature configuration (rate, frame, hop, feature
 * set), TR_FEATURE_CODE_VERSION, the augmentation parameters and the
 * degradation (degrade.h; applied after augmentation) if any. Files are
 * written atomically (temp file + rename) and validated on read (magic, key,
 * size); a bad cache file is recomputed. Non-RT. Thread-safe: counters are
 * atomic, several threads may share one tr_featcache. */
#ifndef TR_FEATCACHE_H
#define TR_FEATCACHE_H

#include "augment.h"
#include "degrade.h"
#include "evx_nn_input.h"
#include <stddef.h>
#include <stdint.h>

/* Bump when the extractor's output changes: old cache entries then miss. */
#define TR_FEATURE_CODE_VERSION "evx-features-v1.2"
/* Bump when the prosody tracker's output changes (entries with prosody). */
#define TR_PROSODY_CODE_VERSION "evx-prosody-v1.0"

typedef struct {
  const char *dir;      /* NULL: no cache (always extract) */
  /* counters (updated atomically) */
  size_t hits;          /* frames read from the cache */
  size_t extractions;   /* clips decoded and run through the extractor */
  size_t writes;        /* cache files written */
  size_t bad;           /* cache files found invalid and recomputed */
} tr_featcache;


/* Frames of the clip at path (aug NULL or all-identity = unaugmented; deg
 * NULL or all off = not degraded).
 * *frames is malloc'd, n_frames x EVX_NFEAT floats (NULL when a file is
 * shorter than one frame). 0, or -1 with a message naming the file. */
int tr_featcache_frames(tr_featcache *fc, const char *path,
                         const evx_feature_config *cfg,
                         const tr_augment_params *aug,
                         const tr_degrade_opts *deg,
                         float **frames, size_t *n_frames,
                         char *err, size_t errlen);

/* The same with the prosody rows (evx_prosody.h) of every frame in *pros
 * (n_frames x EVX_NPROS, malloc'd), for input kinds that read them
 * (evx_input_needs_prosody). Cached apart from the frames alone. */
int tr_featcache_frames_pros(tr_featcache *fc, const char *path,
                              const evx_feature_config *cfg,
                              const tr_augment_params *aug,
                              const tr_degrade_opts *deg,
                              float **frames, float **pros, size_t *n_frames,
                              char *err, size_t errlen);

#endif
