/* hash.h: FNV-1a 64, the trainer's one content hash: feature-cache keys,
 * seeds derived from names, checkpoint checksums and fingerprints, a
 * bundle's network identity (emovox info). Not cryptographic. */
#ifndef TL_HASH_H
#define TL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define TR_FNV_OFFSET 0xcbf29ce484222325ull

/* Continue hash h (start with TR_FNV_OFFSET) over n bytes. */
static inline uint64_t tr_fnv1a64(uint64_t h, const void *p, size_t n)
{
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

#endif
