/* emovox: the command line (features, info, train, eval, analyze).
 * Each subcommand lives in its own cmd_*.c; this file only dispatches. */
#include "cmd.h"
#include "evx_bundle_format.h"
#include "tmpfiles.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef TR_VERSION
#define TR_VERSION "unknown"
#endif

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
  { "features", tr_cmd_features, "features IN [--out OUT.csv]   per-frame features as CSV" },
  { "info",     tr_cmd_info,     "info BUNDLE                    describe a weight bundle" },
  { "train",    tr_cmd_train,    "train --data DIR ... --out B   train a model into a bundle" },
  { "eval",     tr_cmd_eval,     "eval BUNDLE --data DIR ...     score a bundle [--report DIR]" },
  { "fuse",     tr_cmd_fuse,     "fuse OUT A B ...               average trained bundles as one ensemble" },
  { "analyze",  tr_cmd_analyze,  "analyze FILE|-... [--csv|--json] [--svg PLOT]  emotion timeline" },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
  fprintf(f, "usage: emovox COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf(f, "  %s\n", commands[i].summary);
  fprintf(f, "\n`emovox help COMMAND` or `emovox COMMAND --help` for its options; "
             "`emovox --version`.\n");
}

/* Everything a command printed reached standard output, or the status says
 * it did not (a full disk, a closed pipe): no silent loss. */
static int stdout_ok(const char *cmd, int rc)
{
  if ((fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0) || rc)
    return rc;   /* a command that failed has said why */
  fprintf(stderr, "emovox: %s: cannot write standard output: %s\n", cmd, strerror(errno));
  return rc ? rc : 1;
}

int main(int argc, char **argv)
{
  tr_tmp_install();   /* Ctrl-C leaves no temporary files behind */
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      (!strcmp(argv[1], "help") && argc == 2)) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
    printf("emovox %s (reads bundle formats %u..%u)\n", TR_VERSION, EVX_BUNDLE_VERSION_MIN,
           EVX_BUNDLE_NEWEST);
    return stdout_ok("--version", 0);
  }
  /* `emovox help CMD` is `emovox CMD --help` */
  int help = !strcmp(argv[1], "help");
  const char *name = argv[help ? 2 : 1];
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (!strcmp(name, commands[i].name)) {
      char *h[] = { argv[2], "--help", NULL };
      int rc = help ? commands[i].run(2, h) : commands[i].run(argc - 1, argv + 1);
      return stdout_ok(commands[i].name, rc);
    }
  /* one line: what was wrong and what would be right */
  char names[128] = "";
  for (size_t i = 0; i < N_COMMANDS; i++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
             commands[i].name);
  fprintf(stderr, "emovox: %sunknown command '%s' (commands: %s; emovox --help)\n",
          help ? "help: " : "", name, names);
  return 2;
}
