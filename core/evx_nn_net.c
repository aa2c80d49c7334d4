/* evx_nn_net.c: the inference engine. evx_net_size/init (non-RT) plan one
 * arena in caller memory and compile the model into a list of ops, each a
 * number of equal-cost units; forward/begin/step/output (RT) run those units,
 * whole or in slices, through the same kernels, so results are bit-identical. */
#include "evx_nn_net.h"
#include "evx_nn_internal.h"
#include "evx_nn_kernels.h"
#include "evx_nn_winograd.h"
#include <math.h>
#include <string.h>

enum op_kind { OP_NORM, OP_PAD, OP_CONV, OP_WG_IN, OP_WG_CONV, OP_POOL, OP_DENSE, OP_RELU,
               OP_AFFINE, OP_GAP, OP_SOFTMAX };

typedef struct {
  uint32_t kind, units;
  uint64_t unit_cost; /* FLOPs (>= 1) charged per unit against step()'s budget */
  evx_kargs k;
} evx_op;

#define MAX_OPS (1 + 2 * EVX_MAX_LAYERS)

/* The activations, in the arena after the evx_net (placed by evx_net_init).
 * Sizes in floats; "act" is the largest of the input and every layer's
 * output, c*h*w. */
typedef struct {
  float *buf[2];        /* [act] each: a layer reads one and writes the other
                           (in place: the input normalisation, relu,
                           batchnorm, softmax) */
  float *scratch;       /* a conv's zero-padded input [in.c][in.h+2ph][in.w+2pw],
                           a Winograd conv's passes (evx_wg_scratch_len) or a
                           pool's row [in.w], the largest, + 16 slack */
  float *in;            /* the input [input.c][input.h][input.w] (= buf[0]) */
  float *out;           /* the probabilities [n_labels] (one of buf) */
} evx_acts;

struct evx_net {
  const evx_model *m;
  const evx_isa *isa;   /* the kernels its conv weights were packed for */
  uint32_t n_ops, op, unit;
  evx_acts a;
  evx_op ops[MAX_OPS];
};

#define ALIGN 64u
static size_t up64(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }
static size_t fbytes(uint64_t n) { return up64((size_t)n * sizeof(float)); }

/* What each piece of the arena needs (evx_net_init places them). */
typedef struct {
  size_t act, scratch;  /* floats: one activation buffer, the scratch (evx_acts) */
  size_t params;        /* bytes: packed conv weights and biases, batchnorm
                           scale and shift (evx_kargs w, b) */
} plan_sizes;

static plan_sizes plan(const evx_model *m, const evx_isa *isa)
{
  plan_sizes p = { evx_shape_elems(m->input), 16, 0 };
  for (uint32_t i = 0; i < m->n_layers; i++) {
    const evx_layer *l = &m->layers[i];
    uint64_t o = evx_shape_elems(l->out);
    if (o > p.act) p.act = o;
    if (evx_wg_applies(isa, l)) {
      size_t need = evx_wg_scratch_len(isa, l);
      if (need + 16 > p.scratch) p.scratch = need + 16;
      p.params += fbytes(evx_wg_params_len(isa, l));
    } else if (l->type == EVX_LAYER_CONV1D || l->type == EVX_LAYER_CONV2D) {
      uint64_t padded = (uint64_t)l->in.c * (l->in.h + 2 * l->ph) * (l->in.w + 2 * l->pw);
      if (padded + 16 > p.scratch) p.scratch = padded + 16;
      p.params += fbytes(evx_conv_packed_len(isa, l)) + fbytes(evx_conv_bias_len(isa, l));
    } else if (l->type == EVX_LAYER_MAXPOOL1D || l->type == EVX_LAYER_MAXPOOL2D) {
      if (l->in.w + 16u > p.scratch) p.scratch = l->in.w + 16u;
    } else if (l->type == EVX_LAYER_BATCHNORM) {
      p.params += 2 * fbytes(l->in.c);
    }
  }
  return p;
}

size_t evx_net_size(const evx_model *m)
{
  if (!m || m->n_layers < 1 || m->n_layers > EVX_MAX_LAYERS) return 0;
  plan_sizes p = plan(m, evx_nn_isa());
  return ALIGN - 1 + up64(sizeof(evx_net)) + 2 * fbytes(p.act) + fbytes(p.scratch) + p.params;
}

static evx_op *add_op(evx_net *n, uint32_t kind, uint32_t units, uint64_t cost,
                      const evx_kargs *k)
{
  evx_op *o = &n->ops[n->n_ops++];
  o->kind = kind;
  o->units = units;
  o->unit_cost = cost ? cost : 1;
  o->k = *k;
  return o;
}

static int next_is_relu(const evx_model *m, uint32_t i)
{
  return i + 1 < m->n_layers && m->layers[i + 1].type == EVX_LAYER_RELU;
}

