/* test_model_state.c: sessions keep their model (issue 20). A state whose
 * model is missing restores with the default running, and the next save
 * writes the same path again; the patch:readable modelStatus says which
 * model runs (in reply to a patch:Get, and on every change); save() running
 * in another thread while run() swaps models in (work_response) always
 * writes one whole path. */
#include "test_util.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "emovox_ext.h"

#include <lv2/atom/util.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 256u

typedef struct { th_host *h; char path[4200]; uint32_t key, type; } store_box;

static LV2_State_Status store(LV2_State_Handle handle, uint32_t key, const void *value,
                              size_t size, uint32_t type, uint32_t flags)
{
  (void)flags;
  store_box *b = handle;
  b->key = key;
  b->type = type;
  snprintf(b->path, sizeof b->path, "%.*s", (int)size, (const char *)value);
  return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle handle, uint32_t key, size_t *size,
                            uint32_t *type, uint32_t *flags)
{
  store_box *b = handle;
  if (key != b->key)
    return NULL;
  *size = strlen(b->path) + 1;
  *type = b->type;
  *flags = LV2_STATE_IS_POD;
  return b->path;
}

static const LV2_State_Interface *state_of(th_host *h)
{
  const LV2_State_Interface *si =
    lilv_instance_get_extension_data(th_instance(h), LV2_STATE__interface);
  assert_non_null(si);
  return si;
}

/* What save() writes for the model ("" when nothing). */
static void saved_path(th_host *h, char *out, size_t len)
{
  store_box b = { h, "", 0, 0 };
  LV2_Handle inst = lilv_instance_get_handle(th_instance(h));
  assert_int_equal(state_of(h)->save(inst, store, &b, 0, NULL), LV2_STATE_SUCCESS);
  snprintf(out, len, "%s", b.path);
}

static void run_silence(th_host *h, int blocks)
{
  static float x[BLOCK];
  for (int i = 0; i < blocks; i++)
    th_run(h, x, BLOCK);
}

/* The modelStatus text of the last run's notify output, or NULL. */
static const char *status_sent(th_host *h, char *buf, size_t len)
{
  LV2_URID_Map *map = th_map(h);
  LV2_URID set = map->map(map->handle, LV2_PATCH__Set),
           prop = map->map(map->handle, LV2_PATCH__property),
           val = map->map(map->handle, LV2_PATCH__value),
           str = map->map(map->handle, LV2_ATOM__String),
           status = map->map(map->handle, EMOVOX_URI_MODEL_STATUS);
  const LV2_Atom_Sequence *seq = th_atom(h, "notify");
  assert_non_null(seq);
  LV2_ATOM_SEQUENCE_FOREACH (seq, ev) {
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (obj->body.otype != set)
      continue;
    const LV2_Atom *p = NULL, *v = NULL;
    lv2_atom_object_get(obj, prop, &p, val, &v, 0);
    if (p && ((const LV2_Atom_URID *)p)->body == status && v && v->type == str) {
      snprintf(buf, len, "%s", (const char *)LV2_ATOM_BODY_CONST(v));
      return buf;
    }
  }
  return NULL;
}

static void send_get(th_host *h)
{
  LV2_Atom_Forge_Frame seq, obj;
  LV2_Atom_Forge *f = th_control_forge(h, &seq);
  LV2_URID_Map *map = th_map(h);
  lv2_atom_forge_frame_time(f, 0);
  lv2_atom_forge_object(f, &obj, 0, map->map(map->handle, LV2_PATCH__Get));
  lv2_atom_forge_pop(f, &obj);
  lv2_atom_forge_pop(f, &seq);
}

