/* evx_nn_winograd.h: stride-1 1-D convolutions as Winograd F(m, r): F(4, 3)
 * and F(2, 5), each tile of m outputs costing EVX_WG_A = 6 products per
 * pair of channels instead of m r (2x and 1.67x fewer), run as 6 1x1
 * convolutions through the instruction set's conv tile. The transforms of the weights are made at
 * load (non-RT); the three kernels are RT-safe, bounded by their range, and
 * give the same bits whole or sliced. Results differ from the direct conv
 * at rounding level only. */
#ifndef EVX_NN_WINOGRAD_H
#define EVX_NN_WINOGRAD_H

#include "evx_nn_kernels.h"

/* Whether layer l runs as a Winograd conv with isa's kernels: 1-D, stride
 * 1, 3 or 5 taps, big enough (channels, positions) that the transforms pay
 * for themselves, and an isa with FMA (evx_isa.fma). */
int evx_wg_applies(const evx_isa *isa, const evx_layer *l);
/* Outputs per tile for a kernel of kw taps (4 for 3, 2 for 5). */
uint32_t evx_wg_m(uint32_t kw);

/* Scratch floats (the padded input, the transformed input, the products,
 * a row's phases) and parameter floats (packed transformed weights, bias). */
size_t evx_wg_scratch_len(const evx_isa *isa, const evx_layer *l);
size_t evx_wg_params_len(const evx_isa *isa, const evx_layer *l);

/* Fills params (evx_wg_params_len floats, 64-byte aligned) and points
 * k->w, k->b into it. Non-RT (init). */
void evx_wg_pack(const evx_isa *isa, const evx_layer *l, float *params, evx_kargs *k);

/* The two ops, in this order, with the units of the direct conv's
 * (k->scratch as evx_wg_scratch_len): the pad, units as evx_k_pad's (input
 * channels); the input transforms, the products at the EVX_WG_A points and
 * the output transforms (bias, ReLU), units as evx_k_conv's
 * (ceil(out.c/oct) x out.h x ceil(out.w/vl)), each an equal share. */
void evx_k_wg_in(const evx_kargs *k, uint32_t u0, uint32_t u1);
void evx_k_wg_conv(const evx_kargs *k, uint32_t u0, uint32_t u1);

/* Both ops over all their units on the calling thread: one sample's whole
 * conv, for the trainer's convolutions (learn/conv.c), the same bits as
 * the two ops sliced. */
void evx_wg_run(const evx_kargs *k);

#endif
