/* test_rt_alloc.c: evx_fx_push and evx_fx_reset never allocate, FFTW's
 * execute included; nor do evx_fx_push_prosody, evx_pr_frame and
 * evx_pr_reset (the prosody tracker, evx_prosody.h). malloc and friends are interposed for the whole process
 * (this executable's definitions win over libc's for every shared library,
 * FFTW too) and forward to the next definition (libc's, or ASan's). */
#include "test_util.h"

#include "evx_features.h"
#include "evx_prosody.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static void (*next_free)(void *);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);
static void *(*next_memalign)(size_t, size_t);

static volatile int counting;
static volatile unsigned long calls;

/* dlsym may calloc before next_calloc is known: serve it from here. */
static char bootstrap[4096] __attribute__((aligned(16)));
static size_t bootstrap_used;

static void resolve(void)
{
  if (next_free)
    return;
  next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
  next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
  next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
  next_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
  next_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
  next_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
  next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
}

static void count(void)
{
  if (counting)
    calls++;
}

void *malloc(size_t n)
{
  resolve();
  count();
  return next_malloc(n);
}

void *calloc(size_t a, size_t b)
{
  if (!next_calloc) {  /* inside dlsym, before resolution */
    size_t n = (a * b + 15) & ~(size_t)15;
    if (bootstrap_used + n > sizeof bootstrap)
      return NULL;
    void *p = bootstrap + bootstrap_used;
    bootstrap_used += n;
    return p;  /* static storage is already zero */
  }
  count();
  return next_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
  resolve();
  count();
  return next_realloc(p, n);
}

void free(void *p)
{
  if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap)
    return;
  resolve();
  count();
  next_free(p);
}

int posix_memalign(void **p, size_t al, size_t n)
{
  resolve();
  count();
  return next_posix_memalign(p, al, n);
}

void *aligned_alloc(size_t al, size_t n)
{
  resolve();
  count();
  return next_aligned_alloc(al, n);
}

void *memalign(size_t al, size_t n)
{
  resolve();
  count();
  return next_memalign(al, n);
}

/* Push 3 s of a varied signal in irregular blocks, counting allocations;
 * with_prosody: through evx_fx_push_prosody and a tracker. */
static void check_rate(double rate, int with_prosody)
{
  const uint32_t max_block = EVX_MAX_BLOCK;
  size_t size = evx_fx_size(rate, max_block);
  if (size == 0) {
    print_message("[  SKIP    ] no extractor at %g Hz (resampler not available)\n", rate);
    return;
  }
  void *mem = malloc(size);
  evx_fx *fx = evx_fx_init(mem, size, rate, max_block);
  assert_non_null(fx);
  size_t n = (size_t)(3 * rate);
  float *x = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(0.4 * sin(0.01 * (double)i * (1 + (double)i / (double)n))) + ((i % 997) == 0 ? NAN : 0.0f);
  float *out = malloc(sizeof(float) * EVX_NFEAT * evx_fx_max_frames(fx));
  float *pout = malloc(sizeof(float) * EVX_NPROS * evx_fx_max_frames(fx));
  void *pmem = malloc(evx_pr_size());
  evx_pr *pr = with_prosody ? evx_pr_init(pmem, evx_pr_size()) : NULL;
  assert_true(!with_prosody || pr);
  uint64_t rng = 7;
  unsigned long frames = 0;

  calls = 0;
  counting = 1;
  for (size_t i = 0; i < n;) {
    uint32_t len = 1u + (uint32_t)(tu_rand(&rng) % max_block);
    len = (size_t)len > n - i ? (uint32_t)(n - i) : len;
    frames += pr ? evx_fx_push_prosody(fx, pr, x + i, len, out, pout)
                 : evx_fx_push(fx, x + i, len, out);
    i += len;
    if (i > n / 2 && i - len <= n / 2) {
      evx_fx_reset(fx);
      if (pr)
        evx_pr_reset(pr);
    }
  }
  counting = 0;

  print_message("%g Hz%s: %lu frames, %lu allocator calls during push/reset\n", rate,
                pr ? " with prosody" : "", frames, calls);
  assert_true(frames > 200);
  assert_int_equal(calls, 0);
  evx_pr_destroy(pr);
  evx_fx_destroy(fx);
  free(pmem);
  free(pout);
  free(out);
  free(x);
  free(mem);
}

/* The counter itself works: a malloc while counting is seen. */
static void test_counter_sees_malloc(void **state)
{
  (void)state;
  calls = 0;
  counting = 1;
  void *volatile p = malloc(32);
  free(p);
  counting = 0;
  assert_int_equal(calls, 2);
}

static void test_push_16k(void **state) { (void)state; check_rate(16000, 0); }
static void test_push_48k(void **state) { (void)state; check_rate(48000, 0); }
static void test_push_44k1(void **state) { (void)state; check_rate(44100, 0); }
static void test_prosody_16k(void **state) { (void)state; check_rate(16000, 1); }
static void test_prosody_48k(void **state) { (void)state; check_rate(48000, 1); }

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_counter_sees_malloc),
    cmocka_unit_test(test_push_16k),
    cmocka_unit_test(test_push_48k),
    cmocka_unit_test(test_push_44k1),
    cmocka_unit_test(test_prosody_16k),
    cmocka_unit_test(test_prosody_48k),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
