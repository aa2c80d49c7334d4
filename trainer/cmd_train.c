/* cmd_train.c: 'emovox train' — clips -> speaker-independent split ->
 * windows -> normalisation -> CNN training (checkpointed) -> bundle -> report
 * on the held-out side through the plugin's inference path. */
#include "cli.h"
#include "cmd.h"
#include "dataset.h"
#include "evx_bundle.h"
#include "evx_features.h"
#include "evx_labels.h"
#include "learn/bundle_eval.h"
#include "learn/data_args.h"
#include "learn/export.h"
#include "learn/norm.h"
#include "learn/speaker_adapt.h"
#include "learn/train_loop.h"
#include "provenance.h"
#include "tmpfiles.h"
#include "report.h"
#include "votes.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENSEMBLE 8   /* --ensemble K: at most this many members */

static const char usage_text[] =
  "usage: emovox train --data DIR|CSV [--data ...] --out BUNDLE.emvx [options]\n"
  "  --arch seed|logmel|mlp|tcn  seed: 1-D CNN on the 98-feature window summary\n"
  "                        (default); logmel: 2-D CNN on log-mel x time;\n"
  "                        mlp: dense layers on the window's log-domain mean and std;\n"
  "                        tcn: 1-D CNN over time on every frame's 98 features\n"
  "                        (Conv1D 5/5/3, MaxPool 3/2, mean over time)\n"
  "  --input summary|stats|logstats|voiced|prosody   input of seed/mlp: window\n"
  "                        mean (seed default), mean and std, mean and std with\n"
  "                        rms/mel in dB (mlp default), voiced: logstats plus mean\n"
  "                        frame-to-frame change, over the window's voiced frames\n"
  "                        only; prosody: voiced plus 13 statistics of F0 and voice\n"
  "                        quality (input kind 7, core/evx_nn.h)\n"
  "  --channels A,B[,C,D]  conv channels (seed 32,64; logmel 8,16,32; tcn 64,64,64)\n"
  "                        or mlp units (128,64)\n"
  "  --dropout R           dropout rate (0.25; mlp 0.5; tcn 0.3)\n"
  "  --batchnorm on|off    BatchNorm before every ReLU (off): statistics of\n"
  "                        ghost batches of 16 rows in training, running\n"
  "                        averages folded into the layer before it at export\n"
  "  --window S --hop S    analysis window and hop in seconds (2.0, 0.5)\n"
  "  --epochs N            at most N epochs (200)\n"
  "  --batch N             batch size (32)\n"
  "  --windows all|one     train every epoch on all of a clip's windows (default)\n"
  "                        or on one drawn at random per clip and augmented copy\n"
  "  --lr X                Adam learning rate (1e-3)\n"
  "  --lr-factor F --lr-patience N --min-lr X   ReduceLROnPlateau (0.5, 5, 1e-5)\n"
  "  --patience N          early stopping on validation loss (15; 0 = off)\n"
  "  --lr-schedule plateau|cosine   plateau: ReduceLROnPlateau on validation\n"
  "                        loss (default); cosine: from --lr down to 0 over\n"
  "                        --epochs, whatever validation says\n"
  "  --keep best|last      ship the best validation loss's epoch (default) or\n"
  "                        the last (no early stopping)\n"
  "  --class-weights balanced|none   loss weights (none)\n"
  "  --label-smoothing E   train towards 1 - E + E/k on the label and E/k on the\n"
  "                        other k - 1 classes (0: one-hot; 0..0.5)\n"
  "  --mixup A             mix each training row with a random row of its batch\n"
  "                        (weight l ~ Beta(A, A)) towards both labels (0: off; 0..1)\n"
  "  --balance speakers|corpus|sqrt|none   weight rows so every training\n"
  "                        speaker counts the same in the loss; corpus: every\n"
  "                        corpus the same, and within it every speaker; sqrt:\n"
  "                        a corpus weighs the square root of its speakers (none)\n"
  "  --noise-snr LO:HI     augment: white noise at an SNR (dB) drawn from LO..HI\n"
  "  --noise-type white|babble|mixed   the noise --noise-snr adds (white); babble:\n"
  "                        the babble-like noise of `emovox eval --noise babble`;\n"
  "                        mixed: either, drawn per augmented copy\n"
  "  --stretch LO:HI       augment: time stretch by a rate drawn from LO..HI\n"
  "  --pitch S             augment: pitch shift by -S..S semitones\n"
  "  --speed LO:HI         augment: speed (resampling: pitch, formants and tempo\n"
  "                        together, as another vocal tract) by LO..HI\n"
  "  --gain LO:HI          augment: level change in dB drawn from LO..HI\n"
  "  --channel-aug on|off  augment: a telephone band, a darker or a brighter\n"
  "                        microphone, one drawn per augmented copy (off)\n"
  "  --cremad-votes agree|all   agree: train only on the CREMA-D clips whose\n"
  "                        crowd vote from the voice alone includes their\n"
  "                        label (summaryTable.csv); held-out clips all stay (all)\n"
  "  --level absolute|relative   relative: each window is brought to one voiced\n"
  "                        level before the network sees it (feature set 2), so\n"
  "                        the recording level does not change the reading\n"
  "                        (absolute; relative needs an input in dB)\n"
  "  --aug-copies N        augmented copies per training clip (1 when any of the\n"
  "                        three is given), drawn deterministically from --seed\n"
  "  --adapt speaker|none   speaker adaptation (none): train on inputs normalised\n"
  "                        per speaker; the plugin normalises by the running\n"
  "                        statistics of the voice it hears (core/evx_adapt.h);\n"
  "                        not for --arch logmel; tcn: per feature over the\n"
  "                        voiced frames\n"
  "  --adapt-prior N --adapt-memory N   windows the population statistics weigh\n"
  "                        at the start (8) and the running statistics' memory (600)\n"
  "  --seed N              seed of initialisation, shuffling, dropout (1)\n"
  "  --ensemble K          train K members (seeds N..N+K-1, --arch mlp with one\n"
  "                        hidden layer) and ship their logit average as one\n"
  "                        network of K times the hidden units (1)\n"
  "  --report DIR          write report.json, report.md and plots\n"
  "  --checkpoint PATH     checkpoint file (BUNDLE.ckpt)\n"
  "  --resume              continue from the checkpoint\n"
  "  --quiet               no progress output\n";

