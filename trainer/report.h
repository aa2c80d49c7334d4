/* report.h: the report `emovox train` and `emovox eval` write: report.json,
 * report.md, learning_curves.svg (training only), confusion_window.svg and
 * confusion_clip.svg. Scores are given per window (each network input on its
 * own) and per clip (mean of the clip's window probabilities), overall and
 * per corpus. Non-RT. */
#ifndef TR_REPORT_H
#define TR_REPORT_H

#include "corpus.h"
#include "learn/train_loop.h"
#include "split.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *title;          /* "emovox train" / "emovox eval" */
  const char *command;        /* the command line */
  uint64_t seed;
  const char *bundle;         /* the bundle evaluated */
  const tr_cliplist *cl;
  const tr_split *sp;        /* NULL: every clip was evaluated */
  const char *evaluated;      /* what the scores are of, e.g. "test side" */
  const char *degradation;    /* eval: what was done to every clip ("none"), NULL: not said */
  const char *degradation_json; /* the same as a JSON value (NULL: null) */
  const tl_epoch *hist;       /* NULL for eval */
  int n_hist, best_epoch;
  double train_seconds;
  /* predictions, one row per window */
  size_t n;
  uint32_t k;
  const char *const *labels;  /* k names */
  const float *probs;         /* n x k */
  const int *y;
  const uint32_t *clip;       /* index into cl */
} tr_report;

/* "emovox " + the subcommand's argv, shell-quoted where needed; malloc'd. */
char *tr_command_line(int argc, char **argv);

/* Write the files into dir (created if missing; NULL: write nothing, only
 * score): report.json, report.md, the confusion SVGs, learning_curves.svg
 * (train) and windows.csv (clip, speaker, window index in the clip, true
 * label, then one probability per label, a row per window). 0, or -1 with err. On success *ua_window and *ua_clip (may be
 * NULL) receive the overall UAs. */
int tr_report_write(const char *dir, const tr_report *r, double *ua_window,
                     double *ua_clip, char *err, size_t errlen);

#endif
