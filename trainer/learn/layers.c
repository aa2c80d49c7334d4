/* layers.c: forward and backward kernels per layer type (see layers.h). */
#include "layers.h"
#include "rng.h"
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* A function compiled twice, for AVX2 and portable, the copy for this CPU
 * picked once at load (GCC's target_clones): for loops the compiler
 * vectorises, whose operations and order, and so bits, are the same in both. */
#define TL_AVX2_CLONES __attribute__((target_clones("avx2", "default")))

/* ---- dense -------------------------------------------------------------- */

void tl_dense_forward(const tl_layer *l, const float *wt, const float *b,
                      const float *x, size_t n, float *y)
{
  const int in = (int)tl_shape_len(l->in), out = (int)l->out.c;
  for (size_t s = 0; s < n; s++)
    memcpy(y + s * out, b, sizeof(float) * out);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, out, in,
              1.0f, x, in, wt, in, 1.0f, y, out);
}

void tl_dense_backward(const tl_layer *l, const float *wt, const float *x,
                       const float *dy, size_t n, float *dw, float *db, float *dx)
{
  const int in = (int)tl_shape_len(l->in), out = (int)l->out.c;
  for (size_t s = 0; s < n; s++)
    for (int o = 0; o < out; o++)
      db[o] += dy[s * out + o];
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, (int)n,
              1.0f, dy, out, x, in, 1.0f, dw, in);
  if (dx)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, in, out,
                1.0f, dy, out, wt, in, 0.0f, dx, in);
}

/* g where on, else +0, through a bit mask: gcc compiles the select
 * `on ? g : 0.0f` to a branch, and whether a ReLU passes or a dropout keeps
 * an element is a coin flip the branch predictor loses. */
static inline float keep_if(int on, float g)
{
  uint32_t b;
  memcpy(&b, &g, sizeof b);
  b &= -(uint32_t)on;
  memcpy(&g, &b, sizeof g);
  return g;
}

/* ---- max pooling (-inf padding) ------------------------------------------ */

/* v as the pooling reads it: through a ReLU before it when relu is set. */
static inline float pool_read(int relu, float v)
{
  return relu ? (v > 0.0f ? v : 0.0f) : v;
}

/* The first maximum of the window at (oh, ow) in window order (the first
 * element, then each strictly greater one), with its index; -FLT_MAX and 0
 * for a window wholly in the padding. relu: each element read as max(x, 0).
 * Padded pooling only (pool_row does the unpadded rows). */
static float window_max(const tl_layer *l, const float *xp, uint32_t oh, uint32_t ow,
                        int relu, uint32_t *at)
{
  const evx_shape in = l->in;
  float best = -FLT_MAX;
  int found = 0;
  *at = 0;
  for (uint32_t ki = 0; ki < l->kh; ki++) {
    long ih = (long)oh * l->sh + ki - l->ph;
    if (ih < 0 || ih >= (long)in.h)
      continue;
    for (uint32_t kj = 0; kj < l->kw; kj++) {
      long iw = (long)ow * l->sw + kj - l->pw;
      if (iw < 0 || iw >= (long)in.w)
        continue;
      uint32_t idx = (uint32_t)(ih * in.w + iw);
      const float v = pool_read(relu, xp[idx]);
      if (!found || v > best) {
        best = v;
        *at = idx;
        found = 1;
      }
    }
  }
  return best;
}

/* One output row of an unpadded pooling: the window's elements in window
 * order, each taken where strictly greater, as window_max does, but over the
 * whole row at once with selects instead of branches, so the compiler can
 * vectorise it (a called constant sw makes the loads plain strided ones).
 * A pass picks its offset inside the window, the same for the whole row;
 * the window's start is added once at the end. */
static inline void pool_row(const tl_layer *l, const float *xp, uint32_t oh,
                            size_t sw, int relu, float *restrict yr,
                            uint32_t *restrict ar)
{
  const size_t in_w = l->in.w, out_w = l->out.w, base = (size_t)oh * l->sh * in_w;
  for (size_t ki = 0; ki < l->kh; ki++)
    for (size_t kj = 0; kj < l->kw; kj++) {
      const uint32_t off = (uint32_t)(ki * in_w + kj);
      const float *xr = xp + base + off;
      if (ki == 0 && kj == 0) {
        for (size_t ow = 0; ow < out_w; ow++) {
          yr[ow] = pool_read(relu, xr[ow * sw]);
          ar[ow] = 0;
        }
        continue;
      }
      for (size_t ow = 0; ow < out_w; ow++) {
        const float v = pool_read(relu, xr[ow * sw]);
        /* the offset picked through a mask: gcc 12 leaves a float compare
         * that selects integers as a branch, unvectorised */
        const uint32_t gt = -(uint32_t)(v > yr[ow]);
        yr[ow] = v > yr[ow] ? v : yr[ow];
        ar[ow] = (off & gt) | (ar[ow] & ~gt);
      }
    }
  for (size_t ow = 0; ow < out_w; ow++)
    ar[ow] += (uint32_t)(base + ow * sw);
}

