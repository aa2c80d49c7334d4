/* checkpoint.h: the whole training state (weights, Adam moments, RNG, epoch,
 * scheduler and early-stopping state, history) in one file, written
 * atomically (temp file, fsync, rename, fsync of the directory) so a kill at
 * any moment leaves either the previous or the new checkpoint. Non-RT. */
#ifndef TR_LEARN_CHECKPOINT_H
#define TR_LEARN_CHECKPOINT_H

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

/* Write len bytes to path atomically and durably (evx_write_atomic; used for
 * every output file). What a kill leaves behind: evx_write_remove_stale. */
int tl_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen);
/* Told each temporary tl_write_atomic makes and removes, with a pointer to an
 * int the hook may keep a slot in (evx_write_opts.on_temp); NULL: nobody.
 * The CLI's interrupt cleanup sets it (tmpfiles.h). */
extern void (*tl_on_temp)(const char *tmp, int live, void *user);

#endif
