/* checkpoint.h: the whole training state (weights, Adam moments, RNG, epoch,
 * scheduler and early-stopping state, history) in one file, written
 * atomically (temp file, fsync, rename, fsync of the directory) so a kill at
 * any moment leaves either the previous or the new checkpoint. Non-RT. */
#ifndef EVX_LEARN_CHECKPOINT_H
#define EVX_LEARN_CHECKPOINT_H

#include "train_loop.h"
#include <stddef.h>

int tl_checkpoint_write(const char *path, const tl_state *st, char *err, size_t errlen);

/* Read into st (already allocated for st->n_params). Fails (-1, message)
 * when the file is corrupt, or was made for other data or options
 * (fingerprint) or another graph (parameter count). */
int tl_checkpoint_read(const char *path, tl_state *st, uint64_t fingerprint,
                       char *err, size_t errlen);

/* Epochs completed according to the file, or -1 when it is unreadable. */
int tl_checkpoint_epoch(const char *path);

/* Remove what a kill inside tl_write_atomic(path) can leave behind: files
 * named path.tmpXXXXXX (six characters from mkstemp) in path's directory. */
void tl_remove_stale_temps(const char *path);

/* Write len bytes to path atomically (used for every output file). */
int tl_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen);

#endif
