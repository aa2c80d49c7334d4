/* test_tmpfiles.c: temporary files do not outlive an interrupted emovox.
 * A registered temp is removed by SIGINT and SIGTERM, and the process still
 * ends by the signal; an unregistered (renamed) file is left alone; the
 * next run removes the feature-cache temps of a killed run (dead pid) but
 * not those of a run still going; a piped train shows its feature
 * extraction as plain progress lines. */
#include "learn/checkpoint.h"
#include "test_util.h"
#include "evx_write_atomic.h"
#include "tmpfiles.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(const char *p)
{
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs("x", f);
  fclose(f);
}

static void test_signal_removes_registered(void **state)
{
  (void)state;
  const char *dir = tu_tmpdir();
  int sigs[] = { SIGINT, SIGTERM };
  for (int k = 0; k < 2; k++) {
    char tmp[4200], kept[4200];
    snprintf(tmp, sizeof tmp, "%s/a.evxf.%d.tmp", dir, k);
    snprintf(kept, sizeof kept, "%s/done.evxf", dir);
    pid_t pid = fork();
    if (pid == 0) {
      tr_tmp_install();
      touch(tmp);
      tr_tmp_register(tmp);
      touch(kept);
      tr_tmp_unregister(tr_tmp_register(kept));   /* finished: renamed into place */
      raise(sigs[k]);
      _exit(0);   /* not reached */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == sigs[k]);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_equal(access(kept, F_OK), 0);
  }
}

static void test_stale_temps_of_dead_runs(void **state)
{
  (void)state;
  const char *dir = tu_tmpdir();
  pid_t dead = fork();
  if (dead == 0)
    _exit(0);
  waitpid(dead, NULL, 0);   /* its pid is free now */
  char stale[4200], live[4200], other[4200];
  snprintf(stale, sizeof stale, "%s/0123456789abcdef.evxf.%d.7ffc1234.tmp", dir, (int)dead);
  snprintf(live, sizeof live, "%s/0123456789abcdef.evxf.%d.7ffc1234.tmp", dir, (int)getpid());
  snprintf(other, sizeof other, "%s/notes.tmp", dir);
  touch(stale);
  touch(live);
  touch(other);
  assert_int_equal(tr_tmp_remove_stale(dir), 1);
  assert_int_not_equal(access(stale, F_OK), 0);
  assert_int_equal(access(live, F_OK), 0);    /* its run is still going */
  assert_int_equal(access(other, F_OK), 0);   /* not one of ours */
  /* a killed checkpoint write's temp (mkstemp's 6 characters) */
  char ckpt[4200], ctmp[4300];
  snprintf(ckpt, sizeof ckpt, "%s/model.ckpt", dir);
  snprintf(ctmp, sizeof ctmp, "%s.tmpAbC123", ckpt);
  touch(ctmp);
  evx_write_remove_stale(ckpt);
  assert_int_not_equal(access(ctmp, F_OK), 0);
  /* a killed bundle write's temp (evx_bundle_write: OUT.tmp.XXXXXX) */
  char out[4200], btmp[4300], near[4300];
  snprintf(out, sizeof out, "%s/my.emvx", dir);
  snprintf(btmp, sizeof btmp, "%s.tmp.Zx81Qa", out);
  snprintf(near, sizeof near, "%s.tmp.notours", out);
  touch(btmp);
  touch(near);
  assert_int_equal(tr_tmp_remove_stale_of(out), 1);
  assert_int_not_equal(access(btmp, F_OK), 0);
  assert_int_equal(access(near, F_OK), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_signal_removes_registered),
    cmocka_unit_test(test_stale_temps_of_dead_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
