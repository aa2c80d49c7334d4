/* log.h: where the trainer's warnings and progress go, and how many warnings
 * there were. A NULL tr_log* means stderr. */
#ifndef TR_LOG_H
#define TR_LOG_H

#include <stddef.h>
#include <stdio.h>

typedef struct tr_log {
  FILE *f;          /* NULL = stderr */
  int quiet;        /* 1: drop info lines (warnings and errors still print) */
  size_t warnings;  /* warnings printed so far */
  size_t errors;    /* errors printed so far */
} tr_log;

void tr_info(tr_log *log, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void tr_warn(tr_log *log, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void tr_error(tr_log *log, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

#endif
