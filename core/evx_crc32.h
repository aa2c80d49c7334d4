/* evx_crc32.h: CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as zlib's
 * crc32(): start with crc = 0, feed pieces in order. Any thread. */
#ifndef EVX_CRC32_H
#define EVX_CRC32_H
#include <stddef.h>
#include <stdint.h>
uint32_t evx_crc32(uint32_t crc, const void *data, size_t len);
#endif
