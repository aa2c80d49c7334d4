/* train_loop.c: epochs, batches, threads (see train_loop.h). */
#include "train_loop.h"
#include "checkpoint.h"
#include "evx_write_atomic.h"
#include "progress.h"
#include "rng.h"
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

tl_train_opts tl_train_defaults(void)
{
  return (tl_train_opts){ .epochs = 200, .batch = 32, .lr = 1e-3, .lr_factor = 0.5,
                          .lr_patience = 5, .min_lr = 1e-5, .patience = 15,
                          .threads = 2, .seed = 1, .balanced = 0 };
}

int tl_state_alloc(tl_state *st, size_t n_params)
{
  memset(st, 0, sizeof *st);
  st->n_params = n_params;
  st->params = calloc(n_params, sizeof(float));
  st->m = calloc(n_params, sizeof(float));
  st->v = calloc(n_params, sizeof(float));
  st->best = calloc(n_params, sizeof(float));
  if (!st->params || !st->m || !st->v || !st->best) {
    tl_state_free(st);
    return -1;
  }
  return 0;
}

void tl_state_free(tl_state *st)
{
  free(st->params);
  free(st->m);
  free(st->v);
  free(st->best);
  st->params = st->m = st->v = st->best = NULL;
}

/* Row i counts once for weighting: every row, or (item given) only the first
 * row of each item, since one row per item trains in an epoch. */
static int counts(const uint32_t *item, size_t i)
{
  return !item || i == 0 || item[i] != item[i - 1];
}

void tl_class_weights(const tl_set *s, uint32_t n_classes, int balanced, int per_item,
                      float *w)
{
  /* counted under the row weights (speaker or corpus balance), so that the
   * two balances compose: each class then carries the same weighted mass */
  const uint32_t *item = per_item ? s->item : NULL;
  double count[EVX_MAX_LABELS] = { 0 }, n = 0;
  size_t present = 0;
  for (size_t i = 0; i < s->n; i++)
    if (counts(item, i)) {
      double wi = s->w ? s->w[i] : 1.0;
      count[s->y[i]] += wi, n += wi;
    }
  for (uint32_t c = 0; c < n_classes; c++)
    present += count[c] > 0;
  for (uint32_t c = 0; c < n_classes; c++)
    w[c] = !balanced ? 1.0f : count[c] > 0 ? (float)(n / ((double)present * count[c])) : 0.0f;
}

void tl_group_weights(const uint32_t *group, const uint32_t *item, size_t n,
                      uint32_t n_groups, float *w)
{
  size_t *count = calloc(n_groups ? n_groups : 1, sizeof(size_t)), present = 0;
  if (!count) {
    for (size_t i = 0; i < n; i++)
      w[i] = 1.0f;
    return;
  }
  size_t units = 0;
  for (size_t i = 0; i < n; i++)
    if (counts(item, i))
      count[group[i]]++, units++;
  for (uint32_t g = 0; g < n_groups; g++)
    present += count[g] > 0;
  for (size_t i = 0; i < n; i++)
    w[i] = (float)((double)units / ((double)present * (double)count[group[i]]));
  free(count);
}

/* ---- threads ------------------------------------------------------------ */

typedef struct {
  void (*fn)(void *, int);
  void *ctx;
  int t;
} job;

static void *job_main(void *p)
{
  job *j = p;
  j->fn(j->ctx, j->t);
  return NULL;
}

int tl_parallel(int threads, void (*fn)(void *ctx, int t), void *ctx)
{
  pthread_t tid[64];
  job jobs[64];
  int started = 0, failed = 0;
  if (threads > 64)
    threads = 64;
  for (int t = 1; t < threads; t++) {
    jobs[t] = (job){ fn, ctx, t };
    if (pthread_create(&tid[t], NULL, job_main, &jobs[t])) {
      failed = 1;
      break;
    }
    started = t;
  }
  fn(ctx, 0);
  for (int t = 1; t <= started; t++)
    pthread_join(tid[t], NULL);
  for (int t = started + 1; failed && t < threads; t++)
    fn(ctx, t);
  return failed ? -1 : 0;
}

