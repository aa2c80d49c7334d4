/* cmd_eval.c: 'emovox eval BUNDLE --data ... --report DIR' — scores a bundle
 * on any data with the bundle's own feature configuration, through
 * evx_build_input + evx_net_forward (the plugin's path). An ensemble's
 * networks each score the same windows through their own input kind and
 * speaker statistics, and their probabilities are averaged as the engine
 * averages them. With split options
 * only one side of that split is scored (default: every clip). With --noise
 * and/or --codec every clip is degraded before feature extraction (degrade.h)
 * and the report says how. */
#include "cli.h"
#include "cmd.h"
#include "dataset.h"
#include "degrade.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "learn/bundle_eval.h"
#include "data_args.h"
#include "dataset_adapt.h"
#include "opts.h"
#include "provenance.h"
#include "report.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_lines[] =
  "usage: emovox eval BUNDLE.emvx --data DIR|CSV [--data ...] [--report DIR] [options]\n"
  "       [--noise white|babble --snr DB] [--codec opus:KBPS|mp3:KBPS|vorbis:Q]\n"
  "       [--gain DB [--gain-half]] [--seed N]\n";

/* eval's own options as given (the data, split and degradation options are
 * tr_data_args' and degrade_arg's); --side and --adapt are checked once all
 * are read. */
typedef struct {
  const char *report, *side, *adapt;
  int quiet;
} eval_cli;

static const opt_def options[] = {
  OPT_ROW_STRING("--report", offsetof(eval_cli, report), NULL),   /* in the usage lines */
  OPT_ROW_STRING("--side", offsetof(eval_cli, side),
    "  --side train|val|test  with split options: score only that side (test)\n"),
  OPT_ROW_STRING("--adapt", offsetof(eval_cli, adapt),
    "  --adapt stream|cold|shared   a bundle with speaker adaptation: replay each\n"
    "                        speaker's clips in a shuffled order (--seed) through the\n"
    "                        running statistics, as the plugin hears one voice\n"
    "                        (stream); score every window with the population\n"
    "                        statistics only (cold); or replay all clips, speakers\n"
    "                        interleaved, as one stream (shared: several voices on\n"
    "                        one track with no reset)\n"),
  OPT_ROW_FLAG("--quiet", offsetof(eval_cli, quiet),
    "  --quiet                no corpus summary\n"),
};
#define N_OPTIONS (sizeof options / sizeof options[0])

const opt_def *tr_cmd_eval_options(size_t *n)
{
  *n = N_OPTIONS;
  return options;
}

/* --noise, --snr, --codec, --seed into o. 1 if argv[*i] was one, 0 if not,
 * -1 on a bad value (message printed). */
static int degrade_arg(tr_degrade_opts *o, int *snr_given, int argc, char **argv, int *i)
{
  const char *opt = argv[*i];
  if (!strcmp(opt, "--gain-half"))
    return o->gain_half = 1;
  if (strcmp(opt, "--noise") && strcmp(opt, "--snr") && strcmp(opt, "--codec")
      && strcmp(opt, "--seed") && strcmp(opt, "--gain"))
    return 0;
  if (*i + 1 >= argc) {
    tr_usage_error("eval", "%s needs a value", opt);
    return -1;
  }
  const char *v = argv[++*i];
  char err[512] = "", *end;
  if (!strcmp(opt, "--noise")) {
    tr_degrade_parse_noise(o, v, err, sizeof err);
  } else if (!strcmp(opt, "--codec")) {
    tr_degrade_parse_codec(o, v, err, sizeof err);
  } else if (!strcmp(opt, "--gain")) {
    o->gain_db = strtod(v, &end);
    if (end == v || *end || !(o->gain_db >= -80 && o->gain_db <= 40))
      snprintf(err, sizeof err, "--gain: '%s' is not a number of dB in -80..40", v);
  } else if (!strcmp(opt, "--snr")) {
    o->snr_db = strtod(v, &end);
    *snr_given = 1;
    if (end == v || *end || !(o->snr_db >= -30 && o->snr_db <= 100))
      snprintf(err, sizeof err, "--snr: '%s' is not a number of dB in -30..100", v);
  } else {
    o->seed = strtoull(v, &end, 10);
    if (end == v || *end)
      snprintf(err, sizeof err, "--seed: '%s' is not a whole number", v);
  }
  if (err[0])
    tr_usage_error("eval", "%s", err);
  return err[0] ? -1 : 1;
}

