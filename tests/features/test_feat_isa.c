/* test_feat_isa.c: every instruction set's frame banks (evx_feat_simd.h:
 * window, FFT, power, mel, chroma, DCT) give the same bits as the portable
 * one, so features do not depend on the CPU. Frames: a talker, noise,
 * silence, the loudest allowed input, tiny values and a lone impulse. */
#include "test_util.h"

#include "evx_feat_frame.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>

static evx_feat_tables tables;

/* Frame kind k into x (EVX_FRAME samples). */
static void make_frame(unsigned k, uint64_t *rng, float *x)
{
  for (unsigned i = 0; i < EVX_FRAME; i++) {
    const double noise = tu_gauss(rng);
    switch (k) {
    case 0: x[i] = tu_talker(i + 3000u, 16000.0, 140.0, 0.3); break;
    case 1: x[i] = (float)(0.1 * noise); break;
    case 2: x[i] = 0.0f; break;
    case 3: x[i] = noise > 0 ? 1e6f : -1e6f; break;
    case 4: x[i] = (float)(1e-25 * noise); break;
    default: x[i] = i == 123 ? 1.0f : 0.0f; break;
    }
  }
}

/* The frame's 98 features and the banks' raw outputs with banks fn. */
static void run(evx_feat_banks_fn fn, const float *x, float *out, float *raw)
{
  double *in = fftw_malloc(sizeof(double) * EVX_FRAME);
  fftw_complex *spec = fftw_malloc(sizeof(fftw_complex) * EVX_NBINS);
  float power[EVX_NBINS] __attribute__((aligned(16)));
  evx_feat_frame f = { .banks = fn, .t = &tables, .fft_in = in, .fft_out = spec,
                       .power = power };
  f.plan = evx_feat_frame_plan(in, spec);
  assert_non_null(f.plan);
  evx_feat_frame_compute(&f, x, out);
  fn(&f, x, raw, raw + EVX_N_MEL, raw + EVX_N_MEL + EVX_CHROMA_LANES,
     raw + EVX_N_MEL + EVX_CHROMA_LANES + EVX_MFCC_LANES);
  fftw_destroy_plan(f.plan);
  fftw_free(spec);
  fftw_free(in);
}

static void test_same_bits(void **state)
{
  (void)state;
  assert_int_equal(evx_feat_tables_build(&tables, 0), 0);
  evx_feat_banks_fn generic = evx_feat_banks_named("generic");
  assert_non_null(generic);
  assert_ptr_equal(evx_feat_banks_named("no-such-isa"), NULL);
  const char *isas[] = { "avx2" };
  unsigned compared = 0;
  uint64_t rng = 19;
  for (unsigned i = 0; i < sizeof isas / sizeof isas[0]; i++) {
    evx_feat_banks_fn fn = evx_feat_banks_named(isas[i]);
    if (!fn) {
      print_message("no %s on this CPU: not compared\n", isas[i]);
      continue;
    }
    for (unsigned k = 0; k < 6; k++) {
      float x[EVX_FRAME], a[EVX_NFEAT], b[EVX_NFEAT];
      float ra[EVX_N_MEL + EVX_CHROMA_LANES + EVX_MFCC_LANES + 2];
      float rb[EVX_N_MEL + EVX_CHROMA_LANES + EVX_MFCC_LANES + 2];
      make_frame(k, &rng, x);
      run(generic, x, a, ra);
      run(fn, x, b, rb);
      for (unsigned j = 0; j < EVX_NFEAT; j++) assert_true(isfinite(a[j]));
      assert_memory_equal(a, b, sizeof a);
      assert_memory_equal(ra, rb, sizeof ra);
      compared++;
    }
  }
  print_message("%u frames compared bit for bit\n", compared);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_same_bits) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
