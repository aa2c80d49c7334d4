/* evx_bundle.h: reading and writing .emvx bundles
 * (docs/bundle-format.md). A v1/v2 bundle holds one network; a v3 bundle an
 * ensemble of them (the chain from the returned model's next). Non-RT: they
 * allocate and do I/O. */
#ifndef EVX_BUNDLE_H
#define EVX_BUNDLE_H

#include "evx_nn_model.h"

#include <stddef.h>

/* Parse a bundle held in memory into *out (the model copies what it needs;
 * buf may be freed afterwards). 0, or -1 with a specific message in err. */
int evx_bundle_parse(const void *buf, size_t len, evx_model **out,
                     char *err, size_t errlen);
/* Read and parse the bundle at path (evx_bundle_parse). 0, or -1 + message. */
int evx_bundle_load(const char *path, evx_model **out, char *err, size_t errlen);
/* Serialise m into *buf (malloc'd), folding batchnorm into the preceding
 * layer; a chain (m->next) becomes a v3 ensemble. 0, or -1 + message. */
int evx_bundle_serialize(const evx_model *m, void **buf, size_t *len,
                         char *err, size_t errlen);
/* Write m to path atomically: temp file in the same directory, fsync,
 * rename. 0, or -1 + message. */
int evx_bundle_write(const evx_model *m, const char *path, char *err, size_t errlen);

#endif