enum balance { BALANCE_NONE = 0, BALANCE_SPEAKERS = 1, BALANCE_CORPUS = 2, BALANCE_SQRT = 3 };

typedef struct {
  tl_data_args data;
  tl_arch_opts arch;
  tl_train_opts train;
  double window_s, hop_s;
  uint32_t input_kind;        /* 0: the architecture's default */
  int balance_speakers;       /* enum balance */
  evx_augment_opts aug;
  unsigned aug_copies;
  uint32_t ensemble;          /* members (1: a single network) */
  int adapt;                  /* 1: speaker adaptation */
  int level;                  /* 1: feature set 2 (level-corrected windows) */
  int votes;                  /* 1: CREMA-D training clips only where the
                                 crowd's audio-only vote agrees */
  double adapt_prior, adapt_memory;
  const char *out, *report, *checkpoint;
} train_args;

/* "LO:HI" with lo <= hi inside [min, max]. */
static int range(const char *opt, const char *v, double min, double max,
                 double *lo, double *hi)
{
  char *end;
  double a = strtod(v, &end), b;
  if (end == v || *end != ':' || (b = strtod(end + 1, &end), *end) ||
      !(a >= min && b <= max && a <= b)) {
    evx_usage_error("train", "%s needs LO:HI inside %g..%g, not '%s'", opt, min, max, v);
    return -1;
  }
  *lo = a, *hi = b;
  return 0;
}

static int parse_channels(const char *v, tl_arch_opts *a)
{
  a->n_channels = 0;
  for (const char *p = v; *p;) {
    char *end;
    long c = strtol(p, &end, 10);
    if (end == p || c < 1 || c > 1024 || a->n_channels >= 4)
      return -1;
    a->channels[a->n_channels++] = (uint32_t)c;
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',')
      return -1;
  }
  return a->n_channels ? 0 : -1;
}

/* An option with two values, w1 or w2: *out = 1 when v is `on`. */
static int two_way(const char *opt, const char *v, const char *w1, const char *w2,
                   const char *on, int *out)
{
  if (strcmp(v, w1) && strcmp(v, w2)) {
    evx_usage_error("train", "%s is %s or %s, not '%s'", opt, w1, w2, v);
    return -1;
  }
  *out = !strcmp(v, on);
  return 0;
}

static int num(const char *opt, const char *v, double lo, double hi, double *out)
{
  if (evx_parse_number(v, lo, hi, out)) {
    evx_usage_error("train", "%s needs a number in %g..%g, not '%s'", opt, lo, hi, v ? v : "");
    return -1;
  }
  return 0;
}

/* Options of train that take a value (for a precise message when the value
 * is missing). */
static int known_with_value(const char *o)
{
  static const char *const with_value[] = { "--out", "--report", "--checkpoint", "--channels",
    "--arch", "--class-weights", "--balance", "--input", "--adapt", "--adapt-prior",
    "--adapt-memory", "--noise-snr", "--noise-type", "--stretch", "--pitch", "--aug-copies",
    "--ensemble", "--dropout", "--batchnorm", "--window", "--hop", "--epochs", "--batch", "--lr",
    "--label-smoothing", "--lr-factor", "--lr-patience", "--min-lr", "--patience",
    "--lr-schedule", "--windows", "--keep", "--seed" };
  for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
    if (!strcmp(o, with_value[k]))
      return 1;
  return 0;
}

