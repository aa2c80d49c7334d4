/* STUB: 'emovox features' is not built yet. */
#include "cmd.h"
#include <stdio.h>
int cmd_features(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "emovox features: not implemented yet\n"); return 1; }
