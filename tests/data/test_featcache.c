/* Feature cache: a second read is a hit with identical frames; content,
 * configuration and augmentation change the key (speed, gain and channel
 * each on their own too); bad entries are recomputed; no temp files are
 * left behind. */
#include "test_util.h"
#include "fixture.h"
#include "featcache.h"
#include "evx_features.h"
#include <dirent.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const evx_feature_config cfg = { 16000, 400, 160, 1, EVX_INPUT_SUMMARY, 100, 50 };

static size_t files_in(const char *dir, const char *suffix)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t n = 0, ls = strlen(suffix);
  while (d && (e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    n += e->d_name[0] != '.' && l >= ls && !strcmp(e->d_name + l - ls, suffix);
  }
  if (d)
    closedir(d);
  return n;
}

static void get(tr_featcache *fc, const char *path, const evx_feature_config *c,
                const tr_augment_params *aug, float **f, size_t *nf)
{
  char err[512];
  int rc = tr_featcache_frames(fc, path, c, aug, NULL, f, nf, err, sizeof err);
  if (rc)
    print_error("%s\n", err);
  assert_int_equal(rc, 0);
  assert_true(*nf > 0);
}

static void second_read_hits(void **state)
{
  (void)state;
  const char *root = tu_tmpdir();
  char wav[4096], cache[4096];
  fx_tone(root, "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1.0);
  snprintf(wav, sizeof wav, "%s/a.wav", root);
  snprintf(cache, sizeof cache, "%s/cache", root);
  tr_featcache fc = { cache, 0, 0, 0, 0 };
  float *a, *b, *direct;
  size_t na, nb, nd;
  get(&fc, wav, &cfg, NULL, &a, &na);
  assert_int_equal(fc.extractions, 1);
  assert_int_equal(fc.writes, 1);
  get(&fc, wav, &cfg, NULL, &b, &nb);
  assert_int_equal(fc.extractions, 1);
  assert_int_equal(fc.hits, 1);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, na * EVX_NFEAT * sizeof *a);
  size_t n;
  double rate;
  float *x = tu_read_audio(wav, &n, &rate);
  assert_int_equal(evx_features_of_signal(x, n, rate, &direct, &nd), 0);
  assert_int_equal(nd, na); /* the one feature path, unchanged by caching */
  assert_memory_equal(a, direct, na * EVX_NFEAT * sizeof *a);
  free(x);
  free(direct);
  free(b);

  /* a different frame configuration or augmentation is another entry */
  evx_feature_config other = cfg;
  other.hop = 80;
  get(&fc, wav, &other, NULL, &b, &nb);
  free(b);
  tr_augment_params p = { .snr_db = 20, .rate = 1.1, .noise_seed = 5, .speed = 1 };
  get(&fc, wav, &cfg, &p, &b, &nb);
  free(b);
  assert_int_equal(fc.extractions, 3);
  get(&fc, wav, &cfg, &p, &b, &nb);
  free(b);
  assert_int_equal(fc.hits, 2);

  /* the window settings do not change frames: same entry */
  other = cfg;
  other.window_frames = 300;
  get(&fc, wav, &other, NULL, &b, &nb);
  free(b);
  assert_int_equal(fc.hits, 3);

  /* new content, same name: a miss */
  fx_tone(root, "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1.2);
  get(&fc, wav, &cfg, NULL, &b, &nb);
  free(b);
  assert_int_equal(fc.extractions, 4);
  assert_int_equal(files_in(cache, ".evxf"), 4);
  assert_int_equal(files_in(cache, ".tmp"), 0);
  free(a);
}

static void bad_entry_is_recomputed(void **state)
{
  (void)state;
  char wav[4096], cache[4096], cmd[8300];
  fx_tone_with_cache("b", 0.5, wav, cache, sizeof wav);
  tr_featcache fc = { cache, 0, 0, 0, 0 };
  float *a, *b;
  size_t na, nb;
  get(&fc, wav, &cfg, NULL, &a, &na);
  snprintf(cmd, sizeof cmd, "truncate -s 100 %s/*.evxf", cache);
  assert_int_equal(system(cmd), 0);
  get(&fc, wav, &cfg, NULL, &b, &nb);
  assert_int_equal(fc.bad, 1);
  assert_int_equal(fc.extractions, 2);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, na * EVX_NFEAT * sizeof *a);
  free(a);
  free(b);
  get(&fc, wav, &cfg, NULL, &b, &nb);
  assert_int_equal(fc.hits, 1);
  free(b);
}

static void missing_file_is_an_error_naming_it(void **state)
{
  (void)state;
  tr_featcache fc = { NULL, 0, 0, 0, 0 };
  float *f;
  size_t nf;
  char err[512];
  assert_int_equal(tr_featcache_frames(&fc, "/nonexistent/x.wav", &cfg, NULL, NULL, &f, &nf,
                                        err, sizeof err), -1);
  assert_non_null(strstr(err, "/nonexistent/x.wav"));
}

/* A variant with only a gain, only a speed or only a channel is not the
 * identity: each is its own entry (its own frames), a hit when read again. */
static void speed_gain_channel_are_their_own_entries(void **state)
{
  (void)state;
  char wav[4096], cache[4096];
  fx_tone_with_cache("c", 1.0, wav, cache, sizeof wav);
  tr_featcache fc = { cache, 0, 0, 0, 0 };
  float *id, *f[3];
  size_t nid, nf[3];
  get(&fc, wav, &cfg, NULL, &id, &nid);
  tr_augment_params p[3] = { { .rate = 1, .speed = 1, .gain_db = -6 },
                              { .rate = 1, .speed = 1.1 },
                              { .rate = 1, .speed = 1, .channel = TR_CH_PHONE } };
  for (int i = 0; i < 3; i++) {
    get(&fc, wav, &cfg, &p[i], &f[i], &nf[i]);
    assert_int_equal(fc.extractions, 2 + i);   /* a miss: not the identity's entry */
    assert_true(nf[i] != nid || memcmp(f[i], id, nid * EVX_NFEAT * sizeof *id));
  }
  assert_true(nf[1] < nid);   /* faster: shorter */
  for (int i = 0; i < 3; i++) {
    float *again;
    size_t na;
    get(&fc, wav, &cfg, &p[i], &again, &na);
    assert_int_equal(fc.hits, 1 + i);
    assert_int_equal(na, nf[i]);
    assert_memory_equal(again, f[i], na * EVX_NFEAT * sizeof *again);
    free(again);
    free(f[i]);
  }
  assert_int_equal(fc.extractions, 4);
  assert_int_equal(files_in(cache, ".evxf"), 4);
  free(id);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(second_read_hits),
    cmocka_unit_test(bad_entry_is_recomputed),
    cmocka_unit_test(speed_gain_channel_are_their_own_entries),
    cmocka_unit_test(missing_file_is_an_error_naming_it),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
