/* evx_bundle_format.h: the .emvx v1..v4 layout (docs/bundle-format.md) and
 * byte-wise little-endian helpers shared by the reader and the writer. */
#ifndef EVX_BUNDLE_FORMAT_H
#define EVX_BUNDLE_FORMAT_H

#include <stdint.h>
#include <string.h>

#define EVX_BUNDLE_VERSION  2u   /* newest network; v1 = v2 without adaptation */
#define EVX_BUNDLE_VERSION_MIN 1u
#define EVX_BUNDLE_ENSEMBLE 3u   /* v3: 2..EVX_MAX_MEMBERS v1/v2 bundles, averaged */
#define EVX_BUNDLE_PROVENANCE 4u /* v4: as v3 with 1..EVX_MAX_MEMBERS, plus provenance text */
#define EVX_BUNDLE_NEWEST   4u
#define EVX_MAX_PROVENANCE  65536u /* bytes of provenance text */
#define EVX_HEADER_BYTES    128u
#define EVX_LABEL_REC       32u   /* = EVX_LABEL_LEN */
#define EVX_LAYER_REC       64u
#define EVX_TENSOR_REC      64u
#define EVX_TENSOR_NAME     32u
#define EVX_PAYLOAD_ALIGN   64u
#define EVX_CRC_BYTES       4u

static const unsigned char evx_bundle_magic[8] = { 0x89, 'E', 'M', 'V', 'X', '\r', '\n', 0x1a };

/* Header field offsets. */
enum {
  EVX_H_MAGIC = 0, EVX_H_VERSION = 8, EVX_H_HEADER_BYTES = 12, EVX_H_FILE_SIZE = 16,
  EVX_H_CFG = 24,          /* 7 x u32: rate, frame, hop, set, kind, window, update */
  EVX_H_INPUT = 52,        /* 3 x u32: c, h, w */
  EVX_H_NORM = 64,         /* 3 x u32: axis, len, window_mean */
  EVX_H_COUNTS = 76,       /* 3 x u32: labels, layers, tensors */
  EVX_H_ADAPT = 88,        /* v2: u32 len, f32 prior, f32 memory (v1: reserved) */
  EVX_H_RESERVED = 100,    /* zero up to EVX_HEADER_BYTES */
  EVX_H_RESERVED_V1 = 88
};

/* v3 header: magic, version, header size and file size as above, then the
 * member count and a table of (u64 offset, u64 size), one per member; each
 * member is a whole v1/v2 bundle (its own header and CRC) at a 64-byte
 * aligned offset, in order, with zero padding between. */
enum { EVX_E_MEMBERS = 24, EVX_E_RESERVED = 28, EVX_E_TABLE = 64, EVX_E_ENTRY = 16 };

/* v4 adds, in v3's reserved bytes, the provenance text's u64 offset and u64
 * size: UTF-8 "key: value" lines with no NUL, at a 64-byte aligned offset
 * after the last member, ending before the CRC. */
enum { EVX_P_OFFSET = 32, EVX_P_SIZE = 40, EVX_P_END = 48 };

/* Layer record: 8 x u32 (type, out_ch, kh, kw, sh, sw, ph, pw), f32 rate,
 * f32 eps, zero to 64. Tensor record: name[32], u32 ndim, u32 dims[4],
 * u32 zero, u64 offset. */
enum { EVX_L_RATE = 32, EVX_L_EPS = 36, EVX_L_RESERVED = 40 };
enum { EVX_T_NDIM = 32, EVX_T_DIMS = 36, EVX_T_ZERO = 52, EVX_T_OFFSET = 56 };

static inline void evx_put32(unsigned char *p, uint32_t v)
{ p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24); }
static inline void evx_put64(unsigned char *p, uint64_t v)
{ evx_put32(p, (uint32_t)v); evx_put32(p + 4, (uint32_t)(v >> 32)); }
static inline void evx_putf(unsigned char *p, float f)
{ uint32_t v; memcpy(&v, &f, 4); evx_put32(p, v); }
static inline uint32_t evx_get32(const unsigned char *p)
{ return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t evx_get64(const unsigned char *p)
{ return (uint64_t)evx_get32(p) | (uint64_t)evx_get32(p + 4) << 32; }
static inline float evx_getf(const unsigned char *p)
{ uint32_t v = evx_get32(p); float f; memcpy(&f, &v, 4); return f; }

#endif
