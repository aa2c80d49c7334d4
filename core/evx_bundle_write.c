/* evx_bundle_write.c: model -> .emvx bytes (folding batchnorm into the conv or
 * dense layer before it), and the atomic file write. Non-RT. */
#include "evx_bundle_format.h"
#include "evx_crc32.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_internal.h"
#include "evx_write_atomic.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TENSORS (4 + 4 * EVX_MAX_LAYERS)

typedef struct {
  char name[EVX_TENSOR_NAME];
  uint32_t ndim, dims[4];
  uint64_t elems, offset;
  const float *data;
} out_tensor;

typedef struct {
  evx_model m;               /* the model as written (batchnorm folded) */
  float *owned[2 * EVX_MAX_LAYERS + 1];
  uint32_t n_owned;
  out_tensor t[MAX_TENSORS];
  uint32_t n_t;
} writer;

static float *owned(writer *w, size_t n)
{
  float *p = calloc(n ? n : 1, sizeof *p);
  if (p) w->owned[w->n_owned++] = p;
  return p;
}

static int foldable(const evx_layer *prev, const evx_layer *bn)
{
  return bn->type == EVX_LAYER_BATCHNORM && prev &&
         (prev->type == EVX_LAYER_CONV1D || prev->type == EVX_LAYER_CONV2D ||
          prev->type == EVX_LAYER_DENSE);
}

/* w' = w * g / sqrt(v + eps), b' = (b - mean) * g / sqrt(v + eps) + beta,
 * per output channel; computed in double. */
static int fold(writer *w, evx_layer *conv, const evx_layer *bn)
{
  size_t oc = conv->out_ch, per = (size_t)conv->in.c * conv->kh * conv->kw;
  float *nw = owned(w, oc * per), *nb = owned(w, oc);
  if (!nw || !nb) return -1;
  for (size_t o = 0; o < oc; o++) {
    double s = bn->w.weight[o] / sqrt((double)bn->w.var[o] + bn->eps);
    for (size_t k = 0; k < per; k++) nw[o * per + k] = (float)(conv->w.weight[o * per + k] * s);
    double b = conv->w.bias ? conv->w.bias[o] : 0.0;
    nb[o] = (float)((b - bn->w.mean[o]) * s + bn->w.bias[o]);
  }
  conv->w.weight = nw;
  conv->w.bias = nb;
  return 0;
}

static void add_tensor(writer *w, const char *name, const float *data, uint32_t nd,
                       const uint32_t *dims)
{
  out_tensor *t = &w->t[w->n_t++];
  snprintf(t->name, sizeof t->name, "%s", name);
  t->ndim = nd;
  t->elems = 1;
  for (uint32_t k = 0; k < 4; k++) {
    t->dims[k] = k < nd ? dims[k] : 0;
    if (k < nd) t->elems *= dims[k];
  }
  t->data = data;
}

/* Builds the written model and its tensor list. */
static int prepare(writer *w, const evx_model *src, char *err, size_t errlen)
{
  evx_model *m = &w->m;
  *m = *src;
  m->storage = NULL;
  if (evx_model_finalize(m, err, errlen)) return -1;
  uint32_t n = 0;
  for (uint32_t i = 0; i < src->n_layers; i++) {
    const evx_layer *l = &src->layers[i];
    if (n && foldable(&m->layers[n - 1], l)) {
      if (fold(w, &m->layers[n - 1], l)) return evx_fail(err, errlen, "out of memory");
      continue;
    }
    m->layers[n++] = *l;
  }
  m->n_layers = n;
  if (evx_model_finalize(m, err, errlen)) return -1;
  if (m->norm.len) {
    add_tensor(w, "norm.mean", m->norm.mean, 1, &m->norm.len);
    add_tensor(w, "norm.scale", m->norm.scale, 1, &m->norm.len);
  }
  if (m->adapt.len) {
    add_tensor(w, "adapt.mean", m->adapt.mean, 1, &m->adapt.len);
    add_tensor(w, "adapt.var", m->adapt.var, 1, &m->adapt.len);
  }
  for (uint32_t i = 0; i < n; i++) {
    evx_layer *l = &m->layers[i];
    const float *t[EVX_T_MAX] = { l->w.weight, l->w.bias, l->w.mean, l->w.var };
    if (evx_layer_n_tensors(l->type) == 2 && !t[EVX_T_BIAS]) {
      if (!(l->w.bias = owned(w, l->out_ch))) return evx_fail(err, errlen, "out of memory");
      t[EVX_T_BIAS] = l->w.bias;
    }
    for (int r = 0; r < (int)evx_layer_n_tensors(l->type); r++) {
      uint32_t d[4];
      uint32_t nd = evx_layer_tensor_dims(l, r, d);
      char name[EVX_TENSOR_NAME];
      snprintf(name, sizeof name, "layer%u.%s", i, evx_tensor_role[r]);
      add_tensor(w, name, t[r], nd, d);
    }
  }
  return 0;
}

