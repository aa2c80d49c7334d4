/* audio.c: tr_audio_read, any file libsndfile decodes to mono float at the
 * file's own rate (trainer and CLI threads; allocates, does I/O).
 *
 * Policy for damaged files (every message starts with the path):
 *  - missing, not a regular file, 0 bytes: error;
 *  - a header libsndfile cannot parse, or not audio at all: error;
 *  - zero channels or a non-positive rate: error;
 *  - truncated: error. It is detected two ways: fewer frames decode than the
 *    header declares (FLAC, OGG, ...), or libsndfile reports that the data
 *    chunk claims more bytes than the file holds (WAV/AIFF, where it shortens
 *    the declared length itself). Training on half a clip silently would
 *    skew a corpus, so a damaged file is reported rather than half-used;
 *  - a file with no samples at all: error;
 *  - more than TR_AUDIO_MAX_SAMPLES frames: error;
 *  - any NaN or infinite sample (float/double files): error, the file is
 *    damaged (the plugins read such samples as 0, but a clip that is partly
 *    undefined must not be trained on or analysed as if it were silence).
 * The declared length is never trusted for allocation: samples are decoded
 * in chunks into a buffer that grows with what was actually read. */
#include "audio.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TR_AUDIO_MAX_SAMPLES (1ull << 30)  /* 4 GiB of float: ~18 h at 16 kHz */
#define CHUNK_SAMPLES 65536u                /* interleaved samples per read */
#define RESERVE_MAX (1u << 24)              /* most samples reserved up front */

typedef struct {
  float *x;
  size_t n, cap;
} sample_buf;

static int buf_reserve(sample_buf *b, size_t need)
{
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < need)
    cap *= 2;
  float *x = realloc(b->x, sizeof(float) * cap);
  if (!x)
    return -1;
  b->x = x;
  b->cap = cap;
  return 0;
}

/* Checks that need no decoder: the path names a non-empty regular file. */
static int check_file(const char *path, char *err, size_t errlen)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file", path);
    return -1;
  }
  if (st.st_size == 0) {
    snprintf(err, errlen, "%s: empty file (0 bytes)", path);
    return -1;
  }
  return 0;
}

/* libsndfile shortens a WAV/AIFF data chunk that runs past the end of the
 * file and logs "data : A (should be B)"; A > B means bytes are missing.
 * Streaming writers' placeholder lengths (0, 0xFFFFFFFF) are not damage. */
static int log_says_truncated(SNDFILE *f)
{
  char log[8192] = { 0 };
  sf_command(f, SFC_GET_LOG_INFO, log, sizeof log);
  log[sizeof log - 1] = '\0';
  for (const char *line = log, *next; *line; line = next) {
    next = strchr(line, '\n');
    next = next ? next + 1 : line + strlen(line);
    unsigned long long claimed, real;
    char tag[8];
    if (sscanf(line, "%4s : %llu (should be %llu)", tag, &claimed, &real) == 3 &&
        (!strcmp(tag, "data") || !strcmp(tag, "SSND")) &&
        claimed > real && claimed != 0xFFFFFFFFull && claimed != 0)
      return 1;
    if (!strncmp(line, "*** Chunk size", 14) && strstr(line, "> file length"))
      return 1;
  }
  return 0;
}

/* Decode every frame into b: channels averaged, or (interleaved) kept as
 * they are, channels x frames floats. */
