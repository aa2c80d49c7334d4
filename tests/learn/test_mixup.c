/* test_mixup.c: `emovox train --mixup A` (tl_train_opts.mixup): training on
 * mixed pairs of rows is deterministic for a seed, differs from training
 * without it, still learns a separable problem (scored on clean rows), and
 * --mixup 0 is exactly the plain run. */
#include "test_util.h"
#include "learn/train_loop.h"
#include <stdlib.h>
#include <string.h>

#define N 96
#define DIM 6
#define K 3

static float x[N * DIM];
static int y[N];

/* Three noisy classes, each lighting one pair of inputs. */
static tl_set make_set(void)
{
  uint64_t seed = 4;
  for (int i = 0; i < N; i++) {
    y[i] = i % K;
    for (int j = 0; j < DIM; j++)
      x[i * DIM + j] = (float)tu_gauss(&seed) * 0.5f + (j / 2 == y[i] ? 2.0f : 0.0f);
  }
  return (tl_set){ N, DIM, x, y, NULL, NULL };
}

/* Trains Dense 8 - ReLU - Dense K for 12 epochs with mixup a (validation:
 * the clean training rows); the parameters are malloc'd into *params. */
static double train(double a, float **params, size_t *n_params)
{
  char err[128];
  tl_graph g;
  tl_graph_init(&g, (evx_shape){ 1, 1, DIM }, K);
  assert_int_equal(tl_add_simple(&g, EVX_LAYER_FLATTEN, 0, err, sizeof err), 0);
  assert_int_equal(tl_add_dense(&g, 8, err, sizeof err), 0);
  assert_int_equal(tl_add_simple(&g, EVX_LAYER_RELU, 0, err, sizeof err), 0);
  assert_int_equal(tl_add_dense(&g, K, err, sizeof err), 0);
  assert_int_equal(tl_add_simple(&g, EVX_LAYER_SOFTMAX, 0, err, sizeof err), 0);
  tl_set tr = make_set(), va = tr;
  tl_train_opts o = tl_train_defaults();
  o.epochs = 12, o.threads = 2, o.quiet = 1, o.lr = 1e-2, o.batch = 16;
  o.cosine = 1, o.keep_last = 1, o.mixup = a;
  tl_state st = { 0 };
  if (tl_train(&g, &tr, &va, &o, &st, err, sizeof err)) fail_msg("%s", err);
  *n_params = g.n_params;
  *params = malloc(sizeof(float) * g.n_params);
  memcpy(*params, st.params, sizeof(float) * g.n_params);
  double acc = st.hist[st.epoch - 1].val_acc;
  tl_state_free(&st);
  return acc;
}

static void test_mixup_is_deterministic_and_learns(void **state)
{
  (void)state;
  float *p1, *p2, *p0, *pz;
  size_t n;
  double acc = train(0.4, &p1, &n);
  train(0.4, &p2, &n);
  train(0.0, &p0, &n);
  print_message("clean accuracy after mixup training: %.3f\n", acc);
  assert_memory_equal(p1, p2, sizeof(float) * n);   /* same seed, same bytes */
  assert_memory_not_equal(p1, p0, sizeof(float) * n);
  assert_true(acc >= 0.9);
  /* alpha 1 (uniform weights) also trains */
  assert_true(train(1.0, &pz, &n) >= 0.9);
  free(p1), free(p2), free(p0), free(pz);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mixup_is_deterministic_and_learns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