/* The planes. Compiled twice, for AVX2 (eight windows an instruction) and
 * portable, the copy picked at load for this CPU (TL_AVX2_CLONES): compares
 * and selects only, so the same bits. */
TL_AVX2_CLONES static void
pool_forward(const tl_layer *l, const float *x, size_t n, int relu, float *y, uint32_t *arg)
{
  const evx_shape in = l->in, out = l->out;
  const int unpadded = l->ph == 0 && l->pw == 0;
  for (size_t p = 0; p < n * in.c; p++) {
    const float *xp = x + p * in.h * in.w;
    float *yp = y + p * out.h * out.w;
    uint32_t *ap = arg + p * out.h * out.w;
    for (uint32_t oh = 0; oh < out.h; oh++) {
      float *yr = yp + (size_t)oh * out.w;
      uint32_t *ar = ap + (size_t)oh * out.w;
      if (unpadded && l->sw == 2)
        pool_row(l, xp, oh, 2, relu, yr, ar);
      else if (unpadded)
        pool_row(l, xp, oh, l->sw, relu, yr, ar);
      else
        for (uint32_t ow = 0; ow < out.w; ow++)
          yr[ow] = window_max(l, xp, oh, ow, relu, &ar[ow]);
    }
  }
}

void tl_maxpool_forward(const tl_layer *l, const float *x, size_t n, float *y,
                        uint32_t *arg)
{
  pool_forward(l, x, n, 0, y, arg);
}

void tl_relu_maxpool_forward(const tl_layer *l, const float *x, size_t n, float *y,
                             uint32_t *arg)
{
  pool_forward(l, x, n, 1, y, arg);
}

void tl_maxpool_backward(const tl_layer *l, const uint32_t *arg,
                         const float *dy, size_t n, float *dx)
{
  const size_t ip = (size_t)l->in.h * l->in.w, op = (size_t)l->out.h * l->out.w;
  memset(dx, 0, sizeof(float) * n * l->in.c * ip);
  for (size_t p = 0; p < n * l->in.c; p++)
    for (size_t o = 0; o < op; o++)
      dx[p * ip + arg[p * op + o]] += dy[p * op + o];
}

/* A position that wins no window gets 0 either way; one that wins some
 * gets their sum in the same order, or +0 when the ReLU was off there (the
 * window's max, y, not positive). Each plane is zeroed just before its adds,
 * while it is in cache, not the whole chunk in one pass before them. */
void tl_maxpool_relu_backward(const tl_layer *l, const uint32_t *arg, const float *y,
                              const float *dy, size_t n, float *dx)
{
  const size_t ip = (size_t)l->in.h * l->in.w, op = (size_t)l->out.h * l->out.w;
  for (size_t p = 0; p < n * l->in.c; p++) {
    float *dp = dx + p * ip;
    const float *yp = y + p * op, *gp = dy + p * op;
    const uint32_t *ap = arg + p * op;
    memset(dp, 0, sizeof(float) * ip);
    for (size_t o = 0; o < op; o++)
      dp[ap[o]] += keep_if(yp[o] > 0.0f, gp[o]);
  }
}

/* ---- elementwise and reductions ------------------------------------------ */

