/* corpus_internal.h: pieces shared by the corpus reader's files. */
#ifndef TR_CORPUS_INTERNAL_H
#define TR_CORPUS_INTERNAL_H

#include "corpus.h"

/* What a file's name says. */
enum name_kind {
  NAME_CLIP = 0,     /* a clip: corpus, speaker, label filled */
  NAME_NONE,         /* matches no corpus naming */
  NAME_SONG,         /* RAVDESS song: skip */
  NAME_VIDEO,        /* RAVDESS video: skip */
  NAME_BAD_LABEL     /* a corpus name whose emotion code is unknown */
};

/* Classify a file by its base name (directory part ignored). */
enum name_kind tr_corpus_parse_name(const char *path, tr_clip *c);

/* An emotion word as corpora and manifests spell it (case-insensitive,
 * with aliases such as fearful, ps, pleasant_surprise); -1 if unknown. */
int tr_corpus_emotion_word(const char *w);

/* 1 if the extension is one libsndfile usually reads. */
int tr_corpus_audio_ext(const char *path);

/* Open the file and check it can be used; 0 if so, else counts the reason in
 * sk, warns naming the file and returns -1. */
int tr_corpus_probe(const char *path, tr_corpus_skips *sk, tr_log *log);

/* Append a clip (path copied). 0, or -1 when out of memory. */
int tr_corpus_push(tr_cliplist *cl, const tr_clip *c, const char *path);

/* Read a CSV manifest into cl. 0 or -1 (message sent to log). */
int tr_corpus_read_manifest(tr_cliplist *cl, const char *csv, tr_log *log);

/* Keep or skip one file found on disk or named by a manifest: 0 kept or
 * skipped, -1 error (unknown label). known: corpus, speaker, label already
 * set by a manifest (name rules then only fill empty fields). */
int tr_corpus_take_file(tr_cliplist *cl, const char *path, const tr_clip *known,
                     tr_log *log);

#endif
