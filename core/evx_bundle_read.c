/* evx_bundle_read.c: .emvx bytes -> model (v3: a chain of them). Trusts nothing: every size is
 * checked (64-bit, overflow-checked) before it is used, and every failure
 * says what is wrong. Non-RT. */
#include "evx_bundle_format.h"
#include "evx_crc32.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TENSORS (4 + 4 * EVX_MAX_LAYERS)

/* A tensor the model expects: its name, dims and where its pointer goes. */
typedef struct {
  char name[EVX_TENSOR_NAME];
  uint32_t ndim, dims[4];
  const float **dst;
  int found;
} want_tensor;

typedef struct {
  const unsigned char *b;
  size_t len;
  evx_model *m;
  want_tensor want[MAX_TENSORS];
  uint32_t n_want;
} reader;

/* What every version shares: size, magic, version (min..max), header
 * size, file size field and CRC. */
static int check_frame(const unsigned char *b, size_t len, uint32_t max_version,
                       char *err, size_t errlen)
{
  if (len < EVX_HEADER_BYTES + EVX_CRC_BYTES)
    return evx_fail(err, errlen, "truncated: %zu bytes, a bundle has at least %u",
                    len, EVX_HEADER_BYTES + EVX_CRC_BYTES);
  if (memcmp(b, evx_bundle_magic, sizeof evx_bundle_magic))
    return evx_fail(err, errlen, "not an emovox bundle (bad magic)");
  uint32_t v = evx_get32(b + EVX_H_VERSION);
  if (v < EVX_BUNDLE_VERSION_MIN || v > EVX_BUNDLE_NEWEST)
    return evx_fail(err, errlen, "unsupported format version %u (this build reads %u..%u)",
                    v, EVX_BUNDLE_VERSION_MIN, EVX_BUNDLE_NEWEST);
  if (v > max_version) /* an ensemble inside an ensemble */
    return evx_fail(err, errlen, "format version %u where a single network (%u..%u) belongs",
                    v, EVX_BUNDLE_VERSION_MIN, max_version);
  if (evx_get32(b + EVX_H_HEADER_BYTES) != EVX_HEADER_BYTES)
    return evx_fail(err, errlen, "header size %u, expected %u",
                    evx_get32(b + EVX_H_HEADER_BYTES), EVX_HEADER_BYTES);
  uint64_t size = evx_get64(b + EVX_H_FILE_SIZE);
  if (size > EVX_MAX_BUNDLE_BYTES)
    return evx_fail(err, errlen, "file size field %llu over the %u-byte limit",
                    (unsigned long long)size, EVX_MAX_BUNDLE_BYTES);
  if (size > len)
    return evx_fail(err, errlen, "truncated: header says %llu bytes, have %zu",
                    (unsigned long long)size, len);
  if (size < len)
    return evx_fail(err, errlen, "%zu trailing bytes after the bundle's %llu",
                    len - (size_t)size, (unsigned long long)size);
  uint32_t stored = evx_get32(b + len - EVX_CRC_BYTES);
  uint32_t crc = evx_crc32(0, b, len - EVX_CRC_BYTES);
  if (stored != crc)
    return evx_fail(err, errlen, "CRC mismatch: stored 0x%08x, computed 0x%08x "
                    "(corrupt file)", stored, crc);
  return 0;
}

static int check_header(reader *r, char *err, size_t errlen)
{
  const unsigned char *b = r->b;
  if (check_frame(b, r->len, EVX_BUNDLE_VERSION, err, errlen)) return -1;
  uint32_t v = evx_get32(b + EVX_H_VERSION);
  for (uint32_t o = v == 1 ? EVX_H_RESERVED_V1 : EVX_H_RESERVED; o < EVX_HEADER_BYTES; o++)
    if (b[o]) return evx_fail(err, errlen, "reserved header byte %u is not zero", o);
  return 0;
}

static void read_header_fields(reader *r)
{
  const unsigned char *b = r->b;
  evx_model *m = r->m;
  uint32_t c[7], v[9];
  for (int i = 0; i < 7; i++) c[i] = evx_get32(b + EVX_H_CFG + 4 * i);
  for (int i = 0; i < 9; i++) v[i] = evx_get32(b + EVX_H_INPUT + 4 * i);
  m->cfg = (evx_feature_config){ c[0], c[1], c[2], c[3], c[4], c[5], c[6] };
  m->input = (evx_shape){ v[0], v[1], v[2] };
  m->norm.axis = v[3]; m->norm.len = v[4]; m->norm.window_mean = v[5];
  m->n_labels = v[6]; m->n_layers = v[7];
  m->adapt.len = evx_get32(b + EVX_H_ADAPT); /* zero in v1 (reserved) */
  m->adapt.prior = evx_getf(b + EVX_H_ADAPT + 4);
  m->adapt.memory = evx_getf(b + EVX_H_ADAPT + 8);
}

