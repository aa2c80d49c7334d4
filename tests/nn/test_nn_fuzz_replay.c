/* Replays every file of tests/nn/fuzz-corpus/ (inputs kept from fuzzing
 * bench/fuzz_bundle.sh) through the reader, with its CRC as is and made
 * right, and runs whatever parses: no crash, leak or bad read under ASan. */
#include "test_util.h"
#include "evx_bundle.h"
#include "evx_nn_net.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc32_ieee(const unsigned char *p, size_t n) /* independent of core */
{
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

static int replay(const unsigned char *d, size_t n)
{
  evx_model *m = NULL;
  char err[256];
  if (evx_bundle_parse(d, n, &m, err, sizeof err)) { assert_null(m); return 0; }
  if (evx_model_flops(m) < 20000000) {
    size_t sz = evx_net_size(m);
    void *mem = malloc(sz);
    evx_net *net = evx_net_init(mem, sz, m);
    assert_non_null(net);
    evx_shape s = evx_input_shape(&m->cfg);
    float *x = calloc((size_t)s.c * s.h * s.w, sizeof *x), p[EVX_MAX_LABELS];
    evx_net_forward(net, x, p);
    free(x);
    free(mem);
  }
  evx_model_free(m);
  return 1;
}

static void test_replay_corpus(void **state)
{
  (void)state;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/nn/fuzz-corpus", tu_source_root());
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  int files = 0, parsed = 0;
  for (struct dirent *e; (e = readdir(dp));) {
    if (e->d_name[0] == '.') continue;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    unsigned char *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    unsigned char *exact = malloc(n ? n : 1); /* exact size: ASan sees over-reads */
    memcpy(exact, buf, n);
    parsed += replay(exact, n);
    if (n >= 8) {
      uint32_t c = crc32_ieee(exact, n - 4);
      for (int k = 0; k < 4; k++) exact[n - 4 + k] = (unsigned char)(c >> (8 * k));
      parsed += replay(exact, n);
    }
    free(exact);
    free(buf);
    files++;
  }
  closedir(dp);
  print_message("replayed %d corpus files, %d parses succeeded\n", files, parsed);
  assert_true(files >= 10);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_replay_corpus) };
  return cmocka_run_group_tests_name("nn_fuzz_replay", tests, NULL, NULL);
}
