/* test_schedule.c: the learning-rate schedules and which epoch's weights
 * training keeps (trainer/learn/train_loop.h): --lr-schedule cosine runs
 * lr * (1 + cos(pi e / E)) / 2 whatever validation does, and --keep last
 * ships the last epoch with no early stop; the default keeps the best
 * validation loss. */
#include "test_util.h"
#include "learn/train_loop.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 96
#define DIM 6
#define K 3

static float x[N * DIM];
static int y[N];

/* Three noisy classes, each lighting one pair of inputs. */
static void make_set(tl_set *s)
{
  uint64_t seed = 4;
  for (int i = 0; i < N; i++) {
    y[i] = i % K;
    for (int j = 0; j < DIM; j++)
      x[i * DIM + j] = (float)tu_gauss(&seed) + (j / 2 == y[i] ? 2.0f : 0.0f);
  }
  *s = (tl_set){ N, DIM, x, y, NULL, NULL };
}

static void make_graph(tl_graph *g)
{
  char err[128];
  tl_graph_init(g, (evx_shape){ 1, 1, DIM }, K);
  assert_int_equal(tl_add_simple(g, EVX_LAYER_FLATTEN, 0, err, sizeof err), 0);
  assert_int_equal(tl_add_dense(g, 8, err, sizeof err), 0);
  assert_int_equal(tl_add_simple(g, EVX_LAYER_RELU, 0, err, sizeof err), 0);
  assert_int_equal(tl_add_dense(g, K, err, sizeof err), 0);
  assert_int_equal(tl_add_simple(g, EVX_LAYER_SOFTMAX, 0, err, sizeof err), 0);
}

/* Train the small network for o's epochs, validating on the first 24 rows. */
static void train(const tl_train_opts *o, tl_graph *g, tl_state *st)
{
  tl_set tr, va;
  make_set(&tr);
  va = tr;
  va.n = 24;
  make_graph(g);
  char err[128];
  if (tl_train(g, &tr, &va, o, st, err, sizeof err)) fail_msg("%s", err);
}

static void test_cosine_keep_last(void **state)
{
  (void)state;
  tl_train_opts o = tl_train_defaults();
  o.epochs = 6, o.threads = 1, o.quiet = 1, o.cosine = 1, o.keep_last = 1;
  o.patience = 1;   /* would stop early; keep_last overrides it */
  o.lr = 4e-3;
  tl_graph g;
  tl_state st = { 0 };
  train(&o, &g, &st);
  assert_int_equal(st.epoch, 6);
  for (int e = 0; e < 6; e++)
    assert_float_equal(st.hist[e].lr, 0.5 * 4e-3 * (1 + cos(M_PI * e / 6)), 1e-9);
  assert_memory_equal(st.best, st.params, sizeof(float) * g.n_params);
  tl_state_free(&st);
}

static void test_default_keeps_best_loss(void **state)
{
  (void)state;
  tl_train_opts o = tl_train_defaults();
  o.epochs = 8, o.threads = 1, o.quiet = 1, o.lr = 4e-3;
  tl_graph g;
  tl_state st = { 0 };
  train(&o, &g, &st);
  int best = 0;
  for (int e = 1; e < st.epoch; e++)
    if (st.hist[e].val_loss < st.hist[best].val_loss) best = e;
  assert_int_equal(st.early.best_epoch, best + 1);
  for (int e = 0; e < st.epoch; e++)
    assert_float_equal(st.hist[e].lr, 4e-3, 0);   /* no plateau within 8 epochs here */
  tl_state_free(&st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cosine_keep_last),
    cmocka_unit_test(test_default_keeps_best_loss),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