static int read_labels(reader *r, const unsigned char *p, char *err, size_t errlen)
{
  for (uint32_t i = 0; i < r->m->n_labels; i++, p += EVX_LABEL_REC) {
    const unsigned char *z = memchr(p, 0, EVX_LABEL_REC);
    if (!z) return evx_fail(err, errlen, "label %u is not NUL-terminated", i);
    for (const unsigned char *q = z; q < p + EVX_LABEL_REC; q++)
      if (*q) return evx_fail(err, errlen, "label %u: bytes after the NUL are not zero", i);
    memcpy(r->m->labels[i], p, EVX_LABEL_LEN);
  }
  return 0;
}

static int read_layers(reader *r, const unsigned char *p, char *err, size_t errlen)
{
  for (uint32_t i = 0; i < r->m->n_layers; i++, p += EVX_LAYER_REC) {
    evx_layer *l = &r->m->layers[i];
    uint32_t v[8];
    for (int k = 0; k < 8; k++) v[k] = evx_get32(p + 4 * k);
    *l = (evx_layer){ .type = v[0], .out_ch = v[1], .kh = v[2], .kw = v[3], .sh = v[4],
                      .sw = v[5], .ph = v[6], .pw = v[7] };
    l->rate = evx_getf(p + EVX_L_RATE);
    l->eps = evx_getf(p + EVX_L_EPS);
    for (uint32_t o = EVX_L_RESERVED; o < EVX_LAYER_REC; o++)
      if (p[o]) return evx_fail(err, errlen, "layer %u: reserved byte %u is not zero", i, o);
  }
  return 0;
}

static void want(reader *r, const char *name, uint32_t nd, const uint32_t *dims,
                 const float **dst)
{
  want_tensor *w = &r->want[r->n_want++];
  snprintf(w->name, sizeof w->name, "%s", name);
  w->ndim = nd;
  memcpy(w->dims, dims, nd * sizeof *dims);
  w->dst = dst;
}

/* The tensors the (shape-checked) layer list and normalisation call for. */
static void list_wanted(reader *r)
{
  evx_model *m = r->m;
  if (m->norm.len) {
    want(r, "norm.mean", 1, &m->norm.len, &m->norm.mean);
    want(r, "norm.scale", 1, &m->norm.len, &m->norm.scale);
  }
  if (m->adapt.len) {
    want(r, "adapt.mean", 1, &m->adapt.len, &m->adapt.mean);
    want(r, "adapt.var", 1, &m->adapt.len, &m->adapt.var);
  }
  for (uint32_t i = 0; i < m->n_layers; i++) {
    evx_layer *l = &m->layers[i];
    const float **dst[EVX_T_MAX] = { &l->w.weight, &l->w.bias, &l->w.mean, &l->w.var };
    for (int t = 0; t < (int)evx_layer_n_tensors(l->type); t++) {
      uint32_t d[4];
      char name[EVX_TENSOR_NAME];
      uint32_t nd = evx_layer_tensor_dims(l, t, d);
      snprintf(name, sizeof name, "layer%u.%s", i, evx_tensor_role[t]);
      want(r, name, nd, d, dst[t]);
    }
  }
}

static void dims_str(char *s, size_t n, uint32_t nd, const uint32_t *d)
{
  int k = snprintf(s, n, "[");
  for (uint32_t i = 0; i < nd && k > 0 && (size_t)k < n; i++)
    k += snprintf(s + k, n - (size_t)k, i ? ",%u" : "%u", d[i]);
  if (k > 0 && (size_t)k < n) snprintf(s + k, n - (size_t)k, "]");
}