/* ---- one batch ------------------------------------------------------------ */

typedef struct {
  const tl_graph *g;
  const float *params;
  int threads;
  tl_work *work[64];
  float *grad[64];           /* per thread */
  double loss[64];
  size_t correct[64];
  /* the batch */
  const size_t *rows;        /* NULL, or the rows of src that make x: each
                                worker copies its own chunk's into gather
                                (two threads copy, each into its own cache) */
  const float *src;
  float *gather;
  const float *x;
  const int *y;
  const float *sw;
  size_t n;
  double norm;
  uint64_t dropout_seed;
  float smooth;              /* label smoothing */
  int train;
  float *probs;              /* predict: n x k output */
} batch_ctx;

static void chunk_of(size_t n, int threads, int t, size_t *lo, size_t *hi)
{
  *lo = n * (size_t)t / (size_t)threads;
  *hi = n * (size_t)(t + 1) / (size_t)threads;
}

static size_t count_correct(const float *p, const int *y, size_t n, uint32_t k)
{
  size_t ok = 0;
  for (size_t s = 0; s < n; s++) {
    uint32_t best = 0;
    for (uint32_t j = 1; j < k; j++)
      if (p[s * k + j] > p[s * k + best])
        best = j;
    ok += (int)best == y[s];
  }
  return ok;
}

static void batch_worker(void *p, int t)
{
  batch_ctx *c = p;
  size_t lo, hi;
  chunk_of(c->n, c->threads, t, &lo, &hi);
  c->loss[t] = 0;
  c->correct[t] = 0;
  if (c->train)
    memset(c->grad[t], 0, sizeof(float) * c->g->n_params);
  if (hi == lo)
    return;
  const uint32_t dim = (uint32_t)tl_shape_len(c->g->input), k = c->g->n_classes;
  for (size_t s = lo; c->rows && s < hi; s++)
    memcpy(c->gather + s * dim, c->src + c->rows[s] * dim, sizeof(float) * dim);
  tl_forward(c->g, c->work[t], c->params, c->x + lo * dim, hi - lo, c->train,
             c->dropout_seed, lo, c->probs ? c->probs + lo * k : NULL);
  const float *pr = tl_probs(c->work[t]);
  c->correct[t] = count_correct(pr, c->y + lo, hi - lo, k);
  if (c->train) {
    tl_backward(c->g, c->work[t], c->params, c->y + lo, c->sw + lo, c->norm, c->smooth,
                c->grad[t], &c->loss[t], NULL);
  } else if (c->sw) {
    for (size_t s = 0; s < hi - lo; s++)
      c->loss[t] -= c->sw[lo + s] * log(fmax(pr[s * k + c->y[lo + s]], 1e-30));
  }
}

static int ctx_init(batch_ctx *c, const tl_graph *g, int threads, size_t chunk, int grads)
{
  memset(c, 0, sizeof *c);
  c->g = g;
  c->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
  for (int t = 0; t < c->threads; t++) {
    c->work[t] = tl_work_new(g, chunk);
    if (!c->work[t])
      return -1;
    if (grads && !(c->grad[t] = calloc(g->n_params, sizeof(float))))
      return -1;
  }
  return 0;
}

static void ctx_free(batch_ctx *c)
{
  for (int t = 0; t < 64; t++) {
    tl_work_free(c->work[t]);
    free(c->grad[t]);
  }
}

/* Eval over a whole set: loss (weighted by class weight cw, normalised by
 * total weight), accuracy, probabilities when probs != NULL. */