/* The unit cost of conv layer l's op as evx_k_conv runs it. */
static uint64_t conv_unit_cost(const evx_isa *isa, const evx_layer *l)
{
  return 2ull * isa->oct * isa->vl * l->in.c * l->kh * l->kw;
}

/* A Winograd conv (evx_nn_winograd.h): its weights transformed into params,
 * then its two ops, with the units and costs of the direct conv's pad and
 * conv: step() charges what the direct conv would (more than it runs), so
 * the slicing, and when a result is published, are the direct conv's. */
static void compile_winograd(evx_net *n, const evx_layer *l, evx_kargs *k, char **params)
{
  const evx_isa *isa = k->isa;
  evx_wg_pack(isa, l, (float *)*params, k);
  *params += fbytes(evx_wg_params_len(isa, l));
  k->relu = next_is_relu(n->m, (uint32_t)(l - n->m->layers));
  add_op(n, OP_WG_IN, l->in.c, (l->in.h + 2ull * l->ph) * (l->in.w + 2ull * l->pw), k);
  add_op(n, OP_WG_CONV, evx_conv_units(isa, l->out), conv_unit_cost(isa, l), k);
}

/* Compiles layer i; returns how many layers it consumed (2 when a following
 * ReLU is fused). `cur` is the buffer holding the activation. */
static uint32_t compile_layer(evx_net *n, uint32_t i, float **cur, float *other, char **params)
{
  const evx_model *m = n->m;
  const evx_layer *l = &m->layers[i];
  evx_kargs k = { .isa = n->isa, .src = *cur, .dst = other, .scratch = n->a.scratch,
                  .in = l->in, .out = l->out,
                  .kh = l->kh, .kw = l->kw, .sh = l->sh, .sw = l->sw, .ph = l->ph, .pw = l->pw };
  uint64_t hw = (uint64_t)l->in.h * l->in.w, ohw = (uint64_t)l->out.h * l->out.w;
  uint32_t used = 1;
  if (evx_wg_applies(n->isa, l)) {
    compile_winograd(n, l, &k, params);
    *cur = other;
    return next_is_relu(m, i) ? 2 : 1;
  }
  switch (l->type) {
  case EVX_LAYER_CONV1D: case EVX_LAYER_CONV2D: {
    float *packed = (float *)*params, *bias;
    const evx_isa *isa = k.isa;
    *params += fbytes(evx_conv_packed_len(isa, l));
    bias = (float *)*params;
    *params += fbytes(evx_conv_bias_len(isa, l));
    evx_conv_pack(isa, l, packed, bias);
    k.w = packed; k.b = bias;
    add_op(n, OP_PAD, l->in.c, (l->in.h + 2ull * l->ph) * (l->in.w + 2ull * l->pw), &k);
    if (next_is_relu(m, i)) { k.relu = 1; used = 2; }
    add_op(n, OP_CONV, evx_conv_units(isa, l->out), conv_unit_cost(isa, l), &k);
    *cur = other;
    break;
  }
  case EVX_LAYER_MAXPOOL1D: case EVX_LAYER_MAXPOOL2D:
    add_op(n, OP_POOL, l->in.c, ohw * l->kh * l->kw, &k);
    *cur = other;
    break;
  case EVX_LAYER_DENSE:
    k.w = l->w.weight; k.b = l->w.bias;
    if (next_is_relu(m, i)) { k.relu = 1; used = 2; }
    /* each weight is read once per inference, from memory once the
     * matrix outgrows the cache (the shipped MLP's is 0.9 MB): charged as 8
     * FLOPs, not 2, so a slice of it costs as long as a slice of a conv */
    add_op(n, OP_DENSE, l->out.c, 8ull * l->in.c, &k);
    *cur = other;
    break;
  case EVX_LAYER_GAP:
    add_op(n, OP_GAP, l->in.c, hw, &k);
    *cur = other;
    break;
  case EVX_LAYER_RELU:
    k.dst = *cur;
    add_op(n, OP_RELU, l->in.c, hw, &k);
    break;
  case EVX_LAYER_BATCHNORM: {
    float *sc = (float *)*params, *sh;
    *params += fbytes(l->in.c);
    sh = (float *)*params;
    *params += fbytes(l->in.c);
    for (uint32_t c = 0; c < l->in.c; c++) {
      sc[c] = l->w.weight[c] / sqrtf(l->w.var[c] + l->eps);
      sh[c] = l->w.bias[c] - l->w.mean[c] * sc[c];
    }
    k.dst = *cur; k.w = sc; k.b = sh;
    add_op(n, OP_AFFINE, l->in.c, 2 * hw, &k);
    break;
  }
  case EVX_LAYER_SOFTMAX:
    k.dst = *cur;
    add_op(n, OP_SOFTMAX, 1, 4ull * l->in.c, &k);
    break;
  default: break; /* dropout, flatten: the buffer already is the result */
  }
  return used;
}

