/* data_args.c: see data_args.h. */
#include "data_args.h"
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char tr_data_args_help[] =
  "  --data DIR|CSV        corpus directory or manifest (repeatable)\n"
  "  --cache DIR           feature cache directory\n"
  "  --threads N           threads (2)\n"
  "  --test-speakers LIST  comma-separated test speakers (e.g. ravdess-17,ravdess-18)\n"
  "  --val-speakers LIST   comma-separated validation speakers (default: --val-frac\n"
  "                        of each corpus's speakers not on test)\n"
  "  --test-frac F         share of each corpus's speakers for test (0.2)\n"
  "  --val-frac F          share for validation (0.1)\n"
  "  --folds K --fold I    leave-speakers-out fold I of K\n"
  "  --split-seed N        seed of the speaker shuffle (1)\n"
  "  --random-split        shuffle clips regardless of speaker (speakers overlap!)\n"
  "  --exclude-speakers LIST   leave these speakers out altogether (e.g. a fixed\n"
  "                        test set kept out of a cross-validation)\n";

void tr_data_args_init(tr_data_args *a)
{
  memset(a, 0, sizeof *a);
  a->split = tr_split_defaults();
  a->threads = 2;
}

static int value(int argc, char **argv, int *i, const char **v)
{
  if (*i + 1 >= argc) {
    tr_usage_error(argv[0], "%s needs a value", argv[*i]);
    return -1;
  }
  *v = argv[++*i];
  return 0;
}

static int number(const char *cmd, const char *opt, const char *v, double lo, double hi,
                  double *out)
{
  if (tr_parse_number(v, lo, hi, out)) {
    tr_usage_error(cmd, "%s: '%s' is not a number in %g..%g", opt, v, lo, hi);
    return -1;
  }
  return 0;
}

int tr_data_args_parse(tr_data_args *a, int argc, char **argv, int *i)
{
  const char *o = argv[*i], *v = NULL;
  double d;
  if (!strcmp(o, "--random-split")) {
    a->split.mode = TR_SPLIT_RANDOM;
    a->split_given = 1;
    return 1;
  }
  static const char *const with_value[] = { "--data", "--cache", "--threads", "--test-speakers",
    "--val-speakers", "--test-frac", "--val-frac", "--folds", "--fold", "--split-seed",
    "--exclude-speakers" };
  size_t k = 0, nk = sizeof with_value / sizeof with_value[0];
  while (k < nk && strcmp(o, with_value[k]))
    k++;
  if (k == nk)
    return 0;
  if (value(argc, argv, i, &v))
    return -1;
  a->split_given |= k >= 3 && k <= 9;
  switch (k) {
  case 0:
    if (a->n_data >= TR_MAX_DATA) {
      tr_usage_error(argv[0], "at most %d --data", TR_MAX_DATA);
      return -1;
    }
    a->data[a->n_data++] = v;
    return 1;
  case 1: a->cache = v; return 1;
  case 2: if (number(argv[0], o, v, 1, 64, &d)) return -1; a->threads = (int)d; return 1;
  case 3: a->split.mode = TR_SPLIT_LIST; a->split.test_speakers = v; return 1;
  case 4: a->split.val_speakers = v; return 1;
  case 5: if (number(argv[0], o, v, 0, 1, &d)) return -1; a->split.test_frac = d; return 1;
  case 6: if (number(argv[0], o, v, 0, 1, &d)) return -1; a->split.val_frac = d; return 1;
  case 7: if (number(argv[0], o, v, 2, 1000, &d)) return -1; a->split.folds = (int)d;
          a->split.mode = TR_SPLIT_FOLD; return 1;
  case 8: if (number(argv[0], o, v, 0, 999, &d)) return -1; a->split.fold = (int)d;
          a->split.mode = TR_SPLIT_FOLD; return 1;
  case 9: if (number(argv[0], o, v, 0, 1e18, &d)) return -1; a->split.seed = (uint64_t)d; return 1;
  default: a->exclude = v; return 1;
  }
}

/* 1 if speaker is one of the comma-separated names in list. */
static int listed(const char *list, const char *speaker)
{
  size_t n = strlen(speaker);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && !strncmp(p, speaker, n))
      return 1;
    p += len + (p[len] == ',');
  }
  return 0;
}

/* Drop the clips of the listed speakers; each name must be in the data. */
static int exclude_speakers(tr_cliplist *cl, const char *list)
{
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ","), i = 0;
    while (i < cl->n && !(strlen(cl->clips[i].speaker) == len &&
                          !strncmp(cl->clips[i].speaker, p, len)))
      i++;
    if (i == cl->n) {
      fprintf(stderr, "emovox: --exclude-speakers: '%.*s' is not a speaker in the data\n",
              (int)len, p);
      return -1;
    }
    p += len + (p[len] == ',');
  }
  size_t k = 0;
  for (size_t i = 0; i < cl->n; i++) {
    if (listed(list, cl->clips[i].speaker))
      free(cl->clips[i].path);
    else
      cl->clips[k++] = cl->clips[i];
  }
  cl->n = k;
  return 0;
}

int tr_data_args_load(const tr_data_args *a, tr_cliplist *cl, tr_log *log)
{
  if (!a->n_data) {
    fprintf(stderr, "emovox: no --data given\n");
    return -1;
  }
  for (int i = 0; i < a->n_data; i++)
    if (tr_corpus_add(cl, a->data[i], log))
      return -1;
  if (a->exclude && exclude_speakers(cl, a->exclude))
    return -1;
  if (!cl->n) {
    fprintf(stderr, "emovox: no usable clips in the data given\n");
    return -1;
  }
  tr_corpus_report(cl, log);
  return 0;
}
