/* test_lilv_host.c: the three plugins, hosted through lilv from the built
 * bundle at several host rates and random block sizes, give at the end of
 * a clip what `emovox analyze` (the same engine, offline) gives for the
 * same samples; outputs stay finite and sum to 1; the meter passes audio
 * through bit-exact, in place or not; meter-midi's CCs follow its outputs.
 * EVX_LILV_HOST_QUICK=1 limits it to one rate (44.1 kHz, resampled) and one
 * clip: the mode plugin_lilv_host_valgrind runs under memcheck. */
#include "emovox_ext.h"
#include "lv2_host.h"
#include "plugin_test_util.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double rates[] = { 16000, 22050, 44100, 48000, 96000 };
static const char *const clips[] = { PTU_ANGRY_CLIP, PTU_SAD_CLIP };
#define MAX_BLOCK 2048u

/* Runs x through the plugin in random blocks; returns its final probs and
 * (meter-midi) the last value sent on each CC. */
static void host_clip(const char *uri, double rate, const float *x, size_t n, uint64_t seed,
                      float *final, int *cc_last)
{
  th_host *h = th_open(uri, rate, MAX_BLOCK, 1);
  assert_non_null(h);
  int render = !strcmp(uri, EMOVOX_URI_RENDER);
  float *io = malloc(MAX_BLOCK * sizeof *io);
  uint32_t k = 0;
  for (size_t i = 0; i < n; i += k) {
    k = 1 + (uint32_t)(tu_rand(&seed) % (tu_rand(&seed) % 4 ? 512 : MAX_BLOCK));
    if (k > n - i)
      k = (uint32_t)(n - i);
    int inplace = !render && (i / k) % 2;
    if (inplace) {
      memcpy(io, x + i, k * sizeof *io);
      th_run_inplace(h, io, k);
      assert_memory_equal(io, x + i, k * sizeof *io);
    } else {
      th_run(h, x + i, k);
      if (!render)
        assert_memory_equal(th_audio(h, "out"), x + i, k * sizeof *io);
    }
    float p[EVX_N_EMOTIONS];
    th_probs(h, k - 1, p);
    ptu_check_probs(p);
    int cc[32][2];
    int m = th_midi_ccs(h, cc, 32);
    for (int j = 0; j < m; j++)
      if (cc[j][0] >= EMOVOX_CC_FIRST && cc[j][0] <= EMOVOX_CC_DOMINANT)
        cc_last[cc[j][0] - EMOVOX_CC_FIRST] = cc[j][1];
  }
  th_probs(h, k - 1, final);
  if (!render) {
    float dom = th_control(h, "dominant"), conf = th_control(h, "confidence");
    assert_true(dom >= 0 && dom <= EVX_N_EMOTIONS && dom == floorf(dom));
    assert_true(conf >= 0 && conf <= 1);
    assert_true(fabsf(th_control(h, "arousal")) <= 1 && fabsf(th_control(h, "valence")) <= 1);
    if (cc_last[0] >= 0) {   /* meter-midi: the CCs follow the outputs */
      for (int e = 0; e < EVX_N_EMOTIONS; e++)
        assert_int_equal(cc_last[e], (int)lrintf(final[e] * 127.0f));
      assert_int_equal(cc_last[EVX_N_EMOTIONS], emovox_cc_dominant((unsigned)dom));
    }
  }
  free(io);
  th_close(h);
}

static void test_plugins_match_analyze(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  const char *uris[] = { EMOVOX_URI_METER, EMOVOX_URI_METER_MIDI, EMOVOX_URI_RENDER };
  uint64_t seed = 7;
  const char *quick = getenv("EVX_LILV_HOST_QUICK");
  int is_quick = quick && *quick && strcmp(quick, "0");
  size_t r0 = is_quick ? 2 : 0;   /* rates[2] = 44100 */
  size_t r1 = is_quick ? 3 : sizeof rates / sizeof rates[0];
  size_t nclips = is_quick ? 1 : 2;
  for (size_t r = r0; r < r1; r++) {
    float angry_vs_sad[2][2];   /* [clip][plugin 0 / analyze 1]: p(angry) - p(sad) */
    for (size_t c = 0; c < nclips; c++) {
      size_t n;
      float *x = ptu_clip(clips[c], rates[r], &n);
      assert_non_null(x);
      char wav[4200];
      snprintf(wav, sizeof wav, "%s/clip%zu_%.0f.wav", tu_tmpdir(), c, rates[r]);
      assert_int_equal(tu_write_wav(wav, x, n, (int)rates[r]), 0);
      ptu_row *rows = NULL;
      int nr = ptu_analyze(wav, NULL, &rows);
      assert_true(nr >= 2);
      for (size_t u = 0; u < 3; u++) {
        float p[EVX_N_EMOTIONS];
        int cc_last[EVX_N_EMOTIONS + 1];
        memset(cc_last, 0xff, sizeof cc_last);
        host_clip(uris[u], rates[r], x, n, seed++, p, cc_last);
        /* the last result, or the one before when the last inference was
         * still being sliced when the clip ended */
        int m = ptu_match_row(rows, nr, 2, p, 1e-4f);
        if (m < 0)
          print_message("%s at %.0f Hz, %s: no analyze row matches (angry %.5f, sad %.5f; "
                        "last row angry %.5f, sad %.5f)\n", uris[u], rates[r], clips[c],
                        p[EVX_ANGRY], p[EVX_SAD], rows[nr - 1].probs[EVX_ANGRY],
                        rows[nr - 1].probs[EVX_SAD]);
        assert_true(m >= 0);
        if (u == 0)
          angry_vs_sad[c][0] = p[EVX_ANGRY] - p[EVX_SAD];
        angry_vs_sad[c][1] = rows[m].probs[EVX_ANGRY] - rows[m].probs[EVX_SAD];
      }
      /* the ranking of angry against sad is the analyser's */
      assert_true((angry_vs_sad[c][0] > 0) == (angry_vs_sad[c][1] > 0));
      free(rows);
      free(x);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plugins_match_analyze),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
