/* test_train_faults.c: `emovox train` on 40 clips of ../shared/data killed
 * with SIGKILL at random moments (from a few ms, while the corpus loads, to
 * past the end of the run, so also while checkpoints, cache files and the
 * bundle are being written), N_KILLS times. After each kill: a checkpoint,
 * if there is one, reads as valid; a bundle, if there is one, passes
 * `emovox info`; `--resume` completes and writes a valid bundle (or, when
 * the kill came before the first checkpoint, refuses with a message and a
 * fresh run completes).
 * And a full disk (RLIMIT_FSIZE, SIGXFSZ ignored: write() fails with EFBIG)
 * while the checkpoint and then the bundle are written: a clear message,
 * exit status 1, the previous checkpoint and bundle intact. */
#include "hardening_util.h"
#include "learn/checkpoint.h"
#include "test_util.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_KILLS 24
#define EPOCHS "40"

static char dir[512], manifest[600], cache[600];

static int setup(void **state)
{
  (void)state;
  if (!tu_shared_dir())
    return 0;   /* the tests skip themselves */
  const char *t = tu_tmpdir();
  if (!t)
    return -1;
  snprintf(dir, sizeof dir, "%s", t);
  snprintf(manifest, sizeof manifest, "%s/subset.csv", dir);
  snprintf(cache, sizeof cache, "%s/cache", dir);
  return hu_write_subset_manifest(manifest, 40) == 40 ? 0 : -1;
}

/* The training command writing run/model.emvx and run/model.ckpt. */
typedef struct {
  char out[700], ckpt[700], log[700], rundir[640];
  char *argv[40];
} run_t;

static void make_run(run_t *r, const char *name, const char *epochs, int resume)
{
  snprintf(r->rundir, sizeof r->rundir, "%s/%s", dir, name);
  mkdir(r->rundir, 0755);
  snprintf(r->out, sizeof r->out, "%s/model.emvx", r->rundir);
  snprintf(r->ckpt, sizeof r->ckpt, "%s/model.ckpt", r->rundir);
  snprintf(r->log, sizeof r->log, "%s/log.txt", r->rundir);
  char *a[] = { "train", "--data", manifest, "--out", r->out, "--checkpoint", r->ckpt,
                "--cache", cache, "--epochs", (char *)epochs, "--window", "1", "--hop", "0.5",
                "--channels", "4,8", "--test-speakers", "ravdess-04",
                "--val-speakers", "ravdess-03", "--threads", "1", "--patience", "0",
                "--quiet", resume ? "--resume" : NULL, NULL };
  memcpy(r->argv, a, sizeof a);
}

static int bundle_ok(const char *path)
{
  char *a[] = { "info", (char *)path, NULL };
  return tu_run_emovox(a, "/dev/null", 0) == 0;
}

static int exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

/* Leftover temporary files in d (a kill inside a write leaves one). */
static int count_tmp(const char *d)
{
  DIR *dp = opendir(d);
  int n = 0;
  for (struct dirent *e; dp && (e = readdir(dp));)
    n += strstr(e->d_name, ".tmp") != NULL;
  if (dp)
    closedir(dp);
  return n;
}