/* net's probabilities on the rows d, added to sum (d->n x n_labels). 0, or
 * -1 when out of memory. */
static int add_probs(const evx_model *net, int adapt_mode, uint64_t seed,
                     const tr_cliplist *cl, tr_dataset *d, int threads, float *sum)
{
  size_t len = d->n * net->n_labels;
  float *one = malloc((len ? len : 1) * sizeof *one);
  int rc = !one || (net->adapt.len && tr_adapt_replay(&net->adapt, adapt_mode, seed, cl, d)) ||
           tl_bundle_predict(net, d->x, d->n, threads, one);
  for (size_t r = 0; !rc && r < d->n; r++)
    evx_ensemble_add(sum + r * net->n_labels, one + r * net->n_labels, net->n_labels, NULL);
  free(one);
  return rc ? -1 : 0;
}

/* Every network of m on the side's windows: ds gets the first network's
 * rows (labels and clips for the report), probs the networks' mean. 0, or -1
 * with a message in err. */
static int predict_all(const evx_model *m, const tr_cliplist *cl, const tr_split *sp, int side,
                       const tr_dataset_opts *o, int adapt_mode, uint64_t seed, int threads,
                       tr_dataset *ds, float **probs, char *err, size_t errlen)
{
  tr_log quiet = { .quiet = 1 };
  uint32_t k = 0;
  for (const evx_model *net = m; net; net = net->next, k++) {
    tr_dataset other = { 0 }, *d = k ? &other : ds;
    tr_dataset_opts ok = *o;
    if (k)
      ok.log = &quiet; /* the corpus summary once */
    int rc = tr_dataset_build(d, cl, sp, side, &net->cfg, &ok, err, errlen);
    if (!rc && k && (d->n != ds->n || memcmp(d->y, ds->y, d->n * sizeof *d->y) ||
                     memcmp(d->clip, ds->clip, d->n * sizeof *d->clip))) {
      snprintf(err, errlen, "network %u of the ensemble sees other windows than network 1", k + 1);
      rc = -1;
    }
    if (!rc && ((!k && !(*probs = calloc(ds->n ? ds->n * m->n_labels : 1, sizeof **probs))) ||
                add_probs(net, adapt_mode, seed, cl, d, threads, *probs))) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    }
    tr_dataset_free(&other);
    if (rc)
      return -1;
  }
  for (size_t r = 0; r < ds->n; r++)
    evx_ensemble_mean(*probs + r * m->n_labels, m->n_labels, k); /* as the engine does */
  return 0;
}

/* Clips scored (those with rows in ds) whose speaker the bundle's provenance
 * lists as a training or validation speaker; *speakers gets how many such
 * speakers, names the first few. */
static size_t seen_clips(const evx_model *m, const tr_cliplist *cl, const tr_dataset *ds,
                         size_t *speakers, char *names, size_t len)
{
  size_t clips = 0;
  *speakers = 0;
  names[0] = '\0';
  if (!m->provenance)
    return 0;
  const char **spk = malloc(sizeof *spk * (ds->n_clips ? ds->n_clips : 1));
  if (!spk)
    return 0;
  size_t ns = 0;
  for (size_t r = 0; r < ds->n; r++) {
    if (r && ds->clip[r] == ds->clip[r - 1])
      continue;   /* a clip's windows are consecutive rows */
    const char *who = cl->clips[ds->clip[r]].speaker;
    if (!tr_provenance_trained_on(m->provenance, who))
      continue;
    clips++;
    size_t k = 0;
    while (k < ns && strcmp(spk[k], who))
      k++;
    if (k == ns && ns < ds->n_clips) {
      spk[ns++] = who;
      size_t used = strlen(names);
      if (ns <= 4)
        snprintf(names + used, len - used, "%s%s", ns > 1 ? ", " : "", who);
      else if (ns == 5)
        snprintf(names + used, len - used, ", ...");
    }
  }
  *speakers = ns;
  free(spk);
  return clips;
}

