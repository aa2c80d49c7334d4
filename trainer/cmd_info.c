/* cmd_info.c: 'emovox info BUNDLE': what a .emvx holds (feature
 * configuration, labels, normalisation, layers with shapes and parameters)
 * and what running it costs (arena bytes, FLOPs). Exit 1 on a broken bundle. */
#include "cli.h"
#include "cmd.h"
#include "evx_nn_internal.h" /* evx_layer_name */
#include "learn/hash.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_net.h"
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *input_name(uint32_t k)
{
  return k == EVX_INPUT_SUMMARY ? "summary (window mean of 98 features)"
       : k == EVX_INPUT_LOGMEL ? "logmel (64 mel bands x frames, dB)"
       : k == EVX_INPUT_SUMMARY_STATS ? "summary_stats (window mean and std)"
       : k == EVX_INPUT_LOG_STATS ? "log_stats (window mean and std, rms and mel in dB)"
       : k == EVX_INPUT_VOICED_STATS ? "voiced_stats (log_stats and mean |delta| over voiced frames)"
       : k == EVX_INPUT_FRAMES ? "frames (98 features x frames, rms and mel in dB)"
       : "?";
}

static uint64_t layer_params(const evx_layer *l)
{
  switch (l->type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D: case EVX_LAYER_DENSE:
    return (uint64_t)l->out_ch * l->in.c * l->kh * l->kw + l->out_ch;
  case EVX_LAYER_BATCHNORM: return 2ull * l->in.c;
  default: return 0;
  }
}

static void print_layer(uint32_t i, const evx_layer *l)
{
  char hyper[96] = "";
  switch (l->type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D: case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D:
    snprintf(hyper, sizeof hyper, "k %ux%u s %ux%u p %ux%u", l->kh, l->kw, l->sh, l->sw, l->ph, l->pw);
    break;
  case EVX_LAYER_DROPOUT: snprintf(hyper, sizeof hyper, "rate %g", (double)l->rate); break;
  case EVX_LAYER_BATCHNORM: snprintf(hyper, sizeof hyper, "eps %g", (double)l->eps); break;
  default: break;
  }
  printf("  %2u %-10s %-22s {%u,%u,%u} -> {%u,%u,%u}  params %" PRIu64 "\n", i,
         evx_layer_name(l->type), hyper, l->in.c, l->in.h, l->in.w, l->out.c, l->out.h, l->out.w,
         layer_params(l));
}

/* Everything about one network. */
static void print_network(const evx_model *m)
{
  const evx_feature_config *c = &m->cfg;
  printf("features: %u Hz, frame %u, hop %u, feature set %u\n", c->sample_rate, c->frame_len,
         c->hop, c->feature_set);
  printf("input: %s {%u,%u,%u}; window %u frames (%.2f s), update every %u frames\n",
         input_name(c->input_kind), m->input.c, m->input.h, m->input.w, c->window_frames,
         c->window_frames * (double)c->hop / c->sample_rate, c->update_frames);
  printf("labels (%u):", m->n_labels);
  for (uint32_t i = 0; i < m->n_labels; i++) printf(" %s", m->labels[i]);
  printf("\n");
  if (m->norm.len)
    printf("normalisation: per index along axis %c (%u values)%s\n", "chw"[m->norm.axis],
           m->norm.len, m->norm.window_mean ? ", after subtracting the window's own mean" : "");
  else
    printf("normalisation: none\n");
  if (m->adapt.len)
    printf("speaker adaptation: running statistics of %u values, prior %g windows, "
           "memory %g windows (format v2)\n", m->adapt.len, (double)m->adapt.prior,
           (double)m->adapt.memory);
  else
    printf("speaker adaptation: none\n");
  printf("layers (%u):\n", m->n_layers);
  for (uint32_t i = 0; i < m->n_layers; i++) print_layer(i, &m->layers[i]);
  printf("parameters: %" PRIu64 "\n", evx_model_params(m));
  printf("arena: %zu bytes\n", evx_net_size(m));
  printf("flops per inference: %" PRIu64 "\n", evx_model_flops(m));
}

/* FNV-1a of m's bytes without its provenance: the same for the same
 * networks, whoever trained them with whatever command line. */
static int network_hash(const evx_model *m, uint64_t *h)
{
  evx_model copy = *m;
  void *buf = NULL;
  size_t len;
  char err[256];
  copy.provenance = NULL;
  if (evx_bundle_serialize(&copy, &buf, &len, err, sizeof err))
    return -1;
  *h = tr_fnv1a64(TR_FNV_OFFSET, buf, len);
  free(buf);
  return 0;
}

int tr_cmd_info(int argc, char **argv)
{
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf("usage: emovox info BUNDLE.emvx\n"
           "  the bundle's configuration, layers, parameters and FLOPs, and how it was\n"
           "  trained (command, data, speakers of each side, seed, revision) when it\n"
           "  records that (format v4: bundles written by train and fuse)\n");
    return 0;
  }
  if (argc < 2)
    return tr_usage_error("info", "no bundle given (emovox info BUNDLE.emvx)");
  if (argc > 2)
    return tr_usage_error("info", "one bundle at a time (%d given)", argc - 1);
  if (argv[1][0] == '-')
    return tr_usage_error("info", "unknown option '%s'", argv[1]);
  char err[512];
  evx_model *m = NULL;
  if (evx_bundle_load(argv[1], &m, err, sizeof err)) {
    fprintf(stderr, "emovox: info: %s\n", err);
    return 1;
  }
  uint32_t n = evx_model_members(m);
  printf("bundle: %s\n", argv[1]);
  if (n > 1)
    printf("ensemble of %u networks (format v3): the probabilities are averaged\n", n);
  uint32_t k = 0;
  for (const evx_model *o = m; o; o = o->next, k++) {
    if (n > 1)
      printf("\n-- network %u of %u\n", k + 1, n);
    print_network(o);
  }
  if (n > 1)
    printf("\nensemble: %" PRIu64 " parameters, %" PRIu64 " flops per inference\n",
           evx_ensemble_params(m), evx_ensemble_flops(m));
  uint64_t h;
  if (network_hash(m, &h) == 0)
    printf("\nnetworks: fnv1a64 %016" PRIx64 " (the bundle without its provenance: two "
           "bundles with the same weights share it)\n", h);
  if (m->provenance)
    printf("\nprovenance (format v4):\n%s%s", m->provenance,
           m->provenance[strlen(m->provenance) - 1] == '\n' ? "" : "\n");
  else
    printf("\nprovenance: none recorded (written before format v4, or not by emovox train/fuse)\n");
  evx_model_free(m);
  return 0;
}