/* The child has not exited yet (it stays waitable). */
static int running(pid_t pid)
{
  siginfo_t si;
  memset(&si, 0, sizeof si);
  return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

static void test_kill9_then_resume(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  /* Calibration: a whole run, which also fills the feature cache half the
   * kills below run against (the other half clear it first). */
  run_t whole;
  make_run(&whole, "whole", EPOCHS, 0);
  double t0 = hu_now();
  assert_int_equal(tu_run_emovox(whole.argv, whole.log, 0), 0);
  double full = hu_now() - t0;
  assert_true(bundle_ok(whole.out));
  assert_int_equal(tl_checkpoint_epoch(whole.ckpt), 40);

  uint64_t rng = 12345;
  int no_ckpt = 0, mid = 0, after = 0, finished = 0, tmp_left = 0, bundle_seen = 0;
  for (int i = 0; i < N_KILLS; i++) {
    char name[32];
    snprintf(name, sizeof name, "kill%02d", i);
    run_t r, res;
    make_run(&r, name, EPOCHS, 0);
    make_run(&res, name, EPOCHS, 1);
    if (i % 2) {   /* cold cache: the kill may land in feature extraction */
      char cmd[800];
      snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
      assert_int_equal(system(cmd), 0);
    }
    /* Every third kill lands mid-training whatever the machine's speed: it
     * waits for the checkpoint to reach a drawn epoch, then up to 5 ms more.
     * The others: a few ms up to 1.2 x the whole run, denser early on. */
    double u = tu_uniform(&rng);
    int target = i % 3 == 2 ? 1 + (int)(u * 35) : 0;
    double delay = target ? 0.005 * u : i < 4 ? 0.002 + 0.02 * u : 0.002 + 1.2 * full * u;
    pid_t pid = tu_spawn_emovox(r.argv, r.log, 0, 0);
    assert_true(pid > 0);
    while (target && running(pid) &&
           (!exists(r.ckpt) || tl_checkpoint_epoch(r.ckpt) < target))
      usleep(500);   /* polling for progress, not timing anything */
    usleep((useconds_t)(delay * 1e6));
    kill(pid, SIGKILL);
    int st = tu_wait(pid);
    assert_true(st == 0 || st == 128 + SIGKILL);
    finished += st == 0;

    int epoch = exists(r.ckpt) ? tl_checkpoint_epoch(r.ckpt) : -2;
    tmp_left += count_tmp(r.rundir);
    if (exists(r.ckpt))
      assert_true(epoch >= 1 && epoch <= 40);   /* never a torn checkpoint */
    if (exists(r.out)) {
      bundle_seen++;
      assert_true(bundle_ok(r.out));            /* never a torn bundle */
    }
    if (st == 0)
      assert_true(exists(r.out));
    print_message("kill %2d after %6.1f ms: %s, checkpoint epoch %d, bundle %s\n", i,
                  delay * 1e3, st == 0 ? "had finished" : "killed", epoch < 0 ? 0 : epoch,
                  exists(r.out) ? "present" : "absent");

    if (epoch >= 1) {
      epoch < 40 ? mid++ : after++;
      assert_int_equal(tu_run_emovox(res.argv, res.log, 0), 0);
    } else {
      no_ckpt++;
      /* --resume without a checkpoint: refused with a message, no crash */
      assert_int_equal(tu_run_emovox(res.argv, res.log, 0), 1);
      size_t len;
      char *log = tu_slurp(res.log, &len);
      assert_non_null(log);
      assert_non_null(strstr(log, "cannot read checkpoint"));
      free(log);
      assert_int_equal(tu_run_emovox(r.argv, r.log, 0), 0);
    }
    assert_true(bundle_ok(r.out));
    assert_int_equal(tl_checkpoint_epoch(r.ckpt), 40);
  }
  print_message("%d kills (whole run %.2f s): %d before the first checkpoint, %d during "
                "training, %d after the last epoch, %d runs had finished; %d bundles found "
                "after a kill; %d temporary files left by kills inside a write\n",
                N_KILLS, full, no_ckpt, mid, after, finished, bundle_seen, tmp_left);
  assert_true(mid >= 3);   /* the delays do reach into training */
}

/* Run r with room for only `limit` bytes per file: it must fail with a
 * clear message naming `name`, and leave `file` exactly as `old`. */
static void expect_full_disk(const run_t *r, long limit, const char *name, const char *file,
                             const char *old, size_t old_len)
{
  int rc = tu_run_emovox(r->argv, r->log, limit);
  char *log = tu_slurp(r->log, NULL);
  assert_non_null(log);
  print_message("full disk at %s: exit %d: %s", name, rc, log);
  assert_int_equal(rc, 1);
  assert_non_null(strstr(log, "File too large"));
  assert_non_null(strstr(log, name));
  free(log);
  size_t len;
  char *now = tu_slurp(file, &len);
  assert_non_null(now);
  assert_int_equal(len, old_len);
  assert_memory_equal(now, old, old_len);   /* the previous file is intact */
  free(now);
}

/* Full disk: a checkpoint or bundle write fails cleanly; the previous file
 * stays as it was. */
static void test_full_disk(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  run_t r, six, three;
  make_run(&r, "fulldisk", "6", 0);
  make_run(&six, "fulldisk", "6", 1);
  make_run(&three, "fulldisk", "3", 1);   /* same fingerprint: epochs are not in it */
  /* a run of 6 epochs stopped after epoch 3's checkpoint, then killed */
  pid_t pid = tu_spawn_emovox(r.argv, r.log, 0, 3);
  assert_true(pid > 0);
  int st;
  assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
  assert_true(WIFSTOPPED(st));
  kill(pid, SIGKILL);
  assert_int_equal(tu_wait(pid), 128 + SIGKILL);
  assert_int_equal(tl_checkpoint_epoch(r.ckpt), 3);
  size_t ck_len, b_len;
  char *ck = tu_slurp(r.ckpt, &ck_len);
  assert_non_null(ck);
  assert_true(ck_len > 1024);

  /* 1. resume with room for half a checkpoint: epoch 4's write fails */
  expect_full_disk(&six, (long)(ck_len / 2), "model.ckpt", r.ckpt, ck, ck_len);
  assert_int_equal(tl_checkpoint_epoch(r.ckpt), 3);
  assert_int_equal(count_tmp(r.rundir), 0);   /* the partial file was removed */
  assert_false(exists(r.out));

  /* 2. --epochs 3 from the epoch-3 checkpoint only exports: a bundle */
  assert_int_equal(tu_run_emovox(three.argv, three.log, 0), 0);
  char *bundle = tu_slurp(r.out, &b_len);
  assert_non_null(bundle);
  assert_true(b_len > 1024);
  /* ... and again with room for half of it: the write fails, the bundle stays */
  unlink(three.log);
  expect_full_disk(&three, (long)(b_len / 2), "model.emvx", r.out, bundle, b_len);
  assert_true(bundle_ok(r.out));
  assert_int_equal(count_tmp(r.rundir), 0);

  /* 3. room again: the resume completes the 6 epochs */
  assert_int_equal(tu_run_emovox(six.argv, six.log, 0), 0);
  assert_int_equal(tl_checkpoint_epoch(r.ckpt), 6);
  assert_true(bundle_ok(r.out));
  free(ck);
  free(bundle);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kill9_then_resume),
    cmocka_unit_test(test_full_disk),
  };
  return cmocka_run_group_tests_name("train_faults", tests, setup, NULL);
}
