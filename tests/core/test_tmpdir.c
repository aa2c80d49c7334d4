/* test_tmpdir.c: tu_tmpdir's directories are distinct, stay valid, and are
 * removed with their contents when the test process exits (the suite used to
 * leave hundreds of MB under /tmp per run). */
#include "test_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0;
}

/* A child makes a directory with a nested file, reports its path through a
 * pipe and exits normally; returns the path. */
static void make_in_child(char *path, size_t len, int keep)
{
  int fd[2];
  assert_int_equal(pipe(fd), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(fd[0]);
    if (keep)
      setenv("EVX_KEEP_TMP", "1", 1);
    else
      unsetenv("EVX_KEEP_TMP");
    const char *d = tu_tmpdir();
    char sub[4096], file[4200];
    char mk[4200];
    /* a path too long for the buffers fails the child (checked lengths
     * also keep -Wformat-truncation quiet) */
    int fits = snprintf(sub, sizeof sub, "%s/a/b", d ? d : "") < (int)sizeof sub &&
               snprintf(file, sizeof file, "%s/x.txt", sub) < (int)sizeof file &&
               snprintf(mk, sizeof mk, "mkdir -p '%s' && echo hi > '%s'", sub, file) <
                 (int)sizeof mk;
    int ok = d && fits && system(mk) == 0 && exists(file);
    if (write(fd[1], d ? d : "", d ? strlen(d) : 0) < 0)
      ok = 0;
    close(fd[1]);
    exit(ok ? 0 : 1); /* exit(), not _exit(): atexit handlers run */
  }
  close(fd[1]);
  ssize_t n = read(fd[0], path, len - 1);
  close(fd[0]);
  path[n > 0 ? n : 0] = 0;
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  assert_true(strlen(path) > 0);
}

static void test_distinct_and_stable(void **state)
{
  (void)state;
  const char *a = tu_tmpdir();
  const char *b = tu_tmpdir();
  assert_non_null(a);
  assert_non_null(b);
  assert_string_not_equal(a, b);
  assert_true(exists(a)); /* the first string still names its own directory */
  assert_true(exists(b));
}

static void test_removed_at_exit(void **state)
{
  (void)state;
  char path[4096];
  make_in_child(path, sizeof path, 0);
  assert_false(exists(path));
}

static void test_kept_on_request(void **state)
{
  (void)state;
  char path[4096], cmd[4200];
  make_in_child(path, sizeof path, 1);
  assert_true(exists(path));
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  assert_int_equal(system(cmd), 0);
}

/* A forked child of the creator that exits through exit() must not remove
 * the parent's directories. */
static void test_child_leaves_parent_dirs(void **state)
{
  (void)state;
  const char *d = tu_tmpdir();
  assert_non_null(d);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    exit(0);
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(exists(d));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_distinct_and_stable),
    cmocka_unit_test(test_removed_at_exit),
    cmocka_unit_test(test_kept_on_request),
    cmocka_unit_test(test_child_leaves_parent_dirs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
