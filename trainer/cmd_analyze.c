/* STUB: 'emovox analyze' is not built yet. */
#include "cmd.h"
#include <stdio.h>
int cmd_analyze(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "emovox analyze: not implemented yet\n"); return 1; }
