/* test_feat_tables.c: the mel bank's lane-interleaved rows
 * (evx_feat_tables.h) come in whole blocks of EVX_MEL_BLOCK, every lane reads
 * only bins of the spectrum (the banks load four powers at a time from a
 * lane's start), and each lane holds one unbroken run of its filter's
 * weights: for features v1 and every test variant. The chroma bank's split
 * covers every bin once: as a wide row (padding rows all 0) or in one run of
 * a band, whose row holds the bin's largest weight. */
#include "test_util.h"

#include "evx_feat_tables.h"

static evx_feat_tables tables;

static void check_mel_rows(unsigned variant)
{
  assert_int_equal(evx_feat_tables_build(&tables, variant), 0);
  for (unsigned g = 0; g < EVX_MEL_GROUPS; g++) {
    const unsigned r0 = tables.mel_row0[g], rows = tables.mel_row0[g + 1] - r0;
    assert_true(rows > 0 && rows % EVX_MEL_BLOCK == 0);
    for (unsigned j = 0; j < EVX_MEL_LANES; j++) {
      const int32_t start = tables.mel_start[g][j];
      assert_true(start >= 0 && (uint32_t)start + rows <= EVX_NBINS);
      unsigned first = rows, last = 0;
      for (unsigned s = 0; s < rows; s++)
        if (tables.mel_gw[r0 + s][j] != 0.0f) {
          first = s < first ? s : first;
          last = s;
        }
      assert_true(first < rows);  /* every filter has weights */
      for (unsigned s = first; s <= last; s++)
        assert_true(tables.mel_gw[r0 + s][j] > 0.0f);
    }
  }
}

static void test_mel_rows(void **state)
{
  (void)state;
  const unsigned variants[] = { EVX_FX_V1, EVX_FX_SYMMETRIC_HANN, EVX_FX_HTK_MEL,
                                EVX_FX_CHROMA_BASE_A };
  for (unsigned v = 0; v < sizeof variants / sizeof variants[0]; v++)
    check_mel_rows(variants[v]);
}

static void check_chroma_split(unsigned variant)
{
  assert_int_equal(evx_feat_tables_build(&tables, variant), 0);
  unsigned seen[EVX_NBINS] = { 0 }, nwide = tables.chroma_nwide, row = 0;
  assert_true(nwide % 4 == 0 && nwide <= EVX_NBINS + 3);
  for (unsigned i = 0; i < nwide; i++) {
    float sum = 0.0f;
    for (unsigned l = 0; l < EVX_CHROMA_LANES; l++) sum += tables.chroma_w[i][l];
    if (sum == 0.0f)  /* padding */
      continue;
    assert_true(tables.chroma_wide[i] < EVX_NBINS);
    seen[tables.chroma_wide[i]]++;
  }
  assert_int_equal(tables.chroma_run0[0], 0);
  for (unsigned b = 0; b < EVX_CHROMA_BANDS; b++)
    for (unsigned r = tables.chroma_run0[b]; r < tables.chroma_run0[b + 1]; r++) {
      const unsigned bin = tables.chroma_run_bin[r], len = tables.chroma_run_len[r];
      assert_true(len > 0 && bin + len <= EVX_NBINS);
      for (unsigned s = 0; s < len; s++, row++) {
        seen[bin + s]++;
        /* the band's middle four lanes hold the bin's peak: the lanes it
         * leaves out are at least two chroma from it */
        float inner = 0.0f, outer = 0.0f;
        for (unsigned l = 0; l < EVX_CHROMA_BAND; l++) {
          const float w = tables.chroma_bw[row][l];
          if (l >= 2 && l < 6)
            inner = w > inner ? w : inner;
          else
            outer = w > outer ? w : outer;
        }
        assert_true(inner > 0.0f && inner >= outer);
      }
    }
  for (unsigned k = 0; k < EVX_NBINS; k++)
    assert_int_equal(seen[k], 1);
  assert_true(nwide <= 20);  /* v1's bins above ~700 Hz are narrow */
}

static void test_chroma_split(void **state)
{
  (void)state;
  check_chroma_split(EVX_FX_V1);
  check_chroma_split(EVX_FX_CHROMA_BASE_A);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_mel_rows),
                                      cmocka_unit_test(test_chroma_split) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
