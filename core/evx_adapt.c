/* evx_adapt.c: running per-stream input normalisation (evx_adapt.h). */
#include "evx_adapt.h"
#include <math.h>
#include <string.h>

/* Values a stream keeps: the model's input, at most EVX_ADAPT_MAX. */
static uint32_t span(const evx_adapt *a)
{
  return a->len < EVX_ADAPT_MAX ? a->len : EVX_ADAPT_MAX;
}

void evx_adapt_reset(evx_adapt_state *s, const evx_adapt *a)
{
  uint32_t n = span(a);
  s->n = a->prior;
  if (n) {
    memcpy(s->mean, a->mean, n * sizeof *s->mean);
    memcpy(s->var, a->var, n * sizeof *s->var);
  }
}

/* Welford's update with a capped count: once the count reaches memory each
 * window weighs 1/memory (an exponential forgetting of about memory
 * windows). */
void evx_adapt_update(evx_adapt_state *s, const evx_adapt *a, const float *x)
{
  uint32_t n = span(a);
  double c = s->n + 1.0;
  if (c > a->memory) c = a->memory;
  if (c < 1.0) c = 1.0;
  s->n = c;
  float k = (float)(1.0 / c);
  for (uint32_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) continue;
    float d = x[i] - s->mean[i];
    float m = s->mean[i] + d * k;
    float v = s->var[i] + (d * (x[i] - m) - s->var[i]) * k;
    s->mean[i] = m;
    s->var[i] = v > 0.0f ? v : 0.0f;
  }
}

void evx_adapt_apply(const evx_adapt_state *s, const evx_adapt *a, float *x)
{
  uint32_t n = span(a);
  for (uint32_t i = 0; i < n; i++)
    x[i] = (x[i] - s->mean[i]) / sqrtf(s->var[i] + EVX_ADAPT_EPS);
}
