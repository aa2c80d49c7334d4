/* evx_write_atomic.c: whole-or-nothing file writes (evx_write_atomic.h). */
#include "evx_write_atomic.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const unsigned char *p, size_t n)
{
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* After the rename, so that it survives a crash. */
static void sync_dir_of(const char *path)
{
  char *copy = strdup(path);
  int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY) : -1;
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(copy);
}

int evx_write_atomic(const char *path, const void *buf, size_t len, const evx_write_opts *o,
                     char *err, size_t errlen)
{
  const evx_write_opts none = { 0 };
  if (!o) o = &none;
  size_t n = strlen(path) + 40;
  char *tmp = malloc(n);
  if (!tmp) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int fd;
  if (o->pid_temp) {
    snprintf(tmp, n, "%s.%ld.XXXXXX.tmp", path, (long)getpid());
    fd = mkstemps(tmp, 4);
  } else {
    snprintf(tmp, n, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
  }
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot create a temporary file: %s", path, strerror(errno));
    free(tmp);
    return -1;
  }
  if (o->on_temp) o->on_temp(tmp, 1, o->user);
  int rc = 0;
  if (write_all(fd, buf, len) || (o->durable && fsync(fd)))
    rc = -1, snprintf(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
  (void)fchmod(fd, 0644);   /* mkstemp made it 0600; our files are for all to read */
  if (close(fd) && !rc)
    rc = -1, snprintf(err, errlen, "%s: close failed: %s", tmp, strerror(errno));
  if (!rc && rename(tmp, path))
    rc = -1, snprintf(err, errlen, "%s: rename failed: %s", path, strerror(errno));
  if (rc)
    unlink(tmp);
  else if (o->durable)
    sync_dir_of(path);
  if (o->on_temp) o->on_temp(tmp, 0, o->user);
  free(tmp);
  return rc;
}

int evx_write_remove_stale(const char *path)
{
  char *d = path ? strdup(path) : NULL, *b = path ? strdup(path) : NULL;
  DIR *dir = d && b ? opendir(dirname(d)) : NULL;
  int removed = 0;
  if (dir) {
    const char *base = basename(b);
    size_t bl = strlen(base), pl = strlen(path) + 16;
    char *full = malloc(pl);
    for (struct dirent *e; full && (e = readdir(dir));) {
      const char *name = e->d_name, *x = name + bl + 4;
      if (strncmp(name, base, bl) || strncmp(name + bl, ".tmp", 4))
        continue;
      if (strlen(x + (*x == '.')) != 6)
        continue;
      snprintf(full, pl, "%s%s", path, name + bl);
      removed += unlink(full) == 0;
    }
    free(full);
    closedir(dir);
  }
  free(d);
  free(b);
  return removed;
}
