/* engine_fixture.c: see engine_fixture.h. */
#include "engine_fixture.h"
#include "evx_nn_zoo.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void on_publish(void *user, const evx_engine_out *o)
{
  trace *t = user;
  if (t->n < MAXN) memcpy(t->p[t->n++], o->probs, sizeof o->probs);
}

void ef_listen(evx_engine *e, trace *t)
{
  evx_engine_set_listener(e, on_publish, t);
}

evx_model *ef_seed_model(uint32_t input_kind, int adapt, uint64_t seed)
{
  static float vec_mean[EVX_ADAPT_MAX], vec_var[EVX_ADAPT_MAX];
  static float frame_mean[EVX_NFEAT], frame_var[EVX_NFEAT];
  evx_feature_config cfg = evx_feature_config_default(input_kind);
  evx_model *m = evx_model_make_seed(&cfg, 8, seed);
  assert_non_null(m);
  if (!adapt)
    return m;
  if (input_kind == EVX_INPUT_FRAMES) {
    for (uint32_t f = 0; f < EVX_NFEAT; f++) frame_mean[f] = -30.0f, frame_var[f] = 100.0f;
    m->adapt = (evx_adapt){ EVX_NFEAT, 4.0f, 200.0f, frame_mean, frame_var, m->input.w };
  } else {
    uint32_t len = m->input.c * m->input.h * m->input.w;
    for (uint32_t i = 0; i < len; i++) vec_mean[i] = 0.0f, vec_var[i] = 1.0f;
    m->adapt = (evx_adapt){ len, 4.0f, 200.0f, vec_mean, vec_var, 1 };
  }
  return m;
}

evx_engine_model *ef_engine_model(evx_model *m)
{
  char err[256];
  evx_engine_model *em = evx_engine_model_new(m, err, sizeof err);
  if (!em) fail_msg("%s", err);
  return em;
}

void play_voice(evx_engine *e, uint32_t block, trace *t, double f0, double amp)
{
  static float x[2048];
  uint64_t r = 99, rb = 7;   /* audio noise, block sizes */
  size_t total = (size_t)(20 * RATE), done = 0;
  t->n = 0;
  while (done < total) {
    rb = rb * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t n = block ? block : 1 + (uint32_t)((rb >> 33) % 2048);
    if (n > total - done) n = (uint32_t)(total - done);
    for (uint32_t i = 0; i < n; i++, done++) {
      r = r * 6364136223846793005ull + 1442695040888963407ull;
      x[i] = (float)(tu_talker(done, RATE, f0, amp) +
                     0.02 * ((double)(r >> 40) / 16777216.0 - 0.5));
    }
    evx_engine_push(e, x, n);
  }
}

void drop(evx_engine *e, void *mem)
{
  evx_engine_model_free(evx_engine_destroy(e));
  free(mem);
}

void assert_same(const trace *x, const trace *y)
{
  assert_int_equal(x->n, y->n);
  assert_memory_equal(x->p, y->p, sizeof x->p[0] * (size_t)x->n);
}

evx_engine *engine(evx_engine_model *em, void **mem, trace *t)
{
  size_t sz = evx_engine_size(RATE, 8192, evx_engine_model_get(em)->cfg.window_frames);
  *mem = malloc(sz);
  evx_engine *e = evx_engine_init(*mem, sz, RATE, 8192,
                                  evx_engine_model_get(em)->cfg.window_frames, em);
  assert_non_null(e);
  ef_listen(e, t);
  return e;
}

