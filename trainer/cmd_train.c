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
#include "data_args.h"
#include "learn/export.h"
#include "dataset_adapt.h"
#include "learn/hash.h"
#include "learn/prep.h"
#include "learn/train_loop.h"
#include "opts.h"
#include "provenance.h"
#include "tmpfiles.h"
#include "report.h"
#include "votes.h"
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENSEMBLE 8   /* --ensemble K: at most this many members */

static const char usage_line[] =
  "usage: emovox train --data DIR|CSV [--data ...] --out BUNDLE.emvx [options]\n";

enum balance { BALANCE_NONE = 0, BALANCE_SPEAKERS = 1, BALANCE_CORPUS = 2, BALANCE_SQRT = 3 };

typedef struct {
  tr_data_args data;
  tl_arch_opts arch;
  tl_train_opts train;
  double window_s, hop_s;
  uint32_t input_kind;        /* 0: the architecture's default */
  int balance_speakers;       /* enum balance */
  tr_augment_opts aug;
  unsigned aug_copies;
  uint32_t ensemble;          /* members (1: a single network) */
  int adapt;                  /* 1: speaker adaptation */
  int level;                  /* 1: feature set 2 (level-corrected windows) */
  int votes;                  /* 1: CREMA-D training clips only where the
                                 crowd's audio-only vote agrees */
  double adapt_prior, adapt_memory;
  const char *out, *report, *checkpoint;
} train_args;

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

/* The command line as given: train_args, and what is checked and applied
 * once every option is read. The option table's targets are offsets in it. */
typedef struct {
  train_args a;
  int arch, input, batchnorm;
  const char *channels;
  double dropout, copies, pitch;   /* -1: not given */
} train_cli;

#define A(f) offsetof(train_cli, a.f)
#define C(f) offsetof(train_cli, f)

static const opt_choice archs[] = { { "seed", TL_ARCH_SEED }, { "logmel", TL_ARCH_LOGMEL },
  { "mlp", TL_ARCH_MLP }, { "tcn", TL_ARCH_TCN }, { NULL, 0 } };
static const opt_choice inputs[] = { { "summary", EVX_INPUT_SUMMARY },
  { "stats", EVX_INPUT_SUMMARY_STATS }, { "logstats", EVX_INPUT_LOG_STATS },
  { "voiced", EVX_INPUT_VOICED_STATS }, { "prosody", EVX_INPUT_PROSODY_STATS }, { NULL, 0 } };
static const opt_choice balances[] = { { "speakers", BALANCE_SPEAKERS },
  { "corpus", BALANCE_CORPUS }, { "sqrt", BALANCE_SQRT }, { "none", BALANCE_NONE }, { NULL, 0 } };
static const opt_choice noises[] = { { "white", TR_NOISE_WHITE }, { "babble", TR_NOISE_BABBLE },
  { "mixed", TR_NOISE_MIXED }, { NULL, 0 } };
static const opt_choice on_off[] = { { "on", 1 }, { "off", 0 }, { NULL, 0 } };
static const opt_choice all_one[] = { { "all", 0 }, { "one", 1 }, { NULL, 0 } };
static const opt_choice schedules[] = { { "plateau", 0 }, { "cosine", 1 }, { NULL, 0 } };
static const opt_choice best_last[] = { { "best", 0 }, { "last", 1 }, { NULL, 0 } };
static const opt_choice balanced_none[] = { { "balanced", 1 }, { "none", 0 }, { NULL, 0 } };
static const opt_choice agree_all[] = { { "agree", 1 }, { "all", 0 }, { NULL, 0 } };
static const opt_choice levels[] = { { "relative", 1 }, { "absolute", 0 }, { NULL, 0 } };
static const opt_choice speaker_none[] = { { "speaker", 1 }, { "none", 0 }, { NULL, 0 } };

/* train's options (the data and split options are tr_data_args'), in the
 * order --help lists them. */
