/* audio.h: decode any file libsndfile reads (WAV, FLAC, OGG/Opus, AIFF, ...)
 * to mono float at its own rate. Non-RT (allocates, does I/O). */
#ifndef TR_AUDIO_H
#define TR_AUDIO_H

#include <stddef.h>

typedef struct {
  float *x;        /* mono samples (channels averaged), malloc'd */
  size_t n;        /* samples (frames) */
  double rate;     /* Hz */
  int channels;    /* channels in the file */
} tr_audio;

/* 0 on success. On failure -1, *a zeroed and err holds a message that names
 * the file (missing, empty, truncated, not audio, zero channels, ...). */
int tr_audio_read(const char *path, tr_audio *a, char *err, size_t errlen);
/* The same, every channel kept: x holds n frames of `channels` interleaved
 * samples (emovox analyze --channel). */
int tr_audio_read_interleaved(const char *path, tr_audio *a, char *err, size_t errlen);
void tr_audio_free(tr_audio *a);

#endif
