/* STUB: 'emovox eval' is not built yet. */
#include "cmd.h"
#include <stdio.h>
int cmd_eval(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "emovox eval: not implemented yet\n"); return 1; }