static int decode_all(SNDFILE *f, int channels, int interleaved, sample_buf *b,
                      size_t *nonfinite, const char *path, char *err, size_t errlen)
{
  const size_t ch = (size_t)channels, per_frame = interleaved ? ch : 1;
  const size_t per_read = CHUNK_SAMPLES / ch ? CHUNK_SAMPLES / ch : 1;
  float *chunk = malloc(sizeof(float) * per_read * ch);
  if (!chunk) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  int rc = 0;
  sf_count_t got;
  while ((got = sf_readf_float(f, chunk, (sf_count_t)per_read)) > 0) {
    if ((b->n + (size_t)got * per_frame) / per_frame > TR_AUDIO_MAX_SAMPLES) {
      snprintf(err, errlen, "%s: too long (more than %llu samples)", path,
               (unsigned long long)TR_AUDIO_MAX_SAMPLES);
      rc = -1;
      break;
    }
    if (buf_reserve(b, b->n + (size_t)got * per_frame) != 0) {
      snprintf(err, errlen, "%s: out of memory", path);
      rc = -1;
      break;
    }
    for (size_t i = 0; i < (size_t)got; i++) {
      double s = 0.0;
      for (size_t c = 0; c < ch; c++) {
        s += chunk[i * ch + c];
        *nonfinite += !isfinite(chunk[i * ch + c]);
      }
      if (!interleaved)
        b->x[b->n + i] = ch == 1 ? chunk[i] : (float)(s / (double)ch);
    }
    if (interleaved)
      memcpy(b->x + b->n, chunk, sizeof(float) * (size_t)got * ch);
    b->n += (size_t)got * per_frame;
  }
  free(chunk);
  if (rc == 0 && sf_error(f) != SF_ERR_NO_ERROR) {
    snprintf(err, errlen, "%s: decoding failed: %s", path, sf_strerror(f));
    rc = -1;
  }
  return rc;
}

/* Header checks and truncation after decoding. */
static int check_decoded(SNDFILE *f, const SF_INFO *info, size_t n, const char *path,
                         char *err, size_t errlen)
{
  const int declared_known = info->frames > 0 && info->frames != SF_COUNT_MAX;
  if (declared_known && (sf_count_t)n < info->frames) {
    snprintf(err, errlen, "%s: truncated: the header declares %lld frames, only %zu decode",
             path, (long long)info->frames, n);
    return -1;
  }
  if (log_says_truncated(f)) {
    snprintf(err, errlen, "%s: truncated: the data chunk is longer than the file", path);
    return -1;
  }
  if (n == 0) {
    snprintf(err, errlen, "%s: contains no audio samples", path);
    return -1;
  }
  return 0;
}

static int read_impl(const char *path, int interleaved, tr_audio *a, char *err, size_t errlen)
{
  memset(a, 0, sizeof *a);
  if (!path) {
    snprintf(err, errlen, "(null): no file name");
    return -1;
  }
  if (check_file(path, err, errlen) != 0)
    return -1;
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f) {
    snprintf(err, errlen, "%s: not a readable audio file (%s)", path, sf_strerror(NULL));
    return -1;
  }
  if (info.channels < 1 || info.samplerate <= 0) {
    snprintf(err, errlen, "%s: invalid header (%d channels, %d Hz)", path,
             info.channels, info.samplerate);
    sf_close(f);
    return -1;
  }
  sample_buf b = { 0 };
  if (info.frames > 0 && info.frames != SF_COUNT_MAX)  /* a hint, capped */
    buf_reserve(&b, info.frames < RESERVE_MAX ? (size_t)info.frames : RESERVE_MAX);
  size_t nonfinite = 0;
  int rc = decode_all(f, info.channels, interleaved, &b, &nonfinite, path, err, errlen);
  size_t frames = interleaved ? b.n / (size_t)info.channels : b.n;
  if (rc == 0)
    rc = check_decoded(f, &info, frames, path, err, errlen);
  if (rc == 0 && nonfinite) {
    snprintf(err, errlen, "%s: damaged: %zu sample(s) are NaN or infinite", path, nonfinite);
    rc = -1;
  }
  sf_close(f);
  if (rc != 0) {
    free(b.x);
    return -1;
  }
  a->x = b.x;
  a->n = frames;
  a->rate = info.samplerate;
  a->channels = info.channels;
  return 0;
}

int tr_audio_read(const char *path, tr_audio *a, char *err, size_t errlen)
{
  return read_impl(path, 0, a, err, errlen);
}

int tr_audio_read_interleaved(const char *path, tr_audio *a, char *err, size_t errlen)
{
  return read_impl(path, 1, a, err, errlen);
}

void tr_audio_free(tr_audio *a)
{
  if (!a)
    return;
  free(a->x);
  memset(a, 0, sizeof *a);
}