/* One directory record: name, dims and payload bounds. */
static int check_record(reader *r, const unsigned char *p, uint32_t i, uint64_t *prev_end,
                        want_tensor **match, uint64_t *elems, char *err, size_t errlen)
{
  const unsigned char *z = memchr(p, 0, EVX_TENSOR_NAME);
  if (!z || z == p) return evx_fail(err, errlen, "tensor %u: name empty or not NUL-terminated", i);
  for (const unsigned char *q = z; q < p + EVX_TENSOR_NAME; q++)
    if (*q) return evx_fail(err, errlen, "tensor %u: bytes after the name's NUL are not zero", i);
  const char *name = (const char *)p;
  uint32_t nd = evx_get32(p + EVX_T_NDIM), d[4];
  if (nd < 1 || nd > 4) return evx_fail(err, errlen, "tensor \"%s\": %u dimensions (1..4)", name, nd);
  *elems = 1;
  for (uint32_t k = 0; k < 4; k++) {
    d[k] = evx_get32(p + EVX_T_DIMS + 4 * k);
    if (k >= nd && d[k]) return evx_fail(err, errlen, "tensor \"%s\": unused dim %u not zero", name, k);
    if (k < nd && (d[k] < 1 || d[k] > EVX_MAX_DIM))
      return evx_fail(err, errlen, "tensor \"%s\": dim %u = %u out of range 1..%u", name, k,
                      d[k], EVX_MAX_DIM);
    if (k < nd && (evx_mul64(*elems, d[k], elems) || *elems > EVX_MAX_TENSOR_ELEMS))
      return evx_fail(err, errlen, "tensor \"%s\": over %u elements", name, EVX_MAX_TENSOR_ELEMS);
  }
  if (evx_get32(p + EVX_T_ZERO)) return evx_fail(err, errlen, "tensor \"%s\": reserved field not zero", name);
  uint64_t off = evx_get64(p + EVX_T_OFFSET), end;
  if (off % EVX_PAYLOAD_ALIGN)
    return evx_fail(err, errlen, "tensor \"%s\": offset %llu not %u-byte aligned", name,
                    (unsigned long long)off, EVX_PAYLOAD_ALIGN);
  if (off < *prev_end)
    return evx_fail(err, errlen, "tensor \"%s\": payload at %llu overlaps what precedes it",
                    name, (unsigned long long)off);
  if (evx_add64(off, *elems * 4, &end) || end > r->len - EVX_CRC_BYTES)
    return evx_fail(err, errlen, "tensor \"%s\": payload runs past the end of the file", name);
  *prev_end = end;
  *match = NULL;
  for (uint32_t k = 0; k < r->n_want; k++)
    if (!strcmp(r->want[k].name, name)) *match = &r->want[k];
  want_tensor *w = *match;
  if (!w) return evx_fail(err, errlen, "unexpected tensor \"%s\" (no layer uses it)", name);
  if (w->found) return evx_fail(err, errlen, "duplicate tensor \"%s\"", name);
  if (w->ndim != nd || memcmp(w->dims, d, nd * sizeof *d)) {
    char a[64], b[64];
    dims_str(a, sizeof a, nd, d);
    dims_str(b, sizeof b, w->ndim, w->dims);
    return evx_fail(err, errlen, "tensor \"%s\" has shape %s, the layer needs %s", name, a, b);
  }
  w->found = 1;
  return 0;
}

static int read_tensors(reader *r, const unsigned char *dir, uint32_t n_t, uint64_t data_start,
                        char *err, size_t errlen)
{
  uint64_t prev_end = data_start, total = 0, elems[MAX_TENSORS];
  want_tensor *match[MAX_TENSORS];
  list_wanted(r);
  for (uint32_t i = 0; i < n_t; i++) {
    if (check_record(r, dir + (size_t)i * EVX_TENSOR_REC, i, &prev_end, &match[i], &elems[i],
                     err, errlen)) return -1;
    total += (elems[i] + 15) & ~(uint64_t)15;
  }
  for (uint32_t k = 0; k < r->n_want; k++)
    if (!r->want[k].found)
      return evx_fail(err, errlen, "missing tensor \"%s\"", r->want[k].name);
  float *store = aligned_alloc(64, (size_t)(total ? total : 16) * sizeof(float));
  if (!store) return evx_fail(err, errlen, "out of memory");
  r->m->storage = store;
  for (uint32_t i = 0; i < n_t; i++) {
    const unsigned char *p = r->b + evx_get64(dir + (size_t)i * EVX_TENSOR_REC + EVX_T_OFFSET);
    for (uint64_t k = 0; k < elems[i]; k++) store[k] = evx_getf(p + 4 * k);
    *match[i]->dst = store;
    store += (elems[i] + 15) & ~(uint64_t)15;
  }
  return 0;
}

