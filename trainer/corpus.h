/* corpus.h: lists of labelled clips read from corpora as downloaded.
 *
 * tr_corpus_add() takes a directory or a CSV manifest:
 *  - a directory is scanned recursively and every file is recognised by its
 *    corpus's own naming (several corpora may share one tree):
 *      RAVDESS  03-01-EE-II-SS-RR-AA.ext (speech, audio-only kept; song and
 *               video files skipped and counted)   speaker "ravdess-AA"
 *      CREMA-D  1001_DFA_ANG_XX.ext                  speaker "cremad-1001"
 *      TESS     OAF_word_emotion.ext, YAF_..., OA_... (ps = surprised)
 *                                                    speaker "tess-OAF"/"tess-YAF"
 *      SAVEE    DC_a01.ext (a d f h n sa su)         speaker "savee-DC"
 *  - a .csv file is a manifest: a header row naming at least `path` and
 *    `emotion` (optional `speaker`, `corpus`; other columns ignored); paths
 *    are relative to the CSV's directory; emotions are the eight names of
 *    evx_labels.h (aliases: fearful, surprise, ps, pleasant_surprise).
 * Any audio format/rate libsndfile reads (8..192 kHz) is accepted: the file's
 * content decides, not its extension. Every kept file is probed (opened, its
 * length checked); files that cannot be used are skipped with a warning
 * naming each one and counted by reason (tr_corpus_skips).
 * An emotion label that cannot be mapped is an error naming the file.
 * Clips are kept sorted by path within each tr_corpus_add() call, so results
 * do not depend on directory order. Non-RT (I/O, allocation). */
#ifndef TR_CORPUS_H
#define TR_CORPUS_H

#include "log.h"
#include <stddef.h>

typedef struct {
  char *path;          /* as found (directory scan) or resolved (manifest) */
  char corpus[16];     /* "ravdess", "cremad", "tess", "savee", or manifest's */
  char speaker[48];    /* unique across corpora: "ravdess-05", "savee-DC" */
  int label;           /* enum evx_emotion */
} tr_clip;

/* Why files were not kept. Every file seen lands in clips or in one count. */
typedef struct {
  size_t unreadable;   /* not audio / cannot be opened or decoded */
  size_t empty;        /* no samples */
  size_t truncated;    /* shorter than its header says */
  size_t too_short;    /* shorter than one analysis frame (25 ms) */
  size_t bad_rate;     /* sample rate outside 8..192 kHz */
  size_t song;         /* RAVDESS vocal channel 02 */
  size_t video;        /* RAVDESS modality 01/02 */
  size_t unrecognised; /* audio-looking file matching no corpus naming */
  size_t other;        /* other files (no audio extension, not a corpus name) */
} tr_corpus_skips;

typedef struct {
  tr_clip *clips;
  size_t n, cap;
  tr_corpus_skips skips;
} tr_cliplist;

/* Add the clips of a directory or CSV manifest. 0 on success (skips are not
 * failures); -1 on an error (missing path, unknown emotion label, bad CSV,
 * out of memory), with the message also sent to log. */
int tr_corpus_add(tr_cliplist *cl, const char *path_or_csv, tr_log *log);

/* Summary to log: clips per corpus and emotion, speakers, every skip count. */
void tr_corpus_report(const tr_cliplist *cl, tr_log *log);

/* Total of all skip counts. */
size_t tr_corpus_skipped(const tr_cliplist *cl);

/* Distinct speakers (sorted, pointers into cl's clips; free() the array). */
size_t tr_corpus_speakers(const tr_cliplist *cl, const char ***speakers);

void tr_cliplist_free(tr_cliplist *cl);

#endif
