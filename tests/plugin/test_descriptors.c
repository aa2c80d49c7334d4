/* test_descriptors.c: the library's descriptors, called directly (no
 * lilv): the six URIs in order, then NULL; one instantiate picks the variant
 * from the descriptor's URI, which shows in the features each variant
 * requires (meter-midi and its stereo variant need urid:map, the others
 * run without any feature); a URI that is none of ours is refused. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "test_util.h"

#include <dlfcn.h>
#include <lv2/core/lv2.h>
#include <stdio.h>
#include <string.h>

static const LV2_Descriptor *(*descriptor_at)(uint32_t);

static int open_library(void **state)
{
  (void)state;
  char so[4200];
  snprintf(so, sizeof so, "%semovox.so", th_bundle_dir());
  void *lib = dlopen(so, RTLD_NOW | RTLD_NODELETE);
  if (!lib) {
    fprintf(stderr, "cannot open %s: %s\n", so, dlerror());
    return -1;
  }
  *(void **)&descriptor_at = dlsym(lib, "lv2_descriptor");
  return descriptor_at ? 0 : -1;
}

static const struct {
  const char *uri;
  int needs_map;
} expected[] = {
  { EMOVOX_URI_METER, 0 },        { EMOVOX_URI_METER_MIDI, 1 },
  { EMOVOX_URI_RENDER, 0 },       { EMOVOX_URI_METER_STEREO, 0 },
  { EMOVOX_URI_METER_MIDI_STEREO, 1 }, { EMOVOX_URI_RENDER_STEREO, 0 },
};
#define N_EXPECTED (sizeof expected / sizeof expected[0])

static void test_six_uris_in_order(void **state)
{
  (void)state;
  for (uint32_t i = 0; i < N_EXPECTED; i++) {
    const LV2_Descriptor *d = descriptor_at(i);
    assert_non_null(d);
    assert_string_equal(d->URI, expected[i].uri);
    assert_ptr_equal(d->instantiate, descriptor_at(0)->instantiate);
  }
  assert_null(descriptor_at(N_EXPECTED));
}

static void test_variant_from_uri(void **state)
{
  (void)state;
  const LV2_Feature *none[] = { NULL };
  for (uint32_t i = 0; i < N_EXPECTED; i++) {
    const LV2_Descriptor *d = descriptor_at(i);
    LV2_Handle h = d->instantiate(d, 48000.0, th_bundle_dir(), none);
    if (expected[i].needs_map) {
      assert_null(h);
    } else {
      assert_non_null(h);
      d->cleanup(h);
    }
  }
}

static void test_unknown_uri_refused(void **state)
{
  (void)state;
  const LV2_Feature *none[] = { NULL };
  LV2_Descriptor d = *descriptor_at(0);
  d.URI = "urn:emovox:meter-surround";
  assert_null(d.instantiate(&d, 48000.0, th_bundle_dir(), none));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_six_uris_in_order),
    cmocka_unit_test(test_variant_from_uri),
    cmocka_unit_test(test_unknown_uri_refused),
  };
  return cmocka_run_group_tests_name("plugin_descriptors", tests, open_library, NULL);
}
