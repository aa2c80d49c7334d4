/* fuzz_replay.c: the corpus walk both replay tests share (fuzz_replay.h). */
#include "fuzz_replay.h"
#include "test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fr_replay_corpus(fr_run_fn run, const char *taken)
{
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/hardening/fuzz-audio-corpus", tu_source_root());
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  int files = 0, ok = 0, wrong = 0;
  char wrong_names[2048] = "";
  for (struct dirent *e; (e = readdir(dp));) {
    if (e->d_name[0] == '.')
      continue;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t n = 0;
    char *buf = tu_slurp(path, &n);
    if (!buf)
      continue;
    unsigned char *exact = malloc(n ? n : 1);
    memcpy(exact, buf, n);
    free(buf);
    int rc = run(exact, n);
    free(exact);
    files++;
    ok += rc == 0;
    int broken = !strncmp(e->d_name, "broken_", 7);
    int kept = !strncmp(e->d_name, "crash-", 6) || !strncmp(e->d_name, "edge_", 5);
    if (!kept && rc != broken) {
      wrong++;
      strncat(wrong_names, e->d_name, sizeof wrong_names - strlen(wrong_names) - 2);
      strcat(wrong_names, " ");
    }
  }
  closedir(dp);
  print_message("replayed %d corpus files, %d %s, %d refused\n", files, ok, taken, files - ok);
  if (wrong)
    print_message("unexpected outcome for: %s\n", wrong_names);
  assert_true(files >= 20);
  assert_int_equal(wrong, 0);
}
