/* test_lv2apply.c: `lv2apply` (lilv-utils) renders a clip through
 * urn:emovox:render; the output file has one channel per emotion whose
 * held levels go through exactly the results `emovox analyze` lists for the
 * same file and controls (lv2apply runs one frame per call, the analyser
 * 512: the results are the same, only their moments differ). */
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-6f

static int same(const float *a, const float *b)
{
  for (int k = 0; k < EVX_N_EMOTIONS; k++)
    if (fabsf(a[k] - b[k]) > TOL)
      return 0;
  return 1;
}

static void test_render_matches_analyze(void **state)
{
  (void)state;
  PTU_REQUIRE_LV2APPLY();
  TU_REQUIRE_SHARED();
  const char *tmp = tu_tmpdir();
  /* LV2_PATH with only this bundle in it (a link to the built one) */
  char lv2dir[4200], in[4200], out[4200], cmd[16384];
  ptu_lv2_path(lv2dir, sizeof lv2dir);
  /* a float WAV input, so that lv2apply writes float output too */
  size_t n;
  float *x = ptu_clip(PTU_ANGRY_CLIP, 16000, &n);
  assert_non_null(x);
  snprintf(in, sizeof in, "%s/in.wav", tmp);
  snprintf(out, sizeof out, "%s/out.wav", tmp);
  assert_int_equal(tu_write_wav(in, x, n, 16000), 0);
  free(x);
  snprintf(cmd, sizeof cmd, "LV2_PATH='%s' lv2apply -c hold 0.5 -c response 0.25 -i '%s' "
           "-o '%s' urn:emovox:render", lv2dir, in, out);
  assert_int_equal(system(cmd), 0);

  SF_INFO info = { 0 };
  SNDFILE *f = sf_open(out, SFM_READ, &info);
  assert_non_null(f);
  assert_int_equal(info.channels, EVX_N_EMOTIONS);
  assert_int_equal((size_t)info.frames, n);
  float *y = malloc((size_t)info.frames * EVX_N_EMOTIONS * sizeof *y);
  assert_int_equal(sf_readf_float(f, y, info.frames), info.frames);
  sf_close(f);

  ptu_row *rows = NULL;
  int nr = ptu_analyze(in, "--hold 0.5 --response 0.25", &rows);
  assert_true(nr >= 2);
  /* the analyser's results, consecutive repeats dropped, after the initial
   * uniform state */
  float (*seq)[EVX_N_EMOTIONS] = malloc((size_t)(nr + 1) * sizeof *seq);
  int ns = 1;
  for (int k = 0; k < EVX_N_EMOTIONS; k++)
    seq[0][k] = 1.0f / EVX_N_EMOTIONS;
  for (int r = 0; r < nr; r++)
    if (!same(rows[r].probs, seq[ns - 1]))
      memcpy(seq[ns++], rows[r].probs, sizeof seq[0]);
  /* walk the rendered frames along that sequence */
  int at = 0;
  for (sf_count_t t = 0; t < info.frames; t++) {
    const float *p = y + t * EVX_N_EMOTIONS;
    double sum = 0;
    for (int k = 0; k < EVX_N_EMOTIONS; k++) {
      assert_true(isfinite(p[k]));
      sum += p[k];
    }
    assert_true(fabs(sum - 1.0) <= 1e-4);
    if (same(p, seq[at]))
      continue;
    if (at + 1 < ns && same(p, seq[at + 1])) {
      at++;
      continue;
    }
    print_message("frame %ld: rendered angry %.6f sad %.6f is not result %d of the analyser\n",
                  (long)t, p[EVX_ANGRY], p[EVX_SAD], at + 1);
    fail();
  }
  /* all results were rendered, but maybe the last (still being sliced when
   * the file ended) */
  assert_true(at >= ns - 2);
  print_message("rendered %d of the analyser's %d distinct results\n", at + 1, ns);
  free(seq);
  free(rows);
  free(y);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_render_matches_analyze),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
