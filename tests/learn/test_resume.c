/* test_resume.c: `emovox train` killed with SIGKILL right after an epoch's
 * checkpoint and resumed with --resume ends with a bundle byte-identical to
 * an uninterrupted run's (same seed, same threads). The child stops itself
 * (SIGSTOP) at a known epoch through a test hook, so no timing is involved. */
#include "evx_bundle.h"
#include "test_util.h"
#include "evx_write_atomic.h"
#include "learn/checkpoint.h"
#include "learn_fixture.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *corpus;
static char manifest[600];

static int setup(void **state)
{
  (void)state;
  corpus = lf_make_corpus(4, 2);
  if (!corpus)
    return -1;
  snprintf(manifest, sizeof manifest, "%s/manifest.csv", corpus);
  return 0;
}

/* Arguments of one training run writing to out (checkpoint at out.ckpt). */
#define TRAIN_ARGS(out, arch, ch, extra)                                      \
  { "train", "--data", manifest, "--out", out, "--arch", arch, "--channels", ch, \
    "--window", "0.5", "--hop", "0.25", "--epochs", "6", "--patience", "0",   \
    "--lr-patience", "1", "--test-speakers", "spk3", "--val-speakers", "spk2", \
    "--threads", "2", "--seed", "7", "--quiet", extra, NULL }

static void check_resume(const char *arch, const char *channels)
{
  char whole[700], cut[700], ckpt[720];
  snprintf(whole, sizeof whole, "%s/whole-%s.emvx", corpus, arch);
  snprintf(cut, sizeof cut, "%s/cut-%s.emvx", corpus, arch);
  snprintf(ckpt, sizeof ckpt, "%s.ckpt", cut);

  char *a_whole[] = TRAIN_ARGS(whole, (char *)arch, (char *)channels, NULL);
  assert_int_equal(tu_run_emovox(a_whole, NULL, 0), 0);

  /* Interrupted run: stopped after epoch 3's checkpoint, then killed. */
  char *a_cut[] = TRAIN_ARGS(cut, (char *)arch, (char *)channels, NULL);
  pid_t pid = tu_spawn_emovox(a_cut, NULL, 0, 3);
  assert_true(pid > 0);
  int st;
  assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
  assert_true(WIFSTOPPED(st));
  assert_int_equal(kill(pid, SIGKILL), 0);
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  assert_int_equal(tl_checkpoint_epoch(ckpt), 3);
  FILE *f = fopen(cut, "rb");
  assert_null(f);   /* no bundle before the run finished */

  char *a_resume[] = TRAIN_ARGS(cut, (char *)arch, (char *)channels, "--resume");
  assert_int_equal(tu_run_emovox(a_resume, NULL, 0), 0);
  assert_int_equal(tl_checkpoint_epoch(ckpt), 6);

  /* the networks are bit-identical; only the provenance's command differs
   * (the other --out, --resume) */
  evx_model *ma = NULL, *mb = NULL;
  char err[512];
  assert_int_equal(evx_bundle_load(whole, &ma, err, sizeof err), 0);
  assert_int_equal(evx_bundle_load(cut, &mb, err, sizeof err), 0);
  assert_non_null(ma->provenance);
  assert_non_null(strstr(mb->provenance, "--resume"));
  evx_model_free(ma);
  evx_model_free(mb);
  tu_assert_same_networks(whole, cut);
}

static void test_seed_resume_bit_identical(void **state)
{
  (void)state;
  check_resume("seed", "4,8");
}

static void test_logmel_resume_bit_identical(void **state)
{
  (void)state;
  check_resume("logmel", "4,8");
}

/* A checkpoint from other options is refused, not silently mixed in. */
static void test_resume_refuses_other_options(void **state)
{
  (void)state;
  char out[700];
  snprintf(out, sizeof out, "%s/cut-seed.emvx", corpus);
  char *args[] = { "train", "--data", manifest, "--out", out, "--arch", "seed",
                   "--channels", "4,8", "--window", "0.5", "--hop", "0.25", "--epochs", "6",
                   "--test-speakers", "spk3", "--val-speakers", "spk2", "--seed", "8",
                   "--quiet", "--resume", NULL };
  assert_int_equal(tu_run_emovox(args, NULL, 0), 1);
}

/* A corrupt checkpoint is refused with an error, never used. */
static void test_resume_refuses_corrupt_checkpoint(void **state)
{
  (void)state;
  char out[700], ckpt[720];
  snprintf(out, sizeof out, "%s/corrupt.emvx", corpus);
  snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
  FILE *f = fopen(ckpt, "wb");
  assert_non_null(f);
  fputs("EVXCKPT1 but not really", f);
  fclose(f);
  assert_int_equal(tl_checkpoint_epoch(ckpt), -1);
  char *args[] = TRAIN_ARGS(out, "seed", "4,8", "--resume");
  assert_int_equal(tu_run_emovox(args, NULL, 0), 1);
}

/* Temp files a kill left next to the checkpoint go; look-alikes stay. */
static void test_stale_temps_removed(void **state)
{
  (void)state;
  const char *names[] = { "m.ckpt.tmp.Ab3xZ9", "m.ckpt.tmpQQQQQQ", "m.ckpt.tmp12345",
                          "m.ckpt.tmp1234567", "n.ckpt.tmp.Ab3xZ9", "m.ckpt" };
  int gone[] = { 1, 1, 0, 0, 0, 0 };
  char path[4200], ckpt[4200];
  const char *dir = tu_tmpdir(); /* a new directory per call */
  for (int i = 0; i < 6; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
  }
  snprintf(ckpt, sizeof ckpt, "%s/m.ckpt", dir);
  evx_write_remove_stale(ckpt);
  for (int i = 0; i < 6; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    FILE *f = fopen(path, "r");
    if ((f == NULL) != gone[i]) fail_msg("%s: %s", names[i], gone[i] ? "kept" : "removed");
    if (f) fclose(f);
    remove(path);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_resume_bit_identical),
    cmocka_unit_test(test_logmel_resume_bit_identical),
    cmocka_unit_test(test_resume_refuses_other_options),
    cmocka_unit_test(test_resume_refuses_corrupt_checkpoint),
    cmocka_unit_test(test_stale_temps_removed),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
