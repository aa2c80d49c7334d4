/* opts.h: a command's options as one table (name, argument kind, target,
 * help) that drives both the parsing of its command line and its --help
 * text, so that every option parsed is documented and every option
 * documented is parsed. Targets are offsets into the command's own options
 * struct. Usage errors keep the one-line shape of cli.h. Non-RT. */
#ifndef TRAINER_OPTS_H
#define TRAINER_OPTS_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
  OPT_FLAG,     /* no value: the int target becomes 1 */
  OPT_STRING,   /* const char *: the value as given */
  OPT_REAL,     /* double: a number in lo..hi */
  OPT_INT,      /* int: a number in lo..hi, truncated */
  OPT_U32,      /* uint32_t: likewise */
  OPT_U64,      /* uint64_t: likewise */
  OPT_CHOICE,   /* int: the value of the named choice */
  OPT_RANGE     /* two doubles (at, at_hi): "LO:HI", lo <= LO <= HI <= hi */
} opt_kind;

typedef struct {
  const char *name;
  int value;
} opt_choice;

typedef struct {
  const char *name;               /* "--lr" */
  opt_kind kind;
  size_t at;                      /* offsetof the target */
  size_t at_hi;                   /* RANGE: offsetof HI's target */
  double lo, hi;                  /* numbers and ranges */
  const opt_choice *choices;      /* CHOICE: in the order messages name them; {NULL} ends */
  int sets;                       /* 1: also set the int at `set_at` to 1 when given */
  size_t set_at;
  const char *help;               /* its lines of --help, or NULL when another
                                     option's lines (or the usage line) name it */
} opt_def;

/* Table rows, one shape per kind (at, at_hi, set_at: offsetof the targets). */
#define OPT_ROW_FLAG(nm, at, help)                  { nm, OPT_FLAG, at, 0, 0, 0, NULL, 0, 0, help }
#define OPT_ROW_STRING(nm, at, help)                { nm, OPT_STRING, at, 0, 0, 0, NULL, 0, 0, help }
#define OPT_ROW_NUMBER(nm, kind, at, lo, hi, help)  { nm, kind, at, 0, lo, hi, NULL, 0, 0, help }
#define OPT_ROW_CHOICE(nm, at, choices, help)       { nm, OPT_CHOICE, at, 0, 0, 0, choices, 0, 0, help }
#define OPT_ROW_RANGE(nm, at, at_hi, lo, hi, set_at, help) \
  { nm, OPT_RANGE, at, at_hi, lo, hi, NULL, 1, set_at, help }

/* If argv[*i] is an option of the table (n entries), stores its value into
 * base and returns 1, having consumed the value (*i moves past it); 0 if it
 * is none of them; -1 after printing the usage error of cmd
 * ("emovox: cmd: --lr needs a number in 1e-09..10, not 'x'"). */
int tr_opts_parse(const char *cmd, const opt_def *t, size_t n, void *base, int argc, char **argv,
               int *i);

/* The table's help lines, in order. */
void tr_opts_help(const opt_def *t, size_t n, FILE *f);

#endif
