/* nn.c: microseconds per inference of the engine for the seed architecture,
 * the log-mel CNN and the shipped models/default.emvx (with its share of
 * the 0.5 s update interval: the budget is 1%; an ensemble's networks are
 * timed one by one and summed, as the engine runs them), next to PyTorch
 * 1.13 on the same weights
 * (bench/nn_torch.py, one thread) measured in the same run; prints the
 * ratio torch / engine (> 1: the engine is faster). Best of 5 timed runs,
 * taken before and after PyTorch's. Prints the instruction set the
 * engine's kernels were picked for (evx_nn_kernels.h). */
#include "evx_bundle.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double net_us(const evx_model *m)
{
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net *net = evx_net_init(mem, sz, m);
  evx_shape s = evx_input_shape(&m->cfg);
  size_t n = (size_t)s.c * s.h * s.w;
  float *x = malloc(n * sizeof *x), p[EVX_MAX_LABELS];
  for (size_t i = 0; i < n; i++) x[i] = (float)((i * 7919) % 113) * 0.5f - 60.0f;
  for (int i = 0; i < 100; i++) evx_net_forward(net, x, p);
  double best = 1e30;
  for (int r = 0; r < 5; r++) {
    int iters = 1000;
    double t0 = now();
    for (int i = 0; i < iters; i++) evx_net_forward(net, x, p);
    double us = (now() - t0) / iters * 1e6;
    if (us < best) best = us;
  }
  free(x);
  free(mem);
  return best;
}

/* Every network of m's chain, one after the other. */
static double engine_us(const evx_model *m)
{
  double us = 0;
  for (; m; m = m->next)
    us += net_us(m);
  return us;
}

static double torch_us(const char *bundle)
{
  const char *py = getenv("EVX_PYTHON") ? getenv("EVX_PYTHON") : "/usr/bin/python3";
  char cmd[2048], line[256];
  snprintf(cmd, sizeof cmd, "'%s' '%s/bench/nn_torch.py' '%s'", py, EVX_SOURCE_DIR, bundle);
  FILE *f = popen(cmd, "r");
  double us = -1;
  while (f && fgets(line, sizeof line, f)) sscanf(line, "us_per_inference %lf", &us);
  if (f) pclose(f);
  return us;
}

/* PyTorch on each network of m's chain (written as a bundle of its own),
 * summed; -1 when unavailable. */
static double torch_chain_us(const char *name, const evx_model *m)
{
  double total = 0;
  for (; m; m = m->next) {
    char path[] = "/tmp/evx-bench-nn-XXXXXX", err[256];
    evx_model one = *m;
    one.next = NULL;
    int fd = mkstemp(path);
    if (fd < 0 || evx_bundle_write(&one, path, err, sizeof err)) {
      fprintf(stderr, "%s: cannot write bundle\n", name);
      exit(1);
    }
    close(fd);
    double t = torch_us(path);
    unlink(path);
    if (t < 0)
      return -1;
    total += t;
  }
  return total;
}

/* The engine is timed before and after PyTorch and the better kept, as
 * PyTorch keeps its best of 5: load from other jobs that comes and goes
 * during the run then favours neither. */
static void bench(const char *name, evx_model *m)
{
  double e = engine_us(m), t = torch_chain_us(name, m), e2 = engine_us(m);
  if (e2 < e) e = e2;
  printf("%-10s %9llu flops  engine %8.2f us  ", name, (unsigned long long)evx_ensemble_flops(m), e);
  if (t > 0) printf("torch %8.2f us  ratio torch/engine %.2f\n", t, t / e);
  else printf("torch unavailable (python3-torch not installed)\n");
  if (t > 0)
    printf("RESULT nn model=%s flops=%llu engine_us=%.3f torch_us=%.3f ratio=%.3f\n", name,
           (unsigned long long)evx_ensemble_flops(m), e, t, t / e);
  else
    printf("RESULT nn model=%s flops=%llu engine_us=%.3f torch_us=NA ratio=NA\n", name,
           (unsigned long long)evx_ensemble_flops(m), e);
}

int main(void)
{
  printf("engine kernels: %s\n", evx_nn_isa()->name);
  printf("RESULT nn_isa isa=%s\n", evx_nn_isa()->name);
  evx_model *seed = evx_model_make_seed(NULL, 8, 1), *cnn = evx_model_make_logmel_cnn(NULL, 8, 2);
  bench("seed", seed);
  bench("logmel", cnn);
  evx_model_free(seed);
  evx_model_free(cnn);
  char path[4096], err[512];
  evx_model *shipped = NULL;
  snprintf(path, sizeof path, "%s/models/default.emvx", EVX_SOURCE_DIR);
  if (evx_bundle_load(path, &shipped, err, sizeof err)) {
    fprintf(stderr, "shipped model: %s\n", err);
    return 1;
  }
  bench("default", shipped);
  double interval_us = 1e6 * shipped->cfg.update_frames * 160.0 / 16000.0;
  double us = engine_us(shipped);
  printf("default: one inference is %.4f%% of its %.0f ms update interval (budget 1%%)\n",
         100.0 * us / interval_us, interval_us / 1000.0);
  printf("RESULT nn_budget model=default engine_us=%.3f interval_us=%.0f pct=%.5f\n", us,
         interval_us, 100.0 * us / interval_us);
  evx_model_free(shipped);
  return 0;
}
