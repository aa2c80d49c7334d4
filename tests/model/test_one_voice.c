/* test_one_voice.c: how `emovox analyze` handles the shipped model's
 * speaker adaptation. --one-voice carries it from file to file, and without
 * it every file starts afresh (as a new plugin instance): a clip's timeline
 * after four other clips of the same actor differs from its timeline alone
 * only with --one-voice. --new-voice-at forgets the voice at given times
 * (the plugins' urn:emovox:newVoice): at 0 s of every file it undoes
 * --one-voice, and mid-file it changes only what follows. --voice-at
 * switches voice slots (urn:emovox:voice). */
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

static void new_voice_at_forgets(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  char dir[4096], files[16384], target[4200], one[4300];
  tu_shared_path(dir, sizeof dir, "data/ravdess/Actor_18");
  snprintf(target, sizeof target, "%s/03-01-05-01-01-01-18.flac", dir);
  int k = 0;
  for (int e = 1; e <= 4; e++)
    k += snprintf(files + k, sizeof files - (size_t)k, "'%s/03-01-0%d-01-01-01-18.flac' ",
                  dir, e);
  snprintf(files + k, sizeof files - (size_t)k, "'%s'", target);
  snprintf(one, sizeof one, "'%s'", target);
  char *alone = rows_of(one, "", target);
  char *reset = rows_of(files, "--one-voice --new-voice-at 0", target);
  assert_string_equal(alone, reset);   /* forgotten at the start of each file */

  /* mid-file, after the clip's voiced start: a later row differs, and the
   * rows up to 1.0 s are the same (the 1.5 s window is still being
   * summarised at 1.6 s, so it already meets the new statistics) */
  char *mid = rows_of(one, "--new-voice-at 1.6", target);
  assert_string_not_equal(alone, mid);
  size_t same = 0;
  while (alone[same] && alone[same] == mid[same])
    same++;
  int rows_before = 0;
  for (size_t i = 0; i < same; i++)
    rows_before += alone[i] == '\n';
  assert_true(rows_before >= 2);

  /* --voice-at: voice 1 is the one in use (no change); voice 2 from 1.6 s
   * is a fresh slot, which here is the same as forgetting at 1.6 s */
  char *v1 = rows_of(one, "--voice-at 0:1", target);
  char *v2 = rows_of(one, "--voice-at 1.6:2", target);
  assert_string_equal(alone, v1);
  assert_string_equal(mid, v2);
  free(alone), free(reset), free(mid), free(v1), free(v2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(one_voice_carries_adaptation),
    cmocka_unit_test(new_voice_at_forgets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
