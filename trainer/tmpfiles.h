/* tmpfiles.h: temporary files removed when emovox is interrupted. A file
 * written as temp + rename is registered while it exists; SIGINT or SIGTERM
 * (outside training, which stops at an epoch boundary itself) removes every
 * registered file, then ends the process as the signal would. A SIGKILL
 * cannot be caught: stale temps are removed by the next run instead
 * (tr_tmp_remove_stale, evx_write_remove_stale). Non-RT. */
#ifndef TR_TMPFILES_H
#define TR_TMPFILES_H

/* Installs the SIGINT/SIGTERM handlers (once, from main). */
void tr_tmp_install(void);

/* path joins the registry; the slot, or -1 when the registry is full (the
 * file then is only cleaned by a later run). Thread-safe. */
int tr_tmp_register(const char *path);
/* Leaves the registry (slot from tr_tmp_register; -1 is ignored). */
void tr_tmp_unregister(int slot);

/* Removes the files in dir named "<anything>.<pid>.<x>.tmp"
 * whose pid is no longer running (a killed run's feature-cache temps).
 * Returns how many were removed. */
int tr_tmp_remove_stale(const char *dir);

/* Removes the temporaries a killed write of path left next to it
 * (evx_write_remove_stale). Returns how many. */
int tr_tmp_remove_stale_of(const char *path);

/* evx_write_opts.on_temp for the registry: live 1 registers tmp and keeps its
 * slot in *(int *)slot, live 0 unregisters it. */
void tr_tmp_track(const char *tmp, int live, void *slot);

#endif
