/* svg.h: the report's plots as hand-written SVG (no dependencies). Each
 * writes a complete document to f. */
#ifndef TR_SVG_H
#define TR_SVG_H

#include "learn/metrics.h"
#include "learn/train_loop.h"
#include <stdio.h>

/* Train and validation loss (left) and accuracy (right) per epoch; the best
 * epoch marked. */
void tr_svg_curves(FILE *f, const tl_epoch *hist, int n, int best_epoch);

/* Confusion matrix, rows = truth, columns = prediction, cells shaded by the
 * row-normalised rate and labelled with counts. */
void tr_svg_confusion(FILE *f, const tl_confusion *c, const char *const *labels,
                       const char *title);

#endif
