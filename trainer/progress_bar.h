/* progress_bar.h: progress of a long pass over clips (feature extraction,
 * augmentation, scoring). On a terminal (stderr a tty) one line redrawn in
 * place with a bar and the ETA; otherwise a plain line at every tenth, fit
 * for logs. Non-RT; update from one thread. */
#ifndef TR_PROGRESS_BAR_H
#define TR_PROGRESS_BAR_H

#include "log.h"
#include <stddef.h>

typedef struct {
  char what[96];
  size_t total;
  int tty, quiet, tenth;
  double t0, last;
  FILE *f;
} tr_progress;

/* what: "features (train side)" etc.; quiet when log->quiet. */
void tr_progress_begin(tr_progress *p, const char *what, size_t total, const tr_log *log);
void tr_progress_update(tr_progress *p, size_t done);
void tr_progress_end(tr_progress *p, size_t done);

#endif
