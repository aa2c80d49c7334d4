/* hardening_util.c: see hardening_util.h. */
#include "hardening_util.h"
#include "test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


double hu_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int hu_write_subset_manifest(const char *path, int clips)
{
  char src[4096];
  FILE *in = fopen(tu_shared_path(src, sizeof src, "data/manifest.csv"), "r");
  FILE *out = in ? fopen(path, "w") : NULL;
  if (!out) {
    if (in)
      fclose(in);
    return -1;
  }
  fprintf(out, "path,emotion,speaker\n");
  char line[2048];
  int rows = 0, seen = 0;
  if (!fgets(line, sizeof line, in))   /* header: path,corpus,speaker,sex,emotion,... */
    line[0] = '\0';
  while (rows < clips && fgets(line, sizeof line, in)) {
    char *f[6] = { 0 }, *save = NULL;
    int nf = 0;
    for (char *t = strtok_r(line, ",", &save); t && nf < 6; t = strtok_r(NULL, ",", &save))
      f[nf++] = t;
    if (nf < 5 || strcmp(f[1], "ravdess") || strncmp(f[2], "ravdess-0", 9) ||
        f[2][9] < '1' || f[2][9] > '4')
      continue;
    if (seen++ % 6)   /* every 6th clip of actors 1..4: 10 per actor */
      continue;
    fprintf(out, "%s/%s,%s,%s\n", tu_shared_path(src, sizeof src, "data"), f[0], f[4], f[2]);
    rows++;
  }
  fclose(in);
  return fclose(out) == 0 ? rows : -1;
}
