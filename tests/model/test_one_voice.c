/* test_one_voice.c: `emovox analyze --one-voice` carries the shipped
 * model's speaker adaptation from file to file, and without it every file
 * starts afresh (as a new plugin instance): a clip's timeline after four
 * other clips of the same actor differs from its timeline alone only with
 * --one-voice. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CSV rows `emovox analyze` prints for `target`, run on `files`. */
static char *rows_of(const char *files, const char *flags, const char *target)
{
  char cmd[16384], line[2048];
  snprintf(cmd, sizeof cmd, "'%s/trainer/emovox' analyze %s --csv --model '%s/models/default.emvx' %s",
           tu_build_root(), files, tu_source_root(), flags);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = 1 << 16, n = 0;
  char *out = calloc(cap, 1);
  assert_non_null(out);
  while (fgets(line, sizeof line, p))
    if (strstr(line, target) && n + strlen(line) < cap) {
      strcpy(out + n, line);
      n += strlen(line);
    }
  assert_int_equal(pclose(p), 0);
  assert_true(n > 0);
  return out;
}

static void one_voice_carries_adaptation(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char dir[4096], files[16384], target[4200];
  tu_shared_path(dir, sizeof dir, "data/ravdess/Actor_18");
  snprintf(target, sizeof target, "%s/03-01-05-01-01-01-18.flac", dir);
  int k = 0;
  for (int e = 1; e <= 4; e++)  /* neutral, calm, happy, sad first */
    k += snprintf(files + k, sizeof files - (size_t)k, "'%s/03-01-0%d-01-01-01-18.flac' ",
                  dir, e);
  snprintf(files + k, sizeof files - (size_t)k, "'%s'", target);
  char one[4300];
  snprintf(one, sizeof one, "'%s'", target);
  char *alone = rows_of(one, "", target);
  char *fresh = rows_of(files, "", target);
  char *carried = rows_of(files, "--one-voice", target);
  assert_string_equal(alone, fresh);       /* each file starts afresh */
  assert_string_not_equal(alone, carried); /* the voice carried over */
  free(alone), free(fresh), free(carried);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(one_voice_carries_adaptation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
