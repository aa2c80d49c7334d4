/* A model written and read back is the same model: config, labels,
 * normalisation, layers, tensors; batchnorm is folded by the writer and the
 * folded network computes the same outputs; the write is atomic; an ensemble
 * (v3) is its members' own bundles, read back as the same chain. */
#include "test_util.h"
#include "nn_ref.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_net.h"
#include "evx_nn_zoo.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void outputs(const evx_model *m, uint64_t seed, float *p)
{
  evx_shape s = evx_input_shape(&m->cfg);
  size_t n = (size_t)s.c * s.h * s.w;
  float *x = malloc(n * sizeof *x);
  uint64_t rng = seed;
  ref_fill(&rng, x, n, -50, 5);
  size_t sz = evx_net_size(m);
  void *mem = malloc(sz);
  evx_net_forward(evx_net_init(mem, sz, m), x, p);
  free(mem);
  free(x);
}

static void test_seed_roundtrip_is_exact(void **state)
{
  (void)state;
  char err[256], path[512];
  evx_model *m = evx_model_make_seed(NULL, 8, 21), *r = NULL;
  snprintf(path, sizeof path, "%s/seed.emvx", tu_tmpdir());
  assert_int_equal(evx_bundle_write(m, path, err, sizeof err), 0);
  if (evx_bundle_load(path, &r, err, sizeof err)) fail_msg("%s", err);
  assert_memory_equal(&r->cfg, &m->cfg, sizeof m->cfg);
  assert_int_equal(r->n_labels, 8);
  assert_string_equal(r->labels[7], "surprised");
  assert_memory_equal(&r->input, &m->input, sizeof m->input);
  assert_int_equal(r->norm.axis, m->norm.axis);
  assert_int_equal(r->norm.len, m->norm.len);
  assert_memory_equal(r->norm.scale, m->norm.scale, m->norm.len * sizeof(float));
  assert_int_equal(r->n_layers, m->n_layers);
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const evx_layer *a = &m->layers[i], *b = &r->layers[i];
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->out_ch, b->out_ch);
    assert_int_equal(a->kw, b->kw);
    assert_int_equal(a->pw, b->pw);
    assert_memory_equal(&a->out, &b->out, sizeof a->out);
    assert_true(a->rate == b->rate);
    if (a->w.weight) {
      size_t n = (size_t)a->out_ch * a->in.c * a->kh * a->kw;
      assert_memory_equal(a->w.weight, b->w.weight, n * sizeof(float));
      assert_memory_equal(a->w.bias, b->w.bias, a->out_ch * sizeof(float));
      assert_int_equal((uintptr_t)b->w.weight % 64, 0);
    }
  }
  assert_int_equal(evx_model_params(r), evx_model_params(m));
  assert_int_equal(evx_model_flops(r), evx_model_flops(m));
  float p1[8], p2[8];
  outputs(m, 5, p1);
  outputs(r, 5, p2);
  assert_memory_equal(p1, p2, sizeof p1);
  /* Serialising the loaded model gives the same bytes again. */
  void *b1, *b2;
  size_t l1, l2;
  assert_int_equal(evx_bundle_serialize(m, &b1, &l1, err, sizeof err), 0);
  assert_int_equal(evx_bundle_serialize(r, &b2, &l2, err, sizeof err), 0);
  assert_int_equal(l1, l2);
  assert_memory_equal(b1, b2, l1);
  assert_int_equal(l1 % 4, 0);
  free(b1); free(b2);
  evx_model_free(m);
  evx_model_free(r);
}

static void test_batchnorm_is_folded(void **state)
{
  (void)state;
  char err[256];
  evx_model *m = evx_model_make_logmel_cnn(NULL, 8, 22), *r = NULL;
  void *buf;
  size_t len;
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), 0);
  assert_int_equal(evx_bundle_parse(buf, len, &r, err, sizeof err), 0);
  free(buf);
  assert_int_equal(r->n_layers, m->n_layers - 1);
  for (uint32_t i = 0; i < r->n_layers; i++) assert_int_not_equal(r->layers[i].type, EVX_LAYER_BATCHNORM);
  assert_int_equal(r->norm.window_mean, 1);
  float p1[8], p2[8];
  outputs(m, 6, p1);
  outputs(r, 6, p2);
  for (int i = 0; i < 8; i++) assert_float_equal(p1[i], p2[i], 1e-5);
  evx_model_free(m);
  evx_model_free(r);
}