static void put_header(unsigned char *b, const evx_model *m, uint32_t n_t, uint64_t size)
{
  const evx_feature_config *c = &m->cfg;
  const uint32_t cfg[7] = { c->sample_rate, c->frame_len, c->hop, c->feature_set,
                            c->input_kind, c->window_frames, c->update_frames };
  const uint32_t rest[9] = { m->input.c, m->input.h, m->input.w, m->norm.axis, m->norm.len,
                             m->norm.window_mean, m->n_labels, m->n_layers, n_t };
  memcpy(b + EVX_H_MAGIC, evx_bundle_magic, sizeof evx_bundle_magic);
  /* v1 when there is no adaptation, so such bundles stay readable by v1 readers */
  evx_put32(b + EVX_H_VERSION, m->adapt.len ? EVX_BUNDLE_VERSION : 1u);
  if (m->adapt.len) {
    evx_put32(b + EVX_H_ADAPT, m->adapt.len);
    evx_putf(b + EVX_H_ADAPT + 4, m->adapt.prior);
    evx_putf(b + EVX_H_ADAPT + 8, m->adapt.memory);
  }
  evx_put32(b + EVX_H_HEADER_BYTES, EVX_HEADER_BYTES);
  evx_put64(b + EVX_H_FILE_SIZE, size);
  for (int i = 0; i < 7; i++) evx_put32(b + EVX_H_CFG + 4 * i, cfg[i]);
  for (int i = 0; i < 9; i++) evx_put32(b + EVX_H_INPUT + 4 * i, rest[i]);
}

static void put_layer(unsigned char *p, const evx_layer *l)
{
  const uint32_t v[8] = { l->type, l->out_ch, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw };
  for (int i = 0; i < 8; i++) evx_put32(p + 4 * i, v[i]);
  evx_putf(p + EVX_L_RATE, l->rate);
  evx_putf(p + EVX_L_EPS, l->eps);
}

static void put_tensor(unsigned char *b, unsigned char *rec, const out_tensor *t)
{
  memcpy(rec, t->name, EVX_TENSOR_NAME);
  evx_put32(rec + EVX_T_NDIM, t->ndim);
  for (int k = 0; k < 4; k++) evx_put32(rec + EVX_T_DIMS + 4 * k, t->dims[k]);
  evx_put64(rec + EVX_T_OFFSET, t->offset);
  for (uint64_t i = 0; i < t->elems; i++) evx_putf(b + t->offset + 4 * i, t->data[i]);
}

static int emit(writer *w, void **buf, size_t *len, char *err, size_t errlen)
{
  const evx_model *m = &w->m;
  uint64_t off = EVX_HEADER_BYTES + (uint64_t)m->n_labels * EVX_LABEL_REC +
                 (uint64_t)m->n_layers * EVX_LAYER_REC + (uint64_t)w->n_t * EVX_TENSOR_REC;
  for (uint32_t i = 0; i < w->n_t; i++) {
    off = (off + EVX_PAYLOAD_ALIGN - 1) & ~(uint64_t)(EVX_PAYLOAD_ALIGN - 1);
    w->t[i].offset = off;
    off += w->t[i].elems * 4;
  }
  uint64_t size = off + EVX_CRC_BYTES;
  if (size > EVX_MAX_BUNDLE_BYTES)
    return evx_fail(err, errlen, "bundle of %llu bytes is over the %u-byte limit",
                    (unsigned long long)size, EVX_MAX_BUNDLE_BYTES);
  unsigned char *b = calloc(1, (size_t)size);
  if (!b) return evx_fail(err, errlen, "out of memory");
  put_header(b, m, w->n_t, size);
  unsigned char *p = b + EVX_HEADER_BYTES;
  for (uint32_t i = 0; i < m->n_labels; i++, p += EVX_LABEL_REC)
    memcpy(p, m->labels[i], strnlen(m->labels[i], EVX_LABEL_LEN - 1));
  for (uint32_t i = 0; i < m->n_layers; i++, p += EVX_LAYER_REC) put_layer(p, &m->layers[i]);
  for (uint32_t i = 0; i < w->n_t; i++, p += EVX_TENSOR_REC) put_tensor(b, p, &w->t[i]);
  evx_put32(b + size - EVX_CRC_BYTES, evx_crc32(0, b, (size_t)size - EVX_CRC_BYTES));
  *buf = b;
  *len = (size_t)size;
  return 0;
}

