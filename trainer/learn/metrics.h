/* metrics.h: confusion matrices and the scores reports give: unweighted
 * average recall (UA, mean of per-class recall over classes with examples),
 * weighted accuracy (WA, plain accuracy), per-class precision/recall/F1. */
#ifndef TR_LEARN_METRICS_H
#define TR_LEARN_METRICS_H

#include "evx_nn_model.h"
#include <stddef.h>

typedef struct {
  uint32_t k;
  size_t n;
  size_t cm[EVX_MAX_LABELS][EVX_MAX_LABELS];   /* [true][predicted] */
} tl_confusion;

void tl_confusion_init(tl_confusion *c, uint32_t k);
void tl_confusion_add(tl_confusion *c, int truth, const float *probs);
double tl_ua(const tl_confusion *c);
double tl_wa(const tl_confusion *c);
/* Per class; 0 where undefined (no examples / no predictions). */
double tl_recall(const tl_confusion *c, uint32_t cls);
double tl_precision(const tl_confusion *c, uint32_t cls);
double tl_f1(const tl_confusion *c, uint32_t cls);
size_t tl_support(const tl_confusion *c, uint32_t cls);

#endif
