/* The engine against PyTorch 1.13 (tests/nn/torch_ref.py, which reads the
 * bundle with its own parser of the documented format): max |diff| <= 1e-5
 * on random inputs, for the seed architecture (a C-written bundle) and the
 * log-mel CNN with a batchnorm (a Python-written bundle, run as written and
 * after the C writer folded the batchnorm). Skips without python3-torch. */
#include "test_util.h"
#include "nn_ref.h"
#include "evx_bundle.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_INPUTS 16

static const char *python(void)
{
  const char *p = getenv("EVX_PYTHON");
  return p ? p : "/usr/bin/python3";
}

static int torch_script(const char *args)
{
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' '%s/tests/nn/torch_ref.py' %s", python(), tu_source_root(), args);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void require_torch(void)
{
  char cmd[512];
  snprintf(cmd, sizeof cmd, "'%s' -c 'import torch' >/dev/null 2>&1", python());
  if (system(cmd)) {
    print_message("[  SKIP    ] python3-torch not installed: torch parity skipped\n");
    skip();
  }
}

/* Random inputs written for Python; the engine's outputs compared with its. */
static void compare(const evx_model *m, const char *bundle, uint64_t seed, double lo, double hi)
{
  const char *dir = tu_tmpdir();
  char in_path[512], out_path[512], args[2048];
  snprintf(in_path, sizeof in_path, "%s/in-%llu.f32", dir, (unsigned long long)seed);
  snprintf(out_path, sizeof out_path, "%s/out-%llu.f32", dir, (unsigned long long)seed);
  evx_shape s = evx_input_shape(&m->cfg);
  size_t n = (size_t)s.c * s.h * s.w, L = m->n_labels;
  float *x = malloc(N_INPUTS * n * sizeof *x), *ref = malloc(N_INPUTS * L * sizeof *ref);
  uint64_t rng = seed;
  ref_fill(&rng, x, N_INPUTS * n, lo, hi);
  FILE *f = fopen(in_path, "wb");
  assert_int_equal(fwrite(x, sizeof *x, N_INPUTS * n, f), N_INPUTS * n);
  fclose(f);
  snprintf(args, sizeof args, "run '%s' '%s' '%s'", bundle, in_path, out_path);
  assert_int_equal(torch_script(args), 0);
  f = fopen(out_path, "rb");
  assert_non_null(f);
  assert_int_equal(fread(ref, sizeof *ref, N_INPUTS * L, f), N_INPUTS * L);
  fclose(f);
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  double worst = 0;
  for (size_t k = 0; k < N_INPUTS; k++) {
    float p[EVX_MAX_LABELS];
    evx_net_forward(net, x + k * n, p);
    for (size_t i = 0; i < L; i++) worst = fmax(worst, fabs(p[i] - ref[k * L + i]));
  }
  print_message("max |engine - torch| = %.3g (%s)\n", worst, bundle);
  assert_true(worst <= 1e-5);
  free(mem); free(x); free(ref);
}

static void test_seed_architecture(void **state)
{
  (void)state;
  require_torch();
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/seed.emvx", tu_tmpdir());
  evx_model *m = evx_model_make_seed(NULL, 8, 31);
  assert_int_equal(evx_bundle_write(m, path, err, sizeof err), 0);
  compare(m, path, 1, -2, 2);
  evx_model_free(m);
}

static void test_logmel_cnn_with_batchnorm(void **state)
{
  (void)state;
  require_torch();
  char path[512], folded[600], args[700], err[256];
  snprintf(path, sizeof path, "%s/logmel.emvx", tu_tmpdir());
  snprintf(args, sizeof args, "make-logmel '%s'", path);
  assert_int_equal(torch_script(args), 0);
  evx_model *m = NULL, *f = NULL;
  if (evx_bundle_load(path, &m, err, sizeof err)) fail_msg("%s", err);
  assert_int_equal(m->layers[1].type, EVX_LAYER_BATCHNORM);
  compare(m, path, 2, -100, 0); /* dB-like inputs */
  snprintf(folded, sizeof folded, "%s/logmel-folded.emvx", tu_tmpdir());
  assert_int_equal(evx_bundle_write(m, folded, err, sizeof err), 0);
  assert_int_equal(evx_bundle_load(folded, &f, err, sizeof err), 0);
  assert_int_equal(f->n_layers, m->n_layers - 1);
  compare(f, path, 3, -100, 0); /* the torch model keeps its batchnorm */
  evx_model_free(m);
  evx_model_free(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_architecture), cmocka_unit_test(test_logmel_cnn_with_batchnorm),
  };
  return cmocka_run_group_tests_name("nn_torch", tests, NULL, NULL);
}