static int parse(reader *r, char *err, size_t errlen)
{
  if (check_header(r, err, errlen)) return -1;
  read_header_fields(r);
  evx_model *m = r->m;
  uint32_t n_t = evx_get32(r->b + EVX_H_COUNTS + 8);
  if (m->n_labels < 1 || m->n_labels > EVX_MAX_LABELS)
    return evx_fail(err, errlen, "%u labels (need 1..%u)", m->n_labels, EVX_MAX_LABELS);
  if (m->n_layers < 1 || m->n_layers > EVX_MAX_LAYERS)
    return evx_fail(err, errlen, "%u layers (need 1..%u)", m->n_layers, EVX_MAX_LAYERS);
  if (n_t > MAX_TENSORS)
    return evx_fail(err, errlen, "%u tensors (at most %u)", n_t, MAX_TENSORS);
  uint64_t labels = EVX_HEADER_BYTES, layers = labels + (uint64_t)m->n_labels * EVX_LABEL_REC;
  uint64_t dir = layers + (uint64_t)m->n_layers * EVX_LAYER_REC;
  uint64_t data = dir + (uint64_t)n_t * EVX_TENSOR_REC;
  if (data > r->len - EVX_CRC_BYTES)
    return evx_fail(err, errlen, "truncated: the label, layer and tensor tables need %llu "
                    "bytes, have %zu", (unsigned long long)data, r->len - EVX_CRC_BYTES);
  if (read_labels(r, r->b + labels, err, errlen) || read_layers(r, r->b + layers, err, errlen))
    return -1;
  if (evx_model_infer_shapes(m, err, errlen)) return -1;
  if (m->norm.len) { /* the tensor list depends on a sane normalisation */
    uint32_t dims[3] = { m->input.c, m->input.h, m->input.w };
    if (m->norm.axis > 2 || m->norm.len != dims[m->norm.axis])
      return evx_fail(err, errlen, "normalisation: length %u along axis %u does not match "
                      "the input {%u,%u,%u}", m->norm.len, m->norm.axis, dims[0], dims[1], dims[2]);
  }
  /* frame mode (evx_adapt.h): one statistic per feature of a frame matrix */
  uint64_t adapt_len = evx_shape_elems(m->input) / evx_adapt_frames(&m->cfg);
  if (m->adapt.len && m->adapt.len != adapt_len)
    return evx_fail(err, errlen, "adaptation: length %u does not match the input size %llu",
                    m->adapt.len, (unsigned long long)adapt_len);
  if (read_tensors(r, r->b + dir, n_t, data, err, errlen)) return -1;
  return evx_model_finalize(m, err, errlen);
}

/* One v1/v2 network. */
static int parse_one(const unsigned char *buf, size_t len, evx_model **out,
                     char *err, size_t errlen)
{
  reader *r = calloc(1, sizeof *r);
  evx_model *m = calloc(1, sizeof *m);
  if (!r || !m) { free(r); free(m); return evx_fail(err, errlen, "out of memory"); }
  r->b = buf;
  r->len = len;
  r->m = m;
  int rc = parse(r, err, errlen);
  free(r);
  if (rc) evx_model_free(m);
  else *out = m;
  return rc;
}

/* v4: the provenance text at [off, off + size): after the members (prev_end),
 * aligned, before the CRC, no NUL. A copy goes to m->provenance. */
static int parse_provenance(const unsigned char *b, size_t len, uint64_t prev_end,
                            evx_model *m, char *err, size_t errlen)
{
  uint64_t off = evx_get64(b + EVX_P_OFFSET), size = evx_get64(b + EVX_P_SIZE), end;
  if (size < 1 || size > EVX_MAX_PROVENANCE)
    return evx_fail(err, errlen, "provenance of %llu bytes (need 1..%u)",
                    (unsigned long long)size, EVX_MAX_PROVENANCE);
  if (off % EVX_PAYLOAD_ALIGN || off < prev_end || evx_add64(off, size, &end) ||
      end > len - EVX_CRC_BYTES)
    return evx_fail(err, errlen, "provenance: bytes %llu..+%llu are not an aligned range "
                    "after the last member inside the file", (unsigned long long)off,
                    (unsigned long long)size);
  if (memchr(b + off, 0, (size_t)size))
    return evx_fail(err, errlen, "provenance text holds a NUL byte");
  if (!(m->provenance = malloc((size_t)size + 1)))
    return evx_fail(err, errlen, "out of memory");
  memcpy(m->provenance, b + off, (size_t)size);
  m->provenance[size] = '\0';
  return 0;
}

