/* pros_test_util.h: helpers shared by the prosody tests. */
#ifndef EVX_PROS_TEST_UTIL_H
#define EVX_PROS_TEST_UTIL_H

#include <stddef.h>

/* The prosody rows (n_frames x EVX_NPROS, malloc'd) of x at rate, through
 * evx_features_prosody_of_signal; fails the test if it fails. */
float *pt_prosody(const float *x, size_t n, double rate, size_t *n_frames);

/* Time (s) of the centre of row t's 40 ms window. */
double pt_centre_s(size_t t);

/* Median of v[0..n) (reorders v); n >= 1. */
double pt_median(double *v, size_t n);

#endif
