/* learn_fixture.c: see learn_fixture.h. */
#include "learn_fixture.h"
#include "test_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const emotions[8] = { "angry", "calm", "disgust", "fear",
                                         "happy", "neutral", "sad", "surprised" };

const char *lf_make_corpus(int speakers, int clips_each)
{
  static char dir[512];
  const char *tmp = tu_tmpdir();
  if (!tmp)
    return NULL;
  snprintf(dir, sizeof dir, "%s", tmp);
  char path[1024];
  snprintf(path, sizeof path, "%s/manifest.csv", dir);
  FILE *csv = fopen(path, "w");
  if (!csv)
    return NULL;
  fprintf(csv, "path,emotion,speaker\n");
  const size_t n = 16000;
  float *x = malloc(sizeof(float) * n);
  uint64_t rng = 99;
  for (int s = 0; s < speakers; s++)
    for (int e = 0; e < 8; e++)
      for (int c = 0; c < clips_each; c++) {
        double f0 = 150.0 * (1 + s * 0.1) * (1 + e * 0.25), amp = 0.05 + 0.03 * e;
        for (size_t i = 0; i < n; i++)
          x[i] = (float)(amp * sin(2 * M_PI * f0 * (double)i / 16000.0) +
                         0.01 * tu_gauss(&rng));
        char name[64];
        snprintf(name, sizeof name, "s%d_%s_%d.wav", s, emotions[e], c);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (tu_write_wav(path, x, n, 16000)) {
          free(x);
          fclose(csv);
          return NULL;
        }
        fprintf(csv, "%s,%s,spk%d\n", name, emotions[e], s);
      }
  free(x);
  fclose(csv);
  return dir;
}




char *lf_read_text(const char *dir, const char *name)
{
  char path[1024];
  size_t len = 0;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return tu_slurp(path, &len);   /* NUL-terminated */
}
