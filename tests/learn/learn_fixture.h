/* learn_fixture.h: a tiny synthetic corpus (WAV clips + CSV manifest) and a
 * way to run the real `emovox` binary, for the training tests. */
#ifndef EVX_LEARN_FIXTURE_H
#define EVX_LEARN_FIXTURE_H

#include <sys/types.h>

/* Writes speakers x 8 emotions x clips_each clips of 1 s (class-dependent
 * tones + noise) and DIR/manifest.csv; returns DIR (static) or NULL. */
const char *lf_make_corpus(int speakers, int clips_each);

/* Start build/trainer/emovox with args (NULL-terminated). stop_epoch > 0
 * sets EVX_TRAIN_STOP_AFTER_EPOCH in the child only. Returns the pid. */
pid_t lf_spawn(char *const args[], int stop_epoch);

/* Run to completion; returns the exit status (-1 if killed by a signal). */
int lf_run(char *const args[]);

/* Whole file into memory (malloc'd); NULL when missing. */
unsigned char *lf_slurp(const char *path, size_t *len);

/* dir/name as a NUL-terminated string (malloc'd); NULL when missing. */
char *lf_read_text(const char *dir, const char *name);

#endif
