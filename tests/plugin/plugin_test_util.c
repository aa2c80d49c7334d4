/* plugin_test_util.c: see plugin_test_util.h. */
#include "plugin_test_util.h"
#include "lv2_host.h"
#include "test_util.h"
#include "evx_bundle.h"
#include "evx_nn_zoo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

float *ptu_clip(const char *rel, double rate, size_t *n)
{
  char path[4096];
  double src_rate;
  size_t m;
  float *x = tu_read_audio(tu_shared_path(path, sizeof path, rel), &m, &src_rate);
  if (!x || rate == src_rate) {
    *n = x ? m : 0;
    return x;
  }
  size_t k = (size_t)floor((double)(m - 1) * rate / src_rate) + 1;
  float *y = malloc(k * sizeof *y);
  for (size_t i = 0; i < k; i++) {
    double pos = (double)i * src_rate / rate;
    size_t j = (size_t)pos;
    double f = pos - (double)j;
    y[i] = (float)((1.0 - f) * x[j] + f * x[j + 1 < m ? j + 1 : j]);
  }
  free(x);
  *n = k;
  return y;
}

void ptu_check_probs(const float *p)
{
  double sum = 0;
  for (int k = 0; k < EVX_N_EMOTIONS; k++) {
    assert_true(isfinite(p[k]));
    assert_true(p[k] >= 0.0f && p[k] <= 1.0f);
    sum += p[k];
  }
  assert_true(fabs(sum - 1.0) <= 1e-4);
}

int ptu_analyze(const char *file, const char *args, ptu_row **rows)
{
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "'%s/trainer/emovox' analyze --csv %s '%s'", tu_build_root(),
           args ? args : "", file);
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  char line[4096];
  int n = 0, cap = 64;
  *rows = malloc((size_t)cap * sizeof **rows);
  if (!fgets(line, sizeof line, p)) {   /* header */
    pclose(p);
    return -1;
  }
  while (fgets(line, sizeof line, p)) {
    char *s = strrchr(line, '"');       /* after the quoted file name */
    if (!s)
      continue;
    ptu_row r;
    char dom[32];
    int got = sscanf(s + 1, ",%lf,%f,%f,%f,%f,%f,%f,%f,%f,%31[^,],%f,%d,%f,%f", &r.t,
                     &r.probs[0], &r.probs[1], &r.probs[2], &r.probs[3], &r.probs[4],
                     &r.probs[5], &r.probs[6], &r.probs[7], dom, &r.confidence, &r.speech,
                     &r.arousal, &r.valence);
    if (got == 12 && !strncmp(dom, "none", 4))
      r.arousal = r.valence = NAN;   /* no decision: analyze leaves them empty */
    else if (got != 14)
      continue;
    r.dominant = evx_emotion_from_name(dom);
    if (r.dominant < 0)
      r.dominant = EVX_N_EMOTIONS;
    if (n == cap)
      *rows = realloc(*rows, (size_t)(cap *= 2) * sizeof **rows);
    (*rows)[n++] = r;
  }
  return pclose(p) == 0 ? n : -1;
}

const char *ptu_seed_model(char *path, size_t len, const char *name, uint64_t seed)
{
  snprintf(path, len, "%s/%s", tu_tmpdir(), name);
  evx_model *m = evx_model_make_seed(NULL, EVX_N_EMOTIONS, seed);
  assert_non_null(m);
  char err[256];
  assert_int_equal(evx_bundle_write(m, path, err, sizeof err), 0);
  evx_model_free(m);
  return path;
}

int ptu_match_row(const ptu_row *rows, int n, int last, const float *probs, float tol)
{
  for (int i = n - 1; i >= 0 && i >= n - last; i--) {
    int ok = 1;
    for (int k = 0; k < EVX_N_EMOTIONS; k++)
      ok &= fabsf(rows[i].probs[k] - probs[k]) <= tol;
    if (ok)
      return i;
  }
  return -1;
}

void ptu_lv2_path(char *dir, size_t len)
{
  char link[4300];
  snprintf(dir, len, "%s/lv2", tu_tmpdir());
  mkdir(dir, 0755);
  snprintf(link, sizeof link, "%s/emovox.lv2", dir);
  assert_int_equal(symlink(th_bundle_dir(), link), 0);
}