/* v3/v4: the member table, then each member as a bundle of its own (v4:
 * then the provenance text). */
static int parse_ensemble(const unsigned char *b, size_t len, evx_model **out,
                          char *err, size_t errlen)
{
  if (check_frame(b, len, EVX_BUNDLE_NEWEST, err, errlen)) return -1;
  int v4 = evx_get32(b + EVX_H_VERSION) == EVX_BUNDLE_PROVENANCE;
  uint32_t n = evx_get32(b + EVX_E_MEMBERS), min = v4 ? 1 : 2;
  if (n < min || n > EVX_MAX_MEMBERS)
    return evx_fail(err, errlen, "%s of %u members (need %u..%u)", v4 ? "bundle" : "ensemble",
                    n, min, EVX_MAX_MEMBERS);
  for (uint32_t o = EVX_E_RESERVED; o < EVX_HEADER_BYTES; o++)
    if ((o < EVX_E_TABLE || o >= EVX_E_TABLE + n * EVX_E_ENTRY) &&
        !(v4 && o >= EVX_P_OFFSET && o < EVX_P_END) && b[o])
      return evx_fail(err, errlen, "reserved header byte %u is not zero", o);
  evx_model *head = NULL, **tail = &head;
  uint64_t prev_end = EVX_HEADER_BYTES;
  for (uint32_t k = 0; k < n; k++) {
    const unsigned char *e = b + EVX_E_TABLE + k * EVX_E_ENTRY;
    uint64_t off = evx_get64(e), size = evx_get64(e + 8), end;
    char msg[256];
    if (off % EVX_PAYLOAD_ALIGN || off < prev_end || evx_add64(off, size, &end) ||
        end > len - EVX_CRC_BYTES) {
      evx_model_free(head);
      return evx_fail(err, errlen, "member %u: bytes %llu..+%llu are not an aligned range "
                      "after the %s inside the file", k, (unsigned long long)off,
                      (unsigned long long)size, k ? "previous member" : "header");
    }
    prev_end = end;
    if (parse_one(b + off, (size_t)size, tail, msg, sizeof msg)) {
      evx_model_free(head);
      return evx_fail(err, errlen, "member %u: %s", k, msg);
    }
    tail = &(*tail)->next;
  }
  if (evx_ensemble_check(head, err, errlen) ||
      (v4 && parse_provenance(b, len, prev_end, head, err, errlen))) {
    evx_model_free(head);
    return -1;
  }
  *out = head;
  return 0;
}

int evx_bundle_parse(const void *buf, size_t len, evx_model **out, char *err, size_t errlen)
{
  if (!out) return evx_fail(err, errlen, "no output");
  *out = NULL;
  if (!buf) return evx_fail(err, errlen, "no data");
  const unsigned char *b = buf;
  uint32_t v = len >= EVX_H_VERSION + 4 ? evx_get32(b + EVX_H_VERSION) : 0;
  if (v == EVX_BUNDLE_ENSEMBLE || v == EVX_BUNDLE_PROVENANCE)
    return parse_ensemble(b, len, out, err, errlen);
  return parse_one(b, len, out, err, errlen);
}

int evx_bundle_load(const char *path, evx_model **out, char *err, size_t errlen)
{
  char msg[256];
  if (out) *out = NULL;
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f) return evx_fail(err, errlen, "%s: cannot open: %s", path ? path : "(null)", strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
    fclose(f);
    return evx_fail(err, errlen, "%s: not a regular file", path);
  }
  if (st.st_size > (off_t)EVX_MAX_BUNDLE_BYTES) {
    fclose(f);
    return evx_fail(err, errlen, "%s: file of %lld bytes is over the %u-byte limit", path,
                    (long long)st.st_size, EVX_MAX_BUNDLE_BYTES);
  }
  size_t n = (size_t)st.st_size;
  unsigned char *buf = malloc(n ? n : 1);
  size_t got = buf ? fread(buf, 1, n, f) : 0;
  fclose(f);
  if (!buf || got != n) {
    free(buf);
    return evx_fail(err, errlen, "%s: read failed", path);
  }
  int rc = evx_bundle_parse(buf, n, out, msg, sizeof msg);
  free(buf);
  if (rc) return evx_fail(err, errlen, "%s: %s", path, msg);
  return 0;
}
