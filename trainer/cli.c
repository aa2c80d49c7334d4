/* cli.c: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(const char *cmd, const char *fmt, va_list ap)
{
  fprintf(stderr, "emovox: %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

int tr_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  say(cmd, fmt, ap);
  va_end(ap);
  return 2;
}

int tr_fail_msg(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  say(cmd, fmt, ap);
  va_end(ap);
  return 1;
}

/* Creates and removes a temporary file in dir. */
static int probe_dir(const char *dir, const char *what, char *err, size_t errlen)
{
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s/.emovox-probe.XXXXXX", dir);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot write in %s: %s", what, dir, strerror(errno));
    return -1;
  }
  close(fd);
  unlink(tmp);
  return 0;
}

int tr_output_file_check(const char *path, char *err, size_t errlen)
{
  struct stat st;
  if (!path || !*path) {
    snprintf(err, errlen, "empty output path");
    return -1;
  }
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "%s: is a directory", path);
      return -1;
    }
    FILE *f = fopen(path, "r+");   /* writable, and left as it is */
    if (!f && errno == EACCES)
      f = fopen(path, "a");         /* write-only special files */
    if (!f) {
      snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
      return -1;
    }
    fclose(f);
    return 0;
  }
  if (errno != ENOENT) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  char dir[4096];
  const char *slash = strrchr(path, '/');
  if (slash)
    snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
  else
    snprintf(dir, sizeof dir, ".");
  if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s: no such directory: %s", path, dir);
    return -1;
  }
  return probe_dir(dir, path, err, errlen);
}

int tr_output_dir_check(const char *dir, char *err, size_t errlen)
{
  char p[4096];
  struct stat st;
  if (!dir || !*dir) {
    snprintf(err, errlen, "empty output directory");
    return -1;
  }
  snprintf(p, sizeof p, "%s", dir);
  /* mkdir -p: each prefix in turn */
  for (char *s = p + 1;; s++) {
    if (*s == '/' || !*s) {
      char c = *s;
      *s = '\0';
      if (mkdir(p, 0777) && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create %s: %s", dir, p, strerror(errno));
        return -1;
      }
      *s = c;
      if (!c)
        break;
    }
  }
  if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s: not a directory", dir);
    return -1;
  }
  return probe_dir(dir, dir, err, errlen);
}

int tr_close_checked(FILE *f, const char *path, char *err, size_t errlen)
{
  int bad = fflush(f) != 0 || ferror(f);
  int e = errno;
  if (fclose(f) && !bad)
    bad = 1, e = errno;
  if (bad)
    snprintf(err, errlen, "cannot write %s: %s", path, e ? strerror(e) : "write error");
  return bad ? -1 : 0;
}

int tr_parse_number(const char *s, double lo, double hi, double *v)
{
  char *end;
  if (!s || !*s)
    return -1;
  errno = 0;
  double d = strtod(s, &end);
  if (end == s || *end || !isfinite(d) || !(d >= lo && d <= hi))
    return -1;
  *v = d;
  return 0;
}
