/* nn.c: microseconds per inference of the engine for every architecture a
 * bundle can describe, next to PyTorch 1.13 running the same bundle
 * (bench/nn_torch.py via tests/nn/torch_ref.py: one thread, no_grad, eval,
 * warmed up) measured in the same run; prints the ratio torch / engine
 * (> 1: the engine is faster). The networks:
 *   seed, logmel   the model zoo's (evx_nn_zoo.c);
 *   mlp            `emovox train --arch mlp` as it defaults (log_stats,
 *                  128, 64);
 *   mlp-ens3       `--arch mlp --input voiced --channels 256 --ensemble 3`:
 *                  three members merged into one 768-unit network;
 *   tcn-bn         `--arch tcn --batchnorm on` (98 x 300 frames, 64,64,64;
 *                  BatchNorm folded by the bundle writer, as shipped);
 *   default        the shipped models/default.emvx: a fused bundle whose
 *                  networks both peers run one after the other on every
 *                  window, averaging their probabilities.
 * The trainer's architectures get random weights (tl_graph_init_params,
 * random BatchNorm statistics) and are written to a bundle and read back,
 * so both peers load the very same file. Best of 5 timed runs (CPU time
 * of the timing thread), taken before and after PyTorch's. Also prints the shipped model's share of
 * its 0.5 s update interval and the instruction set the engine's kernels
 * were picked for (evx_nn_kernels.h). */
#include "evx_bundle.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_kernels.h"
#include "learn/export.h"
#include "learn/prep.h"
#include "learn/rng.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* CPU seconds of this thread: time the scheduler gives other processes on
 * a shared machine counts for neither peer (torch_ref.py times its thread
 * the same way). */
static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One inference of the whole chain from m: each network on its own input,
 * then the mean of their probabilities, as the engine publishes it. */
typedef struct {
  uint32_t n;
  evx_net *net[EVX_MAX_MEMBERS];
  void *mem[EVX_MAX_MEMBERS];
  float *x[EVX_MAX_MEMBERS];
  uint32_t labels;
} chain;

static void chain_init(chain *c, const evx_model *m)
{
  memset(c, 0, sizeof *c);
  c->labels = m->n_labels;
  for (; m && c->n < EVX_MAX_MEMBERS; m = m->next, c->n++) {
    size_t sz = evx_net_size(m), n = (size_t)m->input.c * m->input.h * m->input.w;
    c->mem[c->n] = malloc(sz);
    c->net[c->n] = evx_net_init(c->mem[c->n], sz, m);
    c->x[c->n] = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) c->x[c->n][i] = (float)((i * 7919) % 113) * 0.5f - 60.0f;
  }
}

static void chain_forward(chain *c, float *mean)
{
  float p[EVX_MAX_LABELS];
  memset(mean, 0, c->labels * sizeof *mean);
  for (uint32_t k = 0; k < c->n; k++) {
    evx_net_forward(c->net[k], c->x[k], p);
    for (uint32_t j = 0; j < c->labels; j++) mean[j] += p[j];
  }
  for (uint32_t j = 0; j < c->labels; j++) mean[j] /= (float)c->n;
}

static void chain_free(chain *c)
{
  for (uint32_t k = 0; k < c->n; k++) {
    free(c->mem[k]);
    free(c->x[k]);
  }
}

static double engine_us(const evx_model *m)
{
  chain c;
  float p[EVX_MAX_LABELS];
  chain_init(&c, m);
  for (int i = 0; i < 100; i++) chain_forward(&c, p);
  double best = 1e30;
  for (int r = 0; r < 5; r++) {
    int iters = 1000;
    double t0 = now();
    for (int i = 0; i < iters; i++) chain_forward(&c, p);
    double us = (now() - t0) / iters * 1e6;
    if (us < best) best = us;
  }
  chain_free(&c);
  return best;
}

/* PyTorch on the bundle at path (every network of an ensemble, averaged);
 * -1 when unavailable. */
static double torch_us(const char *bundle)
{
  const char *py = getenv("EVX_PYTHON") ? getenv("EVX_PYTHON") : "/usr/bin/python3";
  char cmd[2048], line[256];
  int len = snprintf(cmd, sizeof cmd, "'%s' '%s/bench/nn_torch.py' '%s'", py, EVX_SOURCE_DIR,
                     bundle);
  if (len < 0 || (size_t)len >= sizeof cmd)
    return -1;
  FILE *f = popen(cmd, "r");
  double us = -1;
  while (f && fgets(line, sizeof line, f)) sscanf(line, "us_per_inference %lf", &us);
  if (f) pclose(f);
  return us;
}

/* The engine is timed before and after PyTorch and the better kept, as
 * PyTorch keeps its best of 5: load from other jobs that comes and goes
 * during the run then favours neither. */
