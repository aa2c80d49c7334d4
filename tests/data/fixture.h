/* fixture.h: small corpus trees for the data tests, built under /tmp. */
#ifndef EVX_TEST_FIXTURE_H
#define EVX_TEST_FIXTURE_H

#include "corpus.h"
#include <stddef.h>

/* mkdir -p of root/rel; returns the full path in a static buffer. */
const char *fx_dir(const char *root, const char *rel);

/* A 220 Hz tone of `seconds` at `rate` as root/rel in libsndfile `format`
 * (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_16); parent dirs are made. */
void fx_tone(const char *root, const char *rel, int format, int rate, double seconds);
void fx_wav(const char *root, const char *rel);   /* 0.5 s, 16 kHz, 16-bit WAV */
/* A fresh directory with a 16 kHz, 16-bit tone of `seconds` as NAME.wav:
 * its path into wav and <dir>/cache (not made) into cache, len bytes each;
 * returns the directory. */
const char *fx_tone_with_cache(const char *name, double seconds, char *wav, char *cache,
                               size_t len);
void fx_text(const char *root, const char *rel, const char *text);
/* A copy of root/from cut to its first `keep` bytes. */
void fx_truncated(const char *root, const char *from, const char *rel, long keep);

/* A log whose output is kept in memory; fx_log_text() gives it so far. */
tr_log *fx_log(void);
const char *fx_log_text(void);
void fx_log_close(void);

/* Index of the clip whose path ends with `suffix`, or -1. */
long fx_find(const tr_cliplist *cl, const char *suffix);

/* Assert the clip whose path ends with name exists with these fields. */
void fx_expect_clip(const tr_cliplist *cl, const char *name, const char *corpus,
                    const char *speaker, int label);

/* In a fresh tree, a file named rel (with other_rel, a valid clip, beside
 * it) makes tr_corpus_add fail with a message naming rel's file. */
void fx_expect_label_error(const char *rel, const char *other_rel);

#endif
