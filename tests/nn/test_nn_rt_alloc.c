/* forward/begin/step/output, evx_build_input and speaker adaptation (the
 * frame mode too) never call malloc, calloc, realloc or free: the test links
 * with -Wl,--wrap for each and counts. */
#include "test_util.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include "evx_features.h"
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
/* volatile: the compiler assumes malloc touches no user global */
static volatile int armed, calls;
void *__wrap_malloc(size_t n) { calls += armed; return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { calls += armed; return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { calls += armed; return __real_realloc(p, n); }
void __wrap_free(void *p) { calls += armed; __real_free(p); }

static void run_armed(evx_model *m)
{
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  uint32_t W = m->cfg.window_frames;
  float *frames = calloc((size_t)W * EVX_NFEAT, sizeof *frames);
  for (size_t i = 0; i < (size_t)W * EVX_NFEAT; i++)   /* voiced, varying */
    frames[i] = 0.01f * (float)(1 + i % 7);
  evx_shape s = evx_input_shape(&m->cfg);
  float *x = calloc((size_t)s.c * s.h * s.w, sizeof *x), p[EVX_MAX_LABELS];
  static evx_adapt_state st;
  evx_adapt_reset(&st, &m->adapt);
  armed = 1;
  evx_build_input(&m->cfg, frames, W / 2, x);
  evx_adapt_update(&st, &m->adapt, x);
  evx_adapt_apply(&st, &m->adapt, x);
  evx_net_forward(net, x, p);
  evx_net_begin(net, x);
  while (!evx_net_step(net, 20000)) {}
  (void)evx_net_output(net);
  armed = 0;
  assert_int_equal(calls, 0);
  free(x); free(frames); free(mem);
}

static void test_no_allocation_in_rt_paths(void **state)
{
  (void)state;
  evx_model *a = evx_model_make_seed(NULL, 8, 1), *b = evx_model_make_logmel_cnn(NULL, 8, 2);
  run_armed(a);
  run_armed(b);
  /* the frame-matrix input with frame-mode adaptation */
  evx_feature_config fc = evx_feature_config_default(EVX_INPUT_FRAMES);
  evx_model *f = evx_model_make_seed(&fc, 8, 3);
  static float pop_mean[EVX_NFEAT], pop_var[EVX_NFEAT];
  for (uint32_t i = 0; i < EVX_NFEAT; i++) pop_var[i] = 1.0f;
  f->adapt = (evx_adapt){ EVX_NFEAT, 4.0f, 100.0f, pop_mean, pop_var, fc.window_frames };
  run_armed(f);
  f->adapt.len = 0;
  evx_model_free(a);
  evx_model_free(b);
  evx_model_free(f);
  /* the wrap works: an allocation while armed is seen */
  armed = 1;
  void *volatile p = malloc(4);
  free(p);
  armed = 0;
  assert_int_equal(calls, 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_no_allocation_in_rt_paths) };
  return cmocka_run_group_tests_name("nn_rt_alloc", tests, NULL, NULL);
}
