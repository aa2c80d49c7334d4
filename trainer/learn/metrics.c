/* metrics.c: see metrics.h. */
#include "metrics.h"
#include <string.h>

void tl_confusion_init(tl_confusion *c, uint32_t k)
{
  memset(c, 0, sizeof *c);
  c->k = k;
}

void tl_confusion_add(tl_confusion *c, int truth, const float *probs)
{
  uint32_t best = 0;
  for (uint32_t j = 1; j < c->k; j++)
    if (probs[j] > probs[best])
      best = j;
  c->cm[truth][best]++;
  c->n++;
}

size_t tl_support(const tl_confusion *c, uint32_t cls)
{
  size_t s = 0;
  for (uint32_t j = 0; j < c->k; j++)
    s += c->cm[cls][j];
  return s;
}

double tl_recall(const tl_confusion *c, uint32_t cls)
{
  size_t s = tl_support(c, cls);
  return s ? (double)c->cm[cls][cls] / (double)s : 0.0;
}

double tl_precision(const tl_confusion *c, uint32_t cls)
{
  size_t p = 0;
  for (uint32_t i = 0; i < c->k; i++)
    p += c->cm[i][cls];
  return p ? (double)c->cm[cls][cls] / (double)p : 0.0;
}

double tl_f1(const tl_confusion *c, uint32_t cls)
{
  double p = tl_precision(c, cls), r = tl_recall(c, cls);
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

double tl_ua(const tl_confusion *c)
{
  double sum = 0;
  int classes = 0;
  for (uint32_t i = 0; i < c->k; i++)
    if (tl_support(c, i)) {
      sum += tl_recall(c, i);
      classes++;
    }
  return classes ? sum / classes : 0.0;
}

double tl_wa(const tl_confusion *c)
{
  size_t ok = 0;
  for (uint32_t i = 0; i < c->k; i++)
    ok += c->cm[i][i];
  return c->n ? (double)ok / (double)c->n : 0.0;
}