static const opt_def options[] = {
  OPT_ROW_CHOICE("--arch", C(arch), archs,
    "  --arch seed|logmel|mlp|tcn  seed: 1-D CNN on the 98-feature window summary\n"
    "                        (default); logmel: 2-D CNN on log-mel x time;\n"
    "                        mlp: dense layers on the window's log-domain mean and std;\n"
    "                        tcn: 1-D CNN over time on every frame's 98 features\n"
    "                        (Conv1D 5/5/3, MaxPool 3/2, mean over time)\n"),
  OPT_ROW_CHOICE("--input", C(input), inputs,
    "  --input summary|stats|logstats|voiced|prosody   input of seed/mlp: window\n"
    "                        mean (seed default), mean and std, mean and std with\n"
    "                        rms/mel in dB (mlp default), voiced: logstats plus mean\n"
    "                        frame-to-frame change, over the window's voiced frames\n"
    "                        only; prosody: voiced plus 13 statistics of F0 and voice\n"
    "                        quality (input kind 7, core/evx_nn_input.h)\n"),
  OPT_ROW_STRING("--channels", C(channels),
    "  --channels A,B[,C,D]  conv channels (seed 32,64; logmel 8,16,32; tcn 64,64,64)\n"
    "                        or mlp units (128,64)\n"),
  OPT_ROW_NUMBER("--dropout", OPT_REAL, C(dropout), 0, 0.95,
    "  --dropout R           dropout rate (0.25; mlp 0.5; tcn 0.3)\n"),
  OPT_ROW_CHOICE("--batchnorm", C(batchnorm), on_off,
    "  --batchnorm on|off    BatchNorm before every ReLU (off): statistics of\n"
    "                        ghost batches of 16 rows in training, running\n"
    "                        averages folded into the layer before it at export\n"),
  OPT_ROW_NUMBER("--window", OPT_REAL, A(window_s), 0.05, 60,
    "  --window S --hop S    analysis window and hop in seconds (2.0, 0.5)\n"),
  OPT_ROW_NUMBER("--hop", OPT_REAL, A(hop_s), 0.01, 60, NULL),
  OPT_ROW_NUMBER("--epochs", OPT_INT, A(train.epochs), 1, TL_MAX_EPOCHS,
    "  --epochs N            at most N epochs (200)\n"),
  OPT_ROW_NUMBER("--batch", OPT_INT, A(train.batch), 1, 4096,
    "  --batch N             batch size (32)\n"),
  OPT_ROW_CHOICE("--windows", A(train.one_window), all_one,
    "  --windows all|one     train every epoch on all of a clip's windows (default)\n"
    "                        or on one drawn at random per clip and augmented copy\n"),
  OPT_ROW_NUMBER("--lr", OPT_REAL, A(train.lr), 1e-9, 10,
    "  --lr X                Adam learning rate (1e-3)\n"),
  OPT_ROW_NUMBER("--lr-factor", OPT_REAL, A(train.lr_factor), 0.01, 1,
    "  --lr-factor F --lr-patience N --min-lr X   ReduceLROnPlateau (0.5, 5, 1e-5)\n"),
  OPT_ROW_NUMBER("--lr-patience", OPT_INT, A(train.lr_patience), 0, 1000, NULL),
  OPT_ROW_NUMBER("--min-lr", OPT_REAL, A(train.min_lr), 0, 10, NULL),
  OPT_ROW_NUMBER("--patience", OPT_INT, A(train.patience), 0, 1000,
    "  --patience N          early stopping on validation loss (15; 0 = off)\n"),
  OPT_ROW_CHOICE("--lr-schedule", A(train.cosine), schedules,
    "  --lr-schedule plateau|cosine   plateau: ReduceLROnPlateau on validation\n"
    "                        loss (default); cosine: from --lr down to 0 over\n"
    "                        --epochs, whatever validation says\n"),
  OPT_ROW_CHOICE("--keep", A(train.keep_last), best_last,
    "  --keep best|last      ship the best validation loss's epoch (default) or\n"
    "                        the last (no early stopping)\n"),
  OPT_ROW_CHOICE("--class-weights", A(train.balanced), balanced_none,
    "  --class-weights balanced|none   loss weights (none)\n"),
  OPT_ROW_NUMBER("--label-smoothing", OPT_REAL, A(train.label_smoothing), 0, 0.5,
    "  --label-smoothing E   train towards 1 - E + E/k on the label and E/k on the\n"
    "                        other k - 1 classes (0: one-hot; 0..0.5)\n"),
  OPT_ROW_NUMBER("--mixup", OPT_REAL, A(train.mixup), 0, 1,
    "  --mixup A             mix each training row with a random row of its batch\n"
    "                        (weight l ~ Beta(A, A)) towards both labels (0: off; 0..1)\n"),
  OPT_ROW_CHOICE("--balance", A(balance_speakers), balances,
    "  --balance speakers|corpus|sqrt|none   weight rows so every training\n"
    "                        speaker counts the same in the loss; corpus: every\n"
    "                        corpus the same, and within it every speaker; sqrt:\n"
    "                        a corpus weighs the square root of its speakers (none)\n"),
  OPT_ROW_RANGE("--noise-snr", A(aug.snr_min), A(aug.snr_max), -20, 100, A(aug.noise),
    "  --noise-snr LO:HI     augment: white noise at an SNR (dB) drawn from LO..HI\n"),
  OPT_ROW_CHOICE("--noise-type", A(aug.noise_kind), noises,
    "  --noise-type white|babble|mixed   the noise --noise-snr adds (white); babble:\n"
    "                        the babble-like noise of `emovox eval --noise babble`;\n"
    "                        mixed: either, drawn per augmented copy\n"),
  OPT_ROW_RANGE("--stretch", A(aug.rate_min), A(aug.rate_max), 0.25, 4, A(aug.stretch),
    "  --stretch LO:HI       augment: time stretch by a rate drawn from LO..HI\n"),
  OPT_ROW_NUMBER("--pitch", OPT_REAL, C(pitch), 0, 12,
    "  --pitch S             augment: pitch shift by -S..S semitones\n"),
  OPT_ROW_RANGE("--speed", A(aug.speed_min), A(aug.speed_max), 0.5, 2, A(aug.speed),
    "  --speed LO:HI         augment: speed (resampling: pitch, formants and tempo\n"
    "                        together, as another vocal tract) by LO..HI\n"),
  OPT_ROW_RANGE("--gain", A(aug.gain_min), A(aug.gain_max), -60, 20, A(aug.gain),
    "  --gain LO:HI          augment: level change in dB drawn from LO..HI\n"),
  OPT_ROW_CHOICE("--channel-aug", A(aug.channel), on_off,
    "  --channel-aug on|off  augment: a telephone band, a darker or a brighter\n"
    "                        microphone, one drawn per augmented copy (off)\n"),
  OPT_ROW_CHOICE("--cremad-votes", A(votes), agree_all,
    "  --cremad-votes agree|all   agree: train only on the CREMA-D clips whose\n"
    "                        crowd vote from the voice alone includes their\n"
    "                        label (summaryTable.csv); held-out clips all stay (all)\n"),
  OPT_ROW_CHOICE("--level", A(level), levels,
    "  --level absolute|relative   relative: each window is brought to one voiced\n"
    "                        level before the network sees it (feature set 2), so\n"
    "                        the recording level does not change the reading\n"
    "                        (absolute; relative needs an input in dB)\n"),
  OPT_ROW_NUMBER("--aug-copies", OPT_REAL, C(copies), 0, 16,
    "  --aug-copies N        augmented copies per training clip (1 when any of the\n"
    "                        three is given), drawn deterministically from --seed\n"),
  OPT_ROW_CHOICE("--adapt", A(adapt), speaker_none,
    "  --adapt speaker|none   speaker adaptation (none): train on inputs normalised\n"
    "                        per speaker; the plugin normalises by the running\n"
    "                        statistics of the voice it hears (core/evx_adapt.h);\n"
    "                        not for --arch logmel; tcn: per feature over the\n"
    "                        voiced frames\n"),
  OPT_ROW_NUMBER("--adapt-prior", OPT_REAL, A(adapt_prior), 1, 1e5,
    "  --adapt-prior N --adapt-memory N   windows the population statistics weigh\n"
    "                        at the start (8) and the running statistics' memory (600)\n"),
  OPT_ROW_NUMBER("--adapt-memory", OPT_REAL, A(adapt_memory), 1, 1e6, NULL),
  OPT_ROW_NUMBER("--seed", OPT_U64, A(train.seed), 0, 1e18,
    "  --seed N              seed of initialisation, shuffling, dropout (1)\n"),
  OPT_ROW_NUMBER("--ensemble", OPT_U32, A(ensemble), 1, MAX_ENSEMBLE,
    "  --ensemble K          train K members (seeds N..N+K-1, --arch mlp with one\n"
    "                        hidden layer) and ship their logit average as one\n"
    "                        network of K times the hidden units (1)\n"),
  OPT_ROW_STRING("--report", A(report),
    "  --report DIR          write report.json, report.md and plots\n"),
  OPT_ROW_STRING("--checkpoint", A(checkpoint),
    "  --checkpoint PATH     checkpoint file (BUNDLE.ckpt)\n"),
  OPT_ROW_FLAG("--resume", A(train.resume),
    "  --resume              continue from the checkpoint\n"),
  OPT_ROW_FLAG("--quiet", A(train.quiet),
    "  --quiet               no progress output\n"),
  OPT_ROW_STRING("--out", A(out), NULL),
};
#define N_OPTIONS (sizeof options / sizeof options[0])

