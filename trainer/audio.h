/* audio.h: decode any file libsndfile reads (WAV, FLAC, OGG/Opus, AIFF, ...)
 * to mono float at its own rate. Non-RT (allocates, does I/O). */
#ifndef EVX_AUDIO_H
#define EVX_AUDIO_H

#include <stddef.h>

typedef struct {
  float *x;        /* mono samples (channels averaged), malloc'd */
  size_t n;        /* samples (frames) */
  double rate;     /* Hz */
  int channels;    /* channels in the file */
} evx_audio;

/* 0 on success. On failure -1, *a zeroed and err holds a message that names
 * the file (missing, empty, truncated, not audio, zero channels, ...). */
int evx_audio_read(const char *path, evx_audio *a, char *err, size_t errlen);
/* The same, every channel kept: x holds n frames of `channels` interleaved
 * samples (emovox analyze --channel). */
int evx_audio_read_interleaved(const char *path, evx_audio *a, char *err, size_t errlen);
void evx_audio_free(evx_audio *a);

#endif
