/* evx_resample.h: streaming conversion of any rate 8..192 kHz to 16 kHz.
 *
 * Passband flat within 0.1 dB to 7 kHz, at least 80 dB rejection of
 * everything above 8 kHz (aliasing included). 16 kHz input passes through
 * bit-exact with no delay. Caller-owned memory; init is not RT-safe (it
 * designs the filter), process and reset are.
 */
#ifndef EVX_RESAMPLE_H
#define EVX_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#define EVX_RS_MIN_RATE 8000.0
#define EVX_RS_MAX_RATE 192000.0

typedef struct evx_rs evx_rs;

/* Bytes needed to convert in_rate to 16 kHz in blocks of <= max_in samples;
 * 0 if out of range. */
size_t evx_rs_size(double in_rate, uint32_t max_in);
evx_rs *evx_rs_init(void *mem, size_t size, double in_rate, uint32_t max_in);
void evx_rs_reset(evx_rs *rs);

/* Largest number of output samples one call with max_in samples can give. */
uint32_t evx_rs_max_out(const evx_rs *rs);

/* The same for the instance evx_rs_init(in_rate, max_in) would make, without
 * making it (no filter design): for sizing the caller's buffers. 0 if out of
 * range. */
uint32_t evx_rs_max_out_for(double in_rate, uint32_t max_in);

/* Clamp inputs to +-limit (0 < limit <= 1e30, the default) from now on: a
 * caller with a tighter bound of its own (the extractor) then needs no
 * cleaning pass before evx_rs_process. Not RT-safe (call it after init). */
void evx_rs_set_limit(evx_rs *rs, float limit);

/* Group delay of the filter in 16 kHz output samples (0 for pass-through). */
double evx_rs_delay(const evx_rs *rs);

/* Convert n (<= max_in) input samples; writes the produced 16 kHz samples to
 * out (room for evx_rs_max_out()) and returns how many. RT-safe. */
uint32_t evx_rs_process(evx_rs *rs, const float *in, uint32_t n, float *out);

#endif
