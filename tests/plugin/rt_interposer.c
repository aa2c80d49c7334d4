/* rt_interposer.c: an LD_PRELOAD library for test_rt_interposer. It
 * interposes the calls a real-time audio thread must never make (memory
 * allocation, mutexes and waits, file and console I/O, sleeping) for the
 * whole process, forwards each to the next definition, and counts those
 * made by a thread while that thread's flag is on (rtint_set(1) around
 * run()). The test finds rtint_* with dlsym, so it also knows when the
 * library is not preloaded. Cannot be combined with ASan (which must come
 * first in the process), hence the test skips under -Dsanitize=true. */
#undef _FILE_OFFSET_BITS  /* define open and open64 as themselves */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static __thread int flag;
static volatile unsigned long hits;
static char first[64];

void rtint_set(int on) { flag = on; }
unsigned long rtint_count(void) { return hits; }
const char *rtint_first(void) { return first; }
void rtint_clear(void) { hits = 0; first[0] = '\0'; }

static void hit(int on, const char *what)
{
  if (!on)
    return;
  if (!hits)
    snprintf(first, sizeof first, "%s", what);
  hits++;
}

/* Counted, with the flag off while forwarding (so forwarded calls that use
 * each other internally count once). */
#define ENTER(name) int saved_ = flag; flag = 0; hit(saved_, name)
#define LEAVE() flag = saved_

#define NEXT(type, name, args) \
  static type(*next_##name) args; \
  if (!next_##name) next_##name = (type(*) args)dlsym(RTLD_NEXT, #name)

/* ---- memory (dlsym may calloc before calloc is resolved) ---------------- */

static char bootstrap[8192] __attribute__((aligned(16)));
static size_t bootstrap_used;
static int resolving;

void *malloc(size_t n)
{
  ENTER("malloc");
  NEXT(void *, malloc, (size_t));
  void *p = next_malloc(n);
  LEAVE();
  return p;
}

void *calloc(size_t a, size_t b)
{
  static void *(*next_calloc)(size_t, size_t);
  if (!next_calloc) {
    if (resolving) {
      size_t n = (a * b + 15) & ~(size_t)15;
      if (bootstrap_used + n > sizeof bootstrap)
        return NULL;
      void *p = bootstrap + bootstrap_used;
      bootstrap_used += n;
      return p;
    }
    resolving = 1;
    next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    resolving = 0;
  }
  ENTER("calloc");
  void *p = next_calloc(a, b);
  LEAVE();
  return p;
}

void *realloc(void *q, size_t n)
{
  ENTER("realloc");
  NEXT(void *, realloc, (void *, size_t));
  void *p = next_realloc(q, n);
  LEAVE();
  return p;
}

void free(void *p)
{
  if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap)
    return;
  ENTER("free");
  NEXT(void, free, (void *));
  next_free(p);
  LEAVE();
}

int posix_memalign(void **out, size_t align, size_t n)
{
  ENTER("posix_memalign");
  NEXT(int, posix_memalign, (void **, size_t, size_t));
  int r = next_posix_memalign(out, align, n);
  LEAVE();
  return r;
}

void *aligned_alloc(size_t align, size_t n)
{
  ENTER("aligned_alloc");
  NEXT(void *, aligned_alloc, (size_t, size_t));
  void *p = next_aligned_alloc(align, n);
  LEAVE();
  return p;
}

void *memalign(size_t align, size_t n)
{
  ENTER("memalign");
  NEXT(void *, memalign, (size_t, size_t));
  void *p = next_memalign(align, n);
  LEAVE();
  return p;
}

/* ---- locks and waits ------------------------------------------------------ */

int pthread_mutex_lock(pthread_mutex_t *m)
{
  ENTER("pthread_mutex_lock");
  NEXT(int, pthread_mutex_lock, (pthread_mutex_t *));
  int r = next_pthread_mutex_lock(m);
  LEAVE();
  return r;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
  ENTER("pthread_mutex_trylock");
  NEXT(int, pthread_mutex_trylock, (pthread_mutex_t *));
  int r = next_pthread_mutex_trylock(m);
  LEAVE();
  return r;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
  ENTER("pthread_cond_wait");
  NEXT(int, pthread_cond_wait, (pthread_cond_t *, pthread_mutex_t *));
  int r = next_pthread_cond_wait(c, m);
  LEAVE();
  return r;
}

int sem_wait(sem_t *s)
{
  ENTER("sem_wait");
  NEXT(int, sem_wait, (sem_t *));
  int r = next_sem_wait(s);
  LEAVE();
  return r;
}

int nanosleep(const struct timespec *a, struct timespec *b)
{
  ENTER("nanosleep");
  NEXT(int, nanosleep, (const struct timespec *, struct timespec *));
  int r = next_nanosleep(a, b);
  LEAVE();
  return r;
}

int usleep(useconds_t us)
{
  ENTER("usleep");
  NEXT(int, usleep, (useconds_t));
  int r = next_usleep(us);
  LEAVE();
  return r;
}

/* ---- files and console ------------------------------------------------------ */

int open(const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (mode_t)va_arg(ap, int);
  va_end(ap);
  ENTER("open");
  NEXT(int, open, (const char *, int, ...));
  int r = next_open(path, flags, mode);
  LEAVE();
  return r;
}

int open64(const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (mode_t)va_arg(ap, int);
  va_end(ap);
  ENTER("open64");
  NEXT(int, open64, (const char *, int, ...));
  int r = next_open64(path, flags, mode);
  LEAVE();
  return r;
}

ssize_t read(int fd, void *buf, size_t n)
{
  ENTER("read");
  NEXT(ssize_t, read, (int, void *, size_t));
  ssize_t r = next_read(fd, buf, n);
  LEAVE();
  return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
  ENTER("write");
  NEXT(ssize_t, write, (int, const void *, size_t));
  ssize_t r = next_write(fd, buf, n);
  LEAVE();
  return r;
}

FILE *fopen(const char *path, const char *mode)
{
  ENTER("fopen");
  NEXT(FILE *, fopen, (const char *, const char *));
  FILE *r = next_fopen(path, mode);
  LEAVE();
  return r;
}

size_t fwrite(const void *p, size_t a, size_t b, FILE *f)
{
  ENTER("fwrite");
  NEXT(size_t, fwrite, (const void *, size_t, size_t, FILE *));
  size_t r = next_fwrite(p, a, b, f);
  LEAVE();
  return r;
}

size_t fread(void *p, size_t a, size_t b, FILE *f)
{
  ENTER("fread");
  NEXT(size_t, fread, (void *, size_t, size_t, FILE *));
  size_t r = next_fread(p, a, b, f);
  LEAVE();
  return r;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
  ENTER("vfprintf");
  NEXT(int, vfprintf, (FILE *, const char *, va_list));
  int r = next_vfprintf(f, fmt, ap);
  LEAVE();
  return r;
}

int fprintf(FILE *f, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vfprintf(f, fmt, ap);
  va_end(ap);
  return r;
}

int fputs(const char *s, FILE *f)
{
  ENTER("fputs");
  NEXT(int, fputs, (const char *, FILE *));
  int r = next_fputs(s, f);
  LEAVE();
  return r;
}

int puts(const char *s)
{
  ENTER("puts");
  NEXT(int, puts, (const char *));
  int r = next_puts(s);
  LEAVE();
  return r;
}