/* 0 ok, 2 usage error, 3 help printed. */
static int parse(int argc, char **argv, train_args *a)
{
  tl_data_args_init(&a->data);
  a->train = tl_train_defaults();
  a->arch = tl_arch_defaults(TL_ARCH_SEED);
  a->window_s = 2.0, a->hop_s = 0.5;
  a->aug = evx_augment_defaults();
  a->adapt_prior = 8, a->adapt_memory = 600;
  const char *channels = NULL;
  double copies = -1;
  double dropout = -1, d;
  int batchnorm = 0;
  for (int i = 1; i < argc; i++) {
    int r = tl_data_args_parse(&a->data, argc, argv, &i);
    if (r < 0)
      return 2;
    if (r)
      continue;
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int used = 1, bad = 0;
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(usage_text, stdout);
      fputs(tl_data_args_help, stdout);
      return 3;
    } else if (!strcmp(o, "--resume")) {
      a->train.resume = 1, used = 0;
    } else if (!strcmp(o, "--quiet")) {
      a->train.quiet = 1, used = 0;
    } else if (!v) {
      return o[0] == '-' && strcmp(o, "-") && known_with_value(o)
             ? evx_usage_error("train", "%s needs a value", o)
             : evx_usage_error("train", "unknown option '%s' (see emovox help train)", o);
    } else if (!strcmp(o, "--out")) a->out = v;
    else if (!strcmp(o, "--report")) a->report = v;
    else if (!strcmp(o, "--checkpoint")) a->checkpoint = v;
    else if (!strcmp(o, "--channels")) channels = v;
    else if (!strcmp(o, "--arch")) {
      int arch = !strcmp(v, "seed") ? TL_ARCH_SEED : !strcmp(v, "logmel") ? TL_ARCH_LOGMEL
               : !strcmp(v, "tcn") ? TL_ARCH_TCN
               : !strcmp(v, "mlp") ? TL_ARCH_MLP : 0;
      if (!arch) {
        return evx_usage_error("train", "--arch is seed, logmel, mlp or tcn, not '%s'", v);
      }
      a->arch = tl_arch_defaults(arch);
    } else if (!strcmp(o, "--class-weights")) {
      if (two_way(o, v, "balanced", "none", "balanced", &a->train.balanced)) return 2;
    } else if (!strcmp(o, "--balance")) {
      a->balance_speakers = !strcmp(v, "speakers") ? BALANCE_SPEAKERS
                          : !strcmp(v, "corpus") ? BALANCE_CORPUS
                          : !strcmp(v, "sqrt") ? BALANCE_SQRT
                          : !strcmp(v, "none") ? BALANCE_NONE : -1;
      if (a->balance_speakers < 0) {
        evx_usage_error("train", "--balance is speakers, corpus, sqrt or none, not '%s'", v);
        return 2;
      }
    } else if (!strcmp(o, "--input")) {
      a->input_kind = !strcmp(v, "summary") ? EVX_INPUT_SUMMARY
                    : !strcmp(v, "stats") ? EVX_INPUT_SUMMARY_STATS
                    : !strcmp(v, "logstats") ? EVX_INPUT_LOG_STATS
                    : !strcmp(v, "voiced") ? EVX_INPUT_VOICED_STATS
                    : !strcmp(v, "prosody") ? EVX_INPUT_PROSODY_STATS : 0;
      if (!a->input_kind) {
        return evx_usage_error("train", "--input is summary, stats, logstats, voiced or "
                               "prosody, not '%s'", v);
      }
    }
    else if (!strcmp(o, "--adapt")) {
      if (two_way(o, v, "speaker", "none", "speaker", &a->adapt)) return 2;
    }
    else if (!strcmp(o, "--adapt-prior")) bad = num(o, v, 1, 1e5, &a->adapt_prior);
    else if (!strcmp(o, "--adapt-memory")) bad = num(o, v, 1, 1e6, &a->adapt_memory);
    else if (!strcmp(o, "--noise-snr"))
      bad = range(o, v, -20, 100, &a->aug.snr_min, &a->aug.snr_max) || (a->aug.noise = 1, 0);
    else if (!strcmp(o, "--noise-type")) {
      a->aug.noise_kind = !strcmp(v, "white") ? EVX_AUG_WHITE : !strcmp(v, "babble")
                        ? EVX_AUG_BABBLE : !strcmp(v, "mixed") ? EVX_AUG_MIXED : -1;
      if (a->aug.noise_kind < 0) {
        return evx_usage_error("train", "--noise-type is white, babble or mixed, not '%s'", v);
      }
    }
    else if (!strcmp(o, "--stretch"))
      bad = range(o, v, 0.25, 4, &a->aug.rate_min, &a->aug.rate_max) || (a->aug.stretch = 1, 0);
    else if (!strcmp(o, "--pitch"))
      bad = num(o, v, 0, 12, &d) || (a->aug.semi_min = -d, a->aug.semi_max = d, a->aug.pitch = 1, 0);
    else if (!strcmp(o, "--speed"))
      bad = range(o, v, 0.5, 2, &a->aug.speed_min, &a->aug.speed_max) || (a->aug.speed = 1, 0);
    else if (!strcmp(o, "--gain"))
      bad = range(o, v, -60, 20, &a->aug.gain_min, &a->aug.gain_max) || (a->aug.gain = 1, 0);
    else if (!strcmp(o, "--channel-aug")) {
      if (two_way(o, v, "on", "off", "on", &a->aug.channel)) return 2;
    }
    else if (!strcmp(o, "--cremad-votes")) {
      if (two_way(o, v, "agree", "all", "agree", &a->votes)) return 2;
    }
    else if (!strcmp(o, "--level")) {
      if (two_way(o, v, "relative", "absolute", "relative", &a->level)) return 2;
    }
    else if (!strcmp(o, "--aug-copies")) bad = num(o, v, 0, 16, &copies);
    else if (!strcmp(o, "--ensemble")) bad = num(o, v, 1, MAX_ENSEMBLE, &d) || (a->ensemble = (uint32_t)d, 0);
    else if (!strcmp(o, "--dropout")) bad = num(o, v, 0, 0.95, &dropout);
    else if (!strcmp(o, "--batchnorm")) {
      if (two_way(o, v, "on", "off", "on", &batchnorm)) return 2;
    }
    else if (!strcmp(o, "--window")) bad = num(o, v, 0.05, 60, &a->window_s);
    else if (!strcmp(o, "--hop")) bad = num(o, v, 0.01, 60, &a->hop_s);
    else if (!strcmp(o, "--epochs")) bad = num(o, v, 1, TL_MAX_EPOCHS, &d) || (a->train.epochs = (int)d, 0);
    else if (!strcmp(o, "--batch")) bad = num(o, v, 1, 4096, &d) || (a->train.batch = (int)d, 0);
    else if (!strcmp(o, "--lr")) bad = num(o, v, 1e-9, 10, &a->train.lr);
    else if (!strcmp(o, "--label-smoothing")) bad = num(o, v, 0, 0.5, &a->train.label_smoothing);
    else if (!strcmp(o, "--mixup")) bad = num(o, v, 0, 1, &a->train.mixup);
    else if (!strcmp(o, "--lr-factor")) bad = num(o, v, 0.01, 1, &a->train.lr_factor);
    else if (!strcmp(o, "--lr-patience")) bad = num(o, v, 0, 1000, &d) || (a->train.lr_patience = (int)d, 0);
    else if (!strcmp(o, "--min-lr")) bad = num(o, v, 0, 10, &a->train.min_lr);
    else if (!strcmp(o, "--patience")) bad = num(o, v, 0, 1000, &d) || (a->train.patience = (int)d, 0);
    else if (!strcmp(o, "--lr-schedule")) {
      if (two_way(o, v, "plateau", "cosine", "cosine", &a->train.cosine)) return 2;
    } else if (!strcmp(o, "--windows")) {
      if (two_way(o, v, "all", "one", "one", &a->train.one_window)) return 2;
    } else if (!strcmp(o, "--keep")) {
      if (two_way(o, v, "best", "last", "last", &a->train.keep_last)) return 2;
    }
    else if (!strcmp(o, "--seed")) bad = num(o, v, 0, 1e18, &d) || (a->train.seed = (uint64_t)d, 0);
    else
      return evx_usage_error("train", "unknown option '%s' (see emovox help train)", o);
    if (bad)
      return 2;
    i += used;
  }
  if (channels && parse_channels(channels, &a->arch))
    return evx_usage_error("train", "--channels wants 1..4 counts of 1..1024 like 64,128, "
                           "not '%s'", channels);
  if (dropout >= 0)
    a->arch.dropout = (float)dropout;
  a->arch.batchnorm = batchnorm;
  if (a->input_kind && (a->arch.arch == TL_ARCH_LOGMEL || a->arch.arch == TL_ARCH_TCN)) {
    fprintf(stderr, "emovox: train: --input is for --arch seed or mlp\n");
    return 2;
  }
  if (a->adapt && a->arch.arch == TL_ARCH_LOGMEL) {
    fprintf(stderr, "emovox: train: --adapt speaker is for --arch seed, mlp or tcn\n");
    return 2;
  }
  if (a->adapt && a->adapt_memory < a->adapt_prior) {
    fprintf(stderr, "emovox: train: --adapt-memory must be at least --adapt-prior\n");
    return 2;
  }
  if (!a->ensemble)
    a->ensemble = 1;
  if (a->ensemble > 1 && (a->arch.arch != TL_ARCH_MLP || a->arch.n_channels != 1 ||
                         a->arch.batchnorm)) {
    fprintf(stderr, "emovox: train: --ensemble needs --arch mlp with one hidden layer "
                    "(--channels H) and no --batchnorm\n");
    return 2;
  }
  a->aug.seed = a->train.seed;
  a->aug_copies = copies >= 0 ? (unsigned)copies : evx_augment_enabled(&a->aug) ? 1 : 0;
  a->train.threads = a->data.threads;
  if (!a->data.n_data)
    return evx_usage_error("train", "no --data given: the clips to train on (a corpus "
                           "directory or a CSV manifest)");
  if (!a->out)
    return evx_usage_error("train", "no --out given: the bundle to write (e.g. --out my.emvx)");
  return 0;
}

