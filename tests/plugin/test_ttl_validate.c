/* test_ttl_validate.c: sord_validate of every TTL file in the built bundle,
 * together with the LV2 schemas and specification TTLs, exits 0 and
 * reports no error or warning. Only specification bundles (those with no
 * binary) are read from /usr/lib/lv2: other plugins installed there (e.g.
 * Debian's swh-lv2) have TTL errors of their own that are not ours. */
#include "lv2_host.h"
#include "test_util.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Appends the TTL files of every bundle under /usr/lib/lv2 that holds no
 * shared object (the specification bundles) to cmd. Returns how many. */
static int add_spec_bundles(char *cmd, size_t len)
{
  glob_t g;
  int n = 0;
  if (glob("/usr/lib/lv2/*.lv2", GLOB_ONLYDIR, NULL, &g) != 0)
    return 0;
  for (size_t i = 0; i < g.gl_pathc; i++) {
    char pat[4200];
    glob_t so;
    snprintf(pat, sizeof pat, "%s/*.so", g.gl_pathv[i]);
    int binary = glob(pat, 0, NULL, &so) == 0;
    globfree(&so);
    if (binary)
      continue;
    size_t used = strlen(cmd);
    snprintf(cmd + used, len - used, " '%s'/*.ttl", g.gl_pathv[i]);
    n++;
  }
  globfree(&g);
  return n;
}

static void test_bundle_validates(void **state)
{
  (void)state;
  if (system("command -v sord_validate >/dev/null 2>&1") != 0) {
    print_message("[  SKIP    ] sord_validate not installed (Debian package sordi)\n");
    skip();
  }
  static char cmd[65536];
  snprintf(cmd, sizeof cmd, "sord_validate");
  assert_true(add_spec_bundles(cmd, sizeof cmd) > 0);   /* at least lv2core */
  size_t used = strlen(cmd);
  snprintf(cmd + used, sizeof cmd - used, " '%s'*.ttl 2>&1", th_bundle_dir());
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char line[4096];
  int summary = 0, bad = 0;
  while (fgets(line, sizeof line, p)) {
    if (!strncmp(line, "Found 0 errors", 14)) {
      summary = 1;
      continue;
    }
    if (strstr(line, "error") || strstr(line, "warning")) {
      print_message("sord_validate: %s", line);
      bad++;
    }
  }
  int st = pclose(p);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  assert_int_equal(bad, 0);
  assert_true(summary);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bundle_validates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
