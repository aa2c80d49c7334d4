/* test_feat_tables.c: the mel bank's lane-interleaved rows
 * (evx_feat_tables.h) come in whole blocks of EVX_MEL_BLOCK, every lane reads
 * only bins of the spectrum (the banks load four powers at a time from a
 * lane's start), and each lane holds one unbroken run of its filter's
 * weights: for features v1 and every test variant. */
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

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_mel_rows) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
