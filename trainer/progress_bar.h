/* progress_bar.h: progress of a long pass over clips (feature extraction,
 * augmentation, scoring). On a terminal (stderr a tty) one line redrawn in
 * place with a bar and the ETA; otherwise a plain line at every tenth, fit
 * for logs. Non-RT; update from one thread. */
#ifndef EVX_PROGRESS_BAR_H
#define EVX_PROGRESS_BAR_H

#include "log.h"
#include <stddef.h>

typedef struct {
  char what[96];
  size_t total;
  int tty, quiet, tenth;
  double t0, last;
  FILE *f;
} evx_progress;

/* what: "features (train side)" etc.; quiet when log->quiet. */
void evx_progress_begin(evx_progress *p, const char *what, size_t total, const evx_log *log);
void evx_progress_update(evx_progress *p, size_t done);
void evx_progress_end(evx_progress *p, size_t done);

#endif