static void test_write_is_atomic(void **state)
{
  (void)state;
  char err[256], dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/atomic", tu_tmpdir());
  snprintf(path, sizeof path, "%s/m.emvx", dir);
  assert_int_equal(system("true"), 0);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  assert_int_equal(system(cmd), 0);
  evx_model *a = evx_model_make_seed(NULL, 8, 1), *b = evx_model_make_seed(NULL, 8, 2), *r;
  assert_int_equal(evx_bundle_write(a, path, err, sizeof err), 0);
  assert_int_equal(evx_bundle_write(b, path, err, sizeof err), 0); /* replaces */
  assert_int_equal(evx_bundle_load(path, &r, err, sizeof err), 0);
  assert_memory_equal(r->layers[0].w.weight, b->layers[0].w.weight, 32 * 5 * sizeof(float));
  DIR *d = opendir(dir); /* no temporary left behind */
  int files = 0;
  for (struct dirent *e; (e = readdir(d));) files += e->d_name[0] != '.';
  closedir(d);
  assert_int_equal(files, 1);
  /* An unwritable place fails cleanly. */
  assert_int_equal(evx_bundle_write(a, "/nonexistent-dir/x.emvx", err, sizeof err), -1);
  assert_non_null(strstr(err, "temporary"));
  evx_model_free(a); evx_model_free(b); evx_model_free(r);
}

static void test_writer_rejects_bad_models(void **state)
{
  (void)state;
  char err[256];
  void *buf = NULL;
  size_t len;
  evx_model *m = evx_model_make_seed(NULL, 8, 3);
  m->n_labels = 7;
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "does not match 7 labels"));
  m->n_labels = 8;
  const float *w = m->layers[4].w.weight;
  m->layers[4].w.weight = NULL;
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "missing weight"));
  m->layers[4].w.weight = w;
  m->layers[4].kw = 200; /* shapes no longer chain (checked before any weight is read) */
  assert_int_equal(evx_model_finalize(m, err, sizeof err), -1);
  assert_non_null(strstr(err, "larger than padded input"));
  assert_null(buf);
  evx_model_free(m);
}

static void test_ensemble_roundtrip(void **state)
{
  (void)state;
  char err[256];
  evx_feature_config ca = evx_feature_config_default(EVX_INPUT_VOICED_STATS);
  evx_feature_config cb = evx_feature_config_default(EVX_INPUT_FRAMES);
  evx_model *m = evx_model_make_seed(&ca, 8, 3), *r = NULL;
  m->next = evx_model_make_seed(&cb, 8, 4);
  void *buf, *part;
  size_t len, plen;
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), 0);
  const unsigned char *b = buf;
  assert_int_equal(b[8], 3); /* format version 3 */
  if (evx_bundle_parse(buf, len, &r, err, sizeof err)) fail_msg("%s", err);
  assert_int_equal(evx_model_members(r), 2);
  assert_int_equal(evx_ensemble_params(r), evx_model_params(m) + evx_model_params(m->next));
  assert_int_equal(evx_ensemble_flops(r), evx_model_flops(m) + evx_model_flops(m->next));
  /* each member is stored as its own bundle, found through the table */
  const evx_model *src = m, *got = r;
  for (int k = 0; k < 2; k++, src = src->next, got = got->next) {
    evx_model one = *src;
    one.next = NULL;
    assert_int_equal(evx_bundle_serialize(&one, &part, &plen, err, sizeof err), 0);
    uint64_t off = 0, size = 0;
    for (int i = 7; i >= 0; i--) {
      off = off << 8 | b[64 + 16 * k + i];
      size = size << 8 | b[64 + 16 * k + 8 + i];
    }
    assert_int_equal(size, plen);
    assert_memory_equal(b + off, part, plen);
    free(part);
    float p1[8], p2[8];
    outputs(src, 9, p1);
    outputs(got, 9, p2);
    assert_memory_equal(p1, p2, sizeof p1);
    assert_int_equal(got->cfg.input_kind, src->cfg.input_kind);
  }
  free(buf);
  evx_model_free(r);
  /* members that would not see the same windows are refused by the writer */
  m->next->cfg.window_frames = 200;
  m->next->input.w = 200;
  assert_int_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "member 1"));
  evx_model_free(m);
}

/* The Python writer's v4 bundles (tests/nn/emvx.py, fixtures made by
 * make_fixtures.py) read and written back by the C writer are the same
 * bytes: provenance text, offsets and padding included. */
static void test_provenance_matches_python_writer(void **state)
{
  (void)state;
  const char *names[] = { "valid_provenance.emvx", "valid_provenance_ensemble.emvx",
                          "valid_ensemble.emvx" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char path[4200], err[512];
    snprintf(path, sizeof path, "%s/tests/nn/fixtures/%s", tu_source_root(), names[i]);
    size_t len = 0, out_len = 0;
    unsigned char *file = (unsigned char *)tu_slurp(path, &len);
    assert_non_null(file);
    evx_model *m = NULL;
    assert_int_equal(evx_bundle_load(path, &m, err, sizeof err), 0);
    void *out = NULL;
    assert_int_equal(evx_bundle_serialize(m, &out, &out_len, err, sizeof err), 0);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, file, len);
    free(out);
    free(file);
    evx_model_free(m);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_roundtrip_is_exact), cmocka_unit_test(test_batchnorm_is_folded),
    cmocka_unit_test(test_write_is_atomic), cmocka_unit_test(test_writer_rejects_bad_models),
    cmocka_unit_test(test_ensemble_roundtrip),
    cmocka_unit_test(test_provenance_matches_python_writer),
  };
  return cmocka_run_group_tests_name("bundle_roundtrip", tests, NULL, NULL);
}
