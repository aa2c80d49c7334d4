/* test_parity.c: every frame of every golden reference (librosa 0.9.2)
 * within the tolerances of ../shared/golden/README.md, and the same
 * comparison failing for deliberately wrong definitions (it has teeth). */
#include "feat_test_util.h"
#include "test_util.h"

#include "evx_feat_variant.h"
#include "evx_features.h"

#include <stdio.h>
#include <stdlib.h>

/* Compare golden `name` with the extractor built as `variant`. Returns
 * -1 if the input or golden is missing. */
static int compare_golden(const char *name, unsigned variant, ft_report *r)
{
  char rel[512], path[4096];
  snprintf(rel, sizeof rel, "golden/%s.csv", name);
  float *ref = NULL, *ours = NULL, *x;
  size_t n_ref = 0, n_ours = 0, n = 0;
  double rate = 0;
  if (ft_load_golden(tu_shared_path(path, sizeof path, rel), &ref, &n_ref) != 0)
    return -1;
  x = ft_golden_input(name, &n, &rate);
  if (!x) {
    free(ref);
    return -1;
  }
  int rc = ft_extract(x, n, rate, variant, 4096, NULL, NULL, &ours, &n_ours);
  if (rc == 0)
    ft_compare(ours, n_ours, ref, n_ref, r);
  free(ours);
  free(ref);
  free(x);
  return rc;
}

static void test_every_golden_frame(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  double worst[FT_GROUPS] = { 0 }, worst_abs[FT_GROUPS] = { 0 };
  size_t frames = 0, failures = 0;
  for (int i = 0; ft_golden_names[i]; i++) {
    ft_report r;
    int rc = compare_golden(ft_golden_names[i], EVX_FX_V1, &r);
    if (rc != 0)
      fail_msg("%s: golden CSV or its input could not be read", ft_golden_names[i]);
    if (r.failures)
      print_error("%s: %zu values out of tolerance; first: %s\n", ft_golden_names[i],
                  r.failures, r.first);
    failures += r.failures;
    frames += r.frames_compared;
    for (int g = 0; g < FT_GROUPS; g++)
      if (r.worst[g] > worst[g])
        worst[g] = r.worst[g], worst_abs[g] = r.worst_abs[g];
  }
  print_message("parity over %zu frames: worst error / tolerance:\n", frames);
  for (int g = 0; g < FT_GROUPS; g++)
    print_message("  %-6s %.3g (abs error %.3g)\n", ft_group_name[g], worst[g], worst_abs[g]);
  assert_int_equal(failures, 0);
  assert_true(frames > 1000);
}

/* Each wrong definition must fail the comparison on the chirp (all
 * frequencies) and on a speech clip. */
static void assert_variant_fails(unsigned variant, int group)
{
  static const char *const names[] = { "chirp_50_7900", "03-01-05-02-01-01-05" };
  for (size_t i = 0; i < 2; i++) {
    ft_report r;
    assert_int_equal(compare_golden(names[i], variant, &r), 0);
    print_message("variant %u on %s: %zu failures, worst %s %.3g x tolerance\n", variant,
                  names[i], r.failures, ft_group_name[group], r.worst[group]);
    assert_true(r.failures > 0);
    assert_true(r.worst[group] > 1.0);
  }
}

static void test_htk_mel_fails(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  assert_variant_fails(EVX_FX_HTK_MEL, FT_MEL);
}

static void test_symmetric_hann_fails(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  assert_variant_fails(EVX_FX_SYMMETRIC_HANN, FT_MEL);
}

static void test_chroma_from_a_fails(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  assert_variant_fails(EVX_FX_CHROMA_BASE_A, FT_CHROMA);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_golden_frame),
    cmocka_unit_test(test_htk_mel_fails),
    cmocka_unit_test(test_symmetric_hann_fails),
    cmocka_unit_test(test_chroma_from_a_fails),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
