/* cli.h: what every emovox command says when it is used wrongly or cannot
 * write, in one shape: `emovox: COMMAND: what is wrong`. Non-RT. */
#ifndef TR_CLI_H
#define TR_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Prints "emovox: cmd: <message>" on stderr and returns 2 (usage error). */
int tr_usage_error(const char *cmd, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Prints "emovox: cmd: <message>" on stderr and returns 1 (failure). */
int tr_fail_msg(const char *cmd, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Whether a file can be written at path, checked before long work starts:
 * an existing file must open for writing (not truncated), a new one is
 * probed by creating and removing a temporary file in its directory.
 * 0, or -1 with "PATH: reason" in err. */
int tr_output_file_check(const char *path, char *err, size_t errlen);

/* The same for an output directory: created (with missing parents) when
 * absent, then probed with a temporary file. 0 or -1 with err. */
int tr_output_dir_check(const char *dir, char *err, size_t errlen);

/* fflush + ferror + fclose of f, opened for writing path: 0, or -1 with
 * "cannot write PATH: reason" in err. f is closed either way. */
int tr_close_checked(FILE *f, const char *path, char *err, size_t errlen);

/* A strict number: all of s, finite, lo <= v <= hi. 0 or -1. */
int tr_parse_number(const char *s, double lo, double hi, double *v);

#endif
