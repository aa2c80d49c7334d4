/* learn_fixture.h: a tiny synthetic corpus (WAV clips + CSV manifest) and a
 * way to run the real `emovox` binary, for the training tests. */
#ifndef EVX_LEARN_FIXTURE_H
#define EVX_LEARN_FIXTURE_H

#include <sys/types.h>

/* Writes speakers x 8 emotions x clips_each clips of 1 s (class-dependent
 * tones + noise) and DIR/manifest.csv; returns DIR (static) or NULL. */
const char *lf_make_corpus(int speakers, int clips_each);

/* Running the emovox binary: tu_spawn_emovox, tu_run_emovox, tu_wait and
 * tu_slurp in test_util.h. */

/* dir/name as a NUL-terminated string (malloc'd); NULL when missing. */
char *lf_read_text(const char *dir, const char *name);

#endif
