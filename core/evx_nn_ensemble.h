/* evx_nn_ensemble.h: a chain of networks whose probabilities are averaged
 * (bundle v3): what makes members compatible, their sums, and the one
 * average the engine and `emovox eval` both take. */
#ifndef EVX_NN_ENSEMBLE_H
#define EVX_NN_ENSEMBLE_H

#include "evx_nn_model.h"

#include <stddef.h>
#include <stdint.h>

#define EVX_MAX_MEMBERS 4   /* networks in one ensemble (bundle v3) */

/* Networks in m's chain (1 for a single network). Non-RT. */
uint32_t evx_model_members(const evx_model *m);
/* Check that the chain from m can be averaged: at most EVX_MAX_MEMBERS
 * members with the same labels in the same order and the same feature
 * configuration except the input kind (so the same windows at the same
 * moments). Returns 0, or -1 with a message naming the member. Non-RT. */
int evx_ensemble_check(const evx_model *m, char *err, size_t errlen);
/* Trainable parameters summed over m's chain. Non-RT. */
uint64_t evx_ensemble_params(const evx_model *m);
/* FLOPs of one inference summed over m's chain. Non-RT. */
uint64_t evx_ensemble_flops(const evx_model *m);

/* Add one member's n probabilities p to sum, p[i] into sum[map[i]] (map
 * NULL: sum[i]); a non-finite or negative probability counts as 0. RT-safe. */
void evx_ensemble_add(float *sum, const float *p, uint32_t n, const int *map);
/* The members' mean: each of the n sums over `members` networks divided by
 * their count, in place (exact for one network). RT-safe. */
void evx_ensemble_mean(float *sum, uint32_t n, uint32_t members);

#endif