evx_net *evx_net_init(void *mem, size_t size, const evx_model *m)
{
  size_t need = evx_net_size(m);
  if (!mem || !need || size < need) return NULL;
  char *p = (char *)(((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
  const evx_isa *isa = evx_nn_isa();
  plan_sizes ps = plan(m, isa);
  evx_net *n = (evx_net *)p;
  memset(n, 0, sizeof *n);
  n->m = m;
  n->isa = isa;
  p += up64(sizeof *n);
  evx_acts *a = &n->a;
  a->buf[0] = (float *)p;
  a->buf[1] = (float *)(p + fbytes(ps.act));
  p += 2 * fbytes(ps.act);
  a->scratch = (float *)p;
  memset(a->scratch, 0, fbytes(ps.scratch)); /* slack read by the last conv strip */
  p += fbytes(ps.scratch);
  memset(a->buf[0], 0, 2 * fbytes(ps.act));

  float *cur = a->buf[0];
  a->in = cur;
  if (m->norm.len) {
    evx_kargs k = { .dst = cur, .in = m->input };
    add_op(n, OP_NORM, m->norm.len,
           evx_norm_flops(m) / m->norm.len, &k);
  }
  for (uint32_t i = 0; i < m->n_layers;)
    i += compile_layer(n, i, &cur, cur == a->buf[0] ? a->buf[1] : a->buf[0], &p);
  a->out = cur;
  n->op = n->n_ops;
  return n;
}

static void run_units(const evx_net *n, const evx_op *o, uint32_t u0, uint32_t u1)
{
  const evx_kargs *k = &o->k;
  switch (o->kind) {
  case OP_NORM: evx_k_norm(&n->m->norm, k->in, k->dst, u0, u1); break;
  case OP_PAD: evx_k_pad(k, u0, u1); break;
  case OP_CONV: evx_k_conv(k, u0, u1); break;
  case OP_WG_IN: evx_k_wg_in(k, u0, u1); break;
  case OP_WG_CONV: evx_k_wg_conv(k, u0, u1); break;
  case OP_POOL: evx_k_maxpool(k, u0, u1); break;
  case OP_DENSE: evx_k_dense(k, u0, u1); break;
  case OP_RELU: evx_k_relu(k, u0, u1); break;
  case OP_AFFINE: evx_k_affine(k, u0, u1); break;
  case OP_GAP: evx_k_gap(k, u0, u1); break;
  case OP_SOFTMAX: evx_k_softmax(k); break;
  default: break;
  }
}

/* A non-finite input value (the padding of a short EVX_INPUT_FRAMES window,
 * or a broken feature) enters the network as 0. */
void evx_net_begin(evx_net *n, const float *input)
{
  size_t len = (size_t)evx_shape_elems(n->m->input);
  for (size_t i = 0; i < len; i++)
    n->a.in[i] = isfinite(input[i]) ? input[i] : 0.0f;
  n->op = 0;
  n->unit = 0;
}

int evx_net_step(evx_net *n, uint64_t max_flops)
{
  uint64_t spent = 0;
  return evx_net_step_spent(n, max_flops, &spent);
}

int evx_net_step_spent(evx_net *n, uint64_t max_flops, uint64_t *total)
{
  uint64_t spent = 0;
  while (n->op < n->n_ops) {
    const evx_op *o = &n->ops[n->op];
    uint64_t left = o->units - n->unit, k = left;
    /* Units that fit the budget left, rounded to the nearest: a unit that
     * is more than half covered runs, so a budget of a few units is used
     * in full on average (the overshoot is at most half a unit) */
    uint64_t rest = max_flops > spent ? max_flops - spent : 0;
    uint64_t room = rest >= UINT64_MAX - o->unit_cost ? left
                                                      : (rest + o->unit_cost / 2) / o->unit_cost;
    if (spent > 0 && room == 0) break; /* budget used up */
    if (room < k) k = room ? room : 1;
    run_units(n, o, n->unit, n->unit + (uint32_t)k);
    spent += k * o->unit_cost;
    n->unit += (uint32_t)k;
    if (n->unit == o->units) { n->op++; n->unit = 0; }
    if (spent >= max_flops) break;
  }
  *total += spent;
  return n->op >= n->n_ops;
}

const float *evx_net_output(const evx_net *n) { return n->a.out; }

uint64_t evx_net_work(const evx_net *n)
{
  uint64_t w = 0;
  for (uint32_t i = 0; i < n->n_ops; i++) w += n->ops[i].units * n->ops[i].unit_cost;
  return w;
}

void evx_net_forward(evx_net *n, const float *input, float *probs)
{
  evx_net_begin(n, input);
  evx_net_step(n, UINT64_MAX);
  memcpy(probs, n->a.out, (size_t)n->m->n_labels * sizeof *probs);
}