const opt_def *tr_cmd_train_options(size_t *n)
{
  *n = N_OPTIONS;
  return options;
}

/* 0 ok, 2 usage error, 3 help printed. */
static int parse(int argc, char **argv, train_args *out)
{
  train_cli c = { .arch = TL_ARCH_SEED, .dropout = -1, .copies = -1, .pitch = -1 };
  train_args *a = &c.a;
  tr_data_args_init(&a->data);
  a->train = tl_train_defaults();
  a->window_s = 2.0, a->hop_s = 0.5;
  a->aug = tr_augment_defaults();
  a->adapt_prior = 8, a->adapt_memory = 600;
  for (int i = 1; i < argc; i++) {
    int r = tr_data_args_parse(&a->data, argc, argv, &i);
    if (!r)
      r = tr_opts_parse("train", options, N_OPTIONS, &c, argc, argv, &i);
    if (r < 0)
      return 2;
    if (r)
      continue;
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage_line, stdout);
      tr_opts_help(options, N_OPTIONS, stdout);
      fputs(tr_data_args_help, stdout);
      return 3;
    }
    return tr_usage_error("train", "unknown option '%s' (see emovox help train)", argv[i]);
  }
  a->arch = tl_arch_defaults(c.arch);
  a->input_kind = (uint32_t)c.input;
  if (c.pitch >= 0)
    a->aug.semi_min = -c.pitch, a->aug.semi_max = c.pitch, a->aug.pitch = 1;
  if (c.channels && parse_channels(c.channels, &a->arch))
    return tr_usage_error("train", "--channels wants 1..4 counts of 1..1024 like 64,128, "
                           "not '%s'", c.channels);
  if (c.dropout >= 0)
    a->arch.dropout = (float)c.dropout;
  a->arch.batchnorm = c.batchnorm;
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
  a->aug_copies = c.copies >= 0 ? (unsigned)c.copies : tr_augment_enabled(&a->aug) ? 1 : 0;
  a->train.threads = a->data.threads;
  if (!a->data.n_data)
    return tr_usage_error("train", "no --data given: the clips to train on (a corpus "
                           "directory or a CSV manifest)");
  if (!a->out)
    return tr_usage_error("train", "no --out given: the bundle to write (e.g. --out my.emvx)");
  *out = c.a;
  return 0;
}

