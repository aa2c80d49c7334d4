/* STUB: replaced by the feature extractor (issue 3). */
#include "evx_features.h"
#include <stdlib.h>
size_t evx_fx_size(double r, uint32_t m) { (void)r; (void)m; return 0; }
evx_fx *evx_fx_init(void *mem, size_t s, double r, uint32_t m) { (void)mem; (void)s; (void)r; (void)m; return NULL; }
void evx_fx_destroy(evx_fx *fx) { (void)fx; }
void evx_fx_reset(evx_fx *fx) { (void)fx; }
uint32_t evx_fx_max_frames(const evx_fx *fx) { (void)fx; return 0; }
uint32_t evx_fx_push(evx_fx *fx, const float *in, uint32_t n, float *out) { (void)fx; (void)in; (void)n; (void)out; return 0; }
int evx_features_of_signal(const float *x, size_t n, double rate, float **frames, size_t *nf) { (void)x; (void)n; (void)rate; *frames = NULL; *nf = 0; return -1; }
