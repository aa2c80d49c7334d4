/* pros_test_util.c: helpers shared by the prosody tests. */
#include "pros_test_util.h"
#include "test_util.h"

#include "evx_features.h"
#include "evx_prosody.h"

#include <stdlib.h>

float *pt_prosody(const float *x, size_t n, double rate, size_t *n_frames)
{
  float *frames = NULL, *pros = NULL;
  assert_int_equal(evx_features_prosody_of_signal(x, n, rate, &frames, &pros, n_frames), 0);
  assert_non_null(pros);
  free(frames);
  return pros;
}

double pt_centre_s(size_t t)
{
  /* row t's window is 16 kHz samples [160t - 240, 160t + 400) */
  return ((double)t * EVX_HOP + EVX_FRAME - EVX_PR_WINDOW / 2.0) / EVX_SR;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double pt_median(double *v, size_t n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
