/* test_ttl_validate.c: sord_validate of every TTL file in the built bundle,
 * together with the LV2 schemas and specification TTLs, exits 0 and
 * reports no error or warning. */
#include "lv2_host.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void test_bundle_validates(void **state)
{
  (void)state;
  if (system("command -v sord_validate >/dev/null 2>&1") != 0) {
    print_message("[  SKIP    ] sord_validate not installed (Debian package sordi)\n");
    skip();
  }
  char cmd[8192];
  snprintf(cmd, sizeof cmd,
           "sord_validate /usr/lib/lv2/schemas.lv2/*.ttl /usr/lib/lv2/*.lv2/*.ttl "
           "'%s'*.ttl 2>&1", th_bundle_dir());
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
