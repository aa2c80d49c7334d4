/* model_ref.h: the model a plugin instance refers to: the path its state
 * saves and whether that model is the one running. Written by one thread at
 * a time (restore in the instantiation thread, work_response in the audio
 * thread: the host never runs those two together) and read by any (save,
 * which the LV2 state spec lets run concurrently with run(); the
 * modelStatus property, read in run()).
 *
 * A sequence lock (Boehm, "Can seqlocks get along with programming language
 * memory models?", 2012): the writer makes the count odd, writes, makes it
 * even, and never waits (real-time safe, bounded by MODEL_REF_CAP); a reader
 * copies and starts over while the count was odd or moved, so it never
 * returns a torn path. Every byte goes through an atomic, so there is no
 * data race either (tests/plugin/test_model_ref.c, also under
 * ThreadSanitizer with -Dtsan=true). */
#ifndef EVX_MODEL_REF_H
#define EVX_MODEL_REF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MODEL_REF_CAP 4096u   /* bytes of path, NUL included */

typedef enum {
  MODEL_DEFAULT = 0,   /* the bundle's default.emvx; no path */
  MODEL_LOADED = 1,    /* path is the running model */
  MODEL_MISSING = 2    /* path was asked for (restored state) but could not be
                          loaded: the default runs, the path is still saved */
} ModelStatus;

typedef struct {
  _Atomic uint64_t words[MODEL_REF_CAP / 8];
  _Atomic uint32_t status;
  _Atomic uint32_t seq;   /* odd while a write is in progress */
} ModelRef;

/* path NULL or "" with MODEL_DEFAULT. Real-time safe. */
static inline void model_ref_set(ModelRef *r, const char *path, ModelStatus status)
{
  uint64_t w[MODEL_REF_CAP / 8];
  memset(w, 0, sizeof w);
  size_t n = path ? strnlen(path, MODEL_REF_CAP - 1) : 0;
  memcpy(w, path ? path : "", n);   /* the rest stays 0: NUL-terminated */
  uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);
  atomic_store_explicit(&r->seq, s + 1, memory_order_relaxed);
  /* release stores: none of them becomes visible before the odd count
   * (instead of a release fence, which ThreadSanitizer does not model) */
  for (size_t i = 0; i < MODEL_REF_CAP / 8; i++)
    atomic_store_explicit(&r->words[i], w[i], memory_order_release);
  atomic_store_explicit(&r->status, (uint32_t)status, memory_order_release);
  atomic_store_explicit(&r->seq, s + 2, memory_order_release);
}

/* A stable copy: path (MODEL_REF_CAP bytes of room) and the status. Any
 * thread; spins only while a write is under way. */
static inline ModelStatus model_ref_get(const ModelRef *r, char *path)
{
  uint64_t w[MODEL_REF_CAP / 8];
  uint32_t status;
  for (;;) {
    uint32_t s1 = atomic_load_explicit(&r->seq, memory_order_acquire);
    if (s1 & 1u)
      continue;
    /* acquire loads: the count is read again only after all of them */
    for (size_t i = 0; i < MODEL_REF_CAP / 8; i++)
      w[i] = atomic_load_explicit(&r->words[i], memory_order_acquire);
    status = atomic_load_explicit(&r->status, memory_order_acquire);
    if (atomic_load_explicit(&r->seq, memory_order_relaxed) == s1)
      break;
  }
  memcpy(path, w, MODEL_REF_CAP);
  path[MODEL_REF_CAP - 1] = '\0';
  return (ModelStatus)status;
}

/* The writes so far (a change since the last look). Any thread. */
static inline uint32_t model_ref_version(const ModelRef *r)
{
  return atomic_load_explicit(&r->seq, memory_order_acquire);
}

#endif
