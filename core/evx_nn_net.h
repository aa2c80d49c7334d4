/* evx_nn_net.h: running a network. evx_net_size/init (non-RT) plan one
 * arena in caller memory, holding every activation, and compile the model
 * into ops; evx_net_forward/begin/step/output/work are RT-safe: no
 * allocation, lock, I/O or syscall, deterministic, and bounded work. */
#ifndef EVX_NN_NET_H
#define EVX_NN_NET_H

#include "evx_nn_model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct evx_net evx_net;

/* Arena bytes for running m (every activation planned inside). */
size_t evx_net_size(const evx_model *m);
/* Initialise into mem (evx_net_size bytes); m must outlive the net. Non-RT. */
evx_net *evx_net_init(void *mem, size_t size, const evx_model *m);

/* One whole inference: input (evx_input_shape floats) -> probs (n_labels). */
void evx_net_forward(evx_net *net, const float *input, float *probs);

/* The same spread over calls: copy the input in (non-finite values as 0). */
void evx_net_begin(evx_net *net, const float *input);
/* Do about max_flops of work (at least one unit of progress; at most half a
 * unit more than max_flops otherwise); 1 once the output is ready.
 * Bit-identical to forward(). */
int evx_net_step(evx_net *net, uint64_t max_flops);
/* evx_net_step, adding the FLOPs it spent to *spent. */
int evx_net_step_spent(evx_net *net, uint64_t max_flops, uint64_t *spent);
/* What step() charges for one whole inference: the FLOPs of the kernels as
 * run (whole tiles), a dense layer's at the price of its memory reads. At
 * least about evx_model_flops(). */
uint64_t evx_net_work(const evx_net *net);
/* The probabilities (n_labels) once step() returned 1. */
const float *evx_net_output(const evx_net *net);

#endif