/* What a checkpoint must agree with: options that change the run, and the
 * training and validation rows themselves. */
static uint64_t fingerprint(const train_args *a, const evx_feature_config *cfg,
                            const evx_dataset *tr, const evx_dataset *va)
{
  uint64_t h = EVX_FNV_OFFSET;
  tl_train_opts t = a->train;
  t.resume = 0, t.quiet = 0, t.epochs = 0, t.checkpoint = NULL, t.fingerprint = 0;
  h = evx_fnv1a64(h, &t, sizeof t);
  h = evx_fnv1a64(h, &a->arch, sizeof a->arch);
  h = evx_fnv1a64(h, cfg, sizeof *cfg);
  h = evx_fnv1a64(h, &a->balance_speakers, sizeof a->balance_speakers);
  const evx_dataset *ds[2] = { tr, va };
  for (int i = 0; i < 2; i++) {
    h = evx_fnv1a64(h, &ds[i]->n, sizeof ds[i]->n);
    if (ds[i]->n) {
      h = evx_fnv1a64(h, ds[i]->x, sizeof(float) * ds[i]->n * ds[i]->dim);
      h = evx_fnv1a64(h, ds[i]->y, sizeof(int) * ds[i]->n);
    }
  }
  return h;
}

static int build_side(evx_dataset *ds, const evx_cliplist *cl, const evx_split *sp,
                      int side, const evx_feature_config *cfg, const train_args *a,
                      evx_log *log)
{
  char err[512];
  evx_dataset_opts o = { .threads = (unsigned)a->data.threads, .cache_dir = a->data.cache,
                         .log = log };
  if (side == EVX_TRAIN && a->aug_copies && evx_augment_enabled(&a->aug))
    o.augment = &a->aug, o.augment_copies = a->aug_copies;
  if (evx_dataset_build(ds, cl, sp, side, cfg, &o, err, sizeof err)) {
    fprintf(stderr, "emovox: train: %s\n", err);
    return -1;
  }
  evx_info(log, "%s: %zu windows from %zu clips", evx_side_name(side), ds->n, ds->n_clips);
  return 0;
}

