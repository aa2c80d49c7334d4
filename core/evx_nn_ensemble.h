/* evx_nn_ensemble.h: a chain of networks whose probabilities are averaged
 * (bundle v3): what makes members compatible, and their sums. */
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

#endif
