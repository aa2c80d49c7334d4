/* prep.h: what every row goes through before the network's first layer,
 * as one object: speaker adaptation (optional; bundle v2) then the input
 * normalisation. Fitted once on the training rows, applied to copies (the
 * caller's rows stay raw), and handed whole to tl_export, so the bundle
 * carries exactly what training used. Non-RT. */
#ifndef TL_PREP_H
#define TL_PREP_H

#include "norm.h"
#include "speaker_adapt.h"

typedef struct {
  tl_adapt adapt;            /* len 0: no adaptation; prior, memory and
                                frames are set by the caller before fitting */
  tl_norm norm;
} tl_prep;

/* Fit on the training rows x (s->n rows of cfg's input; s names their
 * streams): with adapt (p->adapt set up as tl_adapt_fit wants) each stream
 * is normalised by its own statistics and the population's are kept; then
 * the input normalisation is fitted on those rows. *out: a malloc'd copy of
 * the rows as the network trains on them. 0, or -1 when out of memory. */
int tl_prep_fit(tl_prep *p, const evx_feature_config *cfg, int adapt, const float *x,
                const tl_streams *s, float **out);
/* Rows as the bundle's network sees them: a malloc'd copy of x replayed
 * through the population's adaptation as the plugin would (TL_ADAPT_STREAM,
 * seed 1), then normalised. 0, or -1 when out of memory. */
int tl_prep_apply(const tl_prep *p, const evx_feature_config *cfg, const float *x,
                  const tl_streams *s, float **out);
void tl_prep_free(tl_prep *p);

#endif
