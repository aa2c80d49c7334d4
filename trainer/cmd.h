/* cmd.h: the emovox subcommands. Each gets argv with argv[0] = its name and
 * returns the process exit status (0 ok, 1 failure, 2 usage error). */
#ifndef TR_CMD_H
#define TR_CMD_H
int tr_cmd_features(int argc, char **argv);
int tr_cmd_info(int argc, char **argv);
int tr_cmd_train(int argc, char **argv);
int tr_cmd_eval(int argc, char **argv);
int tr_cmd_analyze(int argc, char **argv);
int tr_cmd_fuse(int argc, char **argv);

/* The option tables of train and eval, which drive their parsing and
 * --help (opts.h). */
#include "opts.h"
const opt_def *tr_cmd_train_options(size_t *n);
const opt_def *tr_cmd_eval_options(size_t *n);
#endif
