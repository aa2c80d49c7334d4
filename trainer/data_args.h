/* data_args.h: the data and split options `emovox train` and `emovox eval`
 * share, and loading the clips they name. */
#ifndef TR_DATA_ARGS_H
#define TR_DATA_ARGS_H

#include "corpus.h"
#include "split.h"

#define TR_MAX_DATA 16

typedef struct {
  const char *data[TR_MAX_DATA];   /* --data DIR|CSV (repeatable) */
  int n_data;
  const char *cache;               /* --cache DIR */
  tr_split_opts split;            /* --test-speakers, --val-speakers, ... */
  int split_given;                 /* 1 if any split option was given */
  const char *exclude;             /* --exclude-speakers LIST: dropped at load */
  int threads;                     /* --threads (2) */
} tr_data_args;

void tr_data_args_init(tr_data_args *a);

/* If argv[*i] is one of these options, consume it (and its value) and return
 * 1; 0 if it is not; -1 on a bad or missing value (message printed). */
int tr_data_args_parse(tr_data_args *a, int argc, char **argv, int *i);

/* Help text for these options. */
extern const char tr_data_args_help[];

/* Load every --data into cl (logging to log). 0 or -1 (message printed). */
int tr_data_args_load(const tr_data_args *a, tr_cliplist *cl, tr_log *log);

#endif
