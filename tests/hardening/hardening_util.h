/* hardening_util.h: running the real `emovox` binary from the hardening
 * tests, with its output captured and optional resource limits. */
#ifndef EVX_HARDENING_UTIL_H
#define EVX_HARDENING_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Seconds on the monotonic clock. */
double hu_now(void);

/* A manifest (path,emotion,speaker) of about `clips` RAVDESS clips of
 * actors 1..4 from ../shared/data written to path; returns the number of
 * rows, or -1. */
int hu_write_subset_manifest(const char *path, int clips);

#endif