/* What a checkpoint must agree with: options that change the run, and the
 * training and validation rows themselves. */
static uint64_t fingerprint(const train_args *a, const evx_feature_config *cfg,
                            const tl_set *tr, const tl_set *va)
{
  uint64_t h = TR_FNV_OFFSET;
  tl_train_opts t = a->train;
  t.resume = 0, t.quiet = 0, t.epochs = 0, t.checkpoint = NULL, t.fingerprint = 0;
  h = tr_fnv1a64(h, &t, sizeof t);
  h = tr_fnv1a64(h, &a->arch, sizeof a->arch);
  h = tr_fnv1a64(h, cfg, sizeof *cfg);
  h = tr_fnv1a64(h, &a->balance_speakers, sizeof a->balance_speakers);
  const tl_set *ds[2] = { tr, va };
  for (int i = 0; i < 2; i++) {
    h = tr_fnv1a64(h, &ds[i]->n, sizeof ds[i]->n);
    if (ds[i]->n) {
      h = tr_fnv1a64(h, ds[i]->x, sizeof(float) * ds[i]->n * ds[i]->dim);
      h = tr_fnv1a64(h, ds[i]->y, sizeof(int) * ds[i]->n);
    }
  }
  return h;
}

static int build_side(tr_dataset *ds, const tr_cliplist *cl, const tr_split *sp,
                      int side, const evx_feature_config *cfg, const train_args *a,
                      tr_log *log)
{
  char err[512];
  tr_dataset_opts o = { .threads = (unsigned)a->data.threads, .cache_dir = a->data.cache,
                         .log = log };
  if (side == TR_TRAIN && a->aug_copies && tr_augment_enabled(&a->aug))
    o.augment = &a->aug, o.augment_copies = a->aug_copies;
  if (tr_dataset_build(ds, cl, sp, side, cfg, &o, err, sizeof err)) {
    fprintf(stderr, "emovox: train: %s\n", err);
    return -1;
  }
  tr_info(log, "%s: %zu windows from %zu clips", tr_side_name(side), ds->n, ds->n_clips);
  return 0;
}

