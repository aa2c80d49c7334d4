/* evx_nn_ensemble.c: a chain of networks whose probabilities are averaged
 * (bundle v3): what makes members compatible, their sums, and the average
 * (evx_nn_ensemble.h). */
#include "evx_nn_ensemble.h"
#include "evx_nn_internal.h"
#include <math.h>
#include <string.h>

uint32_t evx_model_members(const evx_model *m)
{
  uint32_t n = 0;
  for (; m; m = m->next)
    n++;
  return n;
}

int evx_ensemble_check(const evx_model *m, char *err, size_t errlen)
{
  if (!m) return evx_fail(err, errlen, "no model");
  uint32_t n = evx_model_members(m);
  if (n > EVX_MAX_MEMBERS)
    return evx_fail(err, errlen, "%u members (an ensemble has at most %u)", n, EVX_MAX_MEMBERS);
  const evx_feature_config *c = &m->cfg;
  uint32_t k = 1;
  for (const evx_model *o = m->next; o; o = o->next, k++) {
    const evx_feature_config *d = &o->cfg;
    if (d->sample_rate != c->sample_rate || d->frame_len != c->frame_len || d->hop != c->hop ||
        d->feature_set != c->feature_set || d->window_frames != c->window_frames ||
        d->update_frames != c->update_frames)
      return evx_fail(err, errlen, "member %u: feature configuration (window %u, update %u "
                      "frames, feature set %u) differs from member 0's (window %u, update %u, "
                      "feature set %u): only the input kind may differ", k, d->window_frames,
                      d->update_frames, d->feature_set, c->window_frames, c->update_frames,
                      c->feature_set);
    if (o->n_labels != m->n_labels)
      return evx_fail(err, errlen, "member %u: %u labels, member 0 has %u", k, o->n_labels,
                      m->n_labels);
    for (uint32_t i = 0; i < m->n_labels; i++)
      if (strncmp(o->labels[i], m->labels[i], EVX_LABEL_LEN))
        return evx_fail(err, errlen, "member %u: label %u is '%.31s', member 0's is '%.31s'",
                        k, i, o->labels[i], m->labels[i]);
  }
  return 0;
}

uint64_t evx_ensemble_params(const evx_model *m)
{
  uint64_t p = 0;
  for (; m; m = m->next)
    p += evx_model_params(m);
  return p;
}

uint64_t evx_ensemble_flops(const evx_model *m)
{
  uint64_t f = 0;
  for (; m; m = m->next)
    f += evx_model_flops(m);
  return f;
}

void evx_ensemble_add(float *sum, const float *p, uint32_t n, const int *map)
{
  for (uint32_t i = 0; i < n; i++)
    sum[map ? map[i] : (int)i] += isfinite(p[i]) && p[i] > 0.0f ? p[i] : 0.0f;
}

void evx_ensemble_mean(float *sum, uint32_t n, uint32_t members)
{
  for (uint32_t i = 0; i < n; i++)
    sum[i] /= (float)members;
}
