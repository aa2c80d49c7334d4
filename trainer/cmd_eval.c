/* cmd_eval.c: 'emovox eval BUNDLE --data ... --report DIR' — scores a bundle
 * on any data with the bundle's own feature configuration, through
 * evx_build_input + evx_net_forward (the plugin's path). With split options
 * only one side of that split is scored (default: every clip). */
#include "cmd.h"
#include "dataset.h"
#include "learn/bundle_eval.h"
#include "learn/data_args.h"
#include "report.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
  "usage: emovox eval BUNDLE.emvx --data DIR|CSV [--data ...] [--report DIR] [options]\n"
  "  --side train|val|test  with split options: score only that side (test)\n"
  "  --quiet                no corpus summary\n";

int cmd_eval(int argc, char **argv)
{
  tl_data_args d;
  tl_data_args_init(&d);
  const char *bundle = NULL, *report_dir = NULL, *side_name = "test";
  int quiet = 0;
  for (int i = 1; i < argc; i++) {
    int r = tl_data_args_parse(&d, argc, argv, &i);
    if (r < 0)
      return 2;
    if (r)
      continue;
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage_text, stdout);
      fputs(tl_data_args_help, stdout);
      return 0;
    } else if (!strcmp(argv[i], "--quiet")) {
      quiet = 1;
    } else if ((!strcmp(argv[i], "--report") || !strcmp(argv[i], "--side")) && i + 1 < argc) {
      *(argv[i][2] == 'r' ? &report_dir : &side_name) = argv[i + 1];
      i++;
    } else if (argv[i][0] != '-' && !bundle) {
      bundle = argv[i];
    } else {
      fprintf(stderr, "emovox eval: unknown option or missing value: %s\n", argv[i]);
      return 2;
    }
  }
  int side = !strcmp(side_name, "train") ? EVX_TRAIN : !strcmp(side_name, "val") ? EVX_VAL
             : !strcmp(side_name, "test") ? EVX_TEST : -1;
  if (!bundle || !d.n_data || side < 0) {
    fputs(usage_text, stderr);
    return 2;
  }
  char err[512];
  evx_model *m = NULL;
  if (evx_bundle_load(bundle, &m, err, sizeof err)) {
    fprintf(stderr, "emovox eval: %s\n", err);
    return 1;
  }
  evx_log log = { .quiet = quiet };
  evx_cliplist cl = { 0 };
  evx_split sp = { 0 };
  evx_dataset ds = { 0 };
  float *probs = NULL;
  char *cmd = NULL;
  int rc = 1;
  if (tl_data_args_load(&d, &cl, &log))
    goto out;
  if (d.split_given && evx_split_make(&cl, &d.split, &sp, err, sizeof err)) {
    fprintf(stderr, "emovox eval: %s\n", err);
    goto out;
  }
  evx_dataset_opts o = { .threads = (unsigned)d.threads, .cache_dir = d.cache, .log = &log };
  if (evx_dataset_build(&ds, &cl, d.split_given ? &sp : NULL, side, &m->cfg, &o, err, sizeof err)) {
    fprintf(stderr, "emovox eval: %s\n", err);
    goto out;
  }
  probs = malloc(sizeof(float) * (ds.n ? ds.n : 1) * m->n_labels);
  if (!probs || tl_bundle_predict(m, ds.x, ds.n, d.threads, probs)) {
    fprintf(stderr, "emovox eval: out of memory\n");
    goto out;
  }
  const char *labels[EVX_MAX_LABELS];
  for (uint32_t i = 0; i < m->n_labels; i++)
    labels[i] = m->labels[i];
  cmd = evx_command_line(argc, argv);
  char what[64];
  snprintf(what, sizeof what, d.split_given ? "%s side of the split" : "every clip given",
           evx_side_name(side));
  evx_report r = { .title = "emovox eval", .command = cmd ? cmd : "", .seed = d.split.seed,
                   .bundle = bundle, .cl = &cl, .sp = d.split_given ? &sp : NULL,
                   .evaluated = what, .n = ds.n, .k = m->n_labels, .labels = labels,
                   .probs = probs, .y = ds.y, .clip = ds.clip };
  double ua_w = 0, ua_c = 0;
  const char *dir = report_dir ? report_dir : NULL;
  if (dir && evx_report_write(dir, &r, &ua_w, &ua_c, err, sizeof err)) {
    fprintf(stderr, "emovox eval: %s\n", err);
    goto out;
  }
  if (dir)
    printf("%s: UA %.1f%% per window, %.1f%% per clip (%zu windows, %zu clips)%s%s\n", what,
           100 * ua_w, 100 * ua_c, ds.n, ds.n_clips,
           d.split_given && sp.random ? " -- " : "",
           d.split_given && sp.random ? evx_split_warning(&sp) : "");
  rc = 0;
out:
  free(cmd);
  free(probs);
  evx_dataset_free(&ds);
  if (d.split_given)
    evx_split_free(&sp);
  evx_cliplist_free(&cl);
  evx_model_free(m);
  return rc;
}