/* Per-row weights giving each speaker of ds the same total weight; with
 * BALANCE_CORPUS each corpus then gets the same total, shared equally by its
 * speakers (81 CREMA-D actors weigh as much as TESS's two); BALANCE_SQRT
 * weighs a corpus of m speakers as sqrt(m), between the two. */
static float *speaker_weights(const tr_cliplist *cl, const tr_dataset *ds,
                              const uint32_t *item, int mode)
{
  size_t n = ds->n ? ds->n : 1;
  uint32_t *group = malloc(sizeof(uint32_t) * n);
  float *w = malloc(sizeof(float) * n);
  long groups = group && w ? tr_dataset_groups(ds, cl, 0, group) : -1;
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

/* Train the a->ensemble members (seeds seed, seed+1, ...; member k > 0
 * checkpoints to CHECKPOINT.mK). st keeps member 0's state (its learning
 * curves go in the report); with an ensemble, members[k] receive copies of
 * each member's best weights. 0, 130 when interrupted, else -1 with err. */
static int train_members(train_args *a, const evx_feature_config *cfg, const tl_graph *g,
                         const tl_set *tr, const tl_set *va, tl_state *st, float **members,
                         tr_log *log, char *err, size_t errlen)
{
  const char *base = a->train.checkpoint;
  uint64_t seed = a->train.seed;
  char path[4200];
  int rc = 0;
  for (uint32_t k = 0; k < a->ensemble && !rc; k++) {
    tl_train_opts o = a->train;
    tl_state sk = { 0 }, *s = k ? &sk : st;
    a->train.seed = o.seed = seed + k;
    o.fingerprint = fingerprint(a, cfg, tr, va);
    if (k) {
      snprintf(path, sizeof path, "%s.m%u", base, k);
      o.checkpoint = path;
    }
    if (a->ensemble > 1)
      tr_info(log, "ensemble member %u of %u (seed %llu)", k + 1, a->ensemble,
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
static int report(const train_args *a, int argc, char **argv, const tr_cliplist *cl,
                  const tr_split *sp, int side, tr_dataset *ds, const tl_state *st)
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
  char *cmd = tr_command_line(argc, argv);
  double secs = 0;
  for (int i = 0; i < st->epoch; i++)
    secs += st->hist[i].seconds;
  char what[64];
  snprintf(what, sizeof what, "%s side of the split", tr_side_name(side));
  tr_report r = { .title = "emovox train", .command = cmd ? cmd : "", .seed = a->train.seed,
                   .bundle = a->out, .cl = cl, .sp = sp, .evaluated = what,
                   .hist = st->hist, .n_hist = st->epoch, .best_epoch = st->early.best_epoch,
                   .train_seconds = secs, .n = ds->n, .k = m->n_labels, .labels = labels,
                   .probs = probs, .y = ds->y, .clip = ds->clip };
  double ua_w = 0, ua_c = 0;
  int rc = -1;
  if (!probs || (m->adapt.len && tr_adapt_replay(&m->adapt, TL_ADAPT_STREAM, 1, cl, ds)) ||
      tl_bundle_predict(m, ds->x, ds->n, a->data.threads, probs))
    fprintf(stderr, "emovox: train: out of memory\n");
  else if (a->report && tr_report_write(a->report, &r, &ua_w, &ua_c, err, sizeof err))
    fprintf(stderr, "emovox: train: %s\n", err);
  else
    rc = 0;
  if (rc == 0 && a->report)
    fprintf(stderr, "%s: UA %.1f%% per window, %.1f%% per clip (%zu windows)%s%s\n",
            what, 100 * ua_w, 100 * ua_c, ds->n, sp->random ? " -- " : "",
            sp->random ? tr_split_warning(sp) : "");
  free(cmd);
  free(probs);
  evx_model_free(m);
  return rc;
}

int tr_cmd_train(int argc, char **argv)
{
  train_args a;
  memset(&a, 0, sizeof a);
  int prc = parse(argc, argv, &a);
  if (prc)
    return prc == 3 ? 0 : 2;
  tr_log log = { .quiet = a.train.quiet };
  tr_cliplist cl = { 0 };
  tr_split sp = { 0 };
  tr_dataset ds[TR_N_SIDES] = { { 0 } };
  tl_prep prep = { .adapt = { .prior = (float)a.adapt_prior, .memory = (float)a.adapt_memory } };
  tl_streams streams[2] = { { 0 } };   /* of the training and validation sides */
  tl_state st = { 0 };
  char err[512], ckpt[4096];
  float *row_w = NULL, *members[MAX_ENSEMBLE] = { NULL }, *merged = NULL;
  float *net_x[2] = { NULL };          /* their rows as the network sees them */
  int rc = 1;
  /* where the results go is checked before hours of work, not after */
  char perr[4400];
  if (tr_output_file_check(a.out, perr, sizeof perr) ||
      (a.report && tr_output_dir_check(a.report, perr, sizeof perr)) ||
      (a.checkpoint && tr_output_file_check(a.checkpoint, perr, sizeof perr))) {
    fprintf(stderr, "emovox: train: %s\n", perr);
    goto out;
  }
  tr_tmp_remove_stale_of(a.out);   /* a killed run's half-written bundle */
  if (tr_data_args_load(&a.data, &cl, &log))
    goto out;
  if (tr_split_make(&cl, &a.data.split, &sp, err, sizeof err)) {
    fprintf(stderr, "emovox: train: %s\n", err);
    goto out;
  }
  if (tr_split_warning(&sp))
    tr_warn(&log, "%s", tr_split_warning(&sp));
  if (a.votes) {
    size_t dropped, kept;
    if (tr_votes_keep_agreeing(&cl, &sp, &dropped, &kept, err, sizeof err)) {
      fprintf(stderr, "emovox: train: %s\n", err);
      goto out;
    }
    tr_info(&log, "CREMA-D votes: %zu training clips kept, %zu whose vote disagrees dropped",
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
  for (int s = 0; s < TR_N_SIDES; s++)
    if (build_side(&ds[s], &cl, &sp, s, &cfg, &a, &log))
      goto out;
  if (!ds[TR_TRAIN].n) {
    fprintf(stderr, "emovox: train: the training side has no windows\n");
    goto out;
  }
  if (!ds[TR_VAL].n && !(a.train.cosine && a.train.keep_last))
    tr_warn(&log, "no validation side: the learning-rate schedule and the epoch kept "
                   "follow the training loss (name --val-speakers or --val-frac, or train "
                   "with --lr-schedule cosine --keep last)");
  evx_shape shape = ds[TR_TRAIN].shape;
  if (a.adapt) {
    /* train on per-speaker statistics; validate as the plugin runs */
    prep.adapt.frames = evx_adapt_frames(&cfg);
    if (ds[TR_TRAIN].dim / prep.adapt.frames > EVX_ADAPT_MAX) {
      fprintf(stderr, "emovox: train: --adapt needs an input of at most %u values\n",
              EVX_ADAPT_MAX);
      goto out;
    }
  }
  /* the datasets stay raw: the network's rows are copies */
  if (tr_dataset_streams(&ds[TR_TRAIN], &cl, &streams[TR_TRAIN]) ||
      tr_dataset_streams(&ds[TR_VAL], &cl, &streams[TR_VAL]) ||
      tl_prep_fit(&prep, &cfg, a.adapt, ds[TR_TRAIN].x, &streams[TR_TRAIN], &net_x[TR_TRAIN]) ||
      tl_prep_apply(&prep, &cfg, ds[TR_VAL].x, &streams[TR_VAL], &net_x[TR_VAL])) {
    fprintf(stderr, "emovox: train: out of memory\n");
    goto out;
  }
  /* the side the report scores keeps its raw rows; of the others training
   * holds only the network's copy */
  const int side = ds[TR_TEST].n ? TR_TEST : ds[TR_VAL].n ? TR_VAL : TR_TRAIN;
  for (int s = TR_TRAIN; s <= TR_VAL; s++)
    if (s != side) {
      free(ds[s].x);
      ds[s].x = NULL;
    }
  tl_graph g;
  if (tl_arch_build(&a.arch, shape, EVX_N_EMOTIONS, &g, err, sizeof err)) {
    fprintf(stderr, "emovox: train: %s\n", err);
    goto out;
  }
  snprintf(ckpt, sizeof ckpt, "%s.ckpt", a.out);
  a.train.checkpoint = a.checkpoint ? a.checkpoint : ckpt;
  tr_info(&log, "network: %zu parameters; %zu train / %zu val windows; %d thread(s)",
           g.n_params, ds[TR_TRAIN].n, ds[TR_VAL].n, a.train.threads);
  /* --windows one draws a window per clip variant: its run */
  const uint32_t *item = a.train.one_window ? streams[TR_TRAIN].run : NULL;
  if (a.balance_speakers && !(row_w = speaker_weights(&cl, &ds[TR_TRAIN], item, a.balance_speakers))) {
    fprintf(stderr, "emovox: train: out of memory\n");
    goto out;
  }
  tl_set tr = { ds[TR_TRAIN].n, ds[TR_TRAIN].dim, net_x[TR_TRAIN], ds[TR_TRAIN].y, row_w,
                item };
  tl_set va = { ds[TR_VAL].n, ds[TR_VAL].dim, net_x[TR_VAL], ds[TR_VAL].y, NULL, NULL };
  int trc = train_members(&a, &cfg, &g, &tr, &va, &st, members, &log, err, sizeof err);
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
  int xrc = tl_export(&gm, best, &cfg, &prep, &m, err, sizeof err);
  /* the bundle records how it was made (v4): emovox info shows it, eval warns with it */
  m.provenance = xrc ? NULL : tr_provenance_train(argc, argv, a.data.data, a.data.n_data,
                                                   &cl, &sp, a.train.seed);
  if (!xrc && !m.provenance)
    xrc = -1, snprintf(err, sizeof err, "out of memory");
  if (xrc || evx_bundle_write(&m, a.out, err, sizeof err)) {
    free(m.provenance);
    fprintf(stderr, "emovox: train: %s\n", err);
    goto out;
  }
  free(m.provenance);
  tr_info(&log, "wrote %s (best epoch %d of %d)", a.out, st.early.best_epoch, st.epoch);
  if (side == TR_TRAIN)
    tr_warn(&log, "no held-out data: the report scores the training side");
  rc = report(&a, argc, argv, &cl, &sp, side, &ds[side], &st) ? 1 : 0;
out:
  for (int s = 0; s < TR_N_SIDES; s++)
    tr_dataset_free(&ds[s]);
  tl_state_free(&st);
  free(row_w);
  free(merged);
  for (int s = 0; s < 2; s++) {
    free(net_x[s]);
    tr_streams_free(&streams[s]);
  }
  for (int k = 0; k < MAX_ENSEMBLE; k++)
    free(members[k]);
  tl_prep_free(&prep);
  tr_split_free(&sp);
  tr_cliplist_free(&cl);
  return rc;
}
