/* The streaming engine with a speaker-adapting model (format v2): the
 * adaptation changes what is published, the published sequence still does
 * not depend on the block size, and evx_engine_reset forgets the speaker. */
#include "test_util.h"
#include "evx_engine.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000.0
#define MAXN 400

static float pop_mean[EVX_ADAPT_MAX], pop_var[EVX_ADAPT_MAX];

typedef struct { int n; float p[MAXN][EVX_N_EMOTIONS]; } trace;

static void on_publish(void *user, const evx_engine_out *o)
{
  trace *t = user;
  if (t->n < MAXN) memcpy(t->p[t->n++], o->probs, sizeof o->probs);
}

/* A seed-architecture model on voiced_stats input; adapting or not. */
static evx_engine_model *model(int adapt)
{
  evx_feature_config cfg = evx_feature_config_default(EVX_INPUT_VOICED_STATS);
  evx_model *m = evx_model_make_seed(&cfg, 8, 11);
  assert_non_null(m);
  uint32_t len = m->input.c * m->input.h * m->input.w;
  if (adapt) {
    for (uint32_t i = 0; i < len; i++) pop_mean[i] = 0.0f, pop_var[i] = 1.0f;
    m->adapt = (evx_adapt){ len, 4.0f, 200.0f, pop_mean, pop_var };
  }
  char err[256];
  evx_engine_model *em = evx_engine_model_new(m, err, sizeof err);
  if (!em) fail_msg("%s", err);
  return em;
}

/* 20 s of a voiced, slowly gliding tone with noise; blocks of `block`
 * frames (0: random sizes 1..2048). */
static void play(evx_engine *e, uint32_t block, trace *t)
{
  static float x[2048];
  uint64_t r = 99, rb = 7;   /* audio noise, block sizes */
  size_t total = (size_t)(20 * RATE), done = 0;
  double ph = 0;
  t->n = 0;
  while (done < total) {
    rb = rb * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t n = block ? block : 1 + (uint32_t)((rb >> 33) % 2048);
    if (n > total - done) n = (uint32_t)(total - done);
    for (uint32_t i = 0; i < n; i++, done++) {
      double f = 140.0 + 60.0 * sin(done / RATE * 0.7);
      ph += 2 * M_PI * f / RATE;
      r = r * 6364136223846793005ull + 1442695040888963407ull;
      x[i] = (float)(0.3 * sin(ph) + 0.1 * sin(3 * ph) + 0.02 * ((double)(r >> 40) / 16777216.0 - 0.5));
    }
    evx_engine_push(e, x, n);
  }
}

static evx_engine *engine(evx_engine_model *em, void **mem, trace *t)
{
  size_t sz = evx_engine_size(RATE, 8192, evx_engine_model_get(em)->cfg.window_frames);
  *mem = malloc(sz);
  evx_engine *e = evx_engine_init(*mem, sz, RATE, 8192,
                                  evx_engine_model_get(em)->cfg.window_frames, em);
  assert_non_null(e);
  evx_engine_set_listener(e, on_publish, t);
  return e;
}

static void test_adaptation_in_the_engine(void **state)
{
  (void)state;
  static trace a, b, c, plain;
  void *mem, *mem2;
  evx_engine_model *em = model(1), *em_plain = model(0);
  evx_engine *e = engine(em, &mem, &a);
  play(e, 256, &a);
  assert_true(a.n > 30);

  /* the same audio in random blocks: the same published sequence */
  evx_engine_reset(e);
  evx_engine_set_listener(e, on_publish, &b);
  play(e, 0, &b);
  assert_int_equal(a.n, b.n);
  for (int k = 0; k < a.n; k++)
    for (int i = 0; i < EVX_N_EMOTIONS; i++) assert_float_equal(a.p[k][i], b.p[k][i], 1e-6);

  /* without reset the speaker statistics carry on: the start differs */
  evx_engine_set_listener(e, on_publish, &c);
  play(e, 256, &c);
  int differs = 0;
  for (int i = 0; i < EVX_N_EMOTIONS; i++) differs |= fabsf(c.p[2][i] - a.p[2][i]) > 1e-6f;
  assert_true(differs);

  /* the adapting model and the same weights without adaptation disagree */
  evx_engine *e2 = engine(em_plain, &mem2, &plain);
  play(e2, 256, &plain);
  differs = 0;
  for (int k = 0; k < plain.n && k < a.n; k++)
    for (int i = 0; i < EVX_N_EMOTIONS; i++) differs |= fabsf(plain.p[k][i] - a.p[k][i]) > 1e-4f;
  assert_true(differs);

  evx_engine_model_free(evx_engine_destroy(e));
  evx_engine_model_free(evx_engine_destroy(e2));
  free(mem);
  free(mem2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_adaptation_in_the_engine),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
