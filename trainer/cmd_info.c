/* STUB: 'emovox info' is not built yet. */
#include "cmd.h"
#include <stdio.h>
int cmd_info(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "emovox info: not implemented yet\n"); return 1; }
