/* emovox: the command line (features, info, train, eval, analyze).
 * Each subcommand lives in its own cmd_*.c; this file only dispatches. */
#include "cmd.h"
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
  { "features", cmd_features, "features IN [--out OUT.csv]   per-frame features as CSV" },
  { "info",     cmd_info,     "info BUNDLE                    describe a weight bundle" },
  { "train",    cmd_train,    "train --data DIR ... --out B   train a model into a bundle" },
  { "eval",     cmd_eval,     "eval BUNDLE --data DIR ...     evaluate a bundle, write a report" },
  { "analyze",  cmd_analyze,  "analyze FILE... [--csv|--json] [--svg PLOT]  emotion timeline" },
};

static void usage(FILE *f)
{
  fprintf(f, "usage: emovox COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %s\n", commands[i].summary);
}

int main(int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "emovox: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