static int evaluate(batch_ctx *c, const float *params, const tl_set *s,
                    const float *cw, size_t chunk, float *probs,
                    double *loss, double *acc)
{
  const uint32_t k = c->g->n_classes;
  float *sw = malloc(sizeof(float) * (s->n ? s->n : 1));
  if (!sw)
    return -1;
  double total_w = 0, l = 0;
  size_t ok = 0;
  for (size_t i = 0; i < s->n; i++)
    total_w += sw[i] = (cw ? cw[s->y[i]] : 1.0f) * (s->w ? s->w[i] : 1.0f);
  c->params = params;
  c->train = 0;
  c->rows = NULL;   /* rows in place: the set is contiguous */
  c->sw = sw;
  const size_t step = chunk * (size_t)c->threads;
  for (size_t at = 0; at < s->n; at += step) {
    c->n = s->n - at < step ? s->n - at : step;
    c->x = s->x + at * s->dim;
    c->y = s->y + at;
    c->sw = sw + at;
    c->probs = probs ? probs + at * k : NULL;
    tl_parallel(c->threads, batch_worker, c);
    for (int t = 0; t < c->threads; t++) {
      l += c->loss[t];
      ok += c->correct[t];
    }
  }
  free(sw);
  *loss = total_w > 0 ? l / total_w : 0;
  *acc = s->n ? (double)ok / (double)s->n : 0;
  return 0;
}

int tl_predict(const tl_graph *g, const float *params, const tl_set *s,
               int threads, float *probs)
{
  batch_ctx c;
  int rc = -1;
  if (ctx_init(&c, g, threads, 64, 0) == 0) {
    double loss, acc;
    rc = evaluate(&c, params, s, NULL, 64, probs, &loss, &acc);
  }
  ctx_free(&c);
  return rc;
}

/* ---- the loop ------------------------------------------------------------ */

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) { (void)sig; interrupted = 1; }

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Test hook: EVX_TRAIN_STOP_AFTER_EPOCH=k stops the process (SIGSTOP) right
 * after epoch k's checkpoint is on disk, so a test can SIGKILL it at a known
 * point without timing. */
static void maybe_stop_for_test(int epoch)
{
  const char *s = getenv("EVX_TRAIN_STOP_AFTER_EPOCH");
  if (s && atoi(s) == epoch)
    raise(SIGSTOP);
}

static void fresh_state(const tl_graph *g, const tl_train_opts *o, tl_state *st)
{
  st->rng = o->seed;
  tl_graph_init_params(g, st->params, &st->rng);
  memcpy(st->best, st->params, sizeof(float) * g->n_params);
  st->adam = tl_adam_defaults(o->lr);
  st->plateau = tl_plateau_make(o->lr_factor, o->lr_patience, o->min_lr);
  st->early = tl_early_make(o->patience);
  st->fingerprint = o->fingerprint;
}

size_t tl_epoch_rows(const tl_set *s, int one_window, uint64_t *rng, size_t *perm)
{
  size_t rows = 0;
  for (size_t a = 0, b; a < s->n; a = b) {   /* one row per item, or all */
    b = a + 1;
    if (!(one_window && s->item)) {
      perm[rows++] = a;
      continue;
    }
    while (b < s->n && s->item[b] == s->item[a])
      b++;
    perm[rows++] = a + (size_t)tl_rng_below(rng, b - a);
  }
  for (size_t i = rows; i > 1; i--) {   /* Fisher-Yates */
    size_t j = (size_t)tl_rng_below(rng, i), t = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = t;
  }
  return rows;
}

/* Beta(a, a) for 0 < a <= 1 (Johnk's method). */
static float beta_draw(uint64_t *rng, double a)
{
  for (;;) {
    double x = pow(tl_rng_uniform(rng), 1.0 / a), y = pow(tl_rng_uniform(rng), 1.0 / a);
    if (x + y <= 1.0 && x + y > 0.0)
      return (float)(x / (x + y));
  }
}

/* Mixup of the n rows of a batch in place: row s becomes l_s x_s +
 * (1 - l_s) x_q (q a random row of the batch) trained towards y_s with
 * weight l_s sw_s, and row n + s the same mixed input towards y_q with
 * weight (1 - l_s) sw_q: the gradient of the mixed loss, since the loss is
 * linear in its target. xb, yb, swb have room for 2n rows; lam for n. */
