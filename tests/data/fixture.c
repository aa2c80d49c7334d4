#include "fixture.h"
#include "test_util.h"
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *fx_dir(const char *root, const char *rel)
{
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", root, rel);
  for (char *p = buf + strlen(root) + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(buf, 0777);
      *p = '/';
    }
  mkdir(buf, 0777);
  return buf;
}

/* Make the parent directories of root/rel; the full path into buf. */
static const char *file_path(char *buf, size_t len, const char *root, const char *rel)
{
  snprintf(buf, len, "%s/%s", root, rel);
  char *slash = strrchr(buf, '/');
  if (slash > buf + strlen(root)) {
    *slash = 0;
    fx_dir(root, buf + strlen(root) + 1);
    *slash = '/';
  }
  return buf;
}

void fx_tone(const char *root, const char *rel, int format, int rate, double seconds)
{
  char path[4096];
  SF_INFO info = { .samplerate = rate, .channels = 1, .format = format };
  SNDFILE *f = sf_open(file_path(path, sizeof path, root, rel), SFM_WRITE, &info);
  assert_non_null(f);
  size_t n = (size_t)(seconds * rate);
  float *x = malloc((n + 1) * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = 0.3f * (float)sin(2 * M_PI * 220.0 * (double)i / rate);
  assert_int_equal(sf_writef_float(f, x, (sf_count_t)n), (sf_count_t)n);
  sf_close(f);
  free(x);
}

void fx_wav(const char *root, const char *rel)
{
  fx_tone(root, rel, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 0.5);
}

const char *fx_tone_with_cache(const char *name, double seconds, char *wav, char *cache,
                               size_t len)
{
  const char *root = tu_tmpdir();
  char rel[256];
  snprintf(rel, sizeof rel, "%s.wav", name);
  fx_tone(root, rel, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, seconds);
  snprintf(wav, len, "%s/%s", root, rel);
  snprintf(cache, len, "%s/cache", root);
  return root;
}

void fx_text(const char *root, const char *rel, const char *text)
{
  char path[4096];
  FILE *f = fopen(file_path(path, sizeof path, root, rel), "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

void fx_truncated(const char *root, const char *from, const char *rel, long keep)
{
  char src[4096], dst[4096];
  snprintf(src, sizeof src, "%s/%s", root, from);
  assert_int_equal(tu_copy_prefix(src, file_path(dst, sizeof dst, root, rel), keep), 0);
}

static tr_log the_log;
static char *log_buf;
static size_t log_len;

tr_log *fx_log(void)
{
  fx_log_close();
  memset(&the_log, 0, sizeof the_log);
  the_log.f = open_memstream(&log_buf, &log_len);
  return &the_log;
}

const char *fx_log_text(void)
{
  fflush(the_log.f);
  return log_buf ? log_buf : "";
}

void fx_log_close(void)
{
  if (the_log.f)
    fclose(the_log.f);
  free(log_buf);
  log_buf = NULL;
  the_log.f = NULL;
}

long fx_find(const tr_cliplist *cl, const char *suffix)
{
  size_t ls = strlen(suffix);
  for (size_t i = 0; i < cl->n; i++) {
    size_t lp = strlen(cl->clips[i].path);
    if (lp >= ls && !strcmp(cl->clips[i].path + lp - ls, suffix))
      return (long)i;
  }
  return -1;
}

void fx_expect_clip(const tr_cliplist *cl, const char *name, const char *corpus,
                    const char *speaker, int label)
{
  long k = fx_find(cl, name);
  if (k < 0)
    print_error("no clip %s\n", name);
  assert_true(k >= 0);
  assert_string_equal(cl->clips[k].corpus, corpus);
  if (speaker)
    assert_string_equal(cl->clips[k].speaker, speaker);
  assert_int_equal(cl->clips[k].label, label);
}

void fx_expect_label_error(const char *rel, const char *other_rel)
{
  const char *root = tu_tmpdir();
  fx_wav(root, rel);
  if (other_rel)
    fx_wav(root, other_rel);
  tr_cliplist cl = { 0 };
  assert_int_equal(tr_corpus_add(&cl, root, fx_log()), -1);
  const char *base = strrchr(rel, '/');
  assert_non_null(strstr(fx_log_text(), base ? base + 1 : rel));
  fx_log_close();
  tr_cliplist_free(&cl);
}
