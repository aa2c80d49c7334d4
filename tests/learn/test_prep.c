/* test_prep.c: adaptation and normalisation as one object (learn/prep.h).
 * Fitting and applying work on copies (the caller's rows stay raw), give
 * exactly what the steps give one after another, and tl_export carries the
 * object whole into the bundle (adaptation block included). */
#include "test_util.h"
#include "learn/export.h"
#include "learn/rng.h"
#include <stdlib.h>
#include <string.h>

#define N 12   /* two streams, three clip runs each, two windows a run */

typedef struct {
  evx_feature_config cfg;
  uint32_t dim, stream[N], run[N];
  tl_streams s;
  float raw[N * 98];
} rows;

static void make(rows *r)
{
  memset(r, 0, sizeof *r);
  r->cfg = evx_feature_config_default(EVX_INPUT_SUMMARY);
  r->dim = (uint32_t)tl_shape_len(evx_input_shape(&r->cfg));
  assert_int_equal(r->dim, 98);
  uint64_t rng = 11;
  for (uint32_t i = 0; i < N; i++) {
    r->stream[i] = i >= N / 2;
    r->run[i] = i / 2;
    for (uint32_t k = 0; k < r->dim; k++)   /* the two voices apart */
      r->raw[i * r->dim + k] = (r->stream[i] ? 5.0f : -5.0f) + tl_rng_uniform(&rng) + (float)k;
  }
  r->s = (tl_streams){ .n = N, .dim = r->dim, .stream = r->stream, .run = r->run,
                       .n_streams = 2 };
}

static tl_prep prep_for(const rows *r)
{
  return (tl_prep){ .adapt = { .prior = 8, .memory = 600, .frames = evx_adapt_frames(&r->cfg) } };
}

static void test_fit_is_the_steps_on_a_copy(void **state)
{
  (void)state;
  static rows r;
  make(&r);
  float before[N * 98];
  memcpy(before, r.raw, sizeof before);
  tl_prep p = prep_for(&r);
  float *x = NULL;
  assert_int_equal(tl_prep_fit(&p, &r.cfg, 1, r.raw, &r.s, &x), 0);
  assert_memory_equal(r.raw, before, sizeof before);   /* the rows stay raw */

  tl_prep q = prep_for(&r);   /* by hand: adapt each stream, fit, normalise */
  float by_hand[N * 98];
  memcpy(by_hand, r.raw, sizeof by_hand);
  assert_int_equal(tl_adapt_fit(&q.adapt, &r.s, by_hand), 0);
  assert_int_equal(tl_norm_fit_input(&q.norm, &r.cfg, by_hand, N), 0);
  tl_norm_apply(&q.norm, evx_input_shape(&r.cfg), by_hand, N);
  assert_memory_equal(x, by_hand, sizeof by_hand);
  assert_int_equal(p.adapt.len, r.dim);
  assert_memory_equal(p.adapt.mean, q.adapt.mean, sizeof(float) * r.dim);
  assert_memory_equal(p.norm.scale, q.norm.scale, sizeof(float) * r.dim);
  free(x);

  /* applied (held-out rows): the plugin's replay, then the normalisation */
  assert_int_equal(tl_prep_apply(&p, &r.cfg, r.raw, &r.s, &x), 0);
  assert_memory_equal(r.raw, before, sizeof before);
  memcpy(by_hand, r.raw, sizeof by_hand);
  const evx_adapt view = tl_adapt_view(&p.adapt);
  assert_int_equal(tl_adapt_replay(&view, TL_ADAPT_STREAM, 1, &r.s, by_hand), 0);
  tl_norm_apply(&p.norm, evx_input_shape(&r.cfg), by_hand, N);
  assert_memory_equal(x, by_hand, sizeof by_hand);
  free(x);
  tl_prep_free(&p);
  tl_prep_free(&q);
}

static void test_export_carries_the_prep_whole(void **state)
{
  (void)state;
  static rows r;
  make(&r);
  char err[256];
  tl_prep p = prep_for(&r);
  float *x = NULL;
  assert_int_equal(tl_prep_fit(&p, &r.cfg, 1, r.raw, &r.s, &x), 0);
  free(x);
  tl_arch_opts ao = tl_arch_defaults(TL_ARCH_MLP);
  tl_graph g;
  assert_int_equal(tl_arch_build(&ao, evx_input_shape(&r.cfg), 8, &g, err, sizeof err), 0);
  uint64_t rng = 3;
  float *params = malloc(sizeof(float) * g.n_params);
  tl_graph_init_params(&g, params, &rng);
  evx_model m;
  assert_int_equal(tl_export(&g, params, &r.cfg, &p, &m, err, sizeof err), 0);
  evx_model *back = tu_bundle_reparse(&m);   /* written and read as a bundle */
  assert_non_null(back);
  assert_int_equal(back->adapt.len, r.dim);
  assert_true(back->adapt.prior == 8 && back->adapt.memory == 600);
  assert_memory_equal(back->adapt.mean, p.adapt.mean, sizeof(float) * r.dim);
  assert_memory_equal(back->adapt.var, p.adapt.var, sizeof(float) * r.dim);
  assert_int_equal(back->norm.len, p.norm.len);
  assert_memory_equal(back->norm.mean, p.norm.mean, sizeof(float) * p.norm.len);
  assert_memory_equal(back->norm.scale, p.norm.scale, sizeof(float) * p.norm.len);
  evx_model_free(back);

  tl_prep none = { .norm = p.norm };   /* no adaptation: none in the bundle */
  assert_int_equal(tl_export(&g, params, &r.cfg, &none, &m, err, sizeof err), 0);
  assert_int_equal(m.adapt.len, 0);
  free(params);
  tl_prep_free(&p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fit_is_the_steps_on_a_copy),
    cmocka_unit_test(test_export_carries_the_prep_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
