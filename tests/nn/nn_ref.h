/* nn_ref.h: helpers for the nn tests: a naive double-precision reference of
 * every layer, random models/inputs, and running a net on a model. */
#ifndef EVX_NN_REF_H
#define EVX_NN_REF_H
#include "evx_nn_model.h"
#include <stdint.h>
#include <stddef.h>

/* Naive forward of the whole model (normalisation included) in double;
 * writes the output activation (all its elements) to out. */
void ref_forward(const evx_model *m, const float *input, double *out);

/* Fill n floats uniform in [lo, hi). */
void ref_fill(uint64_t *rng, float *x, size_t n, double lo, double hi);

/* Run the engine: net in a malloc'd arena; output copied to out (all of the
 * final activation's elements); returns the element count. */
size_t ref_run_net(const evx_model *m, const float *input, float *out, size_t out_cap);

/* Elements of the final activation. */
size_t ref_out_elems(const evx_model *m);
#endif
