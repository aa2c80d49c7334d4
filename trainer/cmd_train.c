/* STUB: 'emovox train' is not built yet. */
#include "cmd.h"
#include <stdio.h>
int cmd_train(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "emovox train: not implemented yet\n"); return 1; }
