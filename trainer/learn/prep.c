/* prep.c: adaptation and normalisation as one object (prep.h). */
#include "prep.h"
#include <stdlib.h>
#include <string.h>

static float *copy_rows(const float *x, const tl_streams *s)
{
  const size_t len = sizeof(float) * s->n * s->dim;
  float *c = malloc(len ? len : 1);
  if (c && len)
    memcpy(c, x, len);
  return c;
}

int tl_prep_fit(tl_prep *p, const evx_feature_config *cfg, int adapt, const float *x,
                const tl_streams *s, float **out)
{
  float *c = copy_rows(x, s);
  if (!c || (adapt && tl_adapt_fit(&p->adapt, s, c)) ||
      tl_norm_fit_input(&p->norm, cfg, c, s->n)) {
    free(c);
    return -1;
  }
  tl_norm_apply(&p->norm, evx_input_shape(cfg), c, s->n);
  *out = c;
  return 0;
}

int tl_prep_apply(const tl_prep *p, const evx_feature_config *cfg, const float *x,
                  const tl_streams *s, float **out)
{
  const evx_adapt view = tl_adapt_view(&p->adapt);
  float *c = copy_rows(x, s);
  if (!c || (p->adapt.len && tl_adapt_replay(&view, TL_ADAPT_STREAM, 1, s, c))) {
    free(c);
    return -1;
  }
  tl_norm_apply(&p->norm, evx_input_shape(cfg), c, s->n);
  *out = c;
  return 0;
}

void tl_prep_free(tl_prep *p)
{
  tl_adapt_free(&p->adapt);
  tl_norm_free(&p->norm);
}
