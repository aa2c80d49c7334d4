/* progress.c: the progress bar and plain epoch lines (see progress.h). */
#include "progress.h"
#include "train_loop.h"
#include <stdio.h>
#include <time.h>
#include <unistd.h>

double tl_now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void tl_fmt_time(char *buf, size_t len, double s)
{
  long t = s < 0 ? 0 : (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else
    snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
}

void tl_progress_begin(tl_progress *p, int epochs, int quiet)
{
  *p = (tl_progress){ .tty = isatty(2), .quiet = quiet, .epochs = epochs };
  p->t_start = tl_now_s();
}

void tl_progress_epoch_begin(tl_progress *p, int epoch)
{
  p->epoch = epoch;
  p->t_epoch = tl_now_s();
  p->last_draw = 0;
}

/* Remaining time: epochs left at the mean speed seen so far (an upper bound
 * when early stopping ends the run sooner). */
static double eta(const tl_progress *p, double frac_of_epoch)
{
  double per = p->epochs_timed ? p->seconds_sum / p->epochs_timed
               : frac_of_epoch > 0 ? (tl_now_s() - p->t_epoch) / frac_of_epoch : 0;
  return per * ((p->epochs - p->epoch) + (1.0 - frac_of_epoch));
}

void tl_progress_batch(tl_progress *p, size_t batch, size_t batches,
                       double loss, double acc)
{
  if (!p->tty || p->quiet)
    return;
  double t = tl_now_s();
  if (batch < batches && t - p->last_draw < 0.2)   /* redraw at most 5x a second */
    return;
  p->last_draw = t;
  double frac = (double)batch / (double)batches;
  char bar[21], left[32];
  for (int i = 0; i < 20; i++)
    bar[i] = i < (int)(frac * 20) ? '#' : '.';
  bar[20] = 0;
  tl_fmt_time(left, sizeof left, eta(p, frac));
  fprintf(stderr, "\repoch %3d/%d [%s] %3.0f%% loss %.4f acc %.3f ETA %s  ",
          p->epoch, p->epochs, bar, frac * 100, loss, acc, left);
  fflush(stderr);
}

void tl_progress_epoch_end(tl_progress *p, int epoch, const tl_epoch *ep, int best)
{
  p->epochs_timed++;
  p->seconds_sum += ep->seconds;
  if (p->quiet)
    return;
  char left[32];
  tl_fmt_time(left, sizeof left, eta(p, 1.0));
  fprintf(stderr, "%sepoch %3d/%d train loss %.4f acc %.3f | val loss %.4f acc %.3f | "
          "lr %.2g | %.1fs | ETA <= %s%s\n", p->tty ? "\r" : "", epoch, p->epochs,
          ep->train_loss, ep->train_acc, ep->val_loss, ep->val_acc, ep->lr,
          ep->seconds, left, best ? " *" : "");
  fflush(stderr);
}

void tl_progress_end(tl_progress *p)
{
  if (!p->quiet && p->tty)
    fflush(stderr);
}
