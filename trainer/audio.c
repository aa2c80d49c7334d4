/* STUB: replaced by the decoder (issue 3). */
#include "audio.h"
#include <stdio.h>
#include <string.h>
int evx_audio_read(const char *path, evx_audio *a, char *err, size_t errlen) { memset(a, 0, sizeof *a); snprintf(err, errlen, "%s: decoder not implemented", path); return -1; }
void evx_audio_free(evx_audio *a) { (void)a; }
