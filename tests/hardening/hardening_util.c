/* hardening_util.c: see hardening_util.h. */
#include "hardening_util.h"
#include "test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *hu_emovox(void)
{
  static char exe[4096];
  snprintf(exe, sizeof exe, "%s/trainer/emovox", tu_build_root());
  return exe;
}

pid_t hu_spawn(char *const args[], const char *log, long fsize_limit, int stop_epoch)
{
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  if (log) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
  }
  if (fsize_limit > 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = { (rlim_t)fsize_limit, (rlim_t)fsize_limit };
    setrlimit(RLIMIT_FSIZE, &rl);
  }
  char stop[16];
  snprintf(stop, sizeof stop, "%d", stop_epoch);
  if (stop_epoch > 0)
    setenv("EVX_TRAIN_STOP_AFTER_EPOCH", stop, 1);
  else
    unsetenv("EVX_TRAIN_STOP_AFTER_EPOCH");
  char *argv[96];
  int n = 0;
  argv[n++] = (char *)hu_emovox();
  while (args[n - 1] && n < 95) {
    argv[n] = args[n - 1];
    n++;
  }
  argv[n] = NULL;
  execv(argv[0], argv);
  _exit(127);
}

int hu_wait(pid_t pid)
{
  int st;
  if (pid < 0)
    return -1;
  while (waitpid(pid, &st, 0) < 0)
    ;
  return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

int hu_run(char *const args[], const char *log, long fsize_limit)
{
  return hu_wait(hu_spawn(args, log, fsize_limit, 0));
}

char *hu_slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0, got;
  char *p = malloc(cap);
  while (p && (got = fread(p + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n < 2) {
      char *q = realloc(p, cap *= 2);
      if (!q) {
        free(p);
        p = NULL;
      }
      p = q;
    }
  }
  fclose(f);
  if (p)
    p[n] = '\0';
  if (len)
    *len = n;
  return p;
}

double hu_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int hu_write_subset_manifest(const char *path, int clips)
{
  char src[4096];
  FILE *in = fopen(tu_shared_path(src, sizeof src, "data/manifest.csv"), "r");
  FILE *out = in ? fopen(path, "w") : NULL;
  if (!out) {
    if (in)
      fclose(in);
    return -1;
  }
  fprintf(out, "path,emotion,speaker\n");
  char line[2048];
  int rows = 0, seen = 0;
  if (!fgets(line, sizeof line, in))   /* header: path,corpus,speaker,sex,emotion,... */
    line[0] = '\0';
  while (rows < clips && fgets(line, sizeof line, in)) {
    char *f[6] = { 0 }, *save = NULL;
    int nf = 0;
    for (char *t = strtok_r(line, ",", &save); t && nf < 6; t = strtok_r(NULL, ",", &save))
      f[nf++] = t;
    if (nf < 5 || strcmp(f[1], "ravdess") || strncmp(f[2], "ravdess-0", 9) ||
        f[2][9] < '1' || f[2][9] > '4')
      continue;
    if (seen++ % 6)   /* every 6th clip of actors 1..4: 10 per actor */
      continue;
    fprintf(out, "%s/%s,%s,%s\n", tu_shared_path(src, sizeof src, "data"), f[0], f[4], f[2]);
    rows++;
  }
  fclose(in);
  return fclose(out) == 0 ? rows : -1;
}