static double bench(const char *name, const char *path, uint32_t *update_frames)
{
  evx_model *m = NULL;
  char err[512];
  if (evx_bundle_load(path, &m, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", name, err);
    exit(1);
  }
  double e = engine_us(m), t = torch_us(path), e2 = engine_us(m);
  if (e2 < e) e = e2;
  unsigned long long flops = (unsigned long long)evx_ensemble_flops(m);
  printf("%-10s %9llu flops  engine %8.2f us  ", name, flops, e);
  if (t > 0) printf("torch %8.2f us  ratio torch/engine %.2f\n", t, t / e);
  else printf("torch unavailable (python3-torch missing or failed)\n");
  if (t > 0)
    printf("RESULT nn model=%s flops=%llu engine_us=%.3f torch_us=%.3f ratio=%.3f\n", name,
           flops, e, t, t / e);
  else
    printf("RESULT nn model=%s flops=%llu engine_us=%.3f torch_us=NA ratio=NA\n", name, flops, e);
  fflush(stdout);
  *update_frames = m->cfg.update_frames;
  evx_model_free(m);
  return e;
}

static void write_or_die(const evx_model *m, const char *path)
{
  char err[512];
  if (!m || evx_bundle_write(m, path, err, sizeof err)) {
    fprintf(stderr, "bench_nn: cannot write %s: %s\n", path, m ? err : "no model");
    exit(1);
  }
}

/* A `emovox train` architecture with random weights, its normalisation
 * fitted on random rows and (with bn) random BatchNorm statistics, written
 * to path; the writer folds the BatchNorm into the conv before it. */
static void write_arch(const char *path, tl_arch_opts ao, uint32_t kind)
{
  evx_feature_config cfg = evx_feature_config_default(kind);
  evx_shape in = evx_input_shape(&cfg);
  tl_graph g;
  char err[512];
  if (tl_arch_build(&ao, in, 8, &g, err, sizeof err)) {
    fprintf(stderr, "bench_nn: %s\n", err);
    exit(1);
  }
  float *params = malloc(g.n_params * sizeof *params);
  uint64_t rng = 7;
  tl_graph_init_params(&g, params, &rng);
  for (uint32_t i = 0; i < g.n_layers; i++) {
    const tl_layer *l = &g.layers[i];
    if (l->type != EVX_LAYER_BATCHNORM) continue;
    for (size_t c = 0; c < l->n_w; c++) {
      params[l->w_off + c] = 0.5f + tl_rng_uniform(&rng);
      params[l->b_off + c] = 0.4f * tl_rng_uniform(&rng) - 0.2f;
      params[l->s_off + c] = tl_rng_uniform(&rng) - 0.5f;
      params[l->s_off + l->n_w + c] = 0.5f + 1.5f * tl_rng_uniform(&rng);
    }
  }
  size_t rows = 16, dim = tl_shape_len(in);
  float *x = malloc(rows * dim * sizeof *x);
  for (size_t i = 0; i < rows * dim; i++) x[i] = 20.0f * tl_rng_uniform(&rng) - 10.0f;
  tl_prep prep = { 0 };   /* no adaptation: normalisation only */
  evx_model m;
  if (tl_norm_fit_input(&prep.norm, &cfg, x, rows) ||
      tl_export(&g, params, &cfg, &prep, &m, err, sizeof err)) {
    fprintf(stderr, "bench_nn: %s\n", err);
    exit(1);
  }
  write_or_die(&m, path);
  tl_prep_free(&prep);
  free(x);
  free(params);
}

int main(void)
{
  printf("engine kernels: %s\n", evx_nn_isa()->name);
  printf("RESULT nn_isa isa=%s\n", evx_nn_isa()->name);
  char dir[] = "/tmp/evx-bench-nn-XXXXXX", path[6][4096];
  if (!mkdtemp(dir)) {
    perror("bench_nn: mkdtemp");
    return 1;
  }
  const char *names[6] = { "seed", "logmel", "mlp", "mlp-ens3", "tcn-bn", "default" };
  for (int i = 0; i < 5; i++) snprintf(path[i], sizeof path[i], "%s/%s.emvx", dir, names[i]);
  snprintf(path[5], sizeof path[5], "%s/models/default.emvx", EVX_SOURCE_DIR);

  evx_model *seed = evx_model_make_seed(NULL, 8, 1), *cnn = evx_model_make_logmel_cnn(NULL, 8, 2);
  write_or_die(seed, path[0]);
  write_or_die(cnn, path[1]);
  evx_model_free(seed);
  evx_model_free(cnn);
  write_arch(path[2], tl_arch_defaults(TL_ARCH_MLP), EVX_INPUT_LOG_STATS);
  tl_arch_opts ens = tl_arch_defaults(TL_ARCH_MLP);
  ens.channels[0] = 3 * 256; /* tl_merge_ensemble's shape: the members side by side */
  ens.n_channels = 1;
  ens.dropout = 0.3f;
  write_arch(path[3], ens, EVX_INPUT_VOICED_STATS);
  tl_arch_opts tcn = tl_arch_defaults(TL_ARCH_TCN);
  tcn.batchnorm = 1;
  write_arch(path[4], tcn, EVX_INPUT_FRAMES);

  double us = 0;
  uint32_t update = 0;
  for (int i = 0; i < 6; i++) us = bench(names[i], path[i], &update);
  for (int i = 0; i < 5; i++) unlink(path[i]);
  rmdir(dir);

  double interval_us = 1e6 * update * 160.0 / 16000.0;
  printf("default: one inference is %.4f%% of its %.0f ms update interval (budget 1%%)\n",
         100.0 * us / interval_us, interval_us / 1000.0);
  printf("RESULT nn_budget model=default engine_us=%.3f interval_us=%.0f pct=%.5f\n", us,
         interval_us, 100.0 * us / interval_us);
  return 0;
}
