/* STUB: replaced by the resampler (issue 3). */
#include "evx_resample.h"
size_t evx_rs_size(double r, uint32_t m) { (void)r; (void)m; return 0; }
evx_rs *evx_rs_init(void *mem, size_t s, double r, uint32_t m) { (void)mem; (void)s; (void)r; (void)m; return NULL; }
void evx_rs_reset(evx_rs *rs) { (void)rs; }
uint32_t evx_rs_max_out(const evx_rs *rs) { (void)rs; return 0; }
double evx_rs_delay(const evx_rs *rs) { (void)rs; return 0; }
uint32_t evx_rs_process(evx_rs *rs, const float *in, uint32_t n, float *out) { (void)rs; (void)in; (void)n; (void)out; return 0; }