static void mix_batch(float *xb, int *yb, float *swb, float *lam, size_t n, size_t dim,
                      double a, uint64_t *rng)
{
  for (size_t s = 0; s < n; s++) {
    size_t q = (size_t)tl_rng_below(rng, n);
    float l = lam[s] = beta_draw(rng, a);
    float *m = xb + (n + s) * dim;
    const float *xs = xb + s * dim, *xq = xb + q * dim;
    for (size_t i = 0; i < dim; i++)
      m[i] = l * xs[i] + (1.0f - l) * xq[i];
    yb[n + s] = yb[q];
    swb[n + s] = (1.0f - l) * swb[q];
  }
  for (size_t s = 0; s < n; s++) {
    memcpy(xb + s * dim, xb + (n + s) * dim, sizeof(float) * dim);
    swb[s] *= lam[s];
  }
}

static int run_epoch(batch_ctx *c, const tl_graph *g, const tl_set *tr,
                     const float *cw, const tl_train_opts *o, tl_state *st,
                     size_t *perm, float *xb, int *yb, float *swb, float *lam,
                     float *grad, tl_progress *pg, tl_epoch *ep)
{
  const size_t B = (size_t)o->batch, dim = tr->dim;
  const size_t rows = tl_epoch_rows(tr, o->one_window, &st->rng, perm);
  double loss = 0;
  size_t correct = 0, batches = (rows + B - 1) / B;
  c->train = 1;
  c->smooth = (float)o->label_smoothing;
  c->probs = NULL;
  for (size_t b = 0; b < batches && !interrupted; b++) {
    size_t lo = b * B, n = rows - lo < B ? rows - lo : B;
    double norm = 0;
    for (size_t s = 0; s < n; s++) {
      size_t r = perm[lo + s];
      yb[s] = tr->y[r];
      norm += swb[s] = cw[yb[s]] * (tr->w ? tr->w[r] : 1.0f);
    }
    size_t rows_b = n;   /* rows in this batch after mixup */
    c->rows = perm + lo, c->src = tr->x, c->gather = xb;   /* the workers copy */
    if (o->mixup > 0) {   /* mixes the copied rows here */
      for (size_t s = 0; s < n; s++)
        memcpy(xb + s * dim, tr->x + perm[lo + s] * dim, sizeof(float) * dim);
      c->rows = NULL;
      mix_batch(xb, yb, swb, lam, n, dim, o->mixup, &st->rng);
      rows_b = 2 * n;
      norm = 0;
      for (size_t s = 0; s < rows_b; s++)
        norm += swb[s];
    }
    c->params = st->params;
    c->x = xb, c->y = yb, c->sw = swb, c->n = rows_b;
    c->norm = norm > 0 ? norm : 1;
    c->dropout_seed = tl_rng_next(&st->rng);
    tl_parallel(c->threads, batch_worker, c);
    memcpy(grad, c->grad[0], sizeof(float) * g->n_params);
    for (int t = 1; t < c->threads; t++)
      for (size_t i = 0; i < g->n_params; i++)
        grad[i] += c->grad[t][i];
    size_t hit = 0;
    for (int t = 0; t < c->threads; t++) {
      loss += c->loss[t] * (double)n;   /* per-batch mean back to a sum */
      hit += c->correct[t];
    }
    correct += rows_b > n ? hit / 2 : hit;   /* mixup: each label half a row */
    tl_adam_step(&st->adam, g->n_params, st->params, grad, st->m, st->v);
    tl_work *ran[64];
    int n_ran = 0;
    for (int t = 0; t < c->threads; t++) {
      size_t a, z;
      chunk_of(rows_b, c->threads, t, &a, &z);
      if (z > a)
        ran[n_ran++] = c->work[t];
    }
    tl_bn_update_running(g, ran, n_ran, st->params);
    tl_progress_batch(pg, b + 1, batches, loss / (double)(lo + n),
                      (double)correct / (double)(lo + n));
  }
  ep->train_loss = rows ? loss / (double)rows : 0;
  ep->train_acc = rows ? (double)correct / (double)rows : 0;
  return interrupted ? -1 : 0;
}

