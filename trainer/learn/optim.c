/* optim.c: Adam, ReduceLROnPlateau and early stopping (see optim.h). */
#include "optim.h"
#include <math.h>

tl_adam tl_adam_defaults(double lr)
{
  return (tl_adam){ .lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .step = 0 };
}

void tl_adam_step(tl_adam *a, size_t n, float *params, const float *g,
                  float *m, float *v)
{
  a->step++;
  const float b1 = (float)a->beta1, b2 = (float)a->beta2;
  const double bc1 = 1.0 - pow(a->beta1, (double)a->step);
  const double bc2 = 1.0 - pow(a->beta2, (double)a->step);
  const float step = (float)(a->lr / bc1), root_bc2 = (float)sqrt(bc2);
  const float eps = (float)a->eps;
  for (size_t i = 0; i < n; i++) {
    m[i] = b1 * m[i] + (1.0f - b1) * g[i];
    v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
    params[i] -= step * m[i] / (sqrtf(v[i]) / root_bc2 + eps);
  }
}

tl_plateau tl_plateau_make(double factor, int patience, double min_lr)
{
  return (tl_plateau){ .factor = factor, .min_lr = min_lr, .patience = patience,
                       .best = HUGE_VAL, .bad = 0 };
}

int tl_plateau_update(tl_plateau *p, double loss, double *lr)
{
  if (loss < p->best * (1.0 - 1e-4)) {
    p->best = loss;
    p->bad = 0;
    return 0;
  }
  if (++p->bad <= p->patience)
    return 0;
  p->bad = 0;
  double next = fmax(*lr * p->factor, p->min_lr);
  if (*lr - next <= 1e-8)     /* PyTorch's eps: changes smaller are ignored */
    return 0;
  *lr = next;
  return 1;
}

tl_early tl_early_make(int patience)
{
  return (tl_early){ .patience = patience, .best = HUGE_VAL, .best_epoch = 0, .bad = 0 };
}

int tl_early_update(tl_early *e, double loss, int epoch)
{
  if (loss < e->best) {
    e->best = loss;
    e->best_epoch = epoch;
    e->bad = 0;
    return 1;
  }
  e->bad++;
  return 0;
}

int tl_early_stop(const tl_early *e)
{
  return e->patience > 0 && e->bad >= e->patience;
}