int tr_cmd_eval(int argc, char **argv)
{
  tr_data_args d;
  tr_data_args_init(&d);
  const char *bundle = NULL;
  eval_cli cli = { .adapt = "stream" };
  int snr_given = 0;
  tr_degrade_opts deg = { .seed = 1 };
  for (int i = 1; i < argc; i++) {
    int r = tr_data_args_parse(&d, argc, argv, &i);
    if (!r)
      r = degrade_arg(&deg, &snr_given, argc, argv, &i);
    if (!r)
      r = tr_opts_parse("eval", options, N_OPTIONS, &cli, argc, argv, &i);
    if (r < 0)
      return 2;
    if (r)
      continue;
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage_lines, stdout);
      tr_opts_help(options, N_OPTIONS, stdout);
      fputs(tr_data_args_help, stdout);
      fputs(tr_degrade_help, stdout);
      return 0;
    } else if (argv[i][0] == '-') {
      return tr_usage_error("eval", "unknown option '%s' (see emovox help eval)", argv[i]);
    } else if (!bundle) {
      bundle = argv[i];
    } else {
      return tr_usage_error("eval", "one bundle at a time: '%s' after '%s'", argv[i], bundle);
    }
  }
  const char *report_dir = cli.report, *side_name = cli.side, *adapt = cli.adapt;
  int quiet = cli.quiet;
  const char *side_v = side_name ? side_name : "test";
  int side = !strcmp(side_v, "train") ? TR_TRAIN : !strcmp(side_v, "val") ? TR_VAL
             : !strcmp(side_v, "test") ? TR_TEST : -1;
  int adapt_mode = !strcmp(adapt, "stream") ? TL_ADAPT_STREAM : !strcmp(adapt, "cold")
                   ? TL_ADAPT_COLD : !strcmp(adapt, "shared") ? TL_ADAPT_SHARED : -1;
  if (side < 0)
    return tr_usage_error("eval", "--side: '%s' is not train, val or test", side_v);
  if (adapt_mode < 0)
    return tr_usage_error("eval", "--adapt: '%s' is not stream, cold or shared", adapt);
  if (!bundle)
    return tr_usage_error("eval", "no bundle given (emovox eval BUNDLE.emvx --data DIR|CSV)");
  if (!d.n_data)
    return tr_usage_error("eval", "no --data given: the clips to score (a corpus directory "
                           "or a CSV manifest)");
  if (side_name && !d.split_given)
    return tr_usage_error("eval", "--side %s needs split options (--test-speakers, "
                           "--folds, --random-split, ...): without them every clip is scored",
                           side_name);
  if ((deg.noise != TR_NOISE_NONE) != snr_given)
    return tr_usage_error("eval", "--noise and --snr go together");
  char err[512], deg_text[256], deg_json[768];
  tr_degrade_describe(&deg, deg_text, sizeof deg_text);
  tr_degrade_json(&deg, deg_json, sizeof deg_json);
  evx_model *m = NULL;
  if (report_dir && tr_output_dir_check(report_dir, err, sizeof err))
    return tr_fail_msg("eval", "--report %s", err);
  if (evx_bundle_load(bundle, &m, err, sizeof err))
    return tr_fail_msg("eval", "%s", err);
  tr_log log = { .quiet = quiet };
  tr_cliplist cl = { 0 };
  tr_split sp = { 0 };
  tr_dataset ds = { 0 };
  float *probs = NULL;
  char *cmd = NULL;
  int rc = 1;
  if (tr_data_args_load(&d, &cl, &log))
    goto out;
  if (d.split_given && tr_split_make(&cl, &d.split, &sp, err, sizeof err)) {
    fprintf(stderr, "emovox: eval: %s\n", err);
    goto out;
  }
  tr_dataset_opts o = { .threads = (unsigned)d.threads, .cache_dir = d.cache, .log = &log,
                         .degrade = &deg };
  if (predict_all(m, &cl, d.split_given ? &sp : NULL, side, &o, adapt_mode, deg.seed,
                  d.threads, &ds, &probs, err, sizeof err)) {
    fprintf(stderr, "emovox: eval: %s\n", err);
    goto out;
  }
  if (ds.skipped && tr_degrade_enabled(&deg))
    fprintf(stderr, "emovox: eval: %zu clip(s) skipped (see the warnings): the degraded "
            "scores cover fewer clips than a clean run would\n", ds.skipped);
  size_t seen_spk = 0;
  char seen_names[256];
  size_t seen = seen_clips(m, &cl, &ds, &seen_spk, seen_names, sizeof seen_names);
  if (!m->provenance && !quiet)
    fprintf(stderr, "emovox: eval: note: %s records no provenance (written before format v4): "
            "whether it was trained on these speakers cannot be checked\n", bundle);
  if (seen)
    fprintf(stderr, "emovox: eval: warning: %zu of %zu clips scored are of %zu speaker%s this "
            "bundle was trained or validated on (%s): the score is not speaker-independent\n",
            seen, ds.n_clips, seen_spk, seen_spk == 1 ? "" : "s", seen_names);
  const char *labels[EVX_MAX_LABELS];
  for (uint32_t i = 0; i < m->n_labels; i++)
    labels[i] = m->labels[i];
  cmd = tr_command_line(argc, argv);
  int adapts = 0;
  for (const evx_model *net = m; net; net = net->next)
    adapts |= net->adapt.len != 0;
  const char *how = !adapts ? ""
                    : adapt_mode == TL_ADAPT_STREAM ? ", speaker-adapted (stream)"
                    : adapt_mode == TL_ADAPT_SHARED ? ", adapted as one shared stream "
                                                      "(speakers interleaved)"
                                                    : ", cold (no speaker adaptation)";
  char what[128];
  if (d.split_given)
    snprintf(what, sizeof what, "%s side of the split%s", tr_side_name(side), how);
  else
    snprintf(what, sizeof what, "every clip given%s", how);
  tr_report r = { .title = "emovox eval", .command = cmd ? cmd : "", .seed = d.split.seed,
                   .bundle = bundle, .cl = &cl, .sp = d.split_given ? &sp : NULL,
                   .evaluated = what, .degradation = deg_text,
                   .degradation_json = deg_json, .n = ds.n, .k = m->n_labels, .labels = labels,
                   .probs = probs, .y = ds.y, .clip = ds.clip };
  double ua_w = 0, ua_c = 0;
  if (tr_report_write(report_dir, &r, &ua_w, &ua_c, err, sizeof err)) {
    fprintf(stderr, "emovox: eval: %s\n", err);
    goto out;
  }
  char seen_note[128] = "";
  if (seen)
    snprintf(seen_note, sizeof seen_note, " -- %zu of these clips are of training speakers",
             seen);
  printf("%s: UA %.1f%% per window, %.1f%% per clip (%zu windows, %zu clips)%s%s%s%s%s\n",
         what, 100 * ua_w, 100 * ua_c, ds.n, ds.n_clips, seen_note,
         d.split_given && sp.random ? " -- " : "",
         d.split_given && sp.random ? tr_split_warning(&sp) : "",
         tr_degrade_enabled(&deg) ? " -- degradation: " : "",
         tr_degrade_enabled(&deg) ? deg_text : "");
  rc = 0;
out:
  free(cmd);
  free(probs);
  tr_dataset_free(&ds);
  if (d.split_given)
    tr_split_free(&sp);
  tr_cliplist_free(&cl);
  evx_model_free(m);
  return rc;
}
