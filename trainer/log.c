#include "log.h"
#include <stdarg.h>

static void emit(tr_log *log, const char *tag, const char *fmt, va_list ap)
{
  FILE *f = log && log->f ? log->f : stderr;
  if (tag)
    fputs(tag, f);
  vfprintf(f, fmt, ap);
  fputc('\n', f);
}

void tr_info(tr_log *log, const char *fmt, ...)
{
  if (log && log->quiet)
    return;
  va_list ap;
  va_start(ap, fmt);
  emit(log, NULL, fmt, ap);
  va_end(ap);
}

/* A counted message: warning or error. */
static void counted(tr_log *log, const char *tag, size_t *count,
                    const char *fmt, va_list ap)
{
  emit(log, tag, fmt, ap);
  if (count)
    (*count)++;
}

void tr_warn(tr_log *log, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  counted(log, "warning: ", log ? &log->warnings : NULL, fmt, ap);
  va_end(ap);
}

void tr_error(tr_log *log, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  counted(log, "error: ", log ? &log->errors : NULL, fmt, ap);
  va_end(ap);
}
