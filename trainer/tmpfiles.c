/* tmpfiles.c: see tmpfiles.h. */
#include "tmpfiles.h"
#include "evx_write_atomic.h"
#include "learn/checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_TMP 64
#define TMP_PATH 4200

/* state: 0 free, 1 being filled, 2 registered (the handler reads only 2). */
static struct {
  int state;
  char path[TMP_PATH];
} reg[MAX_TMP];

/* Async-signal-safe: unlink, signal, raise. */
static void on_signal(int sig)
{
  for (int i = 0; i < MAX_TMP; i++)
    if (__atomic_load_n(&reg[i].state, __ATOMIC_ACQUIRE) == 2)
      unlink(reg[i].path);
  signal(sig, SIG_DFL);
  raise(sig);
}

void tr_tmp_install(void)
{
  struct sigaction sa = { .sa_handler = on_signal };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  tl_on_temp = tr_tmp_track;   /* checkpoints and reports register their temps */
}

int tr_tmp_register(const char *path)
{
  if (!path || strlen(path) >= TMP_PATH)
    return -1;
  for (int i = 0; i < MAX_TMP; i++) {
    int expect = 0;
    if (__atomic_compare_exchange_n(&reg[i].state, &expect, 1, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED)) {
      memcpy(reg[i].path, path, strlen(path) + 1);
      __atomic_store_n(&reg[i].state, 2, __ATOMIC_RELEASE);
      return i;
    }
  }
  return -1;
}

void tr_tmp_unregister(int slot)
{
  if (slot >= 0 && slot < MAX_TMP)
    __atomic_store_n(&reg[slot].state, 0, __ATOMIC_RELEASE);
}

int tr_tmp_remove_stale_of(const char *path)
{
  return path && strlen(path) < TMP_PATH - 16 ? evx_write_remove_stale(path) : 0;
}

void tr_tmp_track(const char *tmp, int live, void *slot)
{
  if (live)
    *(int *)slot = tr_tmp_register(tmp);
  else
    tr_tmp_unregister(*(int *)slot);
}

int tr_tmp_remove_stale(const char *dir)
{
  DIR *d = dir ? opendir(dir) : NULL;
  if (!d)
    return 0;
  int removed = 0;
  for (struct dirent *e; (e = readdir(d));) {
    const char *n = e->d_name;
    size_t len = strlen(n);
    if (len < 5 || strcmp(n + len - 4, ".tmp"))
      continue;
    /* "<name>.<pid>.<hex>.tmp" */
    const char *x = n + len - 4, *p = x;
    while (p > n && p[-1] != '.')
      p--;
    const char *q = p - 1;
    if (q <= n)
      continue;
    const char *s = q;
    while (s > n && s[-1] != '.')
      s--;
    char *end;
    long pid = strtol(s, &end, 10);
    if (end != q || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
      continue;   /* not ours, or its run is still going */
    char full[TMP_PATH];
    snprintf(full, sizeof full, "%s/%s", dir, n);
    removed += unlink(full) == 0;
  }
  closedir(d);
  return removed;
}
