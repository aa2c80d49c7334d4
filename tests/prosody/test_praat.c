/* test_praat.c: the tracker's F0 and voicing against Praat's "To Pitch (ac)"
 * (default settings: 10 ms step, 75..600 Hz) on eight clips of ../shared/data
 * (two per corpus, both sexes where the corpus has them). Praat runs here
 * on each clip, so nothing generated is committed: frames both call voiced
 * must have a median error under 1 semitone, and voicing must agree in at
 * least 90% of frames (pooled over the clips). Skips with a message when
 * ../shared or the praat program is absent (scripts/deps.sh installs it). */
#include "pros_test_util.h"
#include "test_util.h"

#include "evx_prosody.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const clips[] = {
  "ravdess/Actor_01/03-01-05-01-01-01-01.flac",   /* male, angry */
  "ravdess/Actor_02/03-01-04-01-01-01-02.flac",   /* female, sad */
  "cremad/1001_DFA_ANG_XX.opus",                  /* male, angry */
  "cremad/1003_DFA_SAD_XX.opus",                  /* female, sad */
  "tess/OAF_happy/OAF_back_happy.flac",
  "tess/YAF_fear/YAF_back_fear.flac",
  "savee/DC_n01.flac",
  "savee/KL_su01.flac",
};
#define N_CLIPS (sizeof clips / sizeof clips[0])

static const char script[] =
  "form Pitch\n"
  "  sentence In_file\n"
  "  sentence Out_file\n"
  "endform\n"
  "Read from file: in_file$\n"
  "To Pitch (ac): 0.01, 75, 15, \"no\", 0.03, 0.45, 0.01, 0.35, 0.14, 600\n"
  "n = Get number of frames\n"
  "text$ = \"\"\n"
  "for i to n\n"
  "  t = Get time from frame number: i\n"
  "  f = Get value in frame: i, \"Hertz\"\n"
  "  if f = undefined\n"
  "    f = 0\n"
  "  endif\n"
  "  text$ = text$ + fixed$(t, 6) + \" \" + fixed$(f, 3) + newline$\n"
  "endfor\n"
  "writeFile: out_file$, text$\n";

static int have_praat(void)
{
  return system("praat --version >/dev/null 2>&1") == 0;
}

/* Praat's frames of wav: times and F0 (0 = unvoiced); count in *n. */
static int praat_pitch(const char *dir, const char *wav, double **t, double **f0, size_t *n)
{
  char sp[512], out[512], cmd[2048];
  snprintf(sp, sizeof sp, "%s/pitch.praat", dir);
  snprintf(out, sizeof out, "%s/pitch.txt", dir);
  FILE *f = fopen(sp, "w");
  if (!f)
    return -1;
  fputs(script, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "praat --run '%s' '%s' '%s' >/dev/null 2>&1", sp, wav, out);
  if (system(cmd) != 0)
    return -1;
  f = fopen(out, "r");
  if (!f)
    return -1;
  size_t cap = 4096;
  *t = malloc(sizeof(double) * cap);
  *f0 = malloc(sizeof(double) * cap);
  *n = 0;
  while (*n < cap && fscanf(f, "%lf %lf", *t + *n, *f0 + *n) == 2)
    (*n)++;
  fclose(f);
  return *n > 0 ? 0 : -1;   /* the caller frees *t and *f0 either way */
}

static void test_against_praat(void **state)
{
  (void)state;
  TU_REQUIRE_SHARED();
  if (!have_praat()) {
    print_message("[  SKIP    ] praat not found (apt-get install praat, or scripts/deps.sh): "
                  "Praat comparison skipped\n");
    skip();
  }
  const char *dir = tu_tmpdir();
  assert_non_null(dir);
  double *err = malloc(sizeof(double) * 100000);
  size_t n_err = 0, agreed = 0, counted = 0;
  for (size_t c = 0; c < N_CLIPS; c++) {
    char path[1024], wav[512];
    tu_shared_path(path, sizeof path, "data");
    strncat(path, "/", sizeof path - strlen(path) - 1);
    strncat(path, clips[c], sizeof path - strlen(path) - 1);
    size_t n;
    double rate;
    float *x = tu_read_audio(path, &n, &rate);
    assert_non_null(x);
    snprintf(wav, sizeof wav, "%s/clip.wav", dir);   /* Praat reads no Opus */
    assert_int_equal(tu_write_wav(wav, x, n, (int)rate), 0);
    double *pt = NULL, *pf = NULL;
    size_t np = 0;
    assert_int_equal(praat_pitch(dir, wav, &pt, &pf, &np), 0);
    size_t nf;
    float *p = pt_prosody(x, n, rate, &nf);
    size_t clip_agree = 0, clip_count = 0, clip_both = 0;
    double *clip_err = malloc(sizeof(double) * nf);
    for (size_t t = 0; t < nf; t++) {
      /* Praat's frames are 10 ms apart too: take the one at our centre */
      double tc = pt_centre_s(t), k = round((tc - pt[0]) / 0.01);
      if (k < 0 || k >= (double)np || fabs(pt[(size_t)k] - tc) > 0.006)
        continue;
      double ours = p[t * EVX_NPROS + EVX_P_F0], theirs = pf[(size_t)k];
      clip_count++;
      clip_agree += (ours > 0) == (theirs > 0);
      if (ours > 0 && theirs > 0) {
        double e = fabs(12.0 * log2(ours / theirs));
        clip_err[clip_both++] = e;
        err[n_err++] = e;
      }
    }
    print_message("%-44s %3zu frames, %3zu both voiced, median error %.3f st, voicing agrees %.1f%%\n",
                  clips[c], clip_count, clip_both, clip_both ? pt_median(clip_err, clip_both) : NAN,
                  clip_count ? 100.0 * (double)clip_agree / (double)clip_count : NAN);
    assert_true(clip_count > 100 && clip_both > 20);
    agreed += clip_agree;
    counted += clip_count;
    free(clip_err);
    free(p);
    free(pt);
    free(pf);
    free(x);
  }
  size_t gross = 0;
  for (size_t i = 0; i < n_err; i++)
    gross += err[i] > 1.0;
  double med = pt_median(err, n_err), agree = (double)agreed / (double)counted;
  print_message("all %zu clips: %zu frames, %zu both voiced: median error %.3f semitones "
                "(%.1f%% over 1 st), voicing agrees %.1f%%\n", N_CLIPS, counted, n_err, med,
                100.0 * (double)gross / (double)n_err, 100 * agree);
  assert_true(med < 1.0);
  assert_true(agree >= 0.90);
  free(err);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_against_praat),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
