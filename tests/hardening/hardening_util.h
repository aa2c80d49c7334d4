/* hardening_util.h: running the real `emovox` binary from the hardening
 * tests, with its output captured and optional resource limits. */
#ifndef EVX_HARDENING_UTIL_H
#define EVX_HARDENING_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* <build root>/trainer/emovox. */
const char *hu_emovox(void);

/* Start emovox with args (NULL-terminated, without argv[0]); stdout and
 * stderr go to log (appended) when log is not NULL. fsize_limit > 0 sets
 * RLIMIT_FSIZE in the child with SIGXFSZ ignored (a full disk as write()
 * sees it: EFBIG). stop_epoch > 0 sets EVX_TRAIN_STOP_AFTER_EPOCH (the
 * trainer stops itself with SIGSTOP after that epoch's checkpoint).
 * Returns the pid, -1 on failure. */
pid_t hu_spawn(char *const args[], const char *log, long fsize_limit, int stop_epoch);

/* Wait for pid: its exit status, or 128 + signal when a signal ended it. */
int hu_wait(pid_t pid);

/* hu_spawn + hu_wait. */
int hu_run(char *const args[], const char *log, long fsize_limit);

/* Whole file, NUL-terminated (malloc'd); NULL when missing. */
char *hu_slurp(const char *path, size_t *len);

/* Seconds on the monotonic clock. */
double hu_now(void);

/* A manifest (path,emotion,speaker) of about `clips` RAVDESS clips of
 * actors 1..4 from ../shared/data written to path; returns the number of
 * rows, or -1. */
int hu_write_subset_manifest(const char *path, int clips);

#endif
