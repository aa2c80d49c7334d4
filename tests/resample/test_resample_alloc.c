/* test_resample_alloc.c: evx_rs_process and evx_rs_reset never allocate or
 * free. The allocator is wrapped at link time (-Wl,--wrap=...): every call
 * from the statically linked core goes through the counters below. */
#include "test_util.h"

#include "rs_measure.h"
#include "evx_resample.h"

#include <math.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);

static volatile int counting;
static volatile unsigned long calls;

static void count(void)
{
  if (counting)
    calls++;
}

void *__wrap_malloc(size_t n) { count(); return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { count(); return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { count(); return __real_realloc(p, n); }
void __wrap_free(void *p) { count(); __real_free(p); }
int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
  count();
  return __real_posix_memalign(p, align, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n)
{
  count();
  return __real_aligned_alloc(align, n);
}

static void test_process_does_not_allocate(void **state)
{
  (void)state;
  static const double rates[] = {8000, 11025, 16000, 44100, 48000, 192000, 47952.048};
  enum { MAX_IN = 4096 };
  float *x = malloc(sizeof(float) * MAX_IN);
  for (int i = 0; i < MAX_IN; i++)
    x[i] = i % 97 == 0 ? NAN : (float)sin(0.01 * i);
  for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    void *mem;
    evx_rs *rs = rsm_new(rates[r], MAX_IN, &mem);
    assert_non_null(rs);
    float *y = malloc(sizeof(float) * evx_rs_max_out(rs));
    calls = 0;
    counting = 1;
    for (uint32_t b = 0; b <= MAX_IN; b = b * 2 + 1)
      evx_rs_process(rs, x, b, y);
    evx_rs_reset(rs);
    evx_rs_process(rs, x, MAX_IN, y);
    counting = 0;
    assert_int_equal(calls, 0);
    free(y);
    free(mem);
  }
  /* The counters work: an allocation here is seen. */
  counting = 1;
  free(malloc(16));
  counting = 0;
  assert_int_equal(calls, 2);
  free(x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_process_does_not_allocate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
