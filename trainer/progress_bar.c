/* progress_bar.c: see progress_bar.h. */
#include "progress_bar.h"
#include "learn/progress.h"   /* tl_now_s, tl_fmt_time */

#include <stdio.h>
#include <time.h>
#include <unistd.h>

void tr_progress_begin(tr_progress *p, const char *what, size_t total, const tr_log *log)
{
  *p = (tr_progress){ .total = total, .quiet = (log && log->quiet) || total == 0 };
  p->f = log && log->f ? log->f : stderr;
  p->tty = isatty(fileno(p->f));
  snprintf(p->what, sizeof p->what, "%s", what);
  p->t0 = tl_now_s();
}

void tr_progress_update(tr_progress *p, size_t done)
{
  if (p->quiet)
    return;
  if (done > p->total)
    done = p->total;   /* a count that was an estimate */
  double t = tl_now_s(), el = t - p->t0;
  double frac = (double)done / (double)p->total;
  char eta[32];
  tl_fmt_time(eta, sizeof eta, done ? el * (1.0 - frac) / frac : 0);
  if (p->tty) {
    if (done < p->total && t - p->last < 0.2)   /* at most 5 redraws a second */
      return;
    p->last = t;
    char bar[21];
    for (int i = 0; i < 20; i++)
      bar[i] = i < (int)(frac * 20) ? '#' : '.';
    bar[20] = '\0';
    fprintf(p->f, "\r%s: %zu/%zu clips [%s] %3.0f%% ETA %s  ", p->what, done, p->total, bar,
            100 * frac, eta);
  } else {
    int tenth = (int)(frac * 10);
    if (tenth <= p->tenth || done == p->total)
      return;   /* the end has its own line */
    p->tenth = tenth;
    fprintf(p->f, "%s: %d%% (%zu/%zu clips), ETA %s\n", p->what, tenth * 10, done, p->total,
            eta);
  }
  fflush(p->f);
}

void tr_progress_end(tr_progress *p, size_t done)
{
  if (p->quiet)
    return;
  char took[32];
  tl_fmt_time(took, sizeof took, tl_now_s() - p->t0);
  if (done > p->total)
    p->total = done;
  fprintf(p->f, "%s%s: %zu/%zu clips in %s%s\n", p->tty ? "\r" : "", p->what, done, p->total,
          took, p->tty ? "                              " : "");
  fflush(p->f);
}