/* Per-row weights giving each speaker of ds the same total weight; with
 * BALANCE_CORPUS each corpus then gets the same total, shared equally by its
 * speakers (81 CREMA-D actors weigh as much as TESS's two); BALANCE_SQRT
 * weighs a corpus of m speakers as sqrt(m), between the two. */
static float *speaker_weights(const evx_cliplist *cl, const evx_dataset *ds,
                              const uint32_t *item, int mode)
{
  size_t n = ds->n ? ds->n : 1;
  uint32_t *group = malloc(sizeof(uint32_t) * n);
  float *w = malloc(sizeof(float) * n);
  long groups = group && w ? evx_dataset_groups(ds, cl, 0, group) : -1;
  const char **corpus = groups > 0 ? calloc((size_t)groups, sizeof *corpus) : NULL;
  if (groups < 0 || (groups > 0 && !corpus)) {
    free(w);
    w = NULL;
  } else {
    tl_group_weights(group, item, ds->n, (uint32_t)groups, w);
    if ((mode == BALANCE_CORPUS || mode == BALANCE_SQRT) && groups > 0) {
      for (size_t i = 0; i < ds->n; i++)
        corpus[group[i]] = cl->clips[ds->clip[i]].corpus;
      /* a corpus of m speakers weighs m^p / sum over corpora of m^p
       * (p = 0: corpus, 0.5: sqrt), shared by its speakers; a speaker
       * weighs 1/groups now */
      double p = mode == BALANCE_SQRT ? 0.5 : 0.0, total = 0.0;
      for (long g = 0; g < groups; g++) {
        int first = 1;
        size_t mates = 0;
        for (long h = 0; h < groups; h++) {
          first &= h >= g || strcmp(corpus[h], corpus[g]) != 0;
          mates += !strcmp(corpus[h], corpus[g]);
        }
        if (first)
          total += pow((double)mates, p);
      }
      for (size_t i = 0; i < ds->n; i++) {
        size_t mates = 0;
        for (long g = 0; g < groups; g++)
          mates += !strcmp(corpus[g], corpus[group[i]]);
        w[i] *= (float)((double)groups * pow((double)mates, p) / (total * (double)mates));
      }
    }
  }
  free(corpus);
  free(group);
  return w;
}

