/* fuzz_replay.h: replaying tests/hardening/fuzz-audio-corpus/ through an
 * in-process fuzz harness, with the corpus's naming rules judged in one
 * place. */
#ifndef EVX_FUZZ_REPLAY_H
#define EVX_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* One input through the harness: 0 when it was taken (analysed, gave
 * features), 1 when it was refused, anything else is wrong. */
typedef int (*fr_run_fn)(const uint8_t *data, size_t n);

/* Feeds every corpus file to run() from a buffer of its exact size (so
 * ASan sees over-reads) and asserts the outcomes: broken_* must be refused,
 * edge_* and crash-* may go either way, every other file must be taken;
 * at least 20 files. `taken` names the success in the summary line. */
void fr_replay_corpus(fr_run_fn run, const char *taken);

#endif
