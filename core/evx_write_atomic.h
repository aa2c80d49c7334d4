/* evx_write_atomic.h: the one way emovox writes a file whole or not at all:
 * a temporary in the same directory, then rename, so a reader (or a run
 * killed at any moment) sees the old file or the new one, never half.
 * Bundles, checkpoints, reports and feature-cache entries go through it.
 * Non-RT. */
#ifndef EVX_WRITE_ATOMIC_H
#define EVX_WRITE_ATOMIC_H

#include <stddef.h>

typedef struct {
  int durable;               /* fsync the file before the rename and its
                                directory after it (a crash keeps it) */
  int pid_temp;              /* temporary "<path>.<pid>.XXXXXX.tmp", which a
                                later run may remove once the pid is gone,
                                instead of "<path>.tmp.XXXXXX" */
  void (*on_temp)(const char *tmp, int live, void *user); /* NULL, or told the
                                temporary's name when it is made (live 1) and
                                when it is gone (0): interrupt cleanup */
  void *user;
} evx_write_opts;

/* Write len bytes of buf to path (mode 0644) atomically; o NULL: not durable,
 * "<path>.tmp.XXXXXX". 0, or -1 with a message in err. */
int evx_write_atomic(const char *path, const void *buf, size_t len, const evx_write_opts *o,
                     char *err, size_t errlen);

/* Remove what a kill inside evx_write_atomic(path) can leave next to path:
 * "<path>.tmp.XXXXXX" (and "<path>.tmpXXXXXX" of earlier versions), six
 * mkstemp characters. Returns how many were removed. */
int evx_write_remove_stale(const char *path);

#endif
