/* bundle_eval.c: see bundle_eval.h. */
#include "bundle_eval.h"
#include "train_loop.h"
#include "evx_nn_net.h"
#include <stdlib.h>

typedef struct {
  const evx_model *m;
  const float *rows;
  size_t n, dim;
  int threads, failed;
  float *probs;
} ctx;

static void worker(void *p, int t)
{
  ctx *c = p;
  size_t size = evx_net_size(c->m);
  void *mem = malloc(size);
  evx_net *net = mem ? evx_net_init(mem, size, c->m) : NULL;
  if (!net) {
    c->failed = 1;
    free(mem);
    return;
  }
  size_t lo = c->n * (size_t)t / (size_t)c->threads, hi = c->n * (size_t)(t + 1) / (size_t)c->threads;
  for (size_t i = lo; i < hi; i++)
    evx_net_forward(net, c->rows + i * c->dim, c->probs + i * c->m->n_labels);
  free(mem);
}

int tl_bundle_predict(const evx_model *m, const float *rows, size_t n,
                      int threads, float *probs)
{
  evx_shape s = evx_input_shape(&m->cfg);
  ctx c = { m, rows, n, (size_t)s.c * s.h * s.w, threads < 1 ? 1 : threads, 0, probs };
  tl_parallel(c.threads, worker, &c);
  return c.failed ? -1 : 0;
}
