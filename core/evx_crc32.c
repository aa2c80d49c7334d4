/* evx_crc32.c: table-less-at-rest CRC-32; the table is built at compile time
 * by a macro so the function stays reentrant and thread-safe. */
#include "evx_crc32.h"

#define P 0xEDB88320u
#define S1(c) (((c) & 1u) ? (P ^ ((c) >> 1)) : ((c) >> 1))
#define S2(c) S1(S1(c))
#define S4(c) S2(S2(c))
#define S8(c) S4(S4(c))
#define E(n) S8((uint32_t)(n))
#define R4(n) E(n), E(n + 1), E(n + 2), E(n + 3)
#define R16(n) R4(n), R4(n + 4), R4(n + 8), R4(n + 12)
#define R64(n) R16(n), R16(n + 16), R16(n + 32), R16(n + 48)

static const uint32_t crc_table[256] = { R64(0), R64(64), R64(128), R64(192) };

uint32_t evx_crc32(uint32_t crc, const void *data, size_t len)
{
  const unsigned char *p = data;
  crc = ~crc;
  for (size_t i = 0; i < len; i++)
    crc = crc_table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
  return ~crc;
}
