/* test_model_ref.c: the plugin's model reference (plugin/model_ref.h) read
 * by save() while work_response writes it (issue 20). A writer thread sets
 * two paths of very different lengths in turn, as fast as it can; a reader
 * thread takes copies all the while: each must be exactly one of the two,
 * with its own status (a torn read would mix them). Built twice: plain, and
 * with ThreadSanitizer (plugin_model_ref_tsan), which also fails on any data
 * race. Standalone (no cmocka), so that all its code is instrumented. */
#include "model_ref.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#define WRITES 2000

static ModelRef ref;
static char path_a[MODEL_REF_CAP], path_b[MODEL_REF_CAP];
static _Atomic int done;
static _Atomic long reads_done;   /* the writer waits for one read after each write */

static void *writer(void *arg)
{
  (void)arg;
  for (int i = 0; i < WRITES; i++) {
    model_ref_set(&ref, i % 2 ? path_b : path_a, i % 2 ? MODEL_MISSING : MODEL_LOADED);
    /* two reads more: the second one began after this write (the reader's
     * copy after that may overlap the next write) */
    long r0 = atomic_load(&reads_done);
    while (atomic_load(&reads_done) < r0 + 2)
      sched_yield();
  }
  atomic_store(&done, 1);
  return NULL;
}

int main(void)
{
  snprintf(path_a, sizeof path_a, "/a/short.emvx");
  memset(path_b, 'b', sizeof path_b - 1);   /* the longest path there is */
  path_b[0] = '/';
  path_b[sizeof path_b - 1] = '\0';
  char got[MODEL_REF_CAP];
  if (model_ref_get(&ref, got) != MODEL_DEFAULT || got[0]) {
    fprintf(stderr, "a zeroed reference is not the default model\n");
    return 1;
  }
  pthread_t t;
  if (pthread_create(&t, NULL, writer, NULL))
    return 1;
  long reads = 0, bad = 0, changes = 0;
  ModelStatus last = MODEL_DEFAULT;
  while (!atomic_load(&done)) {
    ModelStatus st = model_ref_get(&ref, got);
    atomic_fetch_add(&reads_done, 1);
    reads++;
    changes += st != last;
    last = st;
    if (st == MODEL_DEFAULT && !got[0])
      continue;   /* before the first write */
    int ok = (st == MODEL_LOADED && !strcmp(got, path_a)) ||
             (st == MODEL_MISSING && !strcmp(got, path_b));
    if (!ok && bad++ < 3)
      fprintf(stderr, "torn read %ld: status %d, path of %zu bytes starting '%.16s'\n", reads,
              (int)st, strlen(got), got);
  }
  pthread_join(t, NULL);
  printf("model_ref: %d writes, %ld reads (%ld saw a new status), %ld torn\n", WRITES, reads,
         changes, bad);
  /* the reader must have seen the writer at work, or nothing was tested */
  return bad || changes < WRITES / 2 ? 1 : 0;
}
