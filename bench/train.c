/* bench/train.c: seconds per training epoch of emovox's engine next to
 * PyTorch 1.13 training the same architecture (bench/train_torch.py), same
 * batch (32), optimiser (Adam), threads (2), on synthetic rows of the shape
 * and count of the real data (seed: 7820 summaries of 98; logmel: 2000
 * windows of 64 x 200), and the two networks of the shipped model as
 * `emovox train` makes them: one member of the window-statistics MLP
 * (`--arch mlp --input voiced --channels 256 --dropout 0.3`: 7820 rows of
 * 294, one hidden layer of 256; `--ensemble 3` trains three such members
 * one after the other) and the temporal network with BatchNorm
 * (`--arch tcn --batchnorm on`: 1000 windows of 98 features x 300 frames,
 * Conv1D 64,64,64, each followed by BatchNorm). Prints each peer's fastest
 * of TIMED_EPOCHS epochs and the ratio torch / emovox (> 1: we are faster).
 * usage: bench_train [seed|logmel|mlp|tcn|all] */
#include "learn/export.h"
#include "learn/train_loop.h"
#include "learn/rng.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EVX_SOURCE_DIR
#define EVX_SOURCE_DIR "."
#endif

/* Timed epochs per peer, after one warm-up epoch. Each peer's figure is its
 * fastest timed epoch: on a shared 2-core machine an epoch that another
 * process interrupts (or that makes OpenMP threads spin) says nothing about
 * the code, and PyTorch's mean swung 2.3..8.7 s from run to run. */
#define TIMED_EPOCHS 3

/* Seconds of the fastest timed epoch. */
static double ours(int arch, size_t rows, uint32_t frames)
{
  evx_shape in = arch == TL_ARCH_SEED ? (evx_shape){ 1, 1, 98 }
               : arch == TL_ARCH_MLP ? (evx_shape){ 1, 1, 294 }
               : arch == TL_ARCH_TCN ? (evx_shape){ 98, 1, frames }
                                     : (evx_shape){ 1, 64, frames };
  tl_arch_opts ao = tl_arch_defaults(arch);
  if (arch == TL_ARCH_MLP) { /* one member of the shipped MLP */
    ao.channels[0] = 256;
    ao.n_channels = 1;
    ao.dropout = 0.3f;
  }
  if (arch == TL_ARCH_TCN) /* the shipped temporal network */
    ao.batchnorm = 1;
  tl_graph g;
  char err[256];
  if (tl_arch_build(&ao, in, 8, &g, err, sizeof err)) {
    fprintf(stderr, "bench_train: %s\n", err);
    return -1;
  }
  size_t dim = tl_shape_len(in);
  float *x = malloc(sizeof(float) * rows * dim);
  int *y = malloc(sizeof(int) * rows);
  uint64_t r = 1;
  for (size_t i = 0; i < rows * dim; i++)
    x[i] = 2.0f * tl_rng_uniform(&r) - 1.0f;
  for (size_t i = 0; i < rows; i++)
    y[i] = (int)tl_rng_below(&r, 8);
  tl_set tr = { rows, (uint32_t)dim, x, y, NULL, NULL }, va = { 32, (uint32_t)dim, x, y, NULL, NULL };
  tl_train_opts o = tl_train_defaults();
  o.epochs = 1 + TIMED_EPOCHS;
  o.quiet = 1;
  o.patience = 0;
  tl_state st;
  double s = -1;
  if (tl_train(&g, &tr, &va, &o, &st, err, sizeof err) == 0) {
    s = st.hist[1].seconds;
    for (int e = 2; e <= TIMED_EPOCHS && e < st.epoch; e++)
      if (st.hist[e].seconds < s)
        s = st.hist[e].seconds;
  } else
    fprintf(stderr, "bench_train: %s\n", err);
  tl_state_free(&st);
  free(x);
  free(y);
  return s;
}

static double torch(const char *arch, size_t rows, uint32_t frames)
{
  const char *py = getenv("EVX_PYTHON") ? getenv("EVX_PYTHON") : "/usr/bin/python3";
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s/bench/train_torch.py --arch %s --rows %zu --frames %u "
           "--batch 32 --threads 2 --epochs %d", py, EVX_SOURCE_DIR, arch, rows, frames,
           TIMED_EPOCHS);
  FILE *p = popen(cmd, "r");
  double s = -1;
  if (p) {
    if (fscanf(p, "seconds_per_epoch %lf", &s) != 1)
      s = -1;
    pclose(p);
  }
  return s;
}

int main(int argc, char **argv)
{
  const char *which = argc > 1 ? argv[1] : "all";
  struct { const char *name; int arch; size_t rows; uint32_t frames; } runs[] = {
    { "seed", TL_ARCH_SEED, 7820, 200 }, { "logmel", TL_ARCH_LOGMEL, 2000, 200 },
    { "mlp", TL_ARCH_MLP, 7820, 200 }, { "tcn", TL_ARCH_TCN, 1000, 300 } };
  printf("training, seconds per epoch (synthetic rows, batch 32, Adam, 2 threads)\n");
  for (int i = 0; i < 4; i++) {
    if (strcmp(which, "all") && strcmp(which, runs[i].name))
      continue;
    double a = ours(runs[i].arch, runs[i].rows, runs[i].frames);
    double b = torch(runs[i].name, runs[i].rows, runs[i].frames);
    printf("%-7s %5zu rows: emovox %.3f s  torch %.3f s  ratio torch/emovox %.2f\n",
           runs[i].name, runs[i].rows, a, b, a > 0 && b > 0 ? b / a : 0.0);
    char bs[32] = "NA", rs[32] = "NA", as[32] = "NA";
    if (a > 0) snprintf(as, sizeof as, "%.4f", a);
    if (b > 0) snprintf(bs, sizeof bs, "%.4f", b);
    if (a > 0 && b > 0) snprintf(rs, sizeof rs, "%.3f", b / a);
    printf("RESULT train arch=%s rows=%zu threads=2 emovox_s=%s torch_s=%s ratio=%s\n",
           runs[i].name, runs[i].rows, as, bs, rs);
    fflush(stdout);
  }
  return 0;
}