int tl_train(const tl_graph *g, const tl_set *tr, const tl_set *val,
             const tl_train_opts *o, tl_state *st, char *err, size_t errlen)
{
  if (tl_graph_check(g, err, errlen))
    return -1;
  if (!tr->n || tr->dim != tl_shape_len(g->input)) {
    snprintf(err, errlen, "training set is empty or rows do not match the input");
    return -1;
  }
  if (o->epochs < 1 || o->epochs > TL_MAX_EPOCHS || o->batch < 1) {
    snprintf(err, errlen, "epochs must be 1..%d and batch >= 1", TL_MAX_EPOCHS);
    return -1;
  }
  if (tl_state_alloc(st, g->n_params)) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (o->checkpoint)
    evx_write_remove_stale(o->checkpoint); /* left by a kill during a write */
  if (o->resume && o->checkpoint) {
    if (tl_checkpoint_read(o->checkpoint, st, o->fingerprint, err, errlen))
      return -1;
  } else {
    fresh_state(g, o, st);
  }
  openblas_set_num_threads(1);    /* our threads split the batch */
  float cw[EVX_MAX_LABELS];
  tl_class_weights(tr, g->n_classes, o->balanced, o->one_window, cw);

  batch_ctx c;
  /* mixup doubles a batch's rows (mix_batch) */
  size_t B = (size_t)o->batch * (o->mixup > 0 ? 2 : 1);
  size_t chunk = (B + (size_t)o->threads - 1) / (size_t)(o->threads < 1 ? 1 : o->threads);
  size_t *perm = malloc(sizeof(size_t) * tr->n);
  float *xb = malloc(sizeof(float) * B * tr->dim), *swb = malloc(sizeof(float) * B);
  float *lam = malloc(sizeof(float) * B);
  int *yb = malloc(sizeof(int) * B);
  float *grad = malloc(sizeof(float) * g->n_params);
  batch_ctx ec;
  int rc = -1;
  int ok_ctx = ctx_init(&c, g, o->threads, chunk, 1) == 0;
  ok_ctx &= ctx_init(&ec, g, o->threads, 64, 0) == 0;
  if (!ok_ctx || !perm || !xb || !swb || !lam || !yb || !grad) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  interrupted = 0;
  struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  tl_progress pg;
  tl_progress_begin(&pg, o->epochs, o->quiet);
  rc = 0;
  while (!st->done && st->epoch < o->epochs) {
    if (o->cosine)   /* validation plays no part in the schedule */
      st->adam.lr = 0.5 * o->lr * (1.0 + cos(M_PI * st->epoch / o->epochs));
    tl_epoch ep = { .lr = st->adam.lr };
    double t0 = now_s();
    tl_progress_epoch_begin(&pg, st->epoch + 1);
    if (run_epoch(&c, g, tr, cw, o, st, perm, xb, yb, swb, lam, grad, &pg, &ep)) {
      rc = 130;
      break;
    }
    const tl_set *mon = val && val->n ? val : tr;
    if (evaluate(&ec, st->params, mon, cw, 64, NULL, &ep.val_loss, &ep.val_acc)) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
      break;
    }
    ep.seconds = now_s() - t0;
    st->hist[st->epoch] = ep;
    st->epoch++;
    if (tl_early_update(&st->early, ep.val_loss, st->epoch) || o->keep_last)
      memcpy(st->best, st->params, sizeof(float) * g->n_params);
    if (!o->cosine)
      tl_plateau_update(&st->plateau, ep.val_loss, &st->adam.lr);
    st->done = (!o->keep_last && tl_early_stop(&st->early)) || st->epoch >= o->epochs;
    tl_progress_epoch_end(&pg, st->epoch, &ep, st->early.best_epoch == st->epoch);
    if (o->checkpoint && tl_checkpoint_write(o->checkpoint, st, err, errlen)) {
      rc = -1;
      break;
    }
    maybe_stop_for_test(st->epoch);
    if (interrupted) {
      rc = 130;
      break;
    }
  }
  tl_progress_end(&pg);
  if (rc == 130)
    snprintf(err, errlen, "interrupted after epoch %d (resume with --resume)", st->epoch);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
out:
  ctx_free(&c);
  ctx_free(&ec);
  free(perm), free(xb), free(swb), free(lam), free(yb), free(grad);
  return rc;
}
