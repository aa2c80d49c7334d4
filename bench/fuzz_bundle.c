/* fuzz_bundle.c: libFuzzer harness for the .emvx reader. Each input is parsed
 * as is, then again with its CRC made right (so mutations reach the checks
 * behind the CRC); whatever parses is run through evx_net_init/forward and a
 * sliced run that must match forward bit for bit. Built by fuzz_bundle.sh. */
#include "evx_crc32.h"
#include "evx_bundle.h"
#include "evx_nn_net.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void run(const evx_model *m)
{
  if (evx_model_flops(m) > 1000000) return; /* keep executions fast */
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  if (!net) abort();
  evx_shape s = evx_input_shape(&m->cfg);
  size_t n = (size_t)s.c * s.h * s.w;
  float *x = malloc(n * sizeof *x), p[EVX_MAX_LABELS];
  for (size_t i = 0; i < n; i++) x[i] = (float)((i * 37) % 11) - 5.0f;
  evx_net_forward(net, x, p);
  evx_net_begin(net, x);
  while (!evx_net_step(net, 5000)) {}
  if (memcmp(p, evx_net_output(net), m->n_labels * sizeof *p)) abort();
  free(x);
  free(mem);
}

static void parse(const uint8_t *d, size_t n)
{
  evx_model *m = NULL;
  char err[256];
  if (evx_bundle_parse(d, n, &m, err, sizeof err) == 0)
    for (const evx_model *o = m; o; o = o->next) run(o); /* every network of an ensemble */
  evx_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
  parse(d, n);
  if (n >= 132) {
    uint8_t *c = malloc(n);
    memcpy(c, d, n);
    uint32_t crc = evx_crc32(0, c, n - 4);
    for (int i = 0; i < 4; i++) c[n - 4 + i] = (uint8_t)(crc >> (8 * i));
    parse(c, n);
    free(c);
  }
  return 0;
}