/* One network as a v1/v2 bundle (m->next ignored). */
static int serialize_one(const evx_model *m, void **buf, size_t *len, char *err, size_t errlen)
{
  writer *w = calloc(1, sizeof *w);
  if (!w) return evx_fail(err, errlen, "out of memory");
  int rc = prepare(w, m, err, errlen);
  if (!rc) rc = emit(w, buf, len, err, errlen);
  for (uint32_t i = 0; i < w->n_owned; i++) free(w->owned[i]);
  free(w);
  return rc;
}

/* v3: a header with the member table, then each member's own bundle; v4
 * (m->provenance set): the same, then the provenance text. */
static int serialize_ensemble(const evx_model *m, void **buf, size_t *len,
                              char *err, size_t errlen)
{
  if (evx_ensemble_check(m, err, errlen)) return -1;
  const char *prov = m->provenance;
  size_t prov_len = prov ? strlen(prov) : 0;
  if (prov && (prov_len < 1 || prov_len > EVX_MAX_PROVENANCE))
    return evx_fail(err, errlen, "provenance of %zu bytes (1..%u)", prov_len,
                    EVX_MAX_PROVENANCE);
  void *part[EVX_MAX_MEMBERS] = { 0 };
  size_t plen[EVX_MAX_MEMBERS];
  uint64_t off[EVX_MAX_MEMBERS], size = EVX_HEADER_BYTES;
  uint32_t n = 0;
  int rc = 0;
  for (const evx_model *o = m; o && !rc; o = o->next, n++) {
    char msg[256];
    if (serialize_one(o, &part[n], &plen[n], msg, sizeof msg)) {
      rc = evx_fail(err, errlen, "member %u: %s", n, msg);
      break;
    }
    off[n] = (size + EVX_PAYLOAD_ALIGN - 1) & ~(uint64_t)(EVX_PAYLOAD_ALIGN - 1);
    size = off[n] + plen[n];
  }
  uint64_t prov_off = (size + EVX_PAYLOAD_ALIGN - 1) & ~(uint64_t)(EVX_PAYLOAD_ALIGN - 1);
  if (prov)
    size = prov_off + prov_len;
  size += EVX_CRC_BYTES;
  if (!rc && size > EVX_MAX_BUNDLE_BYTES)
    rc = evx_fail(err, errlen, "ensemble of %llu bytes is over the %u-byte limit",
                  (unsigned long long)size, EVX_MAX_BUNDLE_BYTES);
  unsigned char *b = rc ? NULL : calloc(1, (size_t)size);
  if (!rc && !b) rc = evx_fail(err, errlen, "out of memory");
  if (!rc) {
    memcpy(b + EVX_H_MAGIC, evx_bundle_magic, sizeof evx_bundle_magic);
    evx_put32(b + EVX_H_VERSION, prov ? EVX_BUNDLE_PROVENANCE : EVX_BUNDLE_ENSEMBLE);
    evx_put32(b + EVX_H_HEADER_BYTES, EVX_HEADER_BYTES);
    evx_put64(b + EVX_H_FILE_SIZE, size);
    evx_put32(b + EVX_E_MEMBERS, n);
    for (uint32_t k = 0; k < n; k++) {
      evx_put64(b + EVX_E_TABLE + k * EVX_E_ENTRY, off[k]);
      evx_put64(b + EVX_E_TABLE + k * EVX_E_ENTRY + 8, plen[k]);
      memcpy(b + off[k], part[k], plen[k]);
    }
    if (prov) {
      evx_put64(b + EVX_P_OFFSET, prov_off);
      evx_put64(b + EVX_P_SIZE, prov_len);
      memcpy(b + prov_off, prov, prov_len);
    }
    evx_put32(b + size - EVX_CRC_BYTES, evx_crc32(0, b, (size_t)size - EVX_CRC_BYTES));
    *buf = b;
    *len = (size_t)size;
  }
  for (uint32_t k = 0; k < EVX_MAX_MEMBERS; k++) free(part[k]);
  return rc;
}

int evx_bundle_serialize(const evx_model *m, void **buf, size_t *len, char *err, size_t errlen)
{
  if (!m || !buf || !len) return evx_fail(err, errlen, "no model or output");
  return m->next || m->provenance ? serialize_ensemble(m, buf, len, err, errlen)
                                  : serialize_one(m, buf, len, err, errlen);
}

int evx_bundle_write(const evx_model *m, const char *path, char *err, size_t errlen)
{
  void *buf;
  size_t len;
  if (!path) return evx_fail(err, errlen, "no path");
  if (evx_bundle_serialize(m, &buf, &len, err, errlen)) return -1;
  const evx_write_opts durable = { .durable = 1 };
  int rc = evx_write_atomic(path, buf, len, &durable, err, errlen);
  free(buf);
  return rc;
}
