/* log.h: where the trainer's warnings and progress go, and how many warnings
 * there were. A NULL evx_log* means stderr. */
#ifndef EVX_LOG_H
#define EVX_LOG_H

#include <stddef.h>
#include <stdio.h>

typedef struct evx_log {
  FILE *f;          /* NULL = stderr */
  int quiet;        /* 1: drop info lines (warnings and errors still print) */
  size_t warnings;  /* warnings printed so far */
  size_t errors;    /* errors printed so far */
} evx_log;

void evx_info(evx_log *log, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void evx_warn(evx_log *log, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void evx_error(evx_log *log, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

#endif