/* An id per row, one per clip variant (its windows are consecutive rows). */
static uint32_t *items_of(const evx_dataset *ds)
{
  uint32_t *id = malloc(sizeof(uint32_t) * (ds->n ? ds->n : 1));
  for (size_t r = 0; id && r < ds->n; r++)
    id[r] = r == 0 ? 0 : id[r - 1] + (ds->clip[r] != ds->clip[r - 1] ||
                                      ds->variant[r] != ds->variant[r - 1]);
  return id;
}

/* Train the a->ensemble members (seeds seed, seed+1, ...; member k > 0
 * checkpoints to CHECKPOINT.mK). st keeps member 0's state (its learning
 * curves go in the report); with an ensemble, members[k] receive copies of
 * each member's best weights. 0, 130 when interrupted, else -1 with err. */
static int train_members(train_args *a, const evx_feature_config *cfg, const tl_graph *g,
                         const tl_set *tr, const tl_set *va, const evx_dataset *ds,
                         tl_state *st, float **members, evx_log *log, char *err,
                         size_t errlen)
{
  const char *base = a->train.checkpoint;
  uint64_t seed = a->train.seed;
  char path[4200];
  int rc = 0;
  for (uint32_t k = 0; k < a->ensemble && !rc; k++) {
    tl_train_opts o = a->train;
    tl_state sk = { 0 }, *s = k ? &sk : st;
    a->train.seed = o.seed = seed + k;
    o.fingerprint = fingerprint(a, cfg, &ds[EVX_TRAIN], &ds[EVX_VAL]);
    if (k) {
      snprintf(path, sizeof path, "%s.m%u", base, k);
      o.checkpoint = path;
    }
    if (a->ensemble > 1)
      evx_info(log, "ensemble member %u of %u (seed %llu)", k + 1, a->ensemble,
               (unsigned long long)o.seed);
    rc = tl_train(g, tr, va, &o, s, err, errlen);
    if (!rc && a->ensemble > 1) {
      if ((members[k] = malloc(sizeof(float) * g->n_params)))
        memcpy(members[k], s->best, sizeof(float) * g->n_params);
      else
        rc = -1, snprintf(err, errlen, "out of memory");
    }
    if (k)
      tl_state_free(&sk);
  }
  a->train.seed = seed;
  return rc;
}

/* Score the side `side` through the written bundle and write the report. */
static int report(const train_args *a, int argc, char **argv, const evx_cliplist *cl,
                  const evx_split *sp, int side, evx_dataset *ds, const tl_state *st)
{
  char err[512];
  evx_model *m = NULL;
  if (evx_bundle_load(a->out, &m, err, sizeof err)) {
    fprintf(stderr, "emovox: train: reloading %s: %s\n", a->out, err);
    return -1;
  }
  float *probs = malloc(sizeof(float) * (ds->n ? ds->n : 1) * m->n_labels);
  const char *labels[EVX_MAX_LABELS];
  for (uint32_t i = 0; i < m->n_labels; i++)
    labels[i] = m->labels[i];
  char *cmd = evx_command_line(argc, argv);
  double secs = 0;
  for (int i = 0; i < st->epoch; i++)
    secs += st->hist[i].seconds;
  char what[64];
  snprintf(what, sizeof what, "%s side of the split", evx_side_name(side));
  evx_report r = { .title = "emovox train", .command = cmd ? cmd : "", .seed = a->train.seed,
                   .bundle = a->out, .cl = cl, .sp = sp, .evaluated = what,
                   .hist = st->hist, .n_hist = st->epoch, .best_epoch = st->early.best_epoch,
                   .train_seconds = secs, .n = ds->n, .k = m->n_labels, .labels = labels,
                   .probs = probs, .y = ds->y, .clip = ds->clip };
  double ua_w = 0, ua_c = 0;
  int rc = -1;
  if (!probs || (m->adapt.len && tl_adapt_replay(&m->adapt, TL_ADAPT_STREAM, 1, cl, ds)) ||
      tl_bundle_predict(m, ds->x, ds->n, a->data.threads, probs))
    fprintf(stderr, "emovox: train: out of memory\n");
  else if (a->report && evx_report_write(a->report, &r, &ua_w, &ua_c, err, sizeof err))
    fprintf(stderr, "emovox: train: %s\n", err);
  else
    rc = 0;
  if (rc == 0 && a->report)
    fprintf(stderr, "%s: UA %.1f%% per window, %.1f%% per clip (%zu windows)%s%s\n",
            what, 100 * ua_w, 100 * ua_c, ds->n, sp->random ? " -- " : "",
            sp->random ? evx_split_warning(sp) : "");
  free(cmd);
  free(probs);
  evx_model_free(m);
  return rc;
}

