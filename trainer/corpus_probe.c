/* corpus_probe.c: is a file usable audio? Cheap checks at scan time (header,
 * length, the last samples decode) so bad files are reported up front. */
#include "corpus_internal.h"
#include "evx_features.h"
#include <sndfile.h>
#include <string.h>
#include <sys/stat.h>

/* libsndfile notes a WAV/AIFF data chunk longer than the file as
 * "data : N (should be M)" in its log. */
static int header_says_truncated(SNDFILE *f)
{
  char log[4096] = "";
  sf_command(f, SFC_GET_LOG_INFO, log, sizeof log);
  for (const char *p = log; (p = strstr(p, "(should be")) != NULL; p++) {
    const char *line = p;
    while (line > log && line[-1] != '\n')
      line--;
    if (!strncmp(line, "data", 4) || !strncmp(line, "SSND", 4))
      return 1;
  }
  return 0;
}

/* Decoding the tail catches compressed files cut short (FLAC, OGG). */
static int tail_decodes(SNDFILE *f, const SF_INFO *in)
{
  enum { TAIL = 512 };
  float buf[TAIL * 8];
  sf_count_t start = in->frames > TAIL ? in->frames - TAIL : 0;
  sf_count_t want = in->frames - start, got = 0, g;
  int ch = in->channels;
  if (sf_seek(f, start, SEEK_SET) < 0)
    return 0;
  while (got < want) {
    sf_count_t chunk = (sf_count_t)(sizeof buf / sizeof buf[0]) / ch;
    if (chunk > want - got)
      chunk = want - got;
    if ((g = sf_readf_float(f, buf, chunk)) <= 0)
      break;
    got += g;
  }
  return got == want && sf_error(f) == SF_ERR_NO_ERROR;
}

int tr_corpus_probe(const char *path, tr_corpus_skips *sk, tr_log *log)
{
  struct stat st;
  if (stat(path, &st) == 0 && st.st_size == 0) {
    sk->empty++;
    tr_warn(log, "%s: skipped, empty file", path);
    return -1;
  }
  SF_INFO in;
  memset(&in, 0, sizeof in);
  SNDFILE *f = sf_open(path, SFM_READ, &in);
  if (!f) {
    sk->unreadable++;
    tr_warn(log, "%s: skipped, not readable audio (%s)", path, sf_strerror(NULL));
    return -1;
  }
  const char *why = NULL;
  size_t *count = NULL;
  double min_frames = in.samplerate * ((double)EVX_FRAME / EVX_SR);
  if (in.channels < 1 || in.samplerate <= 0)
    why = "no channels or no sample rate", count = &sk->unreadable;
  else if (in.frames <= 0)
    why = "empty (no samples)", count = &sk->empty;
  else if (in.samplerate < 8000 || in.samplerate > 192000)
    why = "sample rate outside 8..192 kHz", count = &sk->bad_rate;
  else if (header_says_truncated(f) || !tail_decodes(f, &in))
    why = "truncated", count = &sk->truncated;
  else if ((double)in.frames < min_frames)
    why = "too short (under one 25 ms frame)", count = &sk->too_short;
  sf_close(f);
  if (!why)
    return 0;
  (*count)++;
  tr_warn(log, "%s: skipped, %s", path, why);
  return -1;
}
