/* progress.h: what a long training run shows. On a terminal (stderr is a
 * tty) a bar redrawn in place with epoch, loss, accuracy and ETA; otherwise
 * one plain line per epoch, fit for logs. */
#ifndef TR_LEARN_PROGRESS_H
#define TR_LEARN_PROGRESS_H

#include "train_loop.h"
#include <stddef.h>


typedef struct {
  int tty, quiet, epochs, epoch;
  double t_start, t_epoch, last_draw;
  int epochs_timed;           /* epochs measured in this process (for ETA) */
  double seconds_sum;
} tl_progress;

/* Monotonic seconds, and a duration as "12m05s" or "1h03m": shared with
 * the extraction progress bar (progress_bar.c). */
double tl_now_s(void);
void tl_fmt_time(char *buf, size_t len, double s);

void tl_progress_begin(tl_progress *p, int epochs, int quiet);
void tl_progress_epoch_begin(tl_progress *p, int epoch);
void tl_progress_batch(tl_progress *p, size_t batch, size_t batches,
                       double loss, double acc);
/* best marks a new best validation loss. */
void tl_progress_epoch_end(tl_progress *p, int epoch, const tl_epoch *ep, int best);
void tl_progress_end(tl_progress *p);

#endif
