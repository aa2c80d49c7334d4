/* Every fixture in tests/nn/fixtures/ (made by make_fixtures.py) is rejected
 * with its specific message, or, for the valid ones, loads and runs. Under
 * ASan this also shows that no broken file is read out of bounds or leaks. */
#include "test_util.h"
#include "evx_bundle.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_valid(const evx_model *m)
{
  if (m->next)
    run_valid(m->next); /* an ensemble: every member runs */
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  assert_non_null(net);
  evx_shape s = evx_input_shape(&m->cfg);
  size_t n = (size_t)s.c * s.h * s.w;
  float *x = calloc(n, sizeof *x), p[EVX_MAX_LABELS];
  evx_net_forward(net, x, p);
  float sum = 0;
  for (uint32_t i = 0; i < m->n_labels; i++) { assert_true(isfinite(p[i])); sum += p[i]; }
  assert_float_equal(sum, 1.0, 1e-5);
  free(x);
  free(mem);
}

static void test_every_fixture(void **state)
{
  (void)state;
  char dir[4096], list[4200], line[512];
  snprintf(dir, sizeof dir, "%s/tests/nn/fixtures", tu_source_root());
  snprintf(list, sizeof list, "%s/expected.txt", dir);
  FILE *f = fopen(list, "r");
  assert_non_null(f);
  int n = 0, n_valid = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    line[strcspn(line, "\n")] = 0;
    char *tab = strchr(line, '\t');
    assert_non_null(tab);
    *tab = 0;
    const char *want = tab + 1;
    char path[4700], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", dir, line);
    evx_model *m = NULL;
    int rc = evx_bundle_load(path, &m, err, sizeof err);
    if (!strcmp(want, "OK")) {
      if (rc) fail_msg("%s: expected to load, got: %s", line, err);
      run_valid(m);
      n_valid++;
      /* v4 carries its provenance text; older versions none */
      if (!strncmp(line, "valid_provenance", 16))
        assert_non_null(m->provenance && strstr(m->provenance, "command: emovox train"));
      else
        assert_null(m->provenance);
    } else {
      if (!rc) fail_msg("%s: accepted, expected \"%s\"", line, want);
      assert_null(m);
      if (!strstr(err, want)) fail_msg("%s: error \"%s\" lacks \"%s\"", line, err, want);
    }
    evx_model_free(m);
    n++;
  }
  fclose(f);
  assert_true(n >= 40);
  assert_int_equal(n_valid, 6);   /* 2 single, 2 ensembles (v3), 2 with provenance (v4) */
}

/* Every prefix of a valid bundle, a single network or an ensemble, is
 * rejected as truncated (bounds, not CRC, must catch it: the CRC sits at
 * the end). */
static void test_every_truncation(void **state)
{
  (void)state;
  evx_model *single = evx_model_make_logmel_cnn(NULL, 8, 3);
  evx_model *ens = evx_model_make_seed(NULL, 8, 1);
  ens->next = evx_model_make_seed(NULL, 8, 2);
  evx_model *models[2] = { single, ens };
  for (int i = 0; i < 2; i++) {
    void *buf;
    size_t len;
    char err[256];
    assert_int_equal(evx_bundle_serialize(models[i], &buf, &len, err, sizeof err), 0);
    for (size_t k = 0; k < len; k += (k < 512 ? 1 : 97)) {
      unsigned char *cut = malloc(k ? k : 1); /* exact size so ASan sees over-reads */
      memcpy(cut, buf, k);
      evx_model *r = NULL;
      assert_int_equal(evx_bundle_parse(cut, k, &r, err, sizeof err), -1);
      assert_non_null(strstr(err, "truncated"));
      free(cut);
    }
    free(buf);
    evx_model_free(models[i]);
  }
}

static void test_missing_file(void **state)
{
  (void)state;
  evx_model *m = (evx_model *)1;
  char err[256];
  assert_int_equal(evx_bundle_load("/nonexistent/x.emvx", &m, err, sizeof err), -1);
  assert_null(m);
  assert_non_null(strstr(err, "cannot open"));
  assert_int_equal(evx_bundle_parse(NULL, 0, &m, err, sizeof err), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_fixture), cmocka_unit_test(test_every_truncation),
    cmocka_unit_test(test_missing_file),
  };
  return cmocka_run_group_tests_name("bundle_broken", tests, NULL, NULL);
}