void tl_relu_forward(size_t len, const float *x, float *y)
{
  for (size_t i = 0; i < len; i++)
    y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void tl_relu_backward(size_t len, const float *restrict y, const float *restrict dy,
                      float *restrict dx)
{
  for (size_t i = 0; i < len; i++)
    dx[i] = keep_if(y[i] > 0.0f, dy[i]);
}

void tl_dropout_forward(const tl_layer *l, const float *x, size_t n, int train,
                        uint64_t seed, size_t first, float *mask, float *y)
{
  const size_t len = tl_shape_len(l->in);
  if (!train || l->rate <= 0.0f) {
    memcpy(y, x, sizeof(float) * n * len);
    for (size_t i = 0; i < n * len; i++)
      mask[i] = 1.0f;
    return;
  }
  const float rate = l->rate, keep = 1.0f / (1.0f - rate);
  for (size_t s = 0; s < n; s++) {
    uint64_t st = tl_rng_mix(seed, first + s);
    const float *xs = x + s * len;
    float *ms = mask + s * len, *ys = y + s * len;
    for (size_t i = 0; i < len; i++) {
      ms[i] = keep_if(tl_rng_uniform(&st) >= rate, keep);
      ys[i] = xs[i] * ms[i];
    }
  }
}

void tl_dropout_backward(size_t len, const float *mask, const float *dy, float *dx)
{
  for (size_t i = 0; i < len; i++)
    dx[i] = dy[i] * mask[i];
}

void tl_gap_forward(const tl_layer *l, const float *x, size_t n, float *y)
{
  const size_t plane = (size_t)l->in.h * l->in.w;
  for (size_t p = 0; p < n * l->in.c; p++) {
    double sum = 0;
    for (size_t i = 0; i < plane; i++)
      sum += x[p * plane + i];
    y[p] = (float)(sum / (double)plane);
  }
}

void tl_gap_backward(const tl_layer *l, const float *dy, size_t n, float *dx)
{
  const size_t plane = (size_t)l->in.h * l->in.w;
  for (size_t p = 0; p < n * l->in.c; p++) {
    float g = dy[p] / (float)plane;
    for (size_t i = 0; i < plane; i++)
      dx[p * plane + i] = g;
  }
}

/* ---- batch normalisation (ghost batches of TL_BN_GROUP samples) ---------- */

/* Every index j of channel c in samples [a, b) of an (n, C, plane) batch:
 * the one walk the forward and backward passes share, in one order. */
#define FOR_CHANNEL(j, a, b, c) \
  for (size_t k_ = (a); k_ < (b); k_++) \
    for (size_t j = (k_ * C + (c)) * plane, end_ = j + plane; j < end_; j++)

/* End of the group that chunk sample a belongs to (chunk-relative, <= n). */
static size_t group_end(size_t first, size_t a, size_t n)
{
  size_t b = (first + a) / TL_BN_GROUP * TL_BN_GROUP + TL_BN_GROUP - first;
  return b < n ? b : n;
}

/* Adds row r's len values less mu to s and their products with h's (with
 * themselves when sq) to sh, each in BN_LANES partial sums (position
 * i % BN_LANES, the tail in lane 0): independent adds that vectorise, where
 * one running sum waited on each add. Inlined with constant h, sq. */
#define BN_LANES 8
static inline __attribute__((always_inline)) void
lane_sums(const float *r, const float *h, int sq, double mu, size_t len, double *s, double *sh)
{
  const size_t whole = len / BN_LANES * BN_LANES;
  for (size_t i = 0; i < whole; i += BN_LANES)
    for (size_t j = 0; j < BN_LANES; j++) {
      const double d = r[i + j] - mu;
      s[j] += d;
      if (h || sq)
        sh[j] += d * (sq ? d : h[i + j]);
    }
  for (size_t i = whole; i < len; i++) {
    const double d = r[i] - mu;
    s[0] += d;
    if (h || sq)
      sh[0] += d * (sq ? d : h[i]);
  }
}

/* The BN_LANES partial sums of a in lane order. */
static double lanes_total(const double *a)
{
  double t = 0;
  for (size_t j = 0; j < BN_LANES; j++)
    t += a[j];
  return t;
}

/* Mean and sum of squared deviations of channel c over samples [a, b),
 * each in lane_sums' partial sums. */
static inline __attribute__((always_inline)) void
bn_moments(const float *x, size_t a, size_t b, size_t C, size_t plane, size_t c, double m,
           double *mean, double *sq)
{
  double sum[BN_LANES] = { 0 }, dev[BN_LANES] = { 0 }, d2[BN_LANES] = { 0 };
  for (size_t k = a; k < b; k++)
    lane_sums(x + (k * C + c) * plane, NULL, 0, 0.0, plane, sum, NULL);
  *mean = lanes_total(sum) / m;
  for (size_t k = a; k < b; k++)
    lane_sums(x + (k * C + c) * plane, NULL, 1, *mean, plane, dev, d2);
  *sq = lanes_total(d2);
}

/* The training pass over a chunk's groups (see tl_bn_forward). Compiled
 * for AVX2 (four doubles an instruction; no FMA, so nothing is contracted)
 * and portable: the same operations in the same order, so the same bits. */
TL_AVX2_CLONES static void
bn_groups(const tl_layer *l, const float *gamma, const float *beta, const float *x,
          size_t n, size_t first, float *xhat, float *istd, double *stat,
          size_t *groups, float *y)
{
  const size_t C = l->in.c, plane = (size_t)l->in.h * l->in.w;
  for (size_t gi = 0, a = 0, b; a < n; a = b, gi++) {
    b = group_end(first, a, n);
    const double m = (double)(b - a) * (double)plane;
    for (size_t c = 0; c < C; c++) {
      double mean, sq;
      bn_moments(x, a, b, C, plane, c, m, &mean, &sq);
      const double var = sq / m;
      const float s = (float)(1.0 / sqrt(var + TL_BN_EPS));
      istd[gi * C + c] = s;
      stat[c] += mean;
      stat[C + c] += m > 1 ? sq / (m - 1) : var;
      FOR_CHANNEL(j, a, b, c) {
        xhat[j] = (float)((x[j] - mean) * s);
        y[j] = gamma[c] * xhat[j] + beta[c];
      }
    }
    (*groups)++;
  }
}

void tl_bn_forward(const tl_layer *l, const float *gamma, const float *beta,
                   const float *run_mean, const float *run_var, const float *x,
                   size_t n, int train, size_t first, float *xhat, float *istd,
                   double *stat, size_t *groups, float *y)
{
  const size_t C = l->in.c, plane = (size_t)l->in.h * l->in.w;
  if (!train) {
    for (size_t c = 0; c < C; c++) {
      float s = 1.0f / sqrtf(run_var[c] + TL_BN_EPS);
      FOR_CHANNEL(j, 0, n, c)
        y[j] = gamma[c] * (x[j] - run_mean[c]) * s + beta[c];
    }
    return;
  }
  bn_groups(l, gamma, beta, x, n, first, xhat, istd, stat, groups, y);
}

/* Sums of dy and of dy * xhat of channel c over samples [a, b) in
 * lane_sums' partial sums. */
static inline __attribute__((always_inline)) void
bn_grad_sums(const float *dy, const float *xhat, size_t a, size_t b, size_t C, size_t plane,
             size_t c, double *sd, double *sdx)
{
  double s[BN_LANES] = { 0 }, sx[BN_LANES] = { 0 };
  for (size_t k = a; k < b; k++)
    lane_sums(dy + (k * C + c) * plane, xhat + (k * C + c) * plane, 0, 0.0, plane, s, sx);
  *sd = lanes_total(s);
  *sdx = lanes_total(sx);
}

/* The backward pass over a chunk's groups (see tl_bn_backward), AVX2 and
 * portable as bn_groups: the same bits. */
TL_AVX2_CLONES static void
bn_back_groups(const tl_layer *l, const float *gamma, const float *xhat, const float *istd,
               const float *dy, size_t n, size_t first, float *dgamma, float *dbeta,
               float *dx)
{
  const size_t C = l->in.c, plane = (size_t)l->in.h * l->in.w;
  for (size_t gi = 0, a = 0, b; a < n; a = b, gi++) {
    b = group_end(first, a, n);
    const double m = (double)(b - a) * (double)plane;
    for (size_t c = 0; c < C; c++) {
      double sd, sdx;
      bn_grad_sums(dy, xhat, a, b, C, plane, c, &sd, &sdx);
      dgamma[c] += (float)sdx;
      dbeta[c] += (float)sd;
      if (!dx)
        continue;
      const float md = (float)(sd / m), mdx = (float)(sdx / m);
      const float s = gamma[c] * istd[gi * C + c];
      FOR_CHANNEL(j, a, b, c)
        dx[j] = s * (dy[j] - md - xhat[j] * mdx);
    }
  }
}

/* dx = gamma * istd * (dy - mean(dy) - xhat * mean(dy * xhat)), means over
 * the group's samples and positions. */
void tl_bn_backward(const tl_layer *l, const float *gamma, const float *xhat,
                    const float *istd, const float *dy, size_t n, size_t first,
                    float *dgamma, float *dbeta, float *dx)
{
  bn_back_groups(l, gamma, xhat, istd, dy, n, first, dgamma, dbeta, dx);
}

void tl_softmax_rows(const float *x, size_t n, size_t k, float *y)
{
  for (size_t s = 0; s < n; s++) {
    const float *xr = x + s * k;
    float *yr = y + s * k, mx = xr[0];
    for (size_t j = 1; j < k; j++)
      mx = xr[j] > mx ? xr[j] : mx;
    double sum = 0;
    for (size_t j = 0; j < k; j++) {
      yr[j] = expf(xr[j] - mx);
      sum += yr[j];
    }
    for (size_t j = 0; j < k; j++)
      yr[j] = (float)(yr[j] / sum);
  }
}
