/* test_presets.c: the three presets are listed for every plugin, load with
 * lilv and restore their control values into an instance. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "test_util.h"

#include <lv2/presets/presets.h>
#include <math.h>
#include <string.h>

static const struct { const char *label; float response, gate, hold; } expected[] = {
  { "Fast response", 0.1f, -55.0f, 0.25f },
  { "Broadcast monitor", 2.0f, -45.0f, 3.0f },
  { "Dialogue editing", 0.3f, -60.0f, 0.5f },
};

static void set_value(const char *symbol, void *user, const void *value, uint32_t size,
                      uint32_t type)
{
  (void)type;
  th_host *h = user;
  assert_int_equal(size, sizeof(float));
  th_set_control(h, symbol, *(const float *)value);
}

static void test_presets_restore(void **state)
{
  (void)state;
  const char *uris[] = { EMOVOX_URI_METER, EMOVOX_URI_METER_MIDI, EMOVOX_URI_RENDER };
  for (size_t u = 0; u < 3; u++) {
    th_host *h = th_open(uris[u], 48000, 512, 1);
    assert_non_null(h);
    LilvWorld *w = th_world(h);
    LilvNode *pset = lilv_new_uri(w, LV2_PRESETS__Preset);
    LilvNodes *presets = lilv_plugin_get_related(th_plugin(h), pset);
    assert_int_equal(lilv_nodes_size(presets), 3);
    int seen = 0;
    LILV_FOREACH (nodes, i, presets) {
      const LilvNode *p = lilv_nodes_get(presets, i);
      lilv_world_load_resource(w, p);
      LilvState *st = lilv_state_new_from_world(w, th_map(h), p);
      assert_non_null(st);
      const char *label = lilv_state_get_label(st);
      assert_non_null(label);
      lilv_state_restore(st, th_instance(h), set_value, h, 0, NULL);
      for (size_t e = 0; e < 3; e++) {
        if (strcmp(label, expected[e].label))
          continue;
        seen |= 1 << e;
        assert_float_equal(th_control(h, "response"), expected[e].response, 1e-6);
        assert_float_equal(th_control(h, "gate"), expected[e].gate, 1e-6);
        assert_float_equal(th_control(h, "hold"), expected[e].hold, 1e-6);
      }
      lilv_state_free(st);
    }
    assert_int_equal(seen, 7);
    lilv_nodes_free(presets);
    lilv_node_free(pset);
    th_close(h);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_presets_restore),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