int cmd_train(int argc, char **argv)
{
  train_args a;
  memset(&a, 0, sizeof a);
  int prc = parse(argc, argv, &a);
  if (prc)
    return prc == 3 ? 0 : 2;
  evx_log log = { .quiet = a.train.quiet };
  evx_cliplist cl = { 0 };
  evx_split sp = { 0 };
  evx_dataset ds[EVX_N_SIDES] = { { 0 } };
  tl_norm nm = { 0 };
  tl_adapt ad = { .prior = (float)a.adapt_prior, .memory = (float)a.adapt_memory };
  tl_state st = { 0 };
  char err[512], ckpt[4096];
  uint32_t *item = NULL;
  float *row_w = NULL, *members[MAX_ENSEMBLE] = { NULL }, *merged = NULL;
  int rc = 1;
  /* where the results go is checked before hours of work, not after */
  char perr[4400];
  if (evx_output_file_check(a.out, perr, sizeof perr) ||
      (a.report && evx_output_dir_check(a.report, perr, sizeof perr)) ||
      (a.checkpoint && evx_output_file_check(a.checkpoint, perr, sizeof perr))) {
    fprintf(stderr, "emovox: train: %s\n", perr);
    goto out;
  }
  evx_tmp_remove_stale_of(a.out);   /* a killed run's half-written bundle */
  if (tl_data_args_load(&a.data, &cl, &log))
    goto out;
  if (evx_split_make(&cl, &a.data.split, &sp, err, sizeof err)) {
    fprintf(stderr, "emovox: train: %s\n", err);
    goto out;
  }
  if (evx_split_warning(&sp))
    evx_warn(&log, "%s", evx_split_warning(&sp));
  if (a.votes) {
    size_t dropped, kept;
    if (evx_votes_keep_agreeing(&cl, &sp, &dropped, &kept, err, sizeof err)) {
      fprintf(stderr, "emovox: train: %s\n", err);
      goto out;
    }
    evx_info(&log, "CREMA-D votes: %zu training clips kept, %zu whose vote disagrees dropped",
             kept, dropped);
  }
  evx_feature_config cfg = evx_feature_config_default(
      a.input_kind ? a.input_kind : tl_arch_input_kind(a.arch.arch));
  cfg.feature_set = a.level ? EVX_FSET_V1_LEVEL : EVX_FSET_V1;
  if (!evx_feature_set_supported(cfg.feature_set, cfg.input_kind)) {
    fprintf(stderr, "emovox: train: --level relative needs an input in dB (--arch logmel "
                    "or tcn, or --input logstats or voiced)\n");
    goto out;
  }
  cfg.window_frames = (uint32_t)lround(a.window_s * EVX_SR / EVX_HOP);
  cfg.update_frames = (uint32_t)lround(a.hop_s * EVX_SR / EVX_HOP);
  for (int s = 0; s < EVX_N_SIDES; s++)
    if (build_side(&ds[s], &cl, &sp, s, &cfg, &a, &log))
      goto out;
  if (!ds[EVX_TRAIN].n) {
    fprintf(stderr, "emovox: train: the training side has no windows\n");
    goto out;
  }
  if (!ds[EVX_VAL].n && !(a.train.cosine && a.train.keep_last))
    evx_warn(&log, "no validation side: the learning-rate schedule and the epoch kept "
                   "follow the training loss (name --val-speakers or --val-frac, or train "
                   "with --lr-schedule cosine --keep last)");
  evx_shape shape = ds[EVX_TRAIN].shape;
  if (a.adapt) {
    /* train on per-speaker statistics; validate as the plugin runs */
    evx_adapt view;
    ad.frames = evx_adapt_frames(&cfg);
    if (ds[EVX_TRAIN].dim / ad.frames > EVX_ADAPT_MAX) {
      fprintf(stderr, "emovox: train: --adapt needs an input of at most %u values\n",
              EVX_ADAPT_MAX);
      goto out;
    }
    if (tl_adapt_by_stream(&ad, &cl, &ds[EVX_TRAIN]) ||
        (view = tl_adapt_view(&ad), tl_adapt_replay(&view, TL_ADAPT_STREAM, 1, &cl, &ds[EVX_VAL]))) {
      fprintf(stderr, "emovox: train: out of memory\n");
      goto out;
    }
  }
  if (tl_norm_fit_input(&nm, &cfg, ds[EVX_TRAIN].x, ds[EVX_TRAIN].n)) {
    fprintf(stderr, "emovox: train: out of memory\n");
    goto out;
  }
  tl_graph g;
  if (tl_arch_build(&a.arch, shape, EVX_N_EMOTIONS, &g, err, sizeof err)) {
    fprintf(stderr, "emovox: train: %s\n", err);
    goto out;
  }
  snprintf(ckpt, sizeof ckpt, "%s.ckpt", a.out);
  a.train.checkpoint = a.checkpoint ? a.checkpoint : ckpt;
  /* The network trains on normalised rows; test rows stay raw for the bundle. */
  for (int s = EVX_TRAIN; s <= EVX_VAL; s++)
    tl_norm_apply(&nm, shape, ds[s].x, ds[s].n);
  evx_info(&log, "network: %zu parameters; %zu train / %zu val windows; %d thread(s)",
           g.n_params, ds[EVX_TRAIN].n, ds[EVX_VAL].n, a.train.threads);
  if ((a.train.one_window && !(item = items_of(&ds[EVX_TRAIN]))) ||
      (a.balance_speakers && !(row_w = speaker_weights(&cl, &ds[EVX_TRAIN], item, a.balance_speakers)))) {
    fprintf(stderr, "emovox: train: out of memory\n");
    goto out;
  }
  tl_set tr = { ds[EVX_TRAIN].n, ds[EVX_TRAIN].dim, ds[EVX_TRAIN].x, ds[EVX_TRAIN].y, row_w,
                item };
  tl_set va = { ds[EVX_VAL].n, ds[EVX_VAL].dim, ds[EVX_VAL].x, ds[EVX_VAL].y, NULL, NULL };
  int trc = train_members(&a, &cfg, &g, &tr, &va, ds, &st, members, &log, err, sizeof err);
  if (trc) {
    fprintf(stderr, "emovox: train: %s\n", err);
    rc = trc == 130 ? 130 : 1;
    goto out;
  }
  tl_graph gm = g;
  const float *best = st.best;
  if (a.ensemble > 1) {
    tl_arch_opts am = a.arch;
    am.channels[0] *= a.ensemble;
    int mrc = tl_arch_build(&am, shape, EVX_N_EMOTIONS, &gm, err, sizeof err);
    if (!mrc && !(merged = malloc(sizeof(float) * gm.n_params)))
      mrc = -1, snprintf(err, sizeof err, "out of memory");
    if (!mrc)
      mrc = tl_merge_ensemble(&g, (const float *const *)members, a.ensemble, &gm, merged,
                              err, sizeof err);
    if (mrc) {
      fprintf(stderr, "emovox: train: %s\n", err);
      goto out;
    }
    best = merged;
  }
  evx_model m;
  int xrc = tl_export(&gm, best, &cfg, &nm, &m, err, sizeof err);
  if (a.adapt)
    m.adapt = tl_adapt_view(&ad);
  /* the bundle records how it was made (v4): emovox info shows it, eval warns with it */
  m.provenance = xrc ? NULL : evx_provenance_train(argc, argv, a.data.data, a.data.n_data,
                                                   &cl, &sp, a.train.seed);
  if (!xrc && !m.provenance)
    xrc = -1, snprintf(err, sizeof err, "out of memory");
  if (xrc || evx_bundle_write(&m, a.out, err, sizeof err)) {
    free(m.provenance);
    fprintf(stderr, "emovox: train: %s\n", err);
    goto out;
  }
  free(m.provenance);
  evx_info(&log, "wrote %s (best epoch %d of %d)", a.out, st.early.best_epoch, st.epoch);
  int side = ds[EVX_TEST].n ? EVX_TEST : ds[EVX_VAL].n ? EVX_VAL : EVX_TRAIN;
  if (side == EVX_TRAIN)
    evx_warn(&log, "no held-out data: the report scores the training side");
  /* Validation rows were normalised in place: rebuild them raw for the bundle. */
  if (side == EVX_VAL || side == EVX_TRAIN) {
    evx_dataset_free(&ds[side]);
    if (build_side(&ds[side], &cl, &sp, side, &cfg, &a, &log))
      goto out;
  }
  rc = report(&a, argc, argv, &cl, &sp, side, &ds[side], &st) ? 1 : 0;
out:
  for (int s = 0; s < EVX_N_SIDES; s++)
    evx_dataset_free(&ds[s]);
  tl_state_free(&st);
  free(row_w);
  free(item);
  free(merged);
  for (int k = 0; k < MAX_ENSEMBLE; k++)
    free(members[k]);
  tl_norm_free(&nm);
  tl_adapt_free(&ad);
  evx_split_free(&sp);
  evx_cliplist_free(&cl);
  return rc;
}