static void test_missing_model_is_kept(void **state)
{
  (void)state;
  char buf[4300], want[4300], got[4200];
  th_host *h = th_open(EMOVOX_URI_METER, 48000, BLOCK, 1);
  assert_non_null(h);
  run_silence(h, 1);
  assert_string_equal(status_sent(h, buf, sizeof buf), "default");   /* the first run says */
  run_silence(h, 1);
  assert_null(status_sent(h, buf, sizeof buf));                      /* then only on change */
  saved_path(h, got, sizeof got);
  assert_string_equal(got, "");                                      /* default: no state */

  /* a session whose model has gone missing */
  LV2_URID_Map *map = th_map(h);
  store_box b = { h, "", map->map(map->handle, EMOVOX_URI_MODEL),
                  map->map(map->handle, LV2_ATOM__Path) };
  snprintf(b.path, sizeof b.path, "%s/gone/my-voice.emvx", tu_tmpdir());
  LV2_Handle inst = lilv_instance_get_handle(th_instance(h));
  int logs = th_log_count(h);
  assert_int_equal(state_of(h)->restore(inst, retrieve, &b, 0, NULL), LV2_STATE_SUCCESS);
  assert_true(th_log_count(h) > logs);                               /* logged why */
  saved_path(h, got, sizeof got);
  assert_string_equal(got, b.path);                                  /* the reference stays */
  run_silence(h, 1);
  snprintf(want, sizeof want, "not loaded: %s", b.path);
  assert_string_equal(status_sent(h, buf, sizeof buf), want);
  send_get(h);
  th_run(h, (float[BLOCK]){ 0 }, BLOCK);
  assert_string_equal(status_sent(h, buf, sizeof buf), want);        /* patch:Get answered */

  /* a good model through patch:Set: loaded, and saved */
  char seed[4200];
  ptu_seed_model(seed, sizeof seed, "seed.emvx", 3);
  th_send_model(h, seed);
  run_silence(h, 2);
  saved_path(h, got, sizeof got);
  assert_string_equal(got, seed);
  send_get(h);
  th_run(h, (float[BLOCK]){ 0 }, BLOCK);
  snprintf(want, sizeof want, "loaded: %s", seed);
  assert_string_equal(status_sent(h, buf, sizeof buf), want);
  th_close(h);
}

typedef struct { th_host *h; const char *a, *b; _Atomic int stop; long saves, bad; } saver;

static void *save_loop(void *arg)
{
  saver *s = arg;
  char got[4200];
  while (!atomic_load(&s->stop)) {
    saved_path(s->h, got, sizeof got);
    s->saves++;
    s->bad += got[0] && strcmp(got, s->a) && strcmp(got, s->b);
  }
  return NULL;
}

static void test_save_during_swaps(void **state)
{
  (void)state;
  char a[4200], b[4200], longname[200];
  ptu_seed_model(a, sizeof a, "a.emvx", 1);
  memset(longname, 'x', sizeof longname - 1);   /* paths of different lengths */
  memcpy(longname + sizeof longname - 6, ".emvx", 6);
  ptu_seed_model(b, sizeof b, longname, 2);
  th_host *h = th_open(EMOVOX_URI_METER, 48000, BLOCK, 1);
  assert_non_null(h);
  saver s = { h, a, b, 0, 0, 0 };
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, save_loop, &s), 0);
  for (int i = 0; i < 40; i++) {
    th_send_model(h, i % 2 ? b : a);
    run_silence(h, 2);   /* the worker loads it; the next run swaps it in */
  }
  atomic_store(&s.stop, 1);
  pthread_join(t, NULL);
  LV2_Handle inst = lilv_instance_get_handle(th_instance(h));
  const EmovoxStatsInterface *st =
    lilv_instance_get_extension_data(th_instance(h), EMOVOX_URI_STATS);
  print_message("%u swaps, %ld saves alongside, %ld torn\n", st->swaps(inst), s.saves, s.bad);
  assert_int_equal(st->swaps(inst), 40);
  assert_true(s.saves > 0);
  assert_int_equal(s.bad, 0);
  th_close(h);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_missing_model_is_kept),
    cmocka_unit_test(test_save_during_swaps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
