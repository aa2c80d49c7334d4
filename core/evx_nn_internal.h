/* evx_nn_internal.h: what the model checks, the bundle reader/writer and the
 * engine share. Not a public interface. */
#ifndef EVX_NN_INTERNAL_H
#define EVX_NN_INTERNAL_H

#include "evx_nn_model.h"
#include <stdarg.h>
#include <stdint.h>

/* Sanity limits: a model over these is rejected as absurd. */
#define EVX_MAX_DIM          65536u            /* any one dimension */
#define EVX_MAX_TENSOR_ELEMS (1u << 24)        /* 64 MiB of float32 */
#define EVX_MAX_ACT_ELEMS    (1u << 24)        /* one activation */
#define EVX_MAX_MODEL_FLOPS  (1ull << 36)      /* one inference */
#define EVX_MAX_BUNDLE_BYTES (64u << 20)       /* 64 MiB */

/* The parameter tensors a layer carries, in bundle order. */
enum { EVX_T_WEIGHT, EVX_T_BIAS, EVX_T_MEAN, EVX_T_VAR, EVX_T_MAX };
extern const char *const evx_tensor_role[EVX_T_MAX]; /* "weight", ... */

/* How many tensors layer type `type` has (0, 2 or 4). */
uint32_t evx_layer_n_tensors(uint32_t type);

/* Expected dims of a layer's tensor `role` (layer shapes already inferred).
 * Returns ndim (1..4), or 0 when the layer has no such tensor. */
uint32_t evx_layer_tensor_dims(const evx_layer *l, int role, uint32_t dims[4]);

/* Short layer name ("conv1d", ...) or NULL for an unknown type. */
const char *evx_layer_name(uint32_t type);

/* Infer and check every layer's in/out shape from m->input (no parameter
 * checks). 0 or -1 with a message. */
int evx_model_infer_shapes(evx_model *m, char *err, size_t errlen);

/* Checks the fixed parts of a feature configuration. 0 or -1 + message. */
int evx_check_config(const evx_feature_config *cfg, char *err, size_t errlen);

/* FLOPs of layer i alone (as counted by evx_model_flops) and of the input
 * normalisation. */
uint64_t evx_layer_flops(const evx_layer *l);
uint64_t evx_norm_flops(const evx_model *m);

/* printf into err (never overflows; err may be NULL). Returns -1. */
int evx_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checked 64-bit arithmetic: 0 on overflow-free result, -1 on overflow. */
static inline int evx_mul64(uint64_t a, uint64_t b, uint64_t *r)
{ return __builtin_mul_overflow(a, b, r) ? -1 : 0; }
static inline int evx_add64(uint64_t a, uint64_t b, uint64_t *r)
{ return __builtin_add_overflow(a, b, r) ? -1 : 0; }

static inline uint64_t evx_shape_elems(evx_shape s)
{ return (uint64_t)s.c * s.h * s.w; } /* dims <= 65536 after checks */

#endif
